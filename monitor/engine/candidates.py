"""Candidate sentences: those that name an actor (or refer back to one) and hold a word
that could start a cue, a frame or a topic term. Only these are parsed."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import TYPE_CHECKING

from monitor.actors import ActorFinder, Mention
from monitor.text import sentences

if TYPE_CHECKING:
    from spacy.tokens import Doc

_WORD = re.compile(r"\w+")
_DATELINE = re.compile(  # "BEIRUT (Reuters) - ", "LEEDS, March 2 (Northern Wire) - "
    r"[A-Z][A-Z.'\- ]{1,40}"
    r"(?:,\s*[A-Z][a-z]{2,9}\.?\s+\d{1,2})?"
    r"\s*(?:\([^)]{1,40}\))?\s*[-–—]{1,2}\s+"
)
_IRREGULAR = {
    "held": "hold",
    "kept": "keep",
    "left": "leave",
    "took": "take",
    "taken": "take",
    "gave": "give",
    "given": "give",
    "made": "make",
    "rose": "rise",
    "struck": "strike",
    "fought": "fight",
    "laid": "lay",
    "began": "begin",
    "won": "win",
    "upheld": "uphold",
    "withdrew": "withdraw",
    "withdrawn": "withdraw",
    "froze": "freeze",
    "frozen": "freeze",
    "sought": "seek",
    "stood": "stand",
    "threw": "throw",
    "broke": "break",
    "brought": "bring",
    "went": "go",
    "gone": "go",
    "told": "tell",
    "said": "say",
    "rode": "ride",
    "ran": "run",
    "goes": "go",
    "paid": "pay",
    "sold": "sell",
    "bought": "buy",
    "led": "lead",
    "fell": "fall",
    "stuck": "stick",
    "chose": "choose",
    "chosen": "choose",
    "wrote": "write",
    "written": "write",
    "spoke": "speak",
    "spoken": "speak",
    "dealt": "deal",
    "lost": "lose",
    "sent": "send",
    "drew": "draw",
    "drawn": "draw",
    "swore": "swear",
    "sworn": "swear",
    "forgone": "forgo",
    "forwent": "forgo",
    "overrode": "override",
    "overridden": "override",
}


# Base forms whose ending looks like an inflection ("proceed" is no "proce" + "ed").
_WHOLE = frozenset({"proceed", "exceed", "succeed", "need"})


@dataclass
class Candidate:
    text: str
    start: int  # character offset in the document
    named: list[Mention]
    refs: list[Mention]
    headline: bool  # a line without a sentence's final punctuation
    doc: Doc | None = None  # filled by the parse step


_FUNCTION = frozenset(
    {"the", "a", "an", "its", "their", "our", "to", "of", "on", "with", "for", "in"}
)


class Filter:
    """Could a sentence hold a claim? Only if it holds every content word of some cue, or a
    topic term and every content word of a frame or judging phrase ("rule out" needs both
    words). Cheap, so most actor sentences skip the parse."""

    def __init__(
        self,
        cues: Iterable[str],
        topics: Iterable[str],
        triggers: Iterable[str],
        pairs: tuple[Iterable[str], Iterable[str]] = ((), ()),
    ) -> None:
        self.cues = [c for c in map(_content, cues) if c]
        self.topics = _stems(topics)
        self.triggers = [t for t in map(_content, triggers) if t]
        # a move word beside a verb that makes it the actor's own ("delivered a cut"),
        # where no topic term need be named
        self.moves, self.companions = _stems(pairs[0]), _stems(pairs[1])

    def worth_parsing(self, candidate: Candidate) -> bool:
        words = _stems([candidate.text])
        if self.topics & words and any(t <= words for t in self.triggers):
            return True
        if self.moves & words and self.companions & words:
            return True
        return any(cue <= words for cue in self.cues)


def _content(phrase: str) -> frozenset[str]:
    """A phrase's words without the function words, stemmed."""
    return frozenset(_stem(w) for w in _WORD.findall(phrase.lower()) if w not in _FUNCTION)


def _stems(phrases: Iterable[str]) -> frozenset[str]:
    return frozenset(_stem(w) for p in phrases for w in _WORD.findall(p.lower()))


def find(text: str, finder: ActorFinder) -> list[Candidate]:
    """Every sentence that mentions an actor or refers back to one, unparsed."""
    found = []
    for sentence in sentences(text):
        dateline = _DATELINE.match(sentence.text)
        if dateline:  # "VARNO, May 4 (Northern Wire) - ..." is no part of the sentence
            sentence = replace(
                sentence,
                text=sentence.text[dateline.end() :],
                start=sentence.start + dateline.end(),
            )
        named = finder.names(sentence.text)
        refs = finder.references(sentence.text, named)
        if not named and not refs:
            continue
        headline = not sentence.text.rstrip().endswith((".", "!", "?", '"', "'", "”", "’"))
        found.append(Candidate(sentence.text, sentence.start, named, refs, headline))
    return found


@lru_cache(maxsize=50_000)
def _stem(word: str) -> str:
    word = _IRREGULAR.get(word, word)
    if word in _WHOLE:
        return word
    for ending in ("ies", "ied"):
        if word.endswith(ending) and len(word) > 4:
            return word[: -len(ending)] + "y"
    for ending in ("ing", "ed", "es", "s", "e"):  # not "d": "extend" and "extended" alike
        if ending == "s" and word.endswith(("ss", "us", "is")):
            continue  # "dismiss", "focus", "crisis"
        if word.endswith(ending) and len(word) - len(ending) >= 3:
            word = word[: -len(ending)]
            break
    if len(word) > 3 and word[-1] == word[-2] and word[-1] not in "aeiouls":
        word = word[:-1]  # "cutting" -> "cutt" -> "cut"
    return word
