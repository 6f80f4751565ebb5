"""The outbox and channel configuration: fan-out, filters, idempotency, claims, digests."""

from __future__ import annotations

import subprocess
import sys
import threading
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from monitor import holder
from monitor.alerts import channels, outbox
from monitor.alerts.deliver import SAMPLES, Policy
from monitor.alerts.filters import Filters
from monitor.errors import ConfigError, NotFoundError
from monitor.fetch import retry_after
from monitor.models import Event
from monitor.storage import Connection, connect, query, transaction
from monitor.storage import alerts as store

NOW = datetime(2025, 7, 7, 12, 0, tzinfo=UTC)
HOOK = "https://hooks.example.org/monitor"


def shift(key: str = "shift:1", **changes: object) -> Event:
    return Event("position-shift", key, {**SAMPLES["position-shift"], **changes})


def change(key: str = "change:1", significance: float = 0.4) -> Event:
    return Event("text-change", key, {**SAMPLES["text-change"], "significance": significance})


def queued(db: Connection, channel_id: int | None = None) -> list[dict]:
    where = f" WHERE channel_id = {int(channel_id)}" if channel_id else ""
    return list(query(db, f"SELECT * FROM deliveries{where} ORDER BY id"))


pytestmark = pytest.mark.backends


@pytest.fixture
def db(database: Connection) -> Connection:
    return database


def test_emit_queues_one_delivery_per_matching_active_channel(db: Connection) -> None:
    everything = channels.add(db, "mailto:desk@example.org", Filters(), NOW)["id"]
    shifts = channels.add(db, HOOK, Filters.build(kinds=["position-shift"]), NOW)["id"]
    paused = channels.add(db, "mailto:off@example.org", Filters(), NOW)["id"]
    channels.set_paused(db, str(paused), True)

    assert outbox.emit(db, shift(), NOW)
    assert outbox.emit(db, change(), NOW)

    assert len(queued(db, everything)) == 2
    assert [d["event_id"] for d in queued(db, shifts)] == [1]
    assert queued(db, paused) == []
    keys = [d["idempotency_key"] for d in queued(db)]
    assert len(set(keys)) == len(keys) == 3


def test_emitting_the_same_event_again_queues_nothing(db: Connection) -> None:
    channels.add(db, HOOK, Filters(), NOW)
    assert outbox.emit(db, shift(), NOW)
    assert not outbox.emit(db, shift(), NOW + timedelta(hours=1))
    assert not outbox.emit(db, shift(confidence=0.9), NOW + timedelta(hours=2))
    assert len(queued(db)) == 1
    assert db.execute("SELECT COUNT(*) FROM events").fetchone()[0] == 1


def test_emit_inside_a_failed_transaction_leaves_nothing(db: Connection) -> None:
    channels.add(db, HOOK, Filters(), NOW)
    with pytest.raises(RuntimeError), transaction(db):
        outbox.emit(db, shift(), NOW)
        raise RuntimeError("the change that caused it was not recorded")
    assert db.execute("SELECT COUNT(*) FROM events").fetchone()[0] == 0
    assert queued(db) == []


def test_a_channel_added_later_gets_old_events_only_when_asked(db: Connection) -> None:
    outbox.emit(db, shift("old"), NOW - timedelta(days=3))
    outbox.emit(db, change("older"), NOW - timedelta(days=10))
    late = channels.add(db, HOOK, Filters(), NOW)
    assert late["queued"] == 0 and queued(db) == []

    backfilled = channels.add(db, "mailto:a@example.org", Filters(), NOW, since=NOW - timedelta(5))
    assert backfilled["queued"] == 1
    assert outbox.backfill(db, backfilled["id"], NOW - timedelta(days=30), NOW) == 1  # only "older"
    assert len(queued(db, backfilled["id"])) == 2


@pytest.mark.parametrize(
    ("filters", "event", "wanted"),
    [
        (Filters.build(kinds=["text-change"]), shift(), False),
        (Filters.build(statuses=["confirmed"]), shift(status="emerging"), False),
        (Filters.build(statuses=["confirmed"]), shift(status="confirmed"), True),
        (Filters.build(statuses=["emerging"]), change(), True),
        (Filters.build(actors=["hezbollah"]), shift(), True),
        (Filters.build(actors=["Iran"]), shift(), False),
        (Filters.build(actors=["Iran"]), change(), False),
        (Filters.build(issues=["disarmament"]), shift(), True),
        (Filters.build(issues=["sanctions"]), shift(), False),
        (Filters.build(min_confidence=0.9), shift(), False),
        (Filters.build(min_confidence=0.8), shift(), True),
        (Filters.build(min_significance=0.5), change(significance=0.4), False),
        (Filters.build(min_significance=0.3), change(significance=0.4), True),
        (Filters.build(min_significance=0.9), shift(), True),
    ],
    ids=[
        "kind",
        "status-out",
        "status-in",
        "status-ignores-text",
        "actor-any-case",
        "other-actor",
        "actor-filter-drops-text",
        "issue-in",
        "issue-out",
        "confidence-out",
        "confidence-in",
        "significance-out",
        "significance-in",
        "significance-ignores-shifts",
    ],
)
def test_filters(filters: Filters, event: Event, wanted: bool) -> None:
    assert filters.match(event.kind, event.payload) is wanted


def test_filters_round_trip_and_refuse_unknown_values() -> None:
    filters = Filters.build(kinds=["text-change", "position-shift"], actors=["Iran", "Iran "])
    assert Filters.from_json(filters.to_json()) == filters
    assert filters.actors == ("Iran",)
    with pytest.raises(ConfigError, match="'shifts'"):
        Filters.build(kinds=["shifts"])
    with pytest.raises(ConfigError, match="between 0 and 1"):
        Filters.build(min_confidence=1.5)


@pytest.mark.parametrize(
    "target",
    [
        "ftp://example.org/x",
        "javascript:alert(1)",
        "file:///etc/passwd",
        "mailto:a@example.org,b@example.org",
        "mailto:a@example.org?bcc=b@example.org",
        "mailto:a@example.org%0d%0aBcc:b@example.org",
        "mailto:not-an-address",
        "https://user:secret@example.org/hook",
        "https:///no-host",
    ],
)
def test_bad_targets_are_refused(db: Connection, target: str) -> None:
    with pytest.raises(ConfigError):
        channels.add(db, target, Filters(), NOW)
    assert channels.listing(db) == []


def test_channels_by_id_or_target(db: Connection) -> None:
    first = channels.add(db, HOOK, Filters(), NOW)
    with pytest.raises(ConfigError, match="already"):
        channels.add(db, HOOK, Filters(), NOW)
    channels.add(db, HOOK, Filters.build(kinds=["text-change"]), NOW, digest_s=3600)
    with pytest.raises(ConfigError, match="by id"):
        channels.remove(db, HOOK)
    assert channels.set_paused(db, str(first["id"]), True)["state"] == "paused"
    assert channels.remove(db, str(first["id"]))["id"] == first["id"]
    assert channels.remove(db, HOOK)["digest_s"] == 3600
    with pytest.raises(NotFoundError):
        channels.remove(db, "7")


def test_claim_hands_each_due_delivery_to_one_worker(db: Connection, db_url: str) -> None:
    channels.add(db, HOOK, Filters(), NOW)
    for i in range(40):
        outbox.emit(db, shift(f"shift:{i}"), NOW)
    got: list[list[int]] = [[], []]

    def worker(n: int) -> None:
        own = connect(db_url)
        for round in range(100):
            rows = store.claim(own, NOW, NOW + timedelta(minutes=5), f"w{n}-{round}", 3)
            if not rows:
                break
            got[n] += [r["id"] for r in rows]

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(got[0] + got[1]) == list(range(1, 41))
    assert not set(got[0]) & set(got[1])


def test_an_expired_lease_is_claimed_again_with_the_same_keys(db: Connection) -> None:
    channels.add(db, HOOK, Filters(), NOW)
    outbox.emit(db, shift(), NOW)
    first = store.claim(db, NOW, NOW + timedelta(minutes=5), "dead-worker", 10)
    assert store.claim(db, NOW + timedelta(minutes=4), NOW, "other", 10) == []
    again = store.claim(db, NOW + timedelta(minutes=6), NOW + timedelta(minutes=11), "other", 10)
    assert [r["idempotency_key"] for r in again] == [r["idempotency_key"] for r in first]
    assert again[0]["attempts"] == 2
    assert store.mark_delivered(db, [first[0]["id"]], "dead-worker", NOW) == 0
    assert store.mark_delivered(db, [again[0]["id"]], "other", NOW) == 1


def test_a_dead_workers_deliveries_are_claimed_again_before_the_lease_ends(
    db: Connection,
) -> None:
    channels.add(db, HOOK, Filters(), NOW)
    outbox.emit(db, shift(), NOW)
    alive = str(holder.new())
    first = store.claim(db, NOW, NOW + timedelta(minutes=5), alive, 10)
    assert store.claim(db, NOW + timedelta(minutes=1), NOW, "other", 10) == []
    # The same claim under the name of a process that has ended is free at once.
    dead = str(replace(holder.Holder.parse(alive), pid=_ended_pid()))
    db.execute("UPDATE deliveries SET claim = ?", [dead])
    again = store.claim(db, NOW + timedelta(minutes=1), NOW + timedelta(minutes=6), "other", 10)
    assert [r["idempotency_key"] for r in again] == [r["idempotency_key"] for r in first]


def _ended_pid() -> int:
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def test_a_digest_channel_sends_one_batch_per_interval(db: Connection) -> None:
    digest = channels.add(db, HOOK, Filters(), NOW, digest_s=3600)["id"]
    for i in range(3):
        outbox.emit(db, shift(f"shift:{i}"), NOW)
    batch = store.claim(db, NOW, NOW + timedelta(minutes=5), "w", 10)
    assert len({r["batch_key"] for r in batch}) == 1 and len(batch) == 3
    store.mark_delivered(db, [r["id"] for r in batch], "w", NOW)

    outbox.emit(db, shift("shift:late"), NOW + timedelta(minutes=10))
    assert store.claim(db, NOW + timedelta(minutes=59), NOW + timedelta(hours=2), "w", 10) == []
    later = store.claim(db, NOW + timedelta(minutes=61), NOW + timedelta(hours=2), "w", 10)
    assert [r["event_key"] for r in later] == ["shift:late"]
    assert later[0]["channel_id"] == digest


def test_a_failed_digest_is_retried_whole_under_its_key(db: Connection) -> None:
    channels.add(db, HOOK, Filters(), NOW, digest_s=60)
    for i in range(2):
        outbox.emit(db, shift(f"shift:{i}"), NOW)
    batch = store.claim(db, NOW, NOW + timedelta(minutes=5), "w", 10)
    store.mark_retry(db, [r["id"] for r in batch], "w", NOW + timedelta(minutes=2), "HTTP 500")
    outbox.emit(db, shift("shift:new"), NOW + timedelta(minutes=1))
    retried = store.claim(db, NOW + timedelta(minutes=3), NOW + timedelta(minutes=9), "w", 1)
    assert {r["event_key"] for r in retried} == {"shift:0", "shift:1"}
    assert {r["batch_key"] for r in retried} == {batch[0]["batch_key"]}


def test_backoff_doubles_and_retry_after_is_honoured() -> None:
    policy = Policy(backoff=10, max_backoff=100)
    assert [policy.delay(n, None) for n in (1, 2, 3, 4, 5)] == [10, 20, 40, 80, 100]
    assert policy.delay(1, 120.0) == 120
    assert policy.delay(1, 10**9) == policy.max_retry_after
    assert retry_after("30", NOW) == 30
    assert retry_after("Mon, 07 Jul 2025 12:02:00 GMT", NOW) == 120
    assert retry_after("soon", NOW) is None
