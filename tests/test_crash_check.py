"""SIGKILL at random moments during `monitor check` rounds: nothing half-done, nothing stuck.

A killed round leaves its claims behind; they run out after `check_lease` seconds, so the
next `monitor check` finishes the work. Every kill is followed by a look at the database.
"""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
from local_site import ChangingPages, assert_sound, serving

from monitor import watch
from monitor.storage import connect

KILLS = 20
PAGES = 300
LEASE_S = 1.0
FIRST_ROUND_S = 3.0  # the longest a later round waits before its first one finishes


@pytest.fixture
def site() -> Iterator[str]:
    with serving(ChangingPages) as url:
        yield url


@dataclass
class _State:
    documents: int
    versions: int
    checked: int  # sources with a recorded check
    claimed: int  # sources still claimed by someone


def _inspect(db: Path) -> _State:
    """The database is sound; the numbers that show how far the killed round got."""
    conn = sqlite3.connect(db)
    try:
        assert_sound(conn)

        def count(sql: str) -> int:
            return int(conn.execute(sql).fetchone()[0])

        return _State(
            documents=count("SELECT COUNT(*) FROM documents"),
            versions=count("SELECT COUNT(*) FROM versions"),
            checked=count("SELECT COUNT(*) FROM sources WHERE last_check_at IS NOT NULL"),
            claimed=count("SELECT COUNT(*) FROM sources WHERE claimed_by IS NOT NULL"),
        )
    finally:
        conn.close()


def _wait_for_first_document(db: Path, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while process.poll() is None and time.monotonic() < deadline:
        conn = sqlite3.connect(db)
        try:
            if conn.execute("SELECT COUNT(*) FROM documents").fetchone()[0]:
                return
        finally:
            conn.close()
        time.sleep(0.01)


@pytest.mark.slow
def test_sigkill_during_check_rounds(site: str, tmp_path: Path) -> None:
    started = time.monotonic()
    db_path = tmp_path / "monitor.db"
    settings_file = tmp_path / "monitor.toml"
    settings_file.write_text(
        "per_host_delay = 0.0\nper_host_concurrency = 8\nconcurrency = 8\n"
        f"retries = 0\ncheck_lease = {LEASE_S}\n"
    )
    env = {**os.environ, "MONITOR_CONFIG": str(settings_file)}
    db = connect(db_path)
    now = datetime.now(UTC)
    for number in range(PAGES):
        watch.add_source(db, f"{site}/p/{number}", now=now, interval_s=5, respect_robots=False)
    db.close()

    command = [sys.executable, "-m", "monitor", "--db", str(db_path), "check", "--json"]
    chance = random.Random(20250711)
    states: list[_State] = []
    killed = 0
    # The first kill lands as soon as the first pages are stored. Later kill moments are
    # random within a round's length: until a round finishes, within less than the first
    # one takes; then within the last finished round's and a bit more, so a few run to
    # their end.
    round_s, stretch = FIRST_ROUND_S, 1.0
    for number in range(KILLS):
        begun = time.monotonic()
        process = subprocess.Popen(
            command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
        )
        try:
            if number == 0:
                _wait_for_first_document(db_path, process)
            process.wait(timeout=0 if number == 0 else chance.uniform(0.2, stretch * round_s))
            round_s, stretch = time.monotonic() - begun, 1.2
        except subprocess.TimeoutExpired:
            process.send_signal(signal.SIGKILL)
        _, stderr = process.communicate(timeout=30)
        assert process.returncode in (-signal.SIGKILL, 0), stderr.decode()[-2000:]
        killed += process.returncode == -signal.SIGKILL
        states.append(_inspect(db_path))
    print(f"after each kill: {states}")

    mid_ingest = [s for s in states if 0 < s.documents < PAGES]
    holding = [s for s in states if s.claimed > 0]
    assert killed >= KILLS // 2, f"only {killed} of {KILLS} rounds were killed"
    assert mid_ingest, f"no kill landed while the first pages were being stored: {states}"
    assert holding, f"no kill landed while a round held its claims: {states}"

    # Claims of the last killed process run out after the lease; then one round does it all.
    time.sleep(LEASE_S + 0.5)
    before = datetime.now(UTC).isoformat()
    finished = subprocess.run(command, env=env, capture_output=True, text=True, timeout=60)
    assert finished.returncode == 0, finished.stderr[-2000:]
    results = json.loads(finished.stdout)
    assert [r["outcome"] for r in results if r["outcome"] == "error"] == []
    ids = [r["source"] for r in results]
    assert len(ids) == len(set(ids)) == PAGES, "a source was skipped or checked twice"

    final = _inspect(db_path)
    assert final.documents == PAGES
    assert final.checked == PAGES
    assert final.claimed == 0
    with sqlite3.connect(db_path) as conn:
        stale = conn.execute(
            "SELECT COUNT(*) FROM sources WHERE last_check_at < ?", [before]
        ).fetchone()[0]
        unlinked = conn.execute(
            "SELECT COUNT(*) FROM sources s WHERE NOT EXISTS "
            "(SELECT 1 FROM documents d WHERE d.locator = s.locator)"
        ).fetchone()[0]
    assert stale == 0, "the final round left sources unchecked"
    assert unlinked == 0
    elapsed = time.monotonic() - started
    print(
        f"{killed} of {KILLS} rounds killed, {len(mid_ingest)} mid-ingest, "
        f"{len(holding)} holding claims, "
        f"{elapsed:.1f} s"
    )
