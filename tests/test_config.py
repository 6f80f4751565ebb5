"""monitor.toml: known keys with the right types; anything else is an error naming key and line."""

from __future__ import annotations

from dataclasses import fields
from pathlib import Path

import pytest

from monitor import config
from monitor.errors import ConfigError


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "monitor.toml"
    path.write_text(text)
    return path


def test_file_then_env_then_arguments(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = _write(tmp_path, 'db = "from-file.db"\nconcurrency = 4\nretry_backoff = 2\n')
    monkeypatch.delenv("MONITOR_DB", raising=False)
    monkeypatch.setenv("MONITOR_CONFIG", str(path))
    settings = config.load()
    assert (settings.db, settings.concurrency, settings.retry_backoff) == (
        Path("from-file.db"),
        4,
        2,
    )
    monkeypatch.setenv("MONITOR_DB", "from-env.db")
    assert config.load().db == Path("from-env.db")
    assert config.load(db="given.db").db == Path("given.db")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("concurrency = 4\nconcurency = 8\n", "line 2: unknown setting 'concurency'"),
        ('concurrency = "many"\n', "line 1: concurrency must be a whole number"),
        ("retries = true\n", "line 1: retries must be a whole number"),
        ("retries = \n", "Invalid value (at line 1, column 11)"),
    ],
)
def test_bad_settings_name_the_key_and_line(tmp_path: Path, text: str, message: str) -> None:
    path = _write(tmp_path, text)
    with pytest.raises(ConfigError, match=message.replace("(", r"\(").replace(")", r"\)")):
        config.load(config_file=path)


def test_bad_config_is_one_line_through_the_cli(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from monitor.cli import cli

    path = _write(tmp_path, "colour = 'red'\n")
    result = CliRunner(env={"MONITOR_CONFIG": str(path)}).invoke(cli, ["list"])
    assert result.exit_code == 1
    assert result.stderr == f"error: {path}, line 1: unknown setting 'colour'\n"


def test_parse_interval() -> None:
    assert [config.parse_interval(t) for t in ("90s", "30m", "1h", "2d", "45")] == [
        90,
        1800,
        3600,
        172800,
        45,
    ]
    for bad in ("0m", "1w", "soon", ""):
        with pytest.raises(ConfigError):
            config.parse_interval(bad)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("concurrency = 0\n", "line 1: concurrency must be between 1 and 1000, not 0"),
        (
            "retries = 1\nconcurrency = -5\n",
            "line 2: concurrency must be between 1 and 1000, not -5",
        ),
        ("max_response_bytes = 0\n", "line 1: max_response_bytes must be at least 1024, not 0"),
        ("per_host_delay = -1.5\n", "line 1: per_host_delay must be at least 0, not -1.5"),
        ("check_lease = 0\n", "line 1: check_lease must be more than 0, not 0"),
        ("alert_lease = -300\n", "line 1: alert_lease must be more than 0, not -300"),
        ("watch_interval = 0\n", "line 1: watch_interval must be at least 1, not 0"),
        ("shrink_ratio = 1.5\n", "line 1: shrink_ratio must be between 0 and 1, not 1.5"),
    ],
)
def test_out_of_range_settings_are_one_line_through_the_cli(
    tmp_path: Path, text: str, message: str
) -> None:
    from click.testing import CliRunner

    from monitor.cli import cli

    path = _write(tmp_path, text)
    db = tmp_path / "monitor.db"
    result = CliRunner(env={"MONITOR_CONFIG": str(path)}).invoke(cli, ["--db", str(db), "check"])
    assert result.exit_code == 1
    assert result.stderr == f"error: {path}, {message}\n"
    assert not db.exists()


def test_every_numeric_setting_has_a_range_its_default_is_in() -> None:
    defaults = config.Settings()
    for field in fields(config.Settings):
        value = getattr(defaults, field.name)
        if isinstance(value, int | float):
            assert field.name in config.RANGES, f"{field.name} has no range"
            assert config.RANGES[field.name].problem(value) is None, field.name
