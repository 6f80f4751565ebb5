"""Benchmarks: each `bench_*.py` module prints its own figures; `python -m benchmarks` runs all."""
