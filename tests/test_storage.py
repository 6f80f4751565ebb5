"""Storage: version text stored compressed, the full-text index follows current texts, and
the migration that compresses an existing database."""

from __future__ import annotations

import json
import sqlite3
import zlib
from pathlib import Path

from conftest import SEEDS, Run
from sqlite_utils import Database

from monitor.storage import connect
from monitor.storage.schema import migrations


def _match(db_path: Path, word: str) -> list[int]:
    with sqlite3.connect(db_path) as conn:
        rows = conn.execute(
            "SELECT rowid FROM documents_fts WHERE documents_fts MATCH ? ORDER BY rowid", [word]
        )
        return [row[0] for row in rows]


def test_version_text_is_compressed(monitor: Run, db_path: Path) -> None:
    monitor("seed", str(SEEDS), ok=True)
    with sqlite3.connect(db_path) as conn:
        (stored,) = conn.execute("SELECT SUM(LENGTH(text_z)) FROM versions").fetchone()
        (blob,) = conn.execute("SELECT text_z FROM versions WHERE document_id = 2").fetchone()
    plain = sum(len(p.read_bytes()) for p in SEEDS.glob("*.txt"))
    assert stored < plain / 2, (stored, plain)
    assert "We will not retreat one step" in zlib.decompress(blob).decode("utf-8")


def test_full_text_index_follows_the_current_version(
    monitor: Run, db_path: Path, tmp_path: Path
) -> None:
    monitor("seed", str(SEEDS), ok=True)
    assert _match(db_path, "retreat") == [2]
    page = tmp_path / "note.txt"
    page.write_text("The envoy arrives on Monday.\n")
    monitor("add", str(page), ok=True)
    page.write_text("The envoy was delayed until Friday.\n")
    monitor("add", str(page), ok=True)
    assert _match(db_path, "delayed") == [6] and _match(db_path, "arrives") == []
    page.write_text("The envoy arrives on Monday.\n")
    assert "reverted" in monitor("add", str(page), ok=True).stdout
    assert _match(db_path, "arrives") == [6] and _match(db_path, "delayed") == []


def test_migration_compresses_an_existing_database(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    old = Database(sqlite3.connect(path))
    migrations().apply(old, stop_before="m005_compressed_versions")
    old.execute(
        "INSERT INTO documents (id, locator, first_seen_at, current_version_id) "
        "VALUES (1, 'seed:a', '2025-01-01', 1)"
    )
    old.execute(
        "INSERT INTO versions (id, document_id, fetched_at, text_hash, text, pipeline_version) "
        "VALUES (1, 1, '2025-01-01', 'h', 'Hezbollah will not retreat one step.', '1')"
    )
    old.conn.commit()
    old.close()
    db = connect(path)
    (blob,) = db.execute("SELECT text_z FROM versions WHERE id = 1").fetchone()
    assert zlib.decompress(blob) == b"Hezbollah will not retreat one step."
    columns = {row[1] for row in db.execute("PRAGMA table_info(versions)")}
    assert "text_z" in columns and "text" not in columns
    assert _match(path, "retreat") == [1]


def test_migration_numbers_the_versions_of_an_existing_database(
    monitor: Run, db_path: Path, tmp_path: Path
) -> None:
    """Versions stored before numbers existed get 1, 2, … per document, in the order they
    came; the next version continues from there."""
    old = Database(sqlite3.connect(db_path))
    migrations().apply(old, stop_before="m007_version_numbers")
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
    old.execute(
        "INSERT INTO documents_fts (rowid, text) VALUES (1, 'Iran spoke on Tuesday.'),"
        " (2, 'Hamas spoke.')"
    )
    old.conn.commit()
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
