"""narrative-monitor: watch what named actors say over time."""

__version__ = "0.1.0"
