"""The outbox: events recorded with the change that caused them, deliveries queued per channel."""

from __future__ import annotations

import json
from datetime import datetime

from sqlite_utils import Database

from monitor.models import Event


def emit(db: Database, event: Event, now: datetime) -> bool:
    """Record `event` once (by key). Returns False when it was already recorded.

    Call inside the caller's transaction so an event exists only with what it reports.
    """
    cursor = db.execute(
        "INSERT OR IGNORE INTO events (kind, key, payload, created_at) VALUES (?, ?, ?, ?)",
        [event.kind, event.key, json.dumps(event.payload, default=str), now.isoformat()],
    )
    return cursor.rowcount == 1
