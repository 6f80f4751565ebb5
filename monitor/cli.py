"""The `monitor` command. Each command parses, calls one library function, formats the result.

Errors from the library (`MonitorError`) become one line on stderr and exit code 1 in
`MonitorGroup`, the only place that translates them.
"""

from __future__ import annotations

import functools
import sqlite3
import sys
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from datetime import UTC, date, datetime, time
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar, cast

import click

from monitor import config, storage
from monitor.alerts import filters
from monitor.errors import MonitorError
from monitor.storage import Connection, connect, documents, maintenance, sources
from monitor.storage import positions as position_store
from monitor.text import count, parse_date

if TYPE_CHECKING:
    from rich.console import Console

    from monitor.actors import ActorFinder
    from monitor.positions import Engine
    from monitor.profile import Profile

FORMATS = click.Choice(["text", "markdown", "json", "html"])
_CONFIDENCE = "Only results at least this sure, 0-1 (see README: confidence)."


class App:
    """What every command shares: settings, and the database, profile, engine and terminal
    made on first use. Commands import what they use when they run, so each loads only
    what it needs: JSON output never loads rich, listing shifts compiles no engine, and
    a check round that meets only 304s loads no extractor."""

    def __init__(self, settings: config.Settings, quiet: bool) -> None:
        self.settings = settings
        self.quiet = quiet
        self.creates = False  # set by `@writes`: this command may create the database

    @cached_property
    def out(self) -> Console:
        from rich.console import Console

        return Console(highlight=False, soft_wrap=True, emoji=False)

    @cached_property
    def db(self) -> Connection:
        """The database; only a command that writes may create it, and it says so."""
        path = self.settings.db
        fresh = self.creates and not storage.exists(path)
        if fresh and path == config.DEFAULT_DB and isinstance(path, Path):
            path.parent.mkdir(exist_ok=True)  # the default folder; one the user names must exist
        db = connect(path, create=self.creates)
        if fresh and not self.quiet:
            click.echo(f"created {path}", err=True)
        return db

    def existing_db(self) -> Connection | None:
        """The database when there is one, for commands that also work without it."""
        return self.db if "db" in self.__dict__ or storage.exists(self.settings.db) else None

    @cached_property
    def profile_spec(self) -> Profile:
        """The profile as its files state it, without touching the database."""
        from monitor import profile

        return profile.load(self.settings.profile)

    @cached_property
    def profile(self) -> Profile:
        """The profile in use; stored results made under another one are recomputed first."""
        from monitor import analysis_version

        loaded = self.profile_spec
        if position_store.engine_version(self.db) != analysis_version(loaded.digest):
            from monitor import pipeline  # the ingest machinery, only when there is work
            from monitor.positions import Engine

            self.engine = Engine(loaded)
            pipeline.recompute(self.db, self.engine, self.now())
        return loaded

    @cached_property
    def engine(self) -> Engine:
        """The position engine for the profile in use."""
        from monitor.positions import Engine

        return Engine(self.profile)

    def actor_finder(self) -> ActorFinder:
        """What finds the profile's actors in a sentence; needs no database (two files)."""
        from monitor.positions import Engine

        return (self.engine if "engine" in self.__dict__ else Engine(self.profile_spec)).finder

    def close(self) -> None:
        if "db" in self.__dict__:
            self.db.close()

    def now(self) -> datetime:
        return datetime.now(UTC)

    def print_json(self, data: Any) -> None:
        """Indented on a terminal; one compact line when piped (the fast C encoder)."""
        from monitor.views import dumps

        click.echo(dumps(data, indent=2 if sys.stdout.isatty() else None))


pass_app = click.make_pass_decorator(App)
F = TypeVar("F", bound=Callable[..., Any])


def writes(command: F) -> F:
    """Marks a command that writes: it may create the database (reading commands may not)."""

    @functools.wraps(command)
    def creating(*args: Any, **kwargs: Any) -> Any:
        click.get_current_context().ensure_object(App).creates = True
        return command(*args, **kwargs)

    return cast(F, creating)


def _date(_ctx: click.Context, _param: click.Parameter, value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return parse_date(value)
    except MonitorError as exc:
        raise click.BadParameter(str(exc)) from None


class Failure(click.ClickException):
    """A library error shown as one line: `error: <what went wrong>`."""

    def show(self, file: Any = None) -> None:
        click.echo(f"error: {self.message}", err=True)


class Usage(click.UsageError):
    """A usage error as one line, like every other error, with where to read more:
    `error: no such option '--frobnicate' (see monitor add --help)`; exit code 2."""

    def __init__(self, error: click.UsageError) -> None:
        super().__init__(error.format_message(), error.ctx)

    def show(self, file: Any = None) -> None:
        text = self.message.rstrip(".")
        text = text[:1].lower() + text[1:]
        where = f" (see {self.ctx.command_path} --help)" if self.ctx else ""
        click.echo(f"error: {text}{where}", err=True)


class MonitorGroup(click.Group):
    """Translates every library and usage error into one line, in this one place."""

    def make_context(self, *args: Any, **kwargs: Any) -> click.Context:
        try:
            return super().make_context(*args, **kwargs)
        except click.exceptions.NoArgsIsHelpError:
            raise  # a bare `monitor` shows the help
        except click.UsageError as exc:
            raise Usage(exc) from None

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except MonitorError as exc:
            raise Failure(str(exc)) from None
        except sqlite3.Error as exc:
            raise Failure(f"database: {exc}") from None
        except click.exceptions.NoArgsIsHelpError:
            raise  # a bare `monitor watch` shows the group's help
        except click.UsageError as exc:
            raise exc if isinstance(exc, Usage) else Usage(exc) from None


@click.group("monitor", cls=MonitorGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--db",
    type=click.Path(dir_okay=False),
    help="SQLite file or postgresql://user@host/db URL [env MONITOR_DB].",
)
@click.option("--profile", type=click.Path(dir_okay=False), help="Extra actor/issue profile.")
@click.option("-q", "--quiet", is_flag=True, help="Only results and errors.")
@click.version_option(package_name="narrative-monitor")
@click.pass_context
def cli(ctx: click.Context, db: str | None, profile: str | None, quiet: bool) -> None:
    """Watch what named actors say over time: text changes, position shifts, alerts.

    \b
    Example:
      monitor seed && monitor diff --actor Hezbollah
    """
    ctx.obj = App(config.load(db=db, profile=profile), quiet)
    ctx.call_on_close(ctx.obj.close)


@cli.command()
@click.argument("sources", nargs=-1, required=True)
@click.option("--date", "published", callback=_date, help="Publication date, YYYY-MM-DD.")
@click.option("--title", help="Title, when the article does not state it.")
@click.option("--outlet", help="Outlet or publisher.")
@click.option("--baseline", is_flag=True, help="Mark as a baseline article.")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable results.")
@pass_app
@writes
def add(
    app: App,
    sources: tuple[str, ...],
    published: date | None,
    title: str | None,
    outlet: str | None,
    baseline: bool,
    as_json: bool,
) -> None:
    """Ingest articles: files, directories, `-` for stdin, or URLs.

    \b
    Example:
      monitor add article.html notes/ --outlet Reuters --date 2025-07-07
      curl -s https://example.org/a | monitor add - --title "Statement"
    """
    from monitor import inputs

    overrides = inputs.Overrides(title=title, outlet=outlet, published_at=published)
    items = inputs.read(sources, settings=app.settings, stdin=sys.stdin.buffer, overrides=overrides)
    _ingest_and_report(app, items, baseline=baseline, as_json=as_json)


@cli.command()
@click.argument("directory", default="seeds", type=click.Path(file_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Machine-readable results.")
@pass_app
@writes
def seed(app: App, directory: Path, as_json: bool) -> None:
    """Ingest the seed articles in DIRECTORY (default `seeds/`) as baselines."""
    from monitor import inputs

    _ingest_and_report(
        app, inputs.read_seeds(directory, app.settings), baseline=True, as_json=as_json
    )


def _ingest_and_report(app: App, items: Any, *, baseline: bool, as_json: bool) -> None:
    from monitor import report, views

    items = report.tracked(app.out, items, "ingesting", hidden=app.quiet or as_json)
    rows = views.ingest(app.db, items, now=app.now(), baseline=baseline, engine=app.engine)
    if as_json:
        app.print_json(rows)
    else:
        report.print_ingest(app.out, rows, quiet=app.quiet)
    if any(row["outcome"] == "error" for row in rows):
        sys.exit(1)  # the good items are stored; the exit code says some were not


@cli.command("list")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable listing.")
@pass_app
def list_documents(app: App, as_json: bool) -> None:
    """List stored documents by publication date."""
    rows = documents.listing(app.db)
    if as_json:
        app.print_json(rows)
        return
    from monitor import report

    report.print_documents(app.out, rows)


@cli.command()
@click.argument("ref")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable document.")
@pass_app
def show(app: App, ref: str, as_json: bool) -> None:
    """Show one document (id, URL, file path or locator): metadata, versions, changes, text."""
    data = documents.describe(app.db, ref)
    if as_json:
        app.print_json(data)
        return
    from monitor import report

    report.print_document(app.out, data)


@cli.command()
@click.argument("refs", nargs=-1)
@click.option("--format", "fmt", type=FORMATS, default="text", show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Same as --format json.")
@click.option("--actor", help="Position shifts of this actor (name or alias).")
@click.option("--issue", help="Position shifts on this issue.")
@click.option("--since", callback=_date, help="Shifts on or after this date.")
@click.option("--until", callback=_date, help="Shifts on or before this date.")
@click.option("--case-sensitive", is_flag=True, help="Edits of case alone count too.")
@click.option("--min-confidence", type=click.FloatRange(0, 1), default=0.0, help=_CONFIDENCE)
@pass_app
def diff(
    app: App,
    refs: tuple[str, ...],
    fmt: str,
    as_json: bool,
    actor: str | None,
    issue: str | None,
    since: date | None,
    until: date | None,
    case_sensitive: bool,
    min_confidence: float,
) -> None:
    """Show what changed between two texts, or in a document's latest edit; without
    documents, the position shifts (all of them, or by actor, issue and dates).

    \b
    A and B are document ids, URLs, files, or DOC@N for version N of a document:
      monitor diff 3 7          two documents
      monitor diff 3            the latest change of document 3
      monitor diff old.txt new.txt
      monitor diff --actor Hezbollah --since 2024-01-01 --json
    """
    fmt = "json" if as_json else fmt
    if not refs or actor or issue or since or until or min_confidence:
        if refs:
            raise click.UsageError("give documents or --actor/--issue/--since/--until, not both")
        from monitor import analysis

        shifts = analysis.list_shifts(
            app.db,
            app.profile,
            actor=actor,
            issue=issue,
            since=since,
            until=until,
            min_confidence=min_confidence,
        )
        if fmt == "json":
            app.print_json(shifts)
            return
        from monitor import report

        report.emit(app.out, report.render_shifts(shifts, fmt), fmt)
        return
    if len(refs) > 2:
        raise click.UsageError("diff takes at most two documents")
    from monitor import inputs, report  # file operands need the extractors; shifts do not
    from monitor.compare import compare

    if len(refs) == 2:  # two files need no database
        old = inputs.resolve_text(lambda: app.db, refs[0], app.settings)
        new = inputs.resolve_text(lambda: app.db, refs[1], app.settings)
    else:
        old, new = inputs.latest_two(app.db, refs[0])
    change = compare(old[1], new[1], actors=app.actor_finder(), case_sensitive=case_sensitive)
    if fmt == "json":
        app.print_json(report.change_to_dict(change, old_label=old[0], new_label=new[0]))
        return
    report.emit(app.out, report.render_change(change, fmt, old_label=old[0], new_label=new[0]), fmt)


@cli.command("report")
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="HTML file to write.",
)
@click.option("--actor", help="Only this actor.")
@click.option("--since", callback=_date, help="From this publication date, YYYY-MM-DD.")
@click.option("--until", callback=_date, help="Up to this publication date, YYYY-MM-DD.")
@pass_app
def report_command(
    app: App, output: Path, actor: str | None, since: date | None, until: date | None
) -> None:
    """Write one self-contained HTML file: timelines, shifts, drift, text changes, sources.

    \b
    Example:
      monitor report -o report.html --actor Hezbollah --since 2024-01-01
    """
    from monitor.html_report import build_report, previous_report, save

    page = build_report(
        app.db,
        profile=app.profile,
        actor=actor,
        since=since,
        until=until,
        now=app.now(),
        previous=previous_report(output),
    )
    size = save(output, page)
    if not app.quiet:
        click.echo(f"wrote {output} ({size / 1024:.0f} KB)")


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Machine-readable figures.")
@click.option(
    "--integrity", is_flag=True, help="Also check integrity (SQLite's quick_check; checksums)."
)
@pass_app
def status(app: App, as_json: bool, integrity: bool) -> None:
    """Health: failing sources, outbox backlog, dead letters, last round, database size.

    Exits 1 when something needs attention, so it can serve as a health check.
    """
    from monitor import views

    figures = views.status(app.db, app.settings.db, app.now(), integrity=integrity)
    if as_json:
        app.print_json(figures)
    else:
        from monitor import report

        report.print_status(app.out, figures)
    if not figures["healthy"]:
        sys.exit(1)


@cli.command()
@click.option("--keep", type=click.IntRange(min=1), required=True, help="Versions to keep.")
@pass_app
def gc(app: App, keep: int) -> None:
    """Delete all but the KEEP newest versions of every document."""
    removed = maintenance.gc(app.db, keep)
    click.echo(f"removed {count(removed, 'old version')}")


@cli.command()
@pass_app
def vacuum(app: App) -> None:
    """Compact the database file and refresh query statistics."""
    maintenance.vacuum(app.db)
    click.echo(f"vacuumed {app.db.name}")


@cli.command()
@click.argument("target", type=click.Path(dir_okay=False, path_type=Path))
@pass_app
def backup(app: App, target: Path) -> None:
    """Copy the database to TARGET while it is in use (restore: stop the daemon, copy back)."""
    size = maintenance.backup(app.db, target)
    click.echo(f"backed up {app.db.name} to {target} ({size / 1_048_576:.1f} MB)")


@cli.group("watch")
def watch_group() -> None:
    """Watch pages and feeds: `monitor check` and `monitor run` fetch them."""


def _filter_options(command: Any) -> Any:
    """The filter and request options `watch add`, `watch edit` and `watch test` share."""
    options = [
        click.option("--selector", multiple=True, help="CSS selector of the part to watch."),
        click.option("--xpath", multiple=True, help="XPath of the part to watch."),
        click.option("--json-path", help="JSONPath of the values to watch in a JSON answer."),
        click.option("--ignore", multiple=True, help="Drop lines matching this regex."),
        click.option("--trigger", multiple=True, help="Alert only when the text matches."),
        click.option("--header", multiple=True, help="'Name: value', ${VAR} from the env."),
        click.option("--cookie", help="Cookie header; give secrets as ${VAR}."),
        click.option("--user-agent", help="User-Agent for this watch."),
        click.option(
            "--browser/--no-browser",
            default=None,
            help="Render the page in headless Chromium first (pages that need JavaScript).",
        ),
    ]
    return _decorated(command, options)


def _watch_options(command: Any) -> Any:
    """The options `watch add` and `watch edit` share besides the filters."""
    options = [
        click.option("--every", help="Check interval, e.g. 30m, 2h, 1d [default: 30m]."),
        click.option("--name", help="A name for the watch."),
        click.option("--tag", "tags", multiple=True, help="A tag (repeatable)."),
        click.option("--max-tries", type=int, help="Failed checks before a source-failing alert."),
        click.option(
            "--case-sensitive/--case-insensitive",
            default=None,
            help="Count edits of case alone as changes [default: they are noise].",
        ),
    ]
    return _filter_options(_decorated(command, options))


def _decorated(command: Any, options: list[Any]) -> Any:
    """`command` with `options`, listed in `--help` in the order given."""
    for option in reversed(options):
        command = option(command)
    return command


def _options(params: dict[str, Any], *, editing: bool) -> Any:
    """Options from the command line; when editing, only what was given."""
    from monitor.page_filters import Filters
    from monitor.request_settings import RequestSettings
    from monitor.watch import Options

    filters = Filters.build(
        json_path=params["json_path"],
        css=params["selector"],
        xpath=params["xpath"],
        ignore=params["ignore"],
        trigger=params["trigger"],
    )
    request = RequestSettings.build(params["header"], params["cookie"], params["user_agent"])
    return Options(
        filters=filters if filters.steps or not editing else None,
        name=params.get("name"),
        tags=params.get("tags") or (None if editing else ()),
        request=request if request.headers or not editing else None,
        browser=params["browser"] if editing else bool(params["browser"]),
        case_sensitive=params.get("case_sensitive")
        if editing
        else bool(params.get("case_sensitive")),
        fail_after=params.get("max_tries"),
    )


@watch_group.command("add")
@click.argument("url")
@click.option("--feed", is_flag=True, help="URL is an RSS/Atom feed: watch its articles.")
@click.option("--no-robots", is_flag=True, help="Fetch even where robots.txt disallows it.")
@_watch_options
@pass_app
@writes
def watch_add(app: App, url: str, feed: bool, no_robots: bool, **params: Any) -> None:
    """Watch URL for changes, through filters applied in order before comparing.

    \b
    Example:
      monitor watch add https://example.org/news/article --every 1h --tag lebanon
      monitor watch add https://example.org/rss.xml --feed
      monitor watch add https://example.org/live --selector main --ignore 'updated .* ago'
    """
    from monitor import watch

    every = params.pop("every")
    interval = config.parse_interval(every) if every else app.settings.watch_interval
    options = _options(params, editing=False)
    watch.check_source(url, interval, options, app.settings)  # refused: no database created
    source = watch.add_source(
        app.db,
        url,
        now=app.now(),
        interval_s=interval,
        feed=feed,
        respect_robots=not no_robots,
        options=options,
        settings=app.settings,
    )
    click.echo(f"watching {url} as source {source}, every {interval}s")


@watch_group.command("edit")
@click.argument("source_id", type=int)
@click.option("--robots/--no-robots", default=None, help="Honour robots.txt or not.")
@click.option("--clear-filters", is_flag=True, help="Remove every filter first.")
@_watch_options
@pass_app
def watch_edit(
    app: App, source_id: int, robots: bool | None, clear_filters: bool, **params: Any
) -> None:
    """Change a watch in place; its documents and history stay.

    Filters of a kind given replace that kind's old ones; the others stay.

    \b
    Example:
      monitor watch edit 3 --every 2h --ignore '^Views: '
    """
    from monitor import watch

    every = params.pop("every")
    row = watch.edit_source(
        app.db,
        source_id,
        _options(params, editing=True),
        interval_s=config.parse_interval(every) if every else None,
        respect_robots=robots,
        clear_filters=clear_filters,
        settings=app.settings,
    )
    click.echo(f"edited source {source_id}: {watch.summary(row)}")


@watch_group.command("test")
@click.argument("url")
@_filter_options
@click.option("--json", "as_json", is_flag=True, help="Machine-readable result.")
@pass_app
def watch_test(app: App, url: str, as_json: bool, **params: Any) -> None:
    """Fetch URL once and print the text exactly as a watch with these filters would
    compare it, and what the filters removed. Writes nothing.

    \b
    Example:
      monitor watch test https://example.org/live --selector main --ignore 'ago$'
    """
    from monitor import watch

    result = watch.preview(url, _options(params, editing=False), app.settings)
    if as_json:
        app.print_json(result)
        return
    click.echo(result["text"])
    for step, line in result["removed"]:
        click.echo(f"removed by {step}: {line}", err=True)
    if not result["triggered"]:
        click.echo("the trigger does not match this text: no alert would go out", err=True)


@watch_group.command("list")
@click.option("--tag", help="Only watches with this tag.")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable listing.")
@pass_app
def watch_list(app: App, tag: str | None, as_json: bool) -> None:
    """List watched sources: state, last check and change, failures, next check, filters."""
    from monitor import views

    rows = views.watched_sources(app.db, tag)
    if as_json:
        app.print_json(rows)
        return
    from monitor import report

    report.print_sources(app.out, rows, app.now())


@watch_group.command("import")
@click.argument("path", type=click.Path(dir_okay=False, exists=True, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["yaml", "opml", "json"]), help="By suffix.")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable report.")
@pass_app
@writes
def watch_import(app: App, path: Path, fmt: str | None, as_json: bool) -> None:
    """Add the watches of a urlwatch job file (urls.yaml), an OPML subscription list (each
    feed a feed watch) or a `watch export --format json` file. Each job is reported with
    what could not be taken over; exits 1 when none was added.

    \b
    Example:
      monitor watch import ~/.config/urlwatch/urls.yaml
      monitor watch import feeds.opml
    """
    from monitor import watch_files

    jobs = watch_files.read(path, fmt)
    results = watch_files.add_jobs(
        app.db, jobs, now=app.now(), default_every_s=app.settings.watch_interval
    )
    if as_json:
        app.print_json(results)
    for r in [] if as_json else results:
        done = f"added as source {r['source']}" if r["added"] else f"not added: {r['error']}"
        click.echo(f"{r['job']}: {done}")
        for note in r["notes"]:
            click.echo(f"{r['job']}: {note}")
    if not any(r["added"] for r in results):
        sys.exit(1)


@watch_group.command("export")
@click.option("--format", "fmt", type=click.Choice(["yaml", "opml", "json"]), default="json")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path))
@pass_app
def watch_export(app: App, fmt: str, output: Path | None) -> None:
    """Write every watch as a urlwatch job file, an OPML list or JSON (stdout by default);
    what a format cannot hold is said on stderr.

    \b
    Example:
      monitor watch export --format opml -o feeds.opml
    """
    from monitor import watch_files

    text, notes = watch_files.export(app.db, fmt)
    for note in notes:
        click.echo(f"note: {note}", err=True)
    if output is None:
        click.echo(text, nl=False)
        return
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise Failure(f"cannot write {output}: {exc.strerror}") from None


@watch_group.command("rm")
@click.argument("source_id", type=int)
@pass_app
def watch_rm(app: App, source_id: int) -> None:
    """Stop watching a source (a feed's articles too); stored documents stay."""
    sources.remove(app.db, source_id)
    click.echo(f"removed source {source_id}")


@watch_group.command("pause")
@click.argument("source_id", type=int)
@pass_app
def watch_pause(app: App, source_id: int) -> None:
    """Pause a source (and a feed's articles) until `watch resume`."""
    sources.set_state(app.db, source_id, "paused")
    click.echo(f"paused source {source_id}")


@watch_group.command("resume")
@click.argument("source_id", type=int)
@pass_app
def watch_resume(app: App, source_id: int) -> None:
    """Resume a paused source."""
    sources.set_state(app.db, source_id, "active")
    click.echo(f"resumed source {source_id}")


@cli.command()
@click.option("--source", "source_id", type=int, help="Check only this source.")
@click.option("--dry-run", is_flag=True, help="Fetch and compare, but write nothing.")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable outcomes.")
@pass_app
@writes
def check(app: App, source_id: int | None, dry_run: bool, as_json: bool) -> None:
    """Check every active source now (or one): new, changed, unchanged, not-modified, error.

    \b
    Example:
      monitor check --json | jq '.[] | select(.outcome == "changed")'
    """
    from monitor import fetch, watch

    app.creates = not dry_run  # a dry run writes nothing, not even a new database
    live = not as_json and sys.stdout.isatty()  # on a pipe, all lines at the end, as before
    with fetch.make_client(app.settings) as client, _live_outcomes(app, live) as show:
        results = watch.check_round(
            app.db,
            client,
            app.settings,
            now=app.now(),
            source_id=source_id,
            due_only=False,
            dry_run=dry_run,
            report=show,
            engine=lambda: app.engine,
        )
    for line in [] if source_id is not None else watch.held_elsewhere(app.db, app.now()):
        click.echo(line, err=True)
    if as_json:
        app.print_json([r.as_dict() for r in results])
    elif not live:
        for r in results:
            click.echo(f"{r.source:>5}  {r.outcome:<12}  {r.url}  {r.detail}")
    if any(r.outcome == "error" for r in results):
        sys.exit(1)


def _live_outcomes(app: App, live: bool) -> AbstractContextManager[Any]:
    """A callback printing each check outcome as it completes (on a terminal), or None."""
    if not live:
        return nullcontext(None)
    from monitor import report

    return report.live_outcomes(app.out, progress=not app.quiet)


@cli.command()
@pass_app
def run(app: App) -> None:
    """Run the daemon: check sources when due, deliver alerts; SIGTERM or Ctrl-C stops it.

    Logs one JSON line per check on stderr. Only one daemon runs per database.
    """
    import logging

    logging.basicConfig(level=logging.WARNING, format="%(message)s", stream=sys.stderr)
    logging.getLogger("monitor").setLevel(logging.INFO)
    # A tick that finds the last round still running is skipped by design, not a warning.
    logging.getLogger("apscheduler").setLevel(logging.ERROR)
    from monitor import daemon  # the scheduler is imported only by the command that runs it

    daemon.run(app.settings)


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8080, show_default=True, type=click.IntRange(0, 65535))
@click.option("--public-read", is_flag=True, help="Allow reads from other machines too.")
@pass_app
def serve(app: App, host: str, port: int, public_read: bool) -> None:
    """Serve the web pages and the JSON API; writes need MONITOR_API_TOKEN.

    \b
    Example:
      MONITOR_API_TOKEN=$(openssl rand -hex 32) monitor serve --port 8080
    """
    import os

    try:
        from monitor.serve.app import Options, run
    except ImportError as exc:
        raise Failure(f"monitor serve needs the 'serve' extra ({exc.name} is missing)") from None
    token = os.environ.get(app.settings.api_token_env) or None
    options = Options(app.settings, token, public_read)
    writes = "writes need the API token" if token else "read-only: no API token is set"
    run(options, host, port, lambda url: click.echo(f"listening on {url} ({writes})"))


@cli.command("positions")
@click.argument("actor", required=False)
@click.option("--format", "fmt", type=FORMATS, default="text", show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Same as --format json.")
@click.option("--min-confidence", type=click.FloatRange(0, 1), default=0.0, help=_CONFIDENCE)
@click.option("--explain", is_flag=True, help="Show the claims behind each position.")
@pass_app
def positions_command(
    app: App, actor: str | None, fmt: str, as_json: bool, min_confidence: float, explain: bool
) -> None:
    """Timeline per issue: date, stance, evidence and source, for one actor or all.

    \b
    Example:
      monitor positions Hezbollah --explain
    """
    from monitor import analysis

    timelines = analysis.timelines(app.db, app.profile, actor, min_confidence=min_confidence)
    if explain:
        analysis.explain_timelines(app.db, app.engine, timelines)
    if as_json or fmt == "json":
        app.print_json(timelines)
        return
    from monitor import report

    report.emit(app.out, report.render_positions(timelines, fmt), fmt)
    if explain and fmt == "text":
        from monitor.engine.explain import render

        claims = [c for t in timelines for p in t["positions"] for c in p["claims"]]
        click.echo("\n" + render(claims))


@cli.command("explain")
@click.argument("document")
@click.option("--actor", help="Only this actor's claims (name or alias).")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable claims.")
@pass_app
def explain_command(app: App, document: str, actor: str | None, as_json: bool) -> None:
    """Why the engine reads a document as it does: each claim with its holder, cue,
    negation, condition, tense and attribution.

    \b
    Example:
      monitor explain 3 --actor Hezbollah
    """
    from monitor import analysis
    from monitor.engine.explain import render

    claims = analysis.explain_document(app.db, app.engine, document, actor)
    if as_json:
        app.print_json(claims)
        return
    click.echo(render(claims))


@cli.command("actors")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable listing.")
@pass_app
def actors_command(app: App, as_json: bool) -> None:
    """The actors the profile knows, their aliases, and how often they appear."""
    from monitor import analysis

    db = app.existing_db()  # the profile's actors need no database; their counts do
    rows = analysis.actors(db, app.profile if db else app.profile_spec)
    if as_json:
        app.print_json(rows)
    else:
        from monitor import report

        report.print_actors(app.out, rows)


@cli.command("issues")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable listing.")
@pass_app
def issues_command(app: App, as_json: bool) -> None:
    """The issues the profile knows, each with its ordered stance scale."""
    from monitor import analysis

    rows = analysis.issues(app.profile_spec)
    if as_json:
        app.print_json(rows)
    else:
        from monitor import report

        report.print_issues(app.out, rows)


@cli.command("drift")
@click.argument("actor")
@click.option("--from", "before", required=True, help="Period: YYYY, YYYY-MM, YYYY-MM-DD, A..B.")
@click.option("--to", "after", required=True, help="Later period, same forms.")
@click.option("--top", default=15, show_default=True, help="Phrases per direction.")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable result.")
@pass_app
def drift_command(app: App, actor: str, before: str, after: str, top: int, as_json: bool) -> None:
    """Talking-point drift: phrases about ACTOR that grew or shrank between two periods,
    with log-odds z-scores (informative Dirichlet prior); needs no issue in the profile.

    \b
    Example:
      monitor drift Hezbollah --from 2024 --to 2025
    """
    from monitor import analysis

    data = analysis.drift(app.db, app.engine, actor, before, after, top=top)
    if as_json:
        app.print_json(data)
    else:
        from monitor import report

        report.print_drift(app.out, data)


@cli.group("alerts")
def alerts_group() -> None:
    """Send position shifts, text changes and source problems by email, webhook or Apprise URL.

    \b
    Example:
      monitor alerts add mailto:desk@example.org --kind position-shift --status confirmed
      monitor alerts add https://hooks.example.org/monitor --digest 1h
      monitor alerts test && monitor alerts flush
    """


@alerts_group.command("add")
@click.argument("target")
@click.option(
    "--kind",
    "kinds",
    multiple=True,
    type=click.Choice(filters.KINDS),
    help="Only these events (repeatable) [default: all].",
)
@click.option(
    "--status",
    "statuses",
    multiple=True,
    type=click.Choice(filters.STATUSES),
    help="Only emerging or only confirmed position shifts.",
)
@click.option("--actor", "actors", multiple=True, help="Only shifts of this actor (repeatable).")
@click.option("--issue", "issues", multiple=True, help="Only shifts on this issue (repeatable).")
@click.option("--tag", "tags", multiple=True, help="Only events of watches with this tag.")
@click.option("--min-confidence", type=float, default=0.0, help="Shifts at least this sure, 0-1.")
@click.option(
    "--min-significance", type=float, default=0.0, help="Text changes at least this large, 0-1."
)
@click.option("--digest", help="At most one message per interval, e.g. 1h, grouping events.")
@click.option("--since", callback=_date, help="Also send events recorded since YYYY-MM-DD.")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable channel.")
@pass_app
@writes
def alerts_add(
    app: App,
    target: str,
    kinds: tuple[str, ...],
    statuses: tuple[str, ...],
    actors: tuple[str, ...],
    issues: tuple[str, ...],
    tags: tuple[str, ...],
    min_confidence: float,
    min_significance: float,
    digest: str | None,
    since: date | None,
    as_json: bool,
) -> None:
    """Send alerts to TARGET: mailto:ADDRESS, an http(s) webhook URL, or an Apprise URL
    (tgram://, slack://, ntfy://, json://…; tokens as ${VARIABLE}).

    Only events recorded from now on are sent, unless --since asks for older ones.
    """
    from monitor import analysis
    from monitor.alerts import channels

    actors, issues = analysis.resolve_names(app.profile_spec, actors, issues)
    wanted = filters.Filters.build(
        kinds, statuses, actors, issues, min_confidence, min_significance, tags
    )
    start = datetime.combine(since, time(), UTC) if since else None
    interval = config.parse_interval(digest) if digest else None
    channels.resolve(target)  # a bad target is refused before any database is created
    row = channels.add(app.db, target, wanted, app.now(), interval, start)
    if as_json:
        app.print_json(row)
    else:
        click.echo(f"added channel {row['id']}: {row['target']} ({row['summary']})")


@alerts_group.command("list")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable listing.")
@pass_app
def alerts_list(app: App, as_json: bool) -> None:
    """List channels with their filters and pending, failed and dead deliveries."""
    from monitor.alerts import channels

    rows = channels.listing(app.db)
    if as_json:
        app.print_json(rows)
        return
    for r in rows:
        digest = f", digest every {r['digest_s']}s" if r["digest_s"] else ""
        click.echo(f"{r['id']:>3}  {r['target']}  [{r['state']}{digest}]")
        click.echo(f"     {r['summary']}")
        click.echo(f"     pending {r['pending']}, failed {r['failed']}, dead {r['dead']}")
        if r["last_error"]:
            click.echo(f"     last error: {r['last_error']}")


@alerts_group.command("rm")
@click.argument("channel")
@pass_app
def alerts_rm(app: App, channel: str) -> None:
    """Remove CHANNEL (id or target) and whatever is still queued for it."""
    from monitor.alerts import channels

    row = channels.remove(app.db, channel)
    click.echo(f"removed channel {row['id']}: {row['target']}")


@alerts_group.command("pause")
@click.argument("channel")
@pass_app
def alerts_pause(app: App, channel: str) -> None:
    """Pause CHANNEL: it gets no new events and sends nothing until resumed."""
    from monitor.alerts import channels

    row = channels.set_paused(app.db, channel, True)
    click.echo(f"paused channel {row['id']}: {row['target']}")


@alerts_group.command("resume")
@click.argument("channel")
@pass_app
def alerts_resume(app: App, channel: str) -> None:
    """Resume a paused CHANNEL; what was queued before the pause is sent."""
    from monitor.alerts import channels

    row = channels.set_paused(app.db, channel, False)
    click.echo(f"resumed channel {row['id']}: {row['target']}")


@alerts_group.command("retry")
@click.argument("channel", required=False)
@pass_app
def alerts_retry(app: App, channel: str | None) -> None:
    """Queue failed and dead deliveries again (all, or CHANNEL's), with their keys."""
    from monitor.alerts import channels

    queued = channels.retry(app.db, app.now(), channel)
    click.echo(f"queued {count(queued, 'delivery', 'deliveries')} again")


@alerts_group.command("test")
@click.argument("channel", required=False)
@click.option("--json", "as_json", is_flag=True, help="Machine-readable outcomes.")
@pass_app
def alerts_test(app: App, channel: str | None, as_json: bool) -> None:
    """Send one sample of each event kind to CHANNEL (id or target; default: all).

    Shows what the server answered; exits 1 if any sample was refused. Queues nothing.
    """
    from monitor.alerts import deliver

    results = deliver.send_samples(app.db, app.now(), channel, app.settings)
    if as_json:
        app.print_json(results)
    else:
        for r in results:
            mark = "ok    " if r["ok"] else "FAILED"
            click.echo(f"{mark}  {r['target']}  {r['kind']:<16}  {r['detail']}")
    if not all(r["ok"] for r in results):
        sys.exit(1)


@alerts_group.command("flush")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable outcomes.")
@pass_app
def alerts_flush(app: App, as_json: bool) -> None:
    """Deliver every alert that is due now (`monitor run` does this each minute)."""
    from monitor.alerts import deliver

    result = deliver.flush(app.db, app.now(), app.settings).as_dict()
    if as_json:
        app.print_json(result)
    else:
        for m in result["messages"]:
            events = count(m["events"], "event")
            click.echo(f"{m['outcome']:<9}  {m['target']}  {events}  {m['detail']}")
        counts = ", ".join(f"{result[k]} {k}" for k in ("delivered", "retry", "failed", "dead"))
        click.echo(counts)
    if any(m["outcome"] != "delivered" for m in result["messages"]):
        sys.exit(1)  # something was not delivered: retried later, or kept as failed


@cli.command("search")
@click.argument("words")
@click.option("--actor", help="Only documents where this actor (name or alias) holds a position.")
@click.option("--since", callback=_date, help="Only documents published on or after this date.")
@click.option("--limit", type=click.IntRange(min=1), default=20, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Machine-readable rows.")
@pass_app
def search_command(
    app: App, words: str, actor: str | None, since: date | None, limit: int, as_json: bool
) -> None:
    """Find stored articles whose current text holds every word of WORDS, newest first."""
    from monitor.storage import search

    if actor is not None:
        from monitor.analysis import resolve_actor

        actor = resolve_actor(app.profile, actor)
    rows = search.search(app.db, words, actor=actor, since=since, limit=limit)
    if as_json:
        app.print_json(rows)
        return
    for r in rows:
        where = r["url"] or r["locator"]
        click.echo(f"{r['id']}\t{r['published_at'] or 'undated'}\t{r['title'] or ''}\t{where}")
    if not app.quiet:
        click.echo(f"{len(rows)} document{'s' if len(rows) != 1 else ''}", err=True)


@cli.group("db")
def db_group() -> None:
    """Move a whole database between SQLite and PostgreSQL."""


@db_group.command("copy")
@click.argument("source")
@click.argument("target")
@click.option("--force", is_flag=True, help="Replace whatever TARGET holds.")
@pass_app
def db_copy(app: App, source: str, target: str, force: bool) -> None:
    """Copy every row of SOURCE into TARGET (SQLite files or postgresql:// URLs), ids
    preserved, then check row counts and content hashes on both sides.

    The per-host politeness state (the `hosts` and `host_slots` tables: booked start
    times and request slots held by running daemons) is not copied: it belongs to the
    processes working on SOURCE, whose slots would block TARGET's daemons until they
    expired. TARGET's daemons make their own as they start.

    \b
    Example:
      monitor db copy db/monitor.db postgresql://monitor@db.example.org/monitor
    """
    from monitor.storage.copy import copy

    origin = connect(config.database(source), create=False)  # a copy never makes its source
    into = config.database(target)
    fresh = not storage.exists(into)
    try:
        destination = connect(into)
    except BaseException:
        origin.close()
        raise
    if fresh and not app.quiet:
        click.echo(f"created {into}", err=True)
    try:
        copied = copy(origin, destination, force=force)
    finally:
        origin.close()
        destination.close()
    total = sum(copied.rows.values())
    click.echo(
        f"copied {total} rows from {origin.name} to {destination.name}; "
        "counts and content hashes match"
    )


main = cli
