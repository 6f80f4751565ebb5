"""The position engine: which actor takes which stance on which issue, read on a parse.

Its steps are its modules: `candidates` (sentences that name an actor and could hold a
cue), `parse` (spaCy, one batch per document), `cues` (profile cues and general frames
on lemmas), `holder` (who says or does it, and whose words they are), `stance`
(negation, conditions, hedges, time) and `aggregate` (one position per document);
`pool` analyses a large batch of documents on every core.
spaCy is imported only when the first sentence is parsed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache, cached_property
from typing import TYPE_CHECKING

from monitor import analysis_version
from monitor import lexicon as lexicon_mod
from monitor import profile as profile_mod
from monitor.actors import ActorFinder, Tracker
from monitor.engine import candidates, pool
from monitor.engine import parse as parse_mod
from monitor.engine.aggregate import MIN_CONFIDENCE, position, positions
from monitor.engine.parse import parse
from monitor.models import Attribution, Claim
from monitor.profile import Issue, Profile

if TYPE_CHECKING:
    from spacy.tokens import Token

    from monitor.engine.cues import Hit, Matcher
    from monitor.engine.holder import Holder, Reader
    from monitor.engine.stance import Reading, Rules

__all__ = ["MIN_CONFIDENCE", "Engine", "default_engine", "position", "positions"]

_EXCLUDING = re.compile(r"\b(?:rul\w* out|exclud\w*|preclud\w*)\b")
_GENERAL = ("frame ", "judged ", "proceeds:", "deed:", "stays:")
_CONDITIONAL_MOOD = frozenset({"could"})  # "could clear it provided ..."
READ_CACHE = 4_000  # sentences whose hits and readings are kept
_BASE: dict[Attribution, float] = {
    "quote": 0.9,
    "reported": 0.8,
    "described": 0.7,
    "speculated": 0.3,
    "demanded": 0.2,
}


@cache
def default_engine() -> Engine:
    """The engine for the packaged default profile, built once per process."""
    return Engine(profile_mod.load())


class Engine:
    """A compiled profile: call `claims(text)` per document."""

    def __init__(self, profile: Profile) -> None:
        self.profile = profile
        self.lexicon = lexicon_mod.for_profile(profile)
        self.finder = ActorFinder(profile, self.lexicon)
        self.version = analysis_version(profile.digest)
        self._read: dict[str, list[tuple[Hit, Reading]]] = {}
        # Claims of the last two batches prepared, by text; the newer one may be running.
        self._ready: dict[str, list[Claim]] = {}
        self._older: dict[str, list[Claim]] = {}
        self._running: pool.Batch | None = None

    @cached_property
    def _steps(self) -> tuple[Matcher, Reader, Rules, candidates.Filter]:
        """Built on first use: compiling cues needs the parser."""
        from monitor.engine.cues import Matcher
        from monitor.engine.holder import Reader
        from monitor.engine.stance import Rules

        matcher = Matcher(self.profile, self.lexicon)
        return (
            matcher,
            Reader(self.finder, self.lexicon, _kinds(self.profile)),
            Rules(self.lexicon),
            matcher.filter(self.profile),
        )

    def warm(self) -> None:
        """Load the parser and compile the profile now rather than at the first sentence."""
        parse_mod.load()
        assert self._steps

    def prepare(self, texts: Iterable[str]) -> None:
        """Start analysing a batch of documents, on every core when it holds enough to
        parse, and return: `claims` answers those texts from it (waiting for it if need
        be), and from the batch before, which the caller may still be storing. It changes
        how fast, never what: a text left out, or a batch too small to share, is read when
        it is asked for."""
        self._settle()
        self._older, self._ready = self._ready, {}
        pending = list(dict.fromkeys(texts))
        if pool.workers() > 1 and self._to_parse(pending) >= pool.MIN_SENTENCES:
            self._running = pool.Batch(self, pending)

    def _settle(self) -> None:
        """Wait for the running batch, if any."""
        if self._running is not None:
            running, self._running = self._running, None
            self._ready = running.claims()

    def close(self) -> None:
        """End a batch still running (its workers too) and drop what was prepared."""
        if self._running is not None:
            self._running.close()
            self._running = None
        self._ready, self._older = {}, {}

    def _to_parse(self, texts: list[str]) -> int:
        """Sentences of `texts` the parse would read and has not kept (counted up to the
        number that makes a batch worth sharing)."""
        _, _, _, worth = self._steps
        count = 0
        for text in texts:
            for c in candidates.find(text, self.finder):
                count += worth.worth_parsing(c) and not parse_mod.kept(c.text)
            if count >= pool.MIN_SENTENCES:
                break
        return count

    def claims(self, text: str) -> list[Claim]:
        """Every claim in `text`, spans as character offsets into `text`."""
        if self._running is not None and text in self._running.texts:
            self._settle()
        for prepared in (self._older, self._ready):
            if text in prepared:
                return prepared.pop(text)
        return self.read(text)

    def read(self, text: str) -> list[Claim]:
        """The claims of `text` read now, whatever was prepared."""
        return self.read_many([text])[0]

    def read_many(self, texts: list[str]) -> list[list[Claim]]:
        """The claims of each text read now, their sentences parsed in one batch (what a
        worker runs: the parser multiplies larger matrices at once, a sixth faster)."""
        _, _, _, worth = self._steps
        found = [candidates.find(text, self.finder) for text in texts]
        chosen = [c for cs in found for c in cs if worth.worth_parsing(c)]
        for c, doc in zip(chosen, parse([c.text for c in chosen]), strict=True):
            c.doc = doc
        return [self._document(cs) for cs in found]

    def _document(self, found: list[candidates.Candidate]) -> list[Claim]:
        """One document's claims from its candidate sentences, parsed where worth it."""
        _, reader, _, _ = self._steps
        tracker = Tracker()
        claims: list[Claim] = []
        for c in found:
            if c.doc is not None:
                best: dict[tuple[str, str], tuple[Claim, Token]] = {}
                for hit, reading in self._readings(c):
                    root = c.doc[hit.root]
                    for claim in self._claims(c, hit, reading, tracker):
                        key = (claim.actor, claim.issue)
                        conditional = _pure_conditional(self.profile.issues[claim.issue])
                        if key not in best or _better((claim, root), best[key], conditional):
                            best[key] = (claim, root)
                claims.extend(claim for claim, _ in best.values())
            tracker.observe(reader.subject_actors(c, tracker), c.named)
        return claims

    def _readings(self, c: candidates.Candidate) -> list[tuple[Hit, Reading]]:
        """The sentence's hits and how each is said: they depend on the text alone, so a
        sentence seen again (another outlet, an edit, a recompute) is read once."""
        if c.text in self._read:
            return self._read[c.text]
        matcher, _, rules, _ = self._steps
        assert c.doc is not None
        found = []
        for hit in matcher.hits(c.doc):
            root = c.doc[hit.root]
            reading = rules.read(root, rules.predicate(root), hit.tokens)
            if reading.condition != "inside":
                found.append((hit, reading))
        if len(self._read) > READ_CACHE:
            self._read.clear()
        self._read[c.text] = found
        return found

    def _claims(
        self, c: candidates.Candidate, hit: Hit, reading: Reading, tracker: Tracker
    ) -> list[Claim]:
        _, reader, rules, _ = self._steps
        assert c.doc is not None
        root = c.doc[hit.root]
        pred = rules.predicate(root)
        holder = reader.read(
            root,
            pred,
            c,
            tracker,
            judged=hit.judged or hit.text.startswith("judged"),
            owned=hit.text.startswith(("proceeds", "stays")),
            act=hit.text.startswith(("frame attack", "frame calm")),
        )
        issue = self.profile.issues[hit.issue]
        actors = [a for a in holder.actors if issue.applies_to(a)]
        if not actors:
            return []
        if hit.text.startswith("frame change") and _negated(hit, reading, holder):
            return []  # "changed its rate" says no direction; only "did not change" holds
        if _negated(hit, reading, holder) and issue.negation(hit.stance) == hit.stance:
            return []  # "did not keep rates on hold": the middle denied says no direction
        stance, unconditioned = _stance(issue, hit, reading, holder)
        confidence = _confidence(holder, reading, c)
        reasons = _reasons(hit, holder, reading, c)
        current = reading.tense != "background" and not c.headline
        return [
            Claim(
                actor=actor,
                issue=issue.name,
                stance=stance,
                score=issue.score(stance),
                confidence=confidence,
                sentence=c.text,
                span=(c.start, c.start + len(c.text)),
                attribution=holder.attribution,
                cue=("not " if _negated(hit, reading, holder) else "") + hit.text,
                unconditioned=unconditioned,
                reasons=reasons,
                current=current,
            )
            for actor in actors
        ]


def _kinds(profile: Profile) -> dict[str, tuple[str, ...]]:
    """Actors by the last word of their kind ("central bank" -> "bank") or anaphora."""
    kinds: dict[str, tuple[str, ...]] = {}
    for actor in profile.actors.values():
        words = [actor.kind_noun] if actor.kind_noun else []
        words += [a.split()[-1].lower() for a in actor.anaphora if len(a.split()) > 1]
        for word in dict.fromkeys(words):  # "the watchdog" names "the competition watchdog"
            kinds[word] = (*kinds.get(word, ()), actor.name)
    return kinds


def _pure_conditional(issue: Issue) -> str | None:
    """The issue's conditional stance where it is only that ("conditional"), not a stance
    of its own that conditions also lead to (a rate scale's "hold")."""
    if issue.conditional is None or issue.scale[issue.index(issue.conditional)].frames:
        return None
    return issue.conditional


def _negated(hit: Hit, reading: Reading, holder: Holder) -> bool:
    flips = (reading.negation is not None) + len(holder.refusals) + hit.reverse
    return flips % 2 == 1


def _stance(issue: Issue, hit: Hit, reading: Reading, holder: Holder) -> tuple[str, str | None]:
    index = hit.stance
    excluded = _EXCLUDING.search(hit.text) or any(map(_EXCLUDING.search, holder.refusals))
    denied = reading.negation is not None or any(
        not _EXCLUDING.search(r) for r in holder.refusals
    )  # "declined to rule out a further cut"
    if denied and excluded and issue.conditional is not None:
        return issue.conditional, None  # "no longer rules out a recall": it may come
    if _negated(hit, reading, holder):
        index = issue.negation(index)
    if reading.condition and issue.conditional is not None:
        return issue.conditional, issue.scale[index].name
    return issue.scale[index].name, None


def _confidence(holder: Holder, reading: Reading, c: candidates.Candidate) -> float:
    confidence = _BASE[holder.attribution]
    if holder.blocked:
        confidence = min(confidence, 0.3)
    if reading.hedge == "not outright":  # not rejecting outright is not accepting
        confidence = min(confidence, 0.3)
    elif reading.hedge and not (reading.condition and reading.hedge in _CONDITIONAL_MOOD):
        confidence *= 0.4 if reading.hedge != "reportedly" else 0.9
    if reading.tense == "background":
        confidence *= 0.45
    elif reading.tense == "forward":
        confidence *= 0.85  # guidance about later weighs less than today's decision
    if holder.via_reference:
        confidence *= 0.9
    if c.headline:
        confidence *= 0.85
    if c.text.rstrip().endswith("?"):
        confidence *= 0.4
    return round(confidence, 3)


def _reasons(
    hit: Hit, holder: Holder, reading: Reading, c: candidates.Candidate
) -> tuple[tuple[str, str], ...]:
    reasons = [("holder", holder.how), ("cue", hit.text), ("attribution", holder.attribution)]
    if holder.sayer:
        reasons.append(("sayer", holder.sayer))
    if holder.blocked:
        reasons.append(("not own stance", holder.blocked))
    if reading.negation:
        reasons.append(("negation", reading.negation))
    if holder.refusals:
        reasons.append(("refusal", ", ".join(holder.refusals)))
    if hit.reverse:
        reasons.append(("frame", "opposite of the stance's frame"))
    if reading.condition:
        reasons.append(("condition", reading.condition))
    if reading.hedge:
        reasons.append(("hedge", reading.hedge))
    reasons.append(("tense", f"{reading.tense}: {reading.why_time}".rstrip(": ")))
    if c.headline:
        reasons.append(("headline", "yes"))
    return tuple(reasons)


def _better(
    new_hit: tuple[Claim, Token], old_hit: tuple[Claim, Token], conditional: str | None
) -> bool:
    """Within one sentence: the current claim, then a condition over an absolute ("is not
    seeking a confrontation but will respond to any attack"), then the profile's own cue
    over a general frame unless the frame governs it ("backed away from ordering a
    recall"), then the surer."""
    (new, new_root), (old, old_root) = new_hit, old_hit
    if new.current != old.current:
        return new.current
    new_term, old_term = (
        claim.unconditioned is not None or (conditional is not None and claim.stance == conditional)
        for claim in (new, old)
    )
    if new_term != old_term:
        return new_term  # a condition over a plain statement
    if any(a.i == new_root.i for a in old_root.ancestors):
        return True  # the new claim's words govern the old one's
    if any(a.i == old_root.i for a in new_root.ancestors):
        return False
    if _own_cue(new) != _own_cue(old):  # the profile's own words over general English
        return _own_cue(new)
    return new.confidence > old.confidence


def _own_cue(claim: Claim) -> bool:
    """Did a cue phrase of the profile make the claim, rather than a general frame?"""
    return not claim.cue.removeprefix("not ").startswith(_GENERAL)
