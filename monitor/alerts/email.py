"""Email alerts over SMTP: plain-text and HTML parts, readable on a phone.

Everything from an article (titles, sentences, outlet names) is untrusted: header values
are stripped of control characters and capped, HTML is escaped, links are http(s) only.
"""

from __future__ import annotations

import html
import re
import shlex
import smtplib
import ssl
import unicodedata
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Any
from urllib.parse import unquote, urlsplit

from monitor.alerts.channels import Alert, Context, DeliveryFailed, Message, channel_type
from monitor.errors import ConfigError
from monitor.text import count

SUBJECT_MAX = 150
SENTENCE_MAX = 500
SENTENCES_SHOWN = 12
_ADDRESS = re.compile(r"^[^@\s<>,;:\"\\()\[\]]+@[^@\s<>,;:\"\\()\[\]]+\.[^@\s<>,;:\"\\()\[\]]+$")


@dataclass(frozen=True)
class SmtpServer:
    host: str
    port: int
    implicit_tls: bool
    user: str | None = None
    password: str | None = field(default=None, repr=False)


def parse_smtp_url(url: str, name: str = "MONITOR_SMTP_URL") -> SmtpServer:
    """`smtp://[user:pass@]host[:port]` (STARTTLS when offered) or `smtps://…` (TLS from the
    start). Errors name the variable `name` but never repeat the URL: it may hold a password."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
        raise ConfigError(f"{name} must look like smtp://[user:pass@]host:port")
    try:
        port = parts.port
    except ValueError:
        raise ConfigError(f"{name} has a bad port") from None
    implicit = parts.scheme == "smtps"
    return SmtpServer(
        host=parts.hostname,
        port=port or (465 if implicit else 587),
        implicit_tls=implicit,
        user=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password else None,
    )


def address(text: str, what: str) -> str:
    """One plain address (no display name, list or header tricks), or ConfigError."""
    value = text.strip()
    if not _ADDRESS.match(value) or any(ord(c) < 32 for c in value):
        raise ConfigError(f"{what} {value!r} is not a single email address")
    return value


@channel_type("email", "mailto")
class Email:
    """mailto:ADDRESS — one mail per alert (or per digest), via the SMTP server in
    MONITOR_SMTP_URL, from MONITOR_MAIL_FROM."""

    @staticmethod
    def validate(target: str) -> str:
        scheme, _, rest = target.partition(":")
        if "?" in rest or "," in rest:
            raise ConfigError(f"mailto target takes one address and no options: {target!r}")
        return f"{scheme.lower()}:{address(unquote(rest), 'mailto target')}"

    @staticmethod
    def send(target: str, message: Message, context: Context) -> None:
        names = context.settings
        if not context.smtp_url:
            raise DeliveryFailed(f"{names.smtp_url_env} is not set", retry=True)
        if not context.mail_from:
            raise DeliveryFailed(f"{names.mail_from_env} is not set", retry=True)
        server = parse_smtp_url(context.smtp_url, names.smtp_url_env)
        sender = address(context.mail_from, names.mail_from_env)
        deliver(server, render(message, sender, to=target.partition(":")[2]), context)


def deliver(server: SmtpServer, mail: EmailMessage, context: Context) -> None:
    """Hand `mail` to the server; refusals are permanent (5xx) or retryable (4xx, network)."""
    tls = context.tls or ssl.create_default_context()
    try:
        smtp = (
            smtplib.SMTP_SSL(
                server.host, server.port, timeout=context.settings.alert_timeout, context=tls
            )
            if server.implicit_tls
            else smtplib.SMTP(server.host, server.port, timeout=context.settings.alert_timeout)
        )
        with smtp:
            _secure_and_login(smtp, server, tls)
            smtp.send_message(mail)
    except smtplib.SMTPRecipientsRefused as exc:
        code, text = next(iter(exc.recipients.values()))
        raise _refused(code, text) from None
    except smtplib.SMTPResponseException as exc:
        raise _refused(exc.smtp_code, exc.smtp_error) from None
    except smtplib.SMTPNotSupportedError as exc:
        raise DeliveryFailed(f"SMTP server: {exc}", retry=False) from None
    except (smtplib.SMTPException, OSError) as exc:
        raise DeliveryFailed(f"SMTP {server.host}:{server.port}: {exc}", retry=True) from None


def _secure_and_login(smtp: smtplib.SMTP, server: SmtpServer, tls: ssl.SSLContext) -> None:
    if not server.implicit_tls:
        smtp.ehlo()
        if smtp.has_extn("starttls"):
            smtp.starttls(context=tls)
            smtp.ehlo()
        elif server.user:
            raise DeliveryFailed(
                "SMTP server offers no STARTTLS; not sending the password in clear", retry=False
            )
    if server.user:
        smtp.login(server.user, server.password or "")


def _refused(code: int, text: bytes | str) -> DeliveryFailed:
    detail = text.decode("utf-8", "replace") if isinstance(text, bytes) else str(text)
    return DeliveryFailed(f"SMTP {code} {one_line(detail, 200)}", retry=not 500 <= code < 600)


# rendering ----------------------------------------------------------------------------


def render(message: Message, sender: str, to: str) -> EmailMessage:
    """The mail for `message`: safe headers, a plain-text part and an HTML alternative."""
    mail = EmailMessage()
    mail["Subject"] = one_line(("[test] " if message.test else "") + subject(message))
    mail["From"] = Address(addr_spec=sender)
    mail["To"] = Address(addr_spec=to)
    mail["Date"] = formatdate(localtime=False)
    mail["Message-ID"] = make_msgid(idstring=message.key, domain="narrative-monitor")
    mail["X-Monitor-Delivery"] = one_line(message.key, 100)
    mail.set_content(plain_text(message))
    mail.add_alternative(_html([_section(alert) for alert in message.alerts]), subtype="html")
    return mail


def plain_text(message: Message) -> str:
    """The message as plain text, one section per alert (mail and chat channels)."""
    return "\n\n".join(_text(_section(alert)) for alert in message.alerts) + "\n"


def one_line(text: str, limit: int = SUBJECT_MAX) -> str:
    """`text` as one header-safe line: control and separator characters become spaces."""
    cleaned = "".join(
        " " if unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp") else c for c in text
    )
    cleaned = " ".join(cleaned.split())
    return cleaned if len(cleaned) <= limit else cleaned[: limit - 1].rstrip() + "…"


def subject(message: Message) -> str:
    if not message.digest:
        return headline(message.alerts[0])
    counts = Counter(a.kind for a in message.alerts)
    parts = ", ".join(f"{n} {_NOUNS.get(kind, (kind, kind))[n != 1]}" for kind, n in counts.items())
    return f"{count(len(message.alerts), 'alert')}: {parts}"


_NOUNS = {
    "position-shift": ("position shift", "position shifts"),
    "text-change": ("text change", "text changes"),
    "source-failing": ("failing source", "failing sources"),
    "source-recovered": ("recovered source", "recovered sources"),
}


def headline(alert: Alert) -> str:
    """One line naming what happened, e.g. "Hezbollah · disarmament: refuses → conditional"."""
    p = alert.payload
    if alert.kind == "position-shift":
        before, after = _side(p, "from"), _side(p, "to")
        return (
            f"{p.get('actor')} · {p.get('issue')}: {before.get('stance')} → "
            f"{after.get('stance')} ({after.get('date')})"
        )
    if alert.kind == "text-change":
        name = p.get("title") or p.get("url") or f"document {p.get('document')}"
        return f"Changed: {name} ({p.get('summary')})"
    where = p.get("url") or p.get("locator") or f"source {p.get('source')}"
    state = "recovered" if alert.kind == "source-recovered" else "failing"
    return f"Source {state}: {where}"


@dataclass(frozen=True)
class _Section:
    """One alert laid out once, then written as text and as HTML."""

    title: str
    lines: tuple[str, ...] = ()
    blocks: tuple[tuple[str, tuple[str, ...], tuple[str, ...]], ...] = ()  # heading, meta, quotes
    links: tuple[str, ...] = ()
    commands: tuple[str, ...] = ()


def _section(alert: Alert) -> _Section:
    p = alert.payload
    if alert.kind == "position-shift":
        return _shift_section(alert, p)
    if alert.kind == "text-change":
        return _change_section(alert, p)
    details = tuple(
        f"{key.replace('_', ' ')}: {_clip(str(value))}"
        for key, value in p.items()
        if isinstance(value, str | int | float) and key not in ("url",)
    )
    return _Section(one_line(headline(alert), 300), details, links=_links(p.get("url")))


def _shift_section(alert: Alert, p: Mapping[str, Any]) -> _Section:
    confidence = p.get("confidence")
    status = f"{p.get('status')} shift"
    if isinstance(confidence, int | float):
        status += f", confidence {confidence:.2f}"
    blocks = []
    for label, side in (("Before", _side(p, "from")), ("After", _side(p, "to"))):
        meta = " · ".join(
            str(x)
            for x in (
                side.get("date") or "undated",
                side.get("outlet"),
                f"document {side['document']}" if side.get("document") is not None else None,
            )
            if x
        )
        quote = (f"“{_clip(str(side['evidence']))}”",) if side.get("evidence") else ()
        blocks.append((f"{label}: {side.get('stance')}", (meta,), quote))
    actor, issue = str(p.get("actor")), str(p.get("issue"))
    commands = [f"monitor diff --actor {shlex.quote(actor)} --issue {shlex.quote(issue)}"]
    document = _side(p, "to").get("document")
    if document is not None:
        commands.append(f"monitor show {shlex.quote(str(document))}")
    return _Section(
        one_line(headline(alert), 300),
        (status,),
        tuple(blocks),
        _links(_side(p, "from").get("url"), _side(p, "to").get("url")),
        tuple(commands),
    )


def _change_section(alert: Alert, p: Mapping[str, Any]) -> _Section:
    significance = p.get("significance")
    line = str(p.get("summary"))
    if isinstance(significance, int | float):
        line += f" · significance {significance:.2f}"
    changed = p.get("changed") or []
    title = p.get("headline") or {}
    blocks = (
        ("New headline", (f"was: {title.get('old')}",), _quotes([title.get("new")]))
        if title
        else ("", (), ()),
        ("Added", (), _quotes([*p.get("added", []), *(c.get("new") for c in changed)])),
        ("Removed", (), _quotes([*p.get("removed", []), *(c.get("old") for c in changed)])),
    )
    document = p.get("document")
    return _Section(
        one_line(headline(alert), 300),
        (line,),
        tuple(b for b in blocks if b[2]),
        _links(p.get("url")),
        (f"monitor diff {document}",) if document is not None else (),
    )


def _side(payload: Mapping[str, Any], name: str) -> Mapping[str, Any]:
    side = payload.get(name)
    return side if isinstance(side, Mapping) else {}


def _quotes(sentences: list[Any]) -> tuple[str, ...]:
    shown = [f"“{_clip(str(s))}”" for s in sentences if s][:SENTENCES_SHOWN]
    hidden = len([s for s in sentences if s]) - len(shown)
    return (*shown, f"… and {hidden} more") if hidden > 0 else tuple(shown)


def _clip(text: str) -> str:
    return one_line(text, SENTENCE_MAX)


def _links(*urls: object) -> tuple[str, ...]:
    """Only http(s) links, so an article cannot plant a script or file link in a mail."""
    return tuple(
        dict.fromkeys(
            u for u in urls if isinstance(u, str) and urlsplit(u).scheme in ("http", "https")
        )
    )


def _text(s: _Section) -> str:
    out = [s.title, *s.lines]
    for heading, meta, quotes in s.blocks:
        out += ["", heading, *meta, *quotes]
    if s.links or s.commands:
        out += ["", "More:", *s.links, *s.commands]
    return "\n".join(out)


def _html(sections: list[_Section]) -> str:
    body = '<hr style="border:0;border-top:1px solid #ddd;margin:24px 0">'.join(
        _html_section(s) for s in sections
    )
    return (
        '<!doctype html><html><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width,initial-scale=1"></head>'
        '<body style="font-family:-apple-system,Segoe UI,Roboto,sans-serif;font-size:16px;'
        f'line-height:1.45;color:#222;max-width:640px;margin:0 auto;padding:12px">{body}'
        "</body></html>"
    )


def _html_section(s: _Section) -> str:
    e = html.escape
    out = [f'<h2 style="font-size:19px;margin:0 0 6px">{e(s.title)}</h2>']
    out += [f'<p style="margin:0;color:#555">{e(line)}</p>' for line in s.lines]
    for heading, meta, quotes in s.blocks:
        out.append(f'<h3 style="font-size:16px;margin:18px 0 4px">{e(heading)}</h3>')
        out += [f'<p style="margin:0;color:#555;font-size:14px">{e(m)}</p>' for m in meta]
        out += [
            '<blockquote style="margin:6px 0;padding-left:10px;border-left:3px solid #bbb">'
            f"{e(q)}</blockquote>"
            for q in quotes
        ]
    links = [f'<a href="{e(u, quote=True)}">{e(u)}</a>' for u in s.links]
    commands = [f"<code>{e(c)}</code>" for c in s.commands]
    if links or commands:
        out.append('<p style="font-size:14px">' + "<br>".join(links + commands) + "</p>")
    return "".join(out)
