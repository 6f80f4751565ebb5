"""The delivery worker: claim due deliveries, send them, mark each one once.

At-least-once: a delivery is marked only after its channel accepted it. A worker that dies
in between leaves it claimed under a lease; once the lease runs out the next `flush` sends
it again with the same idempotency key, so receivers can drop the repeat.

`flush(db, now, settings)` is what `monitor run` calls every minute and `monitor alerts
flush` calls by hand.
"""

from __future__ import annotations

import os
import ssl
import time
import uuid
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import asdict, dataclass, replace
from datetime import datetime, timedelta
from typing import Any, Literal

import httpx

from monitor import holder
from monitor.alerts import channels
from monitor.alerts.channels import Alert, Context, DeliveryFailed, Message
from monitor.alerts.filters import KINDS, Filters
from monitor.config import Settings
from monitor.errors import NotFoundError
from monitor.fetch import retry_after
from monitor.storage import Connection
from monitor.storage import alerts as store
from monitor.text import count

Outcome = Literal["delivered", "retry", "failed", "dead"]


@dataclass(frozen=True)
class Policy:
    """How hard to try: exponential backoff from `backoff` seconds, at most `max_attempts`."""

    max_attempts: int = 8
    backoff: float = 60.0
    max_backoff: float = 6 * 3600.0
    max_retry_after: float = 24 * 3600.0  # a receiver cannot park a delivery for longer
    lease: float = 300.0  # a claimed delivery not marked by then is sent again
    timeout: float = 20.0
    claim_size: int = 10  # claimed at once: claim_size × timeout stays within the lease
    max_messages: int = 500  # per flush, so one call always ends

    @classmethod
    def from_settings(cls, settings: Settings) -> Policy:
        return cls(
            max_attempts=settings.alert_max_attempts,
            backoff=settings.alert_backoff,
            lease=settings.alert_lease,
            timeout=settings.alert_timeout,
        )

    def delay(self, attempts: int, retry_after: float | None) -> float:
        """Seconds to wait after the `attempts`-th failed try; never less than Retry-After."""
        backoff = min(self.max_backoff, self.backoff * 2 ** max(attempts - 1, 0))
        if retry_after is None:
            return backoff
        return max(backoff, min(retry_after, self.max_retry_after))


@dataclass(frozen=True)
class Sent:
    """What happened to one message (one alert, or one digest)."""

    channel: int
    target: str
    key: str
    events: int
    outcome: Outcome
    attempts: int
    detail: str = ""
    next_attempt_at: str | None = None


@dataclass(frozen=True)
class FlushReport:
    sent: tuple[Sent, ...]

    def count(self, outcome: Outcome) -> int:
        return sum(1 for s in self.sent if s.outcome == outcome)

    def as_dict(self) -> dict[str, Any]:
        counts = {o: self.count(o) for o in ("delivered", "retry", "failed", "dead")}
        return {**counts, "messages": [asdict(s) for s in self.sent]}


def flush(
    db: Connection,
    now: datetime,
    settings: Settings | None = None,
    *,
    http: httpx.Client | None = None,
    environ: Mapping[str, str] | None = None,
    tls: ssl.SSLContext | None = None,
) -> FlushReport:
    """Send every delivery due at `now`; return what happened to each message.

    Leases and retry times count from `now` plus the time this call has spent sending, so
    a long flush never lets its own leases run out early.
    """
    settings = settings or Settings()
    policy = Policy.from_settings(settings)
    started = time.monotonic()

    def clock() -> datetime:
        return now + timedelta(seconds=time.monotonic() - started)

    results: list[Sent] = []
    with _client(http, policy) as client:
        context = Context.from_env(
            client, os.environ if environ is None else environ, settings, tls
        )
        while len(results) < policy.max_messages:
            token = str(holder.new())
            lease_until = clock() + timedelta(seconds=policy.lease)
            rows = store.claim(db, now, lease_until, token, policy.claim_size)
            if not rows:
                break
            results += [_send(db, batch, token, context, policy, clock) for batch in _batches(rows)]
    return FlushReport(tuple(results))


@contextmanager
def _client(http: httpx.Client | None, policy: Policy) -> Iterator[httpx.Client]:
    if http is not None:
        yield http
        return
    with httpx.Client(timeout=policy.timeout, follow_redirects=False) as client:
        yield client


def _batches(rows: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    grouped: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        grouped.setdefault(row["batch_key"], []).append(row)
    return list(grouped.values())


def _message(rows: list[dict[str, Any]]) -> Message:
    alerts = tuple(
        Alert(r["kind"], r["event_key"], r["idempotency_key"], r["event_created_at"], r["payload"])
        for r in rows
    )
    return Message(key=rows[0]["batch_key"], alerts=alerts, digest=rows[0]["digest_s"] is not None)


def _send(
    db: Connection,
    rows: list[dict[str, Any]],
    token: str,
    context: Context,
    policy: Policy,
    clock: Callable[[], datetime],
) -> Sent:
    first, ids = rows[0], [r["id"] for r in rows]
    sent = Sent(
        first["channel_id"],
        first["target"],
        first["batch_key"],
        len(rows),
        "delivered",
        first["attempts"],
    )
    try:
        channels.send(first["channel_kind"], first["target"], _message(rows), context)
    except DeliveryFailed as exc:
        return _failed(db, ids, token, sent, policy, clock(), exc)
    except Exception as exc:  # one broken message must not stop the others; retried, then dead
        failure = DeliveryFailed(f"{type(exc).__name__}: {exc}", retry=True)
        return _failed(db, ids, token, sent, policy, clock(), failure)
    store.mark_delivered(db, ids, token, clock())
    return sent


def _failed(
    db: Connection,
    ids: list[int],
    token: str,
    sent: Sent,
    policy: Policy,
    at: datetime,
    exc: DeliveryFailed,
) -> Sent:
    detail = str(exc)
    if not exc.retry:
        store.mark_final(db, ids, token, "failed", detail)
        return replace(sent, outcome="failed", detail=detail)
    if sent.attempts >= policy.max_attempts:
        detail = f"gave up after {count(sent.attempts, 'attempt')}: {detail}"
        store.mark_final(db, ids, token, "dead", detail)
        return replace(sent, outcome="dead", detail=detail)
    wait = policy.delay(sent.attempts, retry_after(exc.retry_after, at))
    next_at = at + timedelta(seconds=wait)
    store.mark_retry(db, ids, token, next_at, detail)
    return replace(sent, outcome="retry", detail=detail, next_attempt_at=store.stamp(next_at))


# alerts test --------------------------------------------------------------------------


def send_samples(
    db: Connection,
    now: datetime,
    ref: str | None = None,
    settings: Settings | None = None,
    *,
    http: httpx.Client | None = None,
    environ: Mapping[str, str] | None = None,
    tls: ssl.SSLContext | None = None,
) -> list[dict[str, Any]]:
    """Send one sample of each kind a channel takes and report what really happened.

    `ref` is a channel (id or target) or any target not added yet; without it, every
    channel. Reads the channels only: nothing is queued or marked.
    """
    settings = settings or Settings()
    policy = Policy.from_settings(settings)
    results = []
    with _client(http, policy) as client:
        context = Context.from_env(
            client, os.environ if environ is None else environ, settings, tls
        )
        for channel in _test_channels(db, ref):
            results += [_sample(channel, kind, now, context) for kind in channel["kinds"]]
    return results


def _test_channels(db: Connection, ref: str | None) -> list[dict[str, Any]]:
    if ref is None:
        rows = store.channels_with_counts(db)
    else:
        try:
            rows = [store.channel(db, ref)]
        except NotFoundError:
            kind, target = channels.resolve(ref)
            rows = [{"id": None, "kind": kind, "target": target, "filters": "{}", "digest_s": None}]
    if not rows:
        raise NotFoundError("no alert channels; add one with `monitor alerts add`")
    return [{**row, "kinds": Filters.from_json(row["filters"]).kinds or KINDS} for row in rows]


def _sample(channel: dict[str, Any], kind: str, now: datetime, context: Context) -> dict[str, Any]:
    key = f"test-{uuid.uuid4().hex}"
    alert = Alert(kind, f"test:{kind}", key, store.stamp(now), SAMPLES[kind])
    message = Message(key, (alert,), digest=channel["digest_s"] is not None, test=True)
    result = {"channel": channel["id"], "target": channel["target"], "kind": kind}
    try:
        channels.send(channel["kind"], channel["target"], message, context)
    except DeliveryFailed as exc:
        return {**result, "ok": False, "detail": str(exc)}
    return {**result, "ok": True, "detail": "accepted"}


SAMPLES: dict[str, dict[str, Any]] = {
    "position-shift": {
        "actor": "Hezbollah",
        "issue": "disarmament",
        "status": "confirmed",
        "confidence": 0.82,
        "from": {
            "stance": "refuses",
            "date": "2025-03-02",
            "document": 1,
            "outlet": "Al-Manar",
            "evidence": "Hezbollah will never surrender its weapons, Naim Qassem said.",
        },
        "to": {
            "stance": "conditional",
            "date": "2025-07-07",
            "document": 2,
            "outlet": "L'Orient-Le Jour",
            "evidence": "Qassem said the party is ready to discuss its arsenal "
            "only after Israel withdraws from the five points.",
        },
    },
    "text-change": {
        "document": 2,
        "title": "Hezbollah open to talks on weapons after withdrawal",
        "url": "https://example.org/news/hezbollah-weapons",
        "from_version": 3,
        "to_version": 4,
        "summary": "1 added, 1 changed",
        "significance": 0.4,
        "added": ["The statement was later confirmed by the party's media office."],
        "removed": [],
        "changed": [
            {
                "old": "Qassem said talks could start soon.",
                "new": "Qassem said talks could start only after a full withdrawal.",
            }
        ],
    },
    "source-failing": {
        "source": 1,
        "url": "https://example.org/feed.xml",
        "since": "2025-07-08T08:00:00+00:00",
        "failures": 3,
        "error": "HTTP 503 Service Unavailable",
    },
    "source-recovered": {
        "source": 1,
        "url": "https://example.org/feed.xml",
        "since": "2025-07-08T08:00:00+00:00",
        "failures": 5,
        "last_error": "HTTP 503 Service Unavailable",
        "outcome": "changed",
    },
}
