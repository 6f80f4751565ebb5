"""PDF files as articles: their text read with pypdf, lines that a page broke rejoined."""

from __future__ import annotations

import io
import logging
import re
from dataclasses import replace

from monitor import extract
from monitor.errors import ExtractError
from monitor.models import Document

# pypdf logs every repair it makes to a damaged file; a file it cannot read is our error.
logging.getLogger("pypdf").setLevel(logging.CRITICAL)
_SENTENCE_END = re.compile(r"[.!?:;\"”’)]$")


def to_document(data: bytes, *, url: str | None = None) -> Document:
    """The text of every page; a damaged or textless PDF is an ExtractError."""
    text, title = _read(data)
    if not text.strip():
        raise ExtractError("no text in the PDF (a scanned image?)")
    document = extract.from_text(reflow(text), url=url, raw=data)
    return replace(document, title=title or document.title)


def _read(data: bytes) -> tuple[str, str | None]:
    from pypdf import PdfReader  # only for the first PDF met

    try:
        reader = PdfReader(io.BytesIO(data))
        pages = [page.extract_text() or "" for page in reader.pages]
        title = reader.metadata.title if reader.metadata else None
    except Exception as exc:  # pypdf raises many types for damaged files, not only its own
        raise ExtractError(f"unreadable PDF: {' '.join(str(exc).split())}") from None
    return "\n".join(pages), (title or "").strip() or None


def reflow(text: str) -> str:
    """Join the lines a page layout broke inside a sentence: a line that does not end a
    sentence continues on the next when that one starts in lower case."""
    lines: list[str] = []
    for line in text.splitlines():
        line = line.strip()
        if lines and line[:1].islower() and not _SENTENCE_END.search(lines[-1]):
            lines[-1] = f"{lines[-1]} {line}"
        elif line:
            lines.append(line)
    return "\n".join(lines)
