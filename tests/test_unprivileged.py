"""The daemon runs as an unprivileged user (`nobody`) with its database in a directory it owns.

The test runs as root and drops to `nobody` with setpriv (or runuser). When this Python
lives where `nobody` cannot reach it (a home directory), the system CPython of the same
version runs the project from its sources and installed dependencies instead.
"""

from __future__ import annotations

import json
import os
import pwd
import shutil
import signal
import site
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from local_site import QuietHandler, serving

import monitor

PROJECT = Path(monitor.__file__).resolve().parent.parent
TICK_S = 1.0


class _Page(QuietHandler):
    def do_GET(self) -> None:
        if self.path != "/story":
            self.send_error(404)
            return
        self.reply(
            b"<html><head><title>Border talks</title></head><body><article><h1>Border talks"
            b"</h1><p>Hezbollah said on Monday that it would not lay down its weapons while the"
            b" talks about the border continue.</p><p>Iran urged patience once more, officials"
            b" said after the meeting.</p></article></body></html>"
        )


@pytest.fixture
def site_url() -> Iterator[str]:
    with serving(_Page) as url:
        yield f"{url}/story"


def _drop_privileges() -> list[str]:
    """The command prefix that runs the rest as nobody; skip (visibly) when there is none."""
    if os.geteuid() != 0:
        pytest.skip("needs root to hand a directory to `nobody` and switch to that user")
    try:
        pwd.getpwnam("nobody")
    except KeyError:
        pytest.skip("this system has no `nobody` user")
    if setpriv := shutil.which("setpriv"):
        return [setpriv, "--reuid=nobody", "--regid=nogroup", "--clear-groups"]
    if runuser := shutil.which("runuser"):
        return [runuser, "-u", "nobody", "--"]
    pytest.skip("neither setpriv nor runuser (util-linux) is installed")


def _python(as_nobody: list[str], home: Path) -> tuple[list[str], dict[str, str]]:
    """An interpreter `nobody` can run that imports this checkout of monitor."""
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(home), "LANG": "C.UTF-8"}
    probe = ["-c", "import monitor.cli, sys; print(monitor.__file__)"]
    if _runs([*as_nobody, sys.executable, *probe], env, home):
        return [sys.executable], env
    version = f"python{sys.version_info.major}.{sys.version_info.minor}"
    system = shutil.which(version, path="/usr/local/bin:/usr/bin:/bin")
    paths = os.pathsep.join([str(PROJECT), *site.getsitepackages()])
    env = {**env, "PYTHONPATH": paths, "PYTHONDONTWRITEBYTECODE": "1"}
    if system and _runs([*as_nobody, system, *probe], env, home):
        return [system], env
    pytest.skip(f"`nobody` can run neither {sys.executable} nor a system {version}")


def _runs(command: list[str], env: dict[str, str], cwd: Path) -> bool:
    done = subprocess.run(command, env=env, cwd=cwd, capture_output=True, text=True, timeout=60)
    return done.returncode == 0 and done.stdout.strip().startswith(str(PROJECT))


@pytest.fixture
def home() -> Iterator[Path]:
    """A fresh directory owned by nobody (outside pytest's root-only temp tree)."""
    folder = Path(tempfile.mkdtemp(prefix="monitor-nobody-"))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _as_nobody(home: Path) -> tuple[list[str], dict[str, str]]:
    """`monitor` run as nobody, and its environment; `home` is handed to nobody."""
    as_nobody = _drop_privileges()
    nobody = pwd.getpwnam("nobody")
    os.chown(home, nobody.pw_uid, nobody.pw_gid)
    python, env = _python(as_nobody, home)
    return [*as_nobody, *python, "-m", "monitor"], env


def _one_line_error(done: subprocess.CompletedProcess[str], *names: str) -> None:
    """Exit 1 and a single `error: …` line naming what could not be opened; no traceback."""
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), done.stderr
    for name in names:
        assert name in lines[0], done.stderr


def _uid_of(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("Uid:"):
            return int(line.split()[1])
    raise AssertionError(f"no Uid line for pid {pid}")


@pytest.mark.slow
def test_daemon_runs_as_nobody(site_url: str, home: Path) -> None:
    command, env = _as_nobody(home)
    nobody = pwd.getpwnam("nobody")
    settings_file = home / "monitor.toml"
    settings_file.write_text(f"tick_interval = {TICK_S}\nper_host_delay = 0.0\n")
    os.chown(settings_file, nobody.pw_uid, nobody.pw_gid)
    db_path = home / "db" / "monitor.db"
    db_path.parent.mkdir()  # a folder named in MONITOR_DB must exist; the monitor makes none
    os.chown(db_path.parent, nobody.pw_uid, nobody.pw_gid)
    env = {**env, "MONITOR_CONFIG": str(settings_file), "MONITOR_DB": str(db_path)}

    added = subprocess.run(
        [*command, "watch", "add", site_url, "--every", "1s"],
        env=env,
        cwd=home,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert added.returncode == 0, added.stderr
    assert db_path.stat().st_uid == nobody.pw_uid

    daemon = subprocess.Popen(
        [*command, "run"],
        env=env,
        cwd=home,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(daemon.stderr or []), daemon=True)
    reader.start()
    lock = Path(f"{db_path}.lock")
    try:
        deadline = time.monotonic() + 30
        checks: list[dict[str, object]] = []
        while time.monotonic() < deadline and len(checks) < 2 and daemon.poll() is None:
            time.sleep(0.2)
            checks = [e for e in map(_event, list(lines)) if e.get("event") == "check"]
        assert daemon.poll() is None, "".join(lines)[-3000:]
        assert len(checks) >= 2, f"fewer than two ticks checked the page: {lines}"
        pid = int(lock.read_text().strip())
        assert _uid_of(pid) == nobody.pw_uid, "the daemon is not running as nobody"
    finally:
        daemon.send_signal(signal.SIGTERM)
        daemon.wait(timeout=60)
        reader.join(timeout=10)
    said = "".join(lines)
    assert daemon.returncode == 0, said[-3000:]
    assert "Traceback" not in said
    events = [_event(line).get("event") for line in lines]
    assert events[0] == "start" and events[-1] == "stop", said[-3000:]
    assert checks[0]["outcome"] == "new", checks
    assert all(c["outcome"] != "error" for c in checks), checks

    for path in (db_path, lock):
        assert path.stat().st_uid == nobody.pw_uid, f"{path} is not owned by nobody"
    conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    try:
        stored = conn.execute("SELECT locator FROM documents").fetchall()
        checked = conn.execute("SELECT last_outcome FROM sources").fetchall()
    finally:
        conn.close()
    assert stored == [(site_url,)]
    assert checked[0][0] in ("new", "unchanged", "not-modified")


def _event(line: str) -> dict[str, object]:
    try:
        event = json.loads(line)
    except ValueError:
        return {}
    return event if isinstance(event, dict) else {}


@pytest.mark.slow
def test_unreadable_settings_are_one_line_error(home: Path) -> None:
    command, env = _as_nobody(home)
    private = home / "private"
    private.mkdir(mode=0o700)  # root's: nobody cannot even look inside
    settings_file = private / "monitor.toml"
    settings_file.write_text("tick_interval = 1.0\n")
    env = {**env, "MONITOR_CONFIG": str(settings_file)}
    done = subprocess.run(
        [*command, "--db", str(home / "monitor.db"), "watch", "list"],
        env=env,
        cwd=home,
        capture_output=True,
        text=True,
        timeout=60,
    )
    _one_line_error(done, str(settings_file))


@pytest.mark.slow
@pytest.mark.parametrize("blocked", ["lock file", "database folder"])
def test_daemon_that_cannot_take_its_lock_says_so(home: Path, blocked: str) -> None:
    command, env = _as_nobody(home)
    if blocked == "lock file":  # left behind by a daemon once started as root
        db_path = home / "monitor.db"
        lock = Path(f"{db_path}.lock")
        lock.write_text("")
        lock.chmod(0o600)
    else:
        private = home / "private"
        private.mkdir(mode=0o700)
        db_path = private / "db" / "monitor.db"
        lock = Path(f"{db_path}.lock")
    done = subprocess.run(
        [*command, "--db", str(db_path), "run"],
        env=env,
        cwd=home,
        capture_output=True,
        text=True,
        timeout=60,
    )
    _one_line_error(done, str(lock) if blocked == "lock file" else str(db_path.parent))
