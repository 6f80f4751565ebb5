"""Claims: which actor takes which stance on which issue, sentence by sentence. Pure.

Rule-based and fast. Only sentences that name an actor (or refer back to one) are read.
A profile's cue phrases say what a stance sounds like; the rules here decide whether the
sentence affirms or negates the cue (negation, refusal verbs), whether it is conditional
("only if", "unless", "only then"), and whose stance it is: the actor's own when the actor
says or does it, not when others demand it, and with low confidence when it is hedged
or rumoured.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import cache

from monitor import analysis_version
from monitor import lexicon as lexicon_mod
from monitor import profile as profile_mod
from monitor.actors import ActorFinder, Mention, Tracker
from monitor.models import Attribution, Claim, Position
from monitor.profile import Issue, Profile
from monitor.text import sentences

MIN_CONFIDENCE = 0.35  # claims below (speculation, rumour) are kept but make no position

_WORD = re.compile(r"\w+(?:['’]\w+)*")
_TOKEN = re.compile(r"\w+(?:['’]\w+)*|[^\w\s]")
_CLAUSE_PUNCT = frozenset({";", ":", "—", "–"})
_SENTENCE_END = frozenset({".", "?", "!", ";", ":"})
_QUOTE = re.compile('["“”]')
_BASE_CONFIDENCE: dict[str, float] = {
    "quote": 0.9,
    "reported": 0.8,
    "described": 0.7,
    "speculated": 0.3,
}
_IRREGULAR = {
    "lay": ("laid", "laying"),
    "give": ("gave", "given"),
    "fight": ("fought",),
    "strike": ("struck",),
    "hold": ("held",),
    "keep": ("kept",),
    "take": ("took", "taken"),
    "make": ("made",),
    "rise": ("rose", "risen"),
    "cut": ("cutting",),
    "begin": ("began", "begun"),
    "hit": ("hitting",),
    "set": ("setting",),
}
# Speech verbs whose speaker may follow them: "..., said Qassem", "according to Tehran".
_POSTPOSED = frozenset({"said", "says", "stated", "added", "noted", "according to", "wrote"})
NEGATION_WINDOW = 5  # tokens between "not" and the cue
REFUSAL_WINDOW = 12  # "refused a direct order from X to attack"


@dataclass(frozen=True)
class Token:
    low: str
    start: int
    end: int


@dataclass(frozen=True)
class Cue:
    issue: str
    stance: int  # index on the issue's scale
    words: tuple[frozenset[str], ...]  # accepted forms of each word, in order
    text: str


@dataclass(frozen=True)
class _Hit:
    cue: Cue
    first: int  # token indices of the cue's first and last words
    last: int


@dataclass
class _Sentence:
    text: str
    start: int
    tokens: list[Token]
    mentions: list[Mention]  # resolved: every mention has an actor or is a blocker
    quotes: list[tuple[int, int]]
    speaker: str | None
    starts: list[int] = field(default_factory=list)  # token start offsets, for lookups
    phrases: dict[str, list[tuple[int, int, str]]] = field(default_factory=dict)


@cache
def default_engine() -> Engine:
    """The engine for the packaged default profile, built once per process."""
    return Engine(profile_mod.load())


class Engine:
    """Compiled profile: call `claims(text)` per document."""

    def __init__(self, profile: Profile) -> None:
        self.profile = profile
        self.lexicon = lexicon_mod.for_profile(profile)
        self.finder = ActorFinder(profile, self.lexicon)
        self.version = analysis_version(profile.digest)
        self.cues = [
            _compile_cue(issue.name, index, cue)
            for issue in profile.issues.values()
            for index, stance in enumerate(issue.scale)
            for cue in stance.cues
        ]
        self._cue_starts: dict[str, list[Cue]] = {}
        for cue in self.cues:
            for form in cue.words[0]:
                self._cue_starts.setdefault(form, []).append(cue)
        self._cue_words = frozenset(self._cue_starts)
        self._topics = {
            issue.name: tuple(_compile_cue(issue.name, 0, t).words for t in issue.topic)
            for issue in profile.issues.values()
        }
        lx = self.lexicon
        self._phrases = {
            name: _phrase_index(getattr(lx, name))
            for name in (
                "negators",
                "refusals",
                "demands",
                "speech",
                "hedges",
                "conditions",
                "condition_after",
                "obligations",
            )
        }
        self._all_phrases: dict[str, list[tuple[tuple[str, ...], str]]] = {}
        for name, index in self._phrases.items():
            for first, entries in index.items():
                self._all_phrases.setdefault(first, []).extend((e, name) for e in entries)
        self._relation = frozenset(lx.relation_nouns)
        self._speech_words = frozenset(lx.speech)
        self._preps = frozenset(lx.prepositions)
        self._breaks = frozenset(lx.clause_breaks)
        self._continuations = frozenset(lx.continuations)
        self._other = frozenset(lx.other_person)
        self._first_person = frozenset(lx.first_person)

    def claims(self, text: str) -> list[Claim]:
        """Every claim in `text`, spans as character offsets into `text`."""
        tracker = Tracker()
        found: list[Claim] = []
        for sentence in sentences(text):
            named = self.finder.names(sentence.text)
            refs = self.finder.references(sentence.text, named)
            if not named and not refs:
                continue
            if not self._may_hold_cue(sentence.text):  # only who it is about matters
                light = _Sentence(
                    sentence.text, sentence.start, _tokens(sentence.text), named, [], None
                )
                light.starts = [t.start for t in light.tokens]
                tracker.observe(self._subjects(light), named)
                continue
            analysed = self._prepare(sentence.text, sentence.start, named, refs, tracker)
            found.extend(self._sentence_claims(analysed))
            subjects = self._subjects(analysed)
            tracker.observe(subjects, analysed.mentions)
        return found

    def _may_hold_cue(self, text: str) -> bool:
        """Cheap pre-check: does any word start a cue? Most actor sentences have none."""
        lowered = text.lower().replace("’s", "").replace("'s", "")
        return not self._cue_words.isdisjoint(_WORD.findall(lowered))

    # -- one sentence ---------------------------------------------------------------

    def _prepare(
        self, text: str, start: int, named: list[Mention], refs: list[Mention], tracker: Tracker
    ) -> _Sentence:
        tokens = _tokens(text)
        sentence = _Sentence(text, start, tokens, [], _quote_spans(text), None)
        sentence.starts = [t.start for t in tokens]
        sentence.speaker = self._speaker(sentence, named, refs, tracker)
        mentions = list(named)
        for ref in refs:
            earlier = [m for m in named if m.end <= ref.start and self._is_candidate(sentence, m)]
            speaker = sentence.speaker
            if ref.kind == "first" and speaker is None and earlier and not tracker.subjects:
                speaker = earlier[0].actor  # a headline or lead: "X: we will not ..."
            actors = self.finder.resolve(ref, tracker, speaker, earlier)
            mentions.extend(_with_actor(ref, actor) for actor in actors or (None,))
        for match in re.finditer(r"\w+", text):
            if match.group(0).lower() in self._other:
                mentions.append(Mention(None, match.start(), match.end(), "pronoun"))
        mentions.sort(key=lambda m: m.start)
        sentence.mentions = mentions
        return sentence

    def _speaker(
        self, s: _Sentence, named: list[Mention], refs: list[Mention], tracker: Tracker
    ) -> str | None:
        """Who speaks: the name or pronoun next to a speech verb ("Qassem said", "said X")."""
        candidates = [*named, *(r for r in refs if r.kind in ("person_pronoun", "pronoun"))]
        for first, last, phrase in self._found(s, "speech"):
            before = [m for m in candidates if 0 < first - self._tok(s, m.end - 1) <= 3]
            after = [m for m in candidates if 0 < self._tok(s, m.start) - last <= 3]
            chosen = before[-1:] or (after[:1] if phrase in _POSTPOSED else [])
            for mention in chosen:
                if mention.actor is not None:
                    return mention.actor
                earlier = [m for m in named if m.end <= mention.start]
                resolved = self.finder.resolve(mention, tracker, None, earlier)
                return resolved[0] if resolved else None
        return None

    def _subjects(self, s: _Sentence) -> tuple[str, ...]:
        for index, mention in enumerate(s.mentions):
            if mention.actor and self._is_candidate(s, mention):
                return tuple(m.actor for m in self._group(s, index) if m.actor)
        return ()

    def _sentence_claims(self, s: _Sentence) -> list[Claim]:
        best: dict[tuple[str, str], Claim] = {}
        question = s.text.rstrip().endswith("?")
        for hit in self._hits(s):
            issue = self.profile.issues[hit.cue.issue]
            if issue.topic and not self._on_topic(s, issue):
                continue
            for claim in self._claims_for_hit(s, hit, issue, question):
                key = (claim.actor, claim.issue)
                if key not in best or _better(claim, best[key], issue):
                    best[key] = claim
        return list(best.values())

    def _claims_for_hit(self, s: _Sentence, hit: _Hit, issue: Issue, question: bool) -> list[Claim]:
        clause = self._clause(s, hit.first)
        condition = self._condition(s, hit, clause)
        if condition == "inside":
            return []
        agents, via_reference, demanded = self._agents(s, hit, clause)
        if demanded or not agents:
            return []
        negated = self._negated(s, hit, clause)
        stance = hit.cue.stance
        if negated:
            stance = issue.negation(stance)
        confidence_factor = 1.0
        unconditioned = None
        if condition == "conditional":
            if issue.conditional is not None:
                unconditioned = issue.scale[stance].name
                stance = issue.index(issue.conditional)
            else:
                confidence_factor *= 0.8
        attribution = self._attribution(s, hit, clause, agents)
        confidence = _BASE_CONFIDENCE[attribution] * confidence_factor
        if via_reference:
            confidence *= 0.85
        if len(hit.cue.words) == 1:
            confidence *= 0.85
        if "reportedly" in (t.low for t in s.tokens):
            confidence *= 0.9
        if question:
            confidence *= 0.4
            attribution = "speculated"
        stance_name = issue.scale[stance].name
        return [
            Claim(
                actor=actor,
                issue=issue.name,
                stance=stance_name,
                score=issue.score(stance_name),
                confidence=round(confidence, 3),
                sentence=s.text,
                span=(s.start, s.start + len(s.text)),
                attribution=attribution,
                cue=("not " if negated else "") + hit.cue.text,
                unconditioned=unconditioned,
            )
            for actor in agents
            if issue.applies_to(actor)
        ]

    # -- cues, clauses, negation, conditions --------------------------------------

    def _hits(self, s: _Sentence) -> Iterable[_Hit]:
        tokens = s.tokens
        for i, token in enumerate(tokens):
            if i > 0 and tokens[i - 1].low in ("-", "‐"):
                continue  # "de-escalation" is not "escalation"
            for cue in self._cue_starts.get(token.low, ()):
                last = _match_rest(tokens, i, cue.words)
                if last is not None:
                    yield _Hit(cue, i, last)

    def _on_topic(self, s: _Sentence, issue: Issue) -> bool:
        return any(
            _match_rest(s.tokens, i, words) is not None
            for words in self._topics[issue.name]
            for i, t in enumerate(s.tokens)
            if t.low in words[0]
        )

    def _clause(self, s: _Sentence, at: int) -> tuple[int, int]:
        """Token range of the clause holding token `at`."""
        start, end = 0, len(s.tokens)
        for i in range(at - 1, -1, -1):
            if self._is_break(s, i):
                start = i + 1
                break
        for i in range(at + 1, len(s.tokens)):
            if self._is_break(s, i):
                end = i
                break
        return start, end

    def _is_break(self, s: _Sentence, i: int) -> bool:
        low = s.tokens[i].low
        return low in _CLAUSE_PUNCT or (low in self._breaks and i > 0)

    def _negated(self, s: _Sentence, hit: _Hit, clause: tuple[int, int]) -> bool:
        count = 0
        for _, last, _ in self._found(s, "negators", clause[0], hit.first):
            if hit.first - last <= NEGATION_WINDOW:
                count += 1
        for i in range(max(clause[0], hit.first - NEGATION_WINDOW), hit.first):
            if s.tokens[i].low.endswith(("n't", "n’t")):
                count += 1
        for _, last, _ in self._found(s, "refusals", clause[0], hit.first):
            if hit.first - last <= REFUSAL_WINDOW:
                count += 1
        return count % 2 == 1

    def _condition(self, s: _Sentence, hit: _Hit, clause: tuple[int, int]) -> str | None:
        """ "inside" when the cue is the condition itself, "conditional" when it is conditioned."""
        if any(True for _ in self._found(s, "condition_after")):
            return "conditional"
        for first, last, phrase in self._found(s, "conditions"):
            if _not_a_condition(s.tokens, first, last, phrase):
                continue
            if first > hit.last:
                if not any(t.low == "," for t in s.tokens[hit.last : first]):
                    return "conditional"
                continue
            comma = any(t.low == "," for t in s.tokens[last + 1 : hit.first])
            if first < hit.first and not comma:
                return "inside"
            return "conditional"
        return None

    # -- who holds the stance -------------------------------------------------------

    def _agents(
        self, s: _Sentence, hit: _Hit, clause: tuple[int, int]
    ) -> tuple[list[str], bool, bool]:
        """(actors, resolved through a reference, demanded of them by someone else)."""
        lo, hi = clause
        condition = self._condition_span(s, hit)
        in_clause = [
            (i, m)
            for i, m in enumerate(s.mentions)
            if lo <= self._tok(s, m.start) < hi
            and self._is_candidate(s, m)
            and not condition[0] <= self._tok(s, m.start) < condition[1]
        ]
        before = [(i, m) for i, m in in_clause if self._tok(s, m.start) < hit.first]
        demands = [
            d
            for d in self._found(s, "demands", lo, hit.first)
            if d[2] not in self._speech_words
            or not any(t.low == "that" for t in s.tokens[d[1] + 1 : hit.first])
        ]
        if demands:
            after_demand = [(i, m) for i, m in before if self._tok(s, m.start) > demands[-1][1]]
            if after_demand:
                return [], False, True
        owner = self._possessor(s, hit)
        if owner is not None:
            chosen = [owner]
        elif before:
            chosen = self._content_subject(s, before, hit)
        elif lo > 0 and self._continues(s, lo):
            return self._agents(s, hit, self._clause(s, lo - 2))
        else:
            chosen = self._fronted(s, hit, in_clause)
        if any(m.actor is None for m in chosen):
            return [], False, False
        if self._obliged(s, chosen, hit):
            return [], False, True
        actors = list(dict.fromkeys(m.actor for m in chosen if m.actor))
        via_reference = all(not m.named for m in chosen)
        return actors, via_reference, False

    def _fronted(
        self, s: _Sentence, hit: _Hit, in_clause: list[tuple[int, Mention]]
    ) -> list[Mention]:
        """ "By avoiding confrontation, Hezbollah can ...": the subject after a fronted phrase,
        but not the speaker of a trailing "..., said the officials"."""
        speech_ends = [last for _, last, _ in self._found(s, "speech", hit.last)]
        for i, mention in in_clause:
            at = self._tok(s, mention.start)
            if at <= hit.last:
                continue
            if any(0 < at - end <= 3 for end in speech_ends):
                return []
            if any(t.low == "," for t in s.tokens[hit.last : at]):
                return self._group(s, i)
            return []
        return []

    def _condition_span(self, s: _Sentence, hit: _Hit) -> tuple[int, int]:
        """Tokens of a fronted condition ("Once Israel withdraws, ..."): not the subject."""
        for first, last, phrase in self._found(s, "conditions", 0, hit.first):
            if _not_a_condition(s.tokens, first, last, phrase):
                continue
            for j in range(last + 1, hit.first):
                if s.tokens[j].low == ",":
                    return first, j
        return 0, 0

    def _content_subject(
        self, s: _Sentence, before: list[tuple[int, Mention]], hit: _Hit
    ) -> list[Mention]:
        """The subject of what is said: after the speech verb if there is one, else the first."""
        speech = [last for _, last, _ in self._found(s, "speech", 0, hit.first)]
        if speech:
            content = speech[-1]
            for j in range(content + 1, min(hit.first, content + 8)):
                if s.tokens[j].low == "that":
                    content = j
                    break
            inside = [(i, m) for i, m in before if self._tok(s, m.start) > content]
            if inside:
                return self._group(s, inside[0][0])
        return self._group(s, before[0][0])

    def _possessor(self, s: _Sentence, hit: _Hit) -> Mention | None:
        """ "Hamas' devastating assault": the possessor acts, whoever the sentence is about."""
        for mention in s.mentions:
            if not mention.possessive or mention.actor is None:
                continue
            end = self._tok(s, mention.end - 1)
            if end >= hit.first:
                continue
            gap = [t.low for t in s.tokens[end + 1 : hit.first] if t.low not in ("'", "’", "s")]
            if len(gap) <= 1 and all(w.isalpha() for w in gap):
                return mention
        return None

    def _obliged(self, s: _Sentence, chosen: list[Mention], hit: _Hit) -> bool:
        """ "Israel should not expect ..." in someone else's words is a demand, not a stance."""
        if not chosen or chosen[0].actor == s.speaker or s.speaker is None:
            return False
        after = self._tok(s, chosen[-1].end - 1)
        return any(
            after < first <= after + 2
            for first, _, _ in self._found(s, "obligations", after, hit.first)
        )

    def _is_candidate(self, s: _Sentence, mention: Mention) -> bool:
        """Can this mention be who acts? Not as an object, not as "Iran's allies"."""
        at = self._tok(s, mention.start)
        if mention.kind in ("pronoun", "person_pronoun") and mention.text.lower() in (
            "them",
            "him",
            "her",
            "themselves",
            "itself",
            "himself",
            "herself",
        ):
            return False
        if mention.possessive:
            end = self._tok(s, mention.end - 1)
            nxt = [t.low for t in s.tokens[end + 1 : end + 4] if t.low not in ("'", "’", "s")]
            if nxt and nxt[0] in self._relation:
                return False
        i = at - 1
        while i >= 0 and (
            s.text[s.tokens[i].start].isupper() or s.tokens[i].low in ("the", "a", "an")
        ):
            if i == 0:
                break
            i -= 1
        return not (i >= 0 and i < at and s.tokens[i].low in self._preps)

    def _group(self, s: _Sentence, index: int) -> list[Mention]:
        """A mention and the ones coordinated with it: "Hezbollah and Hamas"."""
        group = [s.mentions[index]]
        for nxt in s.mentions[index + 1 :]:
            gap = s.text[group[-1].end : nxt.start]
            gap = re.sub(r"^['’]s?", "", gap)
            if not re.fullmatch(r"[\s,]*(?:and|or|as well as|&)?[\s,]*", gap):
                break
            group.append(nxt)
        return group

    def _continues(self, s: _Sentence, lo: int) -> bool:
        return lo < len(s.tokens) and s.tokens[lo].low in self._continuations

    def _attribution(
        self, s: _Sentence, hit: _Hit, clause: tuple[int, int], agents: list[str]
    ) -> Attribution:
        lo, hi = clause
        hedged = any(True for _ in self._found(s, "hedges", lo, hi))
        if hedged or (s.tokens and s.tokens[0].low == "should"):
            return "speculated"
        spoken = s.speaker is not None and s.speaker in agents
        char = s.tokens[hit.first].start
        if spoken and any(a <= char < b for a, b in s.quotes):
            return "quote"
        if any(True for _ in self._found(s, "speech")):
            return "reported" if spoken or s.speaker is None else "described"
        return "described"

    def _tok(self, s: _Sentence, char: int) -> int:
        """Index of the token holding character `char`."""
        return max(0, bisect_right(s.starts, char) - 1)

    def _found(
        self, s: _Sentence, kind: str, lo: int = 0, hi: int | None = None
    ) -> list[tuple[int, int, str]]:
        """Phrases of one lexicon list in the sentence starting in tokens [lo, hi)."""
        if not s.phrases:
            s.phrases = {name: [] for name in self._phrases}
            for first, last, phrase, name in _find_all(s.tokens, self._all_phrases):
                s.phrases[name].append((first, last, phrase))
        hi = len(s.tokens) if hi is None else hi
        return [f for f in s.phrases[kind] if lo <= f[0] < hi]


def position(claims: Sequence[Claim], issue: Issue) -> tuple[str, float, Claim] | None:
    """One document's stance for one (actor, issue): (stance, confidence, best evidence).

    Claims vote with their confidence. A conditional statement qualifies the absolute
    ones of the same document ("we will not surrender our weapons ... only then will we
    discuss a defence strategy" is conditional) unless the plain claims weigh twice as
    much; a condition on a stance the plain claims already take only adds to it.
    """
    usable = [c for c in claims if c.confidence >= MIN_CONFIDENCE]
    if not usable:
        return None
    plain = {c.stance for c in usable if c.unconditioned is None}
    weight: dict[str, float] = {}
    for claim in usable:
        # "cut, and would cut further if ..." leans the way the plain claims already go.
        counted = claim.unconditioned if claim.unconditioned in plain else claim.stance
        weight[counted or claim.stance] = (
            weight.get(counted or claim.stance, 0.0) + claim.confidence
        )
    total = sum(weight.values())
    stance = max(weight, key=lambda k: (weight[k], -issue.index(k)))
    conditioned = sum(
        c.confidence
        for c in usable
        if c.stance == issue.conditional and c.unconditioned and c.unconditioned not in plain
    )
    rest = total - weight.get(issue.conditional or "", 0.0)
    if issue.conditional and conditioned and 2 * conditioned >= rest:
        stance = issue.conditional
    chosen = [c for c in usable if stance in (c.stance, c.unconditioned)]
    evidence = max(chosen, key=_evidence_rank)
    agreement = (
        weight[stance] / total if stance != issue.conditional else max(weight[stance] / total, 0.6)
    )
    support = min(1.0, 0.75 + 0.25 * (len(chosen) - 1))
    confidence = round(evidence.confidence * agreement * support, 3)
    return stance, confidence, evidence


def _evidence_rank(claim: Claim) -> tuple[int, bool, bool, float, int]:
    """What a reader should see first: the actor's own words over a description, a whole
    sentence over a headline, a statement over a "could"/"can" reading of it, then the
    surest claim, then the earliest."""
    own = _OWN_WORDS.get(claim.attribution, 0)
    whole = claim.sentence.rstrip().endswith((".", "!", "?", '"', "'"))
    firm = _SPECULATIVE.search(claim.sentence) is None
    return own, whole, firm, claim.confidence, -claim.span[0]


_OWN_WORDS = {"quote": 2, "reported": 1}
_SPECULATIVE = re.compile(r"\b(can|could|may|might)\b", re.IGNORECASE)


def positions(
    claims: Sequence[Claim],
    profile: Profile,
    *,
    document_id: int,
    published_at: date,
    outlet: str | None = None,
) -> list[Position]:
    """The document's positions, one per (actor, issue) it has usable claims for."""
    grouped: dict[tuple[str, str], list[Claim]] = {}
    for claim in claims:
        grouped.setdefault((claim.actor, claim.issue), []).append(claim)
    found = []
    for (actor, issue_name), group in sorted(grouped.items()):
        issue = profile.issues.get(issue_name)
        result = position(group, issue) if issue else None
        if issue is None or result is None:
            continue
        stance, confidence, evidence = result
        found.append(
            Position(
                actor=actor,
                issue=issue_name,
                document_id=document_id,
                published_at=published_at,
                stance=stance,
                score=issue.score(stance),
                confidence=confidence,
                evidence=evidence.sentence,
                outlet=outlet,
            )
        )
    return found


# -- helpers ------------------------------------------------------------------------


def _forms(word: str) -> frozenset[str]:
    """The inflections a cue word accepts: "attack" matches "attacks", "attacked"..."""
    forms = {word, word + "s", word + "es", word + "ed", word + "d", word + "ing"}
    if word.endswith("e"):
        forms |= {word[:-1] + "ing", word[:-1] + "ed"}
    if word.endswith("y"):
        forms |= {word[:-1] + "ies", word[:-1] + "ied"}
    if (
        len(word) >= 3
        and word[-1] not in "aeiouwxy"
        and word[-2] in "aeiou"
        and word[-3] not in "aeiou"
    ):
        forms |= {word + word[-1] + "ed", word + word[-1] + "ing"}
    forms |= set(_IRREGULAR.get(word, ()))
    if len(word) <= 2 or not word.isalpha():
        return frozenset({word})
    return frozenset(forms)


def _compile_cue(issue: str, stance: int, text: str) -> Cue:
    words = tuple(_forms(_low(t)) for t in _TOKEN.findall(text))
    return Cue(issue, stance, words, text)


MAX_GAP = 3  # words allowed between two cue words: "surrender or lay down its weapons"


def _match_rest(tokens: list[Token], i: int, words: tuple[frozenset[str], ...]) -> int | None:
    """Index of the last token when `words` match from token i (first word already matched)."""
    if tokens[i].low not in words[0]:
        return None
    at = i
    for forms in words[1:]:
        for j in range(at + 1, min(len(tokens), at + 2 + MAX_GAP)):
            if tokens[j].low in _SENTENCE_END:
                return None
            if tokens[j].low in forms:
                at = j
                break
        else:
            return None
    return at


def _phrase_index(phrases: Sequence[str]) -> dict[str, list[tuple[str, ...]]]:
    index: dict[str, list[tuple[str, ...]]] = {}
    for phrase in phrases:
        words = tuple(_TOKEN.findall(phrase.lower()))
        index.setdefault(words[0], []).append(words)
    for entries in index.values():
        entries.sort(key=len, reverse=True)
    return index


def _find_all(
    tokens: list[Token], index: dict[str, list[tuple[tuple[str, ...], str]]]
) -> Iterable[tuple[int, int, str, str]]:
    """(first, last, phrase, list name) for every lexicon phrase, in one pass."""
    for i, token in enumerate(tokens):
        seen: set[str] = set()
        for words, name in index.get(token.low, ()):
            if name in seen:
                continue
            end = i + len(words)
            if end <= len(tokens) and all(tokens[i + k].low == w for k, w in enumerate(words)):
                seen.add(name)
                yield i, end - 1, " ".join(words), name


def _not_a_condition(tokens: list[Token], first: int, last: int, phrase: str) -> bool:
    """ "even if", "as if", "once again" and "if ... whether" are not conditions."""
    before = tokens[first - 1].low if first > 0 else ""
    after = tokens[last + 1].low if last + 1 < len(tokens) else ""
    if phrase == "if" and before in ("even", "as", "what"):
        return True
    return phrase == "once" and after in ("again", "more", "and")


def _quote_spans(text: str) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    opened: int | None = None
    for match in _QUOTE.finditer(text):
        i, char = match.start(), match.group(0)
        if opened is None and char != "”":
            opened = i
        elif opened is not None and char != "“":
            spans.append((opened, i))
            opened = None
    if opened is not None:
        spans.append((opened, len(text)))
    return spans


def _tokens(text: str) -> list[Token]:
    lowered = text.lower().replace("’", "'")
    if len(lowered) != len(text):  # a few characters change length when lower-cased
        return [Token(_low(m.group(0)), m.start(), m.end()) for m in _TOKEN.finditer(text)]
    return [
        Token(w[:-2] if w.endswith("'s") else w, m.start(), m.end())
        for m in _TOKEN.finditer(lowered)
        for w in (m.group(0),)
    ]


def _low(word: str) -> str:
    """Lower case without a possessive: "Israel's" reads as "israel"."""
    low = word.lower().replace("’", "'")
    return low[:-2] if low.endswith("'s") else low


def _with_actor(mention: Mention, actor: str | None) -> Mention:
    return Mention(
        actor, mention.start, mention.end, mention.kind, mention.possessive, mention.text
    )


def _better(new: Claim, old: Claim, issue: Issue) -> bool:
    if (new.stance == issue.conditional) != (old.stance == issue.conditional):
        return new.stance == issue.conditional
    return new.confidence > old.confidence
