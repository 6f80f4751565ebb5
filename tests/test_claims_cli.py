"""Claims name their holder: a live one is reported, a dead one is taken over at once.

A `monitor check` is held inside a request by a page that answers only when the test
lets it; a second process meanwhile sees the claims, names the holder, and after the
holder is killed takes the sources over without waiting for the 30-minute lease (on
PostgreSQL the dead holder's shared host slot too).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from local_site import QuietHandler, serving

SOURCES = 3
pytestmark = pytest.mark.backends


class HeldPages(QuietHandler):
    """Pages that answer once `release` is set; `asked` is set by the first request."""

    asked = threading.Event()
    release = threading.Event()

    def do_GET(self) -> None:
        if self.path == "/robots.txt":
            self.send_error(404)
            return
        HeldPages.asked.set()
        HeldPages.release.wait(timeout=120)
        body = (
            f"<html><body><article><p>Statement at {self.path}: the union said it would "
            "consider the revised offer at its meeting on Friday.</p></article></body></html>"
        )
        self.reply(body.encode())


@pytest.fixture
def site() -> Iterator[str]:
    HeldPages.asked.clear()
    HeldPages.release.clear()
    with serving(HeldPages) as url:
        yield url
    HeldPages.release.set()


def _monitor(db: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "monitor", "--db", db, *args],
        capture_output=True,
        text=True,
        timeout=120,
        env=_env(),
    )


def _env() -> dict[str, str]:
    return {**os.environ, "MONITOR_CONFIG": str(Path.cwd() / "monitor.toml")}


@pytest.mark.slow
def test_a_killed_check_gives_its_sources_back_at_once(
    site: str, db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = db_url
    monkeypatch.chdir(tmp_path)
    (tmp_path / "monitor.toml").write_text("per_host_delay = 0.0\nretries = 0\n")
    for number in range(SOURCES):
        added = _monitor(db, "watch", "add", f"{site}/p/{number}")
        assert added.returncode == 0, added.stderr
    holder = subprocess.Popen(
        [sys.executable, "-m", "monitor", "--db", db, "check", "--json"],
        env=_env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        assert HeldPages.asked.wait(timeout=120), "the first round never fetched"

        # While it lives: a round says who holds what; one source by id is refused by name.
        skipped = _monitor(db, "check", "--json")
        assert skipped.returncode == 0, skipped.stderr
        assert json.loads(skipped.stdout) == []
        assert f"{SOURCES} sources are being checked by pid {holder.pid} since " in (skipped.stderr)
        one = _monitor(db, "check", "--source", "1")
        assert one.returncode == 1
        assert f"source 1 is being checked by pid {holder.pid} since " in one.stderr
        live = json.loads(_monitor(db, "status", "--json").stdout)
        assert [(c["holder"], c["sources"], c["stale"]) for c in live["claims"]] == [
            (f"pid {holder.pid}", SOURCES, False)
        ]
    finally:
        holder.send_signal(signal.SIGKILL)
        holder.wait(timeout=60)

    # Dead: status calls the claims stale and needs attention...
    stale = _monitor(db, "status", "--json")
    assert stale.returncode == 1
    assert [c["stale"] for c in json.loads(stale.stdout)["claims"]] == [True]
    assert "stale claim" in _monitor(db, "status").stdout

    # ...and the next round checks every source, 30 minutes before the lease would end.
    HeldPages.release.set()
    after = _monitor(db, "check", "--json")
    assert after.returncode == 0, after.stderr
    assert "being checked" not in after.stderr
    assert sorted((r["source"], r["outcome"]) for r in json.loads(after.stdout)) == [
        (n, "new") for n in range(1, SOURCES + 1)
    ]
    healthy = _monitor(db, "status", "--json")
    assert healthy.returncode == 0, healthy.stdout
    assert json.loads(healthy.stdout)["claims"] == []
