"""Several `monitor run` daemons on one PostgreSQL database share the work: each due page
is fetched by exactly one of them, the per-host limits (requests at once, and the delay
between their starts) hold across all of them together, and the sources of a daemon
killed mid-round are checked by another once its claims expire."""

from __future__ import annotations

import itertools
import json
import os
import signal
import subprocess
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from conftest import Sql
from daemons import MONITOR, Daemon, stop, wait_for, wait_until_checked
from local_site import QuietHandler, serving

from monitor import fetch, holder
from monitor.config import Settings
from monitor.storage import Connection, hosts, sources
from monitor.watch import SHARED_BATCH, check_round

pytestmark = [pytest.mark.slow, pytest.mark.parametrize("backend", ["postgresql"], indirect=True)]
PER_HOST = 2
FAR_FUTURE = "9999-01-01T00:00:00+00:00"


class Site:
    """What the local site saw: every request's path, and the most at once."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.paths: list[str] = []
        self.arrivals: list[float] = []
        self.in_flight = 0
        self.most = 0
        self.pause = 0.02
        self.held: set[str] = set()  # paths answered only once the gate opens
        self.gate = threading.Event()


SITE = Site()


class CountingPages(QuietHandler):
    def do_GET(self) -> None:
        with SITE.lock:
            SITE.paths.append(self.path)
            SITE.arrivals.append(time.monotonic())
            SITE.in_flight += 1
            SITE.most = max(SITE.most, SITE.in_flight)
        if self.path in SITE.held:
            SITE.gate.wait(timeout=120)
        time.sleep(SITE.pause)
        with SITE.lock:  # before the answer goes out: the client cannot have let go yet
            SITE.in_flight -= 1
        number = self.path.rsplit("/", 1)[-1]
        self.reply(
            f"<html><head><title>Note {number}</title></head><body><article><p>The ministry "
            f"said in note {number} that the border talks would resume on Monday.</p>"
            "</article></body></html>".encode()
        )


@pytest.fixture
def site() -> Iterator[str]:
    SITE.__init__()  # type: ignore[misc]
    with serving(CountingPages) as base:
        yield base


def settings_env(tmp_path: Path, db_url: str, delay: float) -> dict[str, str]:
    config = tmp_path / "monitor.toml"
    config.write_text(
        "tick_interval = 0.3\ncheck_lease = 3\nconcurrency = 4\n"
        f"per_host_concurrency = {PER_HOST}\nper_host_delay = {delay}\n"
    )
    return {**os.environ, "MONITOR_DB": db_url, "MONITOR_CONFIG": str(config)}


@pytest.fixture
def env(tmp_path: Path, db_url: str) -> dict[str, str]:
    return settings_env(tmp_path, db_url, 0.005)


def watch(db: Connection, base: str, count: int) -> None:
    now = datetime.now(UTC)
    for number in range(count):
        sources.add(
            db,
            kind="url",
            locator=f"{base}/n/{number}",
            interval_s=86400,
            now=now,
            respect_robots=False,
        )


def due_group(db: Connection, group: int, size: int = 30) -> None:
    """Let the `group`-th run of `size` sources fall due now."""
    db.execute(
        "UPDATE sources SET next_check_at = ? WHERE (id - 1) / ? = ?",
        [datetime.now(UTC).isoformat(), size, group],
    )


def test_three_daemons_and_a_check_fetch_each_page_once(
    database: Connection, sql: Sql, site: str, env: dict[str, str], tmp_path: Path
) -> None:
    """Three groups of 30 pages, and a group takes at least three seconds to fetch (0.2 s
    a page, two at a time). The first falls due and a daemon takes it; then the second falls
    due and a manual check takes whatever no daemon holds (the third is not due, so only
    the check takes it): while the first daemon is still busy, other processes fetch from
    the one host too. Waiting for the first claim (rather than for a guessed time) makes
    the sharing certain however slow the machine."""
    SITE.pause = 0.2
    watch(database, site, 90)
    database.execute("UPDATE sources SET next_check_at = ?", [FAR_FUTURE])  # none due yet
    daemons = [Daemon(env, tmp_path) for _ in range(3)]
    try:
        wait_for(lambda: all(d.started() for d in daemons), "start of three daemons")
        due_group(database, 0)
        held = (
            "SELECT COUNT(*) FROM sources WHERE id <= 30"
            " AND (claimed_by IS NOT NULL OR last_check_at IS NOT NULL)"
        )
        wait_for(lambda: sql(held) == [(30,)], "claim of the first group by a daemon")
        due_group(database, 1)
        check = subprocess.run(
            [MONITOR, "check", "--json"], env=env, cwd=tmp_path, capture_output=True, text=True
        )
        wait_until_checked(sql, 90)
    finally:
        stop(daemons)
    assert check.returncode == 0, check.stderr
    counts = Counter(SITE.paths)
    assert len(counts) == 90 and set(counts.values()) == {1}, counts.most_common(3)
    checked = [len(d.checks()) for d in daemons] + [len(json.loads(check.stdout))]
    assert sum(checked) == 90  # each source checked by one process only
    assert len([n for n in checked if n]) >= 2, checked  # the work was shared
    assert SITE.most <= PER_HOST, f"{SITE.most} requests at once to one host"
    assert sql("SELECT COUNT(*) FROM documents") == [(90,)]
    assert sql("SELECT COUNT(*) FROM sources WHERE claimed_by IS NOT NULL") == [(0,)]


def test_requests_to_one_host_start_the_delay_apart_whichever_daemon_sends_them(
    database: Connection, sql: Sql, site: str, db_url: str, tmp_path: Path
) -> None:
    """Three groups of four pages at one request per 0.3 s. The site holds the first
    group's answers until a second daemon has claimed the next group (the first is busy
    until then, so another must take it): several daemons fetch from the one host at the
    same time, and their requests still arrive 0.3 s apart (less what the machine's
    scheduling adds; a delay kept by each daemon alone would let two arrive together)."""
    delay = 0.3
    env = settings_env(tmp_path, db_url, delay)
    watch(database, site, 12)
    SITE.held = {f"/n/{number}" for number in range(4)}
    database.execute("UPDATE sources SET next_check_at = ?", [FAR_FUTURE])
    daemons = [Daemon(env, tmp_path) for _ in range(3)]
    claimed = "SELECT COUNT(*) FROM sources WHERE (id - 1) / 4 = ? AND claimed_by IS NOT NULL"
    try:
        wait_for(lambda: all(d.started() for d in daemons), "start of three daemons")
        due_group(database, 0, size=4)
        wait_for(lambda: sql(claimed, [0]) == [(4,)], "claim of the first group")
        due_group(database, 1, size=4)
        wait_for(lambda: sql(claimed, [1]) == [(4,)], "claim of the second group")
        SITE.gate.set()
        due_group(database, 2, size=4)
        wait_until_checked(sql, 12)
    finally:
        SITE.gate.set()
        stop(daemons)
    assert len([d for d in daemons if d.checks()]) >= 2  # the work was shared
    arrivals = sorted(SITE.arrivals)
    gaps = [later - earlier for earlier, later in itertools.pairwise(arrivals)]
    assert len(arrivals) == 12 and min(gaps) >= delay / 2, [round(g, 3) for g in gaps]


def test_a_killed_daemons_sources_are_taken_over_after_its_claims_expire(
    database: Connection, sql: Sql, site: str, env: dict[str, str], tmp_path: Path
) -> None:
    SITE.pause = 0.1
    watch(database, site, 40)
    first = Daemon(env, tmp_path)
    wait_for(lambda: len(SITE.paths) >= 6, "fetch by the first daemon")
    first.proc.send_signal(signal.SIGKILL)
    first.proc.wait(timeout=30)
    seen_before = len(SITE.paths)
    # Its round claimed every source and recorded none yet (results commit in batches).
    assert sql("SELECT COUNT(*) FROM sources WHERE claimed_by IS NOT NULL") == [(40,)]
    second = Daemon(env, tmp_path)
    try:
        wait_until_checked(sql, 40)
    finally:
        stop([second])
    counts = Counter(SITE.paths)
    assert len(counts) == 40  # nothing lost
    assert sum(counts.values()) <= 40 + seen_before + PER_HOST  # repeats: only what it had
    checked = sorted(line["url"] for line in second.checks())
    assert checked == sorted(f"{site}{path}" for path in counts)
    assert sql("SELECT COUNT(*) FROM sources WHERE claimed_by IS NOT NULL") == [(0,)]


def test_a_manual_round_on_a_shared_database_checks_each_source_once(
    database: Connection, site: str, tmp_path: Path
) -> None:
    """More sources than one shared claim takes: a manual round still checks each once."""
    watch(database, site, SHARED_BATCH + 10)
    settings = replace(Settings(), per_host_delay=0, per_host_concurrency=PER_HOST)
    with fetch.make_client(settings) as client:
        results = check_round(database, client, settings, now=datetime.now(UTC), due_only=False)
    assert len(results) == SHARED_BATCH + 10
    assert set(Counter(SITE.paths).values()) == {1} and len(SITE.paths) == SHARED_BATCH + 10


def test_a_daemon_on_a_copied_database_fetches_at_once(
    database: Connection,
    db_url: str,
    site: str,
    sql: Sql,
    postgres_url: Callable[[], str],
    tmp_path: Path,
) -> None:
    """`db copy` leaves the politeness state behind: the source's host slot, held by a live
    process, and its next start booked an hour ahead do not hold up the copy's daemon."""
    watch(database, site, 3)
    now = time.time()
    live = str(holder.new())  # this test's own process: alive, so never taken as dead
    hosts.prepare(database, [urlsplit(site).netloc], PER_HOST)
    for _ in range(PER_HOST):
        hosts.take(database, urlsplit(site).netloc, PER_HOST, live, now, now + 3600)
    hosts.reserve(database, urlsplit(site).netloc, 3600, now)
    target = postgres_url()
    copied = subprocess.run(
        [MONITOR, "db", "copy", db_url, target], capture_output=True, text=True, timeout=120
    )
    assert copied.returncode == 0, copied.stderr
    assert sql("SELECT COUNT(*) FROM host_slots WHERE holder = ?", [live]) == [(PER_HOST,)]
    daemon = Daemon(settings_env(tmp_path, target, 0.005), tmp_path)
    try:
        wait_for(lambda: len(daemon.checks()) == 3, "checks on the copy")
    finally:
        stop([daemon])
    assert sorted(line["outcome"] for line in daemon.checks()) == ["new"] * 3
    assert len(SITE.paths) == 3
