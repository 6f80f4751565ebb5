"""Pages that need JavaScript, rendered in the system's headless Chromium through Playwright.

Nothing is downloaded: Playwright drives the Chromium the system has (`browser_path` in
monitor.toml, `chromium` on the PATH by default). One browser serves a check round and at
most `browser_pages` pages are open at once. Playwright's API is not thread-safe, so it
runs in an event loop of its own thread; the round's fetch threads hand it their URLs.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib.util
import shutil
import threading
from collections.abc import Mapping
from typing import Any

from monitor.config import Settings
from monitor.errors import ConfigError
from monitor.models import Fetched

_SETTLE_MS = 5000
CHROMIUM_ARGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
)


def chromium_path(settings: Settings) -> str:
    """The Chromium to drive; ConfigError saying what to install when it cannot work."""
    if importlib.util.find_spec("playwright") is None:
        raise ConfigError("--browser needs Playwright: pip install 'narrative-monitor[browser]'")
    found = shutil.which(settings.browser_path)
    if found is None:
        raise ConfigError(
            f"--browser needs Chromium, and {settings.browser_path!r} was not found "
            "(apt-get install chromium, or set browser_path in monitor.toml)"
        )
    return found


class Browser:
    """A headless Chromium started on first use; `fetch` may be called from any thread."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._guard = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._playwright: Any = None
        self._browser: Any = None
        self._pages: asyncio.Semaphore | None = None
        self._failure: str | None = None

    def fetch(self, url: str, headers: Mapping[str, str]) -> Fetched:
        """The rendered page as a fetched HTML body (its DOM after the scripts ran)."""
        loop = self._start()
        if self._failure is not None:
            return Fetched(url, url, error=self._failure, tries=1)
        wait = self._settings.total_timeout + 30
        return asyncio.run_coroutine_threadsafe(self._render(url, headers), loop).result(wait)

    def close(self) -> None:
        with self._guard:
            if self._loop is None:
                return
            asyncio.run_coroutine_threadsafe(self._stop(), self._loop).result(60)
            self._loop.call_soon_threadsafe(self._loop.stop)
            assert self._thread is not None
            self._thread.join(60)
            self._loop.close()
            self._loop = None

    def __enter__(self) -> Browser:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def _start(self) -> asyncio.AbstractEventLoop:
        with self._guard:
            if self._loop is None:
                self._loop = asyncio.new_event_loop()
                self._thread = threading.Thread(
                    target=self._loop.run_forever, name="browser", daemon=True
                )
                self._thread.start()
                asyncio.run_coroutine_threadsafe(self._launch(), self._loop).result(120)
            return self._loop

    async def _launch(self) -> None:
        from playwright.async_api import async_playwright

        self._pages = asyncio.Semaphore(max(1, self._settings.browser_pages))
        try:
            executable = chromium_path(self._settings)
            self._playwright = await async_playwright().start()
            self._browser = await self._playwright.chromium.launch(
                executable_path=executable, args=list(CHROMIUM_ARGS), headless=True
            )
        except Exception as exc:  # a missing or broken browser fails its pages, not the round
            self._failure = f"browser: {_first_line(exc)}"

    async def _stop(self) -> None:
        if self._browser is not None:
            await self._browser.close()
        if self._playwright is not None:
            await self._playwright.stop()

    async def _render(self, url: str, headers: Mapping[str, str]) -> Fetched:
        extra = {k: v for k, v in headers.items() if k.lower() != "user-agent"}
        agent = next(
            (v for k, v in headers.items() if k.lower() == "user-agent"),
            self._settings.user_agent,
        )
        assert self._pages is not None
        async with self._pages:
            context = await self._browser.new_context(user_agent=agent, extra_http_headers=extra)
            try:
                page = await context.new_page()
                timeout = self._settings.total_timeout * 1000
                response = await page.goto(url, wait_until="load", timeout=timeout)
                await _settled(page)
                html = await page.content()
                final_url = page.url
            except Exception as exc:  # Playwright's errors: timeouts, refused connections…
                return Fetched(url, url, error=f"browser: {_first_line(exc)}", tries=1)
            finally:
                await context.close()
        status = response.status if response is not None else None
        if status is not None and status >= 400:
            return Fetched(url, final_url, status=status, error=f"HTTP {status}", tries=1)
        content = html.encode("utf-8")
        cap = self._settings.max_response_bytes
        return Fetched(
            url,
            final_url,
            status=status,
            content=content[:cap],
            truncated=len(content) > cap,
            content_type="text/html",
            charset="utf-8",
            tries=1,
        )


async def _settled(page: Any) -> None:
    """Give the page's scripts a moment to fetch and write their text: until the network
    is idle, or at most `_SETTLE_MS` for pages that poll forever."""
    from playwright.async_api import TimeoutError as PlaywrightTimeout

    with contextlib.suppress(PlaywrightTimeout):  # a page that never goes quiet: as it stands
        await page.wait_for_load_state("networkidle", timeout=_SETTLE_MS)


def _first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]
