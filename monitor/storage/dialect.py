"""The two database engines behind one connection type: SQLite and PostgreSQL.

Storage modules write their SQL once, in the common subset both engines understand, with
`?` and `:name` parameters (`ON CONFLICT … DO NOTHING` rather than `INSERT OR IGNORE`,
`RETURNING id` rather than `lastrowid`). This module is the one place that knows how they
differ: placeholders, column types in DDL, full-text search, row locks for claims,
advisory locks, timestamps, and how driver errors are reported (as `DatabaseError`, one
line naming the database and never a password).

Timestamps (when something was seen, checked, claimed, sent) are ISO-8601 text in UTC
for every caller. SQLite stores that text; PostgreSQL stores `timestamptz` (migration
m011), takes the same text as parameters, and gives it back as
`datetime.isoformat()` of the UTC moment ("2025-07-07T12:00:00.250000+00:00").
Publication dates stay text on both: they are dates as the articles state them.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any, Protocol

from monitor.errors import ConfigError, StorageError

BUSY_TIMEOUT_MS = 30_000
CONNECT_TIMEOUT_S = 10
POSTGRES_SCHEMES = ("postgresql", "postgres")
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]+):")

Params = Sequence[Any] | Mapping[str, Any]


class DatabaseError(StorageError):
    """The database refused a statement or went away."""


class IntegrityError(DatabaseError):
    """A uniqueness or foreign-key rule was broken."""


class DatabaseGone(DatabaseError):
    """The connection to the server was lost: nothing more can be written in this command."""


class Cursor(Protocol):
    rowcount: int

    @property
    def description(self) -> Any: ...
    def fetchone(self) -> Any: ...
    def fetchall(self) -> list[Any]: ...
    def __iter__(self) -> Iterator[Any]: ...


def is_postgres(target: str | Path) -> bool:
    """Whether `target` names a PostgreSQL database; any other URL scheme is refused."""
    match = _SCHEME.match(str(target))
    if match is None:
        return False
    if match[1].lower() in POSTGRES_SCHEMES:
        return True
    raise ConfigError(
        f"unsupported database {match[1]}: URL (use a SQLite file or postgresql://host/db)"
    )


def safe_name(url: str) -> str:
    """host:port/dbname of a PostgreSQL URL, without user or password, for messages."""
    from psycopg.conninfo import conninfo_to_dict

    try:
        parts = conninfo_to_dict(url)
    except Exception:  # an unparsable URL: say so without echoing it
        return "postgresql://(unreadable URL)"
    return f"postgresql://{parts.get('host') or 'localhost'}:{parts.get('port') or 5432}/" + str(
        parts.get("dbname") or ""
    )


class Connection:
    """A database connection in autocommit mode; `transaction()` groups statements."""

    dialect: str
    shared_by_daemons: bool  # several daemons may share the work (else one holds a lock file)
    name: str  # what messages call the database
    skip_locked: str  # appended to a claim's inner SELECT
    raw: Any

    def execute(self, sql: str, params: Params = ()) -> Cursor:
        raise NotImplementedError

    def executemany(self, sql: str, rows: Iterable[Params]) -> int:
        raise NotImplementedError

    def script(self, sql: str) -> None:
        """Several DDL statements, inside the caller's transaction."""
        raise NotImplementedError

    @property
    def in_transaction(self) -> bool:
        raise NotImplementedError

    def transaction(self) -> Any:
        raise NotImplementedError

    def table_exists(self, table: str) -> bool:
        raise NotImplementedError

    @contextmanager
    def snapshot(self) -> Iterator[None]:
        """Every read inside sees the database as it was at the first one (for copies
        taken while daemons write)."""
        self.execute(self.snapshot_begin)
        try:
            yield
        finally:
            self.execute("COMMIT")

    snapshot_begin = "BEGIN"

    @contextmanager
    def exclusive(self, key: int) -> Iterator[None]:
        """Hold a database-wide lock named by `key` (a no-op where one process writes)."""
        yield

    def lock_in_transaction(self, key: int) -> None:
        """Take a lock named by `key` until the current transaction ends."""

    def next_id_after_copy(self, table: str) -> None:
        """Make new rows of `table` get ids after the ones copied in with their ids."""

    def json_list_of_object(self, key: str, column: str) -> str:
        """SQL for the JSON text `[{key: column}]` (the engines name their JSON builders
        differently)."""
        return f"json_array(json_object('{key}', {column}))"

    def day(self, column: str) -> str:
        """SQL for the UTC day ("2025-07-07") of a timestamp column, as text."""
        return f"substr({column}, 1, 10)"

    def reopen(self) -> Connection:
        """Another connection to the same database (for a thread of its own)."""
        raise NotImplementedError

    def close(self) -> None:
        self.raw.close()


class SQLite(Connection):
    dialect = "sqlite"
    shared_by_daemons = False
    skip_locked = ""  # BEGIN IMMEDIATE already holds the one write lock

    def __init__(self, path: str | Path) -> None:
        self.name = self._target = str(path)
        self.raw = sqlite3.connect(
            self.name,
            timeout=BUSY_TIMEOUT_MS / 1000,
            check_same_thread=False,
            isolation_level=None,
        )
        self.raw.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        self.raw.execute("PRAGMA foreign_keys = ON")
        if self.name != ":memory:" and self.raw.execute("PRAGMA journal_mode").fetchone()[0] != (
            "wal"
        ):
            self.raw.execute("PRAGMA journal_mode = wal")
        self.raw.execute("PRAGMA synchronous = NORMAL")

    def reopen(self) -> Connection:
        return SQLite(self._target)

    def execute(self, sql: str, params: Params = ()) -> Cursor:
        try:
            return self.raw.execute(sql, params)
        except sqlite3.IntegrityError as exc:
            raise IntegrityError(f"database {self.name}: {exc}") from exc
        except sqlite3.Error as exc:
            raise DatabaseError(f"database {self.name}: {exc}") from exc

    def executemany(self, sql: str, rows: Iterable[Params]) -> int:
        try:
            return self.raw.executemany(sql, rows).rowcount
        except sqlite3.IntegrityError as exc:
            raise IntegrityError(f"database {self.name}: {exc}") from exc
        except sqlite3.Error as exc:
            raise DatabaseError(f"database {self.name}: {exc}") from exc

    def script(self, sql: str) -> None:
        # Not executescript: it commits first, and a migration must stay in its transaction.
        pending = ""
        for piece in sql.split(";"):
            pending += piece + ";"
            if sqlite3.complete_statement(pending):
                if pending.strip(" \n;"):
                    self.execute(pending)
                pending = ""

    @property
    def in_transaction(self) -> bool:
        return self.raw.in_transaction

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """All or nothing, holding the write lock from the start (`BEGIN IMMEDIATE`).

        A deferred transaction that reads and then writes fails at once with "database is
        locked" when another process committed in between (WAL cannot upgrade a stale
        snapshot); taking the lock first makes it wait its turn under the busy timeout.
        Nested use becomes a savepoint.
        """
        if self.raw.in_transaction:
            self.execute("SAVEPOINT nested")
            try:
                yield
            except BaseException:
                if self.raw.in_transaction:  # an error may have ended the whole transaction
                    self.execute("ROLLBACK TO nested")
                    self.execute("RELEASE nested")
                raise
            self.execute("RELEASE nested")
            return
        self.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self.raw.rollback()
            raise
        self.execute("COMMIT")

    def table_exists(self, table: str) -> bool:
        return bool(
            self.execute(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", [table]
            ).fetchone()
        )


class Postgres(Connection):
    dialect = "postgresql"
    shared_by_daemons = True
    snapshot_begin = "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"
    skip_locked = " FOR UPDATE SKIP LOCKED"

    def __init__(self, url: str) -> None:
        import psycopg

        self.psycopg = psycopg
        self.name, self._target = safe_name(url), url
        self.raw = self._connect()

    def _connect(self) -> Any:
        from psycopg.conninfo import conninfo_to_dict

        try:
            # The session in UTC: a timestamp without an offset means UTC, as in SQLite.
            # Index reads priced as the cached, solid-state reads they are (PostgreSQL's
            # default prices them for spinning disks and scans a large table instead of
            # reading a few hundred rows through an index); a URL's own options win.
            own = conninfo_to_dict(self._target).get("options") or ""
            options = f"-c random_page_cost=1.1 {own} -c TimeZone=UTC"
            raw = self.psycopg.connect(
                self._target,
                autocommit=True,
                connect_timeout=CONNECT_TIMEOUT_S,
                options=options.strip(),
            )
        except self.psycopg.Error as exc:
            raise DatabaseGone(f"cannot connect to {self.name}: {_first_line(exc)}") from None
        raw.adapters.register_loader("timestamptz", _timestamp_loader())
        return raw

    def _live(self) -> Any:
        """The connection, made again when the server went away since the last statement
        (a daemon's next round goes on after a server restart); never inside a transaction,
        whose statements would be lost with the old connection."""
        if self.raw.broken:
            self.raw = self._connect()
        return self.raw

    def reopen(self) -> Connection:
        return Postgres(self._target)

    def _fail(self, exc: Exception) -> DatabaseError:
        if self.raw.broken:
            return DatabaseGone(f"lost the connection to {self.name}: {_first_line(exc)}")
        kind = IntegrityError if isinstance(exc, self.psycopg.IntegrityError) else DatabaseError
        return kind(f"database {self.name}: {_first_line(exc)}")

    def execute(self, sql: str, params: Params = ()) -> Cursor:
        try:
            raw = self.raw if self.in_transaction else self._live()
            if not params:  # no parameters: psycopg leaves the text alone, `%` included
                return raw.execute(sql)
            return raw.execute(_placeholders(sql), params)
        except self.psycopg.Error as exc:
            raise self._fail(exc) from exc

    def executemany(self, sql: str, rows: Iterable[Params]) -> int:
        try:
            raw = self.raw if self.in_transaction else self._live()
            with raw.cursor() as cursor:
                cursor.executemany(_placeholders(sql), rows)
                return int(cursor.rowcount)
        except self.psycopg.Error as exc:
            raise self._fail(exc) from exc

    def script(self, sql: str) -> None:
        try:
            self.raw.execute(postgres_ddl(sql))
        except self.psycopg.Error as exc:
            raise self._fail(exc) from exc

    @property
    def in_transaction(self) -> bool:
        status = self.psycopg.pq.TransactionStatus
        return self.raw.info.transaction_status not in (status.IDLE, status.UNKNOWN)

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """All or nothing; nested use becomes a savepoint. Claims lock their own rows."""
        try:
            raw = self.raw if self.in_transaction else self._live()
            with raw.transaction():
                yield
        except self.psycopg.Error as exc:
            raise self._fail(exc) from exc

    def table_exists(self, table: str) -> bool:
        (found,) = self.execute("SELECT to_regclass(?) IS NOT NULL", [table]).fetchone()
        return bool(found)

    @contextmanager
    def exclusive(self, key: int) -> Iterator[None]:
        self.execute("SELECT pg_advisory_lock(?)", [key])
        try:
            yield
        finally:
            if not self.raw.closed:
                self.execute("SELECT pg_advisory_unlock(?)", [key])

    def lock_in_transaction(self, key: int) -> None:
        self.execute("SELECT pg_advisory_xact_lock(?)", [key])

    def json_list_of_object(self, key: str, column: str) -> str:
        return f"json_build_array(json_build_object('{key}', {column}))::text"

    def day(self, column: str) -> str:
        return f"to_char({column} AT TIME ZONE 'UTC', 'YYYY-MM-DD')"

    def next_id_after_copy(self, table: str) -> None:
        self.execute(
            f"SELECT setval(pg_get_serial_sequence(?, 'id'), "
            f"COALESCE((SELECT MAX(id) FROM {table}), 0) + 1, false)",
            [table],
        )


@lru_cache(maxsize=1)
def _timestamp_loader() -> type:
    """A psycopg loader giving a `timestamptz` back as the ISO text callers use."""
    from psycopg.adapt import Loader

    class IsoTimestamp(Loader):
        def load(self, data: Any) -> str:
            text = bytes(data).decode()
            if text.endswith("+00") and len(text) in (22, *range(24, 30)):
                # "2025-07-07 12:00:00.25+00", as the UTC session writes it: spelled as
                # isoformat() would, without parsing (a round reads thousands of them)
                fraction = text[19:-3]
                fraction = fraction.ljust(7, "0") if fraction else ""
                return f"{text[:10]}T{text[11:19]}{fraction}+00:00"
            return datetime.fromisoformat(text).astimezone(UTC).isoformat()

    return IsoTimestamp


def open_database(target: str | Path) -> Connection:
    """A connection to a SQLite file (or ":memory:") or a postgresql:// URL."""
    if is_postgres(target):
        return Postgres(str(target))
    try:
        return SQLite(target)
    except (sqlite3.Error, OSError) as exc:
        raise DatabaseError(f"cannot open database {target}: {exc}") from exc


# SQL spelling ------------------------------------------------------------------------

_TOKENS = re.compile(r"'(?:[^']|'')*'|\?|(?<![:\w]):(\w+)|%")


@lru_cache(maxsize=512)
def _placeholders(sql: str) -> str:
    """SQLite's `?` and `:name` as psycopg's `%s` and `%(name)s`; a literal `%` doubled."""

    def swap(match: re.Match[str]) -> str:
        token = match[0]
        if token.startswith("'"):
            return token.replace("%", "%%")
        if token == "?":
            return "%s"
        if token == "%":
            return "%%"
        return f"%({match[1]})s"

    return _TOKENS.sub(swap, sql)


_DDL = (
    (re.compile(r"\bINTEGER PRIMARY KEY\b"), "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY"),
    (re.compile(r"\bINTEGER\b"), "BIGINT"),
    (re.compile(r"\bREAL\b"), "DOUBLE PRECISION"),
    (re.compile(r"\bBLOB\b"), "BYTEA"),
)


def postgres_ddl(sql: str) -> str:
    """SQLite column types as PostgreSQL's (64-bit ids, doubles, bytea)."""
    for pattern, replacement in _DDL:
        sql = pattern.sub(replacement, sql)
    return sql


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
