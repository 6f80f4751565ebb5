"""How fast the position engine is, and how fast shifts are listed on a large database.

    .venv/bin/python benchmarks/bench_positions.py

1. Analysis of fresh text (the headline): 300 articles of 40 sentences recombined from
   the seeds, each sentence made new by a dateline of its own, so the engine has seen
   none of them and parses every candidate sentence; claims, then positions, per article:
   articles per second (wall clock and per CPU second) and peak memory of the process.
   First one article at a time (a single `monitor add`), then 300 other fresh articles
   in batches of 200 as a check round, an add of many files or a recompute analyse them
   (`Engine.prepare`: forked workers on every core), with the ratio to the first.
   Then 1,000 recombined articles whose sentences repeat, as wire copy does across
   outlets: most are parsed once and the rest come from the engine's caches.
2. `monitor diff --actor Hezbollah`: a database of 100,000 documents with positions and
   shifts written directly through storage; the library call and the whole command (a
   fresh process) are timed.
"""

from __future__ import annotations

import compileall
import random
import resource
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from monitor import analysis
from monitor.engine import Engine, pool, positions
from monitor.pipeline import BATCH
from monitor.profile import load
from monitor.storage import connect, transaction
from monitor.storage import positions as store
from monitor.text import sentences

ROOT = Path(__file__).parent.parent
ARTICLES = 1_000
FRESH = 300
SENTENCES_PER_ARTICLE = 40
DOCUMENTS = 100_000


def corpus(rng: random.Random) -> list[str]:
    pool = [
        s.text for f in sorted((ROOT / "seeds").glob("*.txt")) for s in sentences(f.read_text())
    ]
    return [
        "\n".join(rng.choice(pool) for _ in range(SENTENCES_PER_ARTICLE)) for _ in range(ARTICLES)
    ]


def fresh(texts: list[str], first: int = 0) -> list[str]:
    """Every sentence made new: no parse or reading kept from before can serve it."""
    return [
        "\n".join(f"On day {n}-{i}, {line}" for i, line in enumerate(text.splitlines()))
        for n, text in enumerate(texts, start=first)
    ]


def bench_analysis(engine: Engine, texts: list[str], what: str, batch: int = 1) -> float:
    """Articles per second (wall clock); with `batch` > 1, each batch is prepared while
    the one before is read, as ingesting does."""
    start, cpu, workers = time.perf_counter(), time.process_time(), _children_cpu()
    claims = 0
    if batch > 1:
        engine.prepare(texts[:batch])
    for first in range(0, len(texts), batch):
        if batch > 1 and first + batch < len(texts):
            engine.prepare(texts[first + batch : first + 2 * batch])
        for number, text in enumerate(texts[first : first + batch], start=first):
            found = engine.claims(text)
            claims += len(found)
            positions(found, engine.profile, document_id=number, published_at=date(2025, 1, 1))
    elapsed = time.perf_counter() - start
    cpu = time.process_time() - cpu + _children_cpu() - workers
    words = sum(len(t.split()) for t in texts) / len(texts)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    worker = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"{what}: {len(texts)} articles (~{words:.0f} words each) in {elapsed:.2f} s")
    print(
        f"  {len(texts) / elapsed:.0f} articles/s wall clock, {len(texts) / cpu:.0f} per CPU"
        f" second (other load on the machine slows the first), {cpu / elapsed:.1f} cores"
        f" busy, {claims} claims, peak RSS {peak:.0f} MB"
        + (f", largest worker {worker:.0f} MB" if batch > 1 else "")
    )
    return len(texts) / elapsed


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def build_database(path: Path, engine: Engine, rng: random.Random) -> None:
    """Documents, positions and shifts written directly: the shape ingest leaves behind."""
    db = connect(path)
    actors = list(engine.profile.actors)
    issues = list(engine.profile.issues.values())
    day0 = date(2015, 1, 1)
    now = datetime.now(UTC).isoformat()
    with transaction(db):
        db.executemany(
            "INSERT INTO documents (id, locator, outlet, title, published_at, first_seen_at)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (
                (
                    i,
                    f"bench:{i}",
                    f"outlet {i % 50}",
                    f"title {i}",
                    (day0 + timedelta(days=i // 30)).isoformat(),
                    now,
                )
                for i in range(1, DOCUMENTS + 1)
            ),
        )
        rows, shifts = [], []
        last: dict[tuple[str, str], tuple[int, str]] = {}
        for doc in range(1, DOCUMENTS + 1):
            actor, issue = rng.choice(actors), rng.choice(issues)
            stance = issue.scale[0 if rng.random() < 0.9 else rng.randrange(len(issue.scale))].name
            day = (day0 + timedelta(days=doc // 30)).isoformat()
            rows.append((actor, issue.name, doc, day, stance, 0.0, 0.7, "evidence sentence"))
            before = last.get((actor, issue.name))
            if before and before[1] != stance:
                shifts.append(
                    (
                        f"bench:{doc}",
                        actor,
                        issue.name,
                        before[1],
                        stance,
                        before[0],
                        doc,
                        day,
                        day,
                        "from evidence",
                        "to evidence",
                        "emerging",
                        0.5,
                        now,
                    )
                )
            last[(actor, issue.name)] = (doc, stance)
        db.executemany(
            "INSERT OR IGNORE INTO positions (actor, issue, document_id, published_at, stance,"
            " score, confidence, evidence) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )
        db.executemany(
            "INSERT INTO shifts (key, actor, issue, from_stance, to_stance, from_document,"
            " to_document, from_date, to_date, from_evidence, to_evidence, status, confidence,"
            " detected_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            shifts,
        )
    store.set_engine_version(db, engine.version)
    print(f"database: {DOCUMENTS} documents, {len(rows)} positions, {len(shifts)} shifts")


def bench_diff(path: Path, engine: Engine) -> None:
    db = connect(path)
    timings = []
    for _ in range(5):
        start = time.perf_counter()
        found = analysis.list_shifts(db, engine.profile, actor="Hezbollah")
        timings.append(time.perf_counter() - start)
    median = sorted(timings)[2] * 1000
    print(f"  list_shifts(actor=Hezbollah): {len(found)} shifts, median {median:.0f} ms")
    # An installed package has its bytecode compiled; an editable checkout run with
    # PYTHONDONTWRITEBYTECODE would otherwise compile every module at every start.
    compileall.compile_dir(ROOT / "monitor", quiet=1)
    command = [
        sys.executable,
        "-m",
        "monitor",
        "--db",
        str(path),
        "diff",
        "--actor",
        "Hezbollah",
        "--json",
    ]
    timings = []
    for _ in range(5):
        start = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True)
        timings.append(time.perf_counter() - start)
    print(
        f"  `monitor diff --actor Hezbollah --json` (new process): median "
        f"{sorted(timings)[2] * 1000:.0f} ms"
    )
    timings = []
    for _ in range(5):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", "import monitor.cli"], check=True)
        timings.append(time.perf_counter() - start)
    print(f"  of which Python start and `import monitor.cli`: {sorted(timings)[2] * 1000:.0f} ms")


def main() -> None:
    rng = random.Random(7)
    engine = Engine(load())
    texts = corpus(rng)
    alone = bench_analysis(
        engine, fresh(texts[:FRESH]), "analysis of fresh text (no sentence seen before)"
    )
    together = bench_analysis(
        engine,
        fresh(texts[FRESH : 2 * FRESH], first=FRESH),
        f"the same in batches of {BATCH} ({pool.workers()} workers)",
        batch=BATCH,
    )
    print(f"  batches ×{together / alone:.1f} the articles per second of one at a time")
    bench_analysis(engine, texts, "analysis with sentences repeated across articles")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.db"
        build_database(path, engine, rng)
        bench_diff(path, engine)


if __name__ == "__main__":
    main()
