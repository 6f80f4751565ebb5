"""The read side of the position engine: shifts, timelines, actors, issues, drift.

Each function returns plain data (lists of dicts, the JSON shapes of DESIGN §5) that the
CLI prints and `report` renders; nothing here writes.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterable
from datetime import date
from typing import TYPE_CHECKING, Any

from monitor.errors import ConfigError, NotFoundError
from monitor.profile import Profile
from monitor.storage import Connection
from monitor.storage import positions as store
from monitor.text import comparable, count

if TYPE_CHECKING:
    from monitor.positions import Engine

_PERIOD = re.compile(r"^(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?$")


def list_shifts(
    db: Connection,
    profile: Profile,
    *,
    actor: str | None = None,
    issue: str | None = None,
    since: date | None = None,
    until: date | None = None,
    min_confidence: float = 0.0,
) -> list[dict[str, Any]]:
    """Stored shifts as DESIGN §5 objects, oldest first; names are checked."""
    actor = resolve_actor(profile, actor) if actor else None
    issue = resolve_issue(profile, issue) if issue is not None else None
    rows = store.shift_rows(db, actor, issue, since, until, min_confidence)
    return [_shift_object(row) for row in rows]


def timelines(
    db: Connection, profile: Profile, actor: str | None = None, *, min_confidence: float = 0.0
) -> list[dict[str, Any]]:
    """Positions per (actor, issue), each a list of dated stances with evidence."""
    actor = resolve_actor(profile, actor) if actor else None
    grouped: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for row in store.position_rows(db, actor):
        if row["confidence"] < min_confidence:
            continue
        grouped.setdefault((row["actor"], row["issue"]), []).append(
            {
                k: row[k]
                for k in ("date", "stance", "confidence", "evidence", "document", "outlet", "title")
            }
        )
    return [
        {
            "actor": a,
            "issue": i,
            "scale": [s.name for s in profile.issues[i].scale] if i in profile.issues else [],
            "positions": points,
        }
        for (a, i), points in grouped.items()
    ]


def actors(db: Connection | None, profile: Profile) -> list[dict[str, Any]]:
    """The profile's actors with their aliases and what the database (if any) holds."""
    counts = store.actor_counts(db) if db is not None else {}
    return [
        {
            "actor": a.name,
            "kind": a.kind,
            "aliases": [x for x in a.aliases if x != a.name],
            "people": list(a.people),
            "documents": counts.get(a.name, {}).get("documents", 0),
            "shifts": counts.get(a.name, {}).get("shifts", 0),
            "last": counts.get(a.name, {}).get("last"),
        }
        for a in profile.actors.values()
    ]


def issues(profile: Profile) -> list[dict[str, Any]]:
    """The profile's issues: question, scale, who they apply to, cue counts, examples."""
    return [
        {
            "issue": i.name,
            "question": i.question,
            "scale": [s.name for s in i.scale],
            "actors": list(i.actors) or ["any"],
            "conditional": i.conditional,
            "cues": {s.name: len(s.cues) for s in i.scale},
            "examples": {s.name: list(s.examples) for s in i.scale if s.examples},
        }
        for i in profile.issues.values()
    ]


def drift(
    db: Connection, engine: Engine, actor: str, before: str, after: str, *, top: int = 15
) -> dict[str, Any]:
    """Phrases that grew and shrank in sentences about `actor` between two periods."""
    # listings of shifts need none of the drift maths
    from monitor.drift import SIGNIFICANT_Z, talking_points

    name = resolve_actor(engine.profile, actor)
    texts = {}
    for side, period in (("from", before), ("to", after)):
        documents = store.period_texts(db, *parse_period(period))
        texts[side] = _sentences_about(engine, name, documents)
        if not texts[side]:
            raise NotFoundError(
                f"{period} holds no text about {name} "
                f"({count(len(documents), 'document')} dated then; see `monitor list`)"
            )
    grew, shrank = talking_points(
        texts["from"], texts["to"], top=top, exclude=own_words(engine.profile, name)
    )
    return {
        "actor": name,
        "min_z": SIGNIFICANT_Z,
        "from": {"period": before, "sentences": len(texts["from"])},
        "to": {"period": after, "sentences": len(texts["to"])},
        "grew": [vars(p) for p in grew],
        "shrank": [vars(p) for p in shrank],
    }


def own_words(profile: Profile, actor: str) -> frozenset[str]:
    """The words of an actor's own names, aliases, people and adjectives ("qassem"): never
    a talking point of that actor, since they are how its sentences were found."""
    known = profile.actors[actor]
    names = (known.name, *known.aliases, *known.people, *known.adjectives)
    return frozenset(word for n in names for word in comparable(n).split())


def resolve_actor(profile: Profile, name: str) -> str:
    """An actor by name or alias, any case ("hezbollah", "Qassem" -> "Hezbollah")."""
    wanted = name.strip().lower()
    for actor in profile.actors.values():
        if wanted in (n.lower() for n in (actor.name, *actor.aliases, *actor.people)):
            return actor.name
    raise NotFoundError(f"no actor {name!r} in the profile (see `monitor actors`)")


def resolve_issue(profile: Profile, name: str) -> str:
    """An issue by its name in the profile."""
    if name not in profile.issues:
        raise NotFoundError(f"no issue {name!r} in the profile (see `monitor issues`)")
    return name


def resolve_names(
    profile: Profile, actors: Iterable[str] = (), issues: Iterable[str] = ()
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Actors and issues as the profile names them, checked as `diff --actor/--issue` checks
    them, so a filter never waits for a name that cannot come."""
    return (
        tuple(resolve_actor(profile, a) for a in actors),
        tuple(resolve_issue(profile, i) for i in issues),
    )


def parse_period(text: str) -> tuple[date, date]:
    """ "2024", "2024-10", "2024-10-04" or "2024-01-01..2024-06-30" -> first and last day."""
    text = text.strip()
    if ".." in text:
        start, end = text.split("..", 1)
        return parse_period(start)[0], parse_period(end)[1]
    match = _PERIOD.match(text)
    if not match:
        raise ConfigError(f"period {text!r}: use YYYY, YYYY-MM, YYYY-MM-DD or A..B")
    year, month, day = (int(g) if g else None for g in match.groups())
    assert year is not None
    try:
        if day is not None and month is not None:
            return date(year, month, day), date(year, month, day)
        if month is not None:
            return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])
    except ValueError as exc:
        raise ConfigError(f"period {text!r}: {exc}") from exc
    return date(year, 1, 1), date(year, 12, 31)


def _sentences_about(engine: Engine, actor: str, texts: list[str]) -> list[str]:
    from monitor.text import sentences

    return [
        s.text
        for text in texts
        for s in sentences(text)
        if any(m.actor == actor for m in engine.finder.names(s.text))
    ]


def _shift_object(row: dict[str, Any]) -> dict[str, Any]:
    def side(prefix: str) -> dict[str, Any]:
        return {
            "stance": row[f"{prefix}_stance"],
            "date": row[f"{prefix}_date"],
            "document": row[f"{prefix}_document"],
            "outlet": row[f"{prefix}_outlet"],
            "evidence": row[f"{prefix}_evidence"],
        }

    return {
        "actor": row["actor"],
        "issue": row["issue"],
        "status": row["status"],
        "confidence": row["confidence"],
        "from": side("from"),
        "to": side("to"),
    }


def explain_document(
    db: Connection, engine: Engine, ref: str, actor: str | None = None
) -> list[dict[str, Any]]:
    """The claims the engine reads in a stored document's current text, with their reasons."""
    from monitor.engine.explain import explain
    from monitor.storage import documents

    document = documents.get(db, ref)
    text = documents.version(db, document["current_version_id"])["text"]
    return explain(engine, text, resolve_actor(engine.profile, actor) if actor else None)


def explain_timelines(db: Connection, engine: Engine, found: list[dict[str, Any]]) -> None:
    """Add to each position the claims of its document that made it (`positions --explain`)."""
    from monitor.engine.explain import explain
    from monitor.storage import documents

    texts: dict[int, str] = {}
    for timeline in found:
        for point in timeline["positions"]:
            doc = point["document"]
            if doc not in texts:
                current = documents.get(db, str(doc))["current_version_id"]
                texts[doc] = documents.version(db, current)["text"]
            point["claims"] = [
                c
                for c in explain(engine, texts[doc], timeline["actor"])
                if c["issue"] == timeline["issue"]
            ]
