"""Apprise channels (json://, form://) delivering to a real receiver on 127.0.0.1, with the
outbox's guarantees: retries, permanent failures, dead letters, one delivery per key,
digests; and Apprise's own retry switched off."""

from __future__ import annotations

import json
from contextlib import closing
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from alert_servers import Hook
from conftest import Run

from monitor.alerts import channels, outbox
from monitor.alerts.deliver import SAMPLES, flush
from monitor.alerts.filters import Filters
from monitor.config import Settings
from monitor.models import Event
from monitor.storage import Connection, connect, query

NOW = datetime(2025, 7, 7, 12, 0, tzinfo=UTC)
FAST = Settings(alert_backoff=1.0, alert_max_attempts=3, alert_timeout=5.0)


@pytest.fixture
def db() -> Connection:
    return connect(":memory:")


def change(key: str = "text-change:1:1:2") -> Event:
    return Event("text-change", key, SAMPLES["text-change"])


def statuses(db: Connection) -> list[str]:
    return [r["status"] for r in query(db, "SELECT status FROM deliveries ORDER BY id")]


def json_target(hook: Hook, query_string: str = "") -> str:
    return f"json://127.0.0.1:{hook.port}/hook{query_string}"


def test_alerts_add_json_url_and_flush_delivers_once(
    monitor: Run, db_path: Path, hook: Hook
) -> None:
    added = json.loads(monitor("alerts", "add", json_target(hook), "--json", ok=True).stdout)
    assert added["type"] == "apprise"
    with closing(connect(db_path)) as db:
        outbox.emit(db, change(), datetime.now(UTC))
    flushed = json.loads(monitor("alerts", "flush", "--json", ok=True).stdout)
    assert flushed["delivered"] == 1 and len(hook.hits) == 1
    body = hook.hits[0].json
    assert body["title"].startswith("Changed: Hezbollah open to talks")
    assert "The statement was later confirmed" in body["message"]
    key = flushed["messages"][0]["key"]
    assert f"delivery {key}" in body["message"]
    # Delivered once: later flushes send nothing again.
    assert json.loads(monitor("alerts", "flush", "--json", ok=True).stdout)["messages"] == []
    assert len(hook.hits) == 1
    sample = monitor("alerts", "test", "1", ok=True)
    assert "ok" in sample.output and len(hook.hits) == 1 + 4  # one sample of each kind


def test_500_then_200_is_retried_by_the_outbox_not_by_apprise(db: Connection, hook: Hook) -> None:
    channels.add(db, json_target(hook, "?retry=3&wait=0"), Filters(), NOW)
    outbox.emit(db, change(), NOW)
    hook.script = [(500, {})]
    first = flush(db, NOW, FAST)
    assert first.count("retry") == 1 and "error=500" in first.sent[0].detail
    assert len(hook.hits) == 1  # Apprise's own ?retry=3 did not send it again
    assert flush(db, NOW + timedelta(seconds=0.5), FAST).sent == ()  # backing off
    second = flush(db, NOW + timedelta(seconds=2), FAST)
    assert second.count("delivered") == 1 and statuses(db) == ["delivered"]
    assert len(hook.hits) == 2
    assert hook.hits[0].body == hook.hits[1].body  # the same message and key


def test_404_is_a_permanent_failure_kept_for_retry(db: Connection, hook: Hook) -> None:
    channels.add(db, f"form://127.0.0.1:{hook.port}/hook", Filters(), NOW)
    outbox.emit(db, change(), NOW)
    hook.script = [(404, {})]
    report = flush(db, NOW, FAST)
    assert report.count("failed") == 1 and "error=404" in report.sent[0].detail
    assert flush(db, NOW + timedelta(days=1), FAST).sent == ()
    listed = channels.listing(db)[0]
    assert (listed["failed"], listed["pending"]) == (1, 0) and "404" in listed["last_error"]
    assert channels.retry(db, NOW) == 1  # kept, never dropped
    assert flush(db, NOW + timedelta(days=1), FAST).count("delivered") == 1


def test_after_the_last_attempt_a_delivery_is_dead(db: Connection, hook: Hook) -> None:
    channels.add(db, json_target(hook), Filters(), NOW)
    outbox.emit(db, change(), NOW)
    hook.script = [(503, {})] * 3
    moment = NOW
    for _ in range(3):
        flush(db, moment, FAST)
        moment += timedelta(minutes=1)
    assert statuses(db) == ["dead"] and len(hook.hits) == 3


def test_a_refused_connection_is_retried(db: Connection) -> None:
    from alert_servers import free_port

    channels.add(db, f"json://127.0.0.1:{free_port()}/hook", Filters(), NOW)
    outbox.emit(db, change(), NOW)
    assert flush(db, NOW, FAST).count("retry") == 1


def test_a_digest_is_one_message(db: Connection, hook: Hook) -> None:
    channels.add(db, json_target(hook), Filters(), NOW, digest_s=3600)
    for n in range(3):
        outbox.emit(db, change(f"text-change:1:{n}:{n + 1}"), NOW)
    report = flush(db, NOW + timedelta(hours=1, seconds=1), FAST)
    assert report.count("delivered") == 1 and report.sent[0].events == 3
    assert len(hook.hits) == 1 and hook.hits[0].json["title"].startswith("3 alerts")


def test_tokens_in_apprise_urls_come_from_the_environment(
    monitor: Run, monkeypatch: pytest.MonkeyPatch, hook: Hook
) -> None:
    clear = monitor("alerts", "add", "tgram://123456789:AAHdummyBotToken0123456789/4242")
    assert clear.exit_code == 1 and "holds a secret" in clear.stderr
    assert clear.stderr.count("\n") == 1
    monkeypatch.setenv("TEST_TGRAM_TOKEN", "123456789:AAHdummyBotToken0123456789")
    ok = monitor("alerts", "add", "tgram://${TEST_TGRAM_TOKEN}/4242", "--json", ok=True)
    assert json.loads(ok.stdout)["target"] == "tgram://${TEST_TGRAM_TOKEN}/4242"
    unknown = monitor("alerts", "add", "nosuchscheme://x")
    assert unknown.exit_code == 1 and "any Apprise URL" in unknown.stderr
