"""Scale: three `monitor run` daemons and a `monitor check` on one PostgreSQL database and
a local site of 3,000 pages on a 30-second interval, for about two minutes, one daemon
killed with SIGKILL during the first round (the other two paused meanwhile, so that
`monitor status` is asked while the dead daemon's claims are still there).

What must hold, whatever the machine's speed: no page is ever fetched twice at once;
no page is fetched more often than its interval allows; every page is checked, the
killed daemon's included; `status` shows its claims as stale until another round takes
them over, and nothing it claimed stays claimed; every text-change
event reaches the webhook exactly once under its idempotency key.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from alert_servers import Hook
from conftest import Sql
from daemons import MONITOR, Daemon, stop, wait_for
from local_site import QuietHandler, serving

from monitor.storage import Connection, transaction

pytestmark = [pytest.mark.slow, pytest.mark.parametrize("backend", ["postgresql"], indirect=True)]
PAGES = 3000
INTERVAL = 30
RUN_FOR = 120  # seconds after the first round is complete… or at least this long in all
EDITED = 30  # pages with a new text each interval


class Log:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.fetches: dict[str, list[float]] = defaultdict(list)
        self.in_flight: Counter[str] = Counter()
        self.twice_at_once: list[str] = []
        self.started = time.time()


LOG = Log()


class EditedSite(QuietHandler):
    """`/s/N`: a page with an ETag; the first EDITED pages get a new edition each interval."""

    def do_GET(self) -> None:
        number = int(self.path.rsplit("/", 1)[1])
        edition = int((time.time() - LOG.started) // INTERVAL) if number < EDITED else 0
        tag = f'"{number}-{edition}"'
        with LOG.lock:
            LOG.fetches[self.path].append(time.time())
            LOG.in_flight[self.path] += 1
            if LOG.in_flight[self.path] > 1:
                LOG.twice_at_once.append(self.path)
        try:
            if self.headers.get("If-None-Match") == tag:
                self.send_response(304)
                self.send_header("ETag", tag)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            body = (
                f"<html><head><title>Bulletin {number}</title></head><body><article>"
                f"<p>The port authority said in bulletin {number} that berth {number % 40} "
                f"would reopen, in the edition numbered {edition} of the notice.</p>"
                "</article></body></html>"
            ).encode()
            self.send_response(200)
            self.send_header("ETag", tag)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        finally:
            with LOG.lock:
                LOG.in_flight[self.path] -= 1


@pytest.fixture
def site() -> Iterator[str]:
    LOG.__init__()  # type: ignore[misc]
    with serving(EditedSite) as base:
        yield base


def claims_of(pid: int, env: dict[str, str], cwd: Path) -> list[tuple[int, bool]]:
    """What `monitor status` says of the claims held by process `pid`: (sources, stale)."""
    status = subprocess.run(
        [MONITOR, "status", "--json"], env=env, cwd=cwd, capture_output=True, text=True
    )
    assert status.returncode in (0, 1), status.stderr  # 1: something needs attention
    claims = json.loads(status.stdout)["claims"]
    return [(c["sources"], c["stale"]) for c in claims if c["holder"] == f"pid {pid}"]


def test_three_daemons_and_a_check_on_3000_pages(
    database: Connection, sql: Sql, db_url: str, site: str, hook: Hook, tmp_path: Path
) -> None:
    config = tmp_path / "monitor.toml"
    config.write_text(
        "tick_interval = 1\ncheck_lease = 10\nper_host_concurrency = 4\nper_host_delay = 0\n"
        "alert_backoff = 1\n"
    )
    env = {**os.environ, "MONITOR_DB": db_url, "MONITOR_CONFIG": str(config)}
    now = datetime.now(UTC).isoformat()
    with transaction(database):
        database.executemany(
            "INSERT INTO sources (kind, locator, interval_s, respect_robots, next_check_at, "
            "created_at) VALUES ('url', ?, ?, 0, ?, ?)",
            [(f"{site}/s/{n}", INTERVAL, now, now) for n in range(PAGES)],
        )
    added = subprocess.run(
        [MONITOR, "alerts", "add", hook.url, "--kind", "text-change"], env=env, cwd=tmp_path
    )
    assert added.returncode == 0
    victim, *others = [Daemon(env, tmp_path) for _ in range(3)]
    daemons = [victim, *others]
    try:
        wait_for(lambda: len(victim.checks()) >= 20, "checks by the first daemon")
        for daemon in others:  # paused, so that nobody takes the claims over just yet
            daemon.proc.send_signal(signal.SIGSTOP)
        victim.proc.send_signal(signal.SIGKILL)
        victim.proc.wait(timeout=30)
        pid = victim.proc.pid
        try:
            held = sql("SELECT COUNT(*) FROM sources WHERE claimed_by LIKE ?", [f"%:{pid}:%"])
            shown = claims_of(pid, env, tmp_path)
        finally:
            for daemon in others:
                daemon.proc.send_signal(signal.SIGCONT)
        # `status` names the dead holder's claims, stale, for as long as they are there...
        assert held[0][0] > 0 and shown == [(held[0][0], True)], (held, shown)
        check = subprocess.Popen([MONITOR, "-q", "check"], env=env, cwd=tmp_path)
        # ...until another process's round takes them over.
        wait_for(lambda: not claims_of(pid, env, tmp_path), "the dead daemon's claims released")
        wait_for(
            lambda: sql("SELECT COUNT(*) FROM sources WHERE last_check_at IS NULL") == [(0,)],
            "first check of every page",
            timeout=900,
        )
        first_round_done = time.time()
        time.sleep(max(0.0, LOG.started + RUN_FOR - first_round_done))
        span = time.time() - LOG.started
        assert check.wait(timeout=900) in (0, 1)  # 1: some source failed
    finally:
        stop(others)
        for daemon in daemons:
            daemon.proc.kill()
    flushed = subprocess.run([MONITOR, "alerts", "flush"], env=env, cwd=tmp_path)
    assert flushed.returncode == 0

    assert not LOG.twice_at_once, f"fetched twice at once: {LOG.twice_at_once[:5]}"
    assert len(LOG.fetches) == PAGES  # every page, the killed daemon's included
    # A page is due `INTERVAL` after the start of the round that checked it: however long
    # rounds take, no more than one fetch per interval of the span, plus the first.
    allowed = 2 + int(2 * span / INTERVAL)
    worst = max(LOG.fetches.items(), key=lambda item: len(item[1]))
    assert len(worst[1]) <= allowed, (worst[0], len(worst[1]), allowed)
    assert sql("SELECT COUNT(*) FROM sources WHERE claimed_by LIKE ?", [f"%:{pid}:%"]) == [(0,)]
    keys = Counter(hit.headers["X-Monitor-Delivery"] for hit in hook.hits)
    assert keys and set(keys.values()) == {1}, keys.most_common(3)
    delivered = sql("SELECT idempotency_key FROM deliveries WHERE status = 'delivered'")
    assert {key for (key,) in delivered} == set(keys)
    assert sql("SELECT COUNT(*) FROM deliveries WHERE status != 'delivered'") == [(0,)]
