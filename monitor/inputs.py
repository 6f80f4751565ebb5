"""Turn what a user names (files, directories, stdin, URLs, JSON lines) into documents.

Each input becomes an `Item` holding a document or the one-line reason it could not be
read, so one bad file never stops a batch.
"""

from __future__ import annotations

import json
import time
import tomllib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

from monitor import extract, formats
from monitor.config import Settings
from monitor.errors import ConfigError, ExtractError, MonitorError, NotFoundError, SourceError
from monitor.models import Document
from monitor.storage import Connection, documents
from monitor.text import parse_date

if TYPE_CHECKING:
    import httpx

    from monitor import feeds

ARTICLE_SUFFIXES = {
    *(".txt", ".md", ".markdown", ".html", ".htm", ".xhtml", ".json", ".jsonl"),
    *(".pdf", ".rss", ".atom"),
}
SEEDS_FILE = "seeds.toml"


@dataclass(frozen=True)
class Item:
    label: str
    document: Document | None = None
    error: str | None = None


@dataclass(frozen=True)
class Overrides:
    """What the user states about the articles, which wins over what extraction finds."""

    title: str | None = None
    outlet: str | None = None
    published_at: date | None = None

    def apply(self, document: Document) -> Document:
        return replace(
            document,
            title=self.title or document.title,
            outlet=self.outlet or document.outlet,
            published_at=self.published_at or document.published_at,
            date_source="given" if self.published_at else document.date_source,
        )


def read(
    args: Iterable[str], *, settings: Settings, stdin: BinaryIO, overrides: Overrides
) -> Iterator[Item]:
    """Items for each argument: a path, a directory (recursively), `-` for stdin, or a URL."""
    for arg in args:
        if arg == "-":
            items = _from_stdin(stdin, settings)
        elif arg.startswith(("http://", "https://")):
            items = _from_url(arg, settings)
        else:
            items = _from_path(Path(arg), settings)
        for item in items:
            if item.document is not None:
                item = replace(item, document=overrides.apply(item.document))
            yield item


def _from_url(url: str, settings: Settings) -> Iterator[Item]:
    from monitor import fetch  # the network edge is loaded only when used

    fetched = fetch.fetch_once(url, settings)
    if fetched.ok and formats.kind(fetched.content, fetched.content_type) == "feed":
        yield from _from_feed(fetched.content, url, settings, base_url=fetched.final_url)
        return
    try:
        yield Item(url, replace(fetch.to_document(fetched), locator=url))
    except MonitorError as exc:
        yield Item(url, error=str(exc))


def _from_feed(
    data: bytes, label: str, settings: Settings, *, base_url: str | None
) -> Iterator[Item]:
    """Each article a feed lists: the full text when the feed carries it, else its page,
    fetched one after another `per_host_delay` apart. To follow the feed, `watch add --feed`."""
    from monitor import feeds, fetch

    try:
        listed = feeds.entries(data, base_url=base_url)
    except SourceError as exc:
        yield Item(label, error=str(exc))
        return
    if not listed:
        yield Item(label, error="the feed lists no articles")
        return
    pages_fetched = 0
    with fetch.make_client(settings, pool=1) as client:
        for number, entry in enumerate(listed, start=1):
            name = f"{label}: {entry.link}" if entry.link else f"{label} [{number}]"
            if entry.content is None and pages_fetched:
                time.sleep(settings.per_host_delay)  # polite, as a check round is
            pages_fetched += entry.content is None
            try:
                document = _entry_document(entry, client, settings)
            except SourceError as exc:
                yield Item(name, error=str(exc))
                continue
            yield Item(name, _with_entry_facts(document, entry))


def _entry_document(entry: feeds.Entry, client: httpx.Client, settings: Settings) -> Document:
    if entry.content is not None:
        return extract.from_bytes(entry.content.encode(), url=entry.link)
    if entry.link is None:
        raise ExtractError("the entry has neither a text nor an article link")
    from monitor import fetch

    return fetch.to_document(fetch.fetch(client, entry.link, settings=settings))


def _with_entry_facts(document: Document, entry: feeds.Entry) -> Document:
    """The feed's headline and date are the article's; its link is where it lives."""
    return replace(
        document,
        title=entry.title or document.title,
        published_at=entry.published or document.published_at,
        date_source="metadata" if entry.published else document.date_source,
        locator=entry.link,
    )


def _from_stdin(stdin: BinaryIO, settings: Settings) -> Iterator[Item]:
    data = stdin.read(settings.max_input_bytes + 1)
    if len(data) > settings.max_input_bytes:
        yield Item("stdin", error=_too_large(settings))
        return
    yield from _from_bytes(data, "stdin", name=None, settings=settings)


def _from_path(path: Path, settings: Settings) -> Iterator[Item]:
    if path.is_dir():
        files = sorted(
            p
            for p in path.rglob("*")
            if p.suffix.lower() in ARTICLE_SUFFIXES and not p.name.startswith(".")
        )
        if not files:
            yield Item(
                str(path),
                error="no article files (.txt .md .html .json .jsonl .pdf .rss .atom) found",
            )
        for file in files:
            yield from _from_file(file, settings)
    elif path.exists():
        yield from _from_file(path, settings)
    else:
        yield Item(str(path), error="no such file or directory")


def _from_file(path: Path, settings: Settings) -> Iterator[Item]:
    label = str(path)
    try:
        if path.stat().st_size > settings.max_input_bytes:
            yield Item(label, error=_too_large(settings, path.stat().st_size))
            return
        data = path.read_bytes()
    except OSError as exc:
        yield Item(label, error=f"cannot read: {exc.strerror or exc}")
        return
    locator = path.resolve().as_uri()
    for item in _from_bytes(data, label, name=path.name, settings=settings):
        if item.document is not None and item.document.locator is None:
            item = replace(item, document=replace(item.document, locator=locator))
        yield item


def _from_bytes(data: bytes, label: str, *, name: str | None, settings: Settings) -> Iterator[Item]:
    suffix = Path(name).suffix.lower() if name else ""
    if formats.kind(data, name=name) == "feed":
        yield from _from_feed(data, label, settings, base_url=None)
        return
    try:
        if suffix == ".jsonl":
            yield from _from_json_lines(extract.decode(data), label)
        elif suffix == ".json":
            yield from _from_json(extract.decode(data), label)
        else:
            yield Item(label, extract.from_bytes(data, name=name))
    except SourceError as exc:
        yield Item(label, error=str(exc))


def from_upload(data: bytes, label: str, *, json_lines: bool, settings: Settings) -> Iterator[Item]:
    """Articles sent over HTTP: JSON lines, or one JSON object or array of objects."""
    name = "upload.jsonl" if json_lines else "upload.json"
    return _from_bytes(data, label, name=name, settings=settings)


def _from_json(text: str, label: str) -> Iterator[Item]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        yield Item(label, error=f"invalid JSON: {exc}")
        return
    records = data if isinstance(data, list) else [data]
    for number, record in enumerate(records, start=1):
        yield _from_record(record, f"{label}[{number}]" if len(records) > 1 else label)


def _from_json_lines(text: str, label: str) -> Iterator[Item]:
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            yield Item(f"{label}:{number}", error=f"invalid JSON: {exc.msg}")
            continue
        yield _from_record(record, f"{label}:{number}")


def _from_record(record: Any, label: str) -> Item:
    """One article object: {"text" or "html", "url", "title", "outlet", "date"}."""
    if not isinstance(record, dict):
        return Item(label, error="expected an object with a 'text' or 'html' field")
    body = record.get("text") or record.get("html")
    if not isinstance(body, str) or not body.strip():
        return Item(label, error="no 'text' or 'html' field")
    url = record.get("url") if isinstance(record.get("url"), str) else None
    try:
        document = (
            extract.from_html(body, url=url)
            if "html" in record and "text" not in record
            else extract.from_text(body, url=url)
        )
        stated = Overrides(
            title=record.get("title"),
            outlet=record.get("outlet"),
            published_at=parse_date(record["date"]) if record.get("date") else None,
        )
    except (SourceError, ConfigError) as exc:
        return Item(label, error=str(exc))
    return Item(label, replace(stated.apply(document), locator=url))


def read_seeds(directory: Path, settings: Settings) -> Iterator[Item]:
    """The seed articles with the facts `seeds.toml` states about each file."""
    manifest = directory / SEEDS_FILE
    try:
        facts: dict[str, Any] = tomllib.loads(manifest.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(
            f"{manifest} is missing: it names each seed's title, outlet and date"
        ) from None
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{manifest}: {exc}") from exc
    for name, stated in facts.items():
        path = directory / name
        for item in _from_file(path, settings):
            if item.document is None:
                yield item
                continue
            overrides = Overrides(
                title=stated.get("title"),
                outlet=stated.get("outlet"),
                published_at=parse_date(stated["date"]) if "date" in stated else None,
            )
            yield replace(
                item, document=replace(overrides.apply(item.document), locator=f"seed:{name}")
            )


def resolve_text(
    open_db: Callable[[], Connection], ref: str, settings: Settings
) -> tuple[str, str]:
    """(label, text) for a diff operand: a file, a document id or URL, or `DOC@N` for version N.

    The database is opened only for an operand that is not a file."""
    path = Path(ref)
    if path.is_file():
        items = list(_from_file(path, settings))
        if items and items[0].document is not None:
            return str(path), items[0].document.text
        raise SourceError(f"{ref}: {items[0].error if items else 'no article'}")
    return stored_text(open_db(), ref)


def stored_text(db: Connection, ref: str) -> tuple[str, str]:
    """(label, text) of a stored document (id or URL), or of version N with `DOC@N`."""
    doc_ref, _, number = ref.rpartition("@") if "@" in ref else (ref, "", "")
    document = documents.get(db, doc_ref)
    stored = documents.versions(db, document["id"])
    if not number:
        current = next(v for v in stored if v["id"] == document["current_version_id"])
        return f"document {document['id']}", current["text"]
    chosen = [v for v in stored if number.isdigit() and v["number"] == int(number)]
    if not chosen:
        kept = ", ".join(str(v["number"]) for v in stored)
        raise NotFoundError(f"document {document['id']} has no version {number!r} (it has {kept})")
    return f"document {document['id']} version {number}", chosen[0]["text"]


def _too_large(settings: Settings, size: int | None = None) -> str:
    limit = settings.max_input_bytes / 1_048_576
    shown = f"{size / 1_048_576:.1f} MB, " if size is not None else ""
    return f"too large ({shown}limit {limit:.0f} MB)"


def latest_two(db: Connection, ref: str) -> tuple[tuple[str, str], tuple[str, str]]:
    """The two sides of a document's latest text change (an edit or a revert), older first."""
    try:
        document = documents.get(db, ref)
    except NotFoundError:
        if not Path(ref).is_file():
            raise
        raise NotFoundError(
            f"{ref} is not stored: `monitor add {ref}` first, or give two files to compare"
        ) from None
    recent = documents.changes(db, document["id"], limit=1)
    if not recent:
        raise NotFoundError(f"document {document['id']} has only one version; nothing to compare")
    sides = []
    for version_id in (recent[0]["from_version"], recent[0]["to_version"]):
        stored = documents.version(db, version_id)
        sides.append((f"document {document['id']} version {stored['number']}", stored["text"]))
    return sides[0], sides[1]
