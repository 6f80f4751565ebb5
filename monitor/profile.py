"""Actor and issue profiles: TOML files that describe a world without touching the code.

Without `--profile` the packaged `profiles/default.toml` is used. A user's profile stands
alone unless it says `extends = "default"` (or names another profile file), which merges
it key by key over that one. Every key is checked, so a typo is an error that names it
instead of a silently ignored setting. The format is described in docs/profiles.md.
"""

from __future__ import annotations

import hashlib
import json
import re
import tomllib
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from monitor.config import line_of
from monitor.errors import ConfigError
from monitor.lexicon import FRAMES, Lexicon, frames_named

PROFILES_DIR = Path(__file__).parent / "profiles"
DEFAULT_PROFILE = PROFILES_DIR / "default.toml"

_TOP_KEYS = {"profile", "lexicon", "actors", "issues"}
_PROFILE_KEYS = {"name", "description", "extends"}
_ACTOR_KEYS = {"kind", "aliases", "people", "adjectives", "anaphora", "description"}
_ISSUE_KEYS = {"question", "actors", "any_actor", "scale", "conditional", "topic", "stances"}
_STANCE_KEYS = {"cues", "frames", "examples", "description", "negated"}
# A profile's [lexicon] may extend any of the word lists the engine reads.
_LEXICON_KEYS = {f.name for f in fields(Lexicon)}


@dataclass(frozen=True)
class Actor:
    name: str
    kind: str
    aliases: tuple[str, ...]
    people: tuple[str, ...]
    adjectives: tuple[str, ...]  # demonyms: "Israeli" names the actor only before an agent noun
    anaphora: tuple[str, ...]  # "the group", "the movement": resolve to this actor when recent

    @property
    def kind_noun(self) -> str:
        """The noun the kind ends in: "central_bank" -> "bank" ("the bank" refers back)."""
        words = re.split(r"[\s_\-]+", self.kind.strip().lower())
        return words[-1] if words else ""


@dataclass(frozen=True)
class Stance:
    name: str
    cues: tuple[str, ...]
    frames: tuple[str, ...]  # general frames (lexicon.FRAMES) aimed at a topic term
    examples: tuple[str, ...]
    negated: str | None  # what a negated cue means ("will not cut" = hold); default: mirror


@dataclass(frozen=True)
class Issue:
    name: str
    question: str
    actors: tuple[str, ...]  # who may hold a position on it
    scale: tuple[Stance, ...]  # ordered from one pole to the other
    conditional: str | None  # the stance a conditional statement takes, if the scale has one
    topic: tuple[str, ...]  # subject terms: a frame counts only when aimed at one
    any_actor: bool = False  # anyone may hold a position on it, not only `actors`

    def index(self, stance: str) -> int:
        return [s.name for s in self.scale].index(stance)

    def negation(self, index: int) -> int:
        """The stance a negated cue of stance `index` takes: its `negated`, else the mirror;
        a denied condition ("no longer open to a compromise") is the refusing pole."""
        target = self.scale[index].negated
        if target:
            return self.index(target)
        stance = self.scale[index]
        if stance.name == self.conditional and not stance.frames:
            refusing = [
                i for i, s in enumerate(self.scale) if {"reject", "abandon"} & set(s.frames)
            ]
            if refusing:
                return refusing[0]
        return len(self.scale) - 1 - index

    def score(self, stance: str) -> float:
        """Position along the scale, -1 at the first pole to 1 at the last."""
        if len(self.scale) == 1:
            return 0.0
        return -1.0 + 2.0 * self.index(stance) / (len(self.scale) - 1)

    def applies_to(self, actor: str) -> bool:
        return self.any_actor or actor in self.actors


@dataclass(frozen=True)
class Profile:
    name: str
    actors: dict[str, Actor]
    issues: dict[str, Issue]
    lexicon: dict[str, tuple[str, ...]]  # additions to the English function-word lists
    digest: str  # changes whenever anything that affects analysis changes


def load(path: str | Path | None = None) -> Profile:
    """The profile at `path` (the packaged default without one), merged over what it extends."""
    return build(_resolved(Path(path) if path is not None else DEFAULT_PROFILE, ()))


def _resolved(path: Path, seen: tuple[Path, ...]) -> dict[str, Any]:
    data = read(path)
    base = data.get("profile", {}).get("extends")
    if base is None:
        if not data.get("actors"):
            raise ConfigError(
                f'profile {path}: no actors; add extends = "default" under [profile] '
                "to build on the default profile"
            )
        return data
    if not isinstance(base, str):
        raise ConfigError(f"profile {path}: profile.extends must be a string")
    target = DEFAULT_PROFILE if base == "default" else (path.parent / base).resolve()
    if target in seen:
        raise ConfigError(f"profile {path}: profile.extends makes a loop")
    return merge(_resolved(target, (*seen, path.resolve())), data)


def read(path: Path) -> dict[str, Any]:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"profile {path}: {exc.strerror or exc}") from exc
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"profile {path}: {exc}") from exc
    _check_keys(data, path)
    return data


def merge(base: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    """Tables merge key by key (so a user can add one cue list); any other value replaces."""
    merged = dict(base)
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(base.get(key), dict):
            merged[key] = merge(base[key], value)
        else:
            merged[key] = value
    return merged


def build(data: dict[str, Any]) -> Profile:
    actors = {name: _actor(name, spec) for name, spec in data.get("actors", {}).items()}
    issues = {name: _issue(name, spec, actors) for name, spec in data.get("issues", {}).items()}
    lexicon = {
        key: tuple(_strings(value, f"lexicon.{key}"))
        for key, value in data.get("lexicon", {}).items()
    }
    if not actors:
        raise ConfigError("profile: no actors defined")
    name = str(data.get("profile", {}).get("name", "custom"))
    canonical = json.dumps(data, sort_keys=True, ensure_ascii=False)
    digest = hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:16]
    return Profile(name, actors, issues, lexicon, digest)


def _check_keys(data: dict[str, Any], path: Path) -> None:
    def unknown(where: str, table: Any, allowed: set[str]) -> None:
        if not isinstance(table, dict):
            raise ConfigError(f"profile {path}: {where} must be a table")
        for key in table:
            if key not in allowed:
                raise ConfigError(
                    f"profile {path}, line {line_of(path, key)}: "
                    f"unknown key {where + '.' if where else ''}{key}"
                )

    unknown("", data, _TOP_KEYS)
    unknown("profile", data.get("profile", {}), _PROFILE_KEYS)
    unknown("lexicon", data.get("lexicon", {}), _LEXICON_KEYS)
    for name, spec in data.get("actors", {}).items():
        unknown(f"actors.{name}", spec, _ACTOR_KEYS)
    for name, spec in data.get("issues", {}).items():
        unknown(f"issues.{name}", spec, _ISSUE_KEYS)
        for stance, stance_spec in spec.get("stances", {}).items():
            unknown(f"issues.{name}.stances.{stance}", stance_spec, _STANCE_KEYS)


def _strings(value: Any, where: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise ConfigError(f"profile: {where} must be a list of non-empty strings")
    return [v.strip() for v in value]


def _actor(name: str, spec: dict[str, Any]) -> Actor:
    where = f"actors.{name}"
    return Actor(
        name=name,
        kind=str(spec.get("kind", "organisation")),
        aliases=tuple(
            dict.fromkeys([name, *_strings(spec.get("aliases", []), f"{where}.aliases")])
        ),
        people=tuple(_strings(spec.get("people", []), f"{where}.people")),
        adjectives=tuple(_strings(spec.get("adjectives", []), f"{where}.adjectives")),
        anaphora=tuple(a.lower() for a in _strings(spec.get("anaphora", []), f"{where}.anaphora")),
    )


def _issue(name: str, spec: dict[str, Any], actors: dict[str, Actor]) -> Issue:
    where = f"issues.{name}"
    scale_names = _strings(spec.get("scale", []), f"{where}.scale")
    if len(scale_names) < 2 or len(set(scale_names)) != len(scale_names):
        raise ConfigError(f"profile: {where}.scale needs at least two distinct stances")
    stances_spec = spec.get("stances", {})
    for stance in stances_spec:
        if stance not in scale_names:
            raise ConfigError(f"profile: {where}.stances.{stance} is not on the scale")
    scale = tuple(_stance(s, stances_spec.get(s, {}), f"{where}.stances.{s}") for s in scale_names)
    for stance in scale:
        if stance.negated is not None and stance.negated not in scale_names:
            raise ConfigError(f"profile: {where}.stances.{stance.name}.negated is not on the scale")
    if not any(s.cues or s.frames for s in scale):
        raise ConfigError(f"profile: {where} has no cues or frames for any stance")
    issue_actors = tuple(_strings(spec.get("actors", []), f"{where}.actors"))
    any_actor = spec.get("any_actor", False)
    if not isinstance(any_actor, bool):
        raise ConfigError(f"profile: {where}.any_actor must be true or false")
    if not issue_actors and not any_actor:
        raise ConfigError(
            f"profile: {where} lists no actors: add actors = [...] or any_actor = true"
        )
    for actor in issue_actors:
        if actor not in actors:
            raise ConfigError(f"profile: {where}.actors names unknown actor {actor!r}")
    conditional = spec.get("conditional")
    if conditional is not None and conditional not in scale_names:
        raise ConfigError(f"profile: {where}.conditional {conditional!r} is not on the scale")
    return Issue(
        name=name,
        question=str(spec.get("question", "")),
        actors=issue_actors,
        scale=scale,
        conditional=conditional,
        topic=tuple(_strings(spec.get("topic", []), f"{where}.topic")),
        any_actor=any_actor,
    )


def _stance(name: str, spec: dict[str, Any], where: str) -> Stance:
    negated = spec.get("negated")
    return Stance(
        name=name,
        cues=tuple(_strings(spec.get("cues", []), f"{where}.cues")),
        frames=tuple(
            dict.fromkeys(_frames(spec.get("frames", []), f"{where}.frames") + frames_named(name))
        ),
        examples=tuple(_strings(spec.get("examples", []), f"{where}.examples")),
        negated=str(negated) if negated is not None else None,
    )


def _frames(value: Any, where: str) -> tuple[str, ...]:
    names = _strings(value, where)
    for name in names:
        if name not in FRAMES:
            raise ConfigError(
                f"profile: {where} names unknown frame {name!r} ({', '.join(FRAMES)})"
            )
    return tuple(names)
