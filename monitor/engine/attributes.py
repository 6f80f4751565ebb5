"""The model's attribute rules (tag -> coarse part of speech, morphology, a few lemmas)
applied from a table instead of spaCy's token matcher, which spends more time than the
parser on these one-token rules. The table is compiled from the model's own rules, so
the parse reads exactly as before; the few two-token rules are checked one by one."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, cast

from spacy.tokens._retokenize import set_token_attrs

if TYPE_CHECKING:
    from spacy.pipeline import AttributeRuler, Lemmatizer
    from spacy.tokens import Doc
    from thinc.types import Ints2d

_Values = tuple[str, str, str, bool]  # tag, lower, dep, is_space
_Test = Callable[[_Values], bool]
_FIELDS = {"TAG": 0, "LOWER": 1, "DEP": 2, "IS_SPACE": 3}
_OTHER = "\x00"  # any word no rule names


def _words(want: Any) -> list[str]:
    if isinstance(want, str):
        return [want]
    if isinstance(want, dict):
        return [*want.get("IN", ()), *want.get("NOT_IN", ())]
    return []


def _test(spec: dict[str, Any]) -> _Test:
    """One token pattern ({"TAG": "NN", "LOWER": {"IN": [...]}}) as a predicate."""
    checks = [_check(_FIELDS[key], want) for key, want in spec.items()]
    return lambda values: all(check(values) for check in checks)


def _check(at: int, want: Any) -> _Test:
    """One attribute's condition; an unknown kind of rule fails loudly, not silently."""
    if not isinstance(want, dict):
        return lambda values: values[at] == want
    if "IN" in want:
        within = frozenset(want["IN"])
        return lambda values: values[at] in within
    if "NOT_IN" in want:
        outside = frozenset(want["NOT_IN"])
        return lambda values: values[at] not in outside
    if "REGEX" in want:
        shape = re.compile(want["REGEX"])
        return lambda values: bool(shape.search(str(values[at])))
    raise ValueError(f"unsupported attribute rule {want}")


class Attributes:
    """A pipeline step equal to the model's attribute_ruler, one dict lookup per token."""

    def __init__(self, ruler: AttributeRuler) -> None:
        self._single: list[tuple[int, _Test]] = []
        self._multi: list[tuple[int, list[_Test], int]] = []
        rules: list[dict[str, Any]] = ruler.patterns
        for order, rule in enumerate(rules):
            for pattern in rule["patterns"]:
                tests = [_test(spec) for spec in pattern]
                if len(tests) == 1:
                    self._single.append((order, tests[0]))
                else:
                    self._multi.append((order, tests, rule["index"]))
        self._attrs = ruler.attrs  # the rules' attributes as the ruler sets them
        # Words no rule names stand for one another, so the table stays small.
        self._words = frozenset(
            w
            for rule in rules
            for pattern in rule["patterns"]
            for spec in pattern
            for w in _words(spec.get("LOWER"))
        )
        self._shapes = [
            re.compile(spec["LOWER"]["REGEX"])
            for rule in rules
            for pattern in rule["patterns"]
            for spec in pattern
            if isinstance(spec.get("LOWER"), dict) and "REGEX" in spec["LOWER"]
        ]
        if any(r.search(_OTHER) for r in self._shapes):
            raise ValueError("an attribute rule matches every unnamed word")
        # per distinct (tag, lower, dep, space): the one-token rules that apply and the
        # two-token rules whose own token matches
        self._known: dict[_Values, tuple[tuple[int, ...], tuple[int, ...]]] = {}

    def __call__(self, doc: Doc) -> Doc:
        values = [(t.tag_, self._word(t.lower_), t.dep_, t.is_space) for t in doc]
        for i, token in enumerate(doc):
            known = self._known.get(values[i])
            if known is None:
                known = self._known[values[i]] = self._rules_for(values[i])
            found, multi = known
            for m in multi:
                order, tests, index = self._multi[m]
                start = i - index
                inside = start >= 0 and start + len(tests) <= len(values)
                if inside and all(test(values[start + k]) for k, test in enumerate(tests)):
                    found = tuple(sorted((*found, order)))  # later rules win
            for order in found:
                set_token_attrs(token, self._attrs[order])
        return doc

    def _word(self, lower: str) -> str:
        if lower in self._words or any(r.search(lower) for r in self._shapes):
            return lower
        return _OTHER

    def _rules_for(self, values: _Values) -> tuple[tuple[int, ...], tuple[int, ...]]:
        single = tuple(order for order, test in self._single if test(values))
        multi = tuple(m for m, (_, tests, index) in enumerate(self._multi) if tests[index](values))
        return single, multi


class Lemmas:
    """The model's rule lemmatizer, asked once per distinct (word, part of speech,
    morphology), which is the key its own cache uses, and written back as one array:
    the same lemmas at a fraction of the cost of visiting every token."""

    def __init__(self, lemmatizer: Lemmatizer) -> None:
        self._lemmatize = lemmatizer.lemmatize
        self._known: dict[tuple[int, int, int], int] = {}

    def __call__(self, doc: Doc) -> Doc:
        import numpy
        from spacy.attrs import LEMMA, MORPH, ORTH, POS

        strings = doc.vocab.strings
        lemmas = []
        for i, (orth, pos, morph, lemma) in enumerate(
            doc.to_array([ORTH, POS, MORPH, LEMMA]).tolist()
        ):
            if lemma == 0:  # an attribute rule may have set it already
                key = (orth, pos, morph)
                lemma = self._known.get(key)
                if lemma is None:
                    lemma = self._known[key] = strings.add(self._lemmatize(doc[i])[0])
            lemmas.append(lemma)
        doc.from_array([LEMMA], cast("Ints2d", numpy.array(lemmas, dtype="uint64").reshape(-1, 1)))
        return doc
