"""The `monitor` command. Each command parses, calls one library function, formats the result.

Errors from the library (`MonitorError`) become one line on stderr and exit code 1 in
`MonitorGroup`, the only place that translates them.
"""

from __future__ import annotations

import json
import sqlite3
import sys
from collections import Counter
from datetime import UTC, date, datetime
from functools import cached_property
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.table import Table
from sqlite_utils import Database

from monitor import config, inputs, pipeline, report
from monitor.compare import compare
from monitor.errors import MonitorError
from monitor.storage import connect, documents, maintenance

FORMATS = click.Choice(["text", "markdown", "json", "html"])


class App:
    """What every command shares: settings, and the database opened on first use."""

    def __init__(self, settings: config.Settings, quiet: bool) -> None:
        self.settings = settings
        self.quiet = quiet
        self.out = Console(highlight=False, soft_wrap=True)

    @cached_property
    def db(self) -> Database:
        return connect(self.settings.db)

    def now(self) -> datetime:
        return datetime.now(UTC)

    def print_json(self, data: Any) -> None:
        click.echo(json.dumps(data, indent=2, ensure_ascii=False, default=str))


pass_app = click.make_pass_decorator(App)


def _date(_ctx: click.Context, _param: click.Parameter, value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return inputs.parse_date(value)
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
    overrides = inputs.Overrides(title=title, outlet=outlet, published_at=published)
    items = inputs.read(sources, settings=app.settings, stdin=sys.stdin.buffer, overrides=overrides)
    _ingest_and_report(app, items, baseline=baseline, as_json=as_json)


@cli.command()
@click.argument("directory", default="seeds", type=click.Path(file_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Machine-readable results.")
@pass_app
def seed(app: App, directory: Path, as_json: bool) -> None:
    """Ingest the seed articles in DIRECTORY (default `seeds/`) as baselines."""
    _ingest_and_report(
        app, inputs.read_seeds(directory, app.settings), baseline=True, as_json=as_json
    )


def _ingest_and_report(app: App, items: Any, *, baseline: bool, as_json: bool) -> None:
    results = pipeline.ingest_items(app.db, items, now=app.now(), baseline=baseline)
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
    table = Table("id", "published", "outlet", "title", "versions", box=None)
    for row in rows:
        published = row["published_at"] or "[dim]undated[/dim]"
        table.add_row(
            str(row["id"]), published, row["outlet"] or "", row["title"] or "", str(row["versions"])
        )
    app.out.print(table)


@cli.command()
@click.argument("ref")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable document.")
@pass_app
def show(app: App, ref: str, as_json: bool) -> None:
    """Show one document (id, URL or locator): metadata, versions, changes and current text."""
    data = documents.describe(app.db, ref)
    if as_json:
        app.print_json(data)
    else:
        report.print_document(app.out, data)


@cli.command()
@click.argument("refs", nargs=-1)
@click.option("--format", "fmt", type=FORMATS, default="text", show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Same as --format json.")
@pass_app
def diff(app: App, refs: tuple[str, ...], fmt: str, as_json: bool) -> None:
    """Show what changed between two texts, or in a document's latest edit.

    \b
    A and B are document ids, URLs, files, or DOC@N for version N of a document:
      monitor diff 3 7          two documents
      monitor diff 3            the latest change of document 3
      monitor diff old.txt new.txt
    """
    fmt = "json" if as_json else fmt
    if len(refs) > 2:
        raise click.UsageError("diff takes at most two documents")
    if len(refs) == 2:
        old = inputs.resolve_text(app.db, refs[0], app.settings)
        new = inputs.resolve_text(app.db, refs[1], app.settings)
    elif len(refs) == 1:
        old, new = inputs.latest_two(app.db, refs[0])
    else:
        raise click.UsageError("name one or two documents")
    change = compare(old[1], new[1])
    report.emit(app.out, report.render_change(change, fmt, old_label=old[0], new_label=new[0]), fmt)


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


main = cli
