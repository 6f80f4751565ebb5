"""Finding actors in a sentence: names, people and metonyms, then references back to them.

Aliases are matched as whole words with one compiled regex per case rule (a few hundred
aliases cost microseconds). A person or a capital city names its organisation ("Naim
Qassem" -> Hezbollah, "Tehran" -> Iran); a demonym ("Israeli") names the actor only
when an acting noun follows ("Israeli officials"), not in "Israeli targets".
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

from monitor.lexicon import Lexicon
from monitor.profile import Profile

MentionKind = Literal[
    "name", "person", "adjective", "anaphor", "pronoun", "person_pronoun", "first"
]

_NAME_GLUE = re.compile(r"^[\s,]*(?:(?:[A-Z][\w.\-']*|al|bin|ibn|de|von|van)[\s,]*)*$")
_POSSESSIVE = re.compile(r"^['’]s?(?!\w)")
_PLURAL = frozenset({"they", "their", "them", "themselves", "theirs"})
_NEXT_WORDS = re.compile(r"[\w\-]+|[^\w\s]")


@dataclass(frozen=True)
class Mention:
    actor: str | None  # None: a reference not yet resolved
    start: int  # character offsets in the sentence
    end: int
    kind: MentionKind
    possessive: bool = False
    text: str = ""

    @property
    def named(self) -> bool:
        return self.kind in ("name", "person", "adjective")


@dataclass
class Tracker:
    """What references can point back to, carried from sentence to sentence of a document."""

    subjects: tuple[str, ...] = ()
    person: str | None = None
    recent: list[str] = field(default_factory=list)  # most recent last

    def observe(self, subjects: tuple[str, ...], mentions: list[Mention]) -> None:
        if subjects:
            self.subjects = subjects
        for mention in mentions:
            if mention.actor is None:
                continue
            if mention.kind == "person":
                self.person = mention.actor
            if mention.actor in self.recent:
                self.recent.remove(mention.actor)
            self.recent.append(mention.actor)


class ActorFinder:
    """Compiled alias matchers for one profile."""

    def __init__(self, profile: Profile, lexicon: Lexicon) -> None:
        self.lexicon = lexicon
        self._kind: dict[str, tuple[str, MentionKind]] = {}
        spelled: dict[str, str] = {}
        for actor in profile.actors.values():
            named = (
                *((a, "name") for a in actor.aliases),
                *((p, "person") for p in actor.people),
                *((a, "adjective") for a in actor.adjectives),
            )
            for alias, kind in named:
                self._kind.setdefault(_key(alias), (actor.name, kind))  # type: ignore[arg-type]
                spelled.setdefault(_key(alias), alias)
        for alias, (name, kind) in _derived(profile, set(self._kind)).items():
            self._kind[_key(alias)] = (name, kind)
            spelled[_key(alias)] = alias
        # Capitalised aliases match case-sensitively: "the Fed" is not "fed up".
        sensitive = [a for a in spelled.values() if any(c.isupper() for c in a)]
        insensitive = [a for a in spelled.values() if not any(c.isupper() for c in a)]
        self._sensitive = _alternation(sensitive, 0)
        self._insensitive = _alternation(insensitive, re.IGNORECASE)
        self._kinds: dict[str, set[str]] = {}  # "party" -> the actors that are parties
        for actor in profile.actors.values():
            if actor.kind_noun:
                self._kinds.setdefault(actor.kind_noun, set()).add(actor.name)
        self._anaphora: dict[str, list[str]] = {}
        for actor in profile.actors.values():
            for phrase in actor.anaphora:
                self._anaphora.setdefault(phrase, []).append(actor.name)
        for phrase, actor_name in _membership(profile, lexicon).items():
            self._anaphora.setdefault(phrase, [actor_name])
        pronouns = {
            **dict.fromkeys(lexicon.pronouns, "pronoun"),
            **dict.fromkeys(lexicon.person_pronouns, "person_pronoun"),
            **dict.fromkeys(lexicon.first_person, "first"),
        }
        self._pronoun_kind: dict[str, MentionKind] = pronouns  # type: ignore[assignment]
        self._references = _alternation([*self._anaphora, *pronouns], re.IGNORECASE)
        # "the competition watchdog", "the rebel group": an anaphor with modifiers between
        self._modified = _modified(list(self._anaphora))
        self._tails = {a.split(" ", 1)[1]: a for a in self._anaphora if a.startswith("the ")}
        self._agent_nouns = frozenset(lexicon.agent_nouns)

    def names(self, sentence: str) -> list[Mention]:
        """Named mentions, a chain of names and titles for one actor merged into one."""
        found: list[Mention] = []
        for pattern in (self._sensitive, self._insensitive):
            if pattern is None:
                continue
            for match in pattern.finditer(sentence):
                actor, kind = self._kind[_key(match.group(0))]
                if kind == "adjective" and not self._acting_noun_follows(sentence, match.end()):
                    continue
                possessive = bool(_POSSESSIVE.match(sentence[match.end() :]))
                found.append(
                    Mention(actor, match.start(), match.end(), kind, possessive, match.group(0))
                )
        found.sort(key=lambda m: (m.start, -m.end))
        return _merge_chains(_drop_overlaps(found), sentence)

    def references(self, sentence: str, named: list[Mention]) -> list[Mention]:
        """Pronouns and anaphora ("the group"), unresolved, outside any named mention."""
        if self._references is None:
            return []
        taken = [(m.start, m.end) for m in named]
        refs: list[Mention] = []
        for match in self._references.finditer(sentence):
            if any(match.start() < e and s < match.end() for s, e in taken):
                continue
            text = match.group(0).lower()
            kind: MentionKind = self._pronoun_kind.get(text, "anaphor")
            possessive = bool(_POSSESSIVE.match(sentence[match.end() :])) or text in (
                "its",
                "their",
                "his",
                "her",
                "our",
                "my",
            )
            refs.append(Mention(None, match.start(), match.end(), kind, possessive, match.group(0)))
        for match in self._modified.finditer(sentence) if self._modified else ():
            start, end = match.span()
            if any(start < e and s < end for s, e in taken + [(r.start, r.end) for r in refs]):
                continue
            key = self._tails.get(match.group("tail").lower())
            if key:
                refs.append(Mention(None, start, end, "anaphor", False, key))
        refs.sort(key=lambda m: m.start)
        return refs

    def resolve(
        self, reference: Mention, tracker: Tracker, speaker: str | None, earlier: list[Mention]
    ) -> tuple[str, ...]:
        """The actors a reference points to: first whoever acts earlier in the same
        sentence, else the last named actor that fits it; "they" may be several."""
        text = reference.text.lower()
        if reference.kind == "first":
            return (speaker,) if speaker else tracker.subjects[:1]
        if reference.kind == "anaphor":
            candidates = self._anaphora.get(text, [])
            for mention in reversed(earlier):
                if mention.actor in candidates:
                    return (mention.actor,)
            for actor in reversed(tracker.recent):
                if actor in candidates:
                    return (actor,)
            if len(candidates) == 1 and not earlier and not tracker.recent:
                # a lone "the authority" that one actor answers to and no other could
                others = self._kinds.get(text.split()[-1], set()) - {candidates[0]}
                return () if others else (candidates[0],)
            return ()
        if reference.kind == "person_pronoun":
            people = [m.actor for m in earlier if m.kind == "person" and m.actor]
            if people:
                return (people[0],)
            if tracker.person:
                return (tracker.person,)
        if earlier and earlier[0].actor:
            return (earlier[0].actor,)
        if text in _PLURAL:
            return tracker.subjects
        if tracker.subjects:
            return tracker.subjects[:1]
        return (tracker.recent[-1],) if tracker.recent else ()

    def _acting_noun_follows(self, sentence: str, end: int) -> bool:
        for count, word in enumerate(_NEXT_WORDS.findall(sentence[end : end + 60])):
            lowered = word.lower()
            if lowered in self._agent_nouns:
                return True
            if count >= 3 or not (word[0].isalpha() or word in ("-", ",")):
                return False
            if count >= 2 and lowered not in ("and", "or") and not word[0].isupper():
                return False  # one or two modifiers may come first: "Israeli drone strike"
        return False


def _key(alias: str) -> str:
    return " ".join(alias.lower().replace("’", "'").split())


def _alternation(phrases: list[str], flags: int) -> re.Pattern[str] | None:
    if not phrases:
        return None
    ordered = sorted(set(phrases), key=len, reverse=True)
    body = "|".join(re.escape(p).replace(r"\ ", r"\s+").replace("'", "['’]") for p in ordered)
    return re.compile(rf"(?<![\w\-])(?:{body})(?![\w\-])", flags)


def _derived(profile: Profile, taken: set[str]) -> dict[str, tuple[str, MentionKind]]:
    """Names wire copy uses that a profile author may not list: a person's surname on
    second reference ("Helena Marsk" -> "Marsk") and the initials of a name of three or
    more capitalised words ("Tavren Liberation Front" -> "TLF"). A form two actors would
    share, or one already listed, is left out."""
    found: dict[str, set[tuple[str, MentionKind]]] = {}
    for actor in profile.actors.values():
        for person in actor.people:
            words = person.split()
            if len(words) > 1 and len(words[-1]) > 2 and words[-1][0].isupper():
                found.setdefault(words[-1], set()).add((actor.name, "person"))
        for alias in actor.aliases:
            words = [w for w in re.findall(r"[\w']+", alias) if w[0].isupper()]
            if len(words) >= 3 and len(words) == len(alias.split()):
                initials = "".join(w[0] for w in words)
                found.setdefault(initials, set()).add((actor.name, "name"))
    return {
        form: next(iter(owners))
        for form, owners in found.items()
        if len(owners) == 1 and _key(form) not in taken
    }


def _membership(profile: Profile, lexicon: Lexicon) -> dict[str, str]:
    """ "the drivers" for the Association of Train Drivers: a plural noun of the name of
    a union or association, when no other actor's name has it."""
    owners: dict[str, set[str]] = {}
    for actor in profile.actors.values():
        if actor.kind_noun not in lexicon.membership_kinds:
            continue
        for alias in actor.aliases:
            words = re.findall(r"[A-Za-z]+", alias)
            for word in words if len(words) > 1 else ():
                if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
                    owners.setdefault(f"the {word.lower()}", set()).add(actor.name)
    for actor in profile.actors.values():  # a word another actor's name has is no one's
        for alias in actor.aliases:
            for word in re.findall(r"[A-Za-z]+", alias.lower()):
                phrase = f"the {word}"
                if phrase in owners and actor.name not in owners[phrase]:
                    owners[phrase].add(actor.name)
    return {phrase: next(iter(names)) for phrase, names in owners.items() if len(names) == 1}


def _modified(anaphora: list[str]) -> re.Pattern[str] | None:
    """ "the" and up to two lower-case words before an anaphor's noun ("the fishers'
    federation")."""
    tails = sorted({a.split(" ", 1)[1] for a in anaphora if a.startswith("the ")}, key=len)
    if not tails:
        return None
    body = "|".join(re.escape(t).replace(r"\ ", r"\s+") for t in reversed(tails))
    return re.compile(
        rf"(?<![\w\-])[Tt]he(?:\s+[a-z][a-z\-]+(?:['’]s?)?){{1,2}}\s+(?P<tail>(?i:{body}))(?![\w\-])"
    )


def _drop_overlaps(mentions: list[Mention]) -> list[Mention]:
    kept: list[Mention] = []
    for mention in mentions:
        if kept and mention.start < kept[-1].end:
            continue
        kept.append(mention)
    return kept


def _merge_chains(mentions: list[Mention], sentence: str) -> list[Mention]:
    """ "Iranian Supreme Leader Ayatollah Ali Khamenei" is one mention of Iran, not three."""
    merged: list[Mention] = []
    for mention in mentions:
        if merged:
            last = merged[-1]
            gap = sentence[last.end : mention.start]
            if last.actor == mention.actor and not last.possessive and _NAME_GLUE.match(gap):
                kind = "person" if "person" in (last.kind, mention.kind) else mention.kind
                merged[-1] = Mention(
                    last.actor,
                    last.start,
                    mention.end,
                    kind,
                    mention.possessive,
                    sentence[last.start : mention.end],
                )
                continue
        merged.append(mention)
    return merged
