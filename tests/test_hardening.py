"""Hostile and broken input, a full disk and a read-only database: clear errors, nothing lost."""

from __future__ import annotations

import contextlib
import json
import resource
import sqlite3
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import SEEDS, Run
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from local_site import QuietHandler, serving

from monitor import extract
from monitor.errors import ConfigError, ExtractError
from monitor.text import parse_date

_TAGS = st.sampled_from(["p", "div", "article", "script", "style", "b", "svg", "table", "td"])


@st.composite
def _html(draw: st.DrawFn) -> str:
    parts = draw(
        st.lists(
            st.one_of(
                st.text(max_size=40),
                _TAGS.map(lambda t: f"<{t}>"),
                _TAGS.map(lambda t: f"</{t}>"),
                st.just("<!--"),
                st.just("<![CDATA["),
                st.just('<meta property="article:published_time" content="2024-99-99">'),
            ),
            max_size=60,
        )
    )
    return "".join(parts)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=4096))
def test_random_bytes_extract_or_refuse(data: bytes) -> None:
    try:
        document = extract.from_bytes(data)
    except ExtractError as exc:
        assert str(exc) and "\n" not in str(exc)
    else:
        assert document.text.strip()


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_html())
def test_random_html_extract_or_refuse(html: str) -> None:
    try:
        document = extract.from_bytes(("<html><body>" + html).encode(), content_type="text/html")
    except ExtractError:
        return
    assert document.text.strip()


def test_deeply_nested_html(monitor: Run, tmp_path: Path) -> None:
    page = tmp_path / "nested.html"
    body = "Iran said it would not enter the war directly, officials told reporters. " * 3
    page.write_text("<html><body>" + "<div>" * 20_000 + body + "</div>" * 20_000 + "</body></html>")
    result = monitor("add", str(page), "--json")
    (row,) = json.loads(result.stdout)
    assert row["outcome"] in {"new", "error"}
    assert "Traceback" not in result.output


@pytest.mark.parametrize("value", ["2024-13-01", "yesterday", "2024-02-30", "", "07/07/2025"])
def test_invalid_dates_are_config_errors(value: str) -> None:
    with pytest.raises(ConfigError, match="expected YYYY-MM-DD"):
        parse_date(value)


def test_invalid_date_in_json_lines_fails_that_line_only(monitor: Run, tmp_path: Path) -> None:
    lines = tmp_path / "a.jsonl"
    lines.write_text(
        json.dumps({"text": "Hamas spoke.", "date": "2024-02-30"})
        + "\n"
        + json.dumps({"text": "Iran spoke.", "date": "2024-02-03"})
        + "\n"
    )
    rows = json.loads(monitor("add", str(lines), "--json").stdout)
    assert [(r["outcome"], r["detail"]) for r in rows] == [
        ("error", "invalid date '2024-02-30': expected YYYY-MM-DD"),
        ("new", "dated 2024-02-03 (given)"),
    ]


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A real 1 MB file system (tmpfs), so a full disk is a full disk."""
    mount = tmp_path / "disk"
    mount.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(mount)], capture_output=True
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode().strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def _remount(mount: Path, options: str) -> None:
    subprocess.run(["mount", "-o", f"remount,{options}", str(mount)], check=True)


def test_full_disk_is_a_clear_error_and_the_next_run_recovers(
    small_disk: Path, tmp_path: Path
) -> None:
    from click.testing import CliRunner

    from monitor.cli import cli

    db = small_disk / "monitor.db"
    run = CliRunner().invoke
    assert run(cli, ["--db", str(db), "seed", str(SEEDS)]).exit_code == 0
    big = tmp_path / "big"
    big.mkdir()
    for n in range(12):
        words = " ".join(f"w{n}x{i}" for i in range(20_000))
        (big / f"{n}.txt").write_text(f"Statement {n}. {words}.\n")
    result = run(cli, ["--db", str(db), "add", str(big), "--json"])
    outcomes = [r["outcome"] for r in json.loads(result.stdout)]
    assert "error" in outcomes, "the 1 MB disk should have filled up"
    errors = [r["detail"] for r in json.loads(result.stdout) if r["outcome"] == "error"]
    assert all("full" in e and "\n" not in e for e in errors), errors
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        before = conn.execute("SELECT COUNT(*) FROM documents").fetchone()[0]
    _remount(small_disk, "size=16m")
    again = run(cli, ["--db", str(db), "add", str(big), "--json"])
    assert again.exit_code == 0
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT COUNT(*) FROM documents").fetchone()[0] == 5 + 12 > before


def test_read_only_database_is_a_clear_error(small_disk: Path, tmp_path: Path) -> None:
    from click.testing import CliRunner

    from monitor.cli import cli

    _remount(small_disk, "size=16m")
    db = small_disk / "monitor.db"
    run = CliRunner().invoke
    assert run(cli, ["--db", str(db), "seed", str(SEEDS)]).exit_code == 0
    article = tmp_path / "a.txt"
    article.write_text("Iran will not enter the war directly.\n")
    _remount(small_disk, "ro")
    try:
        for args in (["add", str(article)], ["list"], ["status"]):
            result = run(cli, ["--db", str(db), *args])
            assert result.exit_code == 1
            assert (
                result.stderr == f"error: cannot open database {db}: unable to open database file\n"
            )
    finally:
        _remount(small_disk, "rw")
    recovered = run(cli, ["--db", str(db), "add", str(article)])
    assert recovered.exit_code == 0, recovered.output + recovered.stderr
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT COUNT(*) FROM documents").fetchone() == (6,)


class _Endless(QuietHandler):
    """A 100 MB page, streamed a megabyte at a time; stops when the client hangs up."""

    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(100 * 1024 * 1024))
        self.end_headers()
        chunk = b"<p>" + b"x" * (1024 * 1024 - 7) + b"</p>"
        with contextlib.suppress(OSError):
            for _ in range(100):
                self.wfile.write(chunk)


def test_a_100_mb_response_is_cut_at_the_limit_not_loaded() -> None:
    from monitor import fetch
    from monitor.config import Settings

    settings = Settings(max_response_bytes=5 * 1024 * 1024)
    with serving(_Endless) as url, fetch.make_client(settings) as client:
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        fetched = fetch.fetch(client, f"{url}/big", settings=settings)
        grown_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    assert fetched.truncated and len(fetched.content) == 5 * 1024 * 1024
    assert grown_mb < 50, f"memory grew by {grown_mb:.0f} MB for a 5 MB cap"
