"""`monitor db copy`: a whole database from one backend to the other, ids preserved.

Rows are copied table by table, parents before children, in one transaction on the
target; the full-text index is rebuilt there from the current texts rather than copied
(the two engines keep it differently). At the end each table's row count and a hash of
its content, read back from both sides, must agree.

`hosts` and `host_slots` are left out: they are the running daemons' politeness state
(booked start times, request slots named by live processes of the source's machines),
which would hold up the target's daemons until it expired; the target's daemons make
their own.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from monitor.errors import StorageError
from monitor.storage import Connection, documents, schema, search, transaction

# Parents before children (sources before the documents they produced, and so on).
TABLES = (
    "sources",
    "documents",
    "versions",
    "text_changes",
    "claims",
    "positions",
    "shifts",
    "events",
    "channels",
    "deliveries",
    "meta",
)
BATCH = 1000


@dataclass
class Copied:
    rows: dict[str, int]


def copy(source: Connection, target: Connection, *, force: bool) -> Copied:
    """Copy every row of `source` into `target`; refuse a target holding data unless
    `force`, which empties it first. StorageError when the check at the end disagrees."""
    held = {table: _count(target, table) for table in TABLES}
    if any(held.values()) and not force:
        filled = ", ".join(f"{n} {t}" for t, n in held.items() if n)
        raise StorageError(f"{target.name} is not empty ({filled}); add --force to replace it")
    with source.snapshot():  # one consistent state of the source, read and checked
        with transaction(target):
            for table in reversed(TABLES):
                target.execute(f"DELETE FROM {table}")
            search.clear(target)
            for table in TABLES:
                if "id" in _copy_table(source, target, table):
                    target.next_id_after_copy(table)
            for row in source.execute(
                "SELECT d.id, v.text_z FROM documents d "
                "JOIN versions v ON v.id = d.current_version_id"
            ):
                search.index(target, row[0], documents.unpack(row[1]))
        target.execute("ANALYZE")  # planner statistics for the new rows, on both engines
        rows = {}
        for table in TABLES:
            mine, theirs = _fingerprint(source, table), _fingerprint(target, table)
            if mine != theirs:
                found = f"{mine[0]} rows against {theirs[0]}" if mine[0] != theirs[0] else "content"
                raise StorageError(f"copy check failed on {table}: {found} differ in {target.name}")
            rows[table] = mine[0]
    return Copied(rows)


def _count(db: Connection, table: str) -> int:
    return int(db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0])


def _copy_table(source: Connection, target: Connection, table: str) -> list[str]:
    """Copy the rows; the table's columns."""
    cursor = source.execute(f"SELECT * FROM {table} ORDER BY 1")
    columns = [column[0] for column in cursor.description]
    insert = (
        f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' for _ in columns)})"
    )
    for batch in _batches(cursor):
        target.executemany(insert, batch)
    return columns


def _batches(cursor: Any) -> Iterator[list[Any]]:
    batch = []
    for row in cursor:
        batch.append(tuple(row))
        if len(batch) == BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def _fingerprint(db: Connection, table: str) -> tuple[int, str]:
    """Row count and a sha256 over every value of every row, in key order. A timestamp
    counts as the moment it names: SQLite keeps the text it was given, PostgreSQL a
    `timestamptz` that reads back in one spelling."""
    digest = hashlib.sha256()
    count = 0
    cursor = db.execute(f"SELECT * FROM {table} ORDER BY 1")
    moments = set(schema.TIMESTAMPS.get(table, ()))
    stamped = [column[0] in moments for column in cursor.description]
    for row in cursor:
        count += 1
        for value, is_moment in zip(row, stamped, strict=True):
            digest.update(_moment(value) if is_moment and value is not None else _canonical(value))
            digest.update(b"\x1f")
        digest.update(b"\x1e")
    return count, digest.hexdigest()


def _moment(value: str) -> bytes:
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:  # not a timestamp at all: compared as the text it is
        return _canonical(value)
    if moment.tzinfo is None:  # as PostgreSQL reads it in the UTC session
        moment = moment.replace(tzinfo=UTC)
    return b"t" + moment.astimezone(UTC).isoformat(timespec="microseconds").encode()


def _canonical(value: Any) -> bytes:
    if value is None:
        return b"\x00"
    if isinstance(value, bytes | memoryview):
        return b"b" + bytes(value)
    if isinstance(value, float):
        return b"f" + repr(value).encode()
    return b"s" + str(value).encode("utf-8")
