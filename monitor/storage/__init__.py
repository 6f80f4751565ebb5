"""SQLite storage. All SQL of the project lives in this package, one module per concept.

`connect` opens (and migrates) a database; the other modules take that connection and
read or write one kind of record. Callers group writes with `transaction(db)` so a
failure leaves nothing half-written. Outside a transaction every statement commits on
its own (the connection is in autocommit mode), so nothing holds the write lock by
accident.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from monitor.errors import NotFoundError, StorageError
from monitor.storage import schema

BUSY_TIMEOUT_MS = 30_000


def exists(path: str | Path) -> bool:
    """Whether the database file is there (":memory:" always is)."""
    try:
        return str(path) == ":memory:" or Path(path).exists()
    except OSError as exc:  # in a folder this user may not look into
        raise StorageError(f"cannot open database {path}: {exc}") from exc


def connect(path: str | Path, *, create: bool = True) -> sqlite3.Connection:
    """Open the database at `path` (":memory:" for tests), in WAL mode, fully migrated.

    A missing file is created only with `create`, and only in a folder that exists:
    nothing is written where nobody pointed.
    """
    if not exists(path):
        if not create:
            raise NotFoundError(
                f"no database at {path}; run `monitor seed` or `monitor add FILE` to create one"
            )
        if not Path(path).parent.is_dir():
            raise StorageError(f"cannot create database {path}: no folder {Path(path).parent}")
    try:
        db = sqlite3.connect(
            str(path),
            timeout=BUSY_TIMEOUT_MS / 1000,
            check_same_thread=False,
            isolation_level=None,
        )
        db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        db.execute("PRAGMA foreign_keys = ON")
        if str(path) != ":memory:" and db.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
            db.execute("PRAGMA journal_mode = wal")
        db.execute("PRAGMA synchronous = NORMAL")
        if schema.pending(db):
            schema.migrate(db)
    except (sqlite3.Error, OSError) as exc:
        raise StorageError(f"cannot open database {path}: {exc}") from exc
    return db


def query(
    db: sqlite3.Connection, sql: str, params: Sequence[Any] | Mapping[str, Any] = ()
) -> Iterator[dict[str, Any]]:
    """The rows of a SELECT as dicts keyed by column name."""
    cursor = db.execute(sql, params)
    keys = [column[0] for column in cursor.description]
    return (dict(zip(keys, row, strict=True)) for row in cursor)


@contextmanager
def transaction(db: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """All or nothing, holding the write lock from the start (`BEGIN IMMEDIATE`).

    A deferred transaction that reads and then writes fails at once with "database is
    locked" when another process committed in between (WAL cannot upgrade a stale
    snapshot); taking the lock first makes it wait its turn under the busy timeout.
    Nested use becomes a savepoint.
    """
    if db.in_transaction:
        db.execute("SAVEPOINT nested")
        try:
            yield db
        except BaseException:
            if db.in_transaction:  # an error may have ended the whole transaction already
                db.execute("ROLLBACK TO nested")
                db.execute("RELEASE nested")
            raise
        db.execute("RELEASE nested")
        return
    db.execute("BEGIN IMMEDIATE")
    try:
        yield db
    except BaseException:
        db.rollback()
        raise
    db.execute("COMMIT")
