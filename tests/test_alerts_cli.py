"""Alerts end to end through the `monitor` command, with real receivers on 127.0.0.1."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from alert_servers import Hook, MailSink, free_port, start_smtp
from conftest import SEEDS, Run

pytestmark = pytest.mark.backends


@pytest.fixture(autouse=True)
def settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = tmp_path / "monitor.toml"
    config.write_text("alert_backoff = 0.5\nalert_max_attempts = 2\nalert_timeout = 5\n")
    monkeypatch.setenv("MONITOR_CONFIG", str(config))
    monkeypatch.setenv("MONITOR_WEBHOOK_SECRET", "cli-secret")


def channels(monitor: Run) -> list[dict]:
    return json.loads(monitor("alerts", "list", "--json", ok=True).stdout)


def test_seeded_shifts_reach_a_webhook_as_diff_json_objects_once(monitor: Run, hook: Hook) -> None:
    added = monitor("alerts", "add", hook.url, "--kind", "position-shift", "--json", ok=True)
    assert json.loads(added.stdout)["filters"] == {"kinds": ["position-shift"]}

    monitor("seed", str(SEEDS), ok=True)
    flushed = json.loads(monitor("alerts", "flush", "--json", ok=True).stdout)

    shifts = json.loads(monitor("diff", "--json", ok=True).stdout)
    assert shifts and flushed["delivered"] == len(hook.hits) >= len(shifts)
    bodies = [h.json for h in hook.hits]
    assert all(b["event"] == "position-shift" for b in bodies)
    latest = {(b["data"]["actor"], b["data"]["issue"]): b["data"] for b in bodies}
    for shift in shifts:
        assert latest[(shift["actor"], shift["issue"])] == shift

    monitor("seed", str(SEEDS), ok=True)
    again = json.loads(monitor("alerts", "flush", "--json", ok=True).stdout)
    assert again["messages"] == [] and len(hook.hits) == len(bodies)
    [listed] = channels(monitor)
    assert (listed["delivered"], listed["pending"], listed["failed"]) == (len(bodies), 0, 0)


def test_an_edited_article_sends_its_added_and_removed_sentences(
    monitor: Run, hook: Hook, tmp_path: Path
) -> None:
    article = tmp_path / "statement.txt"
    article.write_text(
        "Officials met on Monday. The talks will resume next week. Nothing else was agreed.\n"
    )
    monitor("add", str(article), "--title", "Talks", "--date", "2025-07-01", ok=True)
    monitor("alerts", "add", hook.url, "--kind", "text-change", ok=True)
    article.write_text(
        "Officials met on Monday. Nothing else was agreed. A ceasefire was announced tonight.\n"
    )
    monitor("add", str(article), "--title", "Talks", "--date", "2025-07-01", ok=True)

    result = monitor("alerts", "flush", ok=True)

    assert "1 delivered" in result.stdout
    [hit] = hook.hits
    data = hit.json["data"]
    assert hit.headers["X-Monitor-Event"] == "text-change"
    assert "A ceasefire was announced tonight." in data["added"]
    assert "The talks will resume next week." in data["removed"]


def test_alerts_test_reports_refusals_and_writes_nothing(monitor: Run, hook: Hook) -> None:
    monitor("alerts", "add", hook.url, ok=True)
    ok = monitor("alerts", "test", hook.url, ok=True)
    assert [line.split()[0] for line in ok.stdout.splitlines()] == ["ok"] * 4
    assert len(hook.hits) == 4
    assert all(h.json["test"] for h in hook.hits)

    hook.script = [(404, {})]
    failed = monitor("alerts", "test", "1")
    assert failed.exit_code == 1
    assert "FAILED" in failed.stdout and "HTTP 404" in failed.stdout
    [listed] = channels(monitor)
    assert (listed["pending"], listed["failed"], listed["delivered"]) == (0, 0, 0)


def test_email_through_the_command(monitor: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    sink, port = MailSink(), free_port()
    controller = start_smtp(port, sink)
    monkeypatch.setenv("MONITOR_SMTP_URL", f"smtp://127.0.0.1:{port}")
    monkeypatch.setenv("MONITOR_MAIL_FROM", "monitor@example.org")
    try:
        monitor("alerts", "add", "mailto:desk@example.org", "--actor", "Hezbollah", ok=True)
        assert "ok" in monitor("alerts", "test", ok=True).stdout
        tests = len(sink.received)
        monitor("seed", str(SEEDS), ok=True)
        monitor("alerts", "flush", ok=True)
    finally:
        controller.stop()
    subjects = [str(m.message["Subject"]) for m in sink.received[tests:]]
    assert subjects and all(s.startswith("Hezbollah · ") for s in subjects)
    assert "Hezbollah · escalation: escalate → restraint (2025-06-21)" in subjects


def test_channel_management(monitor: Run, hook: Hook) -> None:
    monitor("alerts", "add", hook.url, "--digest", "1h", "--min-confidence", "0.5", ok=True)
    monitor("alerts", "add", "mailto:a@example.org", "--status", "confirmed", ok=True)
    assert "paused" in monitor("alerts", "pause", hook.url, ok=True).stdout
    listed = channels(monitor)
    assert [(c["state"], c["digest_s"]) for c in listed] == [("paused", 3600), ("active", None)]
    assert listed[1]["filters"] == {"statuses": ["confirmed"]}
    text = monitor("alerts", "list", ok=True).stdout
    assert hook.url in text and "confidence ≥ 0.5" in text
    monitor("alerts", "resume", "1", ok=True)
    monitor("alerts", "rm", "mailto:a@example.org", ok=True)
    assert [c["id"] for c in channels(monitor)] == [1]

    bad = monitor("alerts", "add", "ftp://example.org/x")
    assert bad.exit_code == 1 and bad.stderr.startswith("error: unsupported alert target")
    missing = monitor("alerts", "rm", "9")
    assert missing.exit_code == 1 and "no alert channel" in missing.stderr


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        ("--actor", "Nobody", "no actor 'Nobody' in the profile (see `monitor actors`)"),
        ("--issue", "weather", "no issue 'weather' in the profile (see `monitor issues`)"),
    ],
)
def test_alert_filters_are_checked_against_the_profile_as_diff_checks_them(
    monitor: Run, db_path: Path, option: str, value: str, message: str
) -> None:
    refused = monitor("alerts", "add", "mailto:desk@example.org", option, value)
    assert (refused.exit_code, refused.stderr) == (1, f"error: {message}\n")
    assert not db_path.exists(), "a refused channel created the database"
    monitor("seed", str(SEEDS), ok=True)
    diff = monitor("diff", option, value)
    assert (diff.exit_code, diff.stderr) == (1, refused.stderr)
    assert channels(monitor) == []


def test_alert_actor_filters_take_aliases_and_store_the_actor_name(
    monitor: Run, hook: Hook
) -> None:
    added = monitor("alerts", "add", hook.url, "--actor", "qassem", "--json", ok=True)
    assert json.loads(added.stdout)["filters"] == {"actors": ["Hezbollah"]}
    monitor("seed", str(SEEDS), ok=True)
    monitor("alerts", "flush", ok=True)
    assert hook.hits and {h.json["data"]["actor"] for h in hook.hits} == {"Hezbollah"}
