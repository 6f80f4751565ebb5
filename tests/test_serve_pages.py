"""The pages of `monitor serve` in a real headless Chromium, at phone and desktop widths."""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from alert_servers import Hook
from conftest import ROOT, SEEDS, Run
from playwright.sync_api import Page, sync_playwright
from serve_server import TOKEN, add_edited, serving

pytestmark = [pytest.mark.slow, pytest.mark.browser]
WIDTHS = (375, 1280)
HOSTILE_TITLE = "</svg><script>alert('title')</script> Qassem statement"
HOSTILE_TEXT = (
    "BEIRUT, Aug 1 - Hezbollah said it will not surrender its weapons "
    "<script>alert('text')</script> </svg> to anyone, a spokesman told reporters.\n"
    "Naim Qassem added that <img src=x onerror=alert(2)> the group refuses to disarm.\n"
)


@pytest.fixture
def site(
    monitor: Run, db_path: Path, tmp_path: Path, hook: Hook, monkeypatch: pytest.MonkeyPatch
) -> Path:
    """The seeds, a hostile article, a document edited once, a watched source with a
    script URL, and an alert channel whose deliveries the receiver refused."""
    monitor("seed", str(SEEDS), ok=True)
    hostile = tmp_path / "hostile.jsonl"
    record = {
        "text": HOSTILE_TEXT,
        "title": HOSTILE_TITLE,
        "url": "javascript:alert('url')",
        "outlet": "<b>Evil</b> Wire",
        "date": "2025-08-01",
    }
    hostile.write_text(json.dumps(record) + "\n", encoding="utf-8")
    monitor("add", str(hostile), ok=True)
    add_edited(monitor, tmp_path)
    with sqlite3.connect(db_path) as conn:
        conn.execute(
            "INSERT INTO sources (kind, locator, interval_s, next_check_at, created_at) "
            "VALUES ('url', 'javascript:alert(5)', 60, '2025-01-01', '2025-01-01')"
        )
    monkeypatch.setenv("MONITOR_WEBHOOK_SECRET", "page-test-secret")
    hook.script = [(400, {})] * 50
    monitor("alerts", "add", hook.url, "--kind", "position-shift", "--since", "2020-01-01", ok=True)
    refused = monitor("alerts", "flush")
    assert refused.exit_code == 1 and "failed" in refused.stdout  # failed deliveries to retry
    return db_path


@pytest.fixture
def browser(chromium: str) -> Iterator[object]:
    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        yield launched
        launched.close()


class Watched:
    """A page with every console message, page error and dialog it produced."""

    def __init__(self, browser: object, width: int) -> None:
        self.context = browser.new_context(viewport={"width": width, "height": 900})  # type: ignore[attr-defined]
        self.page: Page = self.context.new_page()
        self.problems: list[str] = []
        self.page.on(
            "console",
            lambda m: self.problems.append(m.text) if m.type in ("error", "warning") else None,
        )
        self.page.on("pageerror", lambda e: self.problems.append(str(e)))
        self.page.on("dialog", lambda d: (self.problems.append(f"dialog {d.message}"), d.dismiss()))
        self.width = width

    def fits(self) -> None:
        """Nothing wider than the window: no sideways scrolling on a phone."""
        scroll = self.page.evaluate("document.documentElement.scrollWidth")
        assert scroll <= self.width, f"{self.page.url} is {scroll}px wide at {self.width}px"

    def shot(self, folder: Path, name: str) -> Path:
        path = folder / f"{name}-{self.width}.png"
        self.page.screenshot(path=str(path), full_page=True)
        assert path.stat().st_size > 10_000
        return path


@pytest.mark.parametrize("width", WIDTHS)
def test_analyst_journey(site: Path, browser: object, tmp_path: Path, width: int) -> None:
    shots = _screenshots(tmp_path)
    w = Watched(browser, width)
    page = w.page
    with serving(site) as url:
        page.goto(url + "/")
        every = page.locator("article.shift-item").count()
        assert every > 0
        w.fits()
        w.shot(shots, "dashboard")

        page.select_option("select[name=actor]", "Hezbollah")
        page.click("form.filters button[type=submit]")
        assert "actor=Hezbollah" in page.url
        heads = page.locator("article.shift-item h3").all_inner_texts()
        assert heads and all(h.startswith("Hezbollah · ") for h in heads)
        assert len(heads) <= every
        assert page.locator("select[name=actor]").input_value() == "Hezbollah"
        w.shot(shots, "dashboard-hezbollah")

        link = page.locator("article.shift-item .doc a[href^='/documents/']").first
        target = link.get_attribute("href")
        link.click()
        assert page.url == url + target
        assert page.locator("h2", has_text="Versions").count() == 1
        w.fits()

        edited = _document_id(site, "Talks")
        page.goto(f"{url}/documents/{edited}")
        page.select_option("select[name=from]", "1")
        page.select_option("select[name=to]", "2")
        page.click("text=Compare")
        assert "from=1" in page.url and "to=2" in page.url
        assert page.locator("#diff ins").inner_text().strip() == "not"
        w.fits()
        w.shot(shots, "diff")

        page.goto(url + "/actors/Hezbollah")
        # One chart per issue; an issue with a single position shows just its evidence.
        for section in page.locator("section.issue").all():
            points = section.locator("ol.positions > li").count()
            assert section.locator("svg.timeline").count() == (points > 1)
        assert page.locator("svg.timeline").count() >= 1
        assert page.locator("ol.positions blockquote").first.is_visible()  # not only on hover
        w.fits()
        w.shot(shots, "actor")

        page.goto(url + "/sources")
        w.fits()
        page.goto(f"{url}/search?q=surrender+weapons")
        assert page.locator("article.hit").count() >= 1
        w.fits()
    assert w.problems == []


def test_hostile_article_renders_as_text(site: Path, browser: object, tmp_path: Path) -> None:
    w = Watched(browser, 1280)
    page = w.page
    hostile = _document_id(site, HOSTILE_TITLE)
    with serving(site) as url:
        for path in (
            f"/documents/{hostile}",
            "/?actor=Hezbollah",
            "/actors/Hezbollah",
            "/sources",
            "/search?q=surrender",
        ):
            page.goto(url + path)
            assert page.locator("script, img, b").count() == 0, path
            hrefs = page.eval_on_selector_all("a[href]", "els => els.map(e => e.href)")
            assert all(h.startswith(url) for h in hrefs), (path, hrefs)
        page.goto(f"{url}/documents/{hostile}")
        w.shot(_screenshots(tmp_path), "hostile")
        assert page.locator("h1").inner_text() == HOSTILE_TITLE
        assert "<script>alert('text')</script> </svg>" in page.locator(".text").inner_text()
        assert "javascript:alert('url')" in page.locator("main").inner_text()  # text, no link
        page.goto(url + "/sources")
        assert "javascript:alert(5)" in page.locator("table").inner_text()
        page.goto(url + "/actors/Hezbollah")
        evidence = page.locator("main").inner_text()  # the hostile sentence, as text
        assert "<script>alert('text')</script>" in evidence or "<img src=x" in evidence
    assert w.problems == []


def test_outbox_retry_needs_a_signed_in_user(site: Path, browser: object) -> None:
    w = Watched(browser, 375)
    page = w.page
    with sqlite3.connect(site) as conn:
        failed = conn.execute("SELECT COUNT(*) FROM deliveries WHERE status = 'failed'").fetchone()
    assert failed[0] > 0
    with serving(site) as url:
        forged = httpx.post(url + "/outbox/retry", data={"form_key": "x"})
        assert forged.status_code == 403
        page.goto(url + "/outbox")
        assert page.locator("td.delivery-failed").count() == failed[0]
        assert page.locator("text=Retry failed and dead deliveries").count() == 0
        page.fill("input[name=token]", "wrong")
        page.click("text=Sign in to retry")
        assert page.locator("h1").inner_text() == "401"
        page.goto(url + "/outbox")
        page.fill("input[name=token]", TOKEN)
        page.click("text=Sign in to retry")
        page.click("text=Retry failed and dead deliveries")
        assert f"Queued {failed[0]} again." in page.locator("main").inner_text()
        w.fits()
    with sqlite3.connect(site) as conn:
        left = conn.execute("SELECT COUNT(*) FROM deliveries WHERE status = 'failed'").fetchone()
    assert left[0] == 0
    assert [p for p in w.problems if "401" not in p] == []  # the wrong token's page is a 401


def _screenshots(tmp_path: Path) -> Path:
    """Kept under the test's tmp dir, or in db/screenshots with MONITOR_KEEP_SCREENSHOTS."""
    keep = os.environ.get("MONITOR_KEEP_SCREENSHOTS")
    folder = ROOT / "db" / "screenshots" if keep else tmp_path / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _document_id(db: Path, title: str) -> int:
    with sqlite3.connect(db) as conn:
        return int(conn.execute("SELECT id FROM documents WHERE title = ?", [title]).fetchone()[0])
