"""Who may read and write, and what every answer carries.

Reads are open to the loopback interface (or to anyone with `--public-read`, or with the
token); every write needs `Authorization: Bearer <token>`, or, from a page, the session a
sign-in with that token gave. Without a configured token nothing can be written. A token
in the URL is refused outright: URLs end up in logs, histories and Referer headers.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from starlette.datastructures import MutableHeaders
from starlette.exceptions import HTTPException
from starlette.requests import HTTPConnection, Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

SESSION_COOKIE = "monitor_session"
QUERY_TOKEN_NAMES = frozenset(
    {"token", "access_token", "api_token", "api_key", "apikey", "key", "auth", "bearer"}
)
HEADERS = {
    "content-security-policy": (
        "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
        "frame-ancestors 'none'; base-uri 'none'"
    ),
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "x-frame-options": "DENY",
    "cache-control": "no-store",
}


@dataclass
class RateLimit:
    """A token bucket per key: `allowed` requests at once, refilled continuously over
    `window` seconds (a minute unless given)."""

    allowed: int
    window: float = 60.0
    _buckets: dict[str, tuple[float, float]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def take(self, key: str) -> float:
        """0 when the request may go ahead, else the seconds until it may."""
        now = time.monotonic()
        rate = self.allowed / self.window
        with self._lock:
            tokens, then = self._buckets.get(key, (float(self.allowed), now))
            tokens = min(float(self.allowed), tokens + (now - then) * rate)
            if tokens >= 1:
                self._buckets[key] = (tokens - 1, now)
                return 0.0
            self._buckets[key] = (tokens, now)
            return (1 - tokens) / rate


@dataclass(frozen=True)
class Access:
    """The rules, given the configured token (None: writes refused) and `--public-read`."""

    token: str | None
    public_read: bool = False

    def bearer(self, conn: HTTPConnection) -> str | None:
        """The bearer token the request presents, when it is the right one."""
        scheme, _, given = conn.headers.get("authorization", "").partition(" ")
        if scheme.lower() == "bearer" and self.matches(given.strip()):
            return given.strip()
        return None

    def signed_in(self, conn: HTTPConnection) -> bool:
        cookie = conn.cookies.get(SESSION_COOKIE, "")
        return self.token is not None and hmac.compare_digest(cookie, self.session())

    def session(self) -> str:
        """The session cookie's value: derived from the token, never the token itself."""
        return self._derive("session")

    def form_key(self) -> str:
        """The hidden field a page's write form carries (with the SameSite cookie: no CSRF)."""
        return self._derive("form")

    def may_read(self, conn: HTTPConnection) -> bool:
        return (
            self.public_read
            or _loopback(conn)
            or self.bearer(conn) is not None
            or self.signed_in(conn)
        )

    def require_write(self, conn: HTTPConnection) -> str:
        """The token a write is made with; 401/403 otherwise."""
        if self.token is None:
            raise HTTPException(403, "writes are disabled: no MONITOR_API_TOKEN is set")
        given = self.bearer(conn)
        if given is None:
            raise HTTPException(
                401, "send the API token as 'Authorization: Bearer <token>'", _CHALLENGE
            )
        return given

    def matches(self, given: str) -> bool:
        return self.token is not None and hmac.compare_digest(
            given.encode("utf-8", "replace"), self.token.encode("utf-8")
        )

    def _derive(self, purpose: str) -> str:
        assert self.token is not None
        return hmac.new(self.token.encode(), purpose.encode(), hashlib.sha256).hexdigest()


_CHALLENGE = {"WWW-Authenticate": "Bearer"}


def _loopback(conn: HTTPConnection) -> bool:
    host = conn.client.host if conn.client else ""
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


Reject = Callable[[Request, HTTPException], Response]


class Guard:
    """ASGI middleware: refuses tokens in URLs and reads from elsewhere than loopback, and
    puts the security headers (a strict Content-Security-Policy first) on every answer."""

    def __init__(self, app: ASGIApp, access: Access, reject: Reject) -> None:
        self.app = app
        self.access = access
        self.reject = reject

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in HEADERS.items():
                    headers[name] = value
            await send(message)

        request = Request(scope)
        refusal = self._refusal(request)
        if refusal is None:
            await self.app(scope, receive, with_headers)
        else:
            await self.reject(request, refusal)(scope, receive, with_headers)

    def _refusal(self, request: Request) -> HTTPException | None:
        token = self.access.token
        if any(
            k.lower() in QUERY_TOKEN_NAMES or (token and v == token)
            for k, v in request.query_params.multi_items()
        ):
            return HTTPException(400, "a token in the URL is refused; use the Authorization header")
        if request.method in ("GET", "HEAD") and not self.access.may_read(request):
            return HTTPException(403, "reading is allowed from this machine only (--public-read)")
        return None
