"""How fast compare() is: article pairs per second, and one pair of 1 MB texts.

    .venv/bin/python benchmarks/bench_compare.py

Pairs are built from the seed articles with realistic edits: a sentence negated, a
sentence added, an ad line and a timestamp inserted. The 1 MB pairs repeat the seeds
with 300 edited and 50 deleted lines.
"""

from __future__ import annotations

import random
import statistics
import time
from collections.abc import Callable
from pathlib import Path

from monitor.compare import compare, sentence_key

SEEDS = Path(__file__).resolve().parent.parent / "seeds"


def edited(text: str, rng: random.Random) -> str:
    lines = text.split("\n")
    spots = [i for i, line in enumerate(lines) if " will " in line] or [0]
    at = rng.choice(spots)
    lines[at] = lines[at].replace(" will ", " will not ", 1)
    lines.insert(rng.randrange(len(lines) + 1), "The ministry confirmed the figures on Sunday.")
    lines.insert(rng.randrange(len(lines) + 1), "Advertisement")
    lines.insert(0, f"Updated {rng.randint(2, 59)} minutes ago")
    return "\n".join(lines)


def big_pair(rng: random.Random, *, distinct: bool, size: int = 1_000_000) -> tuple[str, str]:
    """The seeds repeated to `size`, with 300 lines edited and 50 deleted. Each line is
    numbered, so its last sentence is distinct; `distinct` numbers every sentence, as in
    a real long text. Without it the other sentences recur once per copy of the seeds."""
    base = [line for path in sorted(SEEDS.glob("*.txt")) for line in path.read_text().split("\n")]
    lines: list[str] = []
    while sum(map(len, lines)) < size:
        for line in base:
            mark = f" ({len(lines)})"
            numbered = line.replace(". ", f"{mark}. ") if distinct else line
            lines.append(numbered + mark if line else line)
    new = lines[:]
    for index in rng.sample(range(len(new)), 300):
        new[index] = new[index].replace(" the ", " a ", 1)
    for index in sorted(rng.sample(range(len(new)), 50), reverse=True):
        del new[index]
    return "\n".join(lines), "\n".join(new)


def best_of(runs: int, work: Callable[[], object]) -> float:
    """Median wall time of `runs` cold runs (the sentence-key cache cleared each time)."""
    times = []
    for _ in range(runs):
        sentence_key.cache_clear()
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    rng = random.Random(7)
    articles = [p.read_text() for p in sorted(SEEDS.glob("*.txt"))]
    pairs = [(text, edited(text, rng)) for text in articles]
    size = statistics.mean(len(a) for a, _ in pairs)

    def all_pairs() -> None:
        for old, new in pairs:
            compare(old, new)

    per_round = best_of(20, all_pairs)
    print(
        f"article pairs (mean {size / 1000:.1f} KB): {len(pairs) / per_round:,.0f} pairs/s, "
        f"{per_round / len(pairs) * 1000:.2f} ms/pair (cold key cache)"
    )
    warm = []
    for _ in range(20):
        start = time.perf_counter()
        all_pairs()
        warm.append(time.perf_counter() - start)
    print(
        f"  warm key cache (old version seen before): "
        f"{statistics.median(warm) / len(pairs) * 1000:.2f} ms/pair"
    )

    for distinct in (True, False):
        old, new = big_pair(rng, distinct=distinct)
        seconds = best_of(3, lambda: compare(old, new))  # noqa: B023 (called right here)
        change = compare(old, new)
        kind = "distinct sentences" if distinct else "most sentences 15 times"
        print(
            f"1 MB pair, {kind} ({len(old) / 1e6:.2f} MB, {len(change.edits):,} edits): "
            f"{seconds:.2f} s — {change.summary}"
        )


if __name__ == "__main__":
    main()
