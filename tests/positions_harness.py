"""Shared by the position tests: engines per profile, scoring of labelled cases, and a
seeded database built through the real pipeline."""

from __future__ import annotations

import tomllib
from datetime import UTC, date, datetime
from functools import cache
from pathlib import Path
from sqlite3 import Connection

from monitor import pipeline, profile
from monitor.models import Document
from monitor.positions import MIN_CONFIDENCE, Engine
from monitor.storage import connect, query

ROOT = Path(__file__).parent.parent
CASES = Path(__file__).parent / "cases"
SEEDS = ROOT / "seeds"
CENTRAL_BANK = Path(__file__).parent / "data" / "central_bank"
CENTRAL_BANK_PROFILE = ROOT / "monitor" / "profiles" / "central_bank.toml"
NOW = datetime(2025, 8, 1, tzinfo=UTC)


@cache
def engine(name: str = "default") -> Engine:
    return Engine(profile.load(CENTRAL_BANK_PROFILE if name == "central_bank" else None))


def load(name: str) -> dict:
    return tomllib.loads((CASES / name).read_text(encoding="utf-8"))


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


def score(pairs: list[tuple[set[str], set[str]]]) -> tuple[float, float]:
    """Micro precision and recall over (expected, predicted) pairs."""
    hits = sum(len(e & p) for e, p in pairs)
    made = sum(len(p) for _, p in pairs)
    wanted = sum(len(e) for e, _ in pairs)
    return (hits / made if made else 1.0), (hits / wanted if wanted else 1.0)


def ingest_dir(db: Connection, directory: Path, meta_file: str, engine_: Engine) -> None:
    meta = tomllib.loads((directory / meta_file).read_text(encoding="utf-8"))
    for name, facts in meta.items():
        document = Document(
            text=(directory / name).read_text(encoding="utf-8"),
            title=facts.get("title"),
            outlet=facts.get("outlet"),
            published_at=date.fromisoformat(facts["date"]),
            locator=str(directory / name),
        )
        pipeline.ingest(db, document, now=NOW, baseline=True, engine=engine_)


def seeded(path: Path, which: str = "seeds") -> Connection:
    db = connect(path)
    if which == "seeds":
        ingest_dir(db, SEEDS, "seeds.toml", engine())
    else:
        ingest_dir(db, CENTRAL_BANK, "articles.toml", engine("central_bank"))
    return db


def shift_names(db: Connection) -> set[str]:
    return {
        f"{r['actor']}/{r['issue']}/{r['from_stance']}->{r['to_stance']}"
        for r in query(db, "SELECT * FROM shifts")
    }
