"""The data each listing returns: one shape for `--json` and for the HTTP API.

The CLI prints these with `dumps` and `monitor serve` answers with them, so a script that
reads `monitor watch list --json` reads `/api/sources` the same way.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from monitor.storage import Connection, maintenance, sources

if TYPE_CHECKING:
    from monitor.actors import ActorFinder
    from monitor.inputs import Item
    from monitor.positions import Engine


def dumps(data: Any, *, indent: int | None = None) -> str:
    """JSON text of a result; dates and other values JSON lacks become strings."""
    return json.dumps(data, indent=indent, ensure_ascii=False, default=str)


def watched_sources(db: Connection, tag: str | None = None) -> list[dict[str, Any]]:
    """Every watched source (or those tagged `tag`) as `watch list` shows it."""
    from monitor import watch

    return [watch.describe(row) for row in watch.by_tag(sources.listing(db), tag)]


def status(
    db: Connection, path: Path | str | None, now: datetime, *, integrity: bool = False
) -> dict[str, Any]:
    """Health figures; `healthy` also needs a passing quick_check when `integrity`."""
    figures = maintenance.health(db, path, now)
    if integrity:
        figures["integrity"] = maintenance.integrity(db)
        figures["healthy"] = figures["healthy"] and figures["integrity"] == "ok"
    return figures


def ingest(
    db: Connection, items: Iterable[Item], *, now: datetime, baseline: bool, engine: Engine
) -> list[dict[str, Any]]:
    """Ingest a batch; one row per input: item, outcome, document, detail."""
    from monitor import pipeline

    results = pipeline.ingest_items(db, items, now=now, baseline=baseline, engine=engine)
    return [r.as_dict() for r in results]


def text_diff(
    db: Connection,
    document: int,
    old: int | None,
    new: int | None,
    actors: ActorFinder | None = None,
) -> dict[str, Any]:
    """What changed between versions `old` and `new` of a stored document (numbered from
    1), or in its latest change when neither is given: the shape of `monitor diff --json`."""
    from monitor import inputs, report
    from monitor.compare import compare

    if old is None and new is None:
        before, after = inputs.latest_two(db, str(document))
    else:
        before = inputs.stored_text(db, f"{document}@{old}" if old else str(document))
        after = inputs.stored_text(db, f"{document}@{new}" if new else str(document))
    change = compare(before[1], after[1], actors=actors)
    return report.change_to_dict(change, old_label=before[0], new_label=after[0])
