"""Check-round benchmark: `monitor check` against urlwatch on the same local site.

nginx (Debian package, installed with apt-get when missing and we are root) serves N
article pages on 127.0.0.1, so the server is not what is measured. For each N, both
tools take a first look at the site, then three rounds are timed on identical pages:
10% of pages edited, 10% with only the advert and timestamp changed, and nothing
changed (every answer a 304). urlwatch comes from PyPI into its own venv under /tmp
with its html2text filter. Wall time, CPU time (user + system, child processes) and
peak RSS are printed for both, with ratios. "warm" is the same round in one long-lived
process (imports paid once, connections kept), which is what `monitor run` does.
The monitor runs with its default settings except `per_host_delay = 0` (every page is on
one host); `--per-host N` sets `per_host_concurrency` to see what parallel connections to
one fast local host cost (hand-offs of the interpreter lock, not the server).

The daemon part loads 10,000 sources on a 30-minute interval, spread over the interval,
and reports what share of one core `monitor run` uses while it works through them.

Usage: python benchmarks/bench_watch.py [--sizes 100,1000] [--daemon-sources 10000]
       [--daemon-seconds 90] [--no-urlwatch] [--per-host 1]
"""

from __future__ import annotations

import argparse
import compileall
import os
import random
import shutil
import socket
import sqlite3
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path("/tmp/nm-bench")  # urlwatch's venv, kept between runs
WORK = SHARED / f"run-{os.getpid()}"  # this run's sites and homes: runs may overlap
MONITOR = Path(sys.executable).with_name("monitor")
URLWATCH_VENV = SHARED / "urlwatch-venv"
WORDS = [
    *("government", "minister", "said", "talks", "weapons", "ceasefire", "border", "army"),
    *("council", "statement", "officials", "plan", "agreement", "withdrawal", "pressure"),
    *("envoy", "regional", "security", "budget", "vote", "parliament", "reform", "court"),
    *("ruling", "market", "prices", "energy", "supply", "week", "report", "sources"),
]
ACTORS = ("Hezbollah", "Iran", "Israel", "the Lebanese army", "Washington", "the EU")


@dataclass(frozen=True)
class Cost:
    wall: float
    cpu: float
    peak_mb: float

    def __str__(self) -> str:
        return f"{self.wall:7.2f} s wall {self.cpu:7.2f} s CPU {self.peak_mb:6.0f} MB"


# -- the site -----------------------------------------------------------------------------


def sentence(rng: random.Random) -> str:
    words = " ".join(rng.choice(WORDS) for _ in range(rng.randint(12, 22)))
    return f"{rng.choice(ACTORS)} {words}."


def article(i: int, version: int, ad: int) -> str:
    rng = random.Random(i)
    paragraphs = [" ".join(sentence(rng) for _ in range(4)) for _ in range(7)]
    if version:
        edit = random.Random(i * 1000 + version)
        paragraphs[3] = " ".join(sentence(edit) for _ in range(4))
    body = "".join(f"<p>{p}</p>\n" for p in paragraphs)
    rail = "".join(f'<li><a href="/p{(i + k) % 97}.html">Story {k}</a></li>' for k in range(6))
    return f"""<!doctype html><html><head><title>Report {i}</title>
<meta property="article:published_time" content="2025-07-{1 + i % 28:02d}"></head><body>
<nav><a href="/">Home</a> <a href="/world">World</a> <a href="/business">Business</a></nav>
<div class="ad">Advert {ad}: the best deals of the week, only today</div>
<main><article><h1>Report {i}: officials meet again</h1>
<p class="dateline">Updated {ad % 24:02d}:{ad % 60:02d} GMT</p>
{body}</article></main>
<aside><h2>Related articles</h2><ul>{rail}</ul></aside>
<footer>© 2025 Example News. All rights reserved.</footer></body></html>"""


class Site:
    """N pages on disk; each write gets its own mtime so nginx's ETag always moves."""

    def __init__(self, root: Path, n: int) -> None:
        self.root, self.n = root, n
        self.state = {i: (0, 0) for i in range(n)}
        self.stamp = 1_700_000_000
        root.mkdir(parents=True, exist_ok=True)
        root.chmod(0o755)
        for i in range(n):
            self.write(i)

    def path(self, i: int) -> Path:
        return self.root / f"p{i}.html"

    def write(self, i: int) -> None:
        version, ad = self.state[i]
        self.path(i).write_text(article(i, version, ad))
        self.stamp += 1
        os.utime(self.path(i), (self.stamp, self.stamp))

    def edit(self, share: float, *, text: bool, seed: int) -> None:
        for i in random.Random(seed).sample(range(self.n), int(self.n * share)):
            version, ad = self.state[i]
            self.state[i] = (version + 1, ad) if text else (version, ad + 1)
            self.write(i)


def ensure_nginx() -> str:
    found = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else "")
    if found:
        return found
    if os.geteuid() != 0:
        sys.exit("nginx is missing and installing it needs root: apt-get install nginx")
    print("installing nginx with apt-get …", flush=True)
    subprocess.run(["apt-get", "install", "-y", "-q", "nginx"], check=True, capture_output=True)
    return shutil.which("nginx") or "/usr/sbin/nginx"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_nginx(site: Path, port: int) -> subprocess.Popen[bytes]:
    prefix = WORK / "nginx"
    prefix.mkdir(parents=True, exist_ok=True)
    conf = prefix / "nginx.conf"
    conf.write_text(f"""worker_processes 1;
daemon off;
pid {prefix}/nginx.pid;
error_log {prefix}/error.log;
events {{ worker_connections 8192; }}
http {{
  access_log off;
  default_type text/html;
  keepalive_requests 1000000;
  client_body_temp_path {prefix}/body;
  proxy_temp_path {prefix}/proxy;
  fastcgi_temp_path {prefix}/fastcgi;
  uwsgi_temp_path {prefix}/uwsgi;
  scgi_temp_path {prefix}/scgi;
  server {{ listen 127.0.0.1:{port}; root {site}; etag on; }}
}}
""")
    proc = subprocess.Popen(
        [ensure_nginx(), "-c", str(conf), "-p", str(prefix), "-e", str(prefix / "error.log")]
    )
    for _ in range(50):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return proc
        except OSError:
            time.sleep(0.1)
    proc.kill()
    sys.exit(f"nginx did not start: see {prefix / 'error.log'}")


# -- measuring ----------------------------------------------------------------------------


def measure(command: list[str], cwd: Path, env: dict[str, str]) -> Cost:
    """Wall, CPU and peak RSS of one child process (and what it waited for)."""
    log = cwd / "stderr.log"  # a file, not a pipe: a chatty child must never block on it
    with log.open("wb") as err:
        started = time.perf_counter()
        proc = subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=err)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - started
    code = os.waitstatus_to_exitcode(status)
    if code not in (0, 1):  # 1: urlwatch found changes / some sources errored
        tail = log.read_bytes()[-2000:].decode(errors="replace")
        sys.exit(f"{command[0]} failed ({code}): {tail}")
    return Cost(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024)


class Ours:
    def __init__(self, home: Path, urls: list[str], per_host: int) -> None:
        self.home = home
        home.mkdir(parents=True, exist_ok=True)
        self.db = home / "monitor.db"
        self.env = {**os.environ, "MONITOR_DB": str(self.db)}
        (home / "monitor.toml").write_text(
            f"per_host_delay = 0\nper_host_concurrency = {per_host}\n"
        )
        add_sources(self.db, urls, interval_s=1800, spread=False)

    def round(self) -> Cost:
        return measure([str(MONITOR), "-q", "check", "--json"], self.home, self.env)

    def outcomes(self) -> dict[str, int]:
        with sqlite3.connect(self.db) as db:
            return dict(
                db.execute("SELECT last_outcome, COUNT(*) FROM sources GROUP BY 1").fetchall()
            )


class Warm:
    """The daemon's case: one long-lived process, imports paid once, connections kept.

    It runs in its own process (this script with --warm), so its memory is its own and
    forking the children measured here does not copy it.
    """

    def __init__(self, home: Path, urls: list[str], per_host: int) -> None:
        Ours(home, urls, per_host)
        self.proc = subprocess.Popen(
            [sys.executable, __file__, "--warm", str(home)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )

    def round(self) -> Cost:
        assert self.proc.stdin and self.proc.stdout
        self.proc.stdin.write("round\n")
        self.proc.stdin.flush()
        wall, cpu, peak = map(float, self.proc.stdout.readline().split())
        return Cost(wall, cpu, peak)

    def close(self) -> None:
        if self.proc.stdin:
            self.proc.stdin.close()
        self.proc.wait()


def serve_warm_rounds(home: Path) -> None:
    """One check round per line on stdin; prints wall, CPU and peak RSS (MB) of each."""
    import resource

    from monitor import config, fetch, watch
    from monitor.storage import connect

    settings = config.load(db=home / "monitor.db", config_file=home / "monitor.toml")
    db = connect(settings.db)
    with fetch.make_client(settings) as client:
        for _ in sys.stdin:
            started, cpu = time.perf_counter(), time.process_time()
            watch.check_round(db, client, settings, now=datetime.now(UTC), due_only=False)
            peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            print(time.perf_counter() - started, time.process_time() - cpu, peak, flush=True)


def add_sources(db_path: Path, urls: list[str], *, interval_s: int, spread: bool) -> None:
    """Sources straight through the library, in one transaction."""
    from monitor.storage import connect, transaction

    now = datetime.now(UTC)
    db = connect(db_path)
    with transaction(db):
        for k, url in enumerate(urls):
            due = now + timedelta(seconds=interval_s * k / len(urls)) if spread else now
            db.execute(
                "INSERT INTO sources (kind, locator, interval_s, next_check_at, created_at) "
                "VALUES ('url', ?, ?, ?, ?)",
                [url, interval_s, due.isoformat(), now.isoformat()],
            )
    db.close()


class Urlwatch:
    def __init__(self, home: Path, urls: list[str]) -> None:
        self.home = home
        home.mkdir(parents=True, exist_ok=True)
        self.env = {**os.environ, "HOME": str(home), "XDG_CONFIG_HOME": str(home / ".config")}
        jobs = "---\n".join(
            f"name: p{k}\nurl: {u}\nfilter: html2text\n" for k, u in enumerate(urls)
        )
        (home / "urls.yaml").write_text(jobs)
        binary = URLWATCH_VENV / "bin" / "urlwatch"
        self.command = [
            str(binary),
            "--urls",
            str(home / "urls.yaml"),
            "--config",
            str(home / "urlwatch.yaml"),
            "--hooks",
            str(home / "hooks.py"),
            "--cache",
            str(home / "cache.db"),
        ]

    def round(self) -> Cost:
        return measure(self.command, self.home, self.env)


def ensure_urlwatch() -> None:
    if (URLWATCH_VENV / "bin" / "urlwatch").exists():
        return
    print("installing urlwatch and html2text into", URLWATCH_VENV, flush=True)
    subprocess.run([sys.executable, "-m", "venv", str(URLWATCH_VENV)], check=True)
    pip = [str(URLWATCH_VENV / "bin" / "pip"), "install", "-q", "urlwatch", "html2text"]
    subprocess.run(pip, check=True)


# -- the runs -----------------------------------------------------------------------------


def bench_rounds(n: int, with_urlwatch: bool, per_host: int) -> None:
    base = WORK / f"n{n}"
    shutil.rmtree(base, ignore_errors=True)
    site = Site(base / "site", n)
    port = free_port()
    nginx = start_nginx(base / "site", port)
    urls = [f"http://127.0.0.1:{port}/p{i}.html" for i in range(n)]
    try:
        ours = Ours(base / "ours", urls, per_host)
        warm = Warm(base / "warm", urls, per_host)
        theirs = Urlwatch(base / "urlwatch", urls) if with_urlwatch else None
        print(f"\nN = {n} pages, per_host_concurrency = {per_host}", flush=True)
        first = ours.round()
        print(f"  {'first look':<24} ours {first} | warm {warm.round()}", end="", flush=True)
        if theirs:
            other = theirs.round()
            print(
                f" | urlwatch {other} | ours ×{first.wall / other.wall:.1f} urlwatch's wall"
                f" time, ×{first.cpu / other.cpu:.1f} its CPU",
                end="",
            )
        print(f" | ours: {ours.outcomes()}", flush=True)
        rounds = [
            ("10% edited", lambda: site.edit(0.10, text=True, seed=n + 1)),
            ("10% ads/timestamps only", lambda: site.edit(0.10, text=False, seed=n + 2)),
            ("all 304", lambda: None),
        ]
        for name, change in rounds:
            change()
            mine = ours.round()
            line = f"  {name:<24} ours {mine} | warm {warm.round()}"
            if theirs:
                other = theirs.round()
                memory = mine.peak_mb - other.peak_mb
                line += (
                    f" | urlwatch {other} | wall ×{other.wall / mine.wall:.1f} faster,"
                    f" CPU ×{other.cpu / mine.cpu:.1f}, memory {memory:+.0f} MB"
                )
            print(line, f"| ours: {ours.outcomes()}", flush=True)
        warm.close()
    finally:
        nginx.terminate()
        nginx.wait()


def bench_daemon(n: int, seconds: float) -> None:
    """`monitor run` with N sources due evenly over 30 minutes: the CPU it uses meanwhile."""
    base = WORK / "daemon"
    shutil.rmtree(base, ignore_errors=True)
    Site(base / "site", n)
    port = free_port()
    nginx = start_nginx(base / "site", port)
    home = base / "ours"
    home.mkdir(parents=True)
    db = home / "monitor.db"
    urls = [f"http://127.0.0.1:{port}/p{i}.html" for i in range(n)]
    add_sources(db, urls, interval_s=1800, spread=True)
    (home / "monitor.toml").write_text(
        "per_host_delay = 0\nper_host_concurrency = 4\ntick_interval = 30\n"
    )
    env = {**os.environ, "MONITOR_DB": str(db)}
    proc = subprocess.Popen([str(MONITOR), "run"], cwd=home, env=env, stderr=subprocess.DEVNULL)
    try:
        time.sleep(3)  # start-up is not what is measured
        before, started = _cpu_seconds(proc.pid), time.monotonic()
        time.sleep(seconds)
        used, elapsed = _cpu_seconds(proc.pid) - before, time.monotonic() - started
        rss = _rss_mb(proc.pid)
    finally:
        proc.terminate()
        proc.wait(timeout=60)
        nginx.terminate()
        nginx.wait()
    with sqlite3.connect(db) as conn:
        checked = conn.execute(
            "SELECT COUNT(*) FROM sources WHERE last_check_at IS NOT NULL"
        ).fetchone()[0]
    print(
        f"\ndaemon, {n} sources every 30 min: {checked} checked in {elapsed:.0f} s "
        f"(first fetch of each: full extraction), {100 * used / elapsed:.1f}% of one core, "
        f"RSS {rss:.0f} MB, exit {proc.returncode}",
        flush=True,
    )


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def main() -> None:
    sys.path.insert(0, str(ROOT))
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", default="100,1000")
    parser.add_argument("--daemon-sources", type=int, default=10_000)
    parser.add_argument("--daemon-seconds", type=float, default=90)
    parser.add_argument("--no-urlwatch", action="store_true")
    parser.add_argument("--per-host", type=int, default=1, help="per_host_concurrency")
    parser.add_argument("--warm", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.warm:
        serve_warm_rounds(args.warm)
        return
    WORK.mkdir(parents=True, exist_ok=True)
    for folder in (SHARED, WORK):
        folder.chmod(0o755)
    if not args.no_urlwatch:
        ensure_urlwatch()
    # Both tools run from compiled bytecode, as installed packages do: pip compiled
    # urlwatch's, and an editable checkout under PYTHONDONTWRITEBYTECODE would otherwise
    # compile every module of ours again in every fresh process.
    compileall.compile_dir(ROOT / "monitor", quiet=1)
    try:
        for n in (int(s) for s in args.sizes.split(",") if s):
            bench_rounds(n, not args.no_urlwatch, args.per_host)
        if args.daemon_sources:
            bench_daemon(args.daemon_sources, args.daemon_seconds)
    finally:
        shutil.rmtree(WORK, ignore_errors=True)


if __name__ == "__main__":
    main()
