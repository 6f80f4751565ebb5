"""Shared fixtures: a temp database on either backend, the real `monitor` command run
in-process, a webhook receiver, and the system's Chromium (installed when missing).

Modules marked `pytest.mark.backends` run every test that uses a database twice: on a
SQLite file and on a schema of its own in a real PostgreSQL server, which the session
starts from Debian's `postgresql` binaries (initdb + pg_ctl, as an unprivileged user, on
a free loopback port) and stops at the end. A server that cannot start fails those tests.
"""

from __future__ import annotations

import itertools
import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from alert_servers import Hook
from click.testing import CliRunner, Result
from postgres_server import PostgresServer

from monitor.cli import cli
from monitor.storage import Connection, connect
from monitor.storage.dialect import open_database

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
BACKENDS = ("sqlite", "postgresql")

Run = Callable[..., Result]
Sql = Callable[..., list[tuple[Any, ...]]]
_schemas = itertools.count(1)


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if metafunc.definition.get_closest_marker("backends") and "backend" in metafunc.fixturenames:
        metafunc.parametrize("backend", BACKENDS, indirect=True)


@pytest.fixture
def backend(request: pytest.FixtureRequest) -> str:
    """ "sqlite" unless the module is marked to run on both backends."""
    return str(getattr(request, "param", "sqlite"))


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer]:
    """One PostgreSQL server for the whole session, started on first use."""
    server = PostgresServer.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "monitor.db"


@pytest.fixture
def db_url(backend: str, db_path: Path, request: pytest.FixtureRequest) -> Iterator[str]:
    """What `--db` names: a SQLite file, or a postgresql:// URL of an empty schema."""
    if backend == "sqlite":
        yield str(db_path)
        return
    server: PostgresServer = request.getfixturevalue("postgres")
    schema = f"t{next(_schemas)}"
    server.admin(f"CREATE SCHEMA {schema}")
    yield server.url(schema)
    server.admin(f"DROP SCHEMA {schema} CASCADE")


@pytest.fixture
def postgres_url(request: pytest.FixtureRequest) -> Iterator[Callable[[], str]]:
    """Makes URLs of further empty schemas on the session's PostgreSQL server (for copies
    between databases), dropped at the end of the test."""
    server: PostgresServer = request.getfixturevalue("postgres")
    made: list[str] = []

    def make() -> str:
        made.append(f"t{next(_schemas)}")
        server.admin(f"CREATE SCHEMA {made[-1]}")
        return server.url(made[-1])

    yield make
    for schema in made:
        server.admin(f"DROP SCHEMA {schema} CASCADE")


@pytest.fixture
def database(db_url: str) -> Iterator[Connection]:
    """A migrated connection to the test's database."""
    db = connect(db_url)
    yield db
    db.close()


@pytest.fixture
def sql(db_url: str) -> Sql:
    """Run one statement (`?` parameters) on the test's database; the rows as tuples."""

    def run(statement: str, params: tuple[Any, ...] | list[Any] = ()) -> list[tuple[Any, ...]]:
        db = open_database(db_url)
        try:
            cursor = db.execute(statement, params)
            return [tuple(row) for row in cursor.fetchall()] if cursor.description else []
        finally:
            db.close()

    return run


@pytest.fixture
def monitor(db_url: str) -> Run:
    """`monitor --db <temp> ARGS…` through click, with stdout and stderr kept apart."""

    def run(*args: str, input: str | bytes | None = None, ok: bool | None = None) -> Result:
        result = CliRunner().invoke(cli, ["--db", db_url, *args], input=input)
        if ok is True:
            assert result.exit_code == 0, result.output + result.stderr
        return result

    return run


@pytest.fixture
def hook() -> Iterator[Hook]:
    """A webhook receiver on 127.0.0.1 that records what it is sent."""
    receiver = Hook()
    yield receiver
    receiver.stop()


@pytest.fixture(scope="session")
def chromium() -> str:
    """Debian's chromium (`make test` installs it); missing, it fails in CI and skips
    with its reason elsewhere."""
    found = shutil.which("chromium")
    if found:
        return found
    reason = "chromium is not installed: apt-get install chromium (or run make test as root)"
    if os.environ.get("CI"):
        pytest.fail(reason)
    pytest.skip(reason)
