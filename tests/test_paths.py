"""Files go only where the user pointed: reading commands never create a database, writing
commands create one only in a folder that exists, and nothing makes folders on its own."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from conftest import SEEDS

from monitor.cli import cli

READING = [
    ("list",),
    ("show", "1"),
    ("diff",),
    ("diff", "1"),
    ("diff", "--actor", "Hezbollah"),
    ("positions",),
    ("positions", "Hezbollah"),
    ("drift", "Hezbollah", "--from", "2024", "--to", "2025"),
    ("status",),
    ("report", "-o", "{tmp}/report.html"),
    ("watch", "list"),
    ("watch", "pause", "1"),
    ("watch", "resume", "1"),
    ("watch", "rm", "1"),
    ("check", "--dry-run"),
    ("alerts", "list"),
    ("alerts", "pause", "1"),
    ("alerts", "resume", "1"),
    ("alerts", "rm", "1"),
    ("alerts", "retry"),
    ("alerts", "test"),
    ("alerts", "flush"),
    ("gc", "--keep", "1"),
    ("vacuum",),
    ("backup", "{tmp}/copy.db"),
]


def invoke(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args))


def files_under(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


@pytest.mark.parametrize("args", READING, ids=" ".join)
@pytest.mark.parametrize("where", ["missing.db", "typo/monitor.db"])
def test_reading_commands_never_create_a_database(tmp_path: Path, args: tuple, where: str) -> None:
    db = tmp_path / where
    result = invoke("--db", str(db), *(a.format(tmp=tmp_path) for a in args))
    assert result.exit_code == 1
    assert result.stderr == (
        f"error: no database at {db}; run `monitor seed` or `monitor add FILE` to create one\n"
    )
    assert files_under(tmp_path) == []


def test_the_default_database_is_looked_for_where_the_command_runs(tmp_path: Path) -> None:
    env = {"MONITOR_DB": None, "MONITOR_CONFIG": None}
    cwd = os.getcwd()
    os.chdir(tmp_path)
    try:
        listed = CliRunner(env=env).invoke(cli, ["list"])
        assert files_under(tmp_path) == []
        added = CliRunner(env=env).invoke(cli, ["add", "-"], input="Iran said it would wait.\n")
    finally:
        os.chdir(cwd)
    assert (listed.exit_code, listed.stderr) == (
        1,
        "error: no database at db/monitor.db; run `monitor seed` or `monitor add FILE` to "
        "create one\n",
    )
    assert added.exit_code == 0 and added.stderr == "created db/monitor.db\n"
    assert (tmp_path / "db" / "monitor.db").is_file()


@pytest.mark.parametrize(
    "args",
    [
        ("seed", str(SEEDS)),
        ("add", "-"),
        ("watch", "add", "http://127.0.0.1:9/page"),
        ("alerts", "add", "mailto:desk@example.org"),
        ("check",),
    ],
    ids=" ".join,
)
def test_writing_commands_create_the_database_and_say_so_once(tmp_path: Path, args: tuple) -> None:
    db = tmp_path / "new.db"
    first = CliRunner().invoke(cli, ["--db", str(db), *args], input="Iran said it would wait.\n")
    assert first.exit_code == 0, first.output + first.stderr
    assert first.stderr.splitlines()[:1] == [f"created {db}"]
    assert db.is_file()
    again = invoke("--db", str(db), "list")
    assert again.exit_code == 0 and "created" not in again.stderr


def test_a_database_in_a_missing_folder_is_an_error_not_a_new_folder(tmp_path: Path) -> None:
    db = tmp_path / "typo" / "monitor.db"
    result = CliRunner().invoke(cli, ["--db", str(db), "add", "-"], input="Iran said it waits.\n")
    assert (result.exit_code, result.stderr) == (
        1,
        f"error: cannot create database {db}: no folder {db.parent}\n",
    )
    assert files_under(tmp_path) == []


@pytest.mark.parametrize("command", ["actors", "issues"])
def test_profile_commands_need_no_database_and_create_none(tmp_path: Path, command: str) -> None:
    db = tmp_path / "monitor.db"
    result = invoke("--db", str(db), command, "--json")
    assert result.exit_code == 0, result.stderr
    rows = json.loads(result.stdout)
    assert rows and all(row.get("documents", 0) == 0 for row in rows)
    assert files_under(tmp_path) == []


def test_actors_count_what_an_existing_database_holds(tmp_path: Path) -> None:
    db = tmp_path / "monitor.db"
    invoke("--db", str(db), "seed", str(SEEDS))
    rows = json.loads(invoke("--db", str(db), "actors", "--json").stdout)
    assert {r["actor"]: r["documents"] for r in rows}["Hezbollah"] > 0


def test_diff_of_two_files_needs_no_database(tmp_path: Path) -> None:
    old, new = tmp_path / "old.txt", tmp_path / "new.txt"
    old.write_text("Iran said it would wait for the talks.\n")
    new.write_text("Iran said it would not wait for the talks.\n")
    result = invoke("--db", str(tmp_path / "monitor.db"), "diff", str(old), str(new), "--json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["counts"]["changed"] == 1
    assert files_under(tmp_path) == ["new.txt", "old.txt"]


@pytest.mark.parametrize(
    "args", [("backup", "{tmp}/nowhere/x.db"), ("report", "-o", "{tmp}/nowhere/r.html")]
)
def test_files_are_written_only_into_folders_that_exist(tmp_path: Path, args: tuple) -> None:
    db = tmp_path / "monitor.db"
    invoke("--db", str(db), "seed", str(SEEDS))
    before = files_under(tmp_path)
    target = Path(args[-1].format(tmp=tmp_path))
    result = invoke("--db", str(db), *args[:-1], str(target))
    assert result.exit_code == 1
    assert result.stderr.startswith(f"error: cannot write {target}: ")
    assert len(result.stderr.splitlines()) == 1
    assert files_under(tmp_path) == before, "a folder or file appeared"
