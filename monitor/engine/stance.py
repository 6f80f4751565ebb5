"""How a matched cue is said: negated, conditioned, hedged, and when.

Each reading is bound to the predicate the cue hangs from, so negation does not spill
from one conjunct to the next ("will not attack and will exercise restraint"), a
condition is the one that governs this clause, and a deed in a relative clause or in
the perfect with "since" is background, not the current decision.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from monitor.engine.parse import lowered
from monitor.lexicon import FRAMES, Lexicon

if TYPE_CHECKING:
    from spacy.tokens import Token

_NEGATORS = frozenset({"not", "n't", "never", "no", "neither", "nor", "without", "nothing"})
# verbs that move or hold a quantity: one done "in June" is done before the news
_DATED = frozenset(
    w for frame in ("increase", "decrease", "maintain") for w in FRAMES[frame] if " " not in w
) | {"deliver", "announce", "implement", "come"}  # "delivered its last cut in June"
# a belief verb that, denied by its own subject, refuses what it would weigh ("we are not
# thinking about raising rates")
PONDERING = frozenset({"think about", "think of"})
_VERBAL = frozenset({"VERB", "AUX"})
_EARLIER = frozenset({"existing", "previous", "earlier", "former", "past", "prior"})
_PERIODS = frozenset({"year", "summer", "spring", "autumn", "fall", "winter", "season", "decade"})
# subordinators of a clause told as the story's past ("began when X rejected"); not
# "before", whose clause comes after its head ("hours before the Bank also held")
_NARRATIVE = frozenset({"when", "after", "since", "while", "as"})
# Adverbs that belong to a clause's subordinator ("only if", "even if", "as long as"),
# not those that only qualify its verb ("if the agency first condemned").
_LINKS = frozenset({"only", "even", "long", "as", "so", "once", "when", "until", "unless", "then"})
_LIGHT = frozenset({"dobj", "pobj", "prep", "attr", "acomp", "oprd", "compound", "amod"})


@dataclass(frozen=True)
class Reading:
    negation: str | None  # the word that negates the predicate ("not", "no longer", ...)
    condition: str | None  # "conditional: only if ..." or "inside" (the cue is the condition)
    hedge: str | None  # "may", "could", "reportedly": a weak claim
    tense: str  # "current", "background" or "forward"
    why_time: str  # what decided the tense


class Rules:
    def __init__(self, lexicon: Lexicon) -> None:
        self._conditions = frozenset(lexicon.conditions)
        self._hedges = frozenset(lexicon.hedges)
        self._background = frozenset(lexicon.background)
        self._bad = frozenset(lexicon.evaluative_bad)
        self._good = frozenset(lexicon.evaluative_good)
        self._speech = frozenset(lexicon.speech)
        self._asks = frozenset(lexicon.demand_nouns) | frozenset(lexicon.owning_nouns)
        self._grounds = frozenset(lexicon.grounds)
        self._light = frozenset(lexicon.light_nouns)
        self._judging = self._bad | self._good | {"early", "soon"}

    def predicate(self, root: Token) -> Token:
        """The verb a cue phrase hangs from: "exercise" for "restraint", the cue if a verb."""
        node = root
        while node.pos_ not in _VERBAL and node.dep_ in _LIGHT and node.head.i != node.i:
            noun = node.head.head
            if (
                node.dep_ == "pobj"
                and noun.pos_ in ("NOUN", "PROPN")
                and noun.lemma_ not in self._asks
            ):
                break  # "a session on the strike plan"; but "calls for a rate cut" goes on
            node = node.head
        return node if node.pos_ in _VERBAL else root

    def read(self, cue_root: Token, pred: Token, cue: tuple[int, ...] = ()) -> Reading:
        negation = self._negation(cue_root, pred, frozenset(cue))
        words = [pred.doc[i] for i in cue if i != pred.i]
        return Reading(
            negation=negation,
            condition=self._condition(pred, negated=negation is not None)
            or self._term_on(words, negated=negation is not None),
            hedge=self._hedge(pred),
            **dict(zip(("tense", "why_time"), self._tense(pred), strict=True)),
        )

    def _negation(self, cue_root: Token, pred: Token, cue: frozenset[int]) -> str | None:
        """An odd number of negations on the predicate, its copula, or the cue's own noun."""
        found: list[str] = []
        places = [pred, cue_root] if cue_root.i != pred.i else [pred]
        if pred.dep_ in ("acomp", "attr", "oprd", "conj") and pred.head.pos_ == "AUX":
            places.append(pred.head)  # "is neither fair nor acceptable", "is not open to"
        if pred.dep_ == "pcomp" and pred.head.head.pos_ in _VERBAL:
            verb = pred.head.head
            if pred.head.lower_ == "in" or f"{verb.lemma_.lower()} {pred.head.lower_}" in PONDERING:
                places.append(verb)  # "will not follow Saridia in cutting", "not thinking about"
        state = pred.head.head if pred.dep_ == "acl" and pred.head.dep_ == "pobj" else None
        if state is not None and state.lower_ == "in" and state.head.pos_ in _VERBAL:
            places.append(state.head)  # "is not in a position to lower the price"
        elif (
            pred.dep_ == "advcl"
            and pred.head.lemma_ == "be"
            and any(c.dep_ == "aux" and c.lower_ == "to" for c in pred.children)
        ):
            places.append(pred.head)  # the same, the infinitive hung on the copula
        if pred.dep_ in ("ccomp", "xcomp", "oprd") and any(
            c.dep_ == "nsubj" and c.lower_ in _REFLEXIVE for c in pred.children
        ):
            places.append(pred.head)  # "no longer considers itself bound by the deal"
        node = pred
        while node.dep_ in ("xcomp", "acomp") and node.head.i != node.i:
            node = node.head  # "is no longer prepared to improve", "does not want to sign"
            if node.pos_ == "ADJ" and _extraposed(pred, self._judging) is not None:
                break  # "it would not be wise to": the judgement below reads its negation
            places.append(node)
        grounds = self._grounds_of(pred)
        intent = _intent_noun(pred)
        if grounds is not None:
            if intent is None or intent.i != grounds.i:
                places.append(grounds)  # "saw no room for a cut"
            if grounds.dep_ in ("nsubj", "nsubjpass", "dobj", "attr"):
                # "the case for lowering rates has not been made", "no longer sees room for"
                places.append(grounds.head)
        if intent is not None:
            found.append(f"no {intent.lower_}")  # "in no hurry to cut", "no intention of"
        for place in places:
            for c in place.children:
                if c.i in cue:  # "no need for a recall" is a cue with its own "no"
                    continue
                word = c.lower_
                if c.dep_ == "neg" or (c.dep_ in ("preconj", "advmod") and word in _NEGATORS):
                    found.append(word)
                elif c.dep_ == "advmod" and word in ("longer", "more") and _has_no(c):
                    found.append("no longer")
                elif c.dep_ == "det" and word == "no":
                    found.append("no")
        if pred.dep_ == "conj" and not found:
            found.extend(_shared_negation(pred))
        for c in pred.children:  # "no deal had been signed", "nothing was agreed"
            if (
                c.dep_ in ("nsubjpass", "nsubj")
                and c.i not in cue
                and (
                    c.lower_ in ("nothing", "none")
                    or any(d.dep_ == "det" and d.lower_ == "no" for d in c.children)
                )
            ):
                found.append(f"no {c.lower_}")
        if pred.dep_ == "pcomp" and pred.head.lower_ in ("without", "against"):
            found.append(pred.head.lower_)  # "without attacking", "decided against engaging"
        carrier = cue_root  # "talk of disarmament was premature": the talk carries it
        while carrier.dep_ == "pobj" and carrier.head.head.lemma_.lower() in self._light:
            carrier = carrier.head.head
        for subject in {pred.i: pred, cue_root.i: cue_root, carrier.i: carrier}.values():
            copula = _extraposed(subject, self._judging)
            if subject.dep_ in ("csubj", "nsubj", "nsubjpass") or copula is not None:
                judged = judgement(copula or subject.head, self._bad, self._good)
                if judged:
                    found.append(judged)
        if len(found) % 2 == 0:
            return None
        return " ".join(found)

    def _grounds_of(self, pred: Token) -> Token | None:
        """The noun of grounds a deed hangs from ("the case for lowering", "room to cut")."""
        node = pred
        while node.dep_ in ("acl", "pcomp", "pobj", "prep") and node.head.i != node.i:
            node = node.head
            if node.pos_ == "NOUN":
                return node if node.lemma_.lower() in self._grounds else None
            if node.pos_ == "VERB" and node.i != pred.i:  # "saw no point in raising rates"
                return next(
                    (
                        c
                        for c in node.children
                        if c.dep_ == "dobj" and c.lemma_.lower() in self._grounds and c.i < pred.i
                    ),
                    None,
                )
        return None

    def _condition(self, pred: Token, *, negated: bool = False) -> str | None:
        words = [t.lower_ for t in pred.doc[:2]]
        if words[:1] == ["only"] and len(words) == 2 and words[1] in ("then", "after", "once"):
            return f"only {words[1]}"  # "Only then, he said, will we be ready ..."
        text = lowered(pred.doc)
        for t in pred.doc if "first" in text else ():
            if t.lower_ == "first" and t.head.i != pred.i and _must(t.head):
                return f"first: {t.head.text}"  # "insisting that the aggression must first cease"
        above = {a.i for a in pred.ancestors} | {pred.i}
        named = "provid" in text or "principle" in text
        for t in pred.sent if named else ():  # "could support it provided ...", "in principle"
            if (
                t.lower_ in ("provided", "providing")
                and t.i > pred.i
                and t.dep_ in ("acl", "ccomp", "advcl")
                and (t.head.i in above or t.head.head.i == pred.i)
            ):
                return f"{t.lower_} {' '.join(g.text for g in list(t.subtree)[1:8])}"
            if (
                t.lower_ == "principle"
                and t.head.lower_ == "in"
                and (t.head.head.i in above or t.head.head.head.i == pred.i)
            ):
                return "in principle"  # "does not oppose the bid in principle but wants more"
        node: Token | None = pred
        while node is not None:
            marked = node.dep_ == "conj" and any(c.dep_ == "mark" for c in node.children)
            if (node.dep_ == "advcl" or marked) and self._conditional(node, negated):
                return "inside"  # the condition's own words: "... but only after Israel withdraws"
            if node.dep_ == "advcl" and _purpose(node):
                return "inside"  # "... so that we do not have to raise them abruptly later"
            if node.dep_ == "advcl" and _awaited(node):
                return "inside"  # "will keep its troops there until Hezbollah disarms"
            for c in node.children:
                if c.lower_ in ("provided", "providing") and c.dep_ in (
                    "prep",
                    "advcl",
                    "mark",
                    "ccomp",  # "could clear the deal provided the sales went ahead"
                ):
                    return f"{c.lower_} {' '.join(t.text for t in list(c.subtree)[1:8])}"
                if c.dep_ == "advcl" and self._conditional(c, negated):
                    return _term(c)
                if c.lower_ == "long" and {g.lower_ for g in c.children} & {"as", "so"}:
                    term = [g for g in c.children if g.dep_ == "advcl"]
                    if term:  # "will hold rates as long as inflation stays high"
                        words = [t.text for t in term[0].subtree if t.i > c.i + 1]
                        return f"as long as {' '.join(words[:8])}"
                if (
                    c.dep_ == "prep"
                    and c.lower_ == "as"
                    and any(
                        g.lower_ in ("necessary", "needed", "required", "appropriate")
                        for g in c.children
                    )
                ):
                    return f"as {next(c.children).lower_}"  # "will intervene as necessary"
                if c.dep_ == "advmod" and c.lower_ == "then" and _has_only(c):
                    return "only then"
                if c.dep_ == "prep" and c.lower_ == "after" and _has_only(c):
                    return "only after"
            if node.dep_ in ("ccomp", "parataxis") or node.head.i == node.i:
                break
            node = node.head
        return None

    def _term_on(self, words: list[Token], *, negated: bool) -> str | None:
        """A condition on a word of the cue below its predicate: "would let inspectors
        return only if the agency first condemned the attacks"."""
        for word in words:
            for c in word.children:
                if c.dep_ == "advcl" and self._conditional(c, negated):
                    return _term(c)
        return None

    def _conditional(self, clause: Token, negated: bool) -> bool:
        """Is the clause a condition? "only" sharpens any ("only once", "only if"). "Until"
        and "while" are conditions on a refusal ("will not cut until", "will not disarm
        while"), a duration on a deed ("will keep striking until")."""
        marker = _marker(clause)
        if marker in ("until", "while"):
            return negated
        if marker == "once" and clause.tag_ == "VBD" and clause.head.tag_ == "VBD":
            return False  # "dropped its plan once the liberals agreed": a time, not a term
        if marker == "when" and clause.tag_ in ("VBZ", "VBP") and clause.i < clause.head.i:
            return True  # "When the occupation leaves our land, we are ready to ..."
        return marker in self._conditions or marker.removeprefix("only ") in self._conditions

    def _hedge(self, pred: Token) -> str | None:
        """ "may follow", "is reportedly refusing to", "is considering a cut", "did not
        turn it down outright"."""
        words = {c.lower_ for c in pred.children}
        if words & {"outright", "entirely", "completely"} and words & {"not", "n't", "never"}:
            return "not outright"
        for node in [pred, *_clause_path(pred, inclusive=True)]:
            for c in node.children:
                if c.dep_ in ("aux", "advmod") and c.lower_ in self._hedges:
                    return c.lower_
                if _open_question(node, c):
                    return f"{c.lower_} to"  # "divided over when to resume cutting"
            if node.i != pred.i and _expected(node):
                return "set to"  # "the bank is set to keep rates unchanged, sources said"
            if (
                node.i != pred.i
                and node.lemma_.lower() in self._hedges
                and (
                    node.pos_ == "ADJ"  # "was likely to announce an end to purchases"
                    or (  # "is not considering a hike" weighs nothing: it refuses
                        node.pos_ == "VERB" and not any(c.dep_ == "neg" for c in node.children)
                    )
                )
            ):
                return node.lemma_.lower()
        return None

    def _tense(self, pred: Token) -> tuple[str, str]:
        if pred.pos_ == "NOUN":
            earlier = [c.lower_ for c in pred.children if c.lower_ in _EARLIER]
            if earlier:
                return "background", earlier[0]  # "on top of the group's existing curbs"
            verb = pred.head
            if pred.dep_ in ("nsubj", "dobj") and verb.tag_ == "VBD" and _dated(verb):
                return "background", "a past month"  # "its last rate cut came in June"
        if pred.dep_ == "relcl" or any(a.dep_ == "relcl" for a in pred.ancestors):
            # "the bank, which in July said it would keep buying bonds, confirmed ..."
            return "background", "in a relative clause"
        speech = next((a for a in pred.ancestors if a.lemma_.lower() in self._speech), None)
        if speech is not None and speech.tag_ == "VBD":
            clause = next(
                (n for n in [pred, *pred.ancestors] if n.head.i == speech.i and n.i != speech.i),
                None,
            )
            if _dated(speech) or (clause is not None and _dated(clause, fronted=True)):
                return "background", "said back then"  # "The group said in March that it ..."
        child = pred
        for node in pred.ancestors:  # "said the group had accepted" is only backshifted
            if child.dep_ == "conj":
                break  # "had planned to ... but on Monday said it would": a clause of its own
            child = node
            if any(
                c.dep_ == "aux" and c.tag_ == "VBD" and c.lemma_ == "have" for c in node.children
            ) and not (node.dep_ == "ccomp" and node.head.lemma_.lower() in self._speech):
                # "Schnabel had argued that ..."; but "said it had agreed to trim" is only
                # the reported "has agreed", backshifted
                return "background", "past perfect"
        if pred.dep_ == "pcomp" and pred.head.lower_ in ("after", "before", "since"):
            return "background", f"{pred.head.lower_} ..."  # "After holding output steady, ..."
        if pred.dep_ == "advcl" and any(c.lower_ == "having" for c in pred.children):
            return "background", "having ..."  # "Having refused for weeks to enter talks, ..."
        finite = pred  # "refused to lower the price in 2024": the tense is the refusal's
        while finite.dep_ == "xcomp" and finite.head.i != finite.i:
            finite = finite.head
        if finite.tag_ == "VBD" and (
            any(c.lower_ == "last" and c.dep_ == "advmod" for c in pred.children)
            or _year(pred)
            or _year(finite)
        ):
            return "background", "a past year"  # "last raised output in 2022"
        objects = [c for c in pred.children if c.dep_ == "dobj"]  # "its last cut in June"
        if (
            (pred.tag_ == "VBD" or (pred.tag_ == "VBN" and pred.dep_ == "acl"))
            and pred.lemma_.lower() in _DATED
            and (_dated(pred) or any(map(_dated, objects)))
        ):
            return "background", "a past month"  # "cut rates in June and has held since"
        if pred.dep_ == "compound" and pred.tag_ == "VBD" and _year(pred.head):
            return "background", "a past year"  # the parse made "last cut rates in 2019" a noun
        if pred.tag_ == "VBD" and any(
            c.lower_ == "first" and c.dep_ == "advmod" for c in pred.children
        ):
            return "background", "first ..."  # "when the union first turned down an offer"
        if (
            pred.dep_ == "advcl"
            and pred.tag_ == "VBD"
            and _marker(pred) in _NARRATIVE
            and not (_marker(pred) in ("after", "as") and pred.head.lemma_.lower() in self._speech)
        ):  # "The dispute began when X rejected"; but "told reporters after the council
            # kept rates on hold" speaks of the decision just taken
            return "background", f"{_marker(pred)} ..."
        words = {t.lower_ for t in pred.children} | {
            t.lower_
            for c in pred.children
            if c.dep_ in ("prep", "npadvmod", "advmod")
            and not any(t.pos_ == "VERB" for t in c.subtree)  # not "with X saying ... last year"
            for t in c.subtree
        }
        perfect = any(c.dep_ == "aux" and c.lemma_ == "have" for c in pred.children)
        past_marks = sorted(words & self._background)
        if past_marks and (perfect or "ago" in past_marks or "last" in words):
            return "background", f"{'perfect with ' if perfect else ''}{past_marks[0]}"
        if "last" in words and words & _PERIODS:
            return "background", f"last {sorted(words & _PERIODS)[0]}"
        if any(
            c.lower_ in ("will", "would", "shall") or c.lower_ == "going" for c in pred.children
        ):
            return "forward", "future"
        return "current", ""


def _term(clause: Token) -> str:
    """A conditional clause as the reasons show it, led by its subordinator."""
    text = " ".join(t.text for t in list(clause.subtree)[:8])
    marker = _marker(clause)
    return text if text.lower().startswith((marker, "so long as")) else f"{marker} {text}"


def _awaited(clause: Token) -> bool:
    """ "until Hezbollah disarms", "before Israel withdraws": an event awaited in the
    present tense, which says when, not what its subject will do."""
    return _marker(clause) in ("until", "before", "till") and clause.tag_ in ("VBZ", "VBP")


def _marker(clause: Token) -> str:
    """The subordinator of a clause: "if", "only once", "as long as"; "" for "even if"."""
    markers = [
        c
        for c in clause.children
        if c.i < clause.i and (c.dep_ == "mark" or (c.dep_ == "advmod" and c.lower_ in _LINKS))
    ]
    marks = [c.lower_ for c in markers]
    around = {g.lower_ for c in markers if c.lower_ == "long" for g in c.children} | set(marks)
    if "long" in marks and {"as", "so"} & around:  # "as long as", "so long as"
        return "as long as"
    if not marks or {"even", "as"} & set(marks[-2:]):
        return ""  # "even if"; "as widely expected" is a comparison, not a term
    return f"only {marks[-1]}" if "only" in marks[:-1] else marks[-1]


def _intent_noun(pred: Token) -> Token | None:
    """ "is in no hurry to lower rates", "has no intention of raising them", "no plans to":
    a noun of will, denied with "no", over the predicate."""
    noun = pred.head
    if pred.dep_ in ("pcomp", "pobj") and noun.dep_ == "prep":
        noun = noun.head  # "no intention of raising", "of handing" the parse calls a noun
    elif pred.dep_ in ("advcl", "xcomp") and noun.lemma_ == "be":
        # "was in no rush to lower rates": the infinitive hung on the copula
        noun = next(
            (
                g
                for c in noun.children
                if c.dep_ == "prep" and c.lower_ == "in" and c.i < pred.i
                for g in c.children
                if g.dep_ == "pobj"
            ),
            noun,
        )
    elif pred.dep_ != "acl":
        return None
    if noun.pos_ == "NOUN" and any(c.dep_ == "det" and c.lower_ == "no" for c in noun.children):
        return noun
    return None


def _year(pred: Token) -> bool:
    """ "in 2022", "between March 2024 and June 2025": a year named for a past deed places
    it in history."""
    return any(
        c.dep_ == "prep"
        and c.lower_ in ("in", "between", "from", "since", "through", "until")
        and any(_year_token(g) for g in c.subtree)
        for c in [
            *pred.children,
            *(g for t in pred.children if t.dep_ == "npadvmod" for g in t.children),
        ]
    )


MONTHS = frozenset(
    {
        *("january", "february", "march", "april", "may", "june", "july", "august"),
        *("september", "october", "november", "december"),
    }
)


def _dated(verb: Token, *, fronted: bool = False) -> bool:
    """ "said in March", "said in 2025", "said last month": words said at an earlier time;
    `fronted`, a clause whose date the parse hangs on it before its subject ("said in March
    it could ..."), where one after the verb would be when the deed falls due."""
    subjects = [c.i for c in verb.children if c.dep_ in ("nsubj", "nsubjpass")]
    for c in verb.children:
        if fronted and not (subjects and c.i < subjects[0]):
            continue
        if (
            c.dep_ == "prep"
            and c.lower_ == "in"
            and any(g.lower_ in MONTHS or _year_token(g) for g in c.children)
        ):
            return True
        if c.dep_ == "npadvmod" and any(g.lower_ == "last" for g in c.children):
            return c.lower_ in ("week", "month", "year", "summer", "spring", "autumn", "winter")
    return False


def _year_token(token: Token) -> bool:
    return token.like_num and len(token.text) == 4 and token.text[:2] in ("19", "20")


def _must(verb: Token) -> bool:
    return any(c.dep_ == "aux" and c.lower_ in ("must", "should") for c in verb.children)


def _has_no(token: Token) -> bool:
    before = token.doc[token.i - 1] if token.i > 0 else None
    return any(c.lower_ == "no" for c in token.children) or (
        before is not None and before.lower_ == "no"
    )


def _has_only(token: Token) -> bool:
    before = token.doc[token.i - 1] if token.i > 0 else None
    return any(c.lower_ == "only" for c in token.children) or (
        before is not None and before.lower_ == "only"
    )


def _shared_negation(conj: Token) -> list[str]:
    """ "would not surrender or lay down its weapons": a conjunct with no auxiliary of its
    own under "or"/"nor" shares the first verb's negation; after "and ... will" it does not."""
    if any(c.dep_ in ("aux", "nsubj", "neg") for c in conj.children):
        return []
    coordinators = [c.lower_ for c in conj.head.children if c.dep_ == "cc"]
    if not coordinators or coordinators[0] not in ("or", "nor"):
        return []
    return [c.lower_ for c in conj.head.children if c.dep_ == "neg"]


def judgement(verb: Token, bad: frozenset[str], good: frozenset[str]) -> str | None:
    """ "would be pointless", "is neither needed nor wise", "is not warranted": the
    subject judged as wrong."""
    if _passive(verb) and (verb.lower_ in bad or verb.lower_ in good):
        negated = any(g.dep_ in ("neg", "preconj") and g.lower_ in _NEGATORS for g in verb.children)
        if (verb.lower_ in bad) != negated:
            return f"judged {'not ' if negated else ''}{verb.lower_}"
        return None
    for c in verb.children:
        if c.dep_ not in ("acomp", "attr"):
            continue
        # "neither safe nor justified": the first conjunct the lexicon knows
        word = next(
            (w for w in (t.lemma_.lower() for t in [c, *c.conjuncts]) if w in bad or w in good),
            c.lemma_.lower(),
        )
        negated = any(
            g.dep_ in ("neg", "preconj") and g.lower_ in _NEGATORS for g in c.children
        ) or any(g.dep_ == "neg" for g in verb.children)
        if (word in bad) != negated and (word in bad or word in good):
            return f"judged {'not ' if negated else ''}{c.lower_}"
        if word in ("early", "soon") and any(g.lower_ == "too" for g in c.children):
            return f"judged too {word}" if not negated else None  # "it is too early to cut"
    return None


def _extraposed(clause: Token, judging: frozenset[str]) -> Token | None:
    """ "it would be premature to raise rates", "it is too early to cut": the infinitive
    is the copula's real subject, judged as a subject is; the copula, or None. (Not "it
    was not ready to raise": there "it" is the bank.)"""
    verb = clause.head
    if verb.pos_ == "ADJ" and verb.dep_ == "acomp" and verb.lemma_.lower() in judging:
        verb = verb.head  # the infinitive hung on the judging adjective
    extraposed = (
        clause.dep_ in ("xcomp", "advcl", "ccomp")
        and clause.i > verb.i
        and verb.lemma_ == "be"
        and any(c.dep_ == "aux" and c.lower_ == "to" for c in clause.children)
        and any(c.dep_ in ("nsubj", "expl") and c.lower_ == "it" for c in verb.children)
    )
    return verb if extraposed else None


def _passive(verb: Token) -> bool:
    """A participle said of its subject: "is not warranted", "was deemed unnecessary"."""
    return verb.pos_ == "VERB" and any(c.dep_ == "auxpass" for c in verb.children)


_REFLEXIVE = frozenset({"itself", "themselves", "himself", "herself", "ourselves"})


def _expected(verb: Token) -> bool:
    """ "is set to", "is due to": what reporters expect, not yet what anyone decided."""
    return (
        verb.lower_ in ("set", "due")
        and any(c.dep_ in ("aux", "auxpass") and c.lemma_ == "be" for c in verb.children)
        and any(c.dep_ == "xcomp" for c in verb.children)
    )


def _purpose(clause: Token) -> bool:
    """ "so that ...", "in order that ...": what a deed is for, not a deed of its own."""
    marks = [c.lower_ for c in clause.children if c.dep_ == "mark"]
    return marks[-2:] == ["so", "that"] or marks[-3:] == ["in", "order", "that"]


def _open_question(verb: Token, word: Token) -> bool:
    """ "when to resume cuts", "whether to strike": a deed still being weighed."""
    return (
        word.lower_ in ("whether", "when", "how")
        and word.dep_ in ("advmod", "mark")
        and word.i < verb.i
        and (
            word.lower_ == "whether"
            or any(c.dep_ == "aux" and c.lower_ == "to" for c in verb.children)
        )
    )


def _clause_path(pred: Token, *, inclusive: bool = False) -> list[Token]:
    """The heads above `pred` up to its clause's head (a reported clause or the root)."""
    path: list[Token] = []
    if pred.dep_ in ("ccomp", "ROOT", "parataxis"):
        return path
    for head in pred.ancestors:
        path.append(head)
        if head.dep_ in ("ccomp", "ROOT", "parataxis"):
            break
    return path if inclusive or not path else path[:-1]
