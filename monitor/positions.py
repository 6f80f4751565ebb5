"""The position engine's public face for the modules that only run it (see `monitor.engine`)."""

from monitor.engine import MIN_CONFIDENCE, Engine, default_engine, position, positions

__all__ = ["MIN_CONFIDENCE", "Engine", "default_engine", "position", "positions"]
