"""Webhook alerts: a signed JSON POST per alert (or per digest). Schema: docs/webhooks.md."""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any
from urllib.parse import urlsplit

import httpx

from monitor import __version__
from monitor.alerts.channels import Alert, Context, DeliveryFailed, Message, channel_type
from monitor.errors import ConfigError

SCHEMA_VERSION = 1


@channel_type("webhook", "http", "https")
class Webhook:
    """https://… — a JSON POST per alert (or per digest), with X-Monitor-Event,
    X-Monitor-Delivery (idempotency key) and X-Monitor-Signature (HMAC-SHA256 of the body
    with MONITOR_WEBHOOK_SECRET)."""

    @staticmethod
    def validate(target: str) -> str:
        parts = urlsplit(target)
        if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
            raise ConfigError(f"webhook target must be an http(s) URL: {target!r}")
        if parts.username or parts.password:
            raise ConfigError("webhook URL must not hold credentials; sign with the secret")
        if any(ord(c) < 33 for c in target):
            raise ConfigError(f"webhook URL has spaces or control characters: {target!r}")
        return target

    @staticmethod
    def send(target: str, message: Message, context: Context) -> None:
        body = encode(message)
        try:
            with context.http.stream(
                "POST",
                target,
                content=body,
                headers=headers(message, body, context.webhook_secret),
                timeout=context.settings.alert_timeout,
            ) as response:
                _check(response)
        except httpx.HTTPError as exc:
            raise DeliveryFailed(f"{type(exc).__name__}: {exc}", retry=True) from None


def document(message: Message) -> dict[str, Any]:
    """The JSON body: one alert, or a digest holding several."""
    if message.digest:
        return {
            "schema": SCHEMA_VERSION,
            "event": "digest",
            "delivery": message.key,
            "test": message.test,
            "events": [_alert(a) for a in message.alerts],
        }
    return {"schema": SCHEMA_VERSION, **_alert(message.alerts[0], test=message.test)}


def _alert(alert: Alert, **extra: Any) -> dict[str, Any]:
    return {
        "event": alert.kind,
        "delivery": alert.delivery,
        "key": alert.event_key,
        "created_at": alert.created_at,
        **extra,
        "data": dict(alert.payload),
    }


def encode(message: Message) -> bytes:
    return json.dumps(document(message), ensure_ascii=False, default=str).encode("utf-8")


def sign(secret: str, body: bytes) -> str:
    """`sha256=<hex>`: HMAC-SHA256 of the exact bytes sent."""
    return "sha256=" + hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


def headers(message: Message, body: bytes, secret: str | None) -> dict[str, str]:
    out = {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": f"narrative-monitor/{__version__}",
        "X-Monitor-Event": "digest" if message.digest else message.alerts[0].kind,
        "X-Monitor-Delivery": message.key,
    }
    if secret:
        out["X-Monitor-Signature"] = sign(secret, body)
    return out


def _check(response: httpx.Response) -> None:
    """2xx is delivered; 429, 408 and 5xx may pass later; any other answer is a refusal."""
    code = response.status_code
    if 200 <= code < 300:
        return
    detail = f"HTTP {code} {response.reason_phrase}".strip()
    if code == 429 or code == 408 or code >= 500:
        raise DeliveryFailed(detail, retry=True, retry_after=response.headers.get("Retry-After"))
    if 300 <= code < 400:
        detail += f" (redirect to {response.headers.get('Location', '?')} not followed)"
    raise DeliveryFailed(detail, retry=False)
