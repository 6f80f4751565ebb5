"""SQLite storage. All SQL of the project lives in this package, one module per concept.

`connect` opens (and migrates) a database; the other modules take that `Database` and
read or write one kind of record. Callers group writes with `transaction(db)` so a
failure leaves nothing half-written.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlite_utils import Database

from monitor.errors import StorageError
from monitor.storage.schema import migrations

BUSY_TIMEOUT_MS = 30_000


def connect(path: str | Path) -> Database:
    """Open the database at `path` (":memory:" for tests), in WAL mode, fully migrated."""
    try:
        if str(path) != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_MS / 1000, check_same_thread=False)
        db = Database(conn, execute_plugins=False)  # no plugin discovery at every start
        db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        db.execute("PRAGMA foreign_keys = ON")
        if str(path) != ":memory:" and db.journal_mode != "wal":
            db.enable_wal()
        db.execute("PRAGMA synchronous = NORMAL")
        migrations.apply(db)
    except (sqlite3.Error, OSError) as exc:
        raise StorageError(f"cannot open database {path}: {exc}") from exc
    return db


@contextmanager
def transaction(db: Database) -> Iterator[Database]:
    """All or nothing, holding the write lock from the start (`BEGIN IMMEDIATE`).

    A deferred transaction that reads and then writes fails at once with "database is
    locked" when another process committed in between (WAL cannot upgrade a stale
    snapshot); taking the lock first makes it wait its turn under the busy timeout.
    Nested use becomes a savepoint.
    """
    if db.conn.in_transaction:
        with db.atomic():
            yield db
        return
    db.conn.execute("BEGIN IMMEDIATE")
    try:
        yield db
    except BaseException:
        db.conn.rollback()
        raise
    db.conn.execute("COMMIT")
