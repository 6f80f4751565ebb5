"""Storage: SQLite (the embedded default) or PostgreSQL. All SQL of the project lives in
this package, one module per concept; `dialect` is the one place the engines differ.

`connect` opens (and migrates) a database; the other modules take that connection and
read or write one kind of record. Callers group writes with `transaction(db)` so a
failure leaves nothing half-written. Outside a transaction every statement commits on
its own (the connection is in autocommit mode), so nothing holds a lock by accident.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

from monitor.errors import NotFoundError, StorageError
from monitor.storage import schema
from monitor.storage.dialect import (
    Connection,
    DatabaseError,
    DatabaseGone,
    IntegrityError,
    Params,
    is_postgres,
    open_database,
)

__all__ = [
    "Connection",
    "DatabaseError",
    "DatabaseGone",
    "IntegrityError",
    "connect",
    "exists",
    "query",
    "transaction",
]


def exists(path: str | Path) -> bool:
    """Whether the database is there: a SQLite file (":memory:" always is), or a
    PostgreSQL database, which is made on its server and never by this program."""
    if is_postgres(path):
        return True
    try:
        return str(path) == ":memory:" or Path(path).exists()
    except OSError as exc:  # in a folder this user may not look into
        raise StorageError(f"cannot open database {path}: {exc}") from exc


def connect(path: str | Path, *, create: bool = True) -> Connection:
    """Open the database at `path` (a SQLite file, ":memory:", or a postgresql:// URL),
    fully migrated.

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
        _create(Path(path))
    db = open_database(path)
    try:
        if schema.pending(db):
            schema.migrate(db)
    except BaseException:
        db.close()
        raise
    return db


def _create(path: Path) -> None:
    """Build a new SQLite file fully migrated under a temporary name beside it, then link it
    into place: a file at `path` is always a whole database, even when this process is
    killed while making it. A file another process linked first is kept, ours dropped."""
    building = path.with_name(f".{path.name}.{os.getpid()}.new")
    try:
        building.unlink(missing_ok=True)
        db = open_database(building)
        try:
            schema.migrate(db)
        finally:
            db.close()
        with suppress(FileExistsError):
            os.link(building, path)
    except OSError as exc:
        raise StorageError(f"cannot create database {path}: {exc}") from exc
    finally:
        for leftover in (building, Path(f"{building}-wal"), Path(f"{building}-shm")):
            leftover.unlink(missing_ok=True)


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
