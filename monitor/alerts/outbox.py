"""The outbox: events recorded with the change that caused them, deliveries queued per channel."""

from __future__ import annotations

import json
import uuid
from datetime import datetime

from monitor.alerts.filters import Filters
from monitor.models import Event
from monitor.storage import Connection, transaction
from monitor.storage import alerts as store


def emit(db: Connection, event: Event, now: datetime) -> bool:
    """Record `event` once (by key) and queue it for every active channel that wants it.

    Returns False when it was already recorded: a recompute or a re-ingest then queues
    nothing again. Call inside the caller's transaction so an event exists only with what
    it reports; on its own it is one transaction of its own.
    """
    with transaction(db):
        payload = json.dumps(event.payload, default=str, ensure_ascii=False)
        event_id = store.insert_event(db, event.kind, event.key, payload, now)
        if event_id is None:
            return False
        for channel in store.active_channels(db):
            if Filters.from_json(channel["filters"]).match(event.kind, event.payload):
                store.insert_delivery(db, event_id, channel["id"], new_key(), now)
    return True


def backfill(db: Connection, channel_id: int, since: datetime, now: datetime) -> int:
    """Queue, for one channel, the matching events recorded since `since`.

    A channel added later starts with new events only; this is the explicit way to ask for
    older ones. Events it already has are not queued twice. Returns how many were queued.
    """
    channel = store.channel(db, channel_id)
    filters = Filters.from_json(channel["filters"])
    queued = 0
    with transaction(db):
        for row in store.events_since(db, since):
            if filters.match(row["kind"], json.loads(row["payload"])):
                queued += store.insert_delivery(db, row["id"], channel_id, new_key(), now)
    return queued


def new_key() -> str:
    """An idempotency key: stored with the delivery, so every retry carries the same one."""
    return uuid.uuid4().hex
