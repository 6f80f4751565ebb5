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


@pytest.mark.slow
def test_sigkill_during_ingest(tmp_path: Path) -> None:
    folder = tmp_path / "articles"
    _articles(folder)
    db = tmp_path / "monitor.db"
    command = [sys.executable, "-m", "monitor", "--db", str(db), "-q", "add", str(folder)]
    chance = random.Random(7)
    counts = []
    for _ in range(KILLS):
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(chance.uniform(0.4, 2.5))
        process.send_signal(signal.SIGKILL)
        process.wait()
        if db.exists():
            counts.append(_check(db))
    assert any(0 < c < ARTICLES for c in counts), f"no kill landed mid-ingest: {counts}"
    finished = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert finished.returncode == 0, finished.stderr
    assert _check(db) == ARTICLES
