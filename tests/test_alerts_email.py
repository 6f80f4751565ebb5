"""Email delivery against a real SMTP server (aiosmtpd) on 127.0.0.1."""

from __future__ import annotations

import ssl
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller
from alert_servers import MailSink, free_port, self_signed, start_smtp

from monitor.alerts import channels, outbox
from monitor.alerts.channels import Alert, Message
from monitor.alerts.deliver import SAMPLES, flush, send_samples
from monitor.alerts.email import render
from monitor.alerts.filters import Filters
from monitor.config import Settings
from monitor.models import Event
from monitor.storage import Connection

NOW = datetime(2025, 7, 7, 12, 0, tzinfo=UTC)
FAST = Settings(alert_backoff=1.0, alert_max_attempts=3, alert_timeout=5.0)
TO = "analyst@example.org"


pytestmark = pytest.mark.backends


@pytest.fixture
def db(database: Connection) -> Connection:
    return database


@pytest.fixture
def smtp() -> Iterator[tuple[MailSink, dict[str, str]]]:
    sink = MailSink()
    port = free_port()
    controller = start_smtp(port, sink)
    yield sink, {"MONITOR_SMTP_URL": f"smtp://127.0.0.1:{port}", "MONITOR_MAIL_FROM": "m@x.org"}
    controller.stop()


def body(mail: EmailMessage, subtype: str) -> str:
    part = mail.get_body(preferencelist=(subtype,))
    assert isinstance(part, EmailMessage)
    return str(part.get_content())


def test_a_shift_mail_reads_well_in_both_parts(db: Connection, smtp: tuple) -> None:
    sink, env = smtp
    channels.add(db, f"mailto:{TO}", Filters(), NOW)
    outbox.emit(db, Event("position-shift", "shift:1", SAMPLES["position-shift"]), NOW)

    assert flush(db, NOW, FAST, environ=env).count("delivered") == 1

    [mail] = sink.received
    assert mail.rcpt_tos == [TO] and mail.mail_from == "m@x.org"
    message = mail.message
    assert message["Subject"] == "Hezbollah · disarmament: refuses → conditional (2025-07-07)"
    key = db.execute("SELECT idempotency_key FROM deliveries").fetchone()[0]
    assert message["X-Monitor-Delivery"] == key
    text = body(message, "plain")
    for expected in (
        "Before: refuses",
        "2025-03-02 · Al-Manar · document 1",
        "“Hezbollah will never surrender its weapons, Naim Qassem said.”",
        "After: conditional",
        "2025-07-07 · L'Orient-Le Jour · document 2",
        "confirmed shift, confidence 0.82",
        "monitor diff --actor Hezbollah --issue disarmament",
    ):
        assert expected in text
    assert text.index("Before: refuses") < text.index("After: conditional")
    html = body(message, "html")
    assert "L&#x27;Orient-Le Jour" in html and "<blockquote" in html


def test_a_text_change_mail_shows_sentences_not_the_page() -> None:
    payload = {
        **SAMPLES["text-change"],
        "added": [f"New sentence number {i}." for i in range(30)],
        "removed": ["An old claim that was withdrawn."],
        "changed": [],
    }
    mail = render(Message("k", (Alert("text-change", "c", "k", "t", payload),)), "m@x.org", TO)
    text = body(mail, "plain")
    assert "Added" in text and "“New sentence number 11.”" in text
    assert "New sentence number 12." not in text and "… and 18 more" in text
    assert "Removed" in text and "“An old claim that was withdrawn.”" in text
    assert mail["Subject"].startswith("Changed: Hezbollah open to talks")


def test_a_new_headline_is_shown_before_the_body_edits() -> None:
    payload = {
        **SAMPLES["text-change"],
        "headline": {"old": "Talks could start soon", "new": "Talks only after withdrawal"},
    }
    mail = render(Message("k", (Alert("text-change", "c", "k", "t", payload),)), "m@x.org", TO)
    text, html = body(mail, "plain"), body(mail, "html")
    assert text.index("New headline") < text.index("Added")
    assert "was: Talks could start soon" in text and "“Talks only after withdrawal”" in text
    assert "Talks only after withdrawal" in html


def test_a_digest_is_one_mail_with_a_section_per_event(db: Connection, smtp: tuple) -> None:
    sink, env = smtp
    channels.add(db, f"mailto:{TO}", Filters(), NOW, digest_s=3600)
    outbox.emit(db, Event("position-shift", "shift:1", SAMPLES["position-shift"]), NOW)
    outbox.emit(db, Event("position-shift", "shift:2", SAMPLES["position-shift"]), NOW)
    outbox.emit(db, Event("text-change", "change:1", SAMPLES["text-change"]), NOW)

    assert flush(db, NOW, FAST, environ=env).count("delivered") == 1

    [mail] = sink.received
    assert mail.message["Subject"] == "3 alerts: 2 position shifts, 1 text change"
    text = body(mail.message, "plain")
    assert text.count("Before: refuses") == 2 and "Changed: Hezbollah open to talks" in text


def test_hostile_titles_cannot_inject_headers_or_markup(db: Connection, smtp: tuple) -> None:
    sink, env = smtp
    hostile = "Title\r\nBcc: victim@evil.example\r\n\r\n<script>x()</script>" + "A" * 10_000
    payload = {
        **SAMPLES["text-change"],
        "title": hostile,
        "url": "javascript:alert(1)",
        "added": ["<img src=x onerror=alert(1)>"],
    }
    channels.add(db, f"mailto:{TO}", Filters(), NOW)
    outbox.emit(db, Event("text-change", "change:evil", payload), NOW)

    assert flush(db, NOW, FAST, environ=env).count("delivered") == 1

    [mail] = sink.received
    assert mail.rcpt_tos == [TO]
    message = mail.message
    assert message["Bcc"] is None
    assert sorted(message.keys()) == sorted(
        ["Subject", "From", "To", "Date", "Message-ID", "X-Monitor-Delivery", "MIME-Version",
         "Content-Type"]
    )  # fmt: skip
    subject = str(message["Subject"])
    assert "\n" not in subject and "\r" not in subject and len(subject) <= 150
    assert subject.startswith("Changed: Title Bcc: victim@evil.example")
    html = body(message, "html")
    assert "<script>" not in html and "<img" not in html and "&lt;img" in html
    assert "javascript:" not in html


def test_smtp_down_then_up(db: Connection) -> None:
    port = free_port()
    env = {"MONITOR_SMTP_URL": f"smtp://127.0.0.1:{port}", "MONITOR_MAIL_FROM": "m@x.org"}
    channels.add(db, f"mailto:{TO}", Filters(), NOW)
    outbox.emit(db, Event("source-failing", "fail:1", SAMPLES["source-failing"]), NOW)

    down = flush(db, NOW, FAST, environ=env)
    assert down.count("retry") == 1 and "refused" in down.sent[0].detail.lower()

    sink = MailSink()
    controller = start_smtp(port, sink)
    try:
        assert flush(db, NOW + timedelta(seconds=2), FAST, environ=env).count("delivered") == 1
    finally:
        controller.stop()
    [mail] = sink.received
    assert mail.message["Subject"] == "Source failing: https://example.org/feed.xml"
    assert "HTTP 503" in body(mail.message, "plain")


@pytest.mark.parametrize(
    ("reply", "outcome"), [("550 No such user", "failed"), ("451 Try later", "retry")]
)
def test_smtp_refusals(db: Connection, smtp: tuple, reply: str, outcome: str) -> None:
    sink, env = smtp
    sink.refuse = reply
    channels.add(db, f"mailto:{TO}", Filters(), NOW)
    outbox.emit(db, Event("source-recovered", "ok:1", SAMPLES["source-recovered"]), NOW)
    report = flush(db, NOW, FAST, environ=env)
    assert report.count(outcome) == 1 and reply.split()[0] in report.sent[0].detail


def test_missing_smtp_settings_keep_mail_queued(db: Connection) -> None:
    channels.add(db, f"mailto:{TO}", Filters(), NOW)
    outbox.emit(db, Event("source-recovered", "ok:1", SAMPLES["source-recovered"]), NOW)
    report = flush(db, NOW, FAST, environ={})
    assert report.count("retry") == 1 and "MONITOR_SMTP_URL" in report.sent[0].detail


def test_alerts_test_shows_an_smtp_refusal_as_a_failure(db: Connection, smtp: tuple) -> None:
    sink, env = smtp
    sink.refuse = "550 Mailbox unavailable"
    results = send_samples(db, NOW, f"mailto:{TO}", FAST, environ=env)
    assert len(results) == 4 and not any(r["ok"] for r in results)
    assert all("550" in r["detail"] for r in results)


@pytest.fixture(scope="module")
def tls(tmp_path_factory: pytest.TempPathFactory) -> tuple[ssl.SSLContext, ssl.SSLContext]:
    return self_signed(tmp_path_factory.mktemp("tls"))


def test_starttls_and_login(db: Connection, tls: tuple[ssl.SSLContext, ssl.SSLContext]) -> None:
    server_tls, client_tls = tls
    sink, port = MailSink(), free_port()
    controller = start_smtp(port, sink, starttls=server_tls, login=("bot", "p@ss word"))
    env = {
        "MONITOR_SMTP_URL": f"smtp://bot:p%40ss%20word@127.0.0.1:{port}",
        "MONITOR_MAIL_FROM": "m@x.org",
    }
    try:
        results = send_samples(db, NOW, f"mailto:{TO}", FAST, environ=env, tls=client_tls)
    finally:
        controller.stop()
    assert all(r["ok"] for r in results), results
    assert len(sink.received) == 4


def test_implicit_tls(db: Connection, tls: tuple[ssl.SSLContext, ssl.SSLContext]) -> None:
    server_tls, client_tls = tls
    sink, port = MailSink(), free_port()
    controller: Controller = start_smtp(port, sink, implicit_tls=server_tls)
    env = {"MONITOR_SMTP_URL": f"smtps://127.0.0.1:{port}", "MONITOR_MAIL_FROM": "m@x.org"}
    try:
        results = send_samples(db, NOW, f"mailto:{TO}", FAST, environ=env, tls=client_tls)
    finally:
        controller.stop()
    assert all(r["ok"] for r in results), results


def test_a_password_is_never_sent_in_clear_nor_shown(db: Connection, smtp: tuple) -> None:
    _sink, env = smtp
    port = env["MONITOR_SMTP_URL"].rsplit(":", 1)[1]
    env = {**env, "MONITOR_SMTP_URL": f"smtp://bot:hunter2@127.0.0.1:{port}"}
    results = send_samples(db, NOW, f"mailto:{TO}", FAST, environ=env)
    assert not any(r["ok"] for r in results)
    assert "STARTTLS" in results[0]["detail"]
    assert "hunter2" not in repr(results)


def test_an_untrusted_certificate_is_refused(
    db: Connection, tls: tuple[ssl.SSLContext, ssl.SSLContext]
) -> None:
    server_tls, _trusting_client = tls
    sink, port = MailSink(), free_port()
    controller = start_smtp(port, sink, implicit_tls=server_tls)
    env = {"MONITOR_SMTP_URL": f"smtps://127.0.0.1:{port}", "MONITOR_MAIL_FROM": "m@x.org"}
    try:
        results = send_samples(db, NOW, f"mailto:{TO}", FAST, environ=env)
    finally:
        controller.stop()
    assert not any(r["ok"] for r in results) and sink.received == []
    assert "CERTIFICATE_VERIFY_FAILED" in results[0]["detail"]


def test_the_config_file_can_name_other_variables(db: Connection, smtp: tuple) -> None:
    sink, env = smtp
    settings = replace(FAST, smtp_url_env="OUR_RELAY", mail_from_env="OUR_SENDER")
    renamed = {"OUR_RELAY": env["MONITOR_SMTP_URL"], "OUR_SENDER": "desk@x.org"}
    results = send_samples(db, NOW, f"mailto:{TO}", settings, environ=renamed)
    assert all(r["ok"] for r in results) and sink.received[0].mail_from == "desk@x.org"
    unset = send_samples(db, NOW, f"mailto:{TO}", settings, environ=env)
    assert "OUR_RELAY is not set" in unset[0]["detail"]


def test_a_digest_of_one_event_says_one_alert(db: Connection, smtp: tuple) -> None:
    sink, env = smtp
    channels.add(db, f"mailto:{TO}", Filters(), NOW, digest_s=3600)
    outbox.emit(db, Event("text-change", "change:1", SAMPLES["text-change"]), NOW)
    assert flush(db, NOW, FAST, environ=env).count("delivered") == 1
    [mail] = sink.received
    assert mail.message["Subject"] == "1 alert: 1 text change"
