"""Chat and push channels through Apprise: Slack, Discord, Telegram, Matrix, ntfy, Teams,
Pushover, and Apprise's generic json:// / form:// endpoints.

The outbox keeps its guarantees: Apprise sends once per attempt (its own retries are
switched off, so a failing service is not tried twice over), and its answer is sorted
into "try again later" (connection errors, timeouts, 408, 429, 5xx) or "refused" (other
HTTP errors) like a webhook's. A token in an Apprise URL is a secret: such URLs are stored
with `${VARIABLE}` references, expanded from the environment only when sending.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

import apprise

from monitor.alerts.channels import SCHEMES, Context, DeliveryFailed, Message, channel_type
from monitor.alerts.email import one_line, plain_text, subject
from monitor.errors import ConfigError
from monitor.request_settings import expand

_STATUS = re.compile(r"error=(\d{3})\b")
_TRANSIENT = frozenset({408, 429})


def _schemes() -> list[str]:
    """Every scheme Apprise knows that no other channel type has claimed (mailto: stays
    with the email channel)."""
    found: set[str] = set()
    for schema in apprise.Apprise().details()["schemas"]:
        found.update(schema.get("protocols") or ())
        found.update(schema.get("secure_protocols") or ())
    return sorted(s for s in found if s not in SCHEMES)


@channel_type("apprise", *_schemes())
class Notifier:
    """tgram://, slack://, discord://, ntfy://, json://… — any Apprise URL; one message
    per alert (or per digest), plain text with the delivery key at the end. Tokens in the
    URL as ${VARIABLE}."""

    @staticmethod
    def validate(target: str) -> str:
        import os

        service = _service(target, os.environ)
        if service.url(privacy=True) != service.url(privacy=False) and "${" not in target:
            raise ConfigError(
                "this Apprise URL holds a secret: give it as an environment variable, "
                "e.g. tgram://${TELEGRAM_TOKEN}/12345"
            )
        return target

    @staticmethod
    def send(target: str, message: Message, context: Context) -> None:
        try:
            service = _service(target, context.environ)
        except ConfigError as exc:
            raise DeliveryFailed(str(exc), retry=False) from None
        service.retry = 0  # the outbox retries; Apprise must not retry on top
        title = one_line(("[test] " if message.test else "") + subject(message))
        body = plain_text(message) + f"\ndelivery {message.key}\n"
        notifier = apprise.Apprise()
        notifier.add(service)
        result = notifier.notify(body=body, title=title, timeout=context.settings.alert_timeout)
        if not result:
            _raise(result)


def _service(target: str, environ: Mapping[str, str]) -> apprise.NotifyBase:
    try:
        url = expand(target, environ)
    except LookupError as exc:
        raise ConfigError(f"environment variable {exc.args[0]} is not set") from None
    service = apprise.Apprise.instantiate(url, suppress_exceptions=True)
    if not service:
        scheme = target.split(":", 1)[0]
        raise ConfigError(f"not a valid {scheme}:// Apprise URL: {target!r}")
    return service


def _raise(result: apprise.AppriseResult) -> None:
    """The failure as the outbox needs it: retry or not, with the receiver's reason."""
    messages = [entry.message for entry in result.logs() if entry.message]
    detail = one_line(messages[-1] if messages else f"Apprise: {result.status.name}", 300)
    statuses = [int(m) for text in messages for m in _STATUS.findall(text)]
    if statuses:
        code = statuses[-1]
        retry = code >= 500 or code in _TRANSIENT
        raise DeliveryFailed(detail, retry=retry)
    raise DeliveryFailed(detail, retry=True)  # no HTTP answer: a connection error or timeout
