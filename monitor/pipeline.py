"""The order of the steps: store a version, compare it, analyse it, emit events.

This is the only module that knows that order; `monitor add`, `monitor seed` and every
watched source go through `ingest`.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from itertools import islice
from typing import TYPE_CHECKING, Any, TypeVar

from monitor.alerts import outbox
from monitor.compare import compare
from monitor.drift import shift_key, shifts
from monitor.errors import MonitorError, StorageError
from monitor.models import Document, Event, Outcome, Shift, TextChange
from monitor.positions import Engine, default_engine, positions
from monitor.storage import Connection, DatabaseGone, documents, sources, transaction
from monitor.storage import positions as position_store
from monitor.text import text_hash

if TYPE_CHECKING:
    from monitor.inputs import Item

# The extraction a version was made by. "2" keeps link-only paragraphs of the article body,
# repairs mojibake and reads the opening title line as the headline: a page stored by "1"
# may differ by that alone on its next check, so that first difference is recorded but
# not alerted.
PIPELINE_VERSION = "2"
BATCH = 200  # documents analysed ahead together (see `Engine.prepare`)
T = TypeVar("T")


@dataclass(frozen=True)
class IngestResult:
    outcome: Outcome
    document_id: int
    version_id: int
    change: TextChange | None = None
    detail: str = ""


@dataclass(frozen=True)
class ItemResult:
    """What happened to one input of a batch: an ingest outcome or the reason it failed."""

    label: str
    outcome: Outcome
    document_id: int | None = None
    detail: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "item": self.label,
            "outcome": self.outcome,
            "document": self.document_id,
            "detail": self.detail,
        }


def ingest_items(
    db: Connection,
    items: Iterable[Item],
    *,
    now: datetime,
    baseline: bool = False,
    engine: Engine | None = None,
) -> list[ItemResult]:
    """Ingest each item in its own transaction; a failed item never stops the batch.
    The texts of each batch of items are analysed together (on every core when there is
    much to parse) while the batch before is stored."""
    results: list[ItemResult] = []
    for batch in ahead(db, engine, batches(items), lambda b: [i.document for i in b if i.document]):
        results += [_ingest_item(db, item, now, baseline, engine) for item in batch]
    return results


def batches(things: Iterable[T], size: int = BATCH) -> Iterator[list[T]]:
    """`things` in lists of `size` (the last one shorter)."""
    it = iter(things)
    while batch := list(islice(it, size)):
        yield batch


def ahead(
    db: Connection,
    engine: Engine | None,
    groups: Iterable[list[T]],
    documents_of: Callable[[list[T]], list[Document]],
) -> Iterator[list[T]]:
    """Each group once the analysis of its new texts has started (`prepare`), a group
    behind: the next group's texts are read in worker processes while the caller stores
    this one. Workers still running when the caller stops are ended."""
    previous: list[T] | None = None
    used: Engine | None = None
    try:
        for group in groups:
            used = prepare(db, engine, documents_of(group)) or used
            if previous is not None:
                yield previous
            previous = group
        if previous is not None:
            yield previous
    finally:
        if used is not None:
            used.close()


def prepare(db: Connection, engine: Engine | None, batch: Sequence[Document]) -> Engine | None:
    """Start analysing the texts of `batch` that ingesting will analyse: those stored
    nowhere yet (a text stored before is unchanged, a duplicate or a revert). Returns the
    engine that does it, if there was anything to do."""
    texts = [d.text for d in batch if documents.version_with_hash(db, text_hash(d.text)) is None]
    if not texts:
        return None
    engine = engine or default_engine()
    engine.prepare(texts)
    return engine


def _ingest_item(
    db: Connection, item: Item, now: datetime, baseline: bool, engine: Engine | None
) -> ItemResult:
    if item.document is None:
        return ItemResult(item.label, "error", detail=item.error or "unreadable")
    try:
        done = ingest(db, item.document, now=now, baseline=baseline, engine=engine)
    except DatabaseGone:  # not this item's fault: the rest would fail the same way
        raise
    except MonitorError as exc:
        return ItemResult(item.label, "error", detail=str(exc))
    detail = done.detail or _date_note(db, item, done.document_id)
    return ItemResult(item.label, done.outcome, done.document_id, detail)


def _date_note(db: Connection, item: Item, document_id: int) -> str:
    """Where the publication date came from; a date stored before is kept, not missing."""
    assert item.document is not None
    if item.document.published_at is not None:
        return f"dated {item.document.published_at} ({item.document.date_source})"
    stored = documents.get(db, document_id)["published_at"]
    return f"dated {stored} (as stored)" if stored else "no publication date found; pass --date"


def _date_change(row: dict[str, Any], document: Document) -> str:
    """'publication date 2025-07-01 → 2025-07-05' when this add states another date."""
    new = document.published_at.isoformat() if document.published_at else None
    if new is None or new == row["published_at"]:
        return ""
    return f"publication date {row['published_at'] or 'none'} → {new}"


def ingest(
    db: Connection,
    document: Document,
    *,
    now: datetime,
    baseline: bool = False,
    source_id: int | None = None,
    engine: Engine | None = None,
    case_sensitive: bool = False,
) -> IngestResult:
    """Store `document` as a new document or a new version; all or nothing.

    With `case_sensitive` an edit of case alone is a change (it is noise by default).

    Identical text is never stored twice for one document: the same text under the same
    locator is "unchanged"; under another locator it is a duplicate of the first, except
    for a watched source, which keeps its own copy as its baseline; a text this document
    had before is a revert to that version.
    """
    try:
        with transaction(db):
            result = _ingest(
                db,
                document,
                now=now,
                baseline=baseline,
                source_id=source_id,
                engine=engine,
                case_sensitive=case_sensitive,
            )
            if result.outcome in ("new", "changed", "reverted", "redated"):
                text = documents.version(db, result.version_id)["text"]
                analyse(
                    db, engine or default_engine(), result.document_id, result.version_id, text, now
                )
        return result
    except sqlite3.Error as exc:
        raise StorageError(f"database: {exc}") from exc


def _ingest(
    db: Connection,
    document: Document,
    *,
    now: datetime,
    baseline: bool,
    source_id: int | None,
    engine: Engine | None,
    case_sensitive: bool = False,
) -> IngestResult:
    locator = document.locator or document.url or f"sha256:{text_hash(document.text)}"
    digest = text_hash(document.text)
    with transaction(db):
        row = documents.by_locator(db, locator)
        if row is None:
            return _new_document(db, document, locator, digest, now, baseline, source_id)
        documents.update_metadata(db, row["id"], document, baseline)
        redated = _date_change(row, document)  # positions move with the date: re-analysed
        current = row["current_version_id"]
        seen = documents.version_with_hash(db, digest, row["id"])
        if seen is not None and seen["id"] == current:
            return IngestResult(
                "redated" if redated else "unchanged", row["id"], current, None, redated
            )
        old = documents.version(db, current)
        old_text = old["text"]
        actors = (engine or default_engine()).finder
        if seen is not None:
            change = compare(old_text, document.text, actors=actors, case_sensitive=case_sensitive)
            documents.set_current(db, row["id"], seen["id"])
            documents.record_change(
                db, row["id"], current, seen["id"], change, kind="revert", now=now
            )
            return IngestResult(
                "reverted", row["id"], seen["id"], change, f"back to version {seen['number']}"
            )
        version_id = documents.insert_version(
            db,
            row["id"],
            text=document.text,
            text_hash=digest,
            raw=document.raw,
            now=now,
            pipeline_version=PIPELINE_VERSION,
        )
        change = compare(old_text, document.text, actors=actors, case_sensitive=case_sensitive)
        documents.record_change(db, row["id"], current, version_id, change, kind="edit", now=now)
        if change.meaningful and old["pipeline_version"] == PIPELINE_VERSION:
            _emit_text_change(db, row, current, version_id, change, now)
        return IngestResult("changed", row["id"], version_id, change, change.summary)


def _new_document(
    db: Connection,
    document: Document,
    locator: str,
    digest: str,
    now: datetime,
    baseline: bool,
    source_id: int | None,
) -> IngestResult:
    """A watched source owns its history from the first fetch, so its first text is stored
    even when another document holds it already; elsewhere that twin is the answer."""
    twin = documents.version_with_hash(db, digest)
    note = f"same text as document {twin['document_id']}" if twin is not None else ""
    if twin is not None and source_id is None:
        return IngestResult("unchanged", twin["document_id"], twin["id"], detail=note)
    document_id = documents.insert(
        db, document, locator, now=now, baseline=baseline, source_id=source_id
    )
    version_id = documents.insert_version(
        db,
        document_id,
        text=document.text,
        text_hash=digest,
        raw=document.raw,
        now=now,
        pipeline_version=PIPELINE_VERSION,
    )
    return IngestResult("new", document_id, version_id, detail=note)


def _emit_text_change(
    db: Connection, row: dict, from_version: int, to_version: int, change: TextChange, now: datetime
) -> None:
    payload = {
        "document": row["id"],
        "title": row["title"],
        "url": row["url"],
        "tags": sources.tags(db, row["source_id"]),
        "from_version": documents.version_number(db, from_version),  # the numbers users see
        "to_version": documents.version_number(db, to_version),
        "summary": change.summary,
        "significance": change.significance,
        "headline": (
            {"old": change.headline[0], "new": change.headline[1]} if change.headline else None
        ),
        "added": [e.new for e in change.meaningful_edits if e.op == "added"],
        "removed": [e.old for e in change.meaningful_edits if e.op == "removed"],
        "changed": [
            {"old": e.old, "new": e.new} for e in change.meaningful_edits if e.op == "changed"
        ],
    }
    key = f"text-change:{row['id']}:{from_version}:{to_version}"
    outbox.emit(db, Event("text-change", key, payload), now)


def analyse(
    db: Connection, engine: Engine, document_id: int, version_id: int, text: str, now: datetime
) -> list[Shift]:
    """Claims and positions of one version, then the shifts of every (actor, issue) it
    touches; each new or newly confirmed shift becomes an event. Returns those shifts."""
    touched = _store_positions(db, engine, document_id, version_id, text)
    if position_store.engine_version(db) is None:  # a fresh database: nothing to redo
        position_store.set_engine_version(db, engine.version)
    announced: list[Shift] = []
    for actor, issue in sorted(touched):
        announced.extend(_recompute_shifts(db, engine, actor, issue, now))
    return announced


def recompute(db: Connection, engine: Engine, now: datetime, *, force: bool = False) -> int:
    """Re-analyse every document when the profile or the engine changed (or `force`).

    Positions are rebuilt first and shifts once at the end, so no half-built timeline is
    announced; shifts and events keep their keys, so nothing is stored or sent twice.
    Returns how many documents were analysed (0 when nothing changed).
    """
    if not force and position_store.engine_version(db) == engine.version:
        return 0
    with transaction(db):
        position_store.lock_analysis(db)  # daemons starting together: the first one does it
        if not force and position_store.engine_version(db) == engine.version:
            return 0
        position_store.clear(db)
        rows = position_store.current_versions(db)
        try:
            for batch in batches(rows):
                engine.prepare(row["text"] for row in batch)
                for row in batch:
                    _store_positions(db, engine, row["document_id"], row["version_id"], row["text"])
        finally:
            engine.close()
        for actor, issue in position_store.pairs(db, with_shifts=True):
            _recompute_shifts(db, engine, actor, issue, now)
        position_store.set_engine_version(db, engine.version)
    return len(rows)


def _store_positions(
    db: Connection, engine: Engine, document_id: int, version_id: int, text: str
) -> set[tuple[str, str]]:
    row = documents.get(db, document_id)
    claims = engine.claims(text)
    position_store.replace_claims(db, version_id, document_id, claims)
    found = positions(
        claims,
        engine.profile,
        document_id=document_id,
        published_at=_published(row),
        outlet=row["outlet"],
    )
    return position_store.replace_positions(db, document_id, found)


def _recompute_shifts(
    db: Connection, engine: Engine, actor: str, issue: str, now: datetime
) -> list[Shift]:
    spec = engine.profile.issues.get(issue)
    found = shifts(position_store.timeline(db, actor, issue), spec) if spec else []
    keyed = [(shift_key(shift), shift) for shift in found]
    announced = position_store.save_shifts(db, actor, issue, keyed, now)
    for key, shift, confirmed in announced:
        event_key = f"{key}:confirmed" if confirmed else key
        outbox.emit(db, Event("position-shift", event_key, shift_payload(shift)), now)
    return [shift for _, shift, _ in announced]


def shift_payload(shift: Shift) -> dict[str, Any]:
    """The JSON object of a shift (DESIGN §5), as alerts and `monitor diff --json` show it."""

    def side(position: Any) -> dict[str, Any]:
        return {
            "stance": position.stance,
            "date": position.published_at.isoformat(),
            "document": position.document_id,
            "outlet": position.outlet,
            "evidence": position.evidence,
        }

    return {
        "actor": shift.actor,
        "issue": shift.issue,
        "status": shift.status,
        "confidence": shift.confidence,
        "from": side(shift.before),
        "to": side(shift.after),
    }


def _published(row: dict[str, Any]) -> date:
    """The article's own date; when it has none, the day it was first seen."""
    return date.fromisoformat((row["published_at"] or row["first_seen_at"])[:10])
