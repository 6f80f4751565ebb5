"""HTTP fetching: one GET that is bounded in time, size and retries, and says what happened.

`fetch` never raises for network or HTTP trouble: it returns a `Fetched` whose `error`
names the reason, so a round of many sources reports every outcome. Bodies are read as
a stream and decompressed here with a cap, so neither a huge page nor a gzip bomb is
ever held whole in memory.
"""

from __future__ import annotations

import random
import threading
import time
import zlib
from collections.abc import Callable, Mapping
from dataclasses import replace
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from urllib.parse import urlsplit
from urllib.robotparser import RobotFileParser

import httpx

from monitor.config import Settings
from monitor.errors import FetchError
from monitor.models import Document, Fetched

Validators = tuple[str | None, str | None]  # (ETag, Last-Modified) from the last answer
_RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
_CHUNK = 64 * 1024
_ROBOTS_TTL_S = 3600.0


def make_client(settings: Settings, *, pool: int | None = None) -> httpx.Client:
    """A client with the project's timeouts, User-Agent and redirect cap."""
    size = pool or settings.concurrency
    return httpx.Client(
        timeout=httpx.Timeout(
            connect=settings.connect_timeout,
            read=settings.read_timeout,
            write=settings.read_timeout,
            pool=settings.total_timeout,
        ),
        headers={"User-Agent": settings.user_agent, "Accept-Encoding": "gzip, deflate"},
        max_redirects=settings.max_redirects,
        limits=httpx.Limits(max_connections=size, max_keepalive_connections=size),
    )


def check_url(url: str) -> None:
    """Only absolute http(s) URLs are fetched; anything else is refused before any I/O."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise FetchError(f"{url}: only http:// and https:// URLs can be fetched")


def fetch(
    client: httpx.Client,
    url: str,
    *,
    validators: Validators | None = None,
    settings: Settings,
    robots: Robots | None = None,
    sleep: Callable[[float], object] = time.sleep,
    headers: Mapping[str, str] | None = None,
) -> Fetched:
    """GET `url` (conditionally when `validators` are given), retrying what may pass.

    `headers` are sent besides the client's (a watch's own headers, cookie, User-Agent).

    Connect errors, timeouts, 429 and 5xx are retried with exponential backoff and
    jitter, honouring Retry-After up to `settings.max_retry_wait`.
    """
    try:
        check_url(url)
    except FetchError as exc:
        return Fetched(url, url, error=str(exc).removeprefix(f"{url}: "), tries=0)
    if robots is not None and not robots.allowed(client, url):
        return Fetched(url, url, error="disallowed by robots.txt", tries=0)
    headers = {**(headers or {}), **_conditional_headers(validators)}
    tries = 0
    while True:
        tries += 1
        result = _attempt(client, url, headers, settings)
        wait = _retry_wait(result, tries, settings)
        if wait is None:
            return replace(result, tries=tries)
        sleep(wait)


def _conditional_headers(validators: Validators | None) -> dict[str, str]:
    etag, last_modified = validators or (None, None)
    headers = {}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    return headers


def _attempt(
    client: httpx.Client, url: str, headers: dict[str, str], settings: Settings
) -> Fetched:
    deadline = time.monotonic() + settings.total_timeout
    try:
        with client.stream("GET", url, headers=headers, follow_redirects=True) as response:
            return _read(url, response, deadline, settings)
    except httpx.TooManyRedirects:
        return Fetched(url, url, error=f"more than {settings.max_redirects} redirects")
    except httpx.TimeoutException as exc:
        return Fetched(url, url, error=f"timed out ({type(exc).__name__})")
    except httpx.UnsupportedProtocol:
        return Fetched(url, url, error="redirected to a URL that is not http(s)")
    except (httpx.HTTPError, zlib.error) as exc:
        return Fetched(url, url, error=f"{type(exc).__name__}: {exc}".rstrip(": "))


def _read(url: str, response: httpx.Response, deadline: float, settings: Settings) -> Fetched:
    headers = {k.lower(): v for k, v in response.headers.items()}
    base = Fetched(
        url,
        str(response.url),
        status=response.status_code,
        headers=headers,
        content_type=headers.get("content-type", "").split(";")[0].strip() or None,
        charset=response.charset_encoding,
        etag=headers.get("etag"),
        last_modified=headers.get("last-modified"),
    )
    if response.status_code == 304:
        response.read()  # no body, but reading to its end keeps the connection for reuse
        return base
    if response.status_code >= 400:
        return replace(base, error=f"HTTP {response.status_code} {response.reason_phrase}".strip())
    content, truncated = _body(response, deadline, settings.max_response_bytes)
    return replace(base, content=content, truncated=truncated)


def _body(response: httpx.Response, deadline: float, cap: int) -> tuple[bytes, bool]:
    """The decoded body up to `cap` bytes; True when there was more."""
    decoder = _decoder(response.headers.get("content-encoding", ""))
    parts: list[bytes] = []
    size = 0
    for chunk in response.iter_raw(_CHUNK):
        if time.monotonic() > deadline:
            raise httpx.ReadTimeout("total time for the response exceeded")
        room = cap - size
        data = decoder.decompress(chunk, room + 1) if decoder else chunk[: room + 1]
        if len(data) > room:
            parts.append(data[:room])
            return b"".join(parts), True
        parts.append(data)
        size += len(data)
    if decoder is not None:
        tail = decoder.flush()
        if len(tail) > cap - size:
            parts.append(tail[: cap - size])
            return b"".join(parts), True
        parts.append(tail)
    return b"".join(parts), False


def _decoder(encoding: str) -> zlib._Decompress | None:
    name = encoding.strip().lower()
    if name in ("", "identity"):
        return None
    if name in ("gzip", "x-gzip"):
        return zlib.decompressobj(16 + zlib.MAX_WBITS)
    if name == "deflate":
        return zlib.decompressobj()
    raise httpx.DecodingError(f"unsupported Content-Encoding {encoding!r}")


def _retry_wait(result: Fetched, tries: int, settings: Settings) -> float | None:
    """Seconds to wait before the next try, or None when this result is final."""
    transient = result.status in _RETRY_STATUSES or (
        result.status is None and result.error is not None and _is_network(result.error)
    )
    if not transient or tries > settings.retries:
        return None
    backoff = settings.retry_backoff * 2 ** (tries - 1)
    wait = random.uniform(backoff / 2, backoff * 1.5)
    asked = retry_after(result.headers.get("retry-after"))
    if asked is not None:
        if asked > settings.max_retry_wait:
            return None
        wait = max(wait, asked)
    return min(wait, settings.max_retry_wait)


def _is_network(error: str) -> bool:
    return error.startswith(("timed out", "ConnectError", "ReadError", "RemoteProtocolError"))


def retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Retry-After as seconds: either delta-seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


class Robots:
    """robots.txt rules per host, fetched once and kept for an hour; safe across threads."""

    def __init__(self, user_agent: str, ttl_s: float = _ROBOTS_TTL_S) -> None:
        self._agent = user_agent
        self._ttl = ttl_s
        self._rules: dict[str, tuple[float, RobotFileParser]] = {}
        self._locks: dict[str, threading.Lock] = {}
        self._guard = threading.Lock()

    def allowed(self, client: httpx.Client, url: str) -> bool:
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        with self._guard:
            lock = self._locks.setdefault(origin, threading.Lock())
        with lock:
            cached = self._rules.get(origin)
            if cached is None or cached[0] < time.monotonic():
                cached = (time.monotonic() + self._ttl, self._load(client, origin))
                self._rules[origin] = cached
        return cached[1].can_fetch(self._agent, url)

    def _load(self, client: httpx.Client, origin: str) -> RobotFileParser:
        """Missing robots.txt allows everything, 401/403 forbids; an unreachable one allows
        (the page fetch itself will then report the network problem)."""
        parser = RobotFileParser(f"{origin}/robots.txt")
        try:
            response = client.get(f"{origin}/robots.txt", follow_redirects=True)
        except httpx.HTTPError:
            parser.parse([])
            return parser
        if response.status_code in (401, 403):
            parser.parse(["User-agent: *", "Disallow: /"])
        elif response.status_code >= 400:
            parser.parse([])
        else:
            parser.parse(response.text[:500_000].splitlines())
        return parser


def fetch_once(url: str, settings: Settings) -> Fetched:
    """A plain GET of one URL with a client of its own (for `monitor add URL`)."""
    with make_client(settings, pool=1) as client:
        return fetch(client, url, settings=settings)


def fetch_document(url: str, settings: Settings) -> Document:
    """A plain GET of one URL turned into a Document."""
    return to_document(fetch_once(url, settings))


def to_document(
    fetched: Fetched, locator: str | None = None, *, allow_truncated: bool = False
) -> Document:
    """Extract a fetched body; a failed (or, unless allowed, cut) response raises FetchError."""
    if fetched.error is not None:
        raise FetchError(f"{fetched.url}: {fetched.error}")
    if fetched.truncated and not allow_truncated:
        raise FetchError(f"{fetched.url}: response larger than the size cap")
    from monitor import extract  # loaded by the first body to read, not by a round of 304s

    document = extract.from_bytes(
        fetched.content,
        content_type=fetched.content_type,
        charset=fetched.charset,
        url=fetched.final_url,
    )
    return replace(document, locator=locator or fetched.url)
