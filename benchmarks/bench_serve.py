"""How fast `monitor serve` answers, and how fast it ingests next to `monitor add`.

    .venv/bin/python benchmarks/bench_serve.py

1. On a database of 100,000 documents with positions and shifts (built as in
   bench_positions), a warm server: the dashboard and `/api/shifts?actor=Hezbollah`,
   median of 30 requests each over one kept-alive connection.
2. The same 300 articles of ~750 words as JSON lines: `monitor add FILE.jsonl` (a new
   process, on an empty database) against `POST /api/articles` in batches of 50 (on
   another empty database): articles per second, side by side.
"""

from __future__ import annotations

import json
import os
import random
import re
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from statistics import median

import httpx

from benchmarks.bench_positions import DOCUMENTS, build_database, corpus
from monitor.positions import Engine
from monitor.profile import load

TOKEN = "bench-token"
REQUESTS = 30
ARTICLES = 300
BATCH = 50


@contextmanager
def server(db: Path) -> Iterator[str]:
    """`monitor serve` on a free loopback port, until the block ends."""
    env = {**os.environ, "MONITOR_API_TOKEN": TOKEN}
    process = subprocess.Popen(
        [sys.executable, "-m", "monitor", "--db", str(db), "serve", "--port", "0"],
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    )
    assert process.stdout is not None
    found = re.search(r"http://[\d.]+:\d+", process.stdout.readline())
    assert found, "serve did not start"
    try:
        yield found[0]
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait()


def bench_reads(db: Path) -> None:
    with server(db) as url, httpx.Client(base_url=url, timeout=60) as http:
        for path in ("/", "/api/shifts?actor=Hezbollah"):
            for _ in range(3):  # warm: the first answers fill SQLite's page cache
                http.get(path).raise_for_status()
            timings = []
            for _ in range(REQUESTS):
                start = time.perf_counter()
                answer = http.get(path)
                timings.append(time.perf_counter() - start)
                answer.raise_for_status()
            size = len(answer.content) / 1024
            print(f"  GET {path}: median {median(timings) * 1000:.0f} ms ({size:.0f} KB)")


def bench_ingest(texts: list[str], tmp: Path) -> None:
    records = [
        {"text": t, "url": f"https://wire.example/{n}", "outlet": "Wire", "date": "2025-01-02"}
        for n, t in enumerate(texts)
    ]
    lines = [json.dumps(r) + "\n" for r in records]
    source = tmp / "articles.jsonl"
    source.write_text("".join(lines), encoding="utf-8")
    command = [sys.executable, "-m", "monitor", "--db", str(tmp / "add.db"), "add", str(source)]
    start = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True)
    add_rate = len(texts) / (time.perf_counter() - start)

    headers = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/x-ndjson"}
    with (
        server(tmp / "api.db") as url,
        httpx.Client(base_url=url, headers=headers, timeout=600) as http,
    ):
        start = time.perf_counter()
        stored = 0
        for first in range(0, len(lines), BATCH):
            answer = http.post("/api/articles", content="".join(lines[first : first + BATCH]))
            answer.raise_for_status()
            stored += sum(r["outcome"] == "new" for r in answer.json())
        api_rate = len(texts) / (time.perf_counter() - start)
    assert stored == len(texts), stored
    print(f"  ingest of {len(texts)} articles (~750 words):")
    print(f"    monitor add FILE.jsonl (new process)  {add_rate:6.1f} articles/s")
    print(f"    POST /api/articles, {BATCH} per request   {api_rate:6.1f} articles/s")


def main() -> None:
    rng = random.Random(7)
    engine = Engine(load())
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.db"
        build_database(path, engine, rng)
        print(f"warm server, {DOCUMENTS} documents:")
        bench_reads(path)
        bench_ingest(corpus(rng)[:ARTICLES], Path(tmp))


if __name__ == "__main__":
    main()
