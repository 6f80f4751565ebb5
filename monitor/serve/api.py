"""The JSON API under /api/: the shapes of the CLI's `--json`, from the same functions."""

from __future__ import annotations

from datetime import date
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from monitor import __version__, analysis, views
from monitor.errors import ConfigError
from monitor.page_filters import Filters
from monitor.serve.app import JSON, Backend, read_body
from monitor.storage import documents
from monitor.text import parse_date

JSON_LINES = ("application/x-ndjson", "application/jsonl", "application/x-jsonlines")


def _backend(request: Request) -> Backend:
    backend: Backend = request.app.state.backend
    return backend


def _date(request: Request, name: str) -> date | None:
    value = request.query_params.get(name)
    return parse_date(value) if value else None


def _number(request: Request, name: str, kind: type = float) -> Any:
    value = request.query_params.get(name)
    if not value:
        return None
    try:
        return kind(value)
    except ValueError:
        raise ConfigError(f"{name}={value!r} is not a number") from None


def shift_filters(request: Request) -> dict[str, Any]:
    """actor, issue, since, until and min_confidence from the query string."""
    return {
        "actor": request.query_params.get("actor") or None,
        "issue": request.query_params.get("issue") or None,
        "since": _date(request, "since"),
        "until": _date(request, "until"),
        "min_confidence": _number(request, "min_confidence") or 0.0,
    }


def shifts(request: Request) -> Response:
    b = _backend(request)
    return JSON(analysis.list_shifts(b.db, b.profile, **shift_filters(request)))


def positions(request: Request) -> Response:
    b = _backend(request)
    return JSON(analysis.timelines(b.db, b.profile, request.query_params.get("actor") or None))


def actors(request: Request) -> Response:
    b = _backend(request)
    return JSON(analysis.actors(b.db, b.profile))


def issues(request: Request) -> Response:
    return JSON(analysis.issues(_backend(request).profile))


def document_list(request: Request) -> Response:
    return JSON(documents.listing(_backend(request).db))


def document(request: Request) -> Response:
    return JSON(documents.describe(_backend(request).db, request.path_params["ref"]))


def versions(request: Request) -> Response:
    data = documents.describe(_backend(request).db, str(request.path_params["id"]))
    return JSON(data["versions"])


def diff(request: Request) -> Response:
    old, new = _number(request, "from", int), _number(request, "to", int)
    b = _backend(request)
    diff = views.text_diff(b.db, request.path_params["id"], old, new, b.engine.finder)
    return JSON(diff)


def sources(request: Request) -> Response:
    return JSON(views.watched_sources(_backend(request).db))


def status(request: Request) -> Response:
    """Health figures; 503 when something needs a person, so it can serve as a probe."""
    b = _backend(request)
    figures = views.status(b.db, b.settings.db, b.now())
    return JSON(figures, status_code=200 if figures["healthy"] else 503)


async def add_articles(request: Request) -> Response:
    """One article (a JSON object), an array of them, or JSON lines: what `monitor add`
    reports for each, 200 when any was stored, 422 when none could be."""
    from monitor import inputs

    token = request.app.state.access.require_write(request)
    wait = request.app.state.limit.take(token)
    if wait:
        raise HTTPException(429, "too many uploads; try again later", {"Retry-After": _secs(wait)})
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind not in ("application/json", *JSON_LINES):
        raise HTTPException(415, "send application/json or application/x-ndjson (JSON lines)")
    body = await read_body(request)
    lines = kind in JSON_LINES
    if not lines:
        _parse_json(body)  # a malformed body is one error, before anything is stored
    b = _backend(request)

    def ingest() -> list[dict[str, Any]]:
        items = inputs.from_upload(body, "request", json_lines=lines, settings=b.settings)
        return views.ingest(b.db, items, now=b.now(), baseline=False, engine=b.engine)

    rows = await run_in_threadpool(ingest)
    stored = any(row["outcome"] != "error" for row in rows)
    return JSON(rows, status_code=200 if stored else 422)


def _parse_json(body: bytes) -> Any:
    import json

    try:
        return json.loads(body.decode("utf-8"))
    except UnicodeDecodeError:
        raise HTTPException(400, "the body is not UTF-8") from None
    except json.JSONDecodeError as exc:
        raise HTTPException(400, f"invalid JSON: {exc.msg} at line {exc.lineno}") from None


async def add_watch(request: Request) -> Response:
    """{"url", "every", "feed", "selector", "robots"}: the new source as `watch list` shows it."""
    request.app.state.access.require_write(request)
    if request.headers.get("content-type", "").split(";")[0].strip().lower() != "application/json":
        raise HTTPException(415, "send application/json")
    data = _parse_json(await read_body(request))
    if not isinstance(data, dict) or not isinstance(data.get("url"), str):
        raise HTTPException(400, "expected an object with a 'url' string")
    b = _backend(request)

    def add() -> dict[str, Any]:
        from monitor import config, watch

        every = data.get("every")
        interval = config.parse_interval(str(every)) if every else b.settings.watch_interval
        selector = data.get("selector") or None
        filters = Filters.build(css=[selector] if selector else [])
        source = watch.add_source(
            b.db,
            data["url"],
            now=b.now(),
            interval_s=interval,
            feed=bool(data.get("feed")),
            respect_robots=data.get("robots", True) is not False,
            options=watch.Options(filters=filters),
        )
        return next(s for s in views.watched_sources(b.db) if s["id"] == source)

    return JSON(await run_in_threadpool(add), status_code=201)


def _secs(wait: float) -> str:
    return str(max(1, round(wait + 0.5)))


def openapi(request: Request) -> Response:
    return JSON(OPENAPI)


def _get(summary: str, *params: str) -> dict[str, Any]:
    return {
        "get": {
            "summary": summary,
            "parameters": [PARAMS[p] for p in params],
            "responses": {"200": {"description": "JSON, as the CLI's --json prints it"}},
        }
    }


def _query(name: str, description: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {"name": name, "in": "query", "description": description, "schema": schema}


PARAMS = {
    "actor": _query("actor", "actor name, alias or person", {"type": "string"}),
    "issue": _query("issue", "issue name", {"type": "string"}),
    "since": _query("since", "on or after, YYYY-MM-DD", {"type": "string", "format": "date"}),
    "until": _query("until", "on or before, YYYY-MM-DD", {"type": "string", "format": "date"}),
    "min_confidence": _query("min_confidence", "0 to 1", {"type": "number"}),
    "from": _query("from", "older version number (from 1)", {"type": "integer"}),
    "to": _query("to", "newer version number", {"type": "integer"}),
    "ref": {"name": "ref", "in": "path", "required": True, "schema": {"type": "string"}},
    "id": {"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}},
}
_WRITE = {
    "security": [{"bearer": []}],
    "responses": {
        "401": {"description": "no or wrong token"},
        "403": {"description": "writes disabled (no token configured)"},
        "413": {"description": "body over api_max_body_bytes"},
        "429": {"description": "rate limit; see Retry-After"},
    },
}
OPENAPI: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {"title": "narrative-monitor", "version": __version__},
    "components": {"securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}},
    "paths": {
        "/api/shifts": _get("position shifts (monitor diff --json)", *list(PARAMS)[:5]),
        "/api/positions": _get("timelines per issue (monitor positions --json)", "actor"),
        "/api/actors": _get("actors (monitor actors --json)"),
        "/api/issues": _get("issues (monitor issues --json)"),
        "/api/documents": _get("documents (monitor list --json)"),
        "/api/documents/{ref}": _get("one document (monitor show --json)", "ref"),
        "/api/documents/{id}/versions": _get("a document's versions", "id"),
        "/api/documents/{id}/diff": _get(
            "sentence diff between two versions (monitor diff DOC@A DOC@B --json)",
            "id",
            "from",
            "to",
        ),
        "/api/sources": _get("watched sources (monitor watch list --json)"),
        "/api/status": _get("health (monitor status --json); 503 when unhealthy"),
        "/api/articles": {
            "post": {
                "summary": "ingest articles: one JSON object or array, or JSON lines "
                "(application/x-ndjson) with text or html, url, title, outlet, date",
                **_WRITE,
            }
        },
        "/api/watches": {
            "post": {"summary": "watch a URL: {url, every, feed, selector, robots}", **_WRITE}
        },
    },
}


def routes() -> list[Route]:
    return [
        Route("/api/shifts", shifts),
        Route("/api/positions", positions),
        Route("/api/actors", actors),
        Route("/api/issues", issues),
        Route("/api/documents", document_list),
        Route("/api/documents/{id:int}/versions", versions),
        Route("/api/documents/{id:int}/diff", diff),
        Route("/api/documents/{ref:path}", document),
        Route("/api/sources", sources),
        Route("/api/status", status),
        Route("/api/openapi.json", openapi),
        Route("/api/articles", add_articles, methods=["POST"]),
        Route("/api/watches", add_watch, methods=["POST"]),
    ]
