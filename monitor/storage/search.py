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
    db: Connection, words: str, *, actor: str | None, since: date | None, limit: int
) -> list[Row]:
    """Documents whose current text holds every word, newest first."""
    terms = _WORD.findall(words.lower())
    if not terms:
        return []
    if db.dialect == "sqlite":
        found = "d.id IN (SELECT rowid FROM documents_fts WHERE documents_fts MATCH ?)"
        params: list[Any] = [" ".join(f'"{term}"' for term in terms)]
    else:
        found = (
            "d.id IN (SELECT document_id FROM documents_fts WHERE text @@ to_tsquery('simple', ?))"
        )
        params = [" & ".join(terms)]
    if actor is not None:
        found += " AND d.id IN (SELECT document_id FROM positions WHERE actor = ?)"
        params.append(actor)
    if since is not None:
        found += " AND COALESCE(d.published_at, substr(d.first_seen_at, 1, 10)) >= ?"
        params.append(since.isoformat())
    return list(
        query(
            db,
            f"""SELECT d.id, d.title, d.outlet, d.published_at, d.url, d.locator
                FROM documents d WHERE {found}
                ORDER BY COALESCE(d.published_at, substr(d.first_seen_at, 1, 10)) DESC, d.id DESC
                LIMIT ?""",
            [*params, limit],
        )
    )
