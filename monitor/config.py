"""Settings: defaults in code, an optional `monitor.toml`, secrets only from the environment."""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

from monitor.errors import ConfigError

DEFAULT_DB = Path("db/monitor.db")
CONFIG_FILE = Path("monitor.toml")
_INTERVAL = re.compile(r"^\s*(\d+)\s*([smhd]?)\s*$")
_UNITS = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}
_TYPE_NAMES = {int: "a whole number", float: "a number", bool: "true or false", str: "a string"}


@dataclass(frozen=True)
class Settings:
    db: Path | str = DEFAULT_DB  # a SQLite file, or a postgresql:// URL
    profile: Path | None = None
    max_input_bytes: int = 20 * 1024 * 1024  # a larger file is refused, not half-read
    # Fetching: a well-behaved client that never waits or reads without bound.
    user_agent: str = "narrative-monitor/0.1 (page change monitor; honours robots.txt)"
    connect_timeout: float = 10.0
    read_timeout: float = 20.0
    total_timeout: float = 60.0  # for one attempt, however slowly the body trickles in
    max_redirects: int = 5
    max_response_bytes: int = 5 * 1024 * 1024  # larger bodies are cut and flagged
    retries: int = 2  # extra attempts after connect errors, timeouts, 429 and 5xx
    retry_backoff: float = 1.0  # first wait; doubles each retry, with jitter
    max_retry_wait: float = 60.0  # a longer Retry-After is not waited for
    # Watching: how many fetches at once, how politely per host, when a source is failing.
    concurrency: int = 16
    per_host_concurrency: int = 1  # with the delay: one request at a time, a second apart
    per_host_delay: float = 1.0  # seconds between two requests to the same host
    watch_interval: int = 1800  # default for `watch add` without --every
    fail_after: int = 3  # consecutive failures before a source-failing event
    shrink_ratio: float = 0.3  # text shorter than this share of the last one is suspect
    tick_interval: float = 60.0  # how often the daemon looks for due sources
    check_lease: float = 1800.0  # a crashed round's sources are free again after this
    # Pages watched with --browser: the system's Chromium, and how many pages open at once.
    browser_path: str = "chromium"
    browser_pages: int = 2
    # Alert delivery: failed sends wait alert_backoff seconds, doubling, up to the limit of
    # attempts; a claimed delivery not marked within alert_lease seconds is sent again.
    alert_max_attempts: int = 8
    alert_backoff: float = 60.0
    alert_lease: float = 300.0
    alert_timeout: float = 20.0
    # Alert secrets never sit in this file: these name the environment variables holding them.
    smtp_url_env: str = "MONITOR_SMTP_URL"  # smtp://[user:pass@]host:port or smtps://…
    mail_from_env: str = "MONITOR_MAIL_FROM"
    webhook_secret_env: str = "MONITOR_WEBHOOK_SECRET"
    # `monitor serve`: writes need the bearer token held in this environment variable.
    api_token_env: str = "MONITOR_API_TOKEN"
    api_max_body_bytes: int = 10 * 1024 * 1024  # a larger request body is refused unread
    api_ingest_per_minute: int = 120  # article uploads per token; more wait (429)


@dataclass(frozen=True)
class Range:
    """The values a numeric setting may take: from `low` (excluded when `above`) to `high`."""

    low: float
    high: float | None = None
    above: bool = False

    def problem(self, value: float) -> str | None:
        """What is wrong with `value`, or None when it fits."""
        if self.high is not None and not self.low <= value <= self.high:
            return f"must be between {self.low:g} and {self.high:g}, not {value:g}"
        if self.above and value <= self.low:
            return f"must be more than {self.low:g}, not {value:g}"
        if value < self.low:
            return f"must be at least {self.low:g}, not {value:g}"
        return None


_POSITIVE = Range(0, above=True)  # a time of 0 would never wait, or never let go
_NOT_NEGATIVE = Range(0)
_AT_LEAST_ONE = Range(1)
RANGES: dict[str, Range] = {
    "max_input_bytes": _AT_LEAST_ONE,
    "connect_timeout": _POSITIVE,
    "read_timeout": _POSITIVE,
    "total_timeout": _POSITIVE,
    "max_redirects": Range(0, 50),
    "max_response_bytes": Range(1024),  # smaller cuts every page into an error
    "retries": Range(0, 20),
    "retry_backoff": _NOT_NEGATIVE,
    "max_retry_wait": _NOT_NEGATIVE,
    "concurrency": Range(1, 1000),
    "per_host_concurrency": Range(1, 1000),
    "browser_pages": Range(1, 64),  # each page is a Chromium tab: memory, not threads
    "api_max_body_bytes": Range(1024),  # smaller refuses every upload
    "api_ingest_per_minute": Range(1),
    "per_host_delay": _NOT_NEGATIVE,
    "watch_interval": _AT_LEAST_ONE,
    "fail_after": _AT_LEAST_ONE,
    "shrink_ratio": Range(0, 1),
    "tick_interval": _POSITIVE,
    "check_lease": _POSITIVE,
    "alert_max_attempts": _AT_LEAST_ONE,
    "alert_backoff": _NOT_NEGATIVE,
    "alert_lease": _POSITIVE,
    "alert_timeout": _POSITIVE,
}


def load(
    db: str | Path | None = None,
    profile: str | Path | None = None,
    config_file: Path | None = None,
) -> Settings:
    """Defaults, then `monitor.toml` (or `MONITOR_CONFIG`), then `MONITOR_DB`, then arguments."""
    settings = Settings()
    if config_file is None:
        config_file = Path(os.environ.get("MONITOR_CONFIG") or CONFIG_FILE)
    try:
        found = config_file.exists()
    except OSError as exc:  # in a folder this user may not look into
        raise ConfigError(f"{config_file}: {exc}") from exc
    if found:
        settings = _apply_file(settings, config_file)
    if env_db := os.environ.get("MONITOR_DB"):
        settings = replace(settings, db=database(env_db))
    if db is not None:
        settings = replace(settings, db=database(db))
    if profile is not None:
        settings = replace(settings, profile=Path(profile))
    return settings


def _apply_file(settings: Settings, path: Path) -> Settings:
    try:
        data: dict[str, Any] = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{path}: {exc}") from exc
    known = {f.name for f in fields(Settings)}
    values: dict[str, Any] = {}
    for key, value in data.items():
        where = f"{path}, line {line_of(path, key)}"
        if key not in known:
            raise ConfigError(f"{where}: unknown setting {key!r}")
        default = getattr(settings, key)
        if key == "db" and isinstance(value, str):
            value = database(value)
        elif key == "profile":
            value = Path(value)
        elif not _fits(value, default):
            raise ConfigError(
                f"{where}: {key} must be {_TYPE_NAMES.get(type(default), 'a string')}"
            )
        elif key in RANGES and (problem := RANGES[key].problem(value)):
            raise ConfigError(f"{where}: {key} {problem}")
        values[key] = value
    return replace(settings, **values)


def database(value: str | Path) -> Path | str:
    """A postgresql:// URL as it is, a file path as a Path; other URL schemes are refused
    (rather than becoming a file under a folder named after the scheme)."""
    from monitor.storage.dialect import is_postgres

    return str(value) if is_postgres(value) else Path(value)


def _fits(value: Any, default: Any) -> bool:
    expected = (int, float) if isinstance(default, float) else type(default)
    return isinstance(value, bool) == isinstance(default, bool) and isinstance(value, expected)


def line_of(path: Path, key: str) -> int | str:
    """Where `key` is first set in a TOML file, so an error can point at it."""
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if line.strip().startswith((f"{key} ", f"{key}=")):
            return number
    return "?"


def parse_interval(text: str) -> int:
    """Seconds in "90s", "30m", "2h", "1d" or a bare number of seconds."""
    match = _INTERVAL.match(text.lower())
    if not match or int(match[1]) == 0:
        raise ConfigError(f"bad interval {text!r} (use e.g. 30m, 2h, 1d)")
    return int(match[1]) * _UNITS[match[2]]
