"""Claim holders: a name that round-trips, and death known only for this host's processes."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import replace

from monitor import holder
from monitor.holder import Holder


def _ended_pid() -> int:
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def test_a_holder_name_round_trips_and_old_names_are_not_holders() -> None:
    me = holder.new("round")
    assert Holder.parse(str(me)) == me and me.tag == "round"
    assert Holder.parse("host-a:4711:9ab1c2d3") is None  # names written before holders
    assert Holder.parse("dead-worker") is None


def test_this_process_lives_an_ended_one_is_dead_another_host_is_trusted() -> None:
    me = holder.new()
    assert not me.is_dead()
    assert replace(me, pid=_ended_pid()).is_dead()
    assert not replace(me, host="elsewhere.example", pid=_ended_pid()).is_dead()
    assert me.describe() == f"pid {me.pid}"
    assert replace(me, host="b").describe() == f"pid {me.pid} on b"


def test_a_reused_pid_is_a_different_process() -> None:
    me = holder.new()
    assert me.start.isdigit(), "Linux tells each process's start time in /proc"
    assert replace(me, start=str(int(me.start) - 1)).is_dead()
