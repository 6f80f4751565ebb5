"""Full-text search over each document's current text: FTS5 on SQLite, a tsvector with a
GIN index on PostgreSQL. Both split words the same simple way (no stemming), and a query
finds the documents that contain every one of its words."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from monitor.storage import query
from monitor.storage.dialect import Connection

Row = dict[str, Any]
_WORD = re.compile(r"\w+")


def index(db: Connection, document_id: int, text: str) -> None:
    """Make `text` the indexed text of the document (it had none)."""
    if db.dialect == "sqlite":
        db.execute("INSERT INTO documents_fts (rowid, text) VALUES (?, ?)", [document_id, text])
    else:
        db.execute(
            "INSERT INTO documents_fts (document_id, text) VALUES (?, to_tsvector('simple', ?)) "
            "ON CONFLICT (document_id) DO UPDATE SET text = excluded.text",
            [document_id, text],
        )


def unindex(db: Connection, document_id: int, text: str) -> None:
    """Forget the document's indexed text (a contentless FTS5 index must be told what it was)."""
    if db.dialect == "sqlite":
        db.execute(
            "INSERT INTO documents_fts (documents_fts, rowid, text) VALUES ('delete', ?, ?)",
            [document_id, text],
        )
    else:
        db.execute("DELETE FROM documents_fts WHERE document_id = ?", [document_id])


def clear(db: Connection) -> None:
    """Empty the index (before a whole database is copied in)."""
    if db.dialect == "sqlite":
        db.execute("INSERT INTO documents_fts (documents_fts) VALUES ('delete-all')")
    else:
        db.execute("DELETE FROM documents_fts")


def search(
    db: Connection,
    words: str,
    *,
    actor: str | None = None,
    since: date | None = None,
    limit: int = 50,
    best_first: bool = False,
    with_text: bool = False,
) -> list[Row]:
    """Documents whose current text holds every word: newest first (`monitor search`) or
    best match first (the web search page); `with_text` adds that current text."""
    terms = _WORD.findall(words.lower())
    if not terms:
        return []
    if db.dialect == "sqlite":
        tables = "documents_fts f JOIN documents d ON d.id = f.rowid"
        where = ["documents_fts MATCH ?"]
        params: list[Any] = [" ".join(f'"{term}"' for term in terms)]
        best = "f.rank"
    else:
        tables = (
            "documents_fts f CROSS JOIN to_tsquery('simple', ?) q "
            "JOIN documents d ON d.id = f.document_id"
        )
        where = ["f.text @@ q"]
        params = [" & ".join(terms)]
        best = "ts_rank(f.text, q) DESC"
    if actor is not None:
        where.append("d.id IN (SELECT document_id FROM positions WHERE actor = ?)")
        params.append(actor)
    if since is not None:
        where.append(f"{_day(db)} >= ?")
        params.append(since.isoformat())
    if with_text:
        tables += " JOIN versions v ON v.id = d.current_version_id"
    rows = query(
        db,
        f"""SELECT d.id, d.title, d.outlet, d.published_at, d.url, d.locator
                   {", v.text_z" if with_text else ""}
            FROM {tables} WHERE {" AND ".join(where)}
            ORDER BY {best if best_first else _day(db) + " DESC"}, d.id DESC
            LIMIT ?""",
        [*params, limit],
    )
    if not with_text:
        return list(rows)
    from monitor.storage.documents import unpack  # documents imports this module

    return [{**row, "text": unpack(row.pop("text_z"))} for row in rows]


def _day(db: Connection) -> str:
    """A document's day: its publication date, else the day it was first seen."""
    return f"COALESCE(d.published_at, {db.day('d.first_seen_at')})"
