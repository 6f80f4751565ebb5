"""The README documents every command and starts with the two-command quick start."""

from __future__ import annotations

import click
import pytest
from conftest import ROOT

from monitor.cli import cli

README = (ROOT / "README.md").read_text(encoding="utf-8")


def _commands(group: click.Group, prefix: str = "monitor") -> list[tuple[str, click.Command]]:
    found = []
    for name, command in sorted(group.commands.items()):
        path = f"{prefix} {name}"
        found.append((path, command))
        if isinstance(command, click.Group):
            found.extend(_commands(command, path))
    return found


@pytest.mark.parametrize("path", [path for path, _ in _commands(cli)])
def test_readme_shows_every_command(path: str) -> None:
    assert path in README, f"README.md does not show `{path}`"


def test_quick_start_is_two_commands() -> None:
    quick = README.split("## Quick start", 1)[1].split("##", 1)[0]
    assert "make demo" in quick and "make test" in quick
