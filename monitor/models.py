"""The values that flow through the pipeline. Frozen, so a step cannot change another's input."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Literal

Outcome = Literal["new", "changed", "unchanged", "redated", "reverted", "not-modified", "error"]
Attribution = Literal["quote", "reported", "described", "demanded", "speculated"]


@dataclass(frozen=True)
class Document:
    """An article as extracted: clean text for analysis, the raw input kept beside it."""

    text: str
    title: str | None = None
    published_at: date | None = None
    date_source: str | None = None  # where the date came from: "given", "metadata", "text"
    url: str | None = None
    outlet: str | None = None
    locator: str | None = None  # what identifies it across re-adds: URL or path
    raw: bytes | None = None


@dataclass(frozen=True)
class Fetched:
    """What one HTTP fetch did: the response, or the reason there is none (never just None)."""

    url: str  # as asked
    final_url: str  # after redirects
    status: int | None = None  # None when no response arrived
    headers: dict[str, str] = field(default_factory=dict)
    content: bytes = b""  # decoded from gzip/deflate, at most the size cap
    content_type: str | None = None
    charset: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    truncated: bool = False  # the body was larger than the cap and was cut
    error: str | None = None  # why there is no usable body
    tries: int = 1

    @property
    def ok(self) -> bool:
        return self.error is None and self.status is not None and 200 <= self.status < 300

    @property
    def not_modified(self) -> bool:
        return self.error is None and self.status == 304


@dataclass(frozen=True)
class Version:
    id: int
    document_id: int
    fetched_at: datetime
    text_hash: str
    text: str


@dataclass(frozen=True)
class SentenceEdit:
    """One step of a sentence-level diff, in the order of the new text.

    Every sentence of both texts appears once (a moved one at its new place), so the
    edits alone rebuild the new text and show where each old sentence went.
    """

    op: Literal["equal", "added", "removed", "changed", "moved"]
    old: str | None = None
    new: str | None = None
    # For "changed": word-level pieces [(op, text)], op in equal|insert|delete; the
    # equal+insert pieces joined give `new`, the equal+delete pieces give `old`.
    words: tuple[tuple[str, str], ...] = ()
    old_index: int | None = None  # sentence numbers (0-based) in the old / new text
    new_index: int | None = None
    noise: bool = False  # whitespace, case, punctuation, boilerplate or timestamp only
    negation: bool = False  # a negation appeared or vanished: the sentence now says the opposite
    moved: bool = False  # for "changed": the sentence was also moved elsewhere
    headline: bool = False  # the first line, a title: shown as the headline, not a body edit


@dataclass(frozen=True)
class TextChange:
    """What changed between two texts, sentence by sentence, noise already discounted."""

    edits: tuple[SentenceEdit, ...]
    added: int = 0
    removed: int = 0
    changed: int = 0
    moved: int = 0
    noise: int = 0  # edits that were discounted as noise
    significance: float = 0.0  # 0 = nothing meaningful, 1 = everything rewritten
    headline: tuple[str, str] | None = None  # (old, new) when the title line changed

    @property
    def meaningful(self) -> bool:
        return (self.added + self.removed + self.changed) > 0 or self.headline is not None

    @property
    def meaningful_edits(self) -> tuple[SentenceEdit, ...]:
        """The body edits a reader should see: neither unchanged, noise nor the headline."""
        return tuple(e for e in self.edits if e.op != "equal" and not e.noise and not e.headline)

    @property
    def summary(self) -> str:
        if not self.meaningful and not self.moved:
            return "no meaningful change"
        parts = ["headline changed"] if self.headline else []
        parts += [
            f"{n} {label}"
            for n, label in (
                (self.added, "added"),
                (self.removed, "removed"),
                (self.changed, "changed"),
                (self.moved, "moved"),
            )
            if n
        ]
        return ", ".join(parts)


@dataclass(frozen=True)
class Claim:
    """One sentence in which an actor takes a stance on an issue."""

    actor: str
    issue: str
    stance: str
    score: float  # position on the issue's scale, -1 (first pole) .. 1 (last pole)
    confidence: float
    sentence: str
    span: tuple[int, int]  # character offsets of the sentence in the version text
    attribution: Attribution
    cue: str
    # For a conditional stance: what the statement says without its condition ("will
    # not intervene unless attacked" -> the pole it would otherwise take).
    unconditioned: str | None = None
    # Why the engine read it so: (reason, value) pairs such as ("holder", "subject 'the
    # union'"), ("negation", "not"), ("tense", "background: in a relative clause").
    reasons: tuple[tuple[str, str], ...] = ()
    current: bool = True  # the actor's deed or word now, not background or a headline


@dataclass(frozen=True)
class Position:
    """An actor's stance on an issue as one document states it."""

    actor: str
    issue: str
    document_id: int
    published_at: date
    stance: str
    score: float
    confidence: float
    evidence: str
    outlet: str | None = None


@dataclass(frozen=True)
class Shift:
    """An actor's stance moved along an issue's scale between two documents."""

    actor: str
    issue: str
    before: Position
    after: Position
    status: Literal["emerging", "confirmed"]
    confidence: float


@dataclass(frozen=True)
class Event:
    """Something that may be alerted. `key` makes it idempotent across recomputes."""

    kind: str  # position-shift | text-change | source-failing | source-recovered
    key: str
    payload: dict[str, object] = field(default_factory=dict)
