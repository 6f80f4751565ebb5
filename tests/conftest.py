"""Shared fixtures: a temp database, the real `monitor` command run in-process, a webhook
receiver, and the system's Chromium (installed when missing)."""

from __future__ import annotations

import os
import shutil
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
