"""`monitor watch`, `monitor check` and `monitor run` end to end against a local server."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from conftest import Run, Sql
from positions_harness import CENTRAL_BANK, CENTRAL_BANK_PROFILE
from pytest_httpserver import HTTPServer
from test_watch import page, paras
from werkzeug import Request, Response

pytestmark = pytest.mark.backends


@pytest.fixture
def served(httpserver: HTTPServer) -> HTTPServer:
    httpserver.expect_request("/robots.txt").respond_with_data("", status=404)

    def serve(request: Request) -> Response:
        response = Response(page(paras(request.path)), content_type="text/html; charset=utf-8")
        response.set_etag(request.path.strip("/"))
        return response.make_conditional(request)

    httpserver.expect_request(re.compile(r"/a\d")).respond_with_handler(serve)
    return httpserver


def test_watch_add_check_list_pause_rm(monitor: Run, served: HTTPServer) -> None:
    url = served.url_for("/a1")
    assert "as source 1" in monitor("watch", "add", url, "--every", "2h", ok=True).output
    again = monitor("watch", "add", url)
    assert again.exit_code == 1 and "already watched (source 1)" in again.stderr
    bad = monitor("watch", "add", "ftp://127.0.0.1/x")
    assert bad.exit_code == 1 and bad.stderr.startswith("error: ")

    dry = json.loads(monitor("check", "--dry-run", "--json", ok=True).stdout)
    assert dry == [{"source": 1, "url": url, "outcome": "new", "detail": "not stored yet"}]
    first = json.loads(monitor("check", "--json", ok=True).stdout)
    assert [(r["source"], r["outcome"]) for r in first] == [(1, "new")]
    second = json.loads(monitor("check", "--source", "1", "--json", ok=True).stdout)
    assert [r["outcome"] for r in second] == ["not-modified"]

    listed = json.loads(monitor("watch", "list", "--json", ok=True).stdout)
    assert listed[0]["state"] == "active" and listed[0]["every_s"] == 7200
    assert listed[0]["last_change"] is not None and listed[0]["failures"] == 0
    monitor("watch", "pause", "1", ok=True)
    assert json.loads(monitor("check", "--json", ok=True).stdout) == []
    monitor("watch", "resume", "1", ok=True)
    monitor("watch", "rm", "1", ok=True)
    assert json.loads(monitor("watch", "list", "--json", ok=True).stdout) == []
    missing = monitor("check", "--source", "1")
    assert missing.exit_code == 1 and "no source 1" in missing.stderr


def test_daemon_runs_rounds_and_stops_cleanly_on_sigterm(
    tmp_path: Path, monitor: Run, db_url: str, sql: Sql, backend: str, served: HTTPServer
) -> None:
    for path in ("/a1", "/a2"):
        monitor("watch", "add", served.url_for(path), "--every", "1s", ok=True)
    (tmp_path / "monitor.toml").write_text("tick_interval = 0.3\nper_host_delay = 0\n")
    env = {**os.environ, "MONITOR_DB": db_url}
    command = [str(Path(sys.executable).with_name("monitor")), "run"]
    proc = subprocess.Popen(command, cwd=tmp_path, env=env, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and _checked(sql) < 2:
            time.sleep(0.2)
        if backend == "sqlite":  # on PostgreSQL any number of daemons share the work
            second = subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, text=True)
            assert second.returncode == 1 and "another monitor daemon" in second.stderr
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=20)
    finally:
        proc.kill()
    assert proc.returncode == 0, err
    checks = [json.loads(line) for line in err.splitlines() if '"event": "check"' in line]
    assert {c["outcome"] for c in checks if c["url"].endswith("/a1")} >= {"new", "not-modified"}
    assert sql("SELECT COUNT(*) FROM documents") == [(2,)]
    assert sql("SELECT COUNT(*) FROM sources WHERE claimed_by IS NOT NULL") == [(0,)]
    if backend == "sqlite":
        assert sql("PRAGMA integrity_check") == [("ok",)]


def _checked(sql: Sql) -> int:
    """How many rounds the first source has been through (its not-modified means two)."""
    [(outcome,)] = sql("SELECT last_outcome FROM sources WHERE id = 1")
    return {None: 0, "new": 1}.get(outcome, 2)


def test_add_url_fetches_one_page(monitor: Run, served: HTTPServer) -> None:
    url = served.url_for("/a2")
    added = json.loads(monitor("add", url, "--json", ok=True).stdout)
    assert [r["outcome"] for r in added] == ["new"]
    shown = json.loads(monitor("show", url, "--json", ok=True).stdout)
    assert "the page at /a2" in json.dumps(shown)
    refused = monitor("add", served.url_for("/missing"))  # the test server answers 500
    assert refused.exit_code == 1 and "HTTP 500" in refused.output + refused.stderr


def test_watched_pages_are_analysed_with_the_chosen_profile(
    monitor: Run, sql: Sql, httpserver: HTTPServer
) -> None:
    article = (CENTRAL_BANK / "ecb_2023_09.txt").read_text(encoding="utf-8")
    body = "".join(f"<p>{line}</p>" for line in article.splitlines()[1:])
    httpserver.expect_request("/ecb").respond_with_data(
        f"<html><head><title>ECB</title></head><body><article>{body}</article></body></html>",
        content_type="text/html",
    )
    chosen = ("--profile", str(CENTRAL_BANK_PROFILE))
    monitor(*chosen, "watch", "add", httpserver.url_for("/ecb"), "--no-robots", ok=True)
    (row,) = json.loads(monitor(*chosen, "check", "--json", ok=True).stdout)
    assert row["outcome"] == "new"
    # analysed by the round itself, not recomputed later
    [(found,)] = sql("SELECT COUNT(*) FROM positions WHERE actor = 'European Central Bank'")
    assert found
    timelines = json.loads(monitor(*chosen, "positions", "ECB", "--json", ok=True).stdout)
    assert timelines, "the watched ECB page gave no position under the central-bank profile"


def test_a_round_of_304s_loads_no_parser_and_builds_no_engine(
    monitor: Run, served: HTTPServer, db_url: str
) -> None:
    """What keeps a fresh `monitor check` cheap when nothing changed (the all-304 figure
    of benchmarks/bench_watch.py): extraction, feeds, the pipeline and the position engine
    are loaded by the first body that needs them, and a round of 304s has none."""
    for name in ("/a1", "/a2"):
        monitor("watch", "add", served.url_for(name), ok=True)
    monitor("check", ok=True)
    script = (
        "import json, sys\n"
        "from monitor.cli import cli\n"
        f"cli(['--db', {db_url!r}, 'check', '--json'], standalone_mode=False)\n"
        "heavy = {'monitor.extract', 'monitor.feeds', 'monitor.pipeline', 'monitor.positions',"
        " 'trafilatura', 'lxml.html', 'feedparser'}\n"
        "print(json.dumps(sorted(heavy & set(sys.modules))), file=sys.stderr)\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert [r["outcome"] for r in json.loads(done.stdout)] == ["not-modified"] * 2
    assert json.loads(done.stderr.strip().splitlines()[-1]) == []


def test_watch_list_reads_at_80_columns(
    monitor: Run, served: HTTPServer, sql: Sql, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Kind, interval and selector shown; times relative ("3 h ago", "in 59 min"); long
    addresses cut in the middle, host and end kept, never past 80 columns."""
    monkeypatch.setenv("COLUMNS", "80")
    long = served.url_for("/a1") + "?story=" + "hezbollah-says-it-will-not-disarm-" * 3 + "end"
    monitor("watch", "add", served.url_for("/a2"), "--every", "1h", ok=True)
    monitor("watch", "add", long, "--selector", "article .body", ok=True)
    monitor("check", "--source", "1", ok=True)

    lines = monitor("watch", "list", ok=True).stdout.splitlines()
    assert max(len(line) for line in lines) <= 80
    assert lines[0].split() == [
        "id",
        "state",
        "kind",
        "every",
        "checked",
        "changed",
        "next",
        "fails",
    ]
    first = lines[1].split()  # checked just now, next in an hour less the time since
    assert first[:7] == ["1", "active", "page", "1", "h", "now", "now"]
    assert (first[7], first[9], first[10]) == ("in", "min", "0") and int(first[8]) <= 59
    host = served.url_for("/").split("//")[1].rstrip("/")
    assert lines[2].strip() == f"{host}/a2"
    assert lines[3].split()[:9] == [
        "2",
        "active",
        "page",
        "30",
        "min",
        "never",
        "never",
        "due",
        "0",
    ]
    assert lines[4].strip().startswith(f"{host}/") and lines[4].endswith("-disarm-end")
    assert "…" in lines[4]
    assert lines[5].strip() == "selector article .body"

    # as if that check had been three hours ago
    [(checked,)] = sql("SELECT last_check_at FROM sources WHERE id = 1")
    earlier = datetime.fromisoformat(checked) - timedelta(hours=3, minutes=5)
    sql("UPDATE sources SET last_check_at = ? WHERE id = 1", [earlier.isoformat()])
    again = monitor("watch", "list", ok=True).stdout.splitlines()
    assert again[1].split()[5:9] == ["3", "h", "ago", "now"]  # the change was seen just now

    listed = json.loads(monitor("watch", "list", "--json", ok=True).stdout)
    assert [(s["kind"], s["every_s"], s["selector"]) for s in listed] == [
        ("url", 3600, None),
        ("url", 1800, "article .body"),
    ]
