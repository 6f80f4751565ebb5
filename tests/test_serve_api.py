"""The HTTP API of `monitor serve` against a real uvicorn process on a loopback port."""

from __future__ import annotations

import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from conftest import SEEDS, Run
from local_site import ChangingPages, assert_sound, serving
from postgres_server import PostgresServer
from serve_server import LISTENING, TOKEN, add_edited, log_text
from serve_server import serving as serve
from starlette.requests import Request

from monitor import watch
from monitor.serve.api import OPENAPI
from monitor.serve.security import Access
from monitor.storage import connect

pytestmark = pytest.mark.slow
AUTH = {"Authorization": f"Bearer {TOKEN}"}
LINES = {"Content-Type": "application/x-ndjson", **AUTH}


def _article(n: int, tag: str = "a") -> dict[str, str]:
    return {
        "text": f"Iran said on Monday it would not resume talks, statement {tag}-{n} added. "
        "Officials in Tehran repeated the point to reporters.",
        "url": f"https://wire.example/{tag}/{n}",
        "title": f"Statement {tag}-{n}",
        "outlet": "Example Wire",
        "date": "2025-03-04",
    }


def _lines(records: list[object]) -> str:
    return "".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in records)


def _count(db: Path, table: str = "documents") -> int:
    with sqlite3.connect(db) as conn:
        return int(conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0])


@pytest.fixture
def seeded(monitor: Run, db_path: Path, tmp_path: Path) -> Path:
    """The seeds, one document edited once, and one watched source."""
    monitor("seed", str(SEEDS), ok=True)
    add_edited(monitor, tmp_path)
    monitor("watch", "add", "https://example.org/watched", "--every", "1h", ok=True)
    return db_path


def test_every_read_is_the_clis_json(seeded: Path, monitor: Run) -> None:
    edited = _count(seeded)
    pairs = {
        "/api/shifts": ["diff", "--json"],
        "/api/shifts?actor=hezbollah&since=2024-01-01": [
            "diff", "--actor", "hezbollah", "--since", "2024-01-01", "--json",
        ],
        "/api/shifts?issue=escalation&min_confidence=0.3": [
            "diff", "--issue", "escalation", "--json",
        ],
        "/api/positions?actor=Hezbollah": ["positions", "Hezbollah", "--json"],
        "/api/positions": ["positions", "--json"],
        "/api/actors": ["actors", "--json"],
        "/api/issues": ["issues", "--json"],
        "/api/documents": ["list", "--json"],
        "/api/documents/1": ["show", "1", "--json"],
        f"/api/documents/{edited}": ["show", str(edited), "--json"],
        f"/api/documents/{edited}/diff": ["diff", str(edited), "--format", "json"],
        f"/api/documents/{edited}/diff?from=1&to=2": [
            "diff", f"{edited}@1", f"{edited}@2", "--json",
        ],
        "/api/sources": ["watch", "list", "--json"],
    }  # fmt: skip
    with serve(seeded) as url:
        answers = {path: httpx.get(url + path) for path in pairs}
        versions = httpx.get(f"{url}/api/documents/{edited}/versions").json()
        status = httpx.get(url + "/api/status")
    for path, args in pairs.items():
        assert answers[path].status_code == 200, (path, answers[path].text)
        cli = json.loads(monitor(*args, ok=True).stdout)
        if "min_confidence" in path:
            cli = [s for s in cli if s["confidence"] >= 0.3]
        assert answers[path].json() == cli, path
    # Piped, the CLI prints the same text the API sends: one serialiser for both.
    assert answers["/api/shifts"].text == monitor("diff", "--json", ok=True).stdout.strip()
    assert len(answers["/api/shifts"].json()) > 0
    assert answers[f"/api/documents/{edited}/diff"].json()["counts"]["changed"] == 1
    assert versions == json.loads(monitor("show", str(edited), "--json").stdout)["versions"]
    assert [v["number"] for v in versions] == [1, 2]
    figures = json.loads(monitor("status", "--json", ok=True).stdout)
    assert status.status_code == 200
    assert {**status.json(), "checked_at": None} == {**figures, "checked_at": None}


def test_openapi_lists_every_endpoint_and_each_answers(seeded: Path) -> None:
    with serve(seeded) as url:
        spec = httpx.get(url + "/api/openapi.json").json()
        assert spec == json.loads(json.dumps(OPENAPI))
        for path, methods in spec["paths"].items():
            concrete = path.replace("{ref}", "1").replace("{id}", "1")
            if "get" in methods:
                answer = httpx.get(url + concrete)
                assert answer.status_code in (200, 404), (path, answer.text)  # 404: no diff
                assert answer.headers["content-type"] == "application/json"
            if "post" in methods:
                assert httpx.post(url + concrete).status_code == 401
    assert {"/api/shifts", "/api/articles", "/api/watches", "/api/status"} <= set(spec["paths"])


def test_writes_need_the_token_and_never_in_the_url(seeded: Path, tmp_path: Path) -> None:
    body = _lines([_article(1)])
    before = _count(seeded)
    with serve(seeded, token=None) as url:  # no token configured: no writes at all
        refused = httpx.post(url + "/api/articles", content=body, headers=LINES)
        assert refused.status_code == 403
        assert refused.json() == {"error": "writes are disabled: no MONITOR_API_TOKEN is set"}
        assert httpx.get(url + "/api/actors").status_code == 200  # reads still work
    with serve(seeded) as url:
        none = httpx.post(url + "/api/articles", content=body)
        wrong = httpx.post(
            url + "/api/articles", content=body, headers={**LINES, "Authorization": "Bearer x"}
        )
        basic = httpx.post(
            url + "/api/articles", content=body, headers={**LINES, "Authorization": TOKEN}
        )
        in_query = httpx.post(f"{url}/api/articles?token={TOKEN}", content=body, headers=LINES)
        value_in_query = httpx.get(f"{url}/api/shifts?actor={TOKEN}")
        page_query = httpx.get(f"{url}/?access_token=abc")
        assert _count(seeded) == before  # nothing above was stored
        ok = httpx.post(url + "/api/articles", content=body, headers=LINES)
    for answer in (none, wrong, basic):
        assert answer.status_code == 401
        assert answer.headers["www-authenticate"] == "Bearer"
        assert answer.json() == {"error": "send the API token as 'Authorization: Bearer <token>'"}
    for answer in (in_query, value_in_query, page_query):
        assert answer.status_code == 400
        assert "token in the URL is refused" in answer.text
    assert page_query.headers["content-type"].startswith("text/html")
    assert ok.status_code == 200 and ok.json()[0]["outcome"] == "new"
    assert _count(seeded) == before + 1


def test_bad_bodies_are_one_json_error_and_store_nothing(seeded: Path) -> None:
    before = _count(seeded)
    big = _lines([_article(n) for n in range(40)])
    assert len(big) > 4000
    with serve(seeded, config="api_max_body_bytes = 4000\n") as url:
        post = lambda body, kind="application/json": httpx.post(  # noqa: E731
            url + "/api/articles", content=body, headers={**AUTH, "Content-Type": kind}
        )
        add_watch = lambda data: httpx.post(url + "/api/watches", json=data, headers=AUTH)  # noqa: E731
        answers = {
            "oversized": post(big, "application/x-ndjson"),
            "malformed": post('{"text": "Iran said'),
            "not utf-8": post(b'{"text": "\xff\xfe Iran"}'),
            "wrong type": post("text=Iran", "application/x-www-form-urlencoded"),
            "watch without url": add_watch({"every": "1h"}),
            "bad watch url": add_watch({"url": "ftp://x"}),
        }  # fmt: skip
        streamed = httpx.post(  # no Content-Length: the cap holds while reading
            url + "/api/articles",
            content=iter([big[:3000].encode(), big[3000:].encode()]),
            headers=LINES,
        )
    expected = {"oversized": 413, "malformed": 400, "not utf-8": 400, "wrong type": 415}
    expected |= {"watch without url": 400, "bad watch url": 400}
    for name, answer in answers.items():
        assert answer.status_code == expected[name], (name, answer.text)
        assert list(answer.json()) == ["error"], name
    assert answers["oversized"].json() == {
        "error": "the body is larger than 4000 bytes (api_max_body_bytes)"
    }
    assert streamed.status_code == 413
    assert _count(seeded) == before
    assert _count(seeded, "sources") == 1


def test_a_batch_with_bad_lines_stores_the_rest(seeded: Path, tmp_path: Path) -> None:
    records: list[object] = [
        _article(1), "{not json", _article(2), {"title": "no body"}, "[1, 2]", _article(3),
    ]  # fmt: skip
    before = _count(seeded)
    with serve(seeded) as url:
        answer = httpx.post(url + "/api/articles", content=_lines(records), headers=LINES)
        again = httpx.post(url + "/api/articles", json=_article(1), headers=AUTH)
        only_bad = httpx.post(url + "/api/articles", content="{x\n", headers=LINES)
    assert answer.status_code == 200
    rows = answer.json()
    assert [r["outcome"] for r in rows] == ["new", "error", "new", "error", "error", "new"]
    assert [r["item"] for r in rows] == [f"request:{n}" for n in range(1, 7)]
    assert _count(seeded) == before + 3
    assert again.json() == [{"item": "request", "outcome": "unchanged", "document": rows[0][
        "document"], "detail": "dated 2025-03-04 (given)"}]  # fmt: skip
    assert only_bad.status_code == 422 and only_bad.json()[0]["outcome"] == "error"
    # What `monitor add` reports for the same lines, apart from the item's label.
    lines = tmp_path / "batch.jsonl"
    lines.write_text(_lines(records), encoding="utf-8")
    other = tmp_path / "other.db"
    done = subprocess.run(
        [sys.executable, "-m", "monitor", "--db", str(other), "add", str(lines), "--json"],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 1, done.stderr  # the good lines stored, the bad ones reported
    cli = json.loads(done.stdout)
    strip = lambda rs: [{k: v for k, v in r.items() if k not in ("item", "document")} for r in rs]  # noqa: E731
    assert strip(cli) == strip(rows)


def test_ingest_is_rate_limited_per_token(seeded: Path) -> None:
    with serve(seeded, config="api_ingest_per_minute = 2\n") as url:
        answers = [
            httpx.post(url + "/api/articles", json=_article(n), headers=AUTH) for n in range(3)
        ]
    assert [a.status_code for a in answers] == [200, 200, 429]
    assert int(answers[2].headers["retry-after"]) >= 1
    assert answers[2].json() == {"error": "too many uploads; try again later"}


def test_watches_are_added_over_http(seeded: Path, monitor: Run) -> None:
    with serve(seeded) as url:
        added = httpx.post(
            url + "/api/watches",
            json={"url": "https://example.org/feed.xml", "feed": True, "every": "2h"},
            headers=AUTH,
        )
        twice = httpx.post(
            url + "/api/watches", json={"url": "https://example.org/feed.xml"}, headers=AUTH
        )
    assert added.status_code == 201
    listed = json.loads(monitor("watch", "list", "--json", ok=True).stdout)
    assert added.json() == listed[-1]
    assert listed[-1]["kind"] == "feed" and listed[-1]["every_s"] == 7200
    assert twice.status_code == 400 and "already watched" in twice.json()["error"]


def test_errors_leak_no_paths_or_tracebacks(seeded: Path) -> None:
    with serve(seeded) as url:
        missing = httpx.get(url + "/api/documents/999")
        page = httpx.get(url + "/documents/999")
        with sqlite3.connect(seeded) as conn:  # break the database under the server
            conn.execute("DROP TABLE shifts")
        crash = httpx.get(url + "/api/shifts")
        crash_page = httpx.get(url + "/")
    assert missing.status_code == 404
    assert missing.json() == {"error": "no document '999' in the database"}
    assert page.status_code == 404 and "no document &#39;999&#39;" in page.text
    assert crash.status_code == 500 and crash_page.status_code == 500
    assert crash.json() == {"error": "internal error; the server log has the details"}
    for answer in (missing, page, crash, crash_page):
        assert "Traceback" not in answer.text and str(seeded.parent) not in answer.text
        assert "default-src 'none'" in answer.headers["content-security-policy"]
        assert "sqlite" not in answer.text.lower()
    assert "no such table: shifts" in log_text(seeded)  # the log keeps the details


def test_reads_from_elsewhere_need_public_read_or_the_token() -> None:
    def request(host: str, headers: dict[str, str] | None = None) -> Request:
        raw = [(k.lower().encode(), v.encode()) for k, v in (headers or {}).items()]
        return Request({"type": "http", "client": (host, 5000), "headers": raw, "method": "GET"})

    closed, public = Access(TOKEN), Access(TOKEN, public_read=True)
    assert closed.may_read(request("127.0.0.1")) and closed.may_read(request("::1"))
    assert not closed.may_read(request("192.0.2.7"))
    assert closed.may_read(request("192.0.2.7", AUTH))
    assert not Access(None).may_read(request("192.0.2.7", AUTH))
    assert public.may_read(request("192.0.2.7"))


class HeldBackPages(ChangingPages):
    """The changing pages, but from the tenth on each waits for `gate`: the daemon is
    mid-round for as long as the test holds it."""

    gate = threading.Event()

    def do_GET(self) -> None:
        if int(self.path.rsplit("/", 1)[1]) >= 10:
            HeldBackPages.gate.wait(timeout=120)
        super().do_GET()


def test_four_clients_ingest_while_the_daemon_checks(seeded: Path, tmp_path: Path) -> None:
    per_client, clients, pages = 25, 4, 200
    settings = tmp_path / "daemon.toml"
    settings.write_text("per_host_delay = 0.0\nper_host_concurrency = 4\nconcurrency = 4\n")
    local = "SELECT COUNT(*) FROM documents WHERE url LIKE 'http://127.0.0.1%'"
    HeldBackPages.gate.clear()
    with serving(HeldBackPages) as site:
        db = connect(seeded)
        now = datetime.now(UTC)
        for n in range(pages):
            watch.add_source(db, f"{site}/p/{n}", now=now, interval_s=3600, respect_robots=False)
        with serve(seeded) as url:
            daemon = subprocess.Popen(
                [sys.executable, "-m", "monitor", "--db", str(seeded), "run"],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
                env={**os.environ, "MONITOR_CONFIG": str(settings)},
            )
            try:
                _wait_for(db, f"SELECT 1 WHERE ({local}) > 0", daemon)
                results: dict[int, list[httpx.Response]] = {}

                def client(number: int) -> None:
                    with httpx.Client(base_url=url, headers=LINES, timeout=120) as http:
                        results[number] = [
                            http.post("/api/articles", content=_lines([_article(i, f"c{number}")]))
                            for i in range(per_client)
                        ]

                threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
                for thread in threads:
                    thread.start()
                for thread in threads:
                    thread.join()
                assert db.execute(local).fetchone()[0] < pages, "the round ended too early"
                HeldBackPages.gate.set()  # the daemon's round may finish now
                _wait_for(db, f"SELECT 1 WHERE ({local}) = {pages}", daemon)
            finally:
                HeldBackPages.gate.set()
                daemon.send_signal(signal.SIGTERM)
                out, err = daemon.communicate(timeout=120)
        db.close()
    assert daemon.returncode == 0, err[-2000:]
    answers = [a for batch in results.values() for a in batch]
    assert [a.status_code for a in answers] == [200] * clients * per_client
    rows = [row for a in answers for row in a.json()]
    assert all(r["outcome"] == "new" for r in rows), [r for r in rows if r["outcome"] != "new"]
    assert "locked" not in out + err + log_text(seeded)
    with sqlite3.connect(seeded) as conn:
        assert_sound(conn)
        stored = conn.execute(
            "SELECT COUNT(*) FROM documents WHERE url LIKE 'https://wire.example/c%'"
        ).fetchone()[0]
        pages_stored = conn.execute(local).fetchone()[0]
    assert stored == clients * per_client and pages_stored == pages


def _wait_for(db: sqlite3.Connection, sql: str, process: subprocess.Popen) -> None:
    """Until the query finds a row (a condition, not a delay); the process must live on."""
    deadline = time.monotonic() + 600
    while not db.execute(sql).fetchone():
        assert process.poll() is None, f"the process ended early: {process.returncode}"
        assert time.monotonic() < deadline, f"no row for {sql} in ten minutes"
        threading.Event().wait(0.05)


def test_dashboard_filters_live_in_the_url(seeded: Path, monitor: Run) -> None:
    query = "issue=escalation&since=2024-10-01&until=2025-12-31&min_confidence=0.3"
    with serve(seeded) as url:
        page = httpx.get(f"{url}/?{query}")
        everything = httpx.get(url + "/")
        unknown = httpx.get(url + "/?actor=Nobody")
        answers = [page, everything, unknown, httpx.get(url + "/api/actors")]
    expected = json.loads(
        monitor("diff", "--issue", "escalation", "--since", "2024-10-01", "--json").stdout
    )
    expected = [s for s in expected if s["confidence"] >= 0.3]
    heads = re.findall(r'<article class="shift-item"><h3>([^<]+)<strong>', page.text)
    assert len(heads) == len(expected) > 0
    assert all(" · escalation: " in h for h in heads)
    assert len(heads) < everything.text.count('<article class="shift-item">')
    assert '<option value="escalation" selected>' in page.text
    assert 'name="since" value="2024-10-01"' in page.text
    assert 'name="min_confidence" min="0" max="1" step="0.05" value="0.3"' in page.text
    assert unknown.status_code == 404 and "no actor &#39;Nobody&#39;" in unknown.text
    for answer in answers:  # the same strict policy on pages, API answers and errors
        policy = answer.headers["content-security-policy"]
        assert "default-src 'none'" in policy and "unsafe-inline" not in policy
        assert "script-src" not in policy and answer.headers["x-content-type-options"] == "nosniff"


def test_sign_in_takes_the_token_and_limits_guessing(seeded: Path) -> None:
    with serve(seeded) as url:
        wrong = [httpx.post(url + "/signin", data={"token": f"guess{n}"}) for n in range(10)]
        blocked = httpx.post(url + "/signin", data={"token": TOKEN})
    assert [a.status_code for a in wrong] == [401] * 10
    assert blocked.status_code == 429 and "set-cookie" not in blocked.headers
    with serve(seeded) as url:
        ok = httpx.post(url + "/signin", data={"token": TOKEN})
    assert ok.status_code == 303
    cookie = ok.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie and TOKEN not in cookie


def test_the_same_answers_on_postgresql(postgres: PostgresServer, tmp_path: Path) -> None:
    """`monitor serve --db postgresql://…`: pages and API on the shared database, the API's
    shifts the same as the CLI's."""
    postgres.admin("CREATE SCHEMA served")
    url = postgres.url("served")
    env = {k: v for k, v in os.environ.items() if k not in ("MONITOR_API_TOKEN", "MONITOR_DB")}
    base = [sys.executable, "-m", "monitor", "--db", url]
    subprocess.run([*base, "seed", str(SEEDS)], env=env, check=True, capture_output=True)
    with (tmp_path / "serve.log").open("w") as log:
        server = subprocess.Popen(
            [*base, "serve", "--port", "0"], stdout=subprocess.PIPE, stderr=log, text=True, env=env
        )
        try:
            assert server.stdout is not None
            found = LISTENING.search(server.stdout.readline())
            assert found, (tmp_path / "serve.log").read_text()
            site = found.group(1)
            pages = [httpx.get(site + path, timeout=60) for path in ("/", "/documents/1")]
            shifts = httpx.get(site + "/api/shifts?actor=Hezbollah", timeout=60)
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=60)
    assert [p.status_code for p in pages] == [200, 200] and "Hezbollah" in pages[0].text
    cli = subprocess.run(
        [*base, "diff", "--actor", "Hezbollah", "--json"], env=env, capture_output=True, text=True
    )
    assert shifts.status_code == 200 and json.loads(shifts.text) == json.loads(cli.stdout) != []
    postgres.admin("DROP SCHEMA served CASCADE")
