"""SQLite and PostgreSQL side by side, in one run, on the same machine and the same data.

- an all-304 `monitor check` round over N local pages (nginx, as in bench_watch.py),
  first look not timed, then three timed rounds (median);
- a first round over M pages by one daemon on SQLite, and by one and by two daemons on
  PostgreSQL: seconds until every source has been checked (the ratio says what a second
  daemon buys on this machine);
- `monitor diff --actor Hezbollah --json` as a new process on 100,000 documents (built
  as in bench_positions.py on SQLite, then moved with `monitor db copy`'s library call,
  which is timed too).

PostgreSQL comes from Debian's packages (a throw-away server as in the tests) with its
default settings except `synchronous_commit = off`, the durability SQLite's WAL mode with
`synchronous = NORMAL` gives: a power cut may lose the last commits, never corrupt.

Usage: python benchmarks/bench_backends.py [--pages 1000] [--round-pages 4000]
       [--parts 304,daemons,diff]
"""

from __future__ import annotations

import argparse
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from postgres_server import PostgresServer  # noqa: E402

from benchmarks.bench_positions import build_database  # noqa: E402
from benchmarks.bench_watch import (  # noqa: E402
    MONITOR,
    WORK,
    Site,
    add_sources,
    free_port,
    measure,
    start_nginx,
)
from monitor.positions import Engine  # noqa: E402
from monitor.profile import load  # noqa: E402
from monitor.storage import connect  # noqa: E402
from monitor.storage.copy import copy  # noqa: E402


def home(name: str, target: str, settings: str) -> tuple[Path, dict[str, str]]:
    folder = Path(tempfile.mkdtemp(prefix=f"{name}-", dir=WORK))
    (folder / "monitor.toml").write_text(settings)
    return folder, {**os.environ, "MONITOR_DB": target}


def bench_304(urls: list[str], targets: dict[str, str]) -> None:
    print(f"all-304 check round over {len(urls)} pages (median of 3):")
    medians = {}
    for name, target in targets.items():
        folder, env = home(name, target, "per_host_delay = 0\n")
        add_sources(target, urls, interval_s=1800, spread=False)
        command = [str(MONITOR), "-q", "check", "--json"]
        measure(command, folder, env)  # the first look fetches and stores every page
        costs = sorted((measure(command, folder, env) for _ in range(3)), key=lambda c: c.wall)
        medians[name] = costs[1].wall
        print(f"  {name:<10} {costs[1]}")
    print(f"  PostgreSQL / SQLite: {medians['postgresql'] / medians['sqlite']:.2f}x")


def first_round(target: str, urls: list[str], daemons: int) -> float:
    """Seconds until `daemons` daemons together have checked every source once."""
    folder, env = home("round", target, "per_host_delay = 0\nper_host_concurrency = 4\n")
    add_sources(target, urls, interval_s=86400, spread=False)
    db = connect(target)
    started = time.perf_counter()
    procs = [
        subprocess.Popen([str(MONITOR), "run"], cwd=folder, env=env, stderr=subprocess.DEVNULL)
        for _ in range(daemons)
    ]
    try:
        while True:
            (left,) = db.execute(
                "SELECT COUNT(*) FROM sources WHERE last_check_at IS NULL"
            ).fetchone()
            if not left:
                return time.perf_counter() - started
            time.sleep(0.2)
    finally:
        for proc in procs:
            proc.send_signal(signal.SIGTERM)
        for proc in procs:
            proc.wait(timeout=120)
        db.close()


def bench_daemons(urls: list[str], sqlite: str, fresh: list[str]) -> None:
    print(f"first round over {len(urls)} pages (fetch, extract, analyse, store):")
    one_sqlite = first_round(sqlite, urls, 1)
    print(f"  SQLite,     1 daemon:  {one_sqlite:6.1f} s")
    one = first_round(fresh[0], urls, 1)
    print(f"  PostgreSQL, 1 daemon:  {one:6.1f} s")
    two = first_round(fresh[1], urls, 2)
    print(f"  PostgreSQL, 2 daemons: {two:6.1f} s  ({one / two:.2f}x faster than one)")


def bench_diff(sqlite: Path, postgres: str) -> None:
    engine = Engine(load())
    build_database(sqlite, engine, random.Random(7))
    source, target = connect(sqlite), connect(postgres)
    started = time.perf_counter()
    copied = copy(source, target, force=False)
    print(
        f"  db copy into PostgreSQL: {sum(copied.rows.values())} rows in "
        f"{time.perf_counter() - started:.1f} s (counts and hashes checked)"
    )
    source.close()
    target.close()
    print(
        "`monitor diff --actor Hezbollah --json` on 100,000 documents, new process (median of 5):"
    )
    for name, where in (("sqlite", str(sqlite)), ("postgresql", postgres)):
        command = [sys.executable, "-m", "monitor", "--db", where, "diff", "--actor", "Hezbollah"]
        timings = []
        for _ in range(5):
            started = time.perf_counter()
            subprocess.run([*command, "--json"], check=True, capture_output=True)
            timings.append(time.perf_counter() - started)
        print(f"  {name:<10} {sorted(timings)[2] * 1000:5.0f} ms")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pages", type=int, default=1000)
    parser.add_argument("--round-pages", type=int, default=4000)
    parser.add_argument("--parts", default="304,daemons,diff")
    args = parser.parse_args()
    parts = set(args.parts.split(","))
    WORK.mkdir(parents=True, exist_ok=True)
    server = PostgresServer.start(settings=("synchronous_commit=off",))
    for name in ("check304", "round1", "round2", "diff"):
        server.admin(f"CREATE DATABASE {name}")
    site_root = Path(tempfile.mkdtemp(prefix="site-", dir=WORK))
    Site(site_root, max(args.pages, args.round_pages))
    port = free_port()
    nginx = start_nginx(site_root, port)
    try:
        urls = [f"http://127.0.0.1:{port}/p{i}.html" for i in range(args.round_pages)]
        scratch = Path(tempfile.mkdtemp(prefix="db-", dir=WORK))
        if "304" in parts:
            bench_304(
                urls[: args.pages],
                {"sqlite": str(scratch / "304.db"), "postgresql": server.url(dbname="check304")},
            )
        if "daemons" in parts:
            bench_daemons(
                urls,
                str(scratch / "round.db"),
                [server.url(dbname="round1"), server.url(dbname="round2")],
            )
        if "diff" in parts:
            bench_diff(scratch / "diff.db", server.url(dbname="diff"))
    finally:
        nginx.terminate()
        nginx.wait()
        server.stop()


if __name__ == "__main__":
    main()
