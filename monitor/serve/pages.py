"""The pages analysts read: server-rendered HTML that needs no script and fits a phone.

A shift and a timeline chart are rendered by `html_report`, the same markup as in
`monitor report`; the rest are Jinja2 templates with autoescape, so everything taken from
an article is shown as text.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from markupsafe import Markup
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from monitor import analysis, html_report, inputs, report, views
from monitor.compare import compare
from monitor.serve.api import shift_filters
from monitor.serve.app import STATIC, Backend, read_form
from monitor.serve.security import SESSION_COOKIE, Access
from monitor.storage import alerts as alert_store
from monitor.storage import documents
from monitor.storage import positions as position_store
from monitor.storage import search as search_index

MAX_SHIFTS = 100  # on the dashboard, newest first; the filters narrow the rest down
OUTBOX = ("pending", "sending", "failed", "dead")


def _render(request: Request, name: str, status: int = 200, **context: Any) -> Response:
    access: Access = request.app.state.access
    context.update(
        signed_in=access.signed_in(request),
        writable=access.token is not None,
        form_key=access.form_key() if access.signed_in(request) else "",
    )
    return request.app.state.templates.TemplateResponse(request, name, context, status_code=status)


def _backend(request: Request) -> Backend:
    backend: Backend = request.app.state.backend
    return backend


def document_href(document: int) -> str:
    return f"/documents/{document}"


def dashboard(request: Request) -> Response:
    """The latest shifts first, with both sides' evidence; filters live in the URL."""
    b = _backend(request)
    wanted = shift_filters(request)
    if wanted["actor"]:
        wanted["actor"] = analysis.resolve_actor(b.profile, wanted["actor"])
    if wanted["issue"] and wanted["issue"] not in b.profile.issues:
        raise HTTPException(404, f"no issue {wanted['issue']!r} in the profile")
    rows = position_store.shift_rows(b.db, **wanted, newest=MAX_SHIFTS + 1)[::-1]
    cards = [
        Markup(html_report.shift_html(html_report.shift_item(row), document_href))
        for row in rows[:MAX_SHIFTS]
    ]
    return _render(
        request,
        "dashboard.html",
        shifts=cards,
        more=len(rows) > MAX_SHIFTS,
        filters={k: "" if v is None else v for k, v in wanted.items()},
        actors=sorted(b.profile.actors),
        issues=sorted(b.profile.issues),
    )


def actor_list(request: Request) -> Response:
    b = _backend(request)
    return _render(request, "actors.html", actors=analysis.actors(b.db, b.profile))


def actor(request: Request) -> Response:
    """One chart per issue, then every position with its evidence, newest first."""
    b = _backend(request)
    name = analysis.resolve_actor(b.profile, request.path_params["name"])
    since, until = shift_filters(request)["since"], shift_filters(request)["until"]
    found = html_report.load_timelines(b.db, b.profile, name, since, until)
    charts = []
    if found:
        start, end = html_report.span(p.published_at for t in found for p in t.positions)
        charts = [
            {
                "issue": t.issue,
                "figure": Markup(html_report.figure(t, start, end)),
                "positions": list(reversed(t.positions)),
            }
            for t in found
        ]
    return _render(request, "actor.html", actor=name, charts=charts, since=since, until=until)


def document(request: Request) -> Response:
    """A document's versions, and the sentence diff between any two (?from=N&to=M)."""
    b = _backend(request)
    data = documents.describe(b.db, str(request.path_params["id"]))
    diff = None
    if len(data["versions"]) > 1:
        old = _version(request, "from", data)
        new = _version(request, "to", data)
        if old is None and new is None and data["changes"]:
            old, new = data["changes"][-1]["from"], data["changes"][-1]["to"]
        old = old or data["versions"][-2]["number"]
        new = new or data["versions"][-1]["number"]
        doc_id = data["id"]
        change = compare(
            inputs.stored_text(b.db, f"{doc_id}@{old}")[1],
            inputs.stored_text(b.db, f"{doc_id}@{new}")[1],
            actors=b.engine.finder,
        )
        diff = {"from": old, "to": new, "html": Markup(report.change_html_fragment(change))}
    return _render(request, "document.html", doc=data, diff=diff, url=_safe_url(data["url"]))


def _version(request: Request, name: str, data: dict[str, Any]) -> int | None:
    value = request.query_params.get(name)
    if not value:
        return None
    if not value.isdigit() or not 1 <= int(value) <= len(data["versions"]):
        raise HTTPException(404, f"document {data['id']} has no version {value!r}")
    return int(value)


def _safe_url(url: str | None) -> str | None:
    """Only plain http(s) addresses become links; anything else is shown as text."""
    return url if url and html_report.is_safe_url(url) else None


def source_list(request: Request) -> Response:
    return _render(request, "sources.html", sources=views.watched_sources(_backend(request).db))


def outbox(request: Request) -> Response:
    from monitor.alerts import channels

    b = _backend(request)
    return _render(
        request,
        "outbox.html",
        channels=channels.listing(b.db),
        deliveries=alert_store.deliveries(b.db, OUTBOX),
    )


async def retry(request: Request) -> Response:
    """Queue failed and dead deliveries again: signed-in users only, from the page's form."""
    access: Access = request.app.state.access
    form = await read_form(request)
    if not access.signed_in(request) or form.get("form_key") != access.form_key():
        raise HTTPException(403, "sign in with the API token to retry deliveries")
    from monitor.alerts import channels

    b = _backend(request)
    count = channels.retry(b.db, b.now())
    return RedirectResponse(f"/outbox?{urlencode({'queued': count})}", status_code=303)


async def sign_in(request: Request) -> Response:
    access: Access = request.app.state.access
    form = await read_form(request)
    if access.token is None:
        raise HTTPException(403, "writes are disabled: no MONITOR_API_TOKEN is set")
    client = request.client.host if request.client else ""
    if request.app.state.sign_ins.take(client):
        raise HTTPException(429, "too many sign-ins from this address; try again later")
    if not access.matches(str(form.get("token", ""))):
        raise HTTPException(401, "wrong token")
    response = RedirectResponse("/outbox", status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        access.session(),
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
    )
    return response


async def sign_out(request: Request) -> Response:
    response = RedirectResponse("/", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response


def search(request: Request) -> Response:
    """Full-text search over every document's current text."""
    words = request.query_params.get("q", "").strip()
    found = search_index.search(_backend(request).db, words, best_first=True, with_text=True)
    hits = [{**row, "snippet": _snippet(row["text"], words)} for row in found]
    return _render(request, "search.html", q=words, hits=hits)


def _snippet(text: str, words: str, width: int = 240) -> str:
    """The stretch of text around the first word found."""
    lowered = text.lower()
    at = min((i for w in words.lower().split() if (i := lowered.find(w)) >= 0), default=0)
    start = max(0, at - width // 3)
    piece = " ".join(text[start : start + width].split())
    return ("…" if start else "") + piece + ("…" if start + width < len(text) else "")


def report_css(_request: Request) -> Response:
    """The report's own stylesheet, so a shift and a chart look the same in both."""
    return Response(html_report.CSS, media_type="text/css")


def routes() -> list[Route | Mount]:
    return [
        Route("/", dashboard),
        Route("/actors", actor_list),
        Route("/actors/{name:path}", actor),
        Route("/documents/{id:int}", document),
        Route("/sources", source_list),
        Route("/outbox", outbox),
        Route("/outbox/retry", retry, methods=["POST"]),
        Route("/signin", sign_in, methods=["POST"]),
        Route("/signout", sign_out, methods=["POST"]),
        Route("/search", search),
        Route("/static/report.css", report_css),
        Mount("/static", StaticFiles(directory=STATIC), name="static"),
    ]
