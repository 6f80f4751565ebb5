"""How positions move over time. Pure: timelines in, shifts and phrase scores out.

Shifts follow publication dates, never fetch dates. One contrary document makes an
*emerging* shift; a later document agreeing with it confirms it. Documents of the same
day are one point in time (two outlets reporting one statement are not a shift), a
contrary position whose evidence is a rewording of the standing one is ignored, and so is
one contrary document, weaker than its neighbours, between two that agree (a misreading
there would otherwise make two false shifts).

Talking-point drift needs no profile: the log-odds ratio with an informative Dirichlet
prior ("Fightin' Words", Monroe, Colaresi & Quinn 2008) ranks the phrases whose use grew
or shrank most between two periods, with z-scores that discount rare words.
"""

from __future__ import annotations

import hashlib
import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date
from itertools import groupby

from monitor.models import Position, Shift
from monitor.profile import Issue
from monitor.text import comparable

REWORDING = 0.6  # word overlap (Jaccard) above which two evidence sentences say the same
EMERGING_FACTOR = 0.6  # an unconfirmed shift counts for less


def shifts(timeline: Sequence[Position], issue: Issue) -> list[Shift]:
    """Shifts along one (actor, issue) timeline, oldest first."""
    points = [_merge_day(list(day)) for _, day in groupby(_ordered(timeline), _day)]
    found: list[Shift] = []
    if not points:
        return found
    latest = points[0]
    pending: Shift | None = None
    for point in points[1:]:
        if point.stance == latest.stance or _reworded(point, latest):
            if pending is not None:  # a second document agrees: the shift is confirmed
                found[-1] = replace(
                    pending, status="confirmed", confidence=_confidence(pending, issue, point)
                )
            latest, pending = point, None
            continue
        if pending is not None and _blip(pending, point):
            found.pop()  # one weaker document against two that agree: a misreading, no shift
            latest, pending = point, None
            continue
        shift = Shift(latest.actor, latest.issue, latest, point, "emerging", 0.0)
        pending = replace(shift, confidence=_confidence(shift, issue, None))
        found.append(pending)
        latest = point
    return found


def _blip(pending: Shift, point: Position) -> bool:
    """An unconfirmed contrary point that the next one reverses, weaker than both the
    standing position before it and the one that returns to it."""
    odd = pending.after
    return point.stance == pending.before.stance and odd.confidence < min(
        pending.before.confidence, point.confidence
    )


def shift_key(shift: Shift) -> str:
    """Stable across recomputes: the same documents and stances give the same key."""
    raw = "|".join(
        (
            shift.actor,
            shift.issue,
            str(shift.before.document_id),
            shift.before.stance,
            str(shift.after.document_id),
            shift.after.stance,
        )
    )
    return "shift:" + hashlib.sha256(raw.encode("utf-8")).hexdigest()[:20]


def _ordered(timeline: Iterable[Position]) -> list[Position]:
    return sorted(timeline, key=lambda p: (p.published_at, p.document_id))


def _day(position: Position) -> date:
    return position.published_at


def _merge_day(day: list[Position]) -> Position:
    """Several documents of one day: the stance with most confidence, its best evidence."""
    weight: dict[str, float] = {}
    for position in day:
        weight[position.stance] = weight.get(position.stance, 0.0) + position.confidence
    stance = max(weight, key=lambda k: weight[k])
    return max((p for p in day if p.stance == stance), key=lambda p: p.confidence)


def _reworded(a: Position, b: Position) -> bool:
    words_a, words_b = set(comparable(a.evidence).split()), set(comparable(b.evidence).split())
    if not words_a or not words_b:
        return False
    return len(words_a & words_b) / len(words_a | words_b) >= REWORDING


def _confidence(shift: Shift, issue: Issue, confirmation: Position | None) -> float:
    """Both ends' confidence, how far the stance moved, and whether it was confirmed."""
    ends = math.sqrt(shift.before.confidence * shift.after.confidence)
    steps = abs(issue.index(shift.after.stance) - issue.index(shift.before.stance))
    distance = 0.7 + 0.3 * (steps - 1) / max(1, len(issue.scale) - 2)
    if confirmation is None:
        support = EMERGING_FACTOR
    else:
        support = EMERGING_FACTOR + (1 - EMERGING_FACTOR) * min(1.0, confirmation.confidence / 0.6)
    return round(min(1.0, ends * distance * support), 3)


# -- talking-point drift ---------------------------------------------------------------

_STOPWORDS = """a about above after again against all also am an and any are as at be because
been before being below between both but by can could did do does doing down during each few
for from further had has have having he her here hers herself him himself his how i if in into
is it its itself just me more most my myself no nor not now of off on once only or other our
ours ourselves out over own same she should so some such than that the their theirs them
themselves then there these they this those through to too under until up very was we were
what when where which while who whom why will with would you your yours yourself said says
say told according s t"""
STOPWORDS = frozenset(_STOPWORDS.split())


@dataclass(frozen=True)
class Phrase:
    text: str
    z: float  # > 0: used more in the later period
    before: int  # occurrences in each period
    after: int


SIGNIFICANT_Z = 1.96  # a phrase's change in use must be significant at 5 % to be listed


def talking_points(
    before: Sequence[str],
    after: Sequence[str],
    background: Sequence[str] | None = None,
    *,
    top: int = 15,
    prior: float = 500.0,
    min_count: int = 2,
    min_z: float = SIGNIFICANT_Z,
    exclude: frozenset[str] = frozenset(),
) -> tuple[list[Phrase], list[Phrase]]:
    """(phrases that grew, phrases that shrank) from `before` to `after`, strongest first,
    only those with |z| ≥ `min_z`.

    `background` (default: both periods) gives the informative prior; `prior` is its
    total pseudo-count, so a phrase needs real evidence to beat its usual rate. Phrases
    with a word in `exclude` (the actor's own names: they are in every sentence about it)
    are left out.
    """
    counts_before, counts_after = _ngrams(before), _ngrams(after)
    counts_bg = _ngrams(background) if background is not None else counts_before + counts_after
    n_before, n_after = sum(counts_before.values()), sum(counts_after.values())
    n_bg = sum(counts_bg.values())
    if not n_before or not n_after or not n_bg:
        return [], []
    scored: list[Phrase] = []
    for phrase in set(counts_before) | set(counts_after):
        y_b, y_a = counts_before[phrase], counts_after[phrase]
        if max(y_a, y_b) < min_count or not exclude.isdisjoint(phrase.split()):
            continue
        alpha = prior * max(counts_bg[phrase], 1) / n_bg
        delta = _log_odds(y_a, n_after, alpha, prior) - _log_odds(y_b, n_before, alpha, prior)
        variance = 1.0 / (y_a + alpha) + 1.0 / (y_b + alpha)
        scored.append(Phrase(phrase, round(delta / math.sqrt(variance), 3), y_b, y_a))
    grew = sorted((p for p in scored if p.z >= min_z), key=lambda p: -p.z)[:top]
    shrank = sorted((p for p in scored if p.z <= -min_z), key=lambda p: p.z)[:top]
    return grew, shrank


def _log_odds(count: int, total: int, alpha: float, prior: float) -> float:
    return math.log((count + alpha) / (total + prior - count - alpha))


def _ngrams(texts: Iterable[str]) -> Counter[str]:
    """Content words and two-word phrases that neither start nor end with a stopword."""
    counts: Counter[str] = Counter()
    for text in texts:
        words = [w.removesuffix("'s") for w in comparable(text).split()]
        for i, word in enumerate(words):
            if word not in STOPWORDS and not word.isdigit():
                counts[word] += 1
                if i + 1 < len(words) and words[i + 1] not in STOPWORDS:
                    counts[f"{word} {words[i + 1]}"] += 1
    return counts
