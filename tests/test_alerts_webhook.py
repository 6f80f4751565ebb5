"""Webhook delivery against a real HTTP receiver on 127.0.0.1."""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from alert_servers import Hook

from monitor.alerts import channels, outbox
from monitor.alerts.channels import Alert, Context, Message
from monitor.alerts.deliver import SAMPLES, flush, send_samples
from monitor.alerts.filters import Filters
from monitor.alerts.webhook import document
from monitor.config import Settings
from monitor.models import Event
from monitor.storage import Connection, query
from monitor.storage.copy import TABLES

NOW = datetime(2025, 7, 7, 12, 0, tzinfo=UTC)
SECRET = "s3cret-for-tests"
ENV = {"MONITOR_WEBHOOK_SECRET": SECRET}
FAST = Settings(alert_backoff=1.0, alert_max_attempts=3, alert_timeout=5.0)


pytestmark = pytest.mark.backends


@pytest.fixture
def db(database: Connection) -> Connection:
    return database


def shift(key: str = "shift:1", **changes: object) -> Event:
    return Event("position-shift", key, {**SAMPLES["position-shift"], **changes})


def statuses(db: Connection) -> list[str]:
    return [r["status"] for r in query(db, "SELECT status FROM deliveries ORDER BY id")]


def test_a_shift_arrives_signed_with_its_key_and_the_diff_json_shape(
    db: Connection, hook: Hook
) -> None:
    channels.add(db, hook.url, Filters(), NOW)
    outbox.emit(db, shift(), NOW)

    report = flush(db, NOW, FAST, environ=ENV)

    assert report.count("delivered") == 1 and len(hook.hits) == 1
    hit = hook.hits[0]
    key = db.execute("SELECT idempotency_key FROM deliveries").fetchone()[0]
    assert hit.headers["X-Monitor-Event"] == "position-shift"
    assert hit.headers["X-Monitor-Delivery"] == key
    expected = hmac.new(SECRET.encode(), hit.body, hashlib.sha256).hexdigest()
    assert hit.headers["X-Monitor-Signature"] == f"sha256={expected}"
    body = hit.json
    assert body["event"] == "position-shift" and body["delivery"] == key
    assert body["key"] == "shift:1" and body["test"] is False
    assert set(body["data"]) == {"actor", "issue", "status", "confidence", "from", "to"}
    assert set(body["data"]["to"]) == {"stance", "date", "document", "outlet", "evidence"}
    assert statuses(db) == ["delivered"]
    assert flush(db, NOW + timedelta(hours=1), FAST, environ=ENV).sent == ()
    assert len(hook.hits) == 1


def test_without_a_secret_nothing_is_signed(db: Connection, hook: Hook) -> None:
    channels.add(db, hook.url, Filters(), NOW)
    outbox.emit(db, shift(), NOW)
    flush(db, NOW, FAST, environ={})
    assert "X-Monitor-Signature" not in hook.hits[0].headers


def test_500_then_200_is_retried_with_backoff_and_the_same_key(db: Connection, hook: Hook) -> None:
    channels.add(db, hook.url, Filters(), NOW)
    outbox.emit(db, shift(), NOW)
    hook.script = [(500, {}), (503, {})]

    first = flush(db, NOW, FAST, environ=ENV)
    assert first.count("retry") == 1 and "HTTP 500" in first.sent[0].detail
    assert flush(db, NOW + timedelta(seconds=0.5), FAST, environ=ENV).sent == ()
    second = flush(db, NOW + timedelta(seconds=1.5), FAST, environ=ENV)
    assert second.count("retry") == 1 and "HTTP 503" in second.sent[0].detail
    assert flush(db, NOW + timedelta(seconds=2.5), FAST, environ=ENV).sent == ()  # waits 2 s now
    third = flush(db, NOW + timedelta(seconds=4), FAST, environ=ENV)

    assert third.count("delivered") == 1
    assert len({h.headers["X-Monitor-Delivery"] for h in hook.hits}) == 1
    assert len(hook.hits) == 3 and statuses(db) == ["delivered"]


def test_429_waits_for_retry_after(db: Connection, hook: Hook) -> None:
    channels.add(db, hook.url, Filters(), NOW)
    outbox.emit(db, shift(), NOW)
    hook.script = [(429, {"Retry-After": "120"})]

    report = flush(db, NOW, FAST, environ=ENV)
    assert report.count("retry") == 1
    next_at = datetime.fromisoformat(report.sent[0].next_attempt_at or "")
    assert timedelta(seconds=120) <= next_at - NOW < timedelta(seconds=125)
    assert flush(db, NOW + timedelta(seconds=60), FAST, environ=ENV).sent == ()
    assert flush(db, NOW + timedelta(seconds=126), FAST, environ=ENV).count("delivered") == 1
    assert len(hook.hits) == 2


def test_404_is_a_permanent_failure_listed_on_the_channel(db: Connection, hook: Hook) -> None:
    channel = channels.add(db, hook.url, Filters(), NOW)
    outbox.emit(db, shift(), NOW)
    hook.script = [(404, {})]

    report = flush(db, NOW, FAST, environ=ENV)
    assert report.count("failed") == 1 and "HTTP 404" in report.sent[0].detail
    assert flush(db, NOW + timedelta(days=1), FAST, environ=ENV).sent == ()
    assert len(hook.hits) == 1
    listed = channels.listing(db)[0]
    assert (listed["id"], listed["failed"], listed["pending"]) == (channel["id"], 1, 0)
    assert "HTTP 404" in listed["last_error"]


def test_after_the_last_attempt_a_delivery_is_dead_not_dropped(db: Connection, hook: Hook) -> None:
    channels.add(db, hook.url, Filters(), NOW)
    outbox.emit(db, shift(), NOW)
    hook.script = [(500, {})] * 3
    moment = NOW
    for _ in range(3):
        flush(db, moment, FAST, environ=ENV)
        moment += timedelta(minutes=1)
    assert statuses(db) == ["dead"]
    assert channels.listing(db)[0]["dead"] == 1

    assert channels.retry(db, moment) == 1
    assert flush(db, moment, FAST, environ=ENV).count("delivered") == 1
    assert len({h.headers["X-Monitor-Delivery"] for h in hook.hits}) == 1


def test_unreachable_receiver_is_retried(db: Connection, hook: Hook) -> None:
    url = hook.url
    hook.stop()
    channels.add(db, url, Filters(), NOW)
    outbox.emit(db, shift(), NOW)
    report = flush(db, NOW, FAST, environ=ENV)
    assert report.count("retry") == 1 and "Connect" in report.sent[0].detail


def test_a_digest_groups_events_into_one_post_per_interval(db: Connection, hook: Hook) -> None:
    channels.add(db, hook.url, Filters(), NOW, digest_s=3600)
    for i in range(3):
        outbox.emit(db, shift(f"shift:{i}"), NOW)
    flush(db, NOW, FAST, environ=ENV)
    outbox.emit(db, shift("shift:3"), NOW + timedelta(minutes=5))
    assert flush(db, NOW + timedelta(minutes=30), FAST, environ=ENV).sent == ()
    flush(db, NOW + timedelta(minutes=61), FAST, environ=ENV)

    assert [h.headers["X-Monitor-Event"] for h in hook.hits] == ["digest", "digest"]
    first, second = (h.json for h in hook.hits)
    assert [e["key"] for e in first["events"]] == ["shift:0", "shift:1", "shift:2"]
    assert [e["key"] for e in second["events"]] == ["shift:3"]
    assert first["delivery"] == hook.hits[0].headers["X-Monitor-Delivery"] != second["delivery"]
    assert len({e["delivery"] for e in first["events"]}) == 3


def test_alerts_test_reports_the_real_outcome_and_writes_nothing(
    db: Connection, hook: Hook
) -> None:
    channels.add(db, hook.url, Filters.build(kinds=["position-shift", "text-change"]), NOW)
    hook.script = [(200, {}), (404, {})]

    results = send_samples(db, NOW, settings=FAST, environ=ENV)

    assert [(r["kind"], r["ok"]) for r in results] == [
        ("position-shift", True),
        ("text-change", False),
    ]
    assert "HTTP 404" in results[1]["detail"]
    assert all(h.json["test"] is True for h in hook.hits)
    assert db.execute("SELECT COUNT(*) FROM events").fetchone()[0] == 0
    assert db.execute("SELECT COUNT(*) FROM deliveries").fetchone()[0] == 0


def test_alerts_test_on_a_target_not_added_yet(db: Connection, hook: Hook) -> None:
    results = send_samples(db, NOW, hook.url, settings=FAST, environ=ENV)
    assert [r["kind"] for r in results] == [
        "position-shift",
        "text-change",
        "source-failing",
        "source-recovered",
    ]
    assert all(r["ok"] for r in results) and len(hook.hits) == 4


def test_the_documented_bodies_are_what_is_sent() -> None:
    doc = (Path(__file__).parent.parent / "docs" / "webhooks.md").read_text(encoding="utf-8")
    blocks = [json.loads(b.split("```", 1)[0]) for b in doc.split("```json\n")[1:]]
    single, digest = blocks

    def alert(example: dict) -> Alert:
        sample = SAMPLES[example["event"]]
        assert example["data"] == sample
        keys = (example["event"], example["key"], example["delivery"], example["created_at"])
        return Alert(*keys, sample)

    assert document(Message(single["delivery"], (alert(single),))) == single
    alerts = tuple(alert(e) for e in digest["events"])
    assert document(Message(digest["delivery"], alerts, digest=True)) == digest


def test_a_paused_channel_keeps_its_queue_until_resumed(db: Connection, hook: Hook) -> None:
    channel = str(channels.add(db, hook.url, Filters(), NOW)["id"])
    outbox.emit(db, shift("shift:before"), NOW)
    channels.set_paused(db, channel, True)
    outbox.emit(db, shift("shift:while-paused"), NOW)
    assert flush(db, NOW, FAST, environ=ENV).sent == () and hook.hits == []

    channels.set_paused(db, channel, False)
    assert flush(db, NOW, FAST, environ=ENV).count("delivered") == 1
    assert [h.json["key"] for h in hook.hits] == ["shift:before"]


def test_removing_a_channel_drops_its_queue(db: Connection, hook: Hook) -> None:
    channels.add(db, hook.url, Filters(), NOW)
    outbox.emit(db, shift(), NOW)
    channels.remove(db, hook.url)
    assert db.execute("SELECT COUNT(*) FROM deliveries").fetchone()[0] == 0
    assert flush(db, NOW, FAST, environ=ENV).sent == ()


def test_secrets_stay_out_of_reprs_and_the_database(db: Connection, hook: Hook) -> None:
    channels.add(db, hook.url, Filters(), NOW)
    outbox.emit(db, shift(), NOW)
    flush(db, NOW, FAST, environ=ENV)
    with httpx.Client() as client:
        assert SECRET not in repr(Context.from_env(client, ENV, FAST))
    dump = "\n".join(
        repr(row) for table in TABLES for row in db.execute(f"SELECT * FROM {table}").fetchall()
    )
    assert "hook" in dump and SECRET not in dump
