"""Read-only queries the HTML report needs beyond the other storage modules."""

from __future__ import annotations

from datetime import date
from typing import Any

from monitor.storage import Connection, query
from monitor.storage.documents import unpack

Row = dict[str, Any]


# Two documents are one article when they share an address (a saved page's canonical URL
# and the same page fetched) or their current text: `monitor add page.html` and
# `watch add URL` of one story count once.
_ARTICLE = "COALESCE(d.url, v.text_hash, 'document:' || d.id)"


def document_span(db: Connection, *, since: date | None, until: date | None) -> Row:
    """How many articles were published in the period, and the first and last date."""
    where, params = _period("d.published_at", since, until)
    rows = list(
        query(
            db,
            f"""SELECT COUNT(DISTINCT {_ARTICLE}) AS documents, MIN(d.published_at) AS first,
                       MAX(d.published_at) AS last
                FROM documents d LEFT JOIN versions v ON v.id = d.current_version_id
                WHERE {where}""",
            params,
        )
    )
    return rows[0]


def repeated_documents(db: Connection) -> set[int]:
    """Documents that repeat an article kept under another (newer) document id."""
    rows = db.execute(
        f"""SELECT d.id, {_ARTICLE} FROM documents d
            LEFT JOIN versions v ON v.id = d.current_version_id ORDER BY d.id DESC"""
    ).fetchall()
    seen: set[str] = set()
    repeated = set()
    for document_id, article in rows:
        if article in seen:
            repeated.add(document_id)
        seen.add(article)
    return repeated


def recorded_since(db: Connection, moment: str | None, actor: str | None) -> Row:
    """What was recorded after `moment` (ISO; None: ever): new articles, the shifts found
    (of `actor` only, when given), meaningful text changes, sources that began failing."""
    after = moment or "0001-01-01T00:00:00+00:00"  # before anything, as text and as a moment
    shift_filter, shift_params = ("AND actor = ?", [actor]) if actor else ("", [])

    def one(sql: str, params: list[Any]) -> int:
        return int(db.execute(sql, params).fetchone()[0])

    return {
        "documents": one(
            f"""SELECT COUNT(DISTINCT {_ARTICLE}) FROM documents d
                LEFT JOIN versions v ON v.id = d.current_version_id WHERE d.first_seen_at > ?""",
            [after],
        ),
        "shifts": list(
            query(
                db,
                f"""SELECT actor, issue, from_stance, to_stance, status, to_date FROM shifts
                    WHERE detected_at > ? {shift_filter} ORDER BY to_date, actor, issue""",
                [after, *shift_params],
            )
        ),
        "changes": one(
            "SELECT COUNT(*) FROM text_changes WHERE detected_at > ?"
            " AND (added + removed + changed) > 0",
            [after],
        ),
        "failing": [
            r[0]
            for r in db.execute(
                "SELECT locator FROM sources WHERE failing_since > ? ORDER BY id", [after]
            )
        ],
    }


def recent_changes(
    db: Connection, *, since: date | None, until: date | None, actor: str | None, limit: int
) -> list[Row]:
    """Meaningful text changes detected in the period, newest first, with both texts.

    With `actor`, only documents in which that actor holds a position.
    """
    where, params = _period(db.day("c.detected_at"), since, until)
    if actor is not None:
        where += " AND c.document_id IN (SELECT document_id FROM positions WHERE actor = ?)"
        params.append(actor)
    rows = list(
        query(
            db,
            f"""SELECT c.id, c.document_id, c.kind, c.summary, c.significance, c.detected_at,
                       d.title, d.url, d.outlet, d.published_at,
                       old.text_z AS old_text, new.text_z AS new_text
                FROM text_changes c
                JOIN documents d ON d.id = c.document_id
                JOIN versions old ON old.id = c.from_version
                JOIN versions new ON new.id = c.to_version
                WHERE (c.added + c.removed + c.changed) > 0 AND {where}
                ORDER BY c.detected_at DESC, c.id DESC LIMIT ?""",
            [*params, limit],
        )
    )
    for row in rows:
        row["old_text"], row["new_text"] = unpack(row["old_text"]), unpack(row["new_text"])
    return rows


def actor_sentences(
    db: Connection, actor: str, *, since: date | None, until: date | None
) -> list[tuple[str, str]]:
    """(publication date, sentence) of each claim the actor makes in a document's current
    version, oldest first; a sentence that carries several claims counts once."""
    where, params = _period("d.published_at", since, until)
    return [
        (row["published_at"], row["sentence"])
        for row in query(
            db,
            f"""SELECT DISTINCT d.published_at, c.document_id, c.sentence
                FROM claims c JOIN documents d ON d.id = c.document_id
                WHERE c.actor = ? AND c.version_id = d.current_version_id
                  AND d.published_at IS NOT NULL AND {where}
                ORDER BY d.published_at, c.document_id""",
            [actor, *params],
        )
    ]


def _period(column: str, since: date | None, until: date | None) -> tuple[str, list[Any]]:
    clauses, params = ["TRUE"], []
    if since is not None:
        clauses.append(f"{column} >= ?")
        params.append(since.isoformat())
    if until is not None:
        clauses.append(f"{column} <= ?")
        params.append(until.isoformat())
    return " AND ".join(clauses), params
