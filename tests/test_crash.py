"""SIGKILL at random moments during a large ingest loses nothing and leaves nothing half-done."""

from __future__ import annotations

import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from local_site import assert_sound

KILLS = 20
ARTICLES = 1200


def _articles(folder: Path) -> None:
    folder.mkdir()
    for n in range(ARTICLES):
        (folder / f"{n:04}.txt").write_text(
            f"date 2025-01-{n % 28 + 1:02} Statement {n}\n"
            f"Hezbollah said on day {n} that it would not lay down its weapons.\n"
            f"Iran urged patience in round {n} of the talks.\n"
        )


def _check(db: Path) -> int:
    with sqlite3.connect(db) as conn:
        assert_sound(conn)
        return int(conn.execute("SELECT COUNT(*) FROM documents").fetchone()[0])


def _stored(db: Path) -> int:
    """Documents stored so far, read beside the writer (0 while there is no database)."""
    if not db.exists():
        return 0
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=0.2) as conn:
            return int(conn.execute("SELECT COUNT(*) FROM documents").fetchone()[0])
    except sqlite3.Error:
        return 0


@pytest.mark.slow
def test_sigkill_during_ingest(tmp_path: Path) -> None:
    folder = tmp_path / "articles"
    _articles(folder)
    db = tmp_path / "monitor.db"
    command = [sys.executable, "-m", "monitor", "--db", str(db), "-q", "add", str(folder)]
    chance = random.Random(7)
    counts: list[int] = []
    for _ in range(KILLS):
        # killed once the store reaches a drawn number of documents, however fast it goes
        target = min((counts[-1] if counts else 0) + chance.randint(1, 80), ARTICLES - 1)
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        while process.poll() is None and _stored(db) < target:
            time.sleep(0.01)
        process.send_signal(signal.SIGKILL)
        process.wait()
        if db.exists():
            counts.append(_check(db))
    assert any(0 < c < ARTICLES for c in counts), f"no kill landed mid-ingest: {counts}"
    finished = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert finished.returncode == 0, finished.stderr
    assert _check(db) == ARTICLES


_CREATE_SLOWLY = """
import sys, time
from monitor.storage import connect, schema

def last(db):
    print("migrating", flush=True)
    time.sleep(600)

last.__name__ = schema.MIGRATIONS[-1].__name__
schema.MIGRATIONS = (*schema.MIGRATIONS[:-1], last)
connect(sys.argv[1])
"""


def test_a_database_killed_while_being_created_is_not_there(tmp_path: Path) -> None:
    """A new SQLite file appears only fully migrated: killed during its last migration,
    the creating process leaves no database behind, and the next command makes a whole one."""
    db = tmp_path / "monitor.db"
    creating = subprocess.Popen(
        [sys.executable, "-c", _CREATE_SLOWLY, str(db)], stdout=subprocess.PIPE, text=True
    )
    assert creating.stdout is not None and creating.stdout.readline() == "migrating\n"
    creating.send_signal(signal.SIGKILL)
    creating.wait()
    assert not db.exists()
    made = subprocess.run(
        [sys.executable, "-m", "monitor", "--db", str(db), "check"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert made.returncode == 0 and made.stderr == f"created {db}\n", made.stderr
    assert _check(db) == 0
