"""The web application: what requests share, error answers, and the routes put together."""

from __future__ import annotations

import logging
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from anyio import to_thread
from jinja2 import Environment, PackageLoader, select_autoescape
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.templating import Jinja2Templates

from monitor import analysis_version, profile
from monitor.config import Settings
from monitor.errors import ConfigError, MonitorError, NotFoundError
from monitor.serve.security import HEADERS, Access, Guard, RateLimit
from monitor.storage import Connection, DatabaseError, connect
from monitor.storage import positions as position_store
from monitor.views import dumps

log = logging.getLogger("monitor.serve")
SIGN_INS = 10  # guesses per address per quarter of an hour
SIGN_IN_WINDOW = 900.0
WORKER_THREADS = 4  # requests handled at once; SQLite takes one writer at a time anyway


class Backend:
    """What every request shares: settings, the profile and engine, and one database
    connection per worker thread (a connection is never used by two threads at once)."""

    def __init__(self, settings: Settings) -> None:
        from monitor.positions import Engine

        self.settings = settings
        self._local = threading.local()
        self.profile = profile.load(settings.profile)
        self.engine = Engine(self.profile)
        if position_store.engine_version(self.db) != analysis_version(self.profile.digest):
            from monitor import pipeline

            pipeline.recompute(self.db, self.engine, self.now())

    @property
    def db(self) -> Connection:
        db: Connection | None = getattr(self._local, "db", None)
        if db is None:
            db = self._local.db = connect(self.settings.db)
        return db

    def now(self) -> datetime:
        return datetime.now(UTC)


@dataclass(frozen=True)
class Options:
    """How `monitor serve` was started."""

    settings: Settings
    token: str | None
    public_read: bool = False


class JSON(JSONResponse):
    """JSON answers in the CLI's serialiser, so both print the same text for the same data."""

    def render(self, content: Any) -> bytes:
        return dumps(content).encode("utf-8")


async def read_body(request: Request) -> bytes:
    """The request body, refused (413) past `api_max_body_bytes` without reading it all."""
    cap = request.app.state.backend.settings.api_max_body_bytes
    too_large = HTTPException(413, f"the body is larger than {cap} bytes (api_max_body_bytes)")
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > cap:
        raise too_large
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > cap:
            raise too_large
    return bytes(body)


async def read_form(request: Request) -> dict[str, str]:
    """A page's url-encoded form, under the same cap as every body."""
    from urllib.parse import parse_qsl

    return dict(parse_qsl((await read_body(request)).decode("utf-8", "replace")))


def templates() -> Jinja2Templates:
    env = Environment(
        loader=PackageLoader("monitor.serve", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    return Jinja2Templates(env=env)


def error(request: Request, status: int, detail: str, headers: Any = None) -> Response:
    """One JSON object under /api/, a plain page elsewhere; never a path or a traceback.

    The security headers are set here too: a crash is answered outside the middleware."""
    headers = {**HEADERS, **(headers or {})}
    if request.url.path.startswith("/api/"):
        return JSON({"error": detail}, status_code=status, headers=headers)
    page = request.app.state.templates.get_template("error.html").render(
        status=status, detail=detail
    )
    return HTMLResponse(page, status_code=status, headers=headers)


def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    return error(request, exc.status_code, str(exc.detail), exc.headers)


def _library_error(request: Request, exc: Exception) -> Response:
    status = 404 if isinstance(exc, NotFoundError) else 400 if _user_error(exc) else 500
    return error(request, status, str(exc))


def _user_error(exc: Exception) -> bool:
    from monitor.errors import SourceError

    return isinstance(exc, ConfigError | SourceError)


def _crash(request: Request, exc: Exception) -> Response:
    log.error("request %s %s failed", request.method, request.url.path, exc_info=exc)
    return error(request, 500, "internal error; the server log has the details")


@asynccontextmanager
async def _lifespan(_app: Starlette) -> AsyncIterator[None]:
    # Few worker threads, so each keeps one warm connection instead of 40 cold ones.
    to_thread.current_default_thread_limiter().total_tokens = WORKER_THREADS
    yield


def create_app(options: Options) -> Starlette:
    from monitor.serve import api, pages

    access = Access(options.token, options.public_read)
    app = Starlette(
        lifespan=_lifespan,
        routes=[*api.routes(), *pages.routes()],
        middleware=[Middleware(Guard, access=access, reject=_http_error)],
        exception_handlers={
            HTTPException: _http_error,
            MonitorError: _library_error,
            DatabaseError: _crash,  # a statement the database refused: no detail to users
            Exception: _crash,
        },
    )
    app.state.backend = Backend(options.settings)
    app.state.access = access
    app.state.limit = RateLimit(options.settings.api_ingest_per_minute)
    app.state.sign_ins = RateLimit(
        SIGN_INS, window=SIGN_IN_WINDOW
    )  # per client address: no guessing
    app.state.templates = templates()
    return app


def run(options: Options, host: str, port: int, ready: Any = None) -> None:
    """Serve until SIGINT or SIGTERM; `ready(url)` is told where once it listens."""
    import uvicorn

    app = create_app(options)

    class Server(uvicorn.Server):
        async def startup(self, sockets: Any = None) -> None:
            await super().startup(sockets)
            if ready is not None and self.started:
                ready(f"http://{_host(host)}:{self._port()}")

        def _port(self) -> int:
            for server in self.servers:
                for sock in server.sockets:
                    return int(sock.getsockname()[1])
            return port

    config = uvicorn.Config(
        app,
        host=host,
        port=port,
        log_level="warning",
        server_header=False,
        proxy_headers=False,
    )
    Server(config).run()


def _host(host: str) -> str:
    return f"[{host}]" if ":" in host else host


STATIC = Path(__file__).parent / "static"
