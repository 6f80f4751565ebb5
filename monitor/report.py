"""Renderers: turn results into terminal output, Markdown, JSON or HTML.

Everything that came from an article is untrusted: HTML output escapes it, and terminal
output never interprets it as rich markup.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any, TypeVar

from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from monitor.models import SentenceEdit, TextChange
from monitor.text import count

_OUTCOME_STYLE = {
    "new": "green",
    "changed": "yellow",
    "reverted": "magenta",
    "redated": "cyan",
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


T = TypeVar("T")


def tracked(console: Console, items: Iterable[T], label: str, *, hidden: bool) -> Iterator[T]:
    """`items` as they are consumed, with a progress bar while they last: long ingests
    show they are alive. Nothing is drawn when `hidden` or when output is not a terminal."""
    if hidden or not console.is_terminal:
        yield from items
        return
    columns = (
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed} done"),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=console, transient=True) as progress:
        task = progress.add_task(label, total=None)
        for item in items:
            yield item
            progress.advance(task)


@contextmanager
def live_outcomes(console: Console, *, progress: bool) -> Iterator[Callable[[Any], None]]:
    """For a check round on a terminal: a callback that prints each outcome as it completes,
    under a progress line (unless `progress` is off) showing how many are done; a long
    round on one host shows it is alive instead of staying silent until it ends."""
    if not progress:
        yield lambda result: console.print(check_line(result))
        return
    columns = (
        SpinnerColumn(),
        TextColumn("checking"),
        TextColumn("{task.completed} done"),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=console, transient=True) as bar:
        task = bar.add_task("checking", total=None)

        def show(result: Any) -> None:
            console.print(check_line(result))
            bar.advance(task)

        yield show


def check_line(result: Any) -> str:
    """One check outcome (a `watch.CheckResult`) as rich markup: source, outcome, URL, why."""
    style = _OUTCOME_STYLE.get(result.outcome, "")
    return (
        f"{result.source:>5}  [{style}]{result.outcome:<12}[/{style}]  "
        f"{escape(result.url)}  {escape(result.detail)}"
    )


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
    summary = ", ".join(
        count(n, "error") if outcome == "error" else f"{n} {outcome}"
        for outcome, n in counts.items()
    )
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


# --- text changes ---------------------------------------------------------------------

_NOISE_NOTE = "whitespace, case, punctuation, boilerplate or timestamps"


def render_change(change: TextChange, fmt: str, *, old_label: str, new_label: str) -> str:
    """A text change as `text` (rich console markup: print it with a rich Console, which
    drops the colour when output is piped), `markdown`, `json` or `html`.

    Only meaningful edits are listed; noise edits are counted (JSON lists them, flagged).
    """
    renderers = {
        "text": _change_text,
        "markdown": _change_markdown,
        "json": _change_json,
        "html": _change_html,
    }
    if fmt not in renderers:
        raise ValueError(f"unknown format {fmt!r}; use one of {', '.join(renderers)}")
    return renderers[fmt](change, old_label, new_label)


def change_to_dict(change: TextChange, *, old_label: str, new_label: str) -> dict[str, Any]:
    """The JSON shape of a text change:

    {"old": label, "new": label, "meaningful": bool, "summary": str, "significance": 0..1,
     "headline": {"old", "new"}|null (a changed title line, apart from the body's edits),
     "counts": {"added", "removed", "changed", "moved", "noise"},
     "edits": [{"op": added|removed|changed|moved, "old": str|null, "new": str|null,
                "old_index": int|null, "new_index": int|null, "noise": bool,
                "negation": bool, "moved": bool, "headline": bool,
                "words": [{"op": equal|insert|delete, "text": str}]}]}

    Unchanged sentences are left out; indexes count sentences from 0 in each text.
    """
    return {
        "old": old_label,
        "new": new_label,
        "meaningful": change.meaningful,
        "summary": change.summary,
        "significance": change.significance,
        "headline": (
            {"old": change.headline[0], "new": change.headline[1]} if change.headline else None
        ),
        "counts": {
            "added": change.added,
            "removed": change.removed,
            "changed": change.changed,
            "moved": change.moved,
            "noise": change.noise,
        },
        "edits": [
            {
                "op": edit.op,
                "old": edit.old,
                "new": edit.new,
                "old_index": edit.old_index,
                "new_index": edit.new_index,
                "noise": edit.noise,
                "negation": edit.negation,
                "moved": edit.moved,
                "headline": edit.headline,
                "words": [{"op": op, "text": text} for op, text in edit.words],
            }
            for edit in change.edits
            if edit.op != "equal"
        ],
    }


def _headline(change: TextChange) -> str:
    line = change.summary
    if change.meaningful:
        line += f" · significance {change.significance:.2f}"
    if change.noise:
        line += f" · {count(change.noise, 'noise edit')} ignored ({_NOISE_NOTE})"
    return line


def _where(edit: SentenceEdit) -> str:
    return f"sentence {(edit.old_index or 0) + 1} → {(edit.new_index or 0) + 1}"


def _change_text(change: TextChange, old_label: str, new_label: str) -> str:
    lines = [
        f"[bold red]--- {escape(old_label)}[/]",
        f"[bold green]+++ {escape(new_label)}[/]",
        escape(_headline(change)),
    ]
    if change.headline:
        old, new = change.headline
        lines += ["", f"[bold]headline:[/] [red]{escape(old)}[/] → [green]{escape(new)}[/]"]
    for edit in change.meaningful_edits:
        lines.append("")
        if edit.op == "added":
            lines.append(f"[green]+ {escape(edit.new or '')}[/]")
        elif edit.op == "removed":
            lines.append(f"[red]- {escape(edit.old or '')}[/]")
        elif edit.op == "moved":
            lines.append(f"[cyan]↕ moved ({_where(edit)}):[/] {escape(edit.new or '')}")
        else:
            flag = " [bold reverse red] negation [/]" if edit.negation else ""
            moved = f" [cyan](moved, {_where(edit)})[/]" if edit.moved else ""
            lines.append(f"[yellow]~[/] {_words_text(edit)}{flag}{moved}")
    return "\n".join(lines)


def _words_text(edit: SentenceEdit) -> str:
    """Word marks that survive without colour: [-deleted-] and {+inserted+}."""
    return _marked_words(
        edit,
        {
            "equal": escape,
            "delete": lambda t: f"[red strike]{escape('[-' + t + '-]')}[/]",
            "insert": lambda t: f"[bold green underline]{escape('{+' + t + '+}')}[/]",
        },
    )


def _marked_words(edit: SentenceEdit, wrap: dict[str, Callable[[str], str]]) -> str:
    """The word pieces of a changed sentence, each wrapped for its op; spaces stay outside."""
    pieces = []
    for op, text in edit.words:
        core = text.strip()
        lead, trail = text[: len(text) - len(text.lstrip())], text[len(text.rstrip()) :]
        pieces.append(lead + (wrap[op](core) if core else "") + trail)
    return "".join(pieces)


def _change_markdown(change: TextChange, old_label: str, new_label: str) -> str:
    lines = [
        f"### {_md(old_label)} → {_md(new_label)}",
        "",
        f"**{_md(_headline(change))}**",
        "",
    ]
    if change.headline:
        old, new = change.headline
        lines.append(f"- **headline:** ~~{_md(old)}~~ → {_md(new)}")
    for edit in change.meaningful_edits:
        if edit.op == "added":
            lines.append(f"- **added:** {_md(edit.new or '')}")
        elif edit.op == "removed":
            lines.append(f"- **removed:** ~~{_md(edit.old or '')}~~")
        elif edit.op == "moved":
            lines.append(f"- **moved** ({_where(edit)}): {_md(edit.new or '')}")
        else:
            flag = " ⚠ **negation**" if edit.negation else ""
            moved = f" (moved, {_where(edit)})" if edit.moved else ""
            lines.append(f"- **changed:**{flag} {_words_markdown(edit)}{moved}")
    return "\n".join(lines).rstrip() + "\n"


def _words_markdown(edit: SentenceEdit) -> str:
    return _marked_words(
        edit,
        {"equal": _md, "delete": lambda t: f"~~{_md(t)}~~", "insert": lambda t: f"**{_md(t)}**"},
    )


_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+!|~])")


def _md(text: str) -> str:
    """Article text as inert Markdown: HTML escaped, emphasis and link syntax backslashed."""
    return _MD_SPECIAL.sub(r"\\\1", html.escape(text, quote=False))


def _change_json(change: TextChange, old_label: str, new_label: str) -> str:
    data = change_to_dict(change, old_label=old_label, new_label=new_label)
    return json.dumps(data, ensure_ascii=False, indent=2)


_HTML_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>{title}</title>
<style>
body {{ font: 16px/1.5 system-ui, sans-serif; max-width: 50em; margin: 2em auto; }}
li {{ margin: .5em 0; }} .op {{ font-weight: bold; margin-right: .5em; }}
.added .op, ins {{ color: #176b2c; }} .removed .op, del {{ color: #a1121c; }}
ins {{ background: #e6ffec; text-decoration: underline; }} del {{ background: #ffebe9; }}
.removed .text {{ text-decoration: line-through; }} .negation {{ color: #fff;
background: #a1121c; padding: 0 .3em; border-radius: .2em; }} .meta {{ color: #555; }}
</style></head>
<body>
<h1>{title}</h1>
{body}
</body></html>
"""


def _change_html(change: TextChange, old_label: str, new_label: str) -> str:
    """A self-contained page; every string from an article or label is escaped."""
    return _HTML_PAGE.format(
        title=html.escape(f"{old_label} → {new_label}"), body=change_html_fragment(change)
    )


def change_html_fragment(change: TextChange) -> str:
    """The headline and edit list of a text change, for embedding in a larger page."""
    items = "\n".join(_html_item(edit) for edit in change.meaningful_edits)
    title = ""
    if change.headline:
        old, new = (html.escape(t) for t in change.headline)
        title = f'<p class="headline">Headline: <del>{old}</del> → <ins>{new}</ins></p>\n'
    return (
        f'<p class="meta">{html.escape(_headline(change))}</p>\n{title}'
        f'<ul class="edits">\n{items}\n</ul>'
    )


def _html_item(edit: SentenceEdit) -> str:
    if edit.op == "changed":
        flag = ' <span class="negation">negation</span>' if edit.negation else ""
        flag += f" (moved, {html.escape(_where(edit))})" if edit.moved else ""
        words = "".join(_html_word(op, text) for op, text in edit.words)
        body = f'<span class="text">{words}</span>{flag}'
    else:
        where = f" ({html.escape(_where(edit))})" if edit.op == "moved" else ""
        text = edit.new if edit.op != "removed" else edit.old
        body = f'<span class="text">{html.escape(text or "")}</span>{where}'
    return f'<li class="{edit.op}"><span class="op">{edit.op}</span>{body}</li>'


def _html_word(op: str, text: str) -> str:
    escaped = html.escape(text)
    tag = {"delete": "del", "insert": "ins"}.get(op)
    return f"<{tag}>{escaped}</{tag}>" if tag else escaped


def print_status(console: Console, figures: dict[str, Any]) -> None:
    """`monitor status` for a person: one verdict line, then the figures that explain it."""
    verdict = "[green]healthy[/green]" if figures["healthy"] else "[red]needs attention[/red]"
    console.print(f"{verdict}  {figures['database_bytes'] / 1_048_576:.1f} MB database")
    console.print(
        f"documents {figures['documents']}  versions {figures['versions']}  "
        f"shifts {figures['shifts']}  sources {figures['sources']}  "
        f"last round {figures['last_round'] or 'never'}"
    )
    console.print(
        f"outbox: {figures['outbox_pending']} pending, {figures['outbox_failed']} failed, "
        f"{count(figures['dead_letters'], 'dead letter')}"
    )
    for claim in figures["claims"]:
        state = "[red]stale claim[/red]" if claim["stale"] else "being checked"
        held = claim["sources"]
        console.print(
            f"{state}: {held} source{'' if held == 1 else 's'} held by {escape(claim['holder'])} "
            f"since {claim['since'] or 'unknown'}, lease until {claim['until']}"
            + (" (released at the next round)" if claim["stale"] else "")
        )
    for source in figures["failing_sources"]:
        console.print(
            f"[red]failing[/red] #{source['id']} {escape(source['url'])} "
            f"({count(source['failures'], 'failure')}): {escape(source['error'] or '')}"
        )
    if figures["integrity"] != "not checked":
        console.print(f"integrity: {escape(figures['integrity'])}")


# -- position shifts and timelines ------------------------------------------------------


def render_shifts(shifts: list[dict[str, Any]], fmt: str) -> str:
    """Position shifts (DESIGN §5 objects) as text, markdown or html."""
    if fmt == "markdown":
        return _shifts_markdown(shifts)
    if fmt == "html":
        return _shifts_html(shifts)
    if not shifts:
        return "[dim]no position shifts[/dim]"
    return "\n\n".join(_shift_text(s) for s in shifts)


def _shift_text(shift: dict[str, Any]) -> str:
    old, new = shift["from"], shift["to"]
    style = "bold yellow" if shift["status"] == "confirmed" else "yellow"
    lines = [
        f"[bold]{escape(shift['actor'])}[/bold] · {escape(shift['issue'])}: "
        f"[red]{escape(old['stance'])}[/red] → [green]{escape(new['stance'])}[/green]  "
        f"[{style}]{shift['status']}[/{style}] (confidence {shift['confidence']:.2f})",
    ]
    for label, side in (("before", old), ("after ", new)):
        lines.append(
            f"  {label} {side['date']}  {escape(side['outlet'] or 'unknown outlet')}"
            f" [dim](document {side['document']})[/dim]"
        )
        lines.append(f"         “{escape(_clip(side['evidence']))}”")
    return "\n".join(lines)


def _shifts_markdown(shifts: list[dict[str, Any]]) -> str:
    if not shifts:
        return "_No position shifts._\n"
    parts = ["# Position shifts", ""]
    for s in shifts:
        old, new = s["from"], s["to"]
        parts += [
            f"## {_md(s['actor'])} · {_md(s['issue'])}: {old['stance']} → {new['stance']}",
            "",
            f"*{s['status']}*, confidence {s['confidence']:.2f}",
            "",
            f"- **{old['date']}**, {_md(old['outlet'] or 'unknown outlet')}: "
            f"“{_md(_clip(old['evidence']))}”",
            f"- **{new['date']}**, {_md(new['outlet'] or 'unknown outlet')}: "
            f"“{_md(_clip(new['evidence']))}”",
            "",
        ]
    return "\n".join(parts)


def _shifts_html(shifts: list[dict[str, Any]]) -> str:
    rows = []
    for s in shifts:
        cells = [s["actor"], s["issue"], f"{s['from']['stance']} → {s['to']['stance']}"]
        cells += [s["status"], f"{s['confidence']:.2f}"]
        for side in (s["from"], s["to"]):
            outlet = side["outlet"] or "unknown outlet"
            cells.append(f"{side['date']} · {outlet}: “{_clip(side['evidence'])}”")
        rows.append("<tr>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in cells) + "</tr>")
    head = "".join(
        f"<th>{h}</th>"
        for h in ("actor", "issue", "shift", "status", "confidence", "before", "after")
    )
    return (
        '<!doctype html><meta charset="utf-8"><title>Position shifts</title>'
        f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>\n"
    )


def render_positions(timelines: list[dict[str, Any]], fmt: str) -> str:
    """Timelines per (actor, issue): date, stance, evidence and source, as text, markdown
    or html."""
    if fmt == "markdown":
        parts = []
        for t in timelines:
            parts += [f"## {_md(t['actor'])} · {_md(t['issue'])}", ""]
            parts += [
                f"- {p['date']} **{p['stance']}** ({_md(p['outlet'] or 'unknown outlet')}): "
                f"{_md(_clip(p['evidence']))}"
                for p in t["positions"]
            ]
            parts.append("")
        return "\n".join(parts) or "_No positions._\n"
    if fmt == "html":
        items = "".join(
            f"<h2>{html.escape(t['actor'])} · {html.escape(t['issue'])}</h2><ul>"
            + "".join(
                f"<li>{p['date']} <b>{html.escape(p['stance'])}</b> "
                f"({html.escape(p['outlet'] or 'unknown outlet')}): "
                f"{html.escape(_clip(p['evidence']))}</li>"
                for p in t["positions"]
            )
            + "</ul>"
            for t in timelines
        )
        return f'<!doctype html><meta charset="utf-8"><title>Positions</title>{items}\n'
    if not timelines:
        return "[dim]no positions[/dim]"
    blocks = []
    for t in timelines:
        lines = [
            f"[bold]{escape(t['actor'])}[/bold] · {escape(t['issue'])}  "
            f"[dim]{' → '.join(t['scale'])}[/dim]"
        ]
        for p in t["positions"]:
            lines.append(
                f"  {p['date']}  [cyan]{escape(p['stance']):<12}[/cyan] "
                f"{escape(p['outlet'] or 'unknown outlet')}: “{escape(_clip(p['evidence'], 140))}”"
            )
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)


def print_documents(console: Console, rows: list[dict[str, Any]]) -> None:
    table = Table("id", "published", "outlet", "title", "versions", box=None)
    for r in rows:
        table.add_row(
            str(r["id"]),
            r["published_at"] or "[dim]undated[/dim]",
            escape(r["outlet"] or ""),
            escape(r["title"] or ""),
            str(r["versions"]),
        )
    console.print(table)


_SOURCE_HEAD = ("id", "state", "kind", "every", "checked", "changed", "next", "fails")


def print_sources(console: Console, rows: list[dict[str, Any]], now: datetime) -> None:
    """Watched sources, two lines each so they read at 80 columns: the figures (times
    relative to `now`), then the address (and selector) in the full width; a feed's
    articles follow it, marked └."""
    cells = [_source_cells(r, now) for r in rows]
    widths = [max(len(row[i]) for row in [_SOURCE_HEAD, *cells]) for i in range(len(_SOURCE_HEAD))]
    console.print(
        "[bold]"
        + "  ".join(h.ljust(w) for h, w in zip(_SOURCE_HEAD, widths, strict=True)).rstrip()
        + "[/bold]"
    )
    indent = " " * (widths[0] + 2)
    for r, row in zip(rows, cells, strict=True):
        line = "  ".join(escape(c.ljust(w)) for c, w in zip(row, widths, strict=True)).rstrip()
        console.print(
            line.replace("failing", "[red]failing[/red]", 1) if r["state"] == "failing" else line
        )
        where = ("└ " if r["feed"] else "") + short_url(str(r["url"]), console.width - len(indent))
        console.print(f"{indent}[dim]{escape(where)}[/dim]")
        labels = [r["name"] or "", " ".join(f"#{t}" for t in r["tags"])]
        if any(labels):
            console.print(f"{indent}{escape('  '.join(x for x in labels if x))}")
        for step in r["filters"]:  # named as the options that set them: --selector, --xpath…
            for kind, value in step.items():
                option = "selector" if kind == "css" else kind
                console.print(f"{indent}[dim]{escape(option)} {escape(str(value))}[/dim]")


def _source_cells(r: dict[str, Any], now: datetime) -> tuple[str, ...]:
    return (
        str(r["id"]),
        str(r["state"]),
        "article" if r["feed"] else str(r["kind"]).replace("url", "page"),
        duration(r["every_s"]),
        relative(r["last_check"], now, never="never"),
        relative(r["last_change"], now, never="never"),
        relative(r["next_check"], now, never="-", passed="due"),
        str(r["failures"]),
    )


def relative(stamp: str | None, now: datetime, *, never: str, passed: str | None = None) -> str:
    """'3 h ago', 'in 12 min', 'now': when something happened or is due, as people say it;
    `passed` replaces a time gone by (a check that is due)."""
    if not stamp:
        return never
    seconds = (datetime.fromisoformat(stamp) - now).total_seconds()
    if passed is not None and seconds < 60:
        return passed
    if abs(seconds) < 60:
        return "now"
    return f"in {duration(seconds)}" if seconds > 0 else f"{duration(-seconds)} ago"


def duration(seconds: float) -> str:
    """45 s, 12 min, 3 h, 2 d: the largest unit that keeps the number at least 1."""
    for unit, size in (("d", 86400), ("h", 3600), ("min", 60)):
        if seconds >= size:
            return (
                f"{round(seconds / size)} {unit}"
                if seconds < 10 * size
                else f"{seconds // size:.0f} {unit}"
            )
    return f"{seconds:.0f} s"


def short_url(url: str, width: int) -> str:
    """An address without its scheme and `www.`, cut in the middle (host and the end of
    the path kept) when it is wider than `width`."""
    bare = re.sub(r"^https?://(www\.)?", "", url).rstrip("/")
    if len(bare) <= width:
        return bare
    keep = width - 1
    head = min(len(bare.split("/", 1)[0]) + 1, keep // 2)
    return bare[:head] + "…" + bare[len(bare) - (keep - head) :]


def print_actors(console: Console, rows: list[dict[str, Any]]) -> None:
    table = Table("actor", "documents", "shifts", "last", "aliases", box=None)
    for r in rows:
        aliases = ", ".join([*r["aliases"], *r["people"]][:8])
        table.add_row(r["actor"], str(r["documents"]), str(r["shifts"]), r["last"] or "", aliases)
    console.print(table)


def print_issues(console: Console, rows: list[dict[str, Any]]) -> None:
    table = Table("issue", "scale", "actors", "question", box=None)
    for r in rows:
        table.add_row(r["issue"], " → ".join(r["scale"]), ", ".join(r["actors"]), r["question"])
    console.print(table)


def print_drift(console: Console, data: dict[str, Any]) -> None:
    console.print(
        f"[bold]{escape(data['actor'])}[/bold]: {data['from']['period']} "
        f"({count(data['from']['sentences'], 'sentence')}) → {data['to']['period']} "
        f"({count(data['to']['sentences'], 'sentence')})"
    )
    for label, key in (("grew", "grew"), ("shrank", "shrank")):
        table = Table(label, "z", "before", "after", box=None)
        for p in data[key]:
            table.add_row(escape(p["text"]), f"{p['z']:+.2f}", str(p["before"]), str(p["after"]))
        console.print(table if data[key] else f"[dim]nothing {label} significantly[/dim]")
    console.print(f"[dim]phrases whose change in use has |z| ≥ {data['min_z']}[/dim]")


def _clip(text: str, limit: int = 280) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
