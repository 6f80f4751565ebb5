"""Shared by the position tests: engines per profile, scoring of labelled cases and
storylines, and seeded databases built through the real pipeline."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from functools import cache
from pathlib import Path

from monitor import pipeline, profile
from monitor.engine import MIN_CONFIDENCE, Engine
from monitor.models import Document
from monitor.storage import Connection, connect, query

ROOT = Path(__file__).parent.parent
CASES = Path(__file__).parent / "cases"
CORPUS = CASES / "engine"
SEEDS = ROOT / "seeds"
CENTRAL_BANK = Path(__file__).parent / "data" / "central_bank"
CENTRAL_BANK_PROFILE = ROOT / "monitor" / "profiles" / "central_bank.toml"
NOW = datetime(2025, 8, 1, tzinfo=UTC)


@cache
def engine(name: str = "default") -> Engine:
    """The engine for a profile: "default", "central_bank" or a corpus domain."""
    if name == "default":
        return Engine(profile.load())
    if name == "central_bank":
        return Engine(profile.load(CENTRAL_BANK_PROFILE))
    return Engine(profile.load(CORPUS / "profiles" / f"{name}.toml"))


def load(name: str) -> dict:
    return tomllib.loads((CASES / name).read_text(encoding="utf-8"))


def seed_cases() -> list[dict]:
    """The seed cases, labelled with the seeds' class and domain."""
    cases = load("positions.toml")["cases"]
    for case in cases:
        case.setdefault("domain", case.get("profile", "seeds"))
        case.setdefault("class", "seeds")
        case.setdefault("split", "seeds")
    return cases


def corpus_cases() -> list[dict]:
    cases: list[dict] = []
    for path in sorted((CORPUS / "sentences").glob("*.toml")):
        for case in tomllib.loads(path.read_text(encoding="utf-8"))["cases"]:
            case.setdefault("profile", case["domain"])
            cases.append(case)
    return cases


def predicted(case: dict) -> set[str]:
    """What the engine claims for a case's text (context read first, not scored)."""
    context = case.get("context", "")
    text = f"{context}\n{case['text']}" if context else case["text"]
    start = len(context) + 1 if context else 0
    return {
        f"{c.actor}/{c.issue}/{c.stance}"
        for c in engine(case.get("profile", "default")).claims(text)
        if c.confidence >= MIN_CONFIDENCE and c.span[0] >= start
    }


@dataclass
class Tally:
    """Counts for one row of the quality table."""

    cases: int = 0
    exact: int = 0  # cases whose claims are exactly the labelled ones (stance accuracy)
    hits: int = 0
    made: int = 0
    wanted: int = 0
    stance_pairs: int = 0  # labelled (actor, issue) the engine gave some stance
    stance_right: int = 0
    spurious: int = 0  # cases labelled with no position that got one
    shift_hits: int = 0
    shifts_made: int = 0
    shifts_wanted: int = 0
    misses: list[str] = field(default_factory=list)

    def add(self, case_id: str, wanted: set[str], got: set[str]) -> None:
        self.cases += 1
        self.exact += wanted == got
        self.hits += len(wanted & got)
        self.made += len(got)
        self.wanted += len(wanted)
        self.spurious += not wanted and bool(got)
        pairs = {w.rsplit("/", 1)[0]: w for w in got}
        for w in wanted:
            if w.rsplit("/", 1)[0] in pairs:
                self.stance_pairs += 1
                self.stance_right += pairs[w.rsplit("/", 1)[0]] == w
        if wanted != got:
            self.misses.append(f"{case_id}: expected {sorted(wanted)}, got {sorted(got)}")

    def add_shifts(self, wanted: set[str], got: set[str]) -> None:
        self.shift_hits += len(wanted & got)
        self.shifts_made += len(got)
        self.shifts_wanted += len(wanted)

    @property
    def precision(self) -> float:
        return self.hits / self.made if self.made else 1.0

    @property
    def recall(self) -> float:
        return self.hits / self.wanted if self.wanted else 1.0

    @property
    def accuracy(self) -> float:
        return self.exact / self.cases if self.cases else 1.0

    @property
    def shift_precision(self) -> float:
        return self.shift_hits / self.shifts_made if self.shifts_made else 1.0

    @property
    def shift_recall(self) -> float:
        return self.shift_hits / self.shifts_wanted if self.shifts_wanted else 1.0


def table(title: str, rows: dict[str, Tally]) -> str:
    """The quality table: one line per class or domain."""
    head = (
        f"{title:<14}{'cases':>6}{'claimP':>8}{'claimR':>8}{'acc':>7}{'stance':>8}"
        f"{'none+':>7}{'shiftP':>8}{'shiftR':>8}"
    )
    lines = [head]
    for name, t in rows.items():
        stance = t.stance_right / t.stance_pairs if t.stance_pairs else 1.0
        shifts = (
            f"{t.shift_precision:>8.2f}{t.shift_recall:>8.2f}"
            if t.shifts_made or t.shifts_wanted
            else f"{'-':>8}{'-':>8}"
        )
        claims = (
            f"{t.precision:>8.2f}{t.recall:>8.2f}{t.accuracy:>7.2f}{stance:>8.2f}"
            if t.cases
            else f"{'-':>8}{'-':>8}{'-':>7}{'-':>8}"
        )
        lines.append(f"{name:<14}{t.cases:>6}{claims}{t.spurious:>7}{shifts}")
    return "\n".join(lines)


def score_cases(cases: list[dict], key: str) -> dict[str, Tally]:
    rows: dict[str, Tally] = {}
    total = Tally()
    for case in cases:
        wanted, got = set(case["expect"]), predicted(case)
        rows.setdefault(case[key], Tally()).add(case["id"], wanted, got)
        total.add(case["id"], wanted, got)
    rows = dict(sorted(rows.items()))
    rows["all"] = total
    return rows


def ingest_dir(db: Connection, directory: Path, meta: dict, engine_: Engine) -> dict[str, int]:
    """Ingest the articles `meta` names; returns each file's document id."""
    ids = {}
    for name, facts in meta.items():
        document = Document(
            text=(directory / name).read_text(encoding="utf-8"),
            title=facts.get("title"),
            outlet=facts.get("outlet"),
            published_at=date.fromisoformat(facts["date"]),
            locator=str(directory / name),
        )
        pipeline.ingest(db, document, now=NOW, baseline=True, engine=engine_)
        row = db.execute("SELECT id FROM documents WHERE locator = ?", [str(directory / name)])
        ids[name] = row.fetchone()[0]
    return ids


def seeded(path: Path, which: str = "seeds") -> Connection:
    db = connect(path)
    if which == "seeds":
        meta = tomllib.loads((SEEDS / "seeds.toml").read_text(encoding="utf-8"))
        ingest_dir(db, SEEDS, meta, engine())
    else:
        meta = tomllib.loads((CENTRAL_BANK / "articles.toml").read_text(encoding="utf-8"))
        ingest_dir(db, CENTRAL_BANK, meta, engine("central_bank"))
    return db


def storylines() -> list[Path]:
    return sorted(p for p in (CORPUS / "storylines").iterdir() if p.is_dir())


def play_storyline(directory: Path, db_path: Path) -> tuple[dict, set[str], set[str]]:
    """Ingest a storyline: (its storyline.toml, shifts found, no_position entries violated)."""
    spec = tomllib.loads((directory / "storyline.toml").read_text(encoding="utf-8"))
    db = connect(db_path)
    ids = ingest_dir(db, directory, spec["articles"], engine(spec["profile"]))
    found = shift_names(db)
    violated = set()
    for entry in spec.get("expect", {}).get("no_position", []):
        name, actor = entry.split(":", 1)
        rows = db.execute(
            "SELECT 1 FROM positions WHERE document_id = ? AND actor = ?", [ids[name], actor]
        )
        if rows.fetchone():
            violated.add(entry)
    db.close()
    return spec, found, violated


def shift_names(db: Connection) -> set[str]:
    return {
        f"{r['actor']}/{r['issue']}/{r['from_stance']}->{r['to_stance']}"
        for r in query(db, "SELECT * FROM shifts")
    }
