"""Renderers: turn results into terminal output, Markdown, JSON or HTML.

Everything that came from an article is untrusted: HTML output escapes it, and terminal
output never interprets it as rich markup.
"""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

_OUTCOME_STYLE = {
    "new": "green",
    "changed": "yellow",
    "reverted": "magenta",
    "unchanged": "dim",
    "not-modified": "dim",
    "error": "red",
}


def emit(console: Console, rendered: str, fmt: str) -> None:
    """Print a rendered result: text through rich (colour only on a terminal), others raw."""
    if fmt == "text":
        console.print(rendered)
    else:
        console.file.write(rendered if rendered.endswith("\n") else rendered + "\n")


def print_ingest(console: Console, rows: list[dict[str, Any]], *, quiet: bool) -> None:
    """One line per input, then a summary that names the failures."""
    for row in rows:
        if quiet and row["outcome"] != "error":
            continue
        style = _OUTCOME_STYLE.get(row["outcome"], "")
        doc = f" #{row['document']}" if row["document"] else ""
        detail = f"  [dim]{escape(row['detail'])}[/dim]" if row["detail"] else ""
        console.print(f"[{style}]{row['outcome']:>9}[/{style}]{doc}  {escape(row['item'])}{detail}")
    counts: dict[str, int] = {}
    for row in rows:
        counts[row["outcome"]] = counts.get(row["outcome"], 0) + 1
    summary = ", ".join(f"{n} {outcome}" for outcome, n in counts.items())
    failed = [row["item"] for row in rows if row["outcome"] == "error"]
    if failed:
        summary += " — failed: " + ", ".join(failed)
    console.print(escape(summary or "nothing to ingest"))


def print_document(console: Console, data: dict[str, Any]) -> None:
    table = Table(show_header=False, box=None)
    for key in ("id", "title", "outlet", "published_at", "date_source", "url", "locator"):
        if data.get(key) is not None:
            table.add_row(f"[bold]{key}[/bold]", escape(str(data[key])))
    table.add_row("[bold]baseline[/bold]", "yes" if data["is_baseline"] else "no")
    console.print(table)
    for version in data["versions"]:
        mark = " (current)" if version["current"] else ""
        console.print(f"  version {version['number']}  {version['fetched_at']}{mark}")
    for change in data["changes"]:
        console.print(
            f"  {change['kind']} {change['from']} → {change['to']}: {escape(change['summary'])}"
        )
    console.print()
    console.print(escape(data["text"]))
