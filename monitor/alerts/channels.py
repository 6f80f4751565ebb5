"""Alert channels: the registry of channel types, and the channels a user configured.

A channel type registers itself with `@channel_type("email", "mailto")`; its docstring is
the help text. It validates a target and sends a `Message` (one alert, or a digest of
several), raising `DeliveryFailed` that says whether trying again may help.
"""

from __future__ import annotations

import importlib.util
import json
import ssl
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

import httpx

from monitor.alerts import outbox
from monitor.alerts.filters import Filters
from monitor.config import Settings
from monitor.errors import AlertError, ConfigError
from monitor.storage import Connection, transaction
from monitor.storage import alerts as store


class DeliveryFailed(AlertError):
    """A channel did not accept a message. `retry` says whether a later attempt may succeed."""

    def __init__(self, detail: str, *, retry: bool, retry_after: str | None = None) -> None:
        super().__init__(detail)
        self.retry = retry
        self.retry_after = retry_after  # the receiver's Retry-After header, as sent


@dataclass(frozen=True)
class Alert:
    """One event as a channel sends it."""

    kind: str
    event_key: str
    delivery: str  # the idempotency key of this event for this channel
    created_at: str
    payload: Mapping[str, Any]


@dataclass(frozen=True)
class Message:
    """What one send carries: a single alert, or a digest of several under one key."""

    key: str
    alerts: tuple[Alert, ...]
    digest: bool = False
    test: bool = False


@dataclass(frozen=True)
class Context:
    """What sending needs from outside: an HTTP client, TLS trust, and secrets from the env.

    `settings` names the environment variables; their values are never stored or printed.
    """

    http: httpx.Client
    settings: Settings = field(default_factory=Settings)
    smtp_url: str | None = field(default=None, repr=False)
    mail_from: str | None = None
    webhook_secret: str | None = field(default=None, repr=False)
    tls: ssl.SSLContext | None = None
    environ: Mapping[str, str] = field(default_factory=dict, repr=False)  # for ${VAR} targets

    @classmethod
    def from_env(
        cls,
        http: httpx.Client,
        environ: Mapping[str, str],
        settings: Settings,
        tls: ssl.SSLContext | None = None,
    ) -> Context:
        return cls(
            http=http,
            settings=settings,
            smtp_url=environ.get(settings.smtp_url_env) or None,
            mail_from=environ.get(settings.mail_from_env) or None,
            webhook_secret=environ.get(settings.webhook_secret_env) or None,
            tls=tls,
            environ=environ,
        )


class ChannelType(Protocol):
    """How a kind of channel checks its targets and sends to them."""

    @staticmethod
    def validate(target: str) -> str: ...

    @staticmethod
    def send(target: str, message: Message, context: Context) -> None: ...


CHANNEL_TYPES: dict[str, type[ChannelType]] = {}
SCHEMES: dict[str, str] = {}


def channel_type(name: str, *schemes: str) -> Callable[[type[ChannelType]], type[ChannelType]]:
    """Register a channel type under `name`, for targets starting with `scheme:`."""

    def register(cls: type[ChannelType]) -> type[ChannelType]:
        CHANNEL_TYPES[name] = cls
        for scheme in schemes:
            SCHEMES[scheme] = name
        return cls

    return register


def _load_types() -> None:
    """Channel modules register themselves when imported: import them on first use only,
    so commands that never send pay nothing for the mail and HTTP libraries."""
    import monitor.alerts.email
    import monitor.alerts.webhook

    if importlib.util.find_spec("apprise") is not None:  # the `apprise` extra
        import monitor.alerts.notifiers  # noqa: F401


def resolve(target: str) -> tuple[str, str]:
    """(channel type name, validated target) for a target such as mailto:… or https://…."""
    _load_types()
    scheme = target.strip().split(":", 1)[0].lower()
    name = SCHEMES.get(scheme)
    if name is None:
        hint = (
            "or any Apprise URL" if "apprise" in CHANNEL_TYPES else "or install the apprise extra"
        )
        raise ConfigError(f"unsupported alert target {target!r} (use mailto:, https:, {hint})")
    return name, CHANNEL_TYPES[name].validate(target.strip())


def send(channel_kind: str, target: str, message: Message, context: Context) -> None:
    _load_types()
    CHANNEL_TYPES[channel_kind].send(target, message, context)


# configured channels ------------------------------------------------------------------


def add(
    db: Connection,
    target: str,
    filters: Filters,
    now: datetime,
    digest_s: int | None = None,
    since: datetime | None = None,
) -> dict[str, Any]:
    """Configure a channel. It gets events from now on; `since` also queues older ones."""
    kind, target = resolve(target)
    with transaction(db):
        channel_id = store.insert_channel(db, target, kind, filters.to_json(), digest_s, now)
        queued = outbox.backfill(db, channel_id, since, now) if since else 0
    return {**describe(store.channel(db, channel_id)), "queued": queued}


def listing(db: Connection) -> list[dict[str, Any]]:
    """Every channel with its filters and how many deliveries are pending, failed or dead."""
    return [describe(row) for row in store.channels_with_counts(db)]


def describe(row: Mapping[str, Any]) -> dict[str, Any]:
    filters = Filters.from_json(row["filters"])
    data = {
        "id": row["id"],
        "target": row["target"],
        "type": row["kind"],
        "state": row["state"],
        "digest_s": row["digest_s"],
        "filters": json.loads(filters.to_json()),
        "summary": filters.describe(),
    }
    for count in ("pending", "failed", "dead", "delivered", "last_error"):
        if count in row:
            data[count] = row[count]
    return data


def remove(db: Connection, ref: str) -> dict[str, Any]:
    """Delete a channel (by id or target) and whatever was still queued for it."""
    row = store.channel(db, ref)
    store.delete_channel(db, row["id"])
    return describe(row)


def set_paused(db: Connection, ref: str, paused: bool) -> dict[str, Any]:
    """A paused channel receives no new events and sends nothing until resumed."""
    row = store.channel(db, ref)
    store.set_state(db, row["id"], "paused" if paused else "active")
    return describe(store.channel(db, row["id"]))


def retry(db: Connection, now: datetime, ref: str | None = None) -> int:
    """Queue failed and dead deliveries again (all, or one channel's), with their keys."""
    channel_id = store.channel(db, ref)["id"] if ref else None
    return store.requeue(db, now, channel_id)
