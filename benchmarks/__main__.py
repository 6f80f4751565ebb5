"""Run every benchmark (or those named: `python -m benchmarks compare positions`).

Options after the names go to each benchmark run: `python -m benchmarks watch --sizes 1000`.
"""

from __future__ import annotations

import runpy
import sys
from pathlib import Path

HERE = Path(__file__).parent


def main(args: list[str]) -> None:
    split = next((i for i, a in enumerate(args) if a.startswith("-")), len(args))
    names, options = args[:split], args[split:]
    scripts = sorted(HERE.glob("bench_*.py"))
    if names:
        scripts = [s for s in scripts if s.stem.removeprefix("bench_") in names]
    for script in scripts:
        print(f"\n== {script.stem.removeprefix('bench_')} ==", flush=True)
        sys.argv = [str(script), *options]
        runpy.run_path(str(script), run_name="__main__")


if __name__ == "__main__":
    main(sys.argv[1:])
