"""A throw-away PostgreSQL server from Debian's `postgresql` binaries, for tests and
benchmarks: initdb + pg_ctl in a temporary folder, on a free loopback port, as an
unprivileged user (the server refuses to run as root)."""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import psycopg


def _bin_dir() -> Path:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=_major)
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    if initdb is None:
        raise RuntimeError("no PostgreSQL server binaries (apt-get install postgresql)")
    return Path(initdb).parent


def _major(path: str) -> int:
    version = Path(path).parent.parent.name
    return int(version) if version.isdigit() else 0


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _user() -> str | None:
    """Whom to run the server as: None (ourselves) unless we are root."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        try:
            pwd.getpwnam(name)
        except KeyError:
            continue
        return name
    raise RuntimeError("running as root and no unprivileged user to start PostgreSQL as")


@dataclass
class PostgresServer:
    folder: Path
    port: int
    user: str | None
    bin: Path
    options: str = ""

    @classmethod
    def start(
        cls, settings: tuple[str, ...] = ("fsync=off", "full_page_writes=off")
    ) -> PostgresServer:
        """initdb and start a server; RuntimeError with the server's log when it cannot."""
        folder = Path(tempfile.mkdtemp(prefix="monitor-pg-"))
        server = cls(folder, _free_port(), _user(), _bin_dir())
        if server.user is not None:
            entry = pwd.getpwnam(server.user)
            os.chown(folder, entry.pw_uid, entry.pw_gid)
        server.options = " ".join(
            [f"-p {server.port}", f"-k {folder}", "-c listen_addresses=127.0.0.1"]
            + [f"-c {setting}" for setting in settings]
        )
        try:
            server._run(
                "initdb",
                "-D",
                str(folder / "data"),
                "-A",
                "trust",
                "-U",
                "postgres",
                "-E",
                "UTF8",
                "--locale=C",
                "--no-sync",
            )
            server.resume()
            server.admin("CREATE DATABASE monitor")
        except (subprocess.CalledProcessError, psycopg.Error) as exc:
            log = folder / "server.log"
            detail = log.read_text() if log.exists() else ""
            output = getattr(exc, "stdout", "") or ""
            shutil.rmtree(folder, ignore_errors=True)
            raise RuntimeError(f"PostgreSQL did not start: {exc}\n{output}\n{detail}") from exc
        return server

    def _run(self, program: str, *args: str) -> None:
        command = [str(self.bin / program), *args]
        if self.user is not None:
            command = ["runuser", "-u", self.user, "--", *command]
        subprocess.run(command, check=True, capture_output=True, text=True, cwd=self.folder)

    def url(self, schema: str | None = None, dbname: str = "monitor") -> str:
        base = f"postgresql://postgres@127.0.0.1:{self.port}/{dbname}"
        return f"{base}?options=-csearch_path%3D{schema}" if schema else base

    def admin(self, statement: str, dbname: str = "monitor") -> None:
        """Run one statement as the superuser (CREATE DATABASE needs the `postgres` db)."""
        target = "postgres" if statement.upper().startswith("CREATE DATABASE") else dbname
        with psycopg.connect(self.url(dbname=target), autocommit=True) as conn:
            conn.execute(statement)

    def resume(self) -> None:
        """Start the server (again, after `halt`), waiting until it takes connections."""
        log = str(self.folder / "server.log")
        data = str(self.folder / "data")
        self._run("pg_ctl", "-D", data, "-o", self.options, "-l", log, "-w", "-t", "120", "start")

    def halt(self) -> None:
        """Stop at once, as a crash or a lost network would, keeping the data."""
        self._run("pg_ctl", "-D", str(self.folder / "data"), "-m", "immediate", "-w", "stop")

    def stop(self) -> None:
        try:
            self.halt()
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)
