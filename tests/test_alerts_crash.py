"""`monitor alerts flush` killed with SIGKILL mid-delivery loses nothing; repeats keep their key."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pytest
from alert_servers import Hook, wait_for

from monitor.alerts import channels, outbox
from monitor.alerts.deliver import SAMPLES
from monitor.alerts.filters import Filters
from monitor.models import Event
from monitor.storage import connect, query

pytestmark = [pytest.mark.slow, pytest.mark.backends]

MONITOR = str(Path(sys.executable).with_name("monitor"))
LEASE = 0.3


@pytest.fixture
def env(tmp_path: Path, db_url: str) -> dict[str, str]:
    config = tmp_path / "monitor.toml"
    config.write_text(f"alert_lease = {LEASE}\nalert_backoff = 0.2\nalert_timeout = 30\n")
    return {
        **os.environ,
        "MONITOR_CONFIG": str(config),
        "MONITOR_DB": db_url,
        "MONITOR_WEBHOOK_SECRET": "k",
    }


def queue(env: dict[str, str], url: str, count: int) -> None:
    db = connect(env["MONITOR_DB"])
    channels.add(db, url, Filters(), datetime.now(UTC))
    for i in range(count):
        outbox.emit(
            db, Event("text-change", f"change:{i}", SAMPLES["text-change"]), datetime.now(UTC)
        )
    db.close()


def flush(env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [MONITOR, "alerts", "flush"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )


def deliveries(env: dict[str, str]) -> dict[str, str]:
    db = connect(env["MONITOR_DB"])
    try:
        return {r["idempotency_key"]: r["status"] for r in query(db, "SELECT * FROM deliveries")}
    finally:
        db.close()


def test_killed_between_send_and_mark_the_delivery_repeats_with_its_key(
    hook: Hook, env: dict[str, str]
) -> None:
    queue(env, hook.url, 5)
    hook.hold_after = 2  # the third request is received, then held until the kill
    worker = flush(env)
    wait_for(lambda: len(hook.hits) == 3)
    worker.send_signal(signal.SIGKILL)
    worker.wait()
    hook.release.set()
    in_flight = hook.hits[2].headers["X-Monitor-Delivery"]
    assert deliveries(env)[in_flight] == "sending"

    time.sleep(LEASE + 0.1)
    rerun = flush(env)
    assert rerun.wait(60) == 0, rerun.stderr.read() if rerun.stderr else ""

    states = deliveries(env)
    assert set(states.values()) == {"delivered"}
    sent = Counter(h.headers["X-Monitor-Delivery"] for h in hook.hits)
    assert set(sent) == set(states)
    assert {key: n for key, n in sent.items() if n > 1} == {in_flight: 2}


def test_killed_again_and_again_every_event_still_arrives(hook: Hook, env: dict[str, str]) -> None:
    queue(env, hook.url, 30)
    hook.delay = 0.02
    kills = 0
    for _ in range(3):
        seen = len(hook.hits)
        worker = flush(env)
        wait_for(lambda seen=seen: len(hook.hits) >= seen + 4, timeout=30)
        worker.send_signal(signal.SIGKILL)
        worker.wait()
        kills += 1
        time.sleep(LEASE + 0.1)
    final = flush(env)
    assert final.wait(60) == 0

    states = deliveries(env)
    assert len(states) == 30 and set(states.values()) == {"delivered"}
    sent = Counter(h.headers["X-Monitor-Delivery"] for h in hook.hits)
    assert set(sent) == set(states)
    repeats = sum(n - 1 for n in sent.values())
    assert repeats <= kills
    bodies = {h.headers["X-Monitor-Delivery"]: h.json["key"] for h in hook.hits}
    assert sorted(bodies.values()) == sorted(f"change:{i}" for i in range(30))
