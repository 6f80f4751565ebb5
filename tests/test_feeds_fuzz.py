"""Malformed feeds: `feeds.article_urls` refuses with the project's errors or lists only
fetchable http(s) article URLs; a broken feed is a one-line `error` outcome of a check.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar
from urllib.parse import urlsplit
from xml.sax.saxutils import escape

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from local_site import QuietHandler, serving

from monitor import feeds, fetch
from monitor.errors import MonitorError

BASE = "http://news.example/feeds/world.xml"
FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])

_HOSTILE_LINKS = [
    "javascript:alert(1)",
    " JavaScript:alert(document.cookie)",
    "java\tscript:alert(1)",
    "jav&#x09;ascript:alert(1)",
    "vbscript:msgbox(1)",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    "file:///etc/passwd",
    "ftp://files.example/a.txt",
    "mailto:desk@news.example",
    "about:blank",
    "http://",
    "https://",
    "http:///no-host",
    "https:?q=1",
    "http://[::1",
    "http://[not-ipv6]/x",
    "http://news.example:99999/port",
    "//cdn.example/story",
    "/world/2025/story-1",
    "story-2.html",
    "../up/story-3",
    "?page=2",
    "#top",
    "",
    "   ",
    "\x00\x01",
    "http://news.example/a b",
    "http://news.example/é/ünïcode",
    "HTTPS://NEWS.EXAMPLE/Upper",
]
_SAFE = st.text("abcdefghijklmnopqrstuvwxyz0123456789-_", min_size=1, max_size=12)
_GOOD_LINKS = _SAFE.map(lambda s: f"https://news.example/a/{s}")
_LINKS = st.one_of(
    st.sampled_from(_HOSTILE_LINKS),
    _GOOD_LINKS,
    _SAFE.map(lambda s: f"/rel/{s}#frag"),
    st.from_regex(r"(?i)\s*(javascript|data|vbscript|file|ftp):[^<>&]{0,20}", fullmatch=True),
    st.text(max_size=30),
)


@st.composite
def _entry(draw: st.DrawFn, atom: bool) -> str:
    """One item/entry: a link, an id (guid) or neither, perhaps not escaped at all."""
    link = draw(_LINKS)
    text = escape(link) if draw(st.booleans()) else link
    title = escape(draw(st.text(max_size=20)))
    if atom:
        parts = [f"<title>{title}</title>"]
        if draw(st.booleans()):
            rel = draw(st.sampled_from(["", ' rel="alternate"', ' rel="enclosure"', ' rel="self"']))
            parts.append(f'<link{rel} href="{escape(link, {chr(34): "&quot;"})}"/>')
        if draw(st.booleans()):
            parts.append(f"<id>{text}</id>")
        return f"<entry>{''.join(parts)}</entry>"
    parts = [f"<title>{title}</title>"]
    if draw(st.booleans()):
        parts.append(f"<link>{text}</link>")
    if draw(st.booleans()):
        permalink = draw(st.sampled_from(["", ' isPermaLink="true"', ' isPermaLink="false"']))
        parts.append(f"<guid{permalink}>{text}</guid>")
    return f"<item>{''.join(parts)}</item>"


def _document(atom: bool, entries: list[str], declared: str) -> str:
    head = f'<?xml version="1.0" encoding="{declared}"?>\n' if declared else ""
    if atom:
        return (
            f'{head}<feed xmlns="http://www.w3.org/2005/Atom"><title>World</title>'
            f"{''.join(entries)}</feed>"
        )
    return (
        f'{head}<rss version="2.0"><channel><title>World</title><link>/</link>'
        f"{''.join(entries)}</channel></rss>"
    )


@st.composite
def _broken_feed(draw: st.DrawFn) -> tuple[bytes, str | None, str | None]:
    """A feed written in one encoding, perhaps declared as another, perhaps cut short."""
    atom = draw(st.booleans())
    entries = draw(st.lists(_entry(atom), max_size=25))
    encodings = ["utf-8", "latin-1", "cp1252", "utf-16", "shift_jis", "koi8-r"]
    actual = draw(st.sampled_from(encodings))
    declared = draw(st.sampled_from([actual, "", "utf-8", "utf-16", "bogus-8", "ebcdic-cp-us"]))
    data = _document(atom, entries, declared).encode(actual, errors="xmlcharrefreplace")
    if draw(st.booleans()):
        data = b"\xef\xbb\xbf" + data  # a UTF-8 byte order mark, whatever follows
    if draw(st.booleans()):
        data = data[: draw(st.integers(0, len(data)))]
    content_type = draw(
        st.sampled_from(
            [None, "application/rss+xml", "application/atom+xml", "text/xml", "text/html"]
        )
    )
    charset = draw(st.sampled_from([None, actual, "utf-8", "latin-1", "no-such-charset"]))
    return data, content_type, charset


def _articles(data: bytes, **kwargs: str | None) -> list[str] | None:
    """Only the project's errors (one line each); every URL listed can be fetched."""
    try:
        urls = feeds.article_urls(data, base_url=kwargs.pop("base_url", None) or BASE, **kwargs)
    except MonitorError as exc:
        assert str(exc) and "\n" not in str(exc)
        return None
    assert isinstance(urls, list)
    assert len(urls) == len(set(urls)), "a URL is listed twice"
    for url in urls:
        assert isinstance(url, str)
        assert urlsplit(url).scheme in ("http", "https"), url
        assert "#" not in url, url
        fetch.check_url(url)  # a FetchError here means a link no check could ever fetch
    return urls


@FUZZ
@given(st.binary(max_size=4096), st.sampled_from([None, "application/rss+xml", "text/html"]))
def test_random_bytes(data: bytes, content_type: str | None) -> None:
    _articles(data, content_type=content_type)


@FUZZ
@given(_broken_feed())
def test_broken_feeds(feed: tuple[bytes, str | None, str | None]) -> None:
    data, content_type, charset = feed
    _articles(data, content_type=content_type, charset=charset)


@FUZZ
@given(st.data())
def test_well_formed_feed_lists_its_http_links_in_order(data: st.DataObject) -> None:
    """Hostile links around them do not cost a good link its place."""
    atom = data.draw(st.booleans())
    good = data.draw(st.lists(_GOOD_LINKS, min_size=1, max_size=15, unique=True))
    entries = []
    for url in good:
        for hostile in data.draw(st.lists(st.sampled_from(_HOSTILE_LINKS), max_size=2)):
            if atom:
                entries.append(f'<entry><title>x</title><link href="{escape(hostile)}"/></entry>')
            else:
                entries.append(f"<item><title>x</title><link>{escape(hostile)}</link></item>")
        if atom:
            entries.append(f'<entry><title>ok</title><link href="{url}"/></entry>')
        else:
            entries.append(f"<item><title>ok</title><link>{url}</link></item>")
    urls = _articles(_document(atom, entries, "utf-8").encode())
    assert urls is not None
    assert [u for u in urls if u in good] == good


@FUZZ
@given(st.sampled_from(["/rel/a", "b/c", "../d", "//cdn.example/e", "?page=2"]))
def test_relative_links_resolve_against_the_feed(link: str) -> None:
    rss = _document(False, [f"<item><title>x</title><link>{escape(link)}</link></item>"], "")
    urls = _articles(rss.encode(), base_url="https://news.example/feeds/world.xml")
    expected = {
        "/rel/a": "https://news.example/rel/a",
        "b/c": "https://news.example/feeds/b/c",
        "../d": "https://news.example/d",
        "//cdn.example/e": "https://cdn.example/e",
        "?page=2": "https://news.example/feeds/world.xml?page=2",
    }
    assert urls == [expected[link]]


def test_huge_item_counts() -> None:
    count = 10_000
    items = "".join(
        f"<item><title>{n}</title><link>https://news.example/a/{n % (count // 2)}</link></item>"
        for n in range(count)
    )
    data = _document(False, [items], "utf-8").encode()
    urls = _articles(data)
    assert urls == [f"https://news.example/a/{n}" for n in range(count // 2)]
    # Cut in the middle (as a body over the size cap is): a prefix, nothing invented.
    cut = _articles(data[: len(data) // 3])
    assert cut is not None and len(cut) < count // 2
    assert len(set(cut) - set(urls)) <= 1  # at most the link the cut went through


def test_not_a_feed_is_an_extract_error() -> None:
    for data in (b"", b"\x00" * 64, b"<html><body><p>Just a page</p></body></html>"):
        assert _articles(data) is None


# End to end: a broken feed served locally, watched and checked through the command.


class _Feeds(QuietHandler):
    BODIES: ClassVar[dict[str, tuple[bytes, str]]] = {
        "/html.xml": (b"<html><body><p>We moved our feeds.</p></body></html>", "text/html"),
        "/garbage.xml": (bytes(range(256)) * 8, "application/rss+xml"),
        "/empty.xml": (b"", "application/rss+xml"),
    }

    def do_GET(self) -> None:
        if self.path not in self.BODIES:
            self.send_error(404)
            return
        self.reply(*self.BODIES[self.path])


@pytest.fixture
def feed_site() -> Iterator[str]:
    with serving(_Feeds) as url:
        yield url


@pytest.mark.slow
@pytest.mark.parametrize("path", sorted(_Feeds.BODIES))
def test_broken_feed_is_an_error_outcome(feed_site: str, path: str, tmp_path: Path) -> None:
    settings_file = tmp_path / "monitor.toml"
    settings_file.write_text("retries = 0\nper_host_delay = 0.0\n")
    env = {**os.environ, "MONITOR_CONFIG": str(settings_file)}
    monitor = [sys.executable, "-m", "monitor", "--db", str(tmp_path / "monitor.db")]
    url = feed_site + path

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*monitor, *args], env=env, capture_output=True, text=True, timeout=60
        )

    added = run("watch", "add", url, "--feed")
    assert added.returncode == 0, added.stderr
    checked = run("check", "--json")
    # `monitor check` exits 1 when every source it checked ended in an error.
    assert checked.returncode == 1, checked.stdout + checked.stderr
    assert "Traceback" not in checked.stderr
    assert checked.stderr == "", checked.stderr
    results = json.loads(checked.stdout)
    assert [(r["url"], r["outcome"]) for r in results] == [(url, "error")]
    detail = results[0]["detail"]
    assert detail and "\n" not in detail and len(detail) < 300, detail
    listed = json.loads(run("watch", "list", "--json").stdout)
    assert [s["url"] for s in listed] == [url], "a broken feed added articles"
    assert listed[0]["failures"] == 1 and listed[0]["last_error"] == detail
