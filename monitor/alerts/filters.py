"""Which events a channel wants: kinds, shift status, actors, issues, thresholds."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from typing import Any

from monitor.errors import ConfigError

KINDS = ("position-shift", "text-change", "source-failing", "source-recovered")
STATUSES = ("emerging", "confirmed")


@dataclass(frozen=True)
class Filters:
    """Every condition must hold; an empty list means "any".

    Actor and issue filters keep only events that name a matching actor or issue (position
    shifts); tag filters keep only events of watches with one of the tags (text changes,
    source problems); confidence applies to events that carry one, significance to text
    changes.
    """

    kinds: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    actors: tuple[str, ...] = ()
    issues: tuple[str, ...] = ()
    min_confidence: float = 0.0
    min_significance: float = 0.0
    tags: tuple[str, ...] = ()

    @classmethod
    def build(
        cls,
        kinds: Iterable[str] = (),
        statuses: Iterable[str] = (),
        actors: Iterable[str] = (),
        issues: Iterable[str] = (),
        min_confidence: float = 0.0,
        min_significance: float = 0.0,
        tags: Iterable[str] = (),
    ) -> Filters:
        """Validated filters; a bad value raises ConfigError naming it."""
        return cls(
            kinds=_choices(kinds, KINDS, "event kind"),
            statuses=_choices(statuses, STATUSES, "shift status"),
            actors=tuple(sorted({a.strip() for a in actors if a.strip()})),
            issues=tuple(sorted({i.strip() for i in issues if i.strip()})),
            min_confidence=_share(min_confidence, "minimum confidence"),
            min_significance=_share(min_significance, "minimum significance"),
            tags=tuple(sorted({t.strip() for t in tags if t.strip()})),
        )

    @classmethod
    def from_json(cls, text: str) -> Filters:
        data = json.loads(text or "{}")
        return cls.build(**data)

    def to_json(self) -> str:
        """Canonical: the same filters always give the same text (channels compare by it)."""
        defaults = Filters()
        data = {k: v for k, v in asdict(self).items() if v != getattr(defaults, k)}
        return json.dumps(data, sort_keys=True)

    def match(self, kind: str, payload: Mapping[str, Any]) -> bool:
        if self.kinds and kind not in self.kinds:
            return False
        if (
            self.statuses
            and kind == "position-shift"
            and payload.get("status") not in self.statuses
        ):
            return False
        if self.actors and not _named(payload.get("actor"), self.actors):
            return False
        if self.issues and not _named(payload.get("issue"), self.issues):
            return False
        if self.tags and not set(self.tags) & set(payload.get("tags") or ()):
            return False
        confidence = payload.get("confidence")
        if isinstance(confidence, int | float) and confidence < self.min_confidence:
            return False
        significance = payload.get("significance")
        return not (
            kind == "text-change"
            and isinstance(significance, int | float)
            and significance < self.min_significance
        )

    def describe(self) -> str:
        """One line for `alerts list`."""
        parts = [
            ",".join(self.kinds) or "all events",
            ",".join(self.statuses),
            "actor " + ",".join(self.actors) if self.actors else "",
            "issue " + ",".join(self.issues) if self.issues else "",
            "tag " + ",".join(self.tags) if self.tags else "",
            f"confidence ≥ {self.min_confidence:g}" if self.min_confidence else "",
            f"significance ≥ {self.min_significance:g}" if self.min_significance else "",
        ]
        return "; ".join(p for p in parts if p)


def _choices(values: Iterable[str], allowed: tuple[str, ...], what: str) -> tuple[str, ...]:
    chosen = {v.strip().lower() for v in values}
    for value in sorted(chosen):
        if value not in allowed:
            raise ConfigError(f"unknown {what} {value!r} (choose from {', '.join(allowed)})")
    return tuple(v for v in allowed if v in chosen)


def _share(value: float, what: str) -> float:
    if not 0.0 <= float(value) <= 1.0:
        raise ConfigError(f"{what} must be between 0 and 1, not {value}")
    return float(value)


def _named(value: object, wanted: tuple[str, ...]) -> bool:
    return isinstance(value, str) and value.casefold() in {w.casefold() for w in wanted}
