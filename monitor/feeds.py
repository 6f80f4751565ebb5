"""RSS/Atom feeds: which articles a feed lists. Pure: bytes in, links and entries out."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any
from urllib.parse import urljoin, urlsplit

import feedparser

from monitor.errors import ExtractError


def article_urls(
    data: bytes, *, base_url: str, content_type: str | None = None, charset: str | None = None
) -> list[str]:
    """The http(s) links of a feed's entries, in feed order, without repeats.

    A document that is not a feed at all is an ExtractError; an empty feed is not.
    """
    headers = {"content-location": base_url}
    if content_type:
        headers["content-type"] = content_type + (f"; charset={charset}" if charset else "")
    parsed = feedparser.parse(data, response_headers=headers)
    if not parsed.entries and not parsed.get("version"):
        raise ExtractError("not an RSS or Atom feed")
    found: dict[str, None] = {}
    for entry in parsed.entries:
        link = entry.get("link") or entry.get("id")
        if not link:
            continue
        try:
            url = urljoin(base_url, link.strip())
            parts = urlsplit(url)
        except ValueError:  # a malformed [IPv6] host, as in a non-permalink guid
            continue
        if parts.scheme in ("http", "https") and parts.hostname:  # not "https://" alone
            found.setdefault(url.split("#", 1)[0])
    return list(found)


@dataclass(frozen=True)
class Entry:
    """One item of a feed: where the article is, what the feed says about it, and its full
    text when the feed carries it (`content:encoded`, Atom `content`)."""

    link: str | None
    title: str | None
    published: date | None
    content: str | None


def entries(data: bytes, *, base_url: str | None) -> list[Entry]:
    """The entries of a feed in feed order; a document that is not a feed is an ExtractError."""
    headers = {"content-location": base_url} if base_url else {}
    parsed = feedparser.parse(data, response_headers=headers)
    if not parsed.entries and not parsed.get("version"):
        raise ExtractError("not an RSS or Atom feed")
    return [_entry(item, base_url) for item in parsed.entries]


def _entry(item: Any, base_url: str | None) -> Entry:
    """A summary stands in for the text only when there is no article page to fetch."""
    link = _link(item.get("link") or "", base_url)
    stamp = item.get("published_parsed") or item.get("updated_parsed")
    bodies = [c.get("value") for c in item.get("content") or [] if c.get("value")]
    return Entry(
        link=link,
        title=item.get("title") or None,
        published=date(stamp.tm_year, stamp.tm_mon, stamp.tm_mday) if stamp else None,
        content=bodies[0] if bodies else (None if link else item.get("summary") or None),
    )


def _link(link: str, base_url: str | None) -> str | None:
    try:
        url = urljoin(base_url, link.strip()) if base_url else link.strip()
        parts = urlsplit(url)
    except ValueError:  # a malformed [IPv6] host
        return None
    if parts.scheme in ("http", "https") and parts.hostname:
        return url.split("#", 1)[0]
    return None
