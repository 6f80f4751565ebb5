"""Timeline charts as inline SVG: stance on an ordered scale over publication dates.

Horizontal positions are percentages and vertical ones pixels, so a chart fills any width
(a phone or a desktop) while its text keeps a readable size; no script is needed, each
point explains itself in a `<title>` tooltip. Every string is escaped here.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache

ROW = 38  # pixels between two stances on the scale
TOP = 26  # room for the top stance's label
BOTTOM = 26  # room for the date axis
LEFT, RIGHT = 2.5, 97.5  # percent of the width the dates span
RADIUS = 5

# From the first pole (red) through neutral grey to the last (blue); colour-blind safe.
_POLES = ((178, 24, 43), (120, 120, 120), (33, 102, 172))


@dataclass(frozen=True)
class Point:
    """One document's stance: where it goes and what its tooltip says."""

    when: date
    level: int  # index on the scale, 0 = first pole
    tip: str
    document: int


@dataclass(frozen=True)
class Mark:
    """A shift from one point to another; `confirmed` ones are drawn solid."""

    before: Point
    after: Point
    tip: str
    confirmed: bool


def timeline(
    scale: Sequence[str],
    points: Sequence[Point],
    marks: Sequence[Mark] = (),
    *,
    start: date,
    end: date,
    label: str,
) -> str:
    """An `<svg>` element: one gridline per stance (last pole on top), points, shift marks."""
    height = TOP + ROW * (len(scale) - 1) + BOTTOM
    x = _x_scale(start, end)
    parts = [
        f'<svg class="timeline" role="img" width="100%" height="{height}" '
        f'xmlns="http://www.w3.org/2000/svg"><title>{_esc(label)}</title>',
        *_axis(start, end, height),
        *_grid(scale),
    ]
    levels = len(scale)
    parts.extend(_mark(mark, x, levels) for mark in marks)
    shift = _side_by_side(points)
    for level in range(levels):
        on_level = [i for i, p in enumerate(points) if p.level == level]
        if on_level:
            parts.append(f'<g class="points" fill="{colour(level, levels)}">')
            parts.extend(_point(points[i], x, levels, shift[i]) for i in on_level)
            parts.append("</g>")
    parts.append("</svg>")
    return "".join(parts)


def colour(level: int, levels: int) -> str:
    """The colour of a stance: the scale's poles red and blue, the middle grey."""
    t = level / (levels - 1) if levels > 1 else 0.5
    low, high, f = (_POLES[0], _POLES[1], t * 2) if t <= 0.5 else (_POLES[1], _POLES[2], t * 2 - 1)
    rgb = (round(a + (b - a) * f) for a, b in zip(low, high, strict=True))
    return "#" + "".join(f"{c:02x}" for c in rgb)


def y_of(level: int, levels: int) -> int:
    return TOP + ROW * (levels - 1 - level)


def _x_scale(start: date, end: date) -> Callable[[date], str]:
    """Date → percent of the width, as text; cached, as thousands of points share few dates."""
    span = max((end - start).days, 1)

    @cache
    def x(when: date) -> str:
        return f"{LEFT + (RIGHT - LEFT) * (when - start).days / span:.2f}%"

    return x


def _grid(scale: Sequence[str]) -> list[str]:
    parts = []
    for level, stance in enumerate(scale):
        y = y_of(level, len(scale))
        parts.append(f'<line class="grid" x1="0" x2="100%" y1="{y}" y2="{y}"/>')
        parts.append(f'<text class="stance" x="4" y="{y - 8}">{_esc(stance)}</text>')
    return parts


def _axis(start: date, end: date, height: int) -> list[str]:
    x = _x_scale(start, end)
    y = height - 6
    parts = []
    for n, (when, text) in enumerate(ticks(start, end)):
        at = x(when)
        # Labels near an edge grow inwards, so a narrow chart never cuts them off.
        anchor = "start" if float(at[:-1]) < 12 else "end" if float(at[:-1]) > 88 else "middle"
        parts.append(
            f'<line class="tick" x1="{at}" x2="{at}" y1="{TOP - 14}" y2="{y - 14}"/>'
            f'<text class="date{" minor" if n % 2 else ""}" x="{at}" y="{y}" '
            f'text-anchor="{anchor}">{text}</text>'
        )
    return parts


def ticks(start: date, end: date, most: int = 5) -> list[tuple[date, str]]:
    """Round dates to label the axis, at most `most`: the first of January every 1, 2, 5
    or 10 years, of a month every 1, 2, 3 or 6 months (Jan, Apr, Jul, Oct…), or days."""
    if (end - start).days > 3 * 365:
        for step in (1, 2, 5, 10, 20, 50):
            years = [y for y in range(start.year, end.year + 1) if y % step == 0]
            found = [(date(y, 1, 1), str(y)) for y in years if start <= date(y, 1, 1)]
            if len(found) <= most:
                return found
    if (end - start).days > 60:
        months = _months(start, end)
        for step in (1, 2, 3, 6, 12):
            picked = [m for m in months if (m.month - 1) % step == 0]
            if len(picked) <= most:
                return [(m, m.strftime("%b %Y")) for m in picked]
    step = -(-((end - start).days + 1) // most)
    days = range(0, (end - start).days + 1, step)
    return [(d, d.strftime("%d %b")) for d in (start + timedelta(days=i) for i in days)]


def _months(start: date, end: date) -> list[date]:
    """The first day of every month that begins inside [start, end]."""
    first = date(start.year, start.month, 1)
    months = []
    while first <= end:
        if first >= start:
            months.append(first)
        first = date(first.year + first.month // 12, first.month % 12 + 1, 1)
    return months


def _side_by_side(points: Sequence[Point]) -> list[int]:
    """Pixels to move each point sideways: points on the same day and stance sit next to
    each other, centred on their date, instead of hiding one another."""
    groups: dict[tuple[date, int], list[int]] = {}
    for i, p in enumerate(points):
        groups.setdefault((p.when, p.level), []).append(i)
    shift = [0] * len(points)
    for members in groups.values():
        for k, i in enumerate(members):
            shift[i] = round((k - (len(members) - 1) / 2) * (2 * RADIUS + 2))
    return shift


def _point(point: Point, x: Callable[[date], str], levels: int, shift: int = 0) -> str:
    moved = f' transform="translate({shift} 0)"' if shift else ""
    return (
        f'<circle cx="{x(point.when)}" cy="{y_of(point.level, levels)}" r="{RADIUS}"{moved}>'
        f"<title>{_esc(point.tip)}</title></circle>"
    )


def _mark(mark: Mark, x: Callable[[date], str], levels: int) -> str:
    x1, x2 = x(mark.before.when), x(mark.after.when)
    y1, y2 = y_of(mark.before.level, levels), y_of(mark.after.level, levels)
    kind = "shift confirmed" if mark.confirmed else "shift emerging"
    return (
        f'<g class="{kind}"><title>{_esc(mark.tip)}</title>'
        f'<line x1="{x1}" y1="{y1}" x2="{x2}" y2="{y2}"/>'
        f'<circle cx="{x2}" cy="{y2}" r="{RADIUS + 4}"/></g>'
    )


def _esc(text: str) -> str:
    return html.escape(text, quote=True)
