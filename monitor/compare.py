"""Sentence-aware text diff: what a new version of an article says differently.

Sentences are aligned with difflib on their comparable keys (lower-cased words, volatile
bits such as timestamps removed), so whitespace, case, punctuation and "updated 5 minutes
ago" never count. Replaced sentences that stay similar are paired as "changed" and diffed
word by word; a sentence that left one place and reappears in another is "moved".
Boilerplate (see `monitor.noise`) is kept in the edits but flagged as noise.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections import Counter, defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from difflib import SequenceMatcher
from functools import cached_property, lru_cache
from typing import Protocol

from monitor import noise
from monitor.models import SentenceEdit, TextChange
from monitor.text import comparable, normalise, sentences

PAIR_THRESHOLD = 0.5  # word-level similarity above which a replaced sentence is "changed"
PAIR_WINDOW = 8  # how far from its proportional place a replacement is looked for
FUZZY_MOVE_PAIRS = 2_500  # leftover removed × added sentences searched for edited moves
VOCABULARY_SLACK = 0.1  # shared distinct words may undercount repeated ones; allow for it
LONG_TOKENS = 2000  # beyond this a sentence is compared coarsely (difflib is quadratic)
NEGATION_FLOOR = 0.5  # a flipped negation reverses a claim: at least this significant
STATEMENT_FLOOR = 0.5  # a changed sentence naming a tracked actor: at least this significant

_TOKEN = re.compile(r"\w+(?:'\w+)*|\s+|[^\w\s]")
_NEGATION = re.compile(  # in a comparable key: lower-case words separated by single spaces
    r"(?<!\S)(?:not|no|never|nor|neither|none|nobody|nothing|nowhere|cannot|without|\S*n't)"
    r"(?!\S)"
)


class Finder(Protocol):
    """What finds tracked actors in a sentence (`monitor.actors.ActorFinder`)."""

    def names(self, sentence: str) -> Sequence[object]: ...


@dataclass(frozen=True)
class _Unit:
    """A sentence with what alignment needs."""

    text: str
    key: str
    noise: bool

    @cached_property
    def tokens(self) -> list[str]:
        return self.key.split()

    @cached_property
    def vocabulary(self) -> frozenset[str]:
        return frozenset(self.tokens)

    @cached_property
    def words(self) -> int:
        return len(self.tokens)


@dataclass(frozen=True)
class _Step:
    """An alignment step before moves are known; indexes into the old/new units."""

    op: str  # equal | removed | added | changed
    i: int | None
    j: int | None


def compare(
    old: str, new: str, *, actors: Finder | None = None, case_sensitive: bool = False
) -> TextChange:
    """Diff two texts sentence by sentence, discounting noise; an edit of case alone is
    noise unless `case_sensitive`.

    With `actors`, a changed sentence that names a tracked actor makes the change at least
    STATEMENT_FLOOR significant: "will not back down" → "is not seeking a wider war" is a
    few words of a long article, but it is what the article is monitored for.
    """
    a, b = _units(old, case_sensitive), _units(new, case_sensitive)
    steps = list(_align(a, b))
    moves = _find_moves(steps, a, b)
    edits = _mark_headline(tuple(_edits(steps, moves, a, b)), old, new)
    return _summarise(edits, a, b, actors)


def apply(old: str, change: TextChange) -> list[str]:
    """The new text's sentences, rebuilt from `old` and a change computed from it.

    Checks that every old sentence is accounted for exactly once, so a change applied to
    the wrong text fails instead of producing a plausible mix.
    """
    old_sentences = [s.text for s in sentences(normalise(old))]
    seen = sorted(e.old_index for e in change.edits if e.old_index is not None)
    if seen != list(range(len(old_sentences))):
        raise ValueError("change does not cover the old text's sentences")
    for edit in change.edits:
        if edit.old_index is not None and old_sentences[edit.old_index] != edit.old:
            raise ValueError(f"old sentence {edit.old_index} differs from the change")
    return [e.new for e in change.edits if e.new is not None]


def _units(text: str, case_sensitive: bool = False) -> list[_Unit]:
    normal = normalise(text)
    furniture = noise.boilerplate_mask(normal.split("\n"))
    units = []
    for sentence in sentences(normal):
        key = sentence_key(sentence.text, case_sensitive)
        furnished = furniture[sentence.paragraph] or noise.is_boilerplate(sentence.text)
        units.append(_Unit(sentence.text, key, furnished or not key))
    return units


@lru_cache(maxsize=1 << 16)
def sentence_key(sentence: str, case_sensitive: bool = False) -> str:
    """What sentences are aligned on: lower-cased words (as written, when `case_sensitive`),
    volatile bits removed.

    Cached, because consecutive versions of an article share almost all their sentences.
    """
    return comparable(noise.strip_volatile(sentence), keep_case=case_sensitive)


def _align(a: Sequence[_Unit], b: Sequence[_Unit]) -> Iterator[_Step]:
    """Equal head and tail first (cheap, and most edits leave them), difflib in between."""
    keys_a, keys_b = [u.key for u in a], [u.key for u in b]
    head = _common_length(keys_a, keys_b)
    tail = _common_length(keys_a[head:][::-1], keys_b[head:][::-1])
    yield from (_Step("equal", i, i) for i in range(head))
    # autojunk stays on: it only drops keys repeated in >1% of a long text (furniture).
    matcher = SequenceMatcher(None, keys_a[head : len(a) - tail], keys_b[head : len(b) - tail])
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        i1, i2, j1, j2 = i1 + head, i2 + head, j1 + head, j2 + head
        if tag == "equal":
            yield from (
                _Step("equal", i, j) for i, j in zip(range(i1, i2), range(j1, j2), strict=True)
            )
        else:
            yield from _pair_block(a, b, i1, i2, j1, j2)
    yield from (_Step("equal", len(a) - k, len(b) - k) for k in range(tail, 0, -1))


def _pair_block(
    a: Sequence[_Unit], b: Sequence[_Unit], i1: int, i2: int, j1: int, j2: int
) -> Iterator[_Step]:
    """Within a replaced block, pair similar sentences without crossing, in order."""
    pairs = _best_pairs(a, b, i1, i2, j1, j2)
    i, j = i1, j1
    for pi, pj in [*pairs, (i2, j2)]:
        yield from (_Step("removed", k, None) for k in range(i, pi))
        yield from (_Step("added", None, k) for k in range(j, pj))
        if pi < i2:
            yield _Step("changed", pi, pj)
        i, j = pi + 1, pj + 1


def _best_pairs(
    a: Sequence[_Unit], b: Sequence[_Unit], i1: int, i2: int, j1: int, j2: int
) -> list[tuple[int, int]]:
    """Greedy by similarity, each old sentence looked up near its proportional place."""
    if i1 == i2 or j1 == j2:
        return []
    scale = (j2 - j1) / (i2 - i1)
    candidates = []
    for i in range(i1, i2):
        centre = j1 + int((i - i1) * scale)
        for j in range(max(j1, centre - PAIR_WINDOW), min(j2, centre + PAIR_WINDOW + 1)):
            if a[i].noise == b[j].noise:
                score = _similarity(a[i], b[j])
                if score >= PAIR_THRESHOLD:
                    candidates.append((score, i, j))
    chosen_i: list[int] = []
    chosen_j: list[int] = []
    for _, i, j in sorted(candidates, key=lambda c: (-c[0], c[1], c[2])):
        at = bisect_left(chosen_i, i)
        free = at == len(chosen_i) or chosen_i[at] != i
        fits = (at == 0 or chosen_j[at - 1] < j) and (at == len(chosen_j) or j < chosen_j[at])
        if free and fits:
            chosen_i.insert(at, i)
            chosen_j.insert(at, j)
    return list(zip(chosen_i, chosen_j, strict=True))


def _similarity(a: _Unit, b: _Unit) -> float:
    """difflib's ratio on words, after two cheap tests that reject unrelated sentences."""
    shortest, total = min(a.words, b.words), a.words + b.words
    if not total or 2 * shortest / total < PAIR_THRESHOLD:
        return 0.0
    shared = len(a.vocabulary & b.vocabulary)
    if 2 * shared / (len(a.vocabulary) + len(b.vocabulary)) < PAIR_THRESHOLD - VOCABULARY_SLACK:
        return 0.0
    if max(a.words, b.words) > LONG_TOKENS:  # difflib's quick_ratio, minus its set-up cost
        return 2 * sum((Counter(a.tokens) & Counter(b.tokens)).values()) / total
    return SequenceMatcher(None, a.tokens, b.tokens, autojunk=False).ratio()


def _find_moves(steps: Sequence[_Step], a: Sequence[_Unit], b: Sequence[_Unit]) -> dict[int, int]:
    """new index → old index for sentences removed in one place and added in another,
    unchanged or edited (an edited one becomes a "changed" edit at its new place)."""
    removed: defaultdict[str, list[int]] = defaultdict(list)
    for step in steps:
        if step.op == "removed" and step.i is not None and a[step.i].key:
            removed[a[step.i].key].append(step.i)
    moves = {}
    for step in steps:
        if step.op == "added" and step.j is not None and removed.get(b[step.j].key):
            moves[step.j] = removed[b[step.j].key].pop(0)
    left_old = [i for indexes in removed.values() for i in indexes]
    left_new = [s.j for s in steps if s.op == "added" and s.j is not None and s.j not in moves]
    moves.update(_similar_moves(left_old, left_new, a, b))
    return moves


def _similar_moves(
    old: Sequence[int], new: Sequence[int], a: Sequence[_Unit], b: Sequence[_Unit]
) -> dict[int, int]:
    """Pair leftover removed and added sentences that are edits of each other, best first."""
    if not old or not new or len(old) * len(new) > FUZZY_MOVE_PAIRS:
        return {}
    candidates = [
        (score, i, j)
        for i in old
        for j in new
        if a[i].noise == b[j].noise and (score := _similarity(a[i], b[j])) >= PAIR_THRESHOLD
    ]
    moves: dict[int, int] = {}
    taken: set[int] = set()
    for _, i, j in sorted(candidates, key=lambda c: (-c[0], c[1], c[2])):
        if j not in moves and i not in taken:
            moves[j] = i
            taken.add(i)
    return moves


def _edits(
    steps: Sequence[_Step], moves: dict[int, int], a: Sequence[_Unit], b: Sequence[_Unit]
) -> Iterator[SentenceEdit]:
    moved_from = set(moves.values())
    for step in steps:
        i, j = step.i, step.j
        if step.op == "removed" and i is not None and i not in moved_from:
            yield SentenceEdit("removed", old=a[i].text, old_index=i, noise=a[i].noise)
        elif step.op == "added" and j is not None and j in moves and a[moves[j]].key != b[j].key:
            yield _pair(a[moves[j]], b[j], moves[j], j, moved=True)
        elif step.op == "added" and j is not None and j in moves:
            old = a[moves[j]]
            noisy = old.noise or b[j].noise
            yield SentenceEdit(
                "moved", old.text, b[j].text, old_index=moves[j], new_index=j, noise=noisy
            )
        elif step.op == "added" and j is not None:
            yield SentenceEdit("added", new=b[j].text, new_index=j, noise=b[j].noise)
        elif i is not None and j is not None:
            yield _pair(a[i], b[j], i, j)


def _pair(old: _Unit, new: _Unit, i: int, j: int, *, moved: bool = False) -> SentenceEdit:
    if old.text == new.text:
        return SentenceEdit("equal", old.text, new.text, old_index=i, new_index=j)
    cosmetic = old.key == new.key or (old.noise and new.noise)
    return SentenceEdit(
        "changed",
        old.text,
        new.text,
        words=word_marks(old.text, new.text),
        old_index=i,
        new_index=j,
        noise=cosmetic,
        negation=not cosmetic and _negations(old.key.lower()) != _negations(new.key.lower()),
        moved=moved,
    )


def word_marks(old: str, new: str) -> tuple[tuple[str, str], ...]:
    """Word-level pieces (equal|insert|delete, text) turning `old` into `new`, grouped into
    phrases: a short run of equal words between two changes joins them (the semantic
    clean-up of diff-match-patch, counted in words), and whitespace shared by both sides
    of a replacement stays outside it, so marks never alternate word by word.

    The common head and tail are cut off first, so a small edit in a huge sentence stays
    cheap; a middle longer than LONG_TOKENS is marked as one replacement.
    """
    a, b = _TOKEN.findall(old), _TOKEN.findall(new)
    head = _common_length(a, b)
    tail = _common_length(a[head:][::-1], b[head:][::-1])
    middle_a, middle_b = a[head : len(a) - tail], b[head : len(b) - tail]
    runs: list[_Run] = []
    if max(len(middle_a), len(middle_b)) > LONG_TOKENS:
        runs.append(_Run(middle_a, middle_b))
    else:
        matcher = SequenceMatcher(None, middle_a, middle_b, autojunk=False)
        for tag, i1, i2, j1, j2 in matcher.get_opcodes():
            runs.append(_Run(middle_a[i1:i2], middle_b[j1:j2], equal=tag == "equal"))
    pieces: list[tuple[str, str]] = []
    _append(pieces, "equal", "".join(b[:head]))
    for run in _phrases(runs):
        if run.equal:
            _append(pieces, "equal", "".join(run.new))
            continue
        lead, deleted, inserted, trail = _shared_spaces("".join(run.old), "".join(run.new))
        _append(pieces, "equal", lead)
        _append(pieces, "delete", deleted)
        _append(pieces, "insert", inserted)
        _append(pieces, "equal", trail)
    _append(pieces, "equal", "".join(b[len(b) - tail :]))
    return tuple(pieces)


@dataclass
class _Run:
    """A stretch of word tokens: equal on both sides, or old tokens replaced by new ones."""

    old: list[str]
    new: list[str]
    equal: bool = False

    @property
    def words(self) -> int:
        return sum(not t.isspace() for t in self.old)

    @property
    def size(self) -> int:
        """A change's size: the larger side, in words."""
        return max(self.words, sum(not t.isspace() for t in self.new))


def _phrases(runs: list[_Run]) -> list[_Run]:
    """Merge each equal run no longer than the changes on both sides of it into them."""
    merged = _joined(runs)
    index = 1
    while index < len(merged) - 1:
        before, middle, after = merged[index - 1 : index + 2]
        between = middle.equal and not before.equal and not after.equal
        if between and middle.words <= min(before.size, after.size):
            joined = _Run(before.old + middle.old + after.old, before.new + middle.new + after.new)
            merged[index - 1 : index + 2] = [joined]
            index = max(1, index - 2)  # the grown change may now swallow its left neighbour
            continue
        index += 1
    return merged


def _joined(runs: list[_Run]) -> list[_Run]:
    """Adjacent runs of the same kind as one (difflib gives delete, insert, replace apart)."""
    out: list[_Run] = []
    for run in runs:
        if not run.old and not run.new:
            continue
        if out and out[-1].equal == run.equal:
            out[-1] = _Run(out[-1].old + run.old, out[-1].new + run.new, run.equal)
        else:
            out.append(_Run(list(run.old), list(run.new), run.equal))
    return out


def _shared_spaces(old: str, new: str) -> tuple[str, str, str, str]:
    """(leading space, old core, new core, trailing space): whitespace both sides of a
    replacement begin or end with is not part of the change."""
    if not old or not new:
        return "", old, new, ""
    lead = ""
    while old[: len(lead) + 1].isspace() and old[: len(lead) + 1] == new[: len(lead) + 1]:
        lead = old[: len(lead) + 1]
    old, new = old[len(lead) :], new[len(lead) :]
    trail = ""
    while (
        len(trail) < min(len(old), len(new)) - 1
        and old[-len(trail) - 1 :].isspace()
        and old[-len(trail) - 1 :] == new[-len(trail) - 1 :]
    ):
        trail = old[-len(trail) - 1 :]
    return lead, old[: len(old) - len(trail)], new[: len(new) - len(trail)], trail


def _common_length(a: list[str], b: list[str]) -> int:
    """Length of the common prefix, by bisection on slice equality (compared in C)."""
    low, high = 0, min(len(a), len(b))
    while low < high:
        middle = (low + high + 1) // 2
        if a[:middle] == b[:middle]:
            low = middle
        else:
            high = middle - 1
    return low


def _append(pieces: list[tuple[str, str]], op: str, text: str) -> None:
    if not text:
        return
    if pieces and pieces[-1][0] == op:
        pieces[-1] = (op, pieces[-1][1] + text)
    else:
        pieces.append((op, text))


def _negations(key: str) -> int:
    return len(_NEGATION.findall(key))


def _mark_headline(edits: tuple[SentenceEdit, ...], old: str, new: str) -> tuple[SentenceEdit, ...]:
    """Flag the edits of the first line when both texts open with a title line: a new
    headline is a change of its own, shown apart from the body's edits."""
    if not (_title_line(old) and _title_line(new)):
        return edits
    touched = [
        k
        for k, e in enumerate(edits)
        if e.op in ("changed", "removed", "added")
        and not e.noise
        and (e.old_index == 0 or e.new_index == 0)
        and e.old_index in (0, None)
        and e.new_index in (0, None)
    ]
    sides = {(edits[k].old_index, edits[k].new_index) for k in touched}
    if sides not in ({(0, 0)}, {(0, None), (None, 0)}):
        return edits  # only one side has its first line touched: a body edit after all
    return tuple(replace(e, headline=True) if k in touched else e for k, e in enumerate(edits))


def _title_line(text: str) -> bool:
    """Whether the text opens with a headline: a short first line that is one sentence."""
    first = normalise(text).split("\n", 1)[0].strip()
    return (
        0 < len(first) <= 200
        and not first.endswith((".", ",", ";", ":"))
        and len(sentences(first)) == 1
    )


def _summarise(
    edits: tuple[SentenceEdit, ...], a: Sequence[_Unit], b: Sequence[_Unit], actors: Finder | None
) -> TextChange:
    real = [e for e in edits if e.op != "equal" and not e.noise]
    body = [e for e in real if not e.headline]
    heads = [e for e in real if e.headline]
    headline = None
    if heads:
        old = next((e.old for e in heads if e.old is not None), "")
        new = next((e.new for e in heads if e.new is not None), "")
        headline = (old, new)
    return TextChange(
        edits=edits,
        added=sum(e.op == "added" for e in body),
        removed=sum(e.op == "removed" for e in body),
        changed=sum(e.op == "changed" for e in body),
        moved=sum(e.op == "moved" for e in body),
        noise=sum(e.op != "equal" and e.noise for e in edits),
        significance=_significance(real, a, b, actors),
        headline=headline,
    )


def _significance(
    real: Sequence[SentenceEdit], a: Sequence[_Unit], b: Sequence[_Unit], actors: Finder | None
) -> float:
    """Share of the article's words that now say something else; order alone is not change."""
    total = max(sum(u.words for u in a if not u.noise), sum(u.words for u in b if not u.noise), 1)
    weight = sum(_weight(e) for e in real)
    if not weight:
        return 0.0
    share = min(1.0, weight / total)
    if any(e.negation for e in real):
        share = max(share, NEGATION_FLOOR)
    if actors is not None and any(_names_actor(e, actors) for e in real):
        share = max(share, STATEMENT_FLOOR)
    return max(round(share, 3), 0.001)  # a real change never rounds away to "nothing"


def _names_actor(edit: SentenceEdit, actors: Finder) -> bool:
    return edit.op == "changed" and any(actors.names(s) for s in (edit.old, edit.new) if s)


def _weight(edit: SentenceEdit) -> int:
    if edit.op == "moved":
        return 0
    if edit.op != "changed" or edit.negation:
        return max(_word_count(edit.old), _word_count(edit.new))
    deleted = sum(_word_count(t) for op, t in edit.words if op == "delete")
    inserted = sum(_word_count(t) for op, t in edit.words if op == "insert")
    return max(deleted, inserted)


def _word_count(text: str | None) -> int:
    return len(comparable(text).split()) if text else 0
