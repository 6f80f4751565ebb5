"""`watch add --browser`: a page whose text only JavaScript writes, rendered in the system's
headless Chromium, end to end through the command line."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from alert_servers import wait_for
from conftest import Run
from local_site import QuietHandler, Site, editable_site, serving

from monitor.browser import Browser
from monitor.config import Settings

pytestmark = pytest.mark.browser

SCRIPTED = """<!doctype html><html><head><title>Harbour board statement</title></head>
<body><main><article id="story"><p>Loading…</p></article></main>
<script>
document.getElementById("story").innerHTML =
  "<h1>Harbour board statement</h1>" +
  "<p>The harbour board said on Thursday that night shifts at the container terminal " +
  "would resume next month, {when}, after talks with the dock workers' union.</p>" +
  "<p>Shipping lines were told to expect delays of up to two days until then.</p>";
</script></body></html>"""


def scripted(when: str = "subject to a final vote") -> str:
    return SCRIPTED.replace("{when}", when)


@pytest.fixture
def site() -> Iterator[Site]:
    with editable_site() as served:
        yield served


@pytest.fixture
def browser_config(tmp_path: Path, chromium: str, monkeypatch: pytest.MonkeyPatch) -> Path:
    config = tmp_path / "monitor.toml"
    config.write_text(f'browser_path = "{chromium}"\nper_host_delay = 0\n', encoding="utf-8")
    monkeypatch.setenv("MONITOR_CONFIG", str(config))
    return config


def test_a_script_written_page_is_watched_through_the_browser(
    monitor: Run, site: Site, browser_config: Path
) -> None:
    url = site.put("/js", scripted())
    plain = monitor("watch", "test", url)
    assert "night shifts" not in plain.stdout  # without the browser the text is not there
    shown = monitor("watch", "test", url, "--browser", "--selector", "#story", ok=True)
    assert "night shifts at the container terminal" in shown.stdout

    monitor(
        "watch", "add", url, "--browser", "--selector", "#story", "--header", "X-Desk: ports",
        ok=True,
    )  # fmt: skip
    assert json.loads(monitor("watch", "list", "--json", ok=True).stdout)[0]["browser"] is True
    first = json.loads(monitor("check", "--json", ok=True).stdout)
    assert [r["outcome"] for r in first] == ["new"]
    stored = json.loads(monitor("show", "1", "--json", ok=True).stdout)["text"]
    assert "would resume next month, subject to a final vote" in stored
    assert [r.get("x-desk") for r in site.requests if r["path"] == "/js"][-1] == "ports"

    site.put("/js", scripted("after the vote passed"))
    second = json.loads(monitor("check", "--json", ok=True).stdout)
    assert [r["outcome"] for r in second] == ["changed"]


def test_a_page_that_polls_forever_is_read_as_it_stands(
    monitor: Run, site: Site, browser_config: Path
) -> None:
    site.put("/ping", "ok", "text/plain")
    polling = scripted("while a counter polls the server").replace(
        "</script>", 'setInterval(() => fetch("/ping"), 100);</script>'
    )
    url = site.put("/live", polling)
    shown = monitor("watch", "test", url, "--browser", "--selector", "#story", ok=True)
    assert "while a counter polls the server" in shown.stdout


def test_no_chromium_is_a_one_line_error(
    monitor: Run, site: Site, tmp_path: Path, db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "monitor.toml"
    config.write_text('browser_path = "/nonexistent/chromium"\n', encoding="utf-8")
    monkeypatch.setenv("MONITOR_CONFIG", str(config))
    result = monitor("watch", "add", site.put("/js", scripted()), "--browser")
    assert result.exit_code == 1 and result.stderr.count("\n") == 1
    assert "needs Chromium" in result.stderr and "apt-get install chromium" in result.stderr
    assert not db_path.exists(), "a refused watch created a database"


class HeldPages(QuietHandler):
    """Each page waits for `gate`; `in_flight` and `most` count requests being answered."""

    gate = threading.Event()
    guard = threading.Lock()
    in_flight = 0
    most = 0

    def do_GET(self) -> None:
        cls = type(self)
        with cls.guard:
            cls.in_flight += 1
            cls.most = max(cls.most, cls.in_flight)
        cls.gate.wait(60)
        with cls.guard:
            cls.in_flight -= 1
        self.reply(scripted(self.path).encode())


def test_at_most_browser_pages_are_open_at_once(chromium: str) -> None:
    settings = Settings(browser_path=chromium, browser_pages=2, total_timeout=60)
    with serving(HeldPages) as base, Browser(settings) as browser:
        results: list[str] = []
        threads = [
            threading.Thread(
                target=lambda n=n: results.append(browser.fetch(f"{base}/{n}", {}).content.decode())
            )
            for n in range(6)
        ]
        for thread in threads:
            thread.start()
        wait_for(lambda: HeldPages.in_flight == 2, timeout=60)
        assert browser._pages is not None and browser._pages.locked()  # the others queue
        HeldPages.gate.set()
        for thread in threads:
            thread.join(120)
    assert HeldPages.most == 2 and len(results) == 6
    assert all("harbour board said" in text for text in results)
