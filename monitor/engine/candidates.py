"""Candidate sentences: those that name an actor (or refer back to one) and hold a word
that could start a cue, a frame or a topic term. Only these are parsed."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from monitor.actors import ActorFinder, Mention
from monitor.text import sentences

if TYPE_CHECKING:
    from spacy.tokens import Doc

_WORD = re.compile(r"\w+")
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
}


@dataclass
class Candidate:
    text: str
    start: int  # character offset in the document
    named: list[Mention]
    refs: list[Mention]
    headline: bool  # a line without a sentence's final punctuation
    doc: Doc | None = None  # filled by the parse step


def stems(words: Iterable[str]) -> frozenset[str]:
    """Crude stems of the words that may start a cue or name a topic (a cheap pre-filter)."""
    found: set[str] = set()
    for phrase in words:
        for word in _WORD.findall(phrase.lower()):
            found.add(_stem(word))
    return frozenset(found)


def find(text: str, finder: ActorFinder) -> list[Candidate]:
    """Every sentence that mentions an actor or refers back to one, unparsed."""
    found = []
    for sentence in sentences(text):
        named = finder.names(sentence.text)
        refs = finder.references(sentence.text, named)
        if not named and not refs:
            continue
        headline = not sentence.text.rstrip().endswith((".", "!", "?", '"', "'", "”", "’"))
        found.append(Candidate(sentence.text, sentence.start, named, refs, headline))
    return found


def worth_parsing(candidate: Candidate, keys: frozenset[str]) -> bool:
    """Could it hold a claim? Most sentences naming an actor hold no cue word at all."""
    return any(_stem(w) in keys for w in _WORD.findall(candidate.text.lower()))


def _stem(word: str) -> str:
    word = _IRREGULAR.get(word, word)
    for ending in ("ies", "ied"):
        if word.endswith(ending) and len(word) > 4:
            return word[: -len(ending)] + "y"
    for ending in ("ing", "ed", "es", "s", "e", "d"):
        if word.endswith(ending) and len(word) - len(ending) >= 3:
            word = word[: -len(ending)]
            break
    if len(word) > 3 and word[-1] == word[-2] and word[-1] not in "aeiouls":
        word = word[:-1]  # "cutting" -> "cutt" -> "cut"
    return word
