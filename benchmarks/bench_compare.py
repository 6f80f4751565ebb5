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
from monitor.text import normalise, sentences

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


def cpu_seconds(runs: int, work: Callable[[], object], *, cold: bool = True) -> float:
    """Median CPU time of `runs` runs: steadier than wall time on a shared machine.
    Cold runs clear the sentence-key cache first, as for a text never seen before."""
    times = []
    for _ in range(runs):
        if cold:
            sentence_key.cache_clear()
        start = time.process_time()
        work()
        times.append(time.process_time() - start)
    return statistics.median(times)


def main() -> None:
    rng = random.Random(7)
    articles = [p.read_text() for p in sorted(SEEDS.glob("*.txt"))]
    pairs = [(text, edited(text, rng)) for text in articles]
    size = statistics.mean(len(a) for a, _ in pairs)

    def all_pairs() -> None:
        for old, new in pairs:
            compare(old, new)

    cold = cpu_seconds(20, all_pairs) / len(pairs)
    warm = cpu_seconds(20, all_pairs, cold=False) / len(pairs)
    print(
        f"article pairs (mean {size / 1000:.1f} KB), CPU time: {1 / cold:,.0f} pairs/s, "
        f"{cold * 1000:.2f} ms/pair; {warm * 1000:.2f} ms/pair when the old version's "
        "sentences were seen before"
    )
    splitting = cpu_seconds(20, lambda: [sentences(normalise(t)) for pair in pairs for t in pair])
    print(f"  of which normalise + sentence splitting: {splitting / len(pairs) * 1000:.2f} ms/pair")
    for distinct in (True, False):
        old, new = big_pair(rng, distinct=distinct)
        seconds = cpu_seconds(3, lambda: compare(old, new))  # noqa: B023 (called right here)
        change = compare(old, new)
        kind = "distinct sentences" if distinct else "most sentences 15 times"
        print(
            f"1 MB pair, {kind} ({len(old) / 1e6:.2f} MB, {len(change.edits):,} edits): "
            f"{seconds:.2f} s CPU — {change.summary}"
        )


if __name__ == "__main__":
    main()
