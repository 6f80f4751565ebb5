"""`monitor serve` as a real process on a free loopback port, for the API and page tests."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

LISTENING = re.compile(r"listening on (http://127\.0\.0\.1:\d+)")
TOKEN = "test-token-4f1c9a"


@contextmanager
def serving(
    db: Path, *args: str, token: str | None = TOKEN, config: str | None = None
) -> Iterator[str]:
    """Start `monitor --db DB serve --port 0 ARGS`, wait for the line saying where it
    listens (the port is open by then), yield its base URL, then stop it with SIGTERM.

    `config` is the text of a monitor.toml for this server only; the server's log goes to
    serve.log beside the database."""
    env = {k: v for k, v in os.environ.items() if k not in ("MONITOR_API_TOKEN", "MONITOR_DB")}
    if token is not None:
        env["MONITOR_API_TOKEN"] = token
    if config is not None:
        path = db.parent / "serve.toml"
        path.write_text(config, encoding="utf-8")
        env["MONITOR_CONFIG"] = str(path)
    command = [sys.executable, "-m", "monitor", "--db", str(db), "serve", "--port", "0", *args]
    log = (db.parent / "serve.log").open("w", encoding="utf-8")
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=log, text=True, env=env)
    try:
        assert process.stdout is not None
        line = process.stdout.readline()  # blocks until the server listens, or exits
        found = LISTENING.search(line)
        if not found:
            process.kill()
            process.wait()
            raise AssertionError(f"serve did not start: {line!r} {log_text(db)}")
        yield found[1]
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        if process.stdout:
            process.stdout.close()
        log.close()


def log_text(db: Path) -> str:
    """What the server wrote on stderr (its log) so far."""
    return (db.parent / "serve.log").read_text(encoding="utf-8")


def add_edited(monitor: Any, folder: Path) -> None:
    """Through `monitor add`: a document titled "Talks" whose second version adds a "not"."""
    page = folder / "edited.txt"
    page.write_text("Iran will respond to the offer. The talks go on.\n", encoding="utf-8")
    monitor(
        "add", str(page), "--date", "2025-01-02", "--title", "Talks", "--outlet", "Wire", ok=True
    )
    page.write_text("Iran will not respond to the offer. The talks go on.\n", encoding="utf-8")
    monitor("add", str(page), ok=True)
