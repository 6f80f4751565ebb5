"""Shared fixtures: a temp database and the real `monitor` command run in-process."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from alert_servers import Hook
from click.testing import CliRunner, Result

from monitor.cli import cli

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"

Run = Callable[..., Result]


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "monitor.db"


@pytest.fixture
def monitor(db_path: Path) -> Run:
    """`monitor --db <temp> ARGS…` through click, with stdout and stderr kept apart."""

    def run(*args: str, input: str | bytes | None = None, ok: bool | None = None) -> Result:
        result = CliRunner().invoke(cli, ["--db", str(db_path), *args], input=input)
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
