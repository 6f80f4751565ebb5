"""The `monitor` command. Each command parses, calls one library function, formats the result.

Errors from the library (`MonitorError`) become one line on stderr and exit code 1 in
`MonitorGroup`, the only place that translates them.
"""

from __future__ import annotations

import json
import sqlite3
import sys
from collections import Counter
from datetime import UTC, date, datetime, time
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from monitor import config
from monitor.alerts import filters
from monitor.errors import MonitorError
from monitor.storage import connect, documents, maintenance, sources
from monitor.storage import positions as position_store
from monitor.text import parse_date

if TYPE_CHECKING:
    from rich.console import Console

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

    @cached_property
    def out(self) -> Console:
        from rich.console import Console

        return Console(highlight=False, soft_wrap=True, emoji=False)

    @cached_property
    def db(self) -> sqlite3.Connection:
        return connect(self.settings.db)

    @cached_property
    def profile(self) -> Profile:
        """The profile in use; stored results made under another one are recomputed first."""
        from monitor import analysis_version, profile

        loaded = profile.load(self.settings.profile)
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

    def close(self) -> None:
        if "db" in self.__dict__:
            self.db.close()

    def now(self) -> datetime:
        return datetime.now(UTC)

    def print_json(self, data: Any) -> None:
        """Indented on a terminal; one compact line when piped (the fast C encoder)."""
        indent = 2 if sys.stdout.isatty() else None
        click.echo(json.dumps(data, indent=indent, ensure_ascii=False, default=str))


pass_app = click.make_pass_decorator(App)


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


class MonitorGroup(click.Group):
    """Translates every library error into a `Failure`, in this one place."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except MonitorError as exc:
            raise Failure(str(exc)) from None
        except sqlite3.Error as exc:
            raise Failure(f"database: {exc}") from None


@click.group(cls=MonitorGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--db", type=click.Path(dir_okay=False), help="SQLite file [env MONITOR_DB].")
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
def seed(app: App, directory: Path, as_json: bool) -> None:
    """Ingest the seed articles in DIRECTORY (default `seeds/`) as baselines."""
    from monitor import inputs

    _ingest_and_report(
        app, inputs.read_seeds(directory, app.settings), baseline=True, as_json=as_json
    )


def _ingest_and_report(app: App, items: Any, *, baseline: bool, as_json: bool) -> None:
    from monitor import pipeline, report

    items = report.tracked(app.out, items, "ingesting", hidden=app.quiet or as_json)

    results = pipeline.ingest_items(
        app.db, items, now=app.now(), baseline=baseline, engine=app.engine
    )
    rows = [r.as_dict() for r in results]
    if as_json:
        app.print_json(rows)
    else:
        report.print_ingest(app.out, rows, quiet=app.quiet)
    counts = Counter(row["outcome"] for row in rows)
    if counts["error"] and counts["error"] == len(rows):
        sys.exit(1)


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
    """Show one document (id, URL or locator): metadata, versions, changes and current text."""
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

    if len(refs) == 2:
        old = inputs.resolve_text(app.db, refs[0], app.settings)
        new = inputs.resolve_text(app.db, refs[1], app.settings)
    else:
        old, new = inputs.latest_two(app.db, refs[0])
    change = compare(old[1], new[1])
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
    from monitor.html_report import build_report, save

    page = build_report(
        app.db, profile=app.profile, actor=actor, since=since, until=until, now=app.now()
    )
    size = save(output, page)
    if not app.quiet:
        click.echo(f"wrote {output} ({size / 1024:.0f} KB)")


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Machine-readable figures.")
@click.option("--integrity", is_flag=True, help="Also run SQLite's quick_check.")
@pass_app
def status(app: App, as_json: bool, integrity: bool) -> None:
    """Health: failing sources, outbox backlog, dead letters, last round, database size.

    Exits 1 when something needs attention, so it can serve as a health check.
    """
    figures = maintenance.health(app.db, app.settings.db, app.now())
    if integrity:
        figures["integrity"] = maintenance.integrity(app.db)
        figures["healthy"] = figures["healthy"] and figures["integrity"] == "ok"
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
    click.echo(f"removed {removed} old version{'s' if removed != 1 else ''}")


@cli.command()
@pass_app
def vacuum(app: App) -> None:
    """Compact the database file and refresh query statistics."""
    maintenance.vacuum(app.db)
    click.echo(f"vacuumed {app.settings.db}")


@cli.command()
@click.argument("target", type=click.Path(dir_okay=False, path_type=Path))
@pass_app
def backup(app: App, target: Path) -> None:
    """Copy the database to TARGET while it is in use (restore: stop the daemon, copy back)."""
    size = maintenance.backup(app.db, target)
    click.echo(f"backed up {app.settings.db} to {target} ({size / 1_048_576:.1f} MB)")


@cli.group("watch")
def watch_group() -> None:
    """Watch pages and feeds: `monitor check` and `monitor run` fetch them."""


@watch_group.command("add")
@click.argument("url")
@click.option("--every", help="Check interval, e.g. 30m, 2h, 1d [default: 30m].")
@click.option("--feed", is_flag=True, help="URL is an RSS/Atom feed: watch its articles.")
@click.option("--selector", help="CSS selector of the part of the page to watch.")
@click.option("--no-robots", is_flag=True, help="Fetch even where robots.txt disallows it.")
@pass_app
def watch_add(
    app: App, url: str, every: str | None, feed: bool, selector: str | None, no_robots: bool
) -> None:
    """Watch URL for changes.

    \b
    Example:
      monitor watch add https://example.org/news/article --every 1h
      monitor watch add https://example.org/rss.xml --feed
    """
    from monitor import watch

    interval = config.parse_interval(every) if every else app.settings.watch_interval
    source = watch.add_source(
        app.db,
        url,
        now=app.now(),
        interval_s=interval,
        feed=feed,
        selector=selector,
        respect_robots=not no_robots,
    )
    click.echo(f"watching {url} as source {source}, every {interval}s")


@watch_group.command("list")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable listing.")
@pass_app
def watch_list(app: App, as_json: bool) -> None:
    """List watched sources: state, last check and change, failures, next check."""
    from monitor import watch

    rows = [watch.describe(row) for row in sources.listing(app.db)]
    if as_json:
        app.print_json(rows)
        return
    from monitor import report

    report.print_sources(app.out, rows)


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
def check(app: App, source_id: int | None, dry_run: bool, as_json: bool) -> None:
    """Check every active source now (or one): new, changed, unchanged, not-modified, error.

    \b
    Example:
      monitor check --json | jq '.[] | select(.outcome == "changed")'
    """
    from monitor import fetch, watch

    with fetch.make_client(app.settings) as client:
        results = watch.check_round(
            app.db,
            client,
            app.settings,
            now=app.now(),
            source_id=source_id,
            due_only=False,
            dry_run=dry_run,
            engine=lambda: app.engine,
        )
    if as_json:
        app.print_json([r.as_dict() for r in results])
    else:
        for r in results:
            click.echo(f"{r.source:>5}  {r.outcome:<12}  {r.url}  {r.detail}")
    if results and all(r.outcome == "error" for r in results):
        sys.exit(1)


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

    rows = analysis.actors(app.db, app.profile)
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
    from monitor import analysis, profile

    rows = analysis.issues(profile.load(app.settings.profile))
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
    """Send position shifts, text changes and source problems by email or webhook.

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
@click.option("--min-confidence", type=float, default=0.0, help="Shifts at least this sure, 0-1.")
@click.option(
    "--min-significance", type=float, default=0.0, help="Text changes at least this large, 0-1."
)
@click.option("--digest", help="At most one message per interval, e.g. 1h, grouping events.")
@click.option("--since", callback=_date, help="Also send events recorded since YYYY-MM-DD.")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable channel.")
@pass_app
def alerts_add(
    app: App,
    target: str,
    kinds: tuple[str, ...],
    statuses: tuple[str, ...],
    actors: tuple[str, ...],
    issues: tuple[str, ...],
    min_confidence: float,
    min_significance: float,
    digest: str | None,
    since: date | None,
    as_json: bool,
) -> None:
    """Send alerts to TARGET: mailto:ADDRESS or an http(s) webhook URL.

    Only events recorded from now on are sent, unless --since asks for older ones.
    """
    from monitor.alerts import channels

    wanted = filters.Filters.build(
        kinds, statuses, actors, issues, min_confidence, min_significance
    )
    start = datetime.combine(since, time(), UTC) if since else None
    interval = config.parse_interval(digest) if digest else None
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

    count = channels.retry(app.db, app.now(), channel)
    click.echo(f"queued {count} deliver{'y' if count == 1 else 'ies'} again")


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
        return
    for m in result["messages"]:
        click.echo(f"{m['outcome']:<9}  {m['target']}  {m['events']} event(s)  {m['detail']}")
    counts = ", ".join(f"{result[k]} {k}" for k in ("delivered", "retry", "failed", "dead"))
    click.echo(counts)


main = cli
