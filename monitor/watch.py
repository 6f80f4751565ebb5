"""A check round: claim due sources, fetch them politely and concurrently, ingest what changed.

Fetching runs in a few threads (one shared httpx client); everything that touches the
database runs in the calling thread, a batch of results per transaction. Each source ends
with a `CheckResult` — an outcome as data — so one bad source never aborts a round.
A 304 or a byte-identical body stops early and costs no extraction.
"""

from __future__ import annotations

import hashlib
import queue
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from sqlite3 import Connection
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import urlsplit

import httpx

from monitor import fetch, holder
from monitor.alerts import outbox
from monitor.config import Settings
from monitor.errors import ConfigError, SourceError
from monitor.models import Document, Event, Fetched
from monitor.storage import documents, sources, transaction
from monitor.text import count, text_hash

if TYPE_CHECKING:
    from monitor.pipeline import IngestResult
    from monitor.positions import Engine

CheckOutcome = Literal["new", "changed", "unchanged", "not-modified", "error"]
Row = dict[str, Any]

LEASE = timedelta(seconds=Settings.check_lease)  # the default `check_lease`
ROUND_LIMIT = 5000  # sources claimed by one round; the next round takes the rest
_FLUSH_EVERY = 200  # results per transaction
_MIN_LENGTH_FOR_SHRINK = 200  # shorter texts are too small to judge a collapse by
_BLOCK_TAGS = frozenset(
    [
        "p",
        "div",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "li",
        "blockquote",
        "pre",
        "tr",
        "br",
        "section",
        "article",
        "header",
        "footer",
    ]
)


@dataclass(frozen=True)
class CheckResult:
    """What checking one source did; `detail` says why in one line."""

    source: int
    url: str
    outcome: CheckOutcome
    detail: str = ""
    tries: int = 0
    elapsed_s: float = 0.0

    def as_dict(self) -> dict[str, object]:
        return {
            "source": self.source,
            "url": self.url,
            "outcome": self.outcome,
            "detail": self.detail,
        }


def add_source(
    db: Connection,
    url: str,
    *,
    now: datetime,
    interval_s: int,
    feed: bool = False,
    selector: str | None = None,
    respect_robots: bool = True,
) -> int:
    """Watch a URL (or a feed's articles); refused before any I/O when it cannot work."""
    fetch.check_url(url)
    if interval_s < 1:
        raise ConfigError("the interval must be at least one second")
    if selector:
        _check_selector(selector)
    kind = "feed" if feed else "url"
    return sources.add(
        db,
        kind=kind,
        locator=url,
        interval_s=interval_s,
        now=now,
        selector=selector,
        respect_robots=respect_robots,
    )


def describe(row: Row) -> dict[str, object]:
    """A source as `watch list` shows it; state is active, paused or failing."""
    return {
        "id": row["id"],
        "kind": row["kind"],
        "url": row["locator"],
        "feed": row["parent_id"],
        "every_s": row["interval_s"],
        "selector": row["selector"],
        "state": sources.display_state(row),
        "last_check": row["last_check_at"],
        "last_outcome": row["last_outcome"],
        "last_change": row["last_change_at"],
        "failures": row["consecutive_failures"],
        "last_error": row["last_error"],
        "next_check": row["next_check_at"] if row["state"] == "active" else None,
    }


def check_round(
    db: Connection,
    client: httpx.Client,
    settings: Settings,
    *,
    now: datetime,
    source_id: int | None = None,
    due_only: bool = True,
    dry_run: bool = False,
    stop: threading.Event | None = None,
    robots: fetch.Robots | None = None,
    report: Callable[[CheckResult], None] | None = None,
    engine: Callable[[], Engine] | None = None,
) -> list[CheckResult]:
    """Check the due sources (all active ones without `due_only`, or one by id).

    Articles a feed lists for the first time are checked in the same round. A dry run
    claims, ingests and records nothing. Setting `stop` abandons what has not started yet;
    those sources are released unchecked. Pass `robots` to keep its rules across rounds,
    and `engine` to analyse with a profile other than the default: it is called when the
    first page needs analysing, so a round that finds nothing new builds no engine.

    Parsing, extraction and the ingest pipeline are imported by the first page that needs
    them: a fresh `monitor check` that meets only 304s pays for none of it.
    """
    round_ = _Round(db, client, settings, now, dry_run, stop or threading.Event(), report)
    round_.robots = robots or round_.robots
    round_.engine = engine
    if dry_run:
        rows = sources.select(
            db, now=now, source_id=source_id, due_only=due_only, limit=ROUND_LIMIT
        )
    else:
        rows = round_.claim(source_id=source_id, due_only=due_only)
        if source_id is not None and not rows:
            held = sources.get(db, source_id)  # NotFoundError when there is no such source
            raise SourceError(f"source {source_id} {_being_checked(held)}")
    results = round_.run(rows)
    if round_.children and not dry_run and not round_.stop.is_set():
        results += round_.run(round_.claim_children())
    return results


def held_elsewhere(db: Connection, now: datetime) -> list[str]:
    """What other processes hold right now, as a round that skipped it says so:
    "3 sources are being checked by pid 4711 since 10:02"."""
    lines = []
    for claim in sources.claims(db, now):
        if claim["stale"]:
            continue
        count = claim["sources"]
        noun = "source is" if count == 1 else "sources are"
        lines.append(f"{count} {noun} being checked by {claim['holder']}{_since(claim['since'])}")
    return lines


def _being_checked(row: Row) -> str:
    owner = holder.Holder.parse(row["claimed_by"] or "")
    by = owner.describe() if owner else "another process"
    return f"is being checked by {by}{_since(row.get('claimed_at'))}"


def _since(stamp: str | None) -> str:
    """' since 10:02' in local time (with the date when it is not today)."""
    if not stamp:
        return ""
    moment = datetime.fromisoformat(stamp).astimezone()
    today = datetime.now(moment.tzinfo).date()
    return f" since {moment:%H:%M}" if moment.date() == today else f" since {moment:%Y-%m-%d %H:%M}"


def child_interval(base_s: int, age: timedelta) -> int:
    """Fresh articles change most: check them at the feed's pace, older ones ever less often."""
    if age < timedelta(days=2):
        return base_s
    if age < timedelta(days=14):
        return base_s * 4
    return min(base_s * 24, 7 * 24 * 3600)


class _Round:
    def __init__(
        self,
        db: Connection,
        client: httpx.Client,
        settings: Settings,
        now: datetime,
        dry_run: bool,
        stop: threading.Event,
        report: Callable[[CheckResult], None] | None,
    ) -> None:
        self.db, self.client, self.settings, self.now = db, client, settings, now
        self.dry_run, self.stop, self.report = dry_run, stop, report
        self.owner = str(holder.new())
        self.robots = fetch.Robots(settings.user_agent)
        self.gate = _HostGate(settings.per_host_concurrency, settings.per_host_delay)
        self.children: list[int] = []
        self.engine: Callable[[], Engine] | None = None

    def claim(self, *, source_id: int | None, due_only: bool) -> list[Row]:
        return sources.claim(
            self.db,
            owner=self.owner,
            now=self.now,
            lease_until=self.now + timedelta(seconds=self.settings.check_lease),
            source_id=source_id,
            due_only=due_only,
            limit=ROUND_LIMIT,
        )

    def claim_children(self) -> list[Row]:
        rows: list[Row] = []
        for child in self.children:
            rows += self.claim(source_id=child, due_only=False)
        return rows

    def run(self, rows: list[Row]) -> list[CheckResult]:
        """Fetch (in threads when several fetches may run at once), handle each answer in
        this thread as it arrives, commit in batches."""
        ordered, hosts = _interleave_hosts(rows)
        # No more threads than may fetch at once: a thread waiting for its host's slot
        # still costs a hand-off of the interpreter lock for every request; with one
        # fetch at a time (one host) this thread fetches itself and hands off nothing.
        workers = min(self.settings.concurrency, hosts * self.settings.per_host_concurrency)
        answers = self._in_order(ordered) if workers <= 1 else self._in_threads(ordered, workers)
        results: list[CheckResult] = []
        pending: list[tuple[Row, Row, list[Event]]] = []
        for row, fetched, elapsed in answers:
            result, update, events = self._handle(row, fetched, elapsed)
            results.append(result)
            pending.append((row, update, events))
            if self.report:
                self.report(result)
            if len(pending) >= _FLUSH_EVERY:
                self._flush(pending)
                pending = []
        self._flush(pending)
        return results

    def _in_order(self, rows: list[Row]) -> Iterator[tuple[Row, Fetched, float]]:
        for number, row in enumerate(rows):
            if self.stop.is_set():
                self._release([r["id"] for r in rows[number:]])
                return
            yield self._fetch(row)

    def _in_threads(self, rows: list[Row], workers: int) -> Iterator[tuple[Row, Fetched, float]]:
        answers: queue.SimpleQueue[tuple[Row, Fetched, float]] = queue.SimpleQueue()
        with ThreadPoolExecutor(workers) as pool:
            queued = {pool.submit(lambda r: answers.put(self._fetch(r)), row): row for row in rows}
            remaining = len(queued)
            while remaining:
                if self.stop.is_set():
                    remaining -= self._abandon(queued)
                try:
                    answer = answers.get(timeout=0.5)
                except queue.Empty:
                    continue
                remaining -= 1
                yield answer

    def _abandon(self, queued: dict[Future[None], Row]) -> int:
        """Cancel what has not started and release it; in-flight fetches run to their end."""
        unstarted = [future for future in queued if future.cancel()]
        self._release([queued.pop(future)["id"] for future in unstarted])
        return len(unstarted)

    def _release(self, ids: list[int]) -> None:
        if ids and not self.dry_run:
            sources.release(self.db, self.owner, ids)

    def _fetch(self, row: Row) -> tuple[Row, Fetched, float]:
        """One source's answer and how long it took; in a worker thread or this one."""
        started = time.monotonic()
        validators = (row["etag"], row["last_modified"])
        try:
            with self.gate.slot(urlsplit(row["locator"]).netloc):
                fetched = fetch.fetch(
                    self.client,
                    row["locator"],
                    validators=validators,
                    settings=self.settings,
                    robots=self.robots if row["respect_robots"] else None,
                    sleep=self.stop.wait,
                )
        except Exception as exc:  # a bug for one source must not leave the round waiting
            fetched = Fetched(row["locator"], row["locator"], error=f"internal error: {exc!r}")
        return row, fetched, time.monotonic() - started

    def _handle(
        self, row: Row, fetched: Fetched, elapsed: float
    ) -> tuple[CheckResult, Row, list[Event]]:
        """The outcome of one fetched source, the row update it implies, and its events."""
        try:
            outcome, detail, text_length = self._outcome(row, fetched)
        except SourceError as exc:
            outcome, detail, text_length = "error", str(exc), row["text_length"]
        result = CheckResult(row["id"], row["locator"], outcome, detail, fetched.tries, elapsed)
        update, events = self._update(row, fetched, result, text_length)
        return result, update, events

    def _outcome(self, row: Row, fetched: Fetched) -> tuple[CheckOutcome, str, int | None]:
        if fetched.error is not None:
            return "error", fetched.error, row["text_length"]
        if fetched.not_modified:
            return "not-modified", "304 Not Modified", row["text_length"]
        if row["body_hash"] and row["body_hash"] == _body_hash(fetched):
            return "unchanged", "same bytes as last time", row["text_length"]
        if row["kind"] == "feed":
            return self._feed(row, fetched)
        return self._page(row, fetched)

    def _feed(self, row: Row, fetched: Fetched) -> tuple[CheckOutcome, str, int | None]:
        from monitor import feeds

        urls = feeds.article_urls(
            fetched.content,
            base_url=fetched.final_url,
            content_type=fetched.content_type,
            charset=fetched.charset,
        )
        if self.dry_run:
            return "unchanged", f"{count(len(urls), 'article')} listed", None
        added = sources.add_children(self.db, row, urls, now=self.now)
        self.children += added
        if row["last_check_at"] is None:
            return "new", f"feed with {count(len(urls), 'article')}", None
        return ("changed" if added else "unchanged"), f"{len(added)} new articles", None

    def _page(self, row: Row, fetched: Fetched) -> tuple[CheckOutcome, str, int | None]:
        document = _document(row, fetched)
        length = len(document.text)
        before = row["text_length"]
        if (
            before
            and before >= _MIN_LENGTH_FOR_SHRINK
            and length < before * self.settings.shrink_ratio
        ):
            raise SourceError(
                f"extracted text fell from {before} to {length} characters "
                "(a block page, consent wall or changed layout?)"
            )
        suffix = f" (cut at {self.settings.max_response_bytes} bytes)" if fetched.truncated else ""
        if self.dry_run:
            outcome, detail = _would_ingest(self.db, document)
            return outcome, detail + suffix, length
        from monitor import pipeline

        engine = self.engine() if self.engine else None
        result = pipeline.ingest(
            self.db, document, now=self.now, source_id=row["id"], engine=engine
        )
        outcome, detail = _from_ingest(result)
        return outcome, detail + suffix, length

    def _update(
        self, row: Row, fetched: Fetched, result: CheckResult, text_length: int | None
    ) -> tuple[Row, list[Event]]:
        now = self.now.isoformat()
        update = {column: row[column] for column in sources.RESULT_COLUMNS}
        update.update(
            id=row["id"],
            last_outcome=result.outcome,
            last_detail=result.detail,
            last_check_at=now,
            next_check_at=self._next_check(row).isoformat(),
        )
        events: list[Event] = []
        failures = row["consecutive_failures"]
        if result.outcome == "error":
            update.update(consecutive_failures=failures + 1, last_error=result.detail)
            if failures + 1 == self.settings.fail_after:
                update["failing_since"] = now
                events.append(_failing_event(row, update))
            return update, events
        if fetched.not_modified:
            update.update(
                etag=fetched.etag or row["etag"],
                last_modified=fetched.last_modified or row["last_modified"],
            )
        elif fetched.ok:
            update.update(
                etag=fetched.etag,
                last_modified=fetched.last_modified,
                body_hash=_body_hash(fetched),
                text_length=text_length,
            )
        if result.outcome in ("new", "changed"):
            update["last_change_at"] = now
        if row["failing_since"] is not None:
            events.append(_recovered_event(row, result))
        update.update(consecutive_failures=0, failing_since=None, last_error=None)
        return update, events

    def _next_check(self, row: Row) -> datetime:
        interval = row["interval_s"]
        if row["parent_id"] is not None:
            interval = child_interval(
                interval, self.now - datetime.fromisoformat(row["created_at"])
            )
        return self.now + timedelta(seconds=interval)

    def _flush(self, pending: list[tuple[Row, Row, list[Event]]]) -> None:
        if self.dry_run or not pending:
            return
        with transaction(self.db):
            sources.record(self.db, self.owner, [update for _, update, _ in pending])
            for _, _, events in pending:
                for event in events:
                    outbox.emit(self.db, event, self.now)


def _failing_event(row: Row, update: Row) -> Event:
    since = update["failing_since"]
    payload: dict[str, object] = {
        "source": row["id"],
        "url": row["locator"],
        "since": since,
        "failures": update["consecutive_failures"],
        "error": update["last_error"],
    }
    return Event("source-failing", f"source-failing:{row['id']}:{since}", payload)


def _recovered_event(row: Row, result: CheckResult) -> Event:
    since = row["failing_since"]
    payload: dict[str, object] = {
        "source": row["id"],
        "url": row["locator"],
        "since": since,
        "failures": row["consecutive_failures"],
        "last_error": row["last_error"],
        "outcome": result.outcome,
    }
    return Event("source-recovered", f"source-recovered:{row['id']}:{since}", payload)


def _body_hash(fetched: Fetched) -> str:
    return hashlib.sha256(fetched.content).hexdigest()


def _document(row: Row, fetched: Fetched) -> Document:
    """Extract the page; with a selector the text comes from the selected elements only."""
    document = fetch.to_document(fetched, locator=row["locator"], allow_truncated=True)
    if not row["selector"]:
        return document
    from monitor import extract

    html = extract.decode(fetched.content, fetched.charset)
    text = extract.clean(_selected_text(html, row["selector"]))
    if not text:
        raise SourceError(f"selector {row['selector']!r} matched no text")
    return replace(document, text=text)


def _check_selector(selector: str) -> None:
    import lxml.html

    try:
        lxml.html.fromstring("<p></p>").cssselect(selector)
    except Exception as exc:  # cssselect raises several unrelated types for bad syntax
        raise ConfigError(f"invalid CSS selector {selector!r}: {exc}") from None


def _selected_text(html: str, selector: str) -> str:
    """The text of every element the selector matches, one line per block element."""
    import lxml.html

    tree = lxml.html.fromstring(html)
    lines: list[str] = []
    for element in tree.cssselect(selector):
        for node in element.iter():
            if isinstance(node.tag, str) and node.tag in _BLOCK_TAGS:
                node.tail = "\n" + (node.tail or "")
                node.text = "\n" + (node.text or "")
        lines.append(element.text_content())
    return "\n".join(lines)


def _from_ingest(result: IngestResult) -> tuple[CheckOutcome, str]:
    """Pipeline outcomes in the terms of a check: noise and flip-backs are not changes."""
    if result.outcome == "new":
        note = f", {result.detail}" if result.detail else ""
        return "new", f"document {result.document_id}{note}"
    if result.outcome == "changed" and result.change is not None and result.change.meaningful:
        return "changed", result.change.summary
    if result.outcome == "changed":
        return "unchanged", "only noise changed"
    if result.outcome == "reverted":  # detail: "back to version N", N as users see it
        return "unchanged", f"same text as earlier {result.detail.removeprefix('back to ')}"
    return "unchanged", result.detail or "same text"


def _would_ingest(db: Connection, document: Document) -> tuple[CheckOutcome, str]:
    """What `ingest` would report, read-only (for dry runs)."""
    row = documents.by_locator(db, document.locator or document.url or "")
    if row is None:
        return "new", "not stored yet"
    digest = text_hash(document.text)
    current = documents.version(db, row["current_version_id"])
    if current["text_hash"] == digest:
        return "unchanged", "same text"
    if documents.version_with_hash(db, digest, row["id"]) is not None:
        return "unchanged", "same text as an earlier version"
    from monitor.compare import compare

    change = compare(current["text"], document.text)
    return ("changed", change.summary) if change.meaningful else ("unchanged", "only noise changed")


def _interleave_hosts(rows: list[Row]) -> tuple[list[Row], int]:
    """Round-robin over hosts so one big site does not hold every worker; and how many
    hosts there are."""
    by_host: dict[str, list[Row]] = defaultdict(list)
    for row in rows:
        by_host[urlsplit(row["locator"]).netloc].append(row)
    queues = list(by_host.values())
    ordered: list[Row] = []
    for i in range(max((len(q) for q in queues), default=0)):
        ordered += [q[i] for q in queues if i < len(q)]
    return ordered, len(queues)


class _HostGate:
    """At most `limit` requests at once per host, starting at least `delay` seconds apart."""

    def __init__(self, limit: int, delay: float) -> None:
        self._limit = max(1, limit)
        self._delay = delay
        self._guard = threading.Lock()
        self._slots: dict[str, threading.Semaphore] = {}
        self._next_start: dict[str, float] = {}

    @contextmanager
    def slot(self, host: str) -> Iterator[None]:
        with self._guard:
            semaphore = self._slots.setdefault(host, threading.BoundedSemaphore(self._limit))
        with semaphore:
            if self._delay > 0:
                with self._guard:
                    start = max(time.monotonic(), self._next_start.get(host, 0.0))
                    self._next_start[host] = start + self._delay
                time.sleep(max(0.0, start - time.monotonic()))
            yield
