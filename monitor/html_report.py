"""One self-contained HTML file for people who will not run the CLI.

`gather` reads what the report shows into a `Report`; `render` turns that into a page
with inline CSS and SVG only: no script, no font, no image from elsewhere, and a
Content-Security-Policy that forbids them, so the file opens offline and nothing in an
article can run in it. Every string that came from an article (titles, text, outlets,
URLs) is escaped, and only http(s) URLs become links.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from monitor import analysis, charts, drift, report
from monitor.compare import compare
from monitor.drift import SIGNIFICANT_Z
from monitor.errors import ConfigError
from monitor.models import Position, TextChange
from monitor.profile import Profile
from monitor.storage import Connection, positions, reporting, sources
from monitor.text import count

MAX_SHIFTS = 200  # the newest; the charts still mark every one
MAX_CHANGES = 20
MAX_TIP = 220  # characters of evidence in a chart tooltip
MAX_PHRASES = 8  # per direction in talking-point drift
MAX_LISTED = 5  # newest points per chart whose evidence is written out under it
_GENERATED = re.compile(r'<meta name="generated" content="([^"]+)">')

Row = dict[str, Any]


@dataclass(frozen=True)
class End:
    """One side of a shift: the document that states the stance."""

    stance: str
    date: date
    document: int
    evidence: str
    outlet: str | None = None
    title: str | None = None
    url: str | None = None


@dataclass(frozen=True)
class ShiftItem:
    actor: str
    issue: str
    status: str  # emerging | confirmed
    confidence: float
    before: End
    after: End


@dataclass(frozen=True)
class Timeline:
    """One actor's stances on one issue, in publication order, and the shifts between them."""

    actor: str
    issue: str
    question: str
    scale: tuple[str, ...]
    positions: tuple[Position, ...]
    shifts: tuple[ShiftItem, ...] = ()


@dataclass(frozen=True)
class Drift:
    """Phrases an actor uses more (`up`) or less (`down`) in a later period, with z-scores."""

    actor: str
    before: str  # the two periods, as shown to the reader
    after: str
    up: tuple[tuple[str, float], ...]
    down: tuple[tuple[str, float], ...]


@dataclass(frozen=True)
class Change:
    """A text change of one document, ready to render."""

    document: int
    title: str | None
    url: str | None
    outlet: str | None
    detected_at: str
    kind: str
    change: TextChange


@dataclass(frozen=True)
class Report:
    generated_at: datetime
    filters: dict[str, str]
    documents: Row  # count, first and last publication date in the period
    timelines: tuple[Timeline, ...] = ()
    drift: tuple[Drift, ...] = ()
    changes: tuple[Change, ...] = ()
    sources: tuple[Row, ...] = ()
    news: Row | None = None  # what was recorded since `news_since` (`reporting.recorded_since`)
    news_since: str = ""  # as the reader sees it: "the last report (2025-07-07 10:00)"


def build_report(
    db: Connection,
    *,
    profile: Profile,
    actor: str | None = None,
    since: date | None = None,
    until: date | None = None,
    now: datetime,
    previous: datetime | None = None,
) -> str:
    """The whole report as one HTML string; `profile` gives each issue's scale and question,
    `previous` when the report it replaces was made (see `previous_report`)."""
    return render(
        gather(
            db, profile=profile, actor=actor, since=since, until=until, now=now, previous=previous
        )
    )


def previous_report(path: Path) -> datetime | None:
    """When the report at `path` (about to be replaced) was generated, if there is one."""
    try:
        with path.open(encoding="utf-8", errors="replace") as handle:
            found = _GENERATED.search(handle.read(4096))
        return datetime.fromisoformat(found.group(1)) if found else None
    except (OSError, ValueError):
        return None


def save(path: Path, page: str) -> int:
    """Write the page; returns its size in bytes."""
    data = page.encode("utf-8")
    try:
        path.write_bytes(data)
    except OSError as exc:
        raise ConfigError(f"cannot write {path}: {exc.strerror or exc}") from exc
    return len(data)


def gather(
    db: Connection,
    *,
    profile: Profile,
    actor: str | None = None,
    since: date | None = None,
    until: date | None = None,
    now: datetime,
    previous: datetime | None = None,
) -> Report:
    """Everything the report shows, read from the database for the period and actor; what
    is new since the `previous` report (or else since `since`) is summed up first."""
    if actor is not None:
        actor = analysis.resolve_actor(profile, actor)
    filters = {
        k: v
        for k, v in (
            ("actor", actor),
            ("since", since and since.isoformat()),
            ("until", until and until.isoformat()),
        )
        if v
    }
    rows = reporting.recent_changes(db, since=since, until=until, actor=actor, limit=MAX_CHANGES)
    timelines = load_timelines(db, profile, actor, since, until)
    if previous is not None:
        moment, label = previous.isoformat(), f"the last report ({_when(previous.isoformat())})"
    elif since is not None:
        moment, label = since.isoformat(), str(since)
    else:
        moment, label = None, ""
    return Report(
        generated_at=now,
        filters=filters,
        documents=reporting.document_span(db, since=since, until=until),
        timelines=timelines,
        drift=tuple(_drift_of(db, profile, name, since, until) for name in _actors(timelines)),
        changes=tuple(_change(row) for row in rows),
        sources=tuple(sources.listing(db)),
        news=reporting.recorded_since(db, moment, actor),
        news_since=label,
    )


def _actors(timelines: Iterable[Timeline]) -> list[str]:
    return sorted({t.actor for t in timelines})


def load_timelines(
    db: Connection, profile: Profile, actor: str | None, since: date | None, until: date | None
) -> tuple[Timeline, ...]:
    shifts: dict[tuple[str, str], list[ShiftItem]] = {}
    for row in positions.shift_rows(db, actor=actor, since=since, until=until):
        shifts.setdefault((row["actor"], row["issue"]), []).append(shift_item(row))
    found = []
    repeated = reporting.repeated_documents(db)  # one article stored twice is one point
    for who, issue in positions.pairs(db):
        if actor is not None and who != actor:
            continue
        timeline = [
            p
            for p in positions.timeline(db, who, issue)
            if p.document_id not in repeated
            and (since is None or p.published_at >= since)
            and (until is None or p.published_at <= until)
        ]
        if timeline:
            known = profile.issues.get(issue)
            question = known.question if known else ""
            scale = tuple(s.name for s in known.scale) if known else _observed_scale(timeline)
            found.append(
                Timeline(
                    who,
                    issue,
                    question,
                    scale,
                    tuple(timeline),
                    tuple(shifts.get((who, issue), ())),
                )
            )
    return tuple(found)


def _observed_scale(timeline: Sequence[Position]) -> tuple[str, ...]:
    """Without a profile for the issue: the stances seen, ordered by their score."""
    score = {p.stance: p.score for p in timeline}
    return tuple(sorted(score, key=lambda stance: score[stance]))


def shift_item(row: Row) -> ShiftItem:
    def end(side: str) -> End:
        return End(
            stance=row[f"{side}_stance"],
            date=date.fromisoformat(row[f"{side}_date"]),
            document=row[f"{side}_document"],
            evidence=row[f"{side}_evidence"],
            outlet=row[f"{side}_outlet"],
            title=row[f"{side}_title"],
            url=row[f"{side}_url"],
        )

    return ShiftItem(
        row["actor"], row["issue"], row["status"], row["confidence"], end("from"), end("to")
    )


def _drift_of(
    db: Connection, profile: Profile, actor: str, since: date | None, until: date | None
) -> Drift:
    """What the actor says in the later half of its dated sentences against the earlier half."""
    said = reporting.actor_sentences(db, actor, since=since, until=until)
    middle = said[len(said) // 2][0] if said else ""
    earlier = [(day, text) for day, text in said if day < middle]
    later = [(day, text) for day, text in said if day >= middle]
    if not earlier or not later:
        return Drift(actor, "", "", (), ())
    up, down = drift.talking_points(
        [text for _, text in earlier],
        [text for _, text in later],
        top=MAX_PHRASES,
        exclude=analysis.own_words(profile, actor),
    )
    return Drift(
        actor,
        f"{earlier[0][0]} – {earlier[-1][0]}",
        f"{later[0][0]} – {later[-1][0]}",
        tuple((p.text, p.z) for p in up),
        tuple((p.text, p.z) for p in down),
    )


def _change(row: Row) -> Change:
    return Change(
        document=row["document_id"],
        title=row["title"],
        url=row["url"],
        outlet=row["outlet"],
        detected_at=row["detected_at"],
        kind=row["kind"],
        # the significance stored (and alerted) when it was seen, which knew the actors
        change=replace(compare(row["old_text"], row["new_text"]), significance=row["significance"]),
    )


# --- the page -------------------------------------------------------------------------


def render(data: Report) -> str:
    """The page: header, contents, then each section that has something to show."""
    sections = [
        ("news", "What changed since " + (data.news_since or "the start"), _news(data)),
        ("positions", "Positions over time", _positions(data)),
        ("shifts", "Position shifts", _shifts(data)),
        ("drift", "Talking-point drift", _drift(data.drift)),
        ("changes", "Recent text changes", _changes(data.changes)),
        ("sources", "Watched sources", _sources(data.sources)),
    ]
    shown = [(key, title, body) for key, title, body in sections if body]
    nav = "".join(f'<li><a href="#{key}">{title}</a></li>' for key, title, _ in shown)
    body = "".join(
        f'<section id="{key}"><h2>{title}</h2>{content}</section>' for key, title, content in shown
    )
    if not shown:
        body = '<p class="empty">Nothing to report for this selection yet.</p>'
    return _PAGE.format(
        css=CSS,
        title=_esc(_title(data)),
        summary=_summary(data),
        nav=f'<nav aria-label="Contents"><ul>{nav}</ul></nav>' if len(shown) > 1 else "",
        body=body,
        generated=_esc(data.generated_at.isoformat()),
    )


def _news(data: Report) -> str:
    """The summary at the top: what was recorded since the last report (or `--since`)."""
    news = data.news
    if news is None:
        return ""
    items = [count(news["documents"], "new document"), count(news["changes"], "text change")]
    items.append(count(len(news["shifts"]), "new position shift"))
    items += [
        f"{s['actor']} · {s['issue']}: {s['from_stance']} → {s['to_stance']} "
        f"({s['status']}, {s['to_date']})"
        for s in news["shifts"][:MAX_CHANGES]
    ]
    items += [f"source failing: {url}" for url in news["failing"]]
    first = "" if data.news_since else '<p class="meta">The first report in this file.</p>'
    return first + '<ul class="news">' + "".join(f"<li>{_esc(i)}</li>" for i in items) + "</ul>"


def _title(data: Report) -> str:
    who = data.filters.get("actor")
    return f"Narrative monitor — {who}" if who else "Narrative monitor report"


def _summary(data: Report) -> str:
    docs = data.documents
    period = f"{docs['first']} to {docs['last']}" if docs["first"] else "no dated documents"
    shifts = sum(len(t.shifts) for t in data.timelines)
    parts = [
        f"Generated {data.generated_at.isoformat(sep=' ', timespec='minutes')}",
        f"{count(docs['documents'], 'document')} ({period})",
        count(len(data.timelines), "timeline"),
        count(shifts, "shift"),
    ]
    parts += [f"{key}: {value}" for key, value in data.filters.items()]
    return " · ".join(_esc(p) for p in parts)


# --- positions: one chart per actor and issue ------------------------------------------


def _positions(data: Report) -> str:
    charted = [t for t in data.timelines if t.positions]
    if not charted:
        return ""
    start, end = span(p.published_at for t in charted for p in t.positions)
    by_actor: dict[str, list[Timeline]] = {}
    for timeline in charted:
        by_actor.setdefault(timeline.actor, []).append(timeline)
    parts = [_LEGEND]
    for actor in sorted(by_actor):
        figures = "".join(figure(t, start, end) for t in by_actor[actor])
        parts.append(f'<section class="actor"><h3>{_esc(actor)}</h3>{figures}</section>')
    return "".join(parts)


def span(dates: Iterable[date]) -> tuple[date, date]:
    """The dates every chart shares, padded so a lone date sits mid-chart."""
    ordered = sorted(dates)
    start, end = ordered[0], ordered[-1]
    pad = timedelta(days=max(3, (end - start).days // 40))
    return start - pad, end + pad


def figure(timeline: Timeline, start: date, end: date) -> str:
    level = {stance: i for i, stance in enumerate(timeline.scale)}
    on_scale = [p for p in timeline.positions if p.stance in level]
    points = [_point(p, level) for p in on_scale]
    marks = [
        charts.Mark(
            charts.Point(s.before.date, level[s.before.stance], "", s.before.document),
            charts.Point(s.after.date, level[s.after.stance], "", s.after.document),
            _shift_line(s),
            s.status == "confirmed",
        )
        for s in timeline.shifts
        if s.before.stance in level and s.after.stance in level
    ]
    label = f"{timeline.actor} on {timeline.issue}: stance by publication date"
    # One document is a statement, not a trend: its evidence alone, no chart to fill a row.
    svg = (
        charts.timeline(timeline.scale, points, marks, start=start, end=end, label=label)
        if len(on_scale) > 1
        else ""
    )
    return (
        f'<figure class="chart"><figcaption>{_esc(timeline.issue)}'
        f' <span class="meta">{_esc(_caption(timeline, len(on_scale)))}</span></figcaption>'
        f"{svg}{_listed(timeline.positions)}</figure>"
    )


def _listed(shown: Sequence[Position]) -> str:
    """The newest points' evidence written out, so a phone or a printout shows it too."""
    items = "".join(
        f'<li><span class="meta">{_esc(str(p.published_at))} · {_esc(p.stance)} · '
        f"{_esc(p.outlet or 'unknown outlet')}</span> “{_esc(_clip(p.evidence, MAX_TIP))}”</li>"
        for p in reversed(shown[-MAX_LISTED:])
    )
    earlier = len(shown) - MAX_LISTED
    more = f'<li class="meta">{count(earlier, "earlier document")} in the chart</li>'
    return f'<ol class="evidence">{items}{more if earlier > 0 else ""}</ol>'


def _caption(timeline: Timeline, shown: int) -> str:
    latest = timeline.positions[-1]
    parts = [timeline.question] if timeline.question else []
    parts.append(count(shown, "document"))
    parts.append(f"latest: {latest.stance} ({latest.published_at})")
    if timeline.shifts:
        parts.append(count(len(timeline.shifts), "shift"))
    if shown < len(timeline.positions):
        parts.append(f"{len(timeline.positions) - shown} off the current scale")
    return " · ".join(parts)


def _point(position: Position, level: dict[str, int]) -> charts.Point:
    tip = f"{position.outlet or 'unknown outlet'} · {position.published_at} · {position.stance}"
    tip += f"\n“{_clip(position.evidence, MAX_TIP)}”"
    return charts.Point(position.published_at, level[position.stance], tip, position.document_id)


def _shift_line(shift: ShiftItem) -> str:
    return (
        f"{shift.status} shift: {shift.before.stance} ({shift.before.date}) → "
        f"{shift.after.stance} ({shift.after.date}), confidence {shift.confidence:.2f}"
    )


_LEGEND = (
    '<p class="legend"><svg width="14" height="14" aria-hidden="true"><circle cx="7" cy="7" '
    'r="5" fill="#777"/></svg> a document, placed by publication date and stance · '
    '<svg width="40" height="14" aria-hidden="true"><line x1="2" y1="12" x2="30" y2="3" '
    'class="shift-key"/><circle cx="30" cy="5" r="6" class="shift-key"/></svg> a shift '
    "(dashed while emerging, solid once confirmed) · the newest evidence is listed under "
    "each chart; hover a point for the others</p>"
)


# --- shifts, before and after side by side ---------------------------------------------


def _shifts(data: Report) -> str:
    shifts = sorted(
        (s for t in data.timelines for s in t.shifts),
        key=lambda s: (s.after.date, s.actor, s.issue),
        reverse=True,
    )
    if not shifts:
        return ""
    items = "".join(shift_html(s) for s in shifts[:MAX_SHIFTS])
    more = len(shifts) - MAX_SHIFTS
    note = f'<p class="meta">{count(more, "earlier shift")} marked on the charts only.</p>'
    return items + (note if more > 0 else "")


def shift_html(shift: ShiftItem, document_href: Callable[[int], str] | None = None) -> str:
    """A shift with both sides' evidence; `document_href` also links each side's document
    page (the web view has one, the report file does not)."""
    head = (
        f"{_esc(shift.actor)} · {_esc(shift.issue)}: "
        f"<strong>{_esc(shift.before.stance)} → {_esc(shift.after.stance)}</strong>"
    )
    flag = f'<span class="status {shift.status}">{shift.status}</span>'
    return (
        f'<article class="shift-item"><h3>{head} {flag}'
        f' <span class="meta">confidence {shift.confidence:.2f}</span></h3>'
        f'<div class="pair">{_evidence("Before", shift.before, document_href)}'
        f"{_evidence('After', shift.after, document_href)}</div></article>"
    )


def _evidence(label: str, end: End, document_href: Callable[[int], str] | None) -> str:
    source = " · ".join(x for x in (str(end.date), end.outlet) if x)
    name = end.title or f"document {end.document}"
    page = ""
    if document_href is not None:
        page = f' · <a href="{_esc(document_href(end.document))}">document {end.document}</a>'
    return (
        f'<div class="side"><p class="meta">{label}: {_esc(end.stance)} · {_esc(source)}</p>'
        f"<blockquote>{_esc(end.evidence)}</blockquote>"
        f'<p class="doc">{_link(end.url, name)}{page}</p></div>'
    )


# --- talking-point drift ---------------------------------------------------------------


def _drift(drift: Sequence[Drift]) -> str:
    parts = []
    for item in drift:
        if not (item.up or item.down):
            continue
        parts.append(
            f'<section class="drift"><h3>{_esc(item.actor)}</h3>'
            f'<p class="meta">{_esc(item.before)} → {_esc(item.after)}</p><div class="pair">'
            f"{_phrases('More often', 'up', item.up)}{_phrases('Less often', 'down', item.down)}"
            "</div></section>"
        )
    if not parts:
        return ""
    note = (
        "Phrases in what each actor is reported to say whose use grew or shrank "
        f"significantly (|z| ≥ {SIGNIFICANT_Z}) from the earlier half of its statements "
        "to the later."
    )
    return f'<p class="meta">{note}</p>' + "".join(parts)


def _phrases(label: str, kind: str, phrases: Sequence[tuple[str, float]]) -> str:
    items = "".join(
        f'<li><span class="phrase">{_esc(p)}</span> <span class="meta">z {z:+.1f}</span></li>'
        for p, z in phrases
    )
    return f'<div class="side {kind}"><p class="meta">{label}</p><ol>{items}</ol></div>'


# --- text changes ----------------------------------------------------------------------


def _changes(changes: Sequence[Change]) -> str:
    parts = []
    for item in changes:
        name = item.title or f"document {item.document}"
        meta = " · ".join(
            x for x in (item.outlet, f"{item.kind} seen {_when(item.detected_at)}") if x
        )
        parts.append(
            f'<article class="change"><h3>{_link(item.url, name)}</h3>'
            f'<p class="meta">{_esc(meta)}</p>{report.change_html_fragment(item.change)}'
            "</article>"
        )
    return "".join(parts)


# --- sources ---------------------------------------------------------------------------

_SOURCE_COLUMNS = (
    ("Source", "locator"),
    ("State", "state"),
    ("Last check", "last_check_at"),
    ("Outcome", "last_outcome"),
    ("Failures", "consecutive_failures"),
    ("Last error", "last_error"),
)


def _sources(rows: Sequence[Row]) -> str:
    if not rows:
        return ""
    head = "".join(f"<th>{label}</th>" for label, _ in _SOURCE_COLUMNS)
    body = "".join(_source_row(row) for row in rows)
    return f'<table class="sources"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def _source_row(row: Row) -> str:
    cells = []
    for label, key in _SOURCE_COLUMNS:
        value = row.get(key)
        if key == "locator":
            text = _link(value, value or "")
        elif key == "last_check_at":
            text = _esc(_when(value) if value else "never")
        elif key == "state":
            text = _esc(sources.display_state(row))
        else:
            text = _esc("" if value is None else str(value))
        failing = ' class="failing"' if key == "consecutive_failures" and value else ""
        cells.append(f'<td data-label="{label}"{failing}>{text}</td>')
    return f"<tr>{''.join(cells)}</tr>"


# --- escaping --------------------------------------------------------------------------

_SAFE_URL = re.compile(r"https?://[^\s\x00-\x1f\x7f<>\"'`\\]+", re.IGNORECASE)


def _link(url: str | None, text: str) -> str:
    """A link only for a plain http(s) URL; anything else (javascript:, data:) is just text."""
    if url and is_safe_url(url):
        return f'<a href="{_esc(url)}" rel="noopener noreferrer nofollow">{_esc(text)}</a>'
    return _esc(text)


def is_safe_url(url: str) -> bool:
    return _SAFE_URL.fullmatch(url) is not None


def _esc(text: str) -> str:
    return html.escape(text, quote=True)


def _when(iso: str) -> str:
    """An ISO timestamp to the minute, as people write it: 2025-07-08 10:00."""
    return iso[:16].replace("T", " ")


def _clip(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


CSS = """
:root { --fg: #1f2328; --muted: #59636e; --line: #d1d9e0; --soft: #f6f8fa; --accent: #0969da;
  --shift: #bc4c00; }
* { box-sizing: border-box; }
body { font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg);
  background: #fff; max-width: 62rem; margin: 0 auto; padding: 1rem 1rem 3rem; }
h1 { font-size: 1.6rem; line-height: 1.25; margin: .5rem 0; }
h2 { font-size: 1.3rem; margin: 2.2rem 0 .6rem; padding-bottom: .25rem;
  border-bottom: 1px solid var(--line); }
h3 { font-size: 1.05rem; margin: 1.2rem 0 .4rem; }
a { color: var(--accent); overflow-wrap: anywhere; }
.meta, .legend { color: var(--muted); font-size: .875rem; font-weight: normal; }
nav ul { list-style: none; padding: 0; margin: .8rem 0; display: flex; flex-wrap: wrap;
  gap: .3rem 1.2rem; }
figure.chart { margin: .6rem 0 1.4rem; }
figcaption { font-weight: 600; margin-bottom: .2rem; }
svg.timeline { display: block; overflow: visible; font-size: 12px; }
svg .grid { stroke: var(--line); }
svg .tick { stroke: #eef1f4; }
svg .stance, svg .date { fill: var(--muted); }
svg .stance { paint-order: stroke; stroke: #fff; stroke-width: 3px; stroke-linejoin: round; }
svg .points circle { fill-opacity: .8; stroke: #fff; stroke-width: 1; }
svg .shift line, .shift-key { stroke: var(--shift); stroke-width: 2; fill: none; }
svg .shift circle { fill: none; stroke: var(--shift); stroke-width: 2; }
svg .emerging line, svg .emerging circle { stroke-dasharray: 4 3; }
.legend svg { vertical-align: -2px; overflow: visible; }
.shift-item, .change { border: 1px solid var(--line); border-radius: 6px;
  padding: .2rem .9rem .6rem; margin: 1rem 0; }
.shift-item h3, .change h3 { margin-top: .6rem; }
.status { font-size: .75rem; text-transform: uppercase; letter-spacing: .04em;
  padding: .05rem .4rem; border-radius: 1rem; border: 1px solid currentColor; vertical-align: 1px; }
.status.confirmed { color: var(--shift); } .status.emerging { color: var(--muted); }
.pair { display: grid; grid-template-columns: repeat(auto-fit, minmax(15rem, 1fr)); gap: .8rem; }
.side .meta { margin: .3rem 0; }
blockquote { margin: 0; padding: .4rem .7rem; background: var(--soft);
  border-left: 4px solid var(--line); overflow-wrap: anywhere; }
.doc { margin: .3rem 0 0; font-size: .875rem; }
ol.evidence { list-style: none; margin: .3rem 0 0; padding: 0; font-size: .875rem; }
ol.evidence li { margin: .2rem 0; overflow-wrap: anywhere; }
.drift ol { margin: 0; padding-left: 1.4rem; } .up .phrase { color: #1a7f37; }
.down .phrase { color: #a40e26; }
ul.edits { padding-left: 1.2rem; overflow-wrap: anywhere; } li { margin: .35rem 0; }
.op { font-weight: 600; margin-right: .5em; font-size: .8rem; text-transform: uppercase; }
.added .op, ins { color: #116329; } .removed .op, del { color: #a40e26; }
ins { background: #dafbe1; text-decoration: underline; } del { background: #ffebe9; }
.removed .text { text-decoration: line-through; }
.negation { color: #fff; background: #a40e26; padding: 0 .3em; border-radius: .2em; }
table { border-collapse: collapse; width: 100%; font-size: .875rem; }
th, td { text-align: left; vertical-align: top; padding: .35rem .5rem;
  border-bottom: 1px solid var(--line); }
td:first-child { overflow-wrap: anywhere; } td[data-label="Last check"] { white-space: nowrap; }
td.failing { color: #a40e26; font-weight: 600; }
@media (max-width: 40rem) {
  body { padding: .75rem .75rem 2rem; }
  h1 { font-size: 1.35rem; }
  svg .date.minor { display: none; }
  table.sources thead { display: none; }
  table.sources tr { display: block; border-bottom: 1px solid var(--line); padding: .4rem 0; }
  table.sources td { display: flex; gap: .6rem; border: 0; padding: .1rem 0; }
  table.sources td::before { content: attr(data-label); flex: 0 0 6.5rem; color: var(--muted); }
}
@media print {
  body { max-width: none; padding: 0; font-size: 10.5pt; }
  nav, .legend { display: none; }
  a { color: inherit; text-decoration: none; }
  .doc a[href]::after, .change h3 a[href]::after { content: " <" attr(href) ">"; font-size: .8em; }
  svg, ins, del, .negation { print-color-adjust: exact; -webkit-print-color-adjust: exact; }
  h2, h3 { break-after: avoid; }
  figure.chart, .shift-item, .change, tr { break-inside: avoid; }
  blockquote { background: none; }
}
"""

_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; \
img-src data:">
<meta name="referrer" content="no-referrer">
<meta name="generated" content="{generated}">
<title>{title}</title>
<style>{css}</style></head>
<body><header><h1>{title}</h1><p class="meta">{summary}</p>{nav}</header>
<main>{body}</main></body></html>
"""
