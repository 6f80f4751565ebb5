"""`monitor run` daemons as subprocesses for the multi-daemon tests, their log lines read
as they come."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

from conftest import Sql

MONITOR = str(Path(sys.executable).with_name("monitor"))


class Daemon:
    """A `monitor run` subprocess whose log lines are read as they come."""

    def __init__(self, env: dict[str, str], tmp_path: Path) -> None:
        self.proc = subprocess.Popen(
            [MONITOR, "run"], env=env, cwd=tmp_path, stderr=subprocess.PIPE, text=True
        )
        self.lines: list[dict] = []
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        assert self.proc.stderr is not None
        for line in self.proc.stderr:
            self.lines.append(json.loads(line))

    def started(self) -> bool:
        return any(line["event"] == "start" for line in self.lines)

    def checks(self) -> list[dict]:
        return [line for line in self.lines if line["event"] == "check"]


def wait_for(condition: Callable[[], bool], what: str, timeout: float = 240) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"no {what} in {timeout}s"
        time.sleep(0.05)


def wait_until_checked(sql: Sql, count: int) -> None:
    query = "SELECT COUNT(*) FROM sources WHERE last_check_at IS NOT NULL"
    wait_for(lambda: sql(query) == [(count,)], f"check of all {count} sources")


def stop(daemons: list[Daemon]) -> None:
    for daemon in daemons:
        daemon.proc.send_signal(signal.SIGTERM)
    for daemon in daemons:
        assert daemon.proc.wait(timeout=60) == 0, daemon.lines[-3:]
        daemon.reader.join(timeout=10)
