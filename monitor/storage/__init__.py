"""Storage: SQLite (the embedded default) or PostgreSQL. All SQL of the project lives in
this package, one module per concept; `dialect` is the one place the engines differ.

`connect` opens (and migrates) a database; the other modules take that connection and
read or write one kind of record. Callers group writes with `transaction(db)` so a
failure leaves nothing half-written. Outside a transaction every statement commits on
its own (the connection is in autocommit mode), so nothing holds a lock by accident.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from monitor.storage import schema
from monitor.storage.dialect import (
    Connection,
    DatabaseError,
    DatabaseGone,
    IntegrityError,
    Params,
    open_database,
)

__all__ = [
    "Connection",
    "DatabaseError",
    "DatabaseGone",
    "IntegrityError",
    "connect",
    "query",
    "transaction",
]


def connect(path: str | Path) -> Connection:
    """Open the database at `path` (a SQLite file, ":memory:", or a postgresql:// URL),
    fully migrated."""
    db = open_database(path)
    try:
        if schema.pending(db):
            schema.migrate(db)
    except BaseException:
        db.close()
        raise
    return db


def query(db: Connection, sql: str, params: Params = ()) -> Iterator[dict[str, Any]]:
    """The rows of a SELECT as dicts keyed by column name."""
    cursor = db.execute(sql, params)
    keys = [column[0] for column in cursor.description]
    return (dict(zip(keys, row, strict=True)) for row in cursor)


@contextmanager
def transaction(db: Connection) -> Iterator[Connection]:
    """All or nothing; nested use becomes a savepoint (see each dialect's `transaction`)."""
    with db.transaction():
        yield db
