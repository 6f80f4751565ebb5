"""Documents, their content-addressed versions, and the text changes between versions."""

from __future__ import annotations

import zlib
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from monitor.errors import NotFoundError
from monitor.storage import Connection, query, search

if TYPE_CHECKING:
    from monitor.models import Document, TextChange

Row = dict[str, Any]


def by_locator(db: Connection, locator: str) -> Row | None:
    rows = list(query(db, "SELECT * FROM documents WHERE locator = ?", [locator]))
    return rows[0] if rows else None


def get(db: Connection, ref: str | int) -> Row:
    """A document by id, locator, URL, or the path of the file it was added from (as a
    user types it: `article.html`, `../notes/a.txt`); NotFoundError names what was asked for."""
    text = str(ref).strip()
    if text.isdigit():
        rows = list(query(db, "SELECT * FROM documents WHERE id = ?", [int(text)]))
    else:
        rows = list(
            query(
                db,
                "SELECT * FROM documents WHERE locator IN (?, ?) OR url = ? "
                "ORDER BY locator = ? DESC, id DESC LIMIT 1",
                [text, _file_locator(text), text, text],
            )
        )
    if not rows:
        raise NotFoundError(f"no document {text!r} in the database")
    return rows[0]


def _file_locator(path: str) -> str:
    """The locator `monitor add` gives a file: its absolute file:// URI."""
    try:
        return Path(path).expanduser().resolve().as_uri()
    except (OSError, ValueError):
        return path


def insert(
    db: Connection,
    document: Document,
    locator: str,
    *,
    now: datetime,
    baseline: bool,
    source_id: int | None,
) -> int:
    cursor = db.execute(
        """INSERT INTO documents (locator, source_id, url, title, outlet, published_at,
               date_source, first_seen_at, is_baseline)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id""",
        [
            locator,
            source_id,
            document.url,
            document.title,
            document.outlet,
            document.published_at.isoformat() if document.published_at else None,
            document.date_source,
            now.isoformat(),
            int(baseline),
        ],
    )
    return int(cursor.fetchone()[0])


def update_metadata(db: Connection, document_id: int, document: Document, baseline: bool) -> None:
    """Fill in what a later add knows (title, outlet, date) without erasing what was known."""
    db.execute(
        """UPDATE documents SET
               title = COALESCE(?, title),
               outlet = COALESCE(?, outlet),
               published_at = COALESCE(?, published_at),
               date_source = CASE WHEN ? = 1 THEN ? ELSE date_source END,
               is_baseline = CASE WHEN ? = 1 THEN 1 ELSE is_baseline END
           WHERE id = ?""",
        [
            document.title,
            document.outlet,
            document.published_at.isoformat() if document.published_at else None,
            int(document.published_at is not None),
            document.date_source,
            int(baseline),
            document_id,
        ],
    )


def version_with_hash(db: Connection, text_hash: str, document_id: int | None = None) -> Row | None:
    """The version holding this exact text: of one document, or of any document."""
    sql = "SELECT id, document_id, number FROM versions WHERE text_hash = ?"
    params: list[Any] = [text_hash]
    if document_id is not None:
        sql += " AND document_id = ?"
        params.append(document_id)
    rows = list(query(db, sql + " LIMIT 1", params))
    return rows[0] if rows else None


def insert_version(
    db: Connection,
    document_id: int,
    *,
    text: str,
    text_hash: str,
    raw: bytes | None,
    now: datetime,
    pipeline_version: str,
) -> int:
    cursor = db.execute(
        """INSERT INTO versions (document_id, number, fetched_at, text_hash, text_z, raw,
               pipeline_version)
           VALUES (?, (SELECT COALESCE(MAX(number), 0) + 1 FROM versions WHERE document_id = ?),
                   ?, ?, ?, ?, ?) RETURNING id""",
        [
            document_id,
            document_id,
            now.isoformat(),
            text_hash,
            pack(text),
            zlib.compress(raw) if raw is not None else None,
            pipeline_version,
        ],
    )
    version_id = int(cursor.fetchone()[0])
    set_current(db, document_id, version_id)
    return version_id


def set_current(db: Connection, document_id: int, version_id: int) -> None:
    """Point the document at `version_id`, and the full-text index at that version's text."""
    rows = db.execute(
        "SELECT v.text_z FROM documents d JOIN versions v ON v.id = d.current_version_id "
        "WHERE d.id = ?",
        [document_id],
    ).fetchall()
    if rows:
        search.unindex(db, document_id, unpack(rows[0][0]))
    db.execute(
        "UPDATE documents SET current_version_id = ? WHERE id = ?", [version_id, document_id]
    )
    (blob,) = db.execute("SELECT text_z FROM versions WHERE id = ?", [version_id]).fetchone()
    search.index(db, document_id, unpack(blob))


def pack(text: str) -> bytes:
    """Version text as stored: zlib-compressed UTF-8 (a third of the size or less)."""
    return zlib.compress(text.encode("utf-8"))


def unpack(blob: bytes) -> str:
    return zlib.decompress(blob).decode("utf-8")


def _with_text(row: Row) -> Row:
    row["text"] = unpack(row.pop("text_z"))
    return row


def version(db: Connection, version_id: int) -> Row:
    rows = list(query(db, "SELECT * FROM versions WHERE id = ?", [version_id]))
    if not rows:
        raise NotFoundError(f"no version {version_id} in the database")
    return _with_text(rows[0])


def versions(db: Connection, document_id: int) -> list[Row]:
    """Every stored version of a document, oldest first (raw bytes left out); `number` is
    the one users see, from 1, never reused or renumbered (gc leaves gaps)."""
    return [
        _with_text(row)
        for row in query(
            db,
            "SELECT id, document_id, number, fetched_at, text_hash, text_z FROM versions "
            "WHERE document_id = ? ORDER BY number",
            [document_id],
        )
    ]


def version_number(db: Connection, version_id: int) -> int:
    """The number users see of a version, from its internal id."""
    (number,) = db.execute("SELECT number FROM versions WHERE id = ?", [version_id]).fetchone()
    return int(number)


def record_change(
    db: Connection,
    document_id: int,
    from_version: int,
    to_version: int,
    change: TextChange,
    *,
    kind: str,
    now: datetime,
) -> int:
    cursor = db.execute(
        """INSERT INTO text_changes (document_id, from_version, to_version, kind, added,
               removed, changed, moved, significance, summary, detected_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id""",
        [
            document_id,
            from_version,
            to_version,
            kind,
            change.added,
            change.removed,
            change.changed,
            change.moved,
            change.significance,
            change.summary,
            now.isoformat(),
        ],
    )
    return int(cursor.fetchone()[0])


def changes(db: Connection, document_id: int | None = None, limit: int = 50) -> list[Row]:
    """Recent text changes, newest first, with the document's title."""
    where = "WHERE c.document_id = ?" if document_id is not None else ""
    params: list[Any] = [document_id] if document_id is not None else []
    return list(
        query(
            db,
            f"""SELECT c.*, d.title, d.url FROM text_changes c
                JOIN documents d ON d.id = c.document_id {where}
                ORDER BY c.id DESC LIMIT ?""",
            [*params, limit],
        )
    )


def listing(db: Connection) -> list[Row]:
    """Every document with its version count, by publication date."""
    return list(
        query(
            db,
            """SELECT d.id, d.title, d.outlet, d.published_at, d.date_source, d.url, d.locator,
                      d.is_baseline, d.first_seen_at,
                      (SELECT COUNT(*) FROM versions v WHERE v.document_id = d.id) AS versions
               FROM documents d
               ORDER BY d.published_at IS NULL, d.published_at, d.id""",
        )
    )


def describe(db: Connection, ref: str) -> Row:
    """One document with its versions (by their stable numbers), text changes and text."""
    document = get(db, ref)
    stored = versions(db, document["id"])
    numbers = {v["id"]: v["number"] for v in stored}
    current = next((v for v in stored if v["id"] == document["current_version_id"]), None)
    return {
        **document,
        "versions": [
            {
                "number": v["number"],
                "fetched_at": v["fetched_at"],
                "text_hash": v["text_hash"],
                "current": v["id"] == document["current_version_id"],
            }
            for v in stored
        ],
        "changes": [
            {
                "from": numbers[c["from_version"]],
                "to": numbers[c["to_version"]],
                "kind": c["kind"],
                "summary": c["summary"],
                "significance": c["significance"],
                "detected_at": c["detected_at"],
            }
            for c in reversed(changes(db, document["id"], limit=1000))
        ],
        "text": current["text"] if current else "",
    }
