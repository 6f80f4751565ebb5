"""status, gc, vacuum and backup through the CLI on a real database file."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from alert_servers import Hook
from conftest import SEEDS, Run, Sql

pytestmark = pytest.mark.backends


def test_status_is_healthy_then_flags_a_failing_source(monitor: Run, sql: Sql) -> None:
    monitor("seed", str(SEEDS), ok=True)
    figures = json.loads(monitor("status", "--json", "--integrity", ok=True).stdout)
    assert figures["healthy"] is True
    assert (figures["documents"], figures["versions"], figures["integrity"]) == (5, 5, "ok")
    assert figures["database_bytes"] > 0
    sql(
        "INSERT INTO sources (kind, locator, interval_s, next_check_at, created_at,"
        " failing_since, consecutive_failures, last_error) VALUES ('url',"
        " 'http://127.0.0.1:9/a', 60, '2026-01-01', '2026-01-01', '2026-01-01', 3,"
        " 'connection refused')"
    )
    result = monitor("status", "--json")
    assert result.exit_code == 1
    failing = json.loads(result.stdout)["failing_sources"]
    assert failing == [
        {"id": 1, "url": "http://127.0.0.1:9/a", "failures": 3, "error": "connection refused"}
    ]
    assert "needs attention" in monitor("status").stdout


def test_gc_keeps_the_newest_versions(monitor: Run, tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    for n in range(4):
        path.write_text(f"Version {n} of the statement says {n} things.\n")
        monitor("add", str(path), ok=True)
    assert monitor("gc", "--keep", "2", ok=True).stdout == "removed 2 old versions\n"
    shown = json.loads(monitor("show", "1", "--json", ok=True).stdout)
    assert [v["current"] for v in shown["versions"]] == [False, True]
    assert "Version 3" in shown["text"]
    assert monitor("gc", "--keep", "0").exit_code == 2


def test_vacuum_and_backup(monitor: Run, tmp_path: Path) -> None:
    monitor("seed", str(SEEDS), ok=True)
    assert "vacuumed" in monitor("vacuum", ok=True).stdout
    target = tmp_path / "copy.db"
    assert "backed up" in monitor("backup", str(target), ok=True).stdout
    with sqlite3.connect(target) as conn:  # from either backend, a SQLite file
        assert conn.execute("SELECT COUNT(*) FROM documents").fetchone() == (5,)
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        found = conn.execute("SELECT rowid FROM documents_fts WHERE documents_fts MATCH 'retreat'")
        assert found.fetchall() == [(2,)]
    again = monitor("backup", str(target))
    assert again.exit_code == 1
    assert again.stderr == f"error: {target} exists; choose a new file for the backup\n"


def test_gc_never_renumbers_versions(monitor: Run, hook: Hook, tmp_path: Path) -> None:
    """`DOC@N` names the same text before and after gc, and alerts carry those numbers."""
    path = tmp_path / "a.txt"
    texts = [
        f"Officials said the talks would last {n} days, the ministry said.\n" for n in (2, 3, 4)
    ]
    for text in texts:
        path.write_text(text)
        monitor("add", str(path), ok=True)
    before = monitor("diff", "1@2", "1@3", "--json", ok=True).stdout
    assert monitor("gc", "--keep", "2", ok=True).stdout == "removed 1 old version\n"

    shown = json.loads(monitor("show", "1", "--json", ok=True).stdout)
    assert [v["number"] for v in shown["versions"]] == [2, 3]
    assert "id" not in shown["versions"][0]
    assert monitor("diff", "1@2", "1@3", "--json", ok=True).stdout == before
    gone = monitor("diff", "1@1", "1@3")
    assert gone.exit_code == 1
    assert gone.stderr == "error: document 1 has no version '1' (it has 2, 3)\n"

    monitor("alerts", "add", hook.url, "--kind", "text-change", ok=True)
    path.write_text(texts[0].replace("2 days", "5 days"))
    added = monitor("add", str(path), "--json", ok=True)
    assert json.loads(added.stdout)[0]["outcome"] == "changed"
    path.write_text(texts[1])
    assert "back to version 2" in monitor("add", str(path), ok=True).stdout
    monitor("alerts", "flush", ok=True)
    (hit,) = hook.hits
    assert (hit.json["data"]["from_version"], hit.json["data"]["to_version"]) == (3, 4)
    changes = json.loads(monitor("show", "1", "--json", ok=True).stdout)["changes"]
    assert [(c["from"], c["to"], c["kind"]) for c in changes] == [
        (2, 3, "edit"),
        (3, 4, "edit"),
        (4, 2, "revert"),
    ]
