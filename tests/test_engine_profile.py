"""The profile loader: profiles stand alone unless they extend one, issues apply to the
actors they list, frames are checked, today's files keep loading."""

from __future__ import annotations

from pathlib import Path

import pytest
from positions_harness import CENTRAL_BANK_PROFILE, engine

from monitor import profile
from monitor.errors import ConfigError
from monitor.lexicon import for_profile

UNION = """
[profile]
name = "wage"
[actors."Rail Union"]
aliases = ["Rail Union"]
[issues.pay]
actors = ["Rail Union"]
topic = ["offer"]
scale = ["rejects", "conditional", "accepts"]
[issues.pay.stances.rejects]
frames = ["reject"]
"""


def write(tmp_path: Path, text: str, name: str = "extra.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_unknown_key_is_an_error_naming_it(tmp_path: Path) -> None:
    path = write(tmp_path, '[profile]\nextends = "default"\n[actors.Hezbollah]\nalias = ["H"]\n')
    with pytest.raises(ConfigError, match=r"line 4: unknown key actors\.Hezbollah\.alias$"):
        profile.load(path)
    with pytest.raises(ConfigError, match=r"at line 1, column 18"):
        profile.load(write(tmp_path, "[actors.Hezbollah\n"))


def test_a_profile_stands_alone_without_extends(tmp_path: Path) -> None:
    alone = profile.load(write(tmp_path, UNION))
    assert set(alone.actors) == {"Rail Union"} and set(alone.issues) == {"pay"}
    bank = profile.load(CENTRAL_BANK_PROFILE)
    assert "Hezbollah" not in bank.actors and "escalation" not in bank.issues


def test_extends_default_merges_key_by_key(tmp_path: Path) -> None:
    path = write(tmp_path, '[profile]\nextends = "default"\n[actors.Hezbollah]\npeople = ["Abu"]\n')
    merged = profile.load(path)
    assert merged.actors["Hezbollah"].people == ("Abu",)
    assert "escalation" in merged.issues and merged.digest != profile.load().digest
    child = write(tmp_path, '[profile]\nextends = "extra.toml"\n', "child.toml")
    assert profile.load(child).actors["Hezbollah"].people == ("Abu",)


def test_an_old_style_addition_gets_a_one_line_hint(tmp_path: Path) -> None:
    """Profiles written to be merged over the default now say so with `extends`."""
    path = write(tmp_path, '[issues.escalation.stances.war]\ncues = ["war"]\n')
    with pytest.raises(ConfigError, match='add extends = "default"'):
        profile.load(path)


def test_issue_applies_to_its_actors_or_to_anyone_when_it_says_so(tmp_path: Path) -> None:
    issue = profile.load(write(tmp_path, UNION)).issues["pay"]
    assert issue.applies_to("Rail Union") and not issue.applies_to("Ministry")
    anyone = UNION.replace('actors = ["Rail Union"]\n', "any_actor = true\n")
    assert profile.load(write(tmp_path, anyone)).issues["pay"].applies_to("Ministry")
    nobody = UNION.replace('actors = ["Rail Union"]\n', "")
    with pytest.raises(ConfigError, match="lists no actors"):
        profile.load(write(tmp_path, nobody))


def test_frames_and_stances_are_checked(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="unknown frame 'refuse'"):
        profile.load(write(tmp_path, UNION.replace('["reject"]', '["refuse"]')))
    with pytest.raises(ConfigError, match="not on the scale"):
        profile.load(write(tmp_path, UNION + '[issues.pay.stances.war]\ncues = ["war"]\n'))


def test_lexicon_extension_from_profile(tmp_path: Path) -> None:
    path = write(tmp_path, UNION + '[lexicon]\nspeech = ["grumble"]\n')
    assert "grumble" in for_profile(profile.load(path)).speech


def test_a_domain_profile_does_not_drag_in_the_seeds_world() -> None:
    """With the central-bank profile, "urged caution" is no ECB stance on escalation."""
    assert engine("central_bank").claims("Lagarde urged caution.") == []
