"""The daemon checking 500 local pages while commands use the same database: nothing is lost.

SOAK_SECONDS sets how long the commands loop (20 s here; the README figures use 60).
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from local_site import ChangingPages, serving

from monitor import watch
from monitor.storage import connect

PAGES = 500
SOAK_SECONDS = float(os.environ.get("SOAK_SECONDS", "20"))


class _PagesWithAds(ChangingPages):
    """Changing pages with an advert and a timestamp that change on every request."""

    def footer(self) -> str:
        return f"<aside>Advertisement</aside><footer>Updated {time.time()}</footer>"


@pytest.fixture
def site() -> Iterator[str]:
    with serving(_PagesWithAds) as url:
        yield url


@pytest.mark.slow
def test_daemon_and_commands_share_the_database(site: str, tmp_path: Path) -> None:
    db_path = tmp_path / "monitor.db"
    settings_file = tmp_path / "monitor.toml"
    settings_file.write_text(
        "tick_interval = 1.0\nper_host_delay = 0.0\nper_host_concurrency = 8\nconcurrency = 8\n"
    )
    env = {**os.environ, "MONITOR_CONFIG": str(settings_file), "MONITOR_DB": str(db_path)}
    db = connect(db_path)
    now = datetime.now(UTC)
    for number in range(PAGES):
        watch.add_source(db, f"{site}/p/{number}", now=now, interval_s=5, respect_robots=False)
    db.close()

    monitor = [sys.executable, "-m", "monitor"]
    daemon = subprocess.Popen(
        [*monitor, "run"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    added: list[str] = []
    problems: list[str] = []
    deadline = time.monotonic() + SOAK_SECONDS
    try:
        while time.monotonic() < deadline:
            article = tmp_path / f"added-{len(added)}.txt"
            n = len(added)
            article.write_text(
                f"date 2025-07-{n % 28 + 1:02} Hezbollah statement {n}\n"
                f"Qassem said the group would be ready to discuss its weapons, round {n}.\n"
            )
            for args in (
                ["add", str(article)],
                ["diff", "--actor", "Hezbollah", "--json"],
                ["report", "-o", str(tmp_path / "report.html")],
            ):
                done = subprocess.run([*monitor, *args], env=env, capture_output=True, text=True)
                said = done.stdout[-500:] + done.stderr
                if done.returncode != 0 or "locked" in said:
                    problems.append(f"{args[0]}: {done.returncode} {said.strip()}")
            added.append(article.resolve().as_uri())
    finally:
        daemon.send_signal(signal.SIGTERM)
        _, log = daemon.communicate(timeout=60)

    checks = log.count('"event": "check"')
    print(
        f"\nsoak: {SOAK_SECONDS:.0f} s, {PAGES} pages, {checks} checks by the daemon, "
        f"{len(added)} rounds of add/diff/report, {len(problems)} problems"
    )
    assert problems == []
    said = "\n".join(line for line in log.splitlines() if '"event": "check"' not in line)
    assert daemon.returncode == 0, said[-3000:]
    assert "locked" not in log
    with sqlite3.connect(db_path) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        stored = {row[0] for row in conn.execute("SELECT locator FROM documents")}
        checked = conn.execute(
            "SELECT COUNT(*) FROM sources WHERE last_check_at IS NOT NULL"
        ).fetchone()[0]
    assert set(added) <= stored, "an ingested article is missing"
    assert len(added) >= 3
    assert checked == PAGES, f"only {checked} of {PAGES} pages were checked"
    assert len(stored) >= PAGES + len(added)
