"""Who holds a claim: a name that says which process on which host took it, and whether
that process still lives.

A claim named `host:pid:start:tag` can be given back the moment its holder is known dead
(same host, and the pid is gone or now belongs to a process started later), instead of
blocking its rows until the lease runs out. A holder on another host is trusted until its
lease ends: from here nothing can tell whether it lives.
"""

from __future__ import annotations

import os
import socket
import uuid
from dataclasses import dataclass
from functools import cache
from pathlib import Path


@dataclass(frozen=True)
class Holder:
    host: str
    pid: int
    start: str  # the process's start time as the kernel counts it; "" where unknown
    tag: str = ""  # one claim among several by the same process (a round, a flush)

    def __str__(self) -> str:
        return f"{self.host}:{self.pid}:{self.start}:{self.tag}"

    @classmethod
    def parse(cls, name: str) -> Holder | None:
        """The holder a claim names; None for a name from before holders were named."""
        parts = name.rsplit(":", 3)
        if len(parts) != 4 or not parts[1].isdigit():
            return None
        return cls(host=parts[0], pid=int(parts[1]), start=parts[2], tag=parts[3])

    def describe(self) -> str:
        """How a person reads it: 'pid 4711' here, 'pid 4711 on host-b' elsewhere."""
        return f"pid {self.pid}" if self.host == _host() else f"pid {self.pid} on {self.host}"

    def is_dead(self) -> bool:
        """True only when this holder is known to have ended (never for another host)."""
        if self.host != _host():
            return False
        started = _start_time(self.pid)
        if started is None:
            return not _exists(self.pid)
        return started == "" or (self.start != "" and started != self.start)


def new(tag: str | None = None) -> Holder:
    """A holder name for a claim this process is about to take."""
    return Holder(_host(), os.getpid(), _start_time(os.getpid()) or "", tag or uuid.uuid4().hex[:8])


@cache
def _host() -> str:
    return socket.gethostname()


def _start_time(pid: int) -> str | None:
    """The start time of `pid` from /proc; "" when it is gone or a zombie; None without /proc."""
    proc = Path("/proc")
    if not proc.is_dir():
        return None
    try:
        stat = (proc / str(pid) / "stat").read_text()
    except OSError:
        return ""
    # Fields after the command name, which is in parentheses and may contain spaces.
    fields = stat.rpartition(")")[2].split()
    if fields[0] in ("Z", "X"):  # killed and not yet reaped: dead all the same
        return ""
    return fields[19]


def _exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
