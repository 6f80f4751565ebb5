"""Events, alert channels and the delivery outbox.

A delivery moves pending → sending (claimed by one worker, under a lease) → delivered,
or back to pending with a later `next_attempt_at`, or to failed (refused for good) or
dead (out of attempts). `claim` is the one step that hands work to a worker: on SQLite
under `BEGIN IMMEDIATE`, on PostgreSQL with `SELECT … FOR UPDATE SKIP LOCKED`.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from monitor.errors import ConfigError, NotFoundError
from monitor.holder import Holder
from monitor.storage import Connection, query, transaction

Row = dict[str, Any]


def stamp(moment: datetime) -> str:
    """One timestamp format for every column here, so text comparison orders them."""
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


# events -------------------------------------------------------------------------------


def insert_event(db: Connection, kind: str, key: str, payload: str, now: datetime) -> int | None:
    """The new event's id, or None when an event with this key was already recorded."""
    row = db.execute(
        "INSERT INTO events (kind, key, payload, created_at) VALUES (?, ?, ?, ?) "
        "ON CONFLICT DO NOTHING RETURNING id",
        [kind, key, payload, stamp(now)],
    ).fetchone()
    return int(row[0]) if row is not None else None


def events_since(db: Connection, since: datetime) -> list[Row]:
    return list(query(db, "SELECT * FROM events WHERE created_at >= ? ORDER BY id", [stamp(since)]))


# channels -----------------------------------------------------------------------------


def insert_channel(
    db: Connection, target: str, kind: str, filters: str, digest_s: int | None, now: datetime
) -> int:
    """A new channel; the same target with the same filters and digest is refused."""
    same = list(
        query(
            db,
            "SELECT id FROM channels WHERE target = ? AND filters = ? "
            "AND digest_s IS NOT DISTINCT FROM ?",
            [target, filters, digest_s],
        )
    )
    if same:
        raise ConfigError(f"channel {same[0]['id']} already sends the same alerts to {target}")
    (channel_id,) = db.execute(
        "INSERT INTO channels (target, kind, filters, digest_s, created_at) "
        "VALUES (?, ?, ?, ?, ?) RETURNING id",
        [target, kind, filters, digest_s, stamp(now)],
    ).fetchone()
    return int(channel_id)


def active_channels(db: Connection) -> list[Row]:
    return list(query(db, "SELECT * FROM channels WHERE state = 'active' ORDER BY id"))


def channel(db: Connection, ref: str | int) -> Row:
    """A channel by id or by target; a target shared by several channels must be named by id."""
    text = str(ref).strip()
    if text.isdigit():
        rows = list(query(db, "SELECT * FROM channels WHERE id = ?", [int(text)]))
    else:
        rows = list(query(db, "SELECT * FROM channels WHERE target = ? ORDER BY id", [text]))
    if not rows:
        raise NotFoundError(f"no alert channel {text!r}")
    if len(rows) > 1:
        ids = ", ".join(str(r["id"]) for r in rows)
        raise ConfigError(f"{text} is used by channels {ids}; name one by id")
    return rows[0]


def channels_with_counts(db: Connection) -> list[Row]:
    """Every channel with how many of its deliveries are pending, failed, dead, delivered."""
    return list(
        query(
            db,
            """
            SELECT c.*,
                   COUNT(CASE WHEN d.status IN ('pending', 'sending') THEN 1 END) AS pending,
                   COUNT(CASE WHEN d.status = 'failed' THEN 1 END) AS failed,
                   COUNT(CASE WHEN d.status = 'dead' THEN 1 END) AS dead,
                   COUNT(CASE WHEN d.status = 'delivered' THEN 1 END) AS delivered,
                   (SELECT last_error FROM deliveries e
                     WHERE e.channel_id = c.id AND e.last_error IS NOT NULL
                     ORDER BY e.id DESC LIMIT 1) AS last_error
              FROM channels c LEFT JOIN deliveries d ON d.channel_id = c.id
             GROUP BY c.id ORDER BY c.id
            """,
        )
    )


def delete_channel(db: Connection, channel_id: int) -> None:
    """Remove a channel and, with it, every delivery still queued for it."""
    db.execute("DELETE FROM channels WHERE id = ?", [channel_id])


def set_state(db: Connection, channel_id: int, state: str) -> None:
    db.execute("UPDATE channels SET state = ? WHERE id = ?", [state, channel_id])


# deliveries ---------------------------------------------------------------------------


def insert_delivery(
    db: Connection, event_id: int, channel_id: int, key: str, now: datetime
) -> bool:
    """Queue one event for one channel; False when it was already queued."""
    row = db.execute(
        """INSERT INTO deliveries
               (event_id, channel_id, idempotency_key, next_attempt_at, created_at)
           VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING RETURNING id""",
        [event_id, channel_id, key, stamp(now), stamp(now)],
    ).fetchone()
    return row is not None


_DUE = """
SELECT d.id, d.channel_id, d.batch_key, c.digest_s
  FROM deliveries d JOIN channels c ON c.id = d.channel_id
 WHERE c.state = 'active'
   AND ((d.status = 'pending' AND d.next_attempt_at <= :now)
        OR (d.status = 'sending' AND d.lease_until <= :now))
   AND (c.digest_s IS NULL OR d.batch_key IS NOT NULL
        OR ((c.next_digest_at IS NULL OR c.next_digest_at <= :now)
            AND NOT EXISTS (SELECT 1 FROM deliveries b
                             WHERE b.channel_id = d.channel_id AND b.batch_key IS NOT NULL
                               AND b.status IN ('pending', 'sending'))))
 ORDER BY d.id
 LIMIT :limit
"""
# On PostgreSQL a worker locks the rows it reads, and their channel (a digest is formed
# by one worker), skipping what another worker holds.
_LOCK = " FOR UPDATE OF d, c SKIP LOCKED"


def claim(
    db: Connection, now: datetime, lease_until: datetime, token: str, limit: int
) -> list[Row]:
    """Hand due deliveries to the worker holding `token` until `lease_until`.

    A digest channel's open deliveries go out together as one batch, formed at most once
    per interval; a batch keeps its key across retries and is always claimed whole.
    Returns the claimed deliveries with their event and channel, ordered by id.
    """
    with transaction(db):  # the write lock before reading: no two workers read the same rows
        _expire_dead(db, now)
        lock = _LOCK if db.skip_locked else ""
        due = list(query(db, _DUE + lock, {"now": stamp(now), "limit": limit}))
        batches = {r["batch_key"] for r in due if r["batch_key"] is not None}
        batches |= _form_digests(db, [r for r in due if r["batch_key"] is None], now)
        _take(db, [r["id"] for r in due], sorted(batches), token, lease_until)
    return claimed(db, token)


def _expire_dead(db: Connection, now: datetime) -> None:
    """A delivery whose worker died is due again now, not when its lease would have ended."""
    tokens = db.execute(
        "SELECT DISTINCT claim FROM deliveries WHERE status = 'sending' AND claim IS NOT NULL"
    ).fetchall()
    dead = [[stamp(now), t] for (t,) in tokens if (h := Holder.parse(t)) and h.is_dead()]
    db.executemany(
        "UPDATE deliveries SET lease_until = ? WHERE status = 'sending' AND claim = ?", dead
    )


def _form_digests(db: Connection, fresh: list[Row], now: datetime) -> set[str]:
    """Give each digest channel's new deliveries one batch key; start its next interval."""
    by_channel: dict[int, list[Row]] = {}
    for row in fresh:
        if row["digest_s"] is not None:
            by_channel.setdefault(row["channel_id"], []).append(row)
    keys = set()
    for channel_id, rows in by_channel.items():
        ids = [r["id"] for r in rows]
        batch = f"digest-{channel_id}-{ids[0]}-{ids[-1]}-{len(ids)}"
        db.execute(
            f"UPDATE deliveries SET batch_key = ? WHERE id IN ({_marks(ids)})", [batch, *ids]
        )
        next_digest = now + timedelta(seconds=rows[0]["digest_s"])
        db.execute(
            "UPDATE channels SET next_digest_at = ? WHERE id = ?", [stamp(next_digest), channel_id]
        )
        keys.add(batch)
    return keys


def _take(
    db: Connection, ids: Sequence[int], batches: Sequence[str], token: str, lease_until: datetime
) -> None:
    if not ids:
        return
    db.execute(
        f"""UPDATE deliveries
               SET status = 'sending', claim = ?, lease_until = ?, attempts = attempts + 1,
                   batch_key = COALESCE(batch_key, idempotency_key)
             WHERE id IN ({_marks(ids)})
                OR (batch_key IN ({_marks(batches)}) AND status IN ('pending', 'sending'))""",
        [token, stamp(lease_until), *ids, *batches],
    )


def claimed(db: Connection, token: str) -> list[Row]:
    """The deliveries a worker holds, with what it needs to send them."""
    rows = list(
        query(
            db,
            """
            SELECT d.id, d.idempotency_key, d.batch_key, d.attempts, d.channel_id,
                   c.target, c.kind AS channel_kind, c.digest_s,
                   e.id AS event_id, e.kind, e.key AS event_key, e.payload,
                   e.created_at AS event_created_at
              FROM deliveries d
              JOIN channels c ON c.id = d.channel_id
              JOIN events e ON e.id = d.event_id
             WHERE d.claim = ? AND d.status = 'sending'
             ORDER BY d.id
            """,
            [token],
        )
    )
    for row in rows:
        row["payload"] = json.loads(row["payload"])
    return rows


def mark_delivered(db: Connection, ids: Sequence[int], token: str, now: datetime) -> int:
    """Record a delivery as sent, once: only the worker that still holds it may mark it."""
    return _mark(
        db, ids, token, "status = 'delivered', delivered_at = ?, last_error = NULL", [stamp(now)]
    )


def mark_retry(
    db: Connection, ids: Sequence[int], token: str, next_at: datetime, error: str
) -> int:
    return _mark(
        db,
        ids,
        token,
        "status = 'pending', next_attempt_at = ?, last_error = ?",
        [stamp(next_at), error],
    )


def mark_final(db: Connection, ids: Sequence[int], token: str, status: str, error: str) -> int:
    """`failed` (refused for good) or `dead` (out of attempts): kept, listed, never retried."""
    return _mark(db, ids, token, "status = ?, last_error = ?", [status, error])


def _mark(db: Connection, ids: Sequence[int], token: str, sets: str, values: list[Any]) -> int:
    if not ids:
        return 0
    cursor = db.execute(
        f"""UPDATE deliveries SET {sets}, claim = NULL, lease_until = NULL
             WHERE claim = ? AND status = 'sending' AND id IN ({_marks(ids)})""",
        [*values, token, *ids],
    )
    return cursor.rowcount


def requeue(db: Connection, now: datetime, channel_id: int | None = None) -> int:
    """Put failed and dead deliveries back in the queue, keeping their keys."""
    where = "status IN ('failed', 'dead')" + (" AND channel_id = ?" if channel_id else "")
    cursor = db.execute(
        f"""UPDATE deliveries SET status = 'pending', attempts = 0, next_attempt_at = ?
             WHERE {where}""",
        [stamp(now), *([channel_id] if channel_id else [])],
    )
    return cursor.rowcount


def _marks(ids: Sequence[Any]) -> str:
    """Placeholders for `IN (…)`; an empty list matches nothing (PostgreSQL refuses `IN ()`)."""
    return ", ".join("?" for _ in ids) or "NULL"


def deliveries(db: Connection, statuses: Sequence[str], limit: int = 200) -> list[Row]:
    """Deliveries in these states, newest first, with their channel's target and event."""
    return list(
        query(
            db,
            f"""SELECT d.id, d.status, d.attempts, d.next_attempt_at, d.last_error,
                       d.created_at, c.id AS channel_id, c.target, e.kind, e.key AS event_key
                  FROM deliveries d
                  JOIN channels c ON c.id = d.channel_id
                  JOIN events e ON e.id = d.event_id
                 WHERE d.status IN ({_marks(statuses)})
                 ORDER BY d.id DESC LIMIT ?""",
            [*statuses, limit],
        )
    )
