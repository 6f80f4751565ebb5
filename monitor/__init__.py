"""narrative-monitor: watch what named actors say over time."""

__version__ = "0.1.0"
ENGINE_VERSION = "2"  # bump when the position engine changes: stored results are recomputed


def analysis_version(profile_digest: str) -> str:
    """What stored claims, positions and shifts were computed with: engine and profile.

    Here rather than in `positions`, so checking it loads none of the engine."""
    return f"{ENGINE_VERSION}:{profile_digest}"
