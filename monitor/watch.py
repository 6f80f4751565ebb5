"""A check round: claim due sources, fetch them politely and concurrently, ingest what changed.

Fetching runs in a few threads (one shared httpx client); everything that touches the
database runs in the calling thread, a batch of results per transaction. Each source ends
with a `CheckResult` — an outcome as data — so one bad source never aborts a round.
A 304 or a byte-identical body stops early and costs no extraction.
"""

from __future__ import annotations

import hashlib
import json
import os
import queue
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager, suppress
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, Literal, TypeVar
from urllib.parse import urlsplit

import httpx

from monitor import fetch, holder
from monitor.alerts import outbox
from monitor.config import Settings
from monitor.errors import ConfigError, MonitorError, SourceError
from monitor.models import Document, Event, Fetched
from monitor.page_filters import Applied, Filters
from monitor.request_settings import RequestSettings
from monitor.storage import Connection, documents, hosts, sources, transaction
from monitor.text import count, text_hash

if TYPE_CHECKING:
    from monitor.browser import Browser
    from monitor.pipeline import IngestResult
    from monitor.positions import Engine

CheckOutcome = Literal["new", "changed", "unchanged", "not-modified", "error"]
Row = dict[str, Any]
Extracted = tuple[Document, bool]  # a page's document, and whether its trigger matched
Answer = tuple[Row, Fetched, float]  # a source, what fetching it gave, how long it took
A = TypeVar("A")

LEASE = timedelta(seconds=Settings.check_lease)  # the default `check_lease`
ROUND_LIMIT = 5000  # sources claimed by one round; the next round takes the rest
SHARED_BATCH = 250  # sources claimed at a time where several daemons share the database
_FLUSH_EVERY = 200  # results per transaction
_ANALYSE_EVERY = 100  # answers handled as a group: their new texts are analysed together
_MIN_LENGTH_FOR_SHRINK = 200  # shorter texts are too small to judge a collapse by


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


@dataclass(frozen=True)
class Options:
    """What a user sets on a watch. None leaves a setting as it is (for `watch edit`)."""

    filters: Filters | None = None
    name: str | None = None
    tags: tuple[str, ...] | None = None
    request: RequestSettings | None = None
    browser: bool | None = None
    case_sensitive: bool | None = None
    fail_after: int | None = None

    def columns(self) -> Row:
        """The settings given, as `sources` columns (an empty name clears it)."""
        if self.fail_after is not None and self.fail_after < 1:
            raise ConfigError("the number of tries must be at least 1")
        columns: Row = {}
        if self.filters is not None:
            columns["filters"] = self.filters.to_json()
        if self.name is not None:
            columns["name"] = self.name.strip() or None
        if self.tags is not None:
            columns["tags"] = json.dumps(clean_tags(self.tags))
        if self.request is not None:
            columns["request"] = self.request.to_json()
        for flag in ("browser", "case_sensitive"):
            if getattr(self, flag) is not None:
                columns[flag] = int(getattr(self, flag))
        if self.fail_after is not None:
            columns["fail_after"] = self.fail_after
        return columns


def clean_tags(tags: Iterable[str]) -> list[str]:
    """Tags as stored: trimmed, without repeats, sorted; a tag holds no comma or space."""
    cleaned = sorted({tag.strip() for tag in tags if tag.strip()})
    for tag in cleaned:
        if any(c in tag for c in ", \t"):
            raise ConfigError(f"tag {tag!r} must be one word (repeat --tag for several)")
    return cleaned


def add_source(
    db: Connection,
    url: str,
    *,
    now: datetime,
    interval_s: int,
    feed: bool = False,
    respect_robots: bool = True,
    options: Options | None = None,
    settings: Settings | None = None,
) -> int:
    """Watch a URL (or a feed's articles); refused before any I/O when it cannot work."""
    check_source(url, interval_s, options, settings)
    return sources.add(
        db,
        kind="feed" if feed else "url",
        locator=url,
        interval_s=interval_s,
        now=now,
        respect_robots=respect_robots,
        settings=(options or Options()).columns(),
    )


def check_source(
    url: str, interval_s: int, options: Options | None, settings: Settings | None
) -> None:
    """ConfigError when a watch cannot work: a bad URL or interval, or `browser` without a
    Chromium to render in. Callers may check before they open (and so create) a database."""
    fetch.check_url(url)
    _check_interval(interval_s)
    if options and options.browser:
        from monitor.browser import chromium_path

        chromium_path(settings or Settings())


def _check_interval(interval_s: int) -> None:
    if interval_s < 1:
        raise ConfigError("the interval must be at least one second")


def edit_source(
    db: Connection,
    source_id: int,
    options: Options,
    *,
    interval_s: int | None = None,
    respect_robots: bool | None = None,
    clear_filters: bool = False,
    settings: Settings | None = None,
) -> Row:
    """Change a watch in place: filters and headers of the kinds given replace the old ones,
    the rest of them stay (all filters go with `clear_filters`); documents and history are
    kept. The new row."""
    row = sources.get(db, source_id)
    if options.browser:
        from monitor.browser import chromium_path

        chromium_path(settings or Settings())
    old = Filters() if clear_filters else Filters.from_json(row["filters"])
    if options.filters is not None or clear_filters:
        options = replace(options, filters=old.merged(options.filters or Filters()))
    if options.request is not None:
        headers = RequestSettings.from_json(row["request"])
        options = replace(options, request=headers.merged(options.request))
    columns = options.columns()
    if interval_s is not None:
        _check_interval(interval_s)
        columns["interval_s"] = interval_s
    if respect_robots is not None:
        columns["respect_robots"] = int(respect_robots)
    return sources.edit(db, source_id, columns)


def summary(row: Row) -> str:
    """One line: interval, name, tags, filters and headers of a watch."""
    parts = [f"every {row['interval_s']}s"]
    if row["name"]:
        parts.append(f"name {row['name']!r}")
    tags = json.loads(row["tags"])
    if tags:
        parts.append("tags " + ",".join(tags))
    parts += [
        Filters.from_json(row["filters"]).describe(),
        RequestSettings.from_json(row["request"]).describe(),
    ]
    return "; ".join(part for part in parts if part)


def preview(url: str, options: Options, settings: Settings) -> dict[str, Any]:
    """Fetch `url` once and apply the filters: the text as it would be compared, the lines
    the filters removed, whether a trigger matched. Touches no database."""
    fetch.check_url(url)
    headers = (options.request or RequestSettings()).resolve(os.environ)
    if options.browser:
        from monitor.browser import Browser, chromium_path

        chromium_path(settings)
        with Browser(settings) as browser:
            fetched = browser.fetch(url, headers)
    else:
        with fetch.make_client(settings, pool=1) as client:
            fetched = fetch.fetch(client, url, settings=settings, headers=headers)
    if fetched.error is not None:
        raise SourceError(f"{url}: {fetched.error}")
    document, applied = filtered(fetched, options.filters or Filters())
    return {
        "url": url,
        "title": document.title,
        "text": document.text,
        "removed": applied.removed,
        "triggered": applied.triggered,
    }


def by_tag(rows: Iterable[Row], tag: str | None) -> list[Row]:
    """The sources carrying `tag` (all of them without one)."""
    return [row for row in rows if tag is None or tag in json.loads(row["tags"])]


def describe(row: Row) -> dict[str, object]:
    """A source as `watch list` shows it; state is active, paused or failing."""
    return {
        "id": row["id"],
        "kind": row["kind"],
        "url": row["locator"],
        "name": row["name"],
        "tags": json.loads(row["tags"]),
        "filters": json.loads(row["filters"]),
        "request": RequestSettings.from_json(row["request"]).describe(),
        "browser": bool(row["browser"]),
        "case_sensitive": bool(row["case_sensitive"]),
        "feed": row["parent_id"],
        "every_s": row["interval_s"],
        "selector": next((s["css"] for s in json.loads(row["filters"]) if "css" in s), None),
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
    try:
        with round_.renewing():
            results = round_.run(rows)
            # Where daemons share the work, a round claims what is due a batch at a time (up
            # to the same ROUND_LIMIT in all), so that it is spread over every free daemon.
            while (
                round_.limit(source_id, due_only) == len(rows) == SHARED_BATCH
                and len(results) < ROUND_LIMIT
                and not round_.stop.is_set()
            ):
                rows = round_.claim(source_id=None, due_only=due_only)
                results += round_.run(rows)
            if round_.children and not dry_run and not round_.stop.is_set():
                results += round_.run(round_.claim_children())
    finally:
        round_.close()
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
        self.gate: _HostGate | _SharedHostGate = _HostGate(
            settings.per_host_concurrency, settings.per_host_delay
        )
        self.children: list[int] = []
        self.engine: Callable[[], Engine] | None = None
        self._prepared: Engine | None = None  # the engine that analyses pages ahead
        self._browser: Browser | None = None
        self._browser_guard = threading.Lock()

    @contextmanager
    def renewing(self) -> Iterator[None]:
        """Extend this round's claims every third of `check_lease` while it runs, so a
        long round keeps what it holds and a dead one loses it when the lease ends.
        Where daemons share the database, the per-host limits are shared there too.
        Both use a connection of the round's own, never inside the round's transactions."""
        if self.dry_run:
            yield
            return
        side = self.db.reopen()
        shared = None
        if self.db.shared_by_daemons:
            self.gate = shared = _SharedHostGate(side, self.settings, self.owner, self.stop)
        done = threading.Event()
        lease = self.settings.check_lease

        def renew() -> None:
            while not done.wait(lease / 3):
                until = datetime.now(UTC) + timedelta(seconds=lease)
                try:
                    sources.renew(side, self.owner, until)
                    if shared is not None:
                        hosts.renew(side, self.owner, until.timestamp())
                except MonitorError:  # the round's own writes report a database gone away
                    continue

        thread = threading.Thread(target=renew, name="claim-renewal", daemon=True)
        thread.start()
        try:
            yield
        finally:
            done.set()
            thread.join()
            try:
                if shared is not None:
                    shared.close()
            finally:
                side.close()

    def claim(self, *, source_id: int | None, due_only: bool) -> list[Row]:
        return sources.claim(
            self.db,
            owner=self.owner,
            now=self.now,
            lease_until=datetime.now(UTC) + timedelta(seconds=self.settings.check_lease),
            source_id=source_id,
            due_only=due_only,
            limit=self.limit(source_id, due_only),
        )

    def limit(self, source_id: int | None, due_only: bool) -> int:
        """How many sources one claim takes: a batch of the due ones on a shared database
        (a manual round takes every active source at once, as it checks each one once)."""
        batched = self.db.shared_by_daemons and due_only and source_id is None
        return SHARED_BATCH if batched else ROUND_LIMIT

    def browser(self) -> Browser:
        """The round's headless browser, started by the first source that needs it."""
        from monitor.browser import Browser

        with self._browser_guard:
            if self._browser is None:
                self._browser = Browser(self.settings)
            return self._browser

    def close(self) -> None:
        if self._browser is not None:
            self._browser.close()

    def claim_children(self) -> list[Row]:
        rows: list[Row] = []
        for child in self.children:
            rows += self.claim(source_id=child, due_only=False)
        return rows

    def run(self, rows: list[Row]) -> list[CheckResult]:
        """Fetch (in threads when several fetches may run at once), handle the answers in
        this thread in groups as they arrive, commit in batches."""
        ordered, hosts = _interleave_hosts(rows)
        self.gate.prepare(urlsplit(row["locator"]).netloc for row in rows)
        # No more threads than may fetch at once: a thread waiting for its host's slot
        # still costs a hand-off of the interpreter lock for every request; with one
        # fetch at a time (one host) this thread fetches itself and hands off nothing.
        workers = min(self.settings.concurrency, hosts * self.settings.per_host_concurrency)
        answers = self._in_order(ordered) if workers <= 1 else self._in_threads(ordered, workers)
        results: list[CheckResult] = []
        pending: list[tuple[Row, Row, list[Event]]] = []
        # A group behind: the pages of one group are analysed in worker processes while
        # this thread stores the group before and fetches the next (or, when no answer
        # is there to fetch, stores it at once).
        previous: tuple[list[Answer], dict[int, Extracted]] | None = None
        try:
            for group in answers:
                ahead = self._extract_ahead(group) if group else {}
                if previous is not None:
                    pending = self._handle_group(*previous, results, pending)
                previous = (group, ahead) if group else None
            if previous is not None:
                pending = self._handle_group(*previous, results, pending)
        finally:
            if self._prepared is not None:
                self._prepared.close()  # workers still reading when a round fails
        self._flush(pending)
        return results

    def _handle_group(
        self,
        group: list[Answer],
        ahead: dict[int, Extracted],
        results: list[CheckResult],
        pending: list[tuple[Row, Row, list[Event]]],
    ) -> list[tuple[Row, Row, list[Event]]]:
        """Handle each answer of `group`, with the pages extracted ahead; returns what is
        still to commit."""
        for row, fetched, elapsed in group:
            result, update, events = self._handle(row, fetched, elapsed, ahead.get(row["id"]))
            results.append(result)
            pending.append((row, update, events))
            if self.report:
                self.report(result)
            if len(pending) >= _FLUSH_EVERY:
                self._flush(pending)
                pending = []
        return pending

    def _extract_ahead(self, group: list[Answer]) -> dict[int, Extracted]:
        """The pages of `group` to ingest, extracted; the analysis of their texts started
        (`Engine.prepare`: together, on every core, rather than one page at a time)."""
        if self.dry_run:
            return {}
        ahead: dict[int, Extracted] = {}
        pages = []
        for row, fetched, _ in group:
            if row["kind"] == "feed" or not _fresh_body(row, fetched):
                continue
            try:
                document, triggered = ahead[row["id"]] = _document(row, fetched)
            except Exception:  # met again, and reported, when the source is handled
                continue
            if triggered or row["last_check_at"] is None:
                pages.append(document)
        if len(pages) > 1:
            from monitor import pipeline

            used = pipeline.prepare(self.db, self.engine() if self.engine else None, pages)
            self._prepared = used or self._prepared
        return ahead

    def _in_order(self, rows: list[Row]) -> Iterator[list[Answer]]:
        """Fetched one after another: here while the answers are 304s and bodies read
        before (no hand-off between threads for them), then, from the first page to read,
        ahead by a thread of their own (`_fetched_ahead`)."""
        for number, row in enumerate(rows):
            if self.stop.is_set():
                self._release([r["id"] for r in rows[number:]])
                return
            answer = self._fetch(row)
            yield [answer]
            if _fresh_body(row, answer[1]):
                yield from self._fetched_ahead(rows[number + 1 :])
                return

    def _fetched_ahead(self, rows: list[Row]) -> Iterator[list[Answer]]:
        """Fetched one after another by a thread of their own, so that this thread handles
        the answers (a group of those that have arrived) while the next page loads; an
        empty group whenever none has. A stop ends it after the fetch in flight."""
        answers: queue.SimpleQueue[Answer | None] = queue.SimpleQueue()
        started = [0]  # fetches begun
        halt = threading.Event()  # this round stops taking answers (it failed)

        def fetch_all() -> None:
            for row in rows:
                if self.stop.is_set() or halt.is_set():
                    break
                started[0] += 1
                answers.put(self._fetch(row))
            answers.put(None)

        fetcher = threading.Thread(target=fetch_all, name="fetch", daemon=True)
        fetcher.start()
        try:
            ended = False
            while not ended:
                group = _arrived(answers, _ANALYSE_EVERY)
                if not group:
                    yield []
                    group = [answers.get()]
                    group += _arrived(answers, _ANALYSE_EVERY - 1)
                ended = group[-1] is None
                yield [answer for answer in group if answer is not None]
        finally:
            halt.set()
            fetcher.join()
            self._release([r["id"] for r in rows[started[0] :]])

    def _in_threads(self, rows: list[Row], workers: int) -> Iterator[list[Answer]]:
        """Fetched in threads: each group what has arrived (up to `_ANALYSE_EVERY`), and an
        empty one whenever nothing has, so that the caller stores what it holds meanwhile."""
        answers: queue.SimpleQueue[Answer] = queue.SimpleQueue()
        with ThreadPoolExecutor(workers) as pool:
            queued = {pool.submit(lambda r: answers.put(self._fetch(r)), row): row for row in rows}
            remaining = len(queued)
            while remaining > 0:
                if self.stop.is_set():
                    remaining -= self._abandon(queued)
                group = _arrived(answers, min(remaining, _ANALYSE_EVERY))
                if not group:
                    yield []
                    try:
                        group = [answers.get(timeout=0.5)]
                    except queue.Empty:
                        continue
                    group += _arrived(answers, min(remaining, _ANALYSE_EVERY) - 1)
                remaining -= len(group)
                yield group

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
            headers = RequestSettings.from_json(row["request"]).resolve(os.environ)
            with self.gate.slot(urlsplit(row["locator"]).netloc):
                if row["browser"]:
                    fetched = self._render(row, headers)
                else:
                    fetched = fetch.fetch(
                        self.client,
                        row["locator"],
                        validators=validators,
                        settings=self.settings,
                        robots=self.robots if row["respect_robots"] else None,
                        sleep=self.stop.wait,
                        headers=headers,
                    )
        except SourceError as exc:
            fetched = Fetched(row["locator"], row["locator"], error=str(exc), tries=0)
        except Exception as exc:  # a bug for one source must not leave the round waiting
            fetched = Fetched(row["locator"], row["locator"], error=f"internal error: {exc!r}")
        return row, fetched, time.monotonic() - started

    def _render(self, row: Row, headers: dict[str, str]) -> Fetched:
        """A page whose text only scripts write: its DOM after rendering, robots permitting."""
        url = row["locator"]
        if row["respect_robots"] and not self.robots.allowed(self.client, url):
            return Fetched(url, url, error="disallowed by robots.txt", tries=0)
        return self.browser().fetch(url, headers)

    def _handle(
        self, row: Row, fetched: Fetched, elapsed: float, extracted: Extracted | None = None
    ) -> tuple[CheckResult, Row, list[Event]]:
        """The outcome of one fetched source, the row update it implies, and its events."""
        try:
            outcome, detail, text_length = self._outcome(row, fetched, extracted)
        except SourceError as exc:
            outcome, detail, text_length = "error", str(exc), row["text_length"]
        result = CheckResult(row["id"], row["locator"], outcome, detail, fetched.tries, elapsed)
        update, events = self._update(row, fetched, result, text_length)
        return result, update, events

    def _outcome(
        self, row: Row, fetched: Fetched, extracted: Extracted | None
    ) -> tuple[CheckOutcome, str, int | None]:
        if fetched.error is not None:
            return "error", fetched.error, row["text_length"]
        if fetched.not_modified:
            return "not-modified", "304 Not Modified", row["text_length"]
        if not _fresh_body(row, fetched):
            return "unchanged", "same bytes as last time", row["text_length"]
        if row["kind"] == "feed":
            return self._feed(row, fetched)
        return self._page(row, fetched, extracted or _document(row, fetched))

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

    def _page(
        self, row: Row, fetched: Fetched, extracted: Extracted
    ) -> tuple[CheckOutcome, str, int | None]:
        document, triggered = extracted
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
        if not triggered and row["last_check_at"] is not None:
            return "unchanged", "the trigger did not match the new text", row["text_length"]
        if self.dry_run:
            outcome, detail = _would_ingest(self.db, document, bool(row["case_sensitive"]))
            return outcome, detail + suffix, length
        from monitor import pipeline

        engine = self.engine() if self.engine else None
        result = pipeline.ingest(
            self.db,
            document,
            now=self.now,
            source_id=row["id"],
            engine=engine,
            case_sensitive=bool(row["case_sensitive"]),
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
            if failures + 1 == (row["fail_after"] or self.settings.fail_after):
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
        "tags": json.loads(row["tags"]),
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
        "tags": json.loads(row["tags"]),
        "since": since,
        "failures": row["consecutive_failures"],
        "last_error": row["last_error"],
        "outcome": result.outcome,
    }
    return Event("source-recovered", f"source-recovered:{row['id']}:{since}", payload)


def _body_hash(fetched: Fetched) -> str:
    return hashlib.sha256(fetched.content).hexdigest()


def _fresh_body(row: Row, fetched: Fetched) -> bool:
    """A body that says something: not an error, a 304, or the bytes read last time."""
    if fetched.error is not None or fetched.not_modified:
        return False
    return not (row["body_hash"] and row["body_hash"] == _body_hash(fetched))


def _document(row: Row, fetched: Fetched) -> Extracted:
    """Extract the page through the watch's filters; and whether its trigger matched."""
    filters = Filters.from_json(row["filters"])
    if not filters.steps:
        return fetch.to_document(fetched, locator=row["locator"], allow_truncated=True), True
    document, applied = filtered(fetched, filters, locator=row["locator"])
    return document, applied.triggered


def filtered(
    fetched: Fetched, filters: Filters, *, locator: str | None = None
) -> tuple[Document, Applied]:
    """The document as the filters leave it (`watch test` shows the same), and what they
    did. A JSON body becomes a text document of the values found."""
    from monitor import extract

    if fetched.error is not None:
        raise SourceError(fetched.error)
    body = extract.decode(fetched.content, fetched.charset)
    if filters.reads_json:
        applied = filters.apply(body, lambda: body)
        document = extract.from_text(applied.text, url=fetched.final_url, raw=fetched.content)
        return replace(document, locator=locator or fetched.url), applied
    document = fetch.to_document(fetched, locator=locator, allow_truncated=True)
    applied = filters.apply(body, lambda: document.text)
    return replace(document, text=applied.text), applied


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


def _would_ingest(
    db: Connection, document: Document, case_sensitive: bool
) -> tuple[CheckOutcome, str]:
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

    change = compare(current["text"], document.text, case_sensitive=case_sensitive)
    return ("changed", change.summary) if change.meaningful else ("unchanged", "only noise changed")


def _arrived(answers: queue.SimpleQueue[A], most: int) -> list[A]:
    """Up to `most` answers that are there already, without waiting (None ends them)."""
    found: list[A] = []
    while len(found) < most and (not found or found[-1] is not None):
        try:
            found.append(answers.get_nowait())
        except queue.Empty:
            break
    return found


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


@dataclass
class _Slot:
    """A host slot this round holds in the database."""

    host: str
    number: int
    until: float  # when the hold ends unless renewed (epoch seconds; a renewal may extend it)
    idle_since: float = 0.0  # monotonic; set while no request uses it


class _SharedHostGate:
    """`_HostGate`'s limits kept in the database, so that they bind every daemon sharing
    it together: a slot of the host is held for each request (renewed with the round's
    claims, free again once its holder is known dead or `check_lease` after it last
    renewed), and start times are booked `delay` apart.

    A slot a request has finished with stays this round's for `LINGER` seconds: the
    round's next request to that host (the common case: one request after another to
    the same site) uses it without asking the database, as long as two thirds of its
    hold are left (else the hold is extended first, as a new slot's would be). A slot
    nobody here reuses in that time is given back by a thread of its own, so that no
    request waits for it. A round told to stop no longer waits for a slot or for its
    booked start: its last in-flight requests go out rather than hold up the shutdown."""

    LINGER = 0.01  # seconds an idle slot stays this round's before it goes back
    _MAX_PAUSE = 0.25  # the longest wait before asking again for a busy host's slot

    def __init__(
        self, db: Connection, settings: Settings, holder: str, stop: threading.Event
    ) -> None:
        self._db, self._holder, self._stop = db, holder, stop
        self._limit = max(1, settings.per_host_concurrency)
        self._delay = settings.per_host_delay
        self._hold_s = settings.check_lease
        self._prepared: set[str] = set()
        self._local = _HostGate(self._limit, 0)
        self._idle: dict[str, list[_Slot]] = defaultdict(list)
        self._changed = threading.Condition()
        self._closing = False
        self._asleep = False  # the returner waits for a slot to be parked
        self._returner = threading.Thread(target=self._give_back, name="host-slots", daemon=True)
        self._returner.start()

    def prepare(self, names: Iterable[str]) -> None:
        """Slots for the hosts a batch is about to ask, in one go rather than host by host."""
        new = set(names) - self._prepared
        hosts.prepare(self._db, new, self._limit)
        self._prepared |= new

    @contextmanager
    def slot(self, host: str) -> Iterator[None]:
        if host not in self._prepared:
            self.prepare([host])
        # This daemon's own share first, so that fewer threads ask the database.
        with self._local.slot(host):
            held = self._reuse(host) or self._take(host)
            try:
                if self._delay > 0:
                    start = hosts.reserve(self._db, host, self._delay, time.time())
                    self._stop.wait(max(0.0, start - time.time()))
                yield
            finally:
                if held is not None:
                    self._park(held)

    def _reuse(self, host: str) -> _Slot | None:
        with self._changed:
            idle = self._idle.get(host)
            if not idle:
                return None
            held = idle.pop()
        now = time.time()
        if held.until - now >= self._hold_s * 2 / 3:
            return held
        until = now + self._hold_s
        if hosts.extend(self._db, host, held.number, self._holder, until):
            held.until = until
            return held
        return None  # it expired and went to someone else: ask for another

    def _take(self, host: str) -> _Slot | None:
        pause = 0.02
        while not self._stop.is_set():
            now = time.time()
            until = now + self._hold_s
            number = hosts.take(self._db, host, self._limit, self._holder, now, until)
            if number is not None:
                return _Slot(host, number, until)
            self._stop.wait(pause)
            pause = min(pause * 2, self._MAX_PAUSE)
        return None

    def _park(self, held: _Slot) -> None:
        held.idle_since = time.monotonic()
        with self._changed:
            self._idle[held.host].append(held)
            if self._asleep:  # else it wakes in time for the earliest idle slot anyway
                self._changed.notify()

    def _give_back(self) -> None:
        """Free the slots that stayed idle for `LINGER`, until the round closes."""
        while True:
            with self._changed:
                expired, wake = self._expired(time.monotonic())
                while not expired and not self._closing:
                    self._asleep = wake is None
                    self._changed.wait(wake)
                    expired, wake = self._expired(time.monotonic())
                self._asleep = False
                if self._closing:
                    return
            try:
                hosts.free(self._db, self._holder, [(s.host, s.number) for s in expired])
            except MonitorError:  # gone with the database: they expire instead
                continue

    def _expired(self, now: float) -> tuple[list[_Slot], float | None]:
        """The idle slots to give back now, and how long until the next one is due (None:
        nothing is idle)."""
        expired: list[_Slot] = []
        wake: float | None = None
        for idle in self._idle.values():
            for held in list(idle):
                due = held.idle_since + self.LINGER - now
                if due <= 0:
                    expired.append(held)
                    idle.remove(held)
                else:
                    wake = due if wake is None else min(wake, due)
        return expired, wake

    def close(self) -> None:
        """Give back every slot this round holds; its requests have all ended."""
        with self._changed:
            self._closing = True
            self._changed.notify()
        self._returner.join()
        with suppress(MonitorError):  # gone with the database: they expire instead
            hosts.free_all(self._db, self._holder)


class _HostGate:
    """At most `limit` requests at once per host, starting at least `delay` seconds apart."""

    def __init__(self, limit: int, delay: float) -> None:
        self._limit = max(1, limit)
        self._delay = delay
        self._guard = threading.Lock()
        self._slots: dict[str, threading.Semaphore] = {}
        self._next_start: dict[str, float] = {}

    def prepare(self, names: Iterable[str]) -> None:
        """Nothing to prepare: this process alone keeps the limits."""

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
