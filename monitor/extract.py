"""Bytes or text in, a clean `Document` out. Pure: no I/O, so it is tested on saved inputs."""

from __future__ import annotations

import logging
import re
from datetime import date
from urllib.parse import urlsplit

import charset_normalizer

from monitor import formats, noise
from monitor.errors import ExtractError
from monitor.models import Document
from monitor.text import comparable, normalise

_DOCUMENT_TAG = re.compile(r"<(html|body)[\s>]", re.I)
_HTML_SNIFF = re.compile(rb"^\s*(<!doctype html|<html|<head|<body|<article|<div|<p[ >])", re.I)
_MONTHS = "january|february|march|april|may|june|july|august|september|october|november|december"
_MONTH_ABBR = {m[:3]: i for i, m in enumerate(_MONTHS.split("|"), start=1)}
_ISO_DATE = re.compile(r"(?<!\d)((?:19|20)\d\d)-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])(?!\d)")
_MDY_DATE = re.compile(
    rf"\b({_MONTHS}|(?:jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec)\.?)"
    r"\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+((?:19|20)\d\d)\b",
    re.I,
)
_DMY_DATE = re.compile(rf"\b(\d{{1,2}})\s+({_MONTHS})\s+((?:19|20)\d\d)\b", re.I)
# trafilatura logs what it could not parse; we report that as an ExtractError instead.
logging.getLogger("trafilatura").setLevel(logging.CRITICAL)
# A UTF-8 lead byte read as Latin-1/cp1252, then a continuation byte read the same way.
_MOJIBAKE_HINT = re.compile(
    "[\u00c2-\u00f4][\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e"
    "\u0192\u02c6\u02dc\u2013\u2014\u2018-\u201e\u2020-\u2022\u2026\u2030\u2039"
    "\u203a\u20ac\u2122]"
)
_FURNITURE_MARKS = re.compile(
    r"carousel|promo|related|teaser|recommend|sponsor|banner|advert|newsletter|share|social",
    re.I,
)
# How far into a text a date may stand and still be the article's own date.
_DATE_HEAD_CHARS = 600


def decode(data: bytes, declared: str | None = None) -> str:
    """Bytes to text: the declared charset, else UTF-8, else a detected one; binary is refused.

    Mojibake (UTF-8 once read as Latin-1 or cp1252, "â€™" for "’") is repaired here, before
    extraction strips the control characters it needs, so encoding damage is neither a
    change nor part of a diff.
    """
    if not data.strip():
        raise ExtractError("empty input")
    if b"\x00" in data[:8192]:
        raise ExtractError("binary content (NUL bytes), not text")
    for encoding in filter(None, (declared, "utf-8")):
        try:
            return _repaired(data.decode(encoding))
        except (UnicodeDecodeError, LookupError):
            continue
    matches = list(charset_normalizer.from_bytes(data))
    if not matches:
        raise ExtractError("binary content, no text encoding fits")
    # Short texts fit several code pages equally well; the web's legacy default wins ties.
    least = min((m.chaos, -m.coherence) for m in matches)
    tied = [m for m in matches if (m.chaos, -m.coherence) == least]
    return _repaired(str(next((m for m in tied if m.encoding == "cp1252"), tied[0])))


def _repaired(text: str) -> str:
    """The text with mojibake undone (ftfy), looked for only where it can be: UTF-8 read
    as Latin-1 or cp1252 always leaves a lead character such as "Ã" or "â" before a
    continuation character, and ftfy costs as much as extraction on a large page."""
    if not _MOJIBAKE_HINT.search(text):
        return text
    import ftfy

    return ftfy.fix_encoding(text)


def is_html(data: bytes, content_type: str | None = None, name: str | None = None) -> bool:
    if content_type and "html" in content_type.lower():
        return True
    if name and name.lower().endswith((".html", ".htm", ".xhtml")):
        return True
    return bool(_HTML_SNIFF.match(data[:512]))


def find_date(text: str) -> date | None:
    """The article's own date from its head: ISO first, then "October 4, 2024", "4 October 2024"."""
    head = text[:_DATE_HEAD_CHARS]
    found: list[tuple[int, date]] = []
    for match in _ISO_DATE.finditer(head):
        found.extend(_dated(match.start(), *map(int, match.groups())))
    for match in _MDY_DATE.finditer(head):
        month = _MONTH_ABBR[match.group(1)[:3].lower()]
        found.extend(_dated(match.start(), int(match.group(3)), month, int(match.group(2))))
    for match in _DMY_DATE.finditer(head):
        month = _MONTH_ABBR[match.group(2)[:3].lower()]
        found.extend(_dated(match.start(), int(match.group(3)), month, int(match.group(1))))
    return min(found)[1] if found else None


def _dated(position: int, year: int, month: int, day: int) -> list[tuple[int, date]]:
    try:
        return [(position, date(year, month, day))]
    except ValueError:
        return []


def clean(text: str) -> str:
    """Drop boilerplate lines and paragraphs repeated within the article; keep the order."""
    seen: set[str] = set()
    kept: list[str] = []
    for line in normalise(text).split("\n"):
        key = comparable(line)
        if not key or noise.is_boilerplate(line) or key in seen:
            continue
        seen.add(key)
        kept.append(line)
    return "\n".join(kept)


def _title_from_text(text: str) -> str | None:
    first = text.split("\n", 1)[0].lstrip("# ").strip()
    if first and len(first) <= 200 and not first.endswith((".", ",", ";")):
        return first
    return None


def from_text(
    text: str, *, title: str | None = None, url: str | None = None, raw: bytes | None = None
) -> Document:
    """A plain-text or Markdown article."""
    cleaned = clean(text)
    if not cleaned:
        raise ExtractError("no text left after cleaning")
    published = find_date(cleaned)
    return Document(
        text=cleaned,
        title=title or _title_from_text(cleaned),
        published_at=published,
        date_source="text" if published else None,
        url=url,
        outlet=_outlet(url),
        raw=raw if raw is not None else text.encode("utf-8"),
    )


def from_html(html: str, *, url: str | None = None, raw: bytes | None = None) -> Document:
    """An HTML page: the article body via trafilatura, metadata before text for the date."""
    import trafilatura  # a third of a second to import: only when a page needs extracting

    if not _DOCUMENT_TAG.search(html[:2048]):
        html = f"<html><body><article>{html}</article></body></html>"  # a fragment
    extracted = trafilatura.bare_extraction(
        html,
        url=url,
        with_metadata=True,
        include_comments=False,
        date_extraction_params={"extensive_search": False, "original_date": True},
    )
    body = getattr(extracted, "text", None) if extracted is not None else None
    if not body:
        raise ExtractError("no article text found in the HTML")
    title = getattr(extracted, "title", None)
    cleaned = clean(_with_title(title, _with_content_links(html, body)))
    if not cleaned:
        raise ExtractError("no text left after cleaning")
    published, source = _iso(getattr(extracted, "date", None)), "metadata"
    if published is None:
        published, source = find_date(cleaned), "text"
    # A saved page names its own address (canonical link, og:url): the same article as
    # when that address is fetched.
    url = url or _http_url(getattr(extracted, "url", None))
    return Document(
        text=cleaned,
        title=title or _title_from_text(cleaned),
        published_at=published,
        date_source=source if published else None,
        url=url,
        outlet=getattr(extracted, "sitename", None) or _outlet(url),
        raw=raw if raw is not None else html.encode("utf-8"),
    )


def _with_title(title: str | None, body: str) -> str:
    """The body opening with the page's title when it has no headline of its own, so that
    a changed <title> is a changed text (a headline, for the comparison)."""
    if not title or not title.strip() or _title_from_text(normalise(body)) is not None:
        return body
    if comparable(title) in {comparable(line) for line in body.split("\n")}:
        return body
    return f"{title.strip()}\n{body}"


def _with_content_links(html: str, body: str) -> str:
    """The body with the link-only paragraphs of the article put back in their places.

    The extractor drops a paragraph that is all link ("View this dataset", "Read the full
    report"), yet its disappearing is news. One is put back when the paragraph just before it
    is part of the extracted body and it sits in no navigation, aside, footer, promotion,
    carousel or "related" block, so teasers and rails stay out.
    """
    import lxml.html

    lines = body.split("\n")
    keys = {comparable(line): number for number, line in enumerate(lines)}
    try:
        tree = lxml.html.fromstring(html)
    except (ValueError, lxml.etree.ParserError):
        return body
    inserts: list[tuple[int, str]] = []
    for paragraph in tree.iter("p"):
        text = " ".join(paragraph.text_content().split())
        links = paragraph.findall(".//a")
        if not text or not links or comparable(text) in keys:
            continue
        if comparable(text) != comparable(" ".join(a.text_content() for a in links)):
            continue  # prose with a link in it is extracted already
        if any(_is_furniture(ancestor) for ancestor in paragraph.iterancestors()):
            continue
        previous = paragraph.getprevious()
        while previous is not None and not isinstance(previous.tag, str):  # comments
            previous = previous.getprevious()
        before = comparable(previous.text_content()) if previous is not None else ""
        if before in keys:
            inserts.append((keys[before], text))
    for number, text in sorted(inserts, reverse=True):
        lines.insert(number + 1, text)
    return "\n".join(lines)


def _is_furniture(element: object) -> bool:
    tag = getattr(element, "tag", "")
    if tag in ("nav", "aside", "footer", "header", "form"):
        return True
    get = getattr(element, "get", None)
    marks = f"{get('class') or ''} {get('id') or ''}" if get else ""
    return bool(_FURNITURE_MARKS.search(marks))


def from_bytes(
    data: bytes,
    *,
    content_type: str | None = None,
    charset: str | None = None,
    name: str | None = None,
    url: str | None = None,
) -> Document:
    """A PDF read as text; otherwise decode, then extract as HTML or text by content type,
    name or sniffing. A feed is refused: it lists articles, it is not one."""
    found = formats.kind(data, content_type, name)
    if found == "pdf":
        from monitor import pdf  # pypdf is loaded by the first PDF only

        return pdf.to_document(data, url=url)
    if found == "feed":
        raise ExtractError(
            "an RSS or Atom feed, not an article: `monitor add` ingests its articles, "
            "`monitor watch add URL --feed` watches them"
        )
    text = decode(data, charset)
    if is_html(data, content_type, name):
        return from_html(text, url=url, raw=data)
    return from_text(text, url=url, raw=data)


def _iso(value: str | None) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None


def _http_url(url: object) -> str | None:
    return url if isinstance(url, str) and url.startswith(("http://", "https://")) else None


def _outlet(url: str | None) -> str | None:
    if not url:
        return None
    host = urlsplit(url).hostname or ""
    return host.removeprefix("www.") or None
