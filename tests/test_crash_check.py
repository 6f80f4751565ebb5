"""SIGKILL at random moments during `monitor check` rounds: nothing half-done, nothing stuck.

A killed round leaves its claims behind, naming its process; the next `monitor check`
sees that process is dead and takes them over at once, long before the lease would end.
Kill moments are counted in pages the site has served, not in seconds, so the test means
the same on a fast machine and a loaded one. Every kill is followed by a look at the
database.
"""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
from local_site import ChangingPages, assert_sound, serving

from monitor import watch
from monitor.storage import connect

KILLS = 20
PAGES = 300
LEASE_S = 1800.0  # far longer than the test: claims are taken over because their holder died


class CountingPages(ChangingPages):
    """The changing pages, counting every page served."""

    served = 0
    lock = threading.Lock()

    def do_GET(self) -> None:
        super().do_GET()
        with CountingPages.lock:
            CountingPages.served += 1


@pytest.fixture
def site() -> Iterator[str]:
    CountingPages.served = 0
    with serving(CountingPages) as url:
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


def _wait_until(reached: Callable[[], bool], process: subprocess.Popen[bytes]) -> None:
    """Return once `reached()` holds or the round has ended by itself."""
    deadline = time.monotonic() + 120
    while process.poll() is None and not reached():
        assert time.monotonic() < deadline, "a round made no progress for two minutes"
        time.sleep(0.005)


def _has_documents(db: Path) -> bool:
    conn = sqlite3.connect(db)
    try:
        return bool(conn.execute("SELECT COUNT(*) FROM documents").fetchone()[0])
    finally:
        conn.close()


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
    # The first kill lands as soon as the first pages are stored. Each later round is
    # killed once the site has served a random number of its pages, up to a quarter more
    # than a round asks for, so a few rounds run to their end.
    for number in range(KILLS):
        target = CountingPages.served + chance.randint(1, PAGES + PAGES // 4)
        process = subprocess.Popen(
            command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
        )
        if number == 0:
            _wait_until(lambda: _has_documents(db_path), process)
        else:
            _wait_until(lambda: CountingPages.served >= target, process)  # noqa: B023
        if process.poll() is None:
            process.send_signal(signal.SIGKILL)
        _, stderr = process.communicate(timeout=60)
        assert process.returncode in (-signal.SIGKILL, 0), stderr.decode()[-2000:]
        killed += process.returncode == -signal.SIGKILL
        if process.returncode == 0:
            assert b"being checked" not in stderr, "a dead round's claims blocked this one"
        states.append(_inspect(db_path))
    print(f"after each kill: {states}")

    mid_ingest = [s for s in states if 0 < s.documents < PAGES]
    holding = [s for s in states if s.claimed > 0]
    assert killed >= KILLS // 2, f"only {killed} of {KILLS} rounds were killed"
    assert mid_ingest, f"no kill landed while the first pages were being stored: {states}"
    assert holding, f"no kill landed while a round held its claims: {states}"

    # The last killed round's claims are far from expiry, yet the next round takes them all.
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
