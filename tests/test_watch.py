"""Check rounds against a real HTTP server on 127.0.0.1 whose pages change between rounds."""

from __future__ import annotations

import gzip
import json
import re
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from monitor import fetch, watch
from monitor.config import Settings
from monitor.errors import ConfigError
from monitor.page_filters import Filters
from monitor.storage import Connection, documents, query, sources

T0 = datetime(2025, 7, 7, 12, 0, tzinfo=UTC)
SETTINGS = Settings(
    per_host_delay=0,
    per_host_concurrency=4,
    concurrency=4,
    retries=2,
    retry_backoff=0.01,
    connect_timeout=1,
    read_timeout=0.5,
    total_timeout=2,
    fail_after=3,
)
PARAGRAPHS = [
    "Hezbollah leader Naim Qassem said on Monday that the group will not lay down its "
    "weapons while Israeli troops remain in southern Lebanon.",
    "Speaking in a televised address, Qassem rejected a US-backed plan that would place all "
    "arms under the control of the Lebanese state by the end of the year.",
    "Lebanese President Joseph Aoun has said the state alone should hold weapons, and the "
    "cabinet is expected to discuss a timetable for the army in the coming weeks.",
    "Analysts said the speech left little room for compromise, although officials in Beirut "
    "continued to meet envoys from Washington and Paris to discuss the proposal.",
]


def paras(path: str) -> list[str]:
    """The article text of one page: the same story, with a line of its own."""
    return [*PARAGRAPHS, f"This report on the page at {path} was filed by our correspondent."]


def page(
    paragraphs: list[str] = PARAGRAPHS,
    *,
    ad: str = "Buy the new phone today",
    stamp: str = "Updated 10:32 GMT",
    rail: tuple[str, ...] = ("Markets rally on rate hopes", "Storm hits the coast"),
) -> str:
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    links = "".join(f'<li><a href="/r{i}">{t}</a></li>' for i, t in enumerate(rail))
    return f"""<!doctype html><html><head><title>Hezbollah rejects disarmament plan</title>
<meta property="article:published_time" content="2025-07-07"></head><body>
<nav><a href="/">Home</a> <a href="/world">World</a></nav>
<div class="ad">{ad}</div>
<main><article><h1>Hezbollah rejects disarmament plan</h1><p class="stamp">{stamp}</p>{body}
</article></main>
<aside><h2>Related articles</h2><ul>{links}</ul></aside>
<footer>© 2025 Example News. All rights reserved.</footer></body></html>"""


pytestmark = pytest.mark.backends


@pytest.fixture
def db(database: Connection) -> Connection:
    return database


@pytest.fixture
def client() -> Iterator[fetch.httpx.Client]:
    with fetch.make_client(SETTINGS) as c:
        yield c


class Site:
    """Pages served by path; tests edit `pages` between rounds."""

    def __init__(self, server: HTTPServer) -> None:
        self.server = server
        self.pages: dict[str, str] = {}
        self.etags = False
        self.on_serve: Callable[[], object] = lambda: None
        server.expect_request("/robots.txt").respond_with_data("", status=404)
        server.expect_request(re.compile(r"/a.*")).respond_with_handler(self.serve)

    def serve(self, request: Request) -> Response:
        self.on_serve()
        body = self.pages[request.path]
        etag = f'"{hash(body) & 0xFFFFFF:x}"'
        if self.etags and request.headers.get("If-None-Match") == etag:
            return Response(status=304, headers={"ETag": etag})
        headers = {"ETag": etag} if self.etags else {}
        return Response(body, content_type="text/html; charset=utf-8", headers=headers)

    def url(self, path: str) -> str:
        return self.server.url_for(path)


@pytest.fixture
def site(httpserver: HTTPServer) -> Site:
    return Site(httpserver)


def run(db: Connection, client: fetch.httpx.Client, now: datetime, **kw: object) -> dict[str, str]:
    results = watch.check_round(db, client, SETTINGS, now=now, due_only=False, **kw)  # type: ignore[arg-type]
    return {r.url.rsplit("/", 1)[-1]: f"{r.outcome}: {r.detail}" for r in results}


def watch_pages(db: Connection, site: Site, *paths: str) -> None:
    for path in paths:
        site.pages[path] = page(paras(path))
        watch.add_source(db, site.url(path), now=T0, interval_s=1800)


def test_real_edits_are_changes_noise_is_not(db: Connection, client, site: Site) -> None:
    watch_pages(db, site, "/a1", "/a2", "/a3", "/a4")
    assert {o.split(":")[0] for o in run(db, client, T0).values()} == {"new"}

    edited = [*paras("/a1")[:3], "Qassem later said the group is ready to discuss its weapons."]
    site.pages["/a1"] = page(edited)
    site.pages["/a2"] = page(paras("/a2"), ad="Holiday deals 50% off", stamp="Updated 14:05 GMT")
    site.pages["/a3"] = page(paras("/a3"), rail=("Storm hits the coast", "Markets rally on hopes"))
    outcomes = run(db, client, T0 + timedelta(hours=1))
    assert outcomes["a1"].startswith("changed: "), outcomes
    assert outcomes["a2"].split(":")[0] == "unchanged", outcomes
    assert outcomes["a3"].split(":")[0] == "unchanged", outcomes
    assert outcomes["a4"] == "unchanged: same bytes as last time"
    meaningful = "SELECT COUNT(*) FROM text_changes WHERE added + removed + changed > 0"
    assert db.execute(meaningful).fetchone()[0] == 1
    events = [r["kind"] for r in query(db, "SELECT kind FROM events")]
    assert events.count("text-change") == 1


def test_a_page_flipping_between_two_versions_is_not_new_content(db, client, site) -> None:
    watch_pages(db, site, "/a1")
    run(db, client, T0)
    other = page([*paras("/a1"), "A closing paragraph appears in one version of the page only."])
    site.pages["/a1"] = other
    assert run(db, client, T0 + timedelta(hours=1))["a1"].startswith("changed")
    for hour in range(2, 6):
        site.pages["/a1"] = page(paras("/a1")) if hour % 2 == 0 else other
        outcome = run(db, client, T0 + timedelta(hours=hour))["a1"]
        assert outcome.startswith("unchanged: same text as earlier version"), outcome
    assert db.execute("SELECT COUNT(*) FROM versions").fetchone()[0] == 2


def test_etags_give_304_and_new_validators_are_kept(db, client, site) -> None:
    site.etags = True
    watch_pages(db, site, "/a1")
    run(db, client, T0)
    assert run(db, client, T0 + timedelta(hours=1))["a1"] == "not-modified: 304 Not Modified"
    site.pages["/a1"] = page(paras("/a1"), ad="A different advert")
    assert run(db, client, T0 + timedelta(hours=2))["a1"].startswith("unchanged")
    # The ad-only change still stored the new ETag, so the next round is a 304 again.
    assert run(db, client, T0 + timedelta(hours=3))["a1"] == "not-modified: 304 Not Modified"


def test_429_with_retry_after_is_retried(db, client, httpserver: HTTPServer) -> None:
    answers = [Response("slow down", status=429, headers={"Retry-After": "1"})]

    def busy(_request: Request) -> Response:
        return answers.pop() if answers else Response(page(), content_type="text/html")

    httpserver.expect_request("/robots.txt").respond_with_data("", status=404)
    httpserver.expect_request("/busy").respond_with_handler(busy)
    watch.add_source(db, httpserver.url_for("/busy"), now=T0, interval_s=1800)
    results = watch.check_round(db, client, SETTINGS, now=T0)
    assert [(r.outcome, r.tries) for r in results] == [("new", 2)]
    assert results[0].elapsed_s >= 1.0  # Retry-After was honoured over the short backoff


def test_failures_then_recovery_emit_one_event_each(db, client, httpserver: HTTPServer) -> None:
    state = {"status": 500}

    def handler(_request: Request) -> Response:
        return Response(page(), status=state["status"], content_type="text/html")

    httpserver.expect_request("/robots.txt").respond_with_data("", status=404)
    httpserver.expect_request("/flaky").respond_with_handler(handler)
    source = watch.add_source(db, httpserver.url_for("/flaky"), now=T0, interval_s=1800)
    for i in range(5):
        result = watch.check_round(
            db, client, SETTINGS, now=T0 + timedelta(hours=i), due_only=False
        )
        assert (result[0].outcome, result[0].tries) == ("error", 3)
        assert result[0].detail == "HTTP 500 INTERNAL SERVER ERROR"
    state["status"] = 200
    result = watch.check_round(db, client, SETTINGS, now=T0 + timedelta(hours=6), due_only=False)
    assert result[0].outcome == "new"
    events = list(query(db, "SELECT kind, payload FROM events ORDER BY id"))
    assert [e["kind"] for e in events] == ["source-failing", "source-recovered"]
    assert json.loads(events[0]["payload"])["failures"] == 3
    row = sources.get(db, source)
    assert (row["consecutive_failures"], row["failing_since"], row["last_error"]) == (0, None, None)


def test_slow_server_hits_the_timeout(db, client, httpserver: HTTPServer) -> None:
    def slow(_request: Request) -> Response:
        time.sleep(1.2)
        return Response("late", content_type="text/html")

    httpserver.expect_request("/slow").respond_with_handler(slow)
    settings = Settings(read_timeout=0.3, retries=0, per_host_delay=0)
    fetched = fetch.fetch(client, httpserver.url_for("/slow"), settings=settings)
    assert fetched.status is None and fetched.error is not None
    assert fetched.error.startswith("timed out")


def test_redirect_loop_is_cut(client, httpserver: HTTPServer) -> None:
    httpserver.expect_request("/loop").respond_with_data(
        "", status=302, headers={"Location": "/loop2"}
    )
    httpserver.expect_request("/loop2").respond_with_data(
        "", status=302, headers={"Location": "/loop"}
    )
    fetched = fetch.fetch(client, httpserver.url_for("/loop"), settings=SETTINGS)
    assert fetched.error == f"more than {SETTINGS.max_redirects} redirects"


def test_huge_body_is_cut_and_flagged(client, httpserver: HTTPServer) -> None:
    httpserver.expect_request("/huge").respond_with_data(
        b"<p>" + b"x" * 3_000_000 + b"</p>", content_type="text/html"
    )
    fetched = fetch.fetch(
        client, httpserver.url_for("/huge"), settings=Settings(max_response_bytes=100_000)
    )
    assert fetched.ok and fetched.truncated and len(fetched.content) == 100_000


def test_gzip_bomb_is_cut_while_decompressing(client, httpserver: HTTPServer) -> None:
    bomb = gzip.compress(b"\0" * 30_000_000)  # ~30 KB on the wire
    httpserver.expect_request("/bomb").respond_with_data(
        bomb, content_type="text/html", headers={"Content-Encoding": "gzip"}
    )
    fetched = fetch.fetch(
        client, httpserver.url_for("/bomb"), settings=Settings(max_response_bytes=1_000_000)
    )
    assert fetched.truncated and len(fetched.content) == 1_000_000


def test_only_http_and_https(db: Connection, client) -> None:
    assert fetch.fetch(client, "file:///etc/passwd", settings=SETTINGS).error == (
        "only http:// and https:// URLs can be fetched"
    )
    with pytest.raises(ConfigError):
        watch.add_source(db, "http://127.0.0.1/x", now=T0, interval_s=0)
    with pytest.raises(Exception, match="only http"):
        watch.add_source(db, "ftp://127.0.0.1/x", now=T0, interval_s=1800)


def test_robots_txt_is_respected_unless_turned_off(db, client, httpserver: HTTPServer) -> None:
    httpserver.expect_request("/robots.txt").respond_with_data("User-agent: *\nDisallow: /private")
    httpserver.expect_request("/private/a").respond_with_data(page(), content_type="text/html")
    watch.add_source(db, httpserver.url_for("/private/a"), now=T0, interval_s=1800)
    results = watch.check_round(db, client, SETTINGS, now=T0)
    assert (results[0].outcome, results[0].detail) == ("error", "disallowed by robots.txt")
    db.execute("UPDATE sources SET respect_robots = 0")
    assert watch.check_round(db, client, SETTINGS, now=T0, due_only=False)[0].outcome == "new"


def test_a_collapsed_extraction_is_an_error_not_a_change(db, client, site: Site) -> None:
    watch_pages(db, site, "/a1")
    run(db, client, T0)
    site.pages["/a1"] = page(["Please accept cookies to continue reading this article today."])
    outcome = run(db, client, T0 + timedelta(hours=1))["a1"]
    assert outcome.startswith("error: extracted text fell from"), outcome
    assert db.execute("SELECT COUNT(*) FROM versions").fetchone()[0] == 1


def test_dry_run_writes_nothing(db, client, site: Site) -> None:
    watch_pages(db, site, "/a1")
    before = list(query(db, "SELECT * FROM sources"))
    assert run(db, client, T0, dry_run=True)["a1"] == "new: not stored yet"
    assert list(query(db, "SELECT * FROM sources")) == before
    assert db.execute("SELECT COUNT(*) FROM documents").fetchone()[0] == 0


def test_claimed_sources_are_not_checked_twice(db, client, site: Site) -> None:
    watch_pages(db, site, "/a1", "/a2")
    held = sources.claim(
        db, owner="other", now=T0, lease_until=T0 + watch.LEASE, due_only=True, limit=1
    )
    results = watch.check_round(db, client, SETTINGS, now=T0)
    assert [r.source for r in results] != [held[0]["id"]] and len(results) == 1
    # After the other process's lease runs out, the source is free again.
    later = T0 + watch.LEASE + timedelta(seconds=1)
    assert held[0]["id"] in [r.source for r in watch.check_round(db, client, SETTINGS, now=later)]


def only(selector: str) -> watch.Options:
    return watch.Options(filters=Filters.build(css=[selector]))


def test_selector_limits_the_text(db, client, site: Site) -> None:
    site.pages["/a1"] = page()
    watch.add_source(
        db, site.url("/a1"), now=T0, interval_s=1800, options=only("article p:nth-of-type(2)")
    )
    run(db, client, T0)
    (text,) = [v["text"] for v in documents.versions(db, 1)]
    assert text.startswith("Hezbollah leader Naim Qassem") and "Aoun" not in text
    with pytest.raises(ConfigError, match="invalid css"):
        watch.add_source(db, site.url("/a2"), now=T0, interval_s=1800, options=only("p[["))


def test_feed_adds_articles_and_fresh_ones_are_checked_often(db, client, site: Site) -> None:
    items: list[str] = ["/a1"]

    def feed(_request: Request) -> Response:
        entries = "".join(
            f"<item><title>{p}</title><link>{site.url(p)}</link></item>" for p in items
        )
        xml = f'<rss version="2.0"><channel><title>F</title>{entries}</channel></rss>'
        return Response(xml, content_type="application/rss+xml")

    site.server.expect_request("/feed.xml").respond_with_handler(feed)
    site.pages["/a1"] = page(paras("/a1"))
    site.pages["/a2"] = page(paras("/a2"))
    watch.add_source(db, site.url("/feed.xml"), now=T0, interval_s=1800, feed=True)
    assert run(db, client, T0) == {"feed.xml": "new: feed with 1 article", "a1": "new: document 1"}
    items.append("/a2")
    outcomes = run(db, client, T0 + timedelta(hours=1))
    assert outcomes["feed.xml"] == "changed: 1 new articles" and outcomes["a2"].startswith("new")
    assert watch.child_interval(1800, timedelta(hours=3)) == 1800
    assert watch.child_interval(1800, timedelta(days=5)) == 4 * 1800
    assert watch.child_interval(1800, timedelta(days=60)) == 24 * 1800


@pytest.mark.parametrize("per_host", [1, 4], ids=["one-at-a-time", "threads"])
def test_a_stopped_round_releases_what_it_did_not_fetch(
    db: Connection, client, site: Site, per_host: int
) -> None:
    """A stop (SIGTERM in the daemon) lets what is in flight finish; the rest goes back
    unclaimed and unchecked, fetched one at a time in the round's thread or in workers."""
    watch_pages(db, site, *(f"/a{n}" for n in range(12)))
    stop = threading.Event()
    site.on_serve = stop.set  # the stop comes while the first page is in flight
    settings = replace(SETTINGS, per_host_concurrency=per_host, concurrency=per_host)
    results = watch.check_round(db, client, settings, now=T0, due_only=False, stop=stop)
    # Workers may have fetched everything while the first page was being served.
    assert len(results) == 1 if per_host == 1 else 1 <= len(results) <= 12
    rows = db.execute("SELECT last_check_at IS NOT NULL, claimed_by FROM sources").fetchall()
    assert sum(checked for checked, _ in rows) == len(results)
    assert all(claimed is None for _, claimed in rows)
