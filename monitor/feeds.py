"""RSS/Atom feeds: which article URLs a feed lists. Pure: bytes in, links out."""

from __future__ import annotations

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
