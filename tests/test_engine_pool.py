"""Documents analysed ahead in a batch, on every core: the same claims as one at a time,
no worker left behind, and a batch too small to share read in this process."""

from __future__ import annotations

import os
import random
import resource
from datetime import UTC, datetime
from pathlib import Path

import pytest
from conftest import SEEDS

from monitor import pipeline
from monitor.engine import Engine, pool
from monitor.inputs import Item
from monitor.models import Document
from monitor.profile import load
from monitor.storage import Connection, connect
from monitor.storage import positions as store
from monitor.text import sentences

NOW = datetime(2025, 8, 1, tzinfo=UTC)


def articles(count: int, tag: str) -> list[str]:
    """Articles of seed sentences, each sentence new (a dateline of its own), so that no
    parse kept from another test serves it."""
    pool_ = [s.text for f in sorted(SEEDS.glob("*.txt")) for s in sentences(f.read_text())]
    rng = random.Random(tag)
    return [
        "\n".join(f"On {tag} {n}-{i}, {rng.choice(pool_)}" for i in range(30)) for n in range(count)
    ]


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def children() -> set[str]:
    """This process's live child processes."""
    return {
        pid
        for task in Path(f"/proc/{os.getpid()}/task").iterdir()
        for pid in (task / "children").read_text().split()
    }


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine(load())


def test_the_machine_has_cores_to_share() -> None:
    assert pool.workers() >= 2  # the tests below would prove nothing on one core


def test_a_prepared_batch_reads_as_documents_one_at_a_time(engine: Engine) -> None:
    first, second = articles(24, "batch"), articles(24, "next batch")
    before, spent = children(), children_cpu()
    engine.prepare(first)  # first: the parses one at a time keep would serve it
    engine.prepare(second)  # while the caller stores the first batch
    together = [engine.claims(t) for t in first + second]
    assert children_cpu() > spent  # workers did the reading
    assert children() == before  # and are gone
    reference = Engine(engine.profile)
    assert together == [reference.claims(t) for t in first + second]
    assert sum(map(len, together)) > 40


def test_closing_ends_a_running_batch(engine: Engine) -> None:
    texts = articles(24, "closed")
    before = children()
    engine.prepare(texts)
    assert children() > before  # a batch large enough runs in workers
    engine.close()
    assert children() == before
    assert [engine.claims(t) for t in texts] == [Engine(engine.profile).claims(t) for t in texts]


def test_a_small_batch_is_read_here(engine: Engine) -> None:
    text = "Hezbollah said on Tuesday it will not lay down its weapons."
    spent = children_cpu()
    engine.prepare([text])
    found = engine.claims(text)
    assert children_cpu() == spent
    assert [(c.actor, c.issue, c.stance) for c in found] == [
        ("Hezbollah", "disarmament", "refuses")
    ]


def test_an_add_of_many_files_stores_what_one_at_a_time_does(
    engine: Engine, tmp_path: Path
) -> None:
    texts = articles(12, "ingest")
    items = [
        Item(f"a{n}", Document(text, title=f"a{n}", locator=f"file:a{n}"))
        for n, text in enumerate(texts)
    ]
    stored: list[list[tuple[object, ...]]] = []
    for name, batches in (("together", [items]), ("alone", [[i] for i in items])):
        db: Connection = connect(tmp_path / f"{name}.db")
        spent = children_cpu()
        for batch in batches:
            pipeline.ingest_items(db, batch, now=NOW, engine=Engine(engine.profile))
        assert (children_cpu() > spent) == (name == "together")
        rows = db.execute(
            "SELECT document_id, actor, issue, stance, confidence, span_start, cue FROM claims"
            " ORDER BY 1, 2, 3, 6"
        ).fetchall()
        stored.append([tuple(r) for r in rows])
        assert store.pairs(db)
        db.close()
    assert stored[0] == stored[1]
    assert len(stored[0]) > 10
