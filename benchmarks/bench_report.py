"""How long `monitor report` takes and how large the file gets for 10,000 documents.

    .venv/bin/python benchmarks/bench_report.py [DOCUMENTS]

The database is filled through the storage functions the pipeline uses: documents with
a version each, one or two positions per document on six (actor, issue) timelines whose
stances persist and sometimes move, the shifts the drift module finds in them, claims
for talking-point drift, a hundred edited documents and thirty watched sources.
"""

from __future__ import annotations

import random
import sys
import time
from datetime import UTC, date, datetime, timedelta

from monitor import html_report, profile
from monitor.compare import compare
from monitor.drift import shift_key, shifts
from monitor.models import Claim, Document, Position
from monitor.storage import Connection, connect, documents, positions, sources, transaction

NOW = datetime(2025, 7, 8, 12, 0, tzinfo=UTC)
PAIRS = (
    ("Hezbollah", "disarmament"),
    ("Hezbollah", "escalation"),
    ("Iran", "escalation"),
    ("Iran", "normalization"),
    ("Israel", "escalation"),
    ("Hamas", "escalation"),
)
OUTLETS = ("Reuters", "AFP", "Al Jazeera", "L'Orient Today", "Times of Israel", "Tasnim")
SAYINGS = {
    0: "{actor} flatly rejected any talk of {topic}, a spokesman told {outlet} on {day}.",
    1: "{actor} would consider {topic} only after its conditions are met, officials said.",
    2: "{actor} signalled readiness for {topic} in remarks reported by {outlet} ({day}).",
}
FILLER = (
    "Residents in the south reported heavy traffic on the coastal road. "
    "Diplomats met in the capital for a third round of talks. "
    "Markets were calm and the currency held steady against the dollar. "
)


def populate(db: Connection, count: int = 10_000, seed: int = 0) -> None:
    """`count` dated documents with positions, shifts, claims, edits and sources."""
    rng = random.Random(seed)
    scales = profile.load().issues
    level = {pair: rng.randrange(3) for pair in PAIRS}
    start = date(2021, 1, 1)
    with transaction(db):
        for n in range(count):
            day = start + timedelta(days=n * 1826 // count)
            outlet = rng.choice(OUTLETS)
            found: list[Position] = []
            for pair in rng.sample(PAIRS, rng.choice((1, 1, 2))):
                if rng.random() < 0.03:
                    level[pair] = min(2, max(0, level[pair] + rng.choice((-1, 1))))
                found.append(_position(pair, level[pair], n + 1, day, outlet, scales))
            _document(db, n, day, outlet, found)
        for actor, issue in PAIRS:
            timeline = positions.timeline(db, actor, issue)
            found_shifts = shifts(timeline, scales[issue])
            positions.save_shifts(db, actor, issue, [(shift_key(s), s) for s in found_shifts], NOW)
        for document_id in rng.sample(range(1, count + 1), min(100, count)):
            _edit(db, document_id)
        for n in range(30):
            sources.add(
                db, kind="url", locator=f"https://news.example/{n}", interval_s=1800, now=NOW
            )


def _position(
    pair: tuple[str, str], level: int, document_id: int, day: date, outlet: str, scales: dict
) -> Position:
    actor, issue = pair
    issue_scale = scales[issue]
    stance = issue_scale.scale[level].name
    evidence = SAYINGS[level].format(actor=actor, topic=issue, outlet=outlet, day=day)
    return Position(
        actor, issue, document_id, day, stance, issue_scale.score(stance), 0.8, evidence, outlet
    )


def _document(db: Connection, n: int, day: date, outlet: str, found: list[Position]) -> None:
    text = " ".join(p.evidence for p in found) + " " + FILLER + f"Report number {n}."
    document = Document(
        text=text, title=f"Report {n} from {outlet}", published_at=day, outlet=outlet
    )
    document_id = documents.insert(
        db, document, f"bench:{n}", now=NOW, baseline=False, source_id=None
    )
    version_id = documents.insert_version(
        db, document_id, text=text, text_hash=f"h{n}", raw=None, now=NOW, pipeline_version="1"
    )
    claims = [
        Claim(p.actor, p.issue, p.stance, p.score, 0.8, p.evidence, (0, 1), "reported", "said")
        for p in found
    ]
    positions.replace_claims(db, version_id, document_id, claims)
    positions.replace_positions(db, document_id, found)


def _edit(db: Connection, document_id: int) -> None:
    old = documents.versions(db, document_id)[0]
    new_text = old["text"].replace("would consider", "would not consider") + " A line was added."
    version_id = documents.insert_version(
        db,
        document_id,
        text=new_text,
        text_hash=old["text_hash"] + "e",
        raw=None,
        now=NOW,
        pipeline_version="1",
    )
    change = compare(old["text"], new_text)
    documents.record_change(db, document_id, old["id"], version_id, change, kind="edit", now=NOW)


def main(count: int) -> None:
    db = connect(":memory:")
    began = time.perf_counter()
    populate(db, count)
    filled = time.perf_counter()
    page = html_report.build_report(db, profile=profile.load(), now=NOW)
    built = time.perf_counter()
    print(f"documents            {count}")
    print(f"fill database        {filled - began:.2f} s")
    print(f"build report         {built - filled:.2f} s")
    print(f"report size          {len(page.encode()) / 1_048_576:.2f} MB")
    marks = page.count('<g class="shift')
    print(f"chart points         {page.count('<circle') - marks}")
    print(f"shift marks          {marks}")


if __name__ == "__main__":
    # `python -m benchmarks report` passes benchmark names, not a count.
    numbers = [int(arg) for arg in sys.argv[1:] if arg.isdigit()]
    main(numbers[0] if numbers else 10_000)
