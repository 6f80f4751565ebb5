"""Claims, positions and shifts: what the position engine stores and how it is read back."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from monitor.storage import Connection, query
from monitor.storage.documents import unpack

if TYPE_CHECKING:  # listing shifts needs none of the model classes
    from monitor.models import Claim, Position, Shift

Row = dict[str, Any]
ENGINE_KEY = "positions.engine"
ANALYSIS_LOCK = 0x6E6D_0002  # advisory lock key: "nm" + 2


def replace_claims(db: Connection, version_id: int, document_id: int, claims: list[Claim]) -> None:
    """A version's claims, replacing whatever an earlier analysis of it found."""
    db.execute("DELETE FROM claims WHERE version_id = ?", [version_id])
    db.executemany(
        """INSERT INTO claims (version_id, document_id, actor, issue, stance, score, confidence,
               sentence, span_start, span_end, attribution, cue)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
        [
            (
                version_id,
                document_id,
                c.actor,
                c.issue,
                c.stance,
                c.score,
                c.confidence,
                c.sentence,
                c.span[0],
                c.span[1],
                c.attribution,
                c.cue,
            )
            for c in claims
        ],
    )


def replace_positions(
    db: Connection, document_id: int, positions: list[Position]
) -> set[tuple[str, str]]:
    """Store a document's positions; returns every (actor, issue) touched, old or new."""
    touched = {
        (r["actor"], r["issue"])
        for r in query(
            db, "SELECT actor, issue FROM positions WHERE document_id = ?", [document_id]
        )
    }
    keep = {(p.actor, p.issue) for p in positions}
    for actor, issue in touched - keep:
        db.execute(
            "DELETE FROM positions WHERE actor = ? AND issue = ? AND document_id = ?",
            [actor, issue, document_id],
        )
    db.executemany(
        """INSERT INTO positions (actor, issue, document_id, published_at, stance, score,
               confidence, evidence)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?)
           ON CONFLICT (actor, issue, document_id) DO UPDATE SET
               published_at = excluded.published_at, stance = excluded.stance,
               score = excluded.score, confidence = excluded.confidence,
               evidence = excluded.evidence""",
        [
            (
                p.actor,
                p.issue,
                p.document_id,
                p.published_at.isoformat(),
                p.stance,
                p.score,
                p.confidence,
                p.evidence,
            )
            for p in positions
        ],
    )
    return touched | keep


def timeline(db: Connection, actor: str, issue: str) -> list[Position]:
    """One actor's positions on one issue, by publication date."""
    from monitor.models import Position

    rows = query(
        db,
        """SELECT p.*, d.outlet FROM positions p JOIN documents d ON d.id = p.document_id
           WHERE p.actor = ? AND p.issue = ? ORDER BY p.published_at, p.document_id""",
        [actor, issue],
    )
    return [
        Position(
            actor=r["actor"],
            issue=r["issue"],
            document_id=r["document_id"],
            published_at=date.fromisoformat(r["published_at"]),
            stance=r["stance"],
            score=r["score"],
            confidence=r["confidence"],
            evidence=r["evidence"],
            outlet=r["outlet"],
        )
        for r in rows
    ]


def position_rows(db: Connection, actor: str | None = None) -> list[Row]:
    """Positions with their document's title, outlet and URL, by actor, issue and date."""
    where, params = ("WHERE p.actor = ?", [actor]) if actor else ("", [])
    return list(
        query(
            db,
            f"""SELECT p.actor, p.issue, p.published_at AS date, p.stance, p.score,
                       p.confidence, p.evidence, p.document_id AS document,
                       d.outlet, d.title, d.url
                FROM positions p JOIN documents d ON d.id = p.document_id
                {where}
                ORDER BY p.actor, p.issue, p.published_at, p.document_id""",
            params,
        )
    )


def save_shifts(
    db: Connection, actor: str, issue: str, shifts: list[tuple[str, Shift]], now: datetime
) -> list[tuple[str, Shift, bool]]:
    """Make the stored shifts of (actor, issue) exactly `shifts` (key, shift).

    Returns (key, shift, newly confirmed) for each shift that is new, or that was emerging
    and is now confirmed, so the caller can announce exactly those.
    """
    stored = {
        r["key"]: r["status"]
        for r in query(
            db, "SELECT key, status FROM shifts WHERE actor = ? AND issue = ?", [actor, issue]
        )
    }
    keys = {key for key, _ in shifts}
    for key in set(stored) - keys:
        db.execute("DELETE FROM shifts WHERE key = ?", [key])
    announce: list[tuple[str, Shift, bool]] = []
    for key, shift in shifts:
        if key not in stored:
            announce.append((key, shift, False))
        elif stored[key] != shift.status and shift.status == "confirmed":
            announce.append((key, shift, True))
        db.execute(
            """INSERT INTO shifts (key, actor, issue, from_stance, to_stance, from_document,
                   to_document, from_date, to_date, from_evidence, to_evidence, status,
                   confidence, detected_at)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
               ON CONFLICT (key) DO UPDATE SET status = excluded.status,
                   confidence = excluded.confidence, from_evidence = excluded.from_evidence,
                   to_evidence = excluded.to_evidence""",
            [
                key,
                actor,
                issue,
                shift.before.stance,
                shift.after.stance,
                shift.before.document_id,
                shift.after.document_id,
                shift.before.published_at.isoformat(),
                shift.after.published_at.isoformat(),
                shift.before.evidence,
                shift.after.evidence,
                shift.status,
                shift.confidence,
                now.isoformat(),
            ],
        )
    return announce


def shift_rows(
    db: Connection,
    actor: str | None = None,
    issue: str | None = None,
    since: date | None = None,
    until: date | None = None,
    min_confidence: float = 0.0,
    newest: int | None = None,
) -> list[Row]:
    """Stored shifts with both documents' outlet, title and URL; the newest last (with
    `newest`, only that many of the latest)."""
    where = ["s.confidence >= ?"]
    params: list[Any] = [min_confidence]
    for column, value in (("s.actor", actor), ("s.issue", issue)):
        if value is not None:
            where.append(f"{column} = ?")
            params.append(value)
    if since is not None:
        where.append("s.to_date >= ?")
        params.append(since.isoformat())
    if until is not None:
        where.append("s.to_date <= ?")
        params.append(until.isoformat())
    order = "s.to_date, s.actor, s.issue, s.id"
    if newest is not None:
        order = "s.to_date DESC, s.actor DESC, s.issue DESC, s.id DESC LIMIT ?"
        params.append(newest)
    rows = list(
        query(
            db,
            f"""SELECT s.*, fd.outlet AS from_outlet, fd.title AS from_title, fd.url AS from_url,
                       td.outlet AS to_outlet, td.title AS to_title, td.url AS to_url
                FROM shifts s
                JOIN documents fd ON fd.id = s.from_document
                JOIN documents td ON td.id = s.to_document
                WHERE {" AND ".join(where)}
                ORDER BY {order}""",
            params,
        )
    )
    return rows[::-1] if newest is not None else rows


def pairs(db: Connection, *, with_shifts: bool = False) -> list[tuple[str, str]]:
    """Every (actor, issue) with stored positions (and, `with_shifts`, stored shifts)."""
    sql = "SELECT actor, issue FROM positions"
    if with_shifts:
        sql += " UNION SELECT actor, issue FROM shifts"
    return [
        (r["actor"], r["issue"])
        for r in query(db, f"SELECT DISTINCT * FROM ({sql}) AS p ORDER BY 1, 2")
    ]


def current_versions(db: Connection) -> list[Row]:
    """Every document's current version: document_id, version_id, text."""
    return [
        {**row, "text": unpack(row.pop("text_z"))}
        for row in query(
            db,
            """SELECT d.id AS document_id, v.id AS version_id, v.text_z FROM documents d
               JOIN versions v ON v.id = d.current_version_id ORDER BY d.id""",
        )
    ]


def actor_counts(db: Connection) -> dict[str, Row]:
    """Per actor: documents with a position, claims, shifts, last date."""
    counts: dict[str, Row] = {}
    for row in query(
        db,
        """SELECT actor, COUNT(DISTINCT document_id) AS documents, MAX(published_at) AS last
           FROM positions GROUP BY actor""",
    ):
        counts[row["actor"]] = {"documents": row["documents"], "last": row["last"], "shifts": 0}
    for row in query(db, "SELECT actor, COUNT(*) AS n FROM shifts GROUP BY actor"):
        counts.setdefault(row["actor"], {"documents": 0, "last": None, "shifts": 0})
        counts[row["actor"]]["shifts"] = row["n"]
    return counts


def clear(db: Connection) -> None:
    """Forget every claim, position and shift (before a full recompute)."""
    db.execute("DELETE FROM claims")
    db.execute("DELETE FROM positions")


def lock_analysis(db: Connection) -> None:
    """Hold the one recompute of stored positions until the transaction ends (PostgreSQL;
    on SQLite the transaction's write lock already does)."""
    db.lock_in_transaction(ANALYSIS_LOCK)


def engine_version(db: Connection) -> str | None:
    rows = list(query(db, "SELECT value FROM meta WHERE key = ?", [ENGINE_KEY]))
    return rows[0]["value"] if rows else None


def set_engine_version(db: Connection, version: str) -> None:
    db.execute(
        "INSERT INTO meta (key, value) VALUES (?, ?) "
        "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        [ENGINE_KEY, version],
    )


def period_texts(db: Connection, since: date, until: date) -> list[str]:
    """Current texts of the documents published in [since, until] (first seen, if undated)."""
    return [
        unpack(r["text_z"])
        for r in query(
            db,
            f"""SELECT v.text_z FROM documents d JOIN versions v ON v.id = d.current_version_id
                WHERE COALESCE(d.published_at, {db.day("d.first_seen_at")}) BETWEEN ? AND ?""",
            [since.isoformat(), until.isoformat()],
        )
    ]
