"""The command line's conventions, the same in every command: one-line errors, one rule for
exit codes (0 all fine, 1 something failed, 2 usage), compact JSON on a pipe, plain wording."""

from __future__ import annotations

import json
import os
import pty
import re
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path

import pytest
from alert_servers import Hook
from conftest import Run
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

STORY = (
    "Officials in Beirut said on Monday that talks with the envoy would resume next week. "
    "The envoy is expected to meet the speaker of parliament on Tuesday.\n"
)


@pytest.mark.parametrize(
    ("args", "line"),
    [
        (["add", "--frobnicate"], "error: no such option '--frobnicate' (see monitor add --help)"),
        (["watch", "add"], "error: missing argument 'URL' (see monitor watch add --help)"),
        (["frob"], "error: no such command 'frob' (see monitor --help)"),
        (
            ["diff", "1", "2", "3"],
            "error: diff takes at most two documents (see monitor diff --help)",
        ),
        (
            ["gc", "--keep", "0"],
            "error: invalid value for '--keep': 0 is not in the range x>=1 (see monitor gc --help)",
        ),
    ],
)
def test_usage_errors_are_one_line_and_exit_2(monitor: Run, args: list[str], line: str) -> None:
    result = monitor(*args)
    assert result.exit_code == 2
    assert result.stderr == line + "\n"
    assert result.stdout == ""


def test_usage_rule_is_the_one_the_readme_states() -> None:
    readme = (Path(__file__).parent.parent / "README.md").read_text("utf-8")
    assert "error: no such option '--frobnicate' (see monitor add --help)" in readme
    assert "`0` when everything worked, `1` when\nsomething failed" in readme


def test_add_with_one_bad_file_stores_the_good_ones_and_exits_1(
    monitor: Run, tmp_path: Path
) -> None:
    good, bad = tmp_path / "good.txt", tmp_path / "empty.txt"
    good.write_text(STORY)
    bad.write_bytes(b"")
    result = monitor("add", str(good), str(bad), "--date", "2025-07-01")
    assert result.exit_code == 1
    assert "1 new, 1 error" in result.stdout
    (stored,) = json.loads(monitor("list", "--json", ok=True).stdout)
    assert stored["locator"] == good.resolve().as_uri()


def test_check_with_two_failing_sources_of_six_exits_1(
    monitor: Run, httpserver: HTTPServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "monitor.toml"
    config.write_text("per_host_delay = 0.0\n")  # one host: no need to wait between pages
    monkeypatch.setenv("MONITOR_CONFIG", str(config))
    httpserver.expect_request("/robots.txt").respond_with_data("", status=404)
    httpserver.expect_request("/ok").respond_with_data(
        f"<html><body><article><p>{STORY}</p></article></body></html>", content_type="text/html"
    )
    httpserver.expect_request("/gone").respond_with_data("gone", status=404)
    for path in ("/ok", "/gone", "/ok?b", "/ok?c", "/gone?b", "/ok?d"):
        monitor("watch", "add", httpserver.url_for(path), ok=True)
    result = monitor("check", "--json")
    outcomes = sorted(r["outcome"] for r in json.loads(result.stdout))
    assert outcomes.count("error") == 2 and len(outcomes) == 6
    assert result.exit_code == 1
    assert monitor("check").exit_code == 1  # the same rule for the lines a person reads


def test_diff_json_is_one_compact_line_when_piped(monitor: Run, tmp_path: Path) -> None:
    old, new = tmp_path / "old.txt", tmp_path / "new.txt"
    old.write_text(STORY)
    new.write_text(STORY.replace("next week", "on Friday"))
    result = monitor("diff", str(old), str(new), "--json", ok=True)
    assert result.stdout.count("\n") == 1 and result.stdout.startswith('{"old": ')
    assert json.loads(result.stdout)["summary"] == "1 changed"


def test_counts_agree_with_their_nouns(
    monitor: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    old, new = tmp_path / "old.txt", tmp_path / "new.txt"
    old.write_text(STORY + "Updated 5 minutes ago\n")
    new.write_text(STORY.replace("next week", "on Friday") + "Updated 9 minutes ago\n")
    assert (
        "1 changed · significance 0.50 · 1 noise edit ignored"
        in monitor("diff", str(old), str(new), ok=True).stdout
    )
    config = tmp_path / "monitor.toml"
    config.write_text('concurrency = "many"\n')
    monkeypatch.setenv("MONITOR_CONFIG", str(config))
    result = monitor("list")
    assert "concurrency must be a whole number" in result.stderr


def test_check_on_a_terminal_prints_each_outcome_as_it_completes(
    db_path: Path, tmp_path: Path, httpserver: HTTPServer
) -> None:
    """The second page is answered only once the first outcome is on the screen: a round
    that printed everything at the end would leave the second page waiting for it."""
    released, seen_released = threading.Event(), []

    def slow(_request: Request) -> Response:
        seen_released.append(released.wait(timeout=120))
        return Response(f"<html><body><p>{STORY}</p></body></html>", content_type="text/html")

    httpserver.expect_request("/robots.txt").respond_with_data("", status=404)
    httpserver.expect_request("/fast").respond_with_data(
        f"<html><body><p>{STORY} It was the first.</p></body></html>", content_type="text/html"
    )
    httpserver.expect_request("/slow").respond_with_handler(slow)
    config = tmp_path / "monitor.toml"
    config.write_text("per_host_delay = 0.0\n")
    env = {**os.environ, "MONITOR_CONFIG": str(config), "COLUMNS": "200", "TERM": "xterm"}
    base = [sys.executable, "-m", "monitor", "--db", str(db_path)]
    for path in ("/fast", "/slow"):
        subprocess.run([*base, "watch", "add", httpserver.url_for(path)], env=env, check=True)

    screen = _run_on_a_terminal([*base, "check"], env, until="/fast", then=released.set)

    assert seen_released == [True]
    lines = [line.split() for line in re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", screen).splitlines()]
    outcomes = [(words[1], words[2].rsplit("/")[-1]) for words in lines if "new" in words]
    assert outcomes == [("new", "fast"), ("new", "slow")], screen
    assert "checking" in screen  # the progress line, gone from the screen at the end


def _run_on_a_terminal(
    args: list[str], env: dict[str, str], *, until: str, then: Callable[[], None]
) -> str:
    """Run a command with a pseudo-terminal as its stdout; call `then` once `until` shows."""
    main, child = pty.openpty()
    process = subprocess.Popen(args, stdout=child, stderr=subprocess.PIPE, env=env)
    os.close(child)
    screen = b""
    while True:
        try:
            chunk = os.read(main, 4096)
        except OSError:  # the command exited and closed the terminal
            break
        if not chunk:
            break
        screen += chunk
        if until.encode() in screen:
            then()
    os.close(main)
    assert process.wait() == 0, process.stderr.read() if process.stderr else ""
    return screen.decode("utf-8", "replace")


def test_documents_are_named_as_a_user_types_them(
    monitor: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A plain path names the document stored from that file; two unstored files are still
    diffed as files."""
    article = tmp_path / "article.html"
    article.write_text(f"<html><body><p>{STORY}</p></body></html>")
    monitor("add", str(article), "--date", "2025-07-01", ok=True)
    article.write_text(f"<html><body><p>{STORY.replace('next week', 'on Friday')}</p></body>")
    monitor("add", str(article), ok=True)

    assert json.loads(monitor("show", str(article), "--json", ok=True).stdout)["id"] == 1
    monkeypatch.chdir(tmp_path)
    assert json.loads(monitor("show", "article.html", "--json", ok=True).stdout)["id"] == 1
    latest = monitor("diff", "article.html", ok=True).stdout
    assert "[-next week-]{+on Friday+}" in latest

    a, b = tmp_path / "a.txt", tmp_path / "b.txt"
    a.write_text(STORY)
    b.write_text(STORY.replace("Tuesday", "Wednesday"))
    assert "[-Tuesday-]{+Wednesday+}" in monitor("diff", "a.txt", "b.txt", ok=True).stdout
    alone = monitor("diff", "a.txt")
    assert alone.exit_code == 1
    assert alone.stderr == (
        "error: a.txt is not stored: `monitor add a.txt` first, or give two files to compare\n"
    )


def test_flush_with_a_refused_delivery_exits_1(monitor: Run, hook: Hook, tmp_path: Path) -> None:
    monitor("alerts", "add", hook.url, "--kind", "text-change", ok=True)
    article = tmp_path / "a.txt"
    article.write_text(STORY)
    monitor("add", str(article), "--date", "2025-07-01", ok=True)
    article.write_text(STORY.replace("next week", "on Friday"))
    monitor("add", str(article), ok=True)
    hook.script = [(404, {})]
    result = monitor("alerts", "flush")
    assert result.exit_code == 1
    assert "failed" in result.stdout.splitlines()[0] and "1 event" in result.stdout
    assert result.stdout.splitlines()[-1] == "0 delivered, 0 retry, 1 failed, 0 dead"
