"""What kind of content bytes hold: a PDF, an RSS/Atom feed, or an article (HTML or text).

The bytes decide first (a PDF starts with `%PDF-`, a feed's root element is `rss`, `feed`
or `rdf:RDF`), then what the server or the file name claims, so a feed served as
`text/xml` or a PDF saved without its extension is still read for what it is.
"""

from __future__ import annotations

import re
from typing import Literal

Kind = Literal["pdf", "feed", "article"]

_PDF_TYPES = frozenset({"application/pdf", "application/x-pdf"})
_FEED_TYPES = frozenset({"application/rss+xml", "application/atom+xml", "application/rdf+xml"})
_PDF_SUFFIXES = (".pdf",)
_FEED_SUFFIXES = (".rss", ".atom")
# Before the root element: a byte-order mark, the XML declaration, stylesheet processing
# instructions, comments and a doctype may stand.
# Atomic and possessive, so a head of many comments is scanned once, never re-split.
_FEED_ROOT = re.compile(
    rb"^(?:\xef\xbb\xbf)?(?>\s+|<\?[^>]*>|<!--.*?-->|<!doctype[^>]*>)*+"
    rb"<(?:rss|feed|(?:\w+:)?rdf)[\s>]",
    re.I | re.S,
)
_SNIFF_BYTES = 4096


def kind(data: bytes, content_type: str | None = None, name: str | None = None) -> Kind:
    """The kind of `data`, judged by its first bytes, then its content type, then its name."""
    head = data[:_SNIFF_BYTES]
    if head.lstrip()[:5] == b"%PDF-":
        return "pdf"
    if _FEED_ROOT.match(head):
        return "feed"
    claimed = (content_type or "").split(";")[0].strip().lower()
    suffix = (name or "").lower()
    if claimed in _PDF_TYPES or suffix.endswith(_PDF_SUFFIXES):
        return "pdf"
    if claimed in _FEED_TYPES or suffix.endswith(_FEED_SUFFIXES):
        return "feed"
    return "article"
