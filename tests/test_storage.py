"""Storage on both backends: version text stored compressed, full-text search follows
current texts, migrations from an empty database, from an older schema and from a file
made by release 0.1, under a lock when several processes start at once; database URLs."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
import zlib
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import ROOT, SEEDS, Run, Sql
from postgres_server import PostgresServer

from monitor.cli import cli
from monitor.storage import Connection, connect, schema, search, sources
from monitor.storage.dialect import open_database

pytestmark = pytest.mark.backends
MADE_BY_0_1 = ROOT / "tests" / "data" / "created-by-0.1.db"
STEPS = [step.__name__ for step in schema.MIGRATIONS]


def _found(monitor: Run, *args: str) -> list[int]:
    return [row["id"] for row in json.loads(monitor("search", *args, "--json", ok=True).stdout)]


def _shifts(listed: str) -> list[tuple[object, ...]]:
    """Each shift as who, what, and its two ends (stance and document)."""
    ends = [[s["actor"], s["issue"], s["from"], s["to"]] for s in json.loads(listed)]
    return [
        (actor, issue, old["stance"], old["document"], new["stance"], new["document"])
        for actor, issue, old, new in ends
    ]


def test_version_text_is_compressed(monitor: Run, sql: Sql) -> None:
    monitor("seed", str(SEEDS), ok=True)
    [(stored,)] = sql("SELECT SUM(LENGTH(text_z)) FROM versions")
    [(blob,)] = sql("SELECT text_z FROM versions WHERE document_id = 2")
    plain = sum(len(p.read_bytes()) for p in SEEDS.glob("*.txt"))
    assert stored < plain / 2, (stored, plain)
    assert "We will not retreat one step" in zlib.decompress(blob).decode("utf-8")


def test_search_follows_the_current_version(monitor: Run, tmp_path: Path) -> None:
    monitor("seed", str(SEEDS), ok=True)
    assert _found(monitor, "retreat") == [2]
    assert _found(monitor, "retreat one step") == [2]
    assert _found(monitor, "retreat nowhere-to-be-found") == []
    page = tmp_path / "note.txt"
    page.write_text("The envoy arrives on Monday.\n")
    monitor("add", str(page), "--date", "2025-09-01", ok=True)
    page.write_text("The envoy was delayed until Friday.\n")
    monitor("add", str(page), ok=True)
    assert _found(monitor, "delayed") == [6] and _found(monitor, "arrives") == []
    page.write_text("The envoy arrives on Monday.\n")
    assert "reverted" in monitor("add", str(page), ok=True).stdout
    assert _found(monitor, "ARRIVES") == [6] and _found(monitor, "delayed") == []


def test_search_by_actor_and_date(monitor: Run) -> None:
    monitor("seed", str(SEEDS), ok=True)
    every = _found(monitor, "the")
    assert len(every) == 5
    dates = [r["published_at"] for r in json.loads(monitor("search", "the", "--json").stdout)]
    assert dates == sorted(dates, reverse=True)
    hezbollah = _found(monitor, "the", "--actor", "Qassem")
    assert hezbollah and set(hezbollah) < set(every)
    assert 2 in hezbollah
    since = _found(monitor, "the", "--since", "2025-01-01")
    assert since and set(since) < set(every)
    text = monitor("search", "retreat", ok=True)
    assert text.stdout.startswith("2\t") and "1 document" in text.stderr
    bad = monitor("search", "the", "--actor", "Nobody At All")
    assert bad.exit_code != 0 and "no actor" in bad.stderr


def test_migrations_from_an_empty_database_are_recorded(db_url: str, sql: Sql) -> None:
    connect(db_url).close()
    assert [name for (name,) in sql("SELECT name FROM schema_migrations ORDER BY name")] == STEPS
    connect(db_url).close()  # an up-to-date database: nothing applied twice
    assert sql("SELECT COUNT(*) FROM schema_migrations") == [(len(STEPS),)]


def test_migration_compresses_an_existing_database(db_url: str, monitor: Run) -> None:
    old = open_database(db_url)
    assert schema.migrate(old, stop_before="m005_compressed_versions") == STEPS[:4]
    old.execute(
        "INSERT INTO documents (id, locator, first_seen_at, current_version_id) "
        "VALUES (1, 'seed:a', '2025-01-01', 1)"
    )
    old.execute(
        "INSERT INTO versions (id, document_id, fetched_at, text_hash, text, pipeline_version) "
        "VALUES (1, 1, '2025-01-01', 'h', 'Hezbollah will not retreat one step.', '1')"
    )
    old.close()
    db = connect(db_url)
    (blob,) = db.execute("SELECT text_z FROM versions WHERE id = 1").fetchone()
    assert zlib.decompress(blob) == b"Hezbollah will not retreat one step."
    assert db.execute("SELECT * FROM versions").description is not None
    columns = [column[0] for column in db.execute("SELECT * FROM versions").description]
    assert "text_z" in columns and "text" not in columns
    db.close()
    assert _found(monitor, "retreat") == [1]


def test_a_file_made_by_release_0_1_is_migrated_and_kept(
    backend: str, tmp_path: Path, db_url: str, monitor: Run
) -> None:
    if backend == "postgresql":  # the same file, copied into PostgreSQL and read back
        path = tmp_path / "old.db"
        shutil.copy(MADE_BY_0_1, path)
        copied = monitor("db", "copy", str(path), db_url)
        assert copied.exit_code == 0, copied.output + copied.stderr
    else:
        shutil.copy(MADE_BY_0_1, db_url)
    docs = json.loads(monitor("list", "--json", ok=True).stdout)
    assert len(docs) == 5
    assert _found(monitor, "retreat") == [2]
    # Analysed by today's engine as the same articles seeded into a new database are.
    fresh = CliRunner().invoke(cli, ["--db", str(tmp_path / "fresh.db"), "seed", str(SEEDS)])
    assert fresh.exit_code == 0, fresh.stderr
    seeded = CliRunner().invoke(cli, ["--db", str(tmp_path / "fresh.db"), "diff", "--json"])
    assert _shifts(monitor("diff", "--json", ok=True).stdout) == _shifts(seeded.stdout) != []
    assert json.loads(monitor("watch", "list", "--json", ok=True).stdout)[0]["id"] == 1
    assert json.loads(monitor("alerts", "list", "--json", ok=True).stdout)[0]["id"] == 1
    added = monitor("watch", "add", "http://127.0.0.1:9/other", ok=True)
    assert "source 2" in added.stdout  # ids go on after the copied ones


def test_processes_starting_together_migrate_once(db_url: str, sql: Sql) -> None:
    env = {**os.environ, "MONITOR_DB": db_url}
    starters = [
        subprocess.Popen(
            [sys.executable, "-m", "monitor", "--quiet", "check", "--json"],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(4)
    ]
    outcomes = [(p.wait(timeout=120), p.stdout, p.stderr) for p in starters]
    for code, out, err in outcomes:
        assert code == 0, err.read() if err else ""
        assert out is not None and json.loads(out.read()) == []
    assert [name for (name,) in sql("SELECT name FROM schema_migrations ORDER BY name")] == STEPS


def test_postgres_sessions_price_index_reads_as_cached_unless_the_url_says_otherwise(
    postgres_url: Callable[[], str],
) -> None:
    url = postgres_url()
    db = connect(url)
    assert db.execute("SHOW random_page_cost").fetchone()[0] == "1.1"
    assert db.execute("SHOW TimeZone").fetchone()[0] == "UTC"
    db.close()
    own = connect(url.replace("options=", "options=-c%20random_page_cost%3D2%20", 1))
    assert own.execute("SHOW random_page_cost").fetchone()[0] == "2"
    own.close()


def test_unsupported_urls_and_unreachable_servers_are_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from click.testing import CliRunner

    from monitor.cli import cli

    monkeypatch.chdir(tmp_path)
    for url in ("mysql://user:pw@127.0.0.1/monitor", "foo:bar"):
        result = CliRunner().invoke(cli, ["--db", url, "list"])
        assert result.exit_code != 0
        assert result.stderr.count("\n") == 1 and "unsupported database" in result.stderr
        assert "pw" not in result.stderr
    monkeypatch.setenv("MONITOR_DB", "mysql://127.0.0.1/monitor")
    assert "unsupported database mysql" in CliRunner().invoke(cli, ["list"]).stderr
    monkeypatch.delenv("MONITOR_DB")
    down = CliRunner().invoke(cli, ["--db", "postgresql://desk:s3cret@127.0.0.1:1/news", "list"])
    assert down.exit_code != 0 and down.stderr.count("\n") == 1, down.stderr
    assert "127.0.0.1:1/news" in down.stderr and "s3cret" not in down.stderr
    assert list(tmp_path.iterdir()) == []  # no file or folder made for any of them


def test_a_database_missing_on_a_live_server_is_one_line_and_never_created(
    postgres: PostgresServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from click.testing import CliRunner

    from monitor.cli import cli

    monkeypatch.chdir(tmp_path)
    url = f"postgresql://postgres:s3cret@127.0.0.1:{postgres.port}/nosuch"
    for args in (["list"], ["add", "-"]):  # a reading and a writing command alike
        result = CliRunner().invoke(cli, ["--db", url, *args], input="Talks resume.\n")
        assert result.exit_code == 1 and result.stderr.count("\n") == 1, result.stderr
        assert f"127.0.0.1:{postgres.port}/nosuch" in result.stderr
        assert "does not exist" in result.stderr and "s3cret" not in result.stderr
        assert "created" not in result.stderr
    assert list(tmp_path.iterdir()) == []


@pytest.mark.slow
def test_a_server_going_away_mid_command_is_one_line_and_leaves_nothing_half_written(
    tmp_path: Path,
) -> None:
    """Its own server, stopped at once while `monitor add` stores 400 articles."""
    server = PostgresServer.start()
    try:
        url = server.url()
        batch = tmp_path / "batch"
        batch.mkdir()
        for number in range(400):
            (batch / f"{number:03}.txt").write_text(
                f"The ministry said in statement {number} that talks resume on Monday.\n"
            )
        env = {**os.environ, "MONITOR_DB": url}
        adding = subprocess.Popen(
            [sys.executable, "-m", "monitor", "add", str(batch), "--json"],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        db = open_database(url)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if db.table_exists("documents"):
                (stored,) = db.execute("SELECT COUNT(*) FROM documents").fetchone()
                if stored >= 20:
                    break
            time.sleep(0.05)
        db.close()
        server.halt()
        _, err = adding.communicate(timeout=120)
        assert adding.returncode != 0
        assert err.count("\n") == 1 and "Traceback" not in err, err
        assert f"127.0.0.1:{server.port}/monitor" in err
        server.resume()
        db = connect(url)
        (orphans,) = db.execute(
            "SELECT COUNT(*) FROM documents d WHERE NOT EXISTS (SELECT 1 FROM versions v "
            "WHERE v.id = d.current_version_id AND v.document_id = d.id)"
        ).fetchone()
        assert orphans == 0, "a document without its current version"
        db.close()
        again = subprocess.run(
            [sys.executable, "-m", "monitor", "add", str(batch), "--json"],
            env=env,
            capture_output=True,
            text=True,
        )
        assert again.returncode == 0, again.stderr
        db = connect(url)
        assert db.execute("SELECT COUNT(*), COUNT(DISTINCT locator) FROM documents").fetchone() == (
            400,
            400,
        )
        db.close()
    finally:
        server.stop()


def test_migration_numbers_the_versions_of_an_existing_database(
    monitor: Run, db_url: str, tmp_path: Path
) -> None:
    """Versions stored before numbers existed get 1, 2, … per document, in the order they
    came; the next version continues from there."""
    old = open_database(db_url)
    schema.migrate(old, stop_before="m007_version_numbers")
    page = tmp_path / "a.txt"
    old.execute(
        "INSERT INTO documents (id, locator, first_seen_at, current_version_id) "
        "VALUES (1, ?, '2025-01-01', 3), (2, 'seed:b', '2025-01-01', 2)",
        [page.resolve().as_uri()],
    )
    for version_id, document_id, text in (
        (1, 1, "Iran spoke on Monday."),
        (2, 2, "Hamas spoke."),
        (3, 1, "Iran spoke on Tuesday."),
    ):
        old.execute(
            "INSERT INTO versions (id, document_id, fetched_at, text_hash, text_z,"
            " pipeline_version) VALUES (?, ?, '2025-01-01', ?, ?, '1')",
            [version_id, document_id, f"h{version_id}", zlib.compress(text.encode())],
        )
    search.index(old, 1, "Iran spoke on Tuesday.")
    search.index(old, 2, "Hamas spoke.")
    for table in ("documents", "versions"):
        old.next_id_after_copy(table)
    old.close()

    shown = json.loads(monitor("show", "1", "--json", ok=True).stdout)
    assert [v["number"] for v in shown["versions"]] == [1, 2]
    assert "Monday" in monitor("diff", "1@1", "1@2", ok=True).stdout
    page.write_text("Iran spoke on Wednesday.\n")
    monitor("add", str(page), ok=True)
    shown = json.loads(monitor("show", "1", "--json", ok=True).stdout)
    assert [v["number"] for v in shown["versions"]] == [1, 2, 3]
    monitor("gc", "--keep", "1", ok=True)  # the numbers are stored now, not counted
    shown = json.loads(monitor("show", "1", "--json", ok=True).stdout)
    assert [v["number"] for v in shown["versions"]] == [3]
    assert [v["number"] for v in json.loads(monitor("show", "2", "--json").stdout)["versions"]] == [
        1
    ]


def test_migration_moves_a_stored_selector_into_the_filters(db_url: str, sql: Sql) -> None:
    old = open_database(db_url)
    schema.migrate(old, stop_before="m008_watch_settings")
    old.execute(
        "INSERT INTO sources (kind, locator, interval_s, selector, next_check_at, created_at) "
        "VALUES ('url', 'https://example.org/a', 60, 'article .body', '2025-01-01', '2025-01-01'), "
        "('url', 'https://example.org/b', 60, NULL, '2025-01-01', '2025-01-01')"
    )
    old.close()
    connect(db_url).close()
    rows = sql("SELECT filters, tags, browser FROM sources ORDER BY id")
    assert [(json.loads(f), t, b) for f, t, b in rows] == [
        ([{"css": "article .body"}], "[]", 0),
        ([], "[]", 0),
    ]
    db = open_database(db_url)
    columns = [c[0] for c in db.execute("SELECT * FROM sources").description]
    db.close()
    assert "selector" not in columns and "claimed_at" in columns


# Timestamps as the writers before `m011_timestamps` spelled them: `isoformat()` (no
# fraction on a whole second) and the alerts' `stamp()` (always six digits).
WRITTEN = {
    "sources": ("2025-07-07T12:00:00.250000+00:00", "2025-07-07T12:00:00+00:00"),
    "events": ("2025-07-07T12:00:00.000000+00:00",),
}


def test_timestamps_of_an_existing_database_are_typed_and_read_back_the_same(
    db_url: str, backend: str, postgres_url: Callable[[], str], tmp_path: Path
) -> None:
    """A database as today's writers left it (text timestamps) is migrated: PostgreSQL's
    columns become timestamptz, every caller still reads the same ISO text (the one
    spelling of each moment), claims still compare moments, and `db copy` takes it to
    the other engine and back with counts and content hashes matching."""
    old = open_database(db_url)
    schema.migrate(old, stop_before="m011_timestamps")
    claimed, created = WRITTEN["sources"]
    old.execute(
        "INSERT INTO sources (kind, locator, interval_s, next_check_at, claimed_by, "
        "claimed_until, claimed_at, created_at) VALUES ('url', 'https://example.org/a', 60, "
        "?, 'host:1:2:t', ?, ?, ?)",
        [created, claimed, created, created],
    )
    old.execute(
        "INSERT INTO events (kind, key, payload, created_at) VALUES ('shift', 'k', '{}', ?)",
        [WRITTEN["events"][0]],
    )
    old.close()

    db = connect(db_url)
    row = db.execute(
        "SELECT next_check_at, claimed_until, claimed_at, created_at, last_check_at FROM sources"
    ).fetchone()
    assert tuple(row) == (created, claimed, created, created, None)
    assert db.execute("SELECT created_at FROM events").fetchone()[0] == (
        "2025-07-07T12:00:00.000000+00:00" if backend == "sqlite" else "2025-07-07T12:00:00+00:00"
    )
    if backend == "postgresql":
        types = db.execute(
            "SELECT DISTINCT data_type FROM information_schema.columns "
            "WHERE table_schema = current_schema() AND column_name IN "
            "('next_check_at', 'claimed_until', 'created_at', 'detected_at', 'fetched_at')"
        ).fetchall()
        assert types == [("timestamp with time zone",)]
    # Compared as moments: claimed until 12:00:00.25, so free from then on, not before.
    early = datetime(2025, 7, 7, 12, 0, 0, 100000, tzinfo=UTC)
    late = datetime(2025, 7, 7, 12, 0, 1, tzinfo=UTC)
    assert sources.select(db, now=early, due_only=True, limit=5) == []
    assert [r["id"] for r in sources.select(db, now=late, due_only=True, limit=5)] == [1]
    db.close()

    there = str(tmp_path / "there.db") if backend == "postgresql" else postgres_url()
    back = postgres_url() if backend == "postgresql" else str(tmp_path / "back.db")
    for source, target in ((db_url, there), (there, back)):
        copied = CliRunner().invoke(cli, ["db", "copy", source, target])
        assert copied.exit_code == 0, copied.output + copied.stderr
        assert "counts and content hashes match" in copied.stdout
    again = connect(back)
    assert tuple(again.execute("SELECT claimed_until, created_at FROM sources").fetchone()) == (
        claimed,
        created,
    )
    again.close()


def test_db_copy_never_creates_its_source_and_says_when_it_creates_its_target(
    db_url: str, monitor: Run, tmp_path: Path
) -> None:
    missing, target = tmp_path / "nope.db", tmp_path / "copy.db"
    refused = monitor("db", "copy", str(missing), str(target))
    assert refused.exit_code == 1 and refused.stderr.startswith("error: no database at "), (
        refused.stderr
    )
    assert not missing.exists() and not target.exists()
    monitor("seed", str(SEEDS), ok=True)
    copied = monitor("db", "copy", db_url, str(target), ok=True)
    assert copied.stderr == f"created {target}\n" and "counts and content hashes match" in (
        copied.stdout
    )
    copy = connect(target, create=False)
    assert tuple(copy.execute("SELECT COUNT(*) FROM documents").fetchone()) == (5,)
    copy.close()


def test_one_search_lists_newest_first_or_best_match_first_with_the_text(
    monitor: Run, database: Connection, tmp_path: Path
) -> None:
    """What `monitor search` and the web search page both call, on either engine."""
    often, once = tmp_path / "often.txt", tmp_path / "once.txt"
    often.write_text("Talks resume. The talks, the envoy said, are talks about the border.\n")
    once.write_text("The envoy said talks could resume later in the month.\n")
    monitor("add", str(often), "--date", "2025-03-01", ok=True)
    monitor("add", str(once), "--date", "2025-04-01", ok=True)
    assert [r["id"] for r in search.search(database, "talks")] == [2, 1]
    best = search.search(database, "talks", best_first=True, with_text=True)
    assert [r["id"] for r in best] == [1, 2]
    assert (
        best[0]["text"].startswith("Talks resume.")
        and "text" not in search.search(database, "talks")[0]
    )
    assert search.search(database, "talks border", best_first=True) != []
    assert search.search(database, "talks nowhere", best_first=True, with_text=True) == []
