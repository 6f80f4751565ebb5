"""Who holds a claim, read on the parse: the subject, the agent of a passive, the sayer
of reported speech, a possessor only where it is the doer. Climbing from the predicate
to the root also finds what makes it someone else's words: a demand on the actor
("urged X to"), a fear or rumour ("fears that X will"), a reported claim ("rejected
claims that it had struck"), or a refusal that turns it round ("refused to attack").
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from monitor.actors import ActorFinder, Mention, Tracker
from monitor.engine.parse import lowered
from monitor.engine.stance import PONDERING
from monitor.lexicon import DROPPING, ENGLISH, FRAMES, Lexicon
from monitor.models import Attribution

if TYPE_CHECKING:
    from spacy.tokens import Token

    from monitor.engine.candidates import Candidate

_SUBJECTS = frozenset({"nsubj", "nsubjpass", "csubj"})
_CLIMB = frozenset(
    {
        "xcomp",
        "conj",
        "dobj",
        "pobj",
        "prep",
        "pcomp",
        "acomp",
        "attr",
        "oprd",
        "advcl",
        "amod",
        "compound",
        "nmod",
        "appos",
        "acl",
        "dative",
        "npadvmod",
        "relcl",
    }
)
# Participles that say how their subject stands: "Hezbollah was committed to the truce".
_STATES = frozenset({"commit", "prepare", "determine", "oppose", "resolve", "dedicate", "bind"})
# Nouns of will whose owner does what follows: "the union's decision to reject".
_INTENT = frozenset(
    {
        "decision",
        "plan",
        "bid",
        "move",
        "attempt",
        "effort",
        "promise",
        "pledge",
        "vow",
        "threat",
        "readiness",
        "willingness",
        "commitment",
        "determination",
        "intention",
        "offer",
        "choice",
        "resolve",
    }
) | frozenset(ENGLISH["refusal_nouns"])
_TOPIC_PREPOSITIONS = frozenset({"on", "about", "over", "regarding", "concerning"})
_EVENT_PREPOSITIONS = frozenset(
    {"after", "since", "before", "following", "despite", "amid", "during", "over", "until"}
)
_SIDE = frozenset({"at", "of", "from", "in", "for"})
_NAME = frozenset({"compound", "flat", "appos", "amod", "nmod"})
_COMMITMENTS = frozenset({"promise", "commit", "pledge", "guarantee", "signal", "say", "predict"})
_COMPLEMENTS = frozenset({"ccomp", "xcomp", "acl", "relcl", "advcl", "parataxis", "conj"})


@dataclass
class Holder:
    actors: tuple[str, ...] = ()
    how: str = ""  # "subject 'the union'", "passive agent 'government forces'", ...
    attribution: Attribution = "described"
    sayer: str | None = None  # the words of the speech verb's subject
    blocked: str | None = None  # why it is nobody's own stance: "demanded by ...", ...
    refusals: list[str] = field(default_factory=list)  # refusal verbs that turn it round
    via_reference: bool = False


class Reader:
    """Holder rules for one profile's actors."""

    def __init__(
        self, finder: ActorFinder, lexicon: Lexicon, kinds: dict[str, tuple[str, ...]]
    ) -> None:
        self.finder = finder
        self._kinds = kinds  # "party" -> the actors of that kind: "the party" refers back
        self.lx = lexicon
        self._speech = frozenset(lexicon.speech)
        self._demands = frozenset(lexicon.demands)
        self._demand_nouns = frozenset(lexicon.demand_nouns)
        self._owning = frozenset(lexicon.owning_nouns)
        # nouns a doer is found through: "calls for", "responsibility for", "decision to"
        self._carriers = (
            self._demand_nouns | self._owning | _INTENT | frozenset(lexicon.report_nouns)
        )
        self._refusal_nouns = frozenset(lexicon.refusal_nouns)
        self._grounds = frozenset(lexicon.grounds)
        self._speculation = frozenset(lexicon.speculation)
        self._reports = frozenset(lexicon.report_nouns)
        self._refusals = frozenset(lexicon.refusals) | {
            p for p in FRAMES["reject"] if p not in ("opposition", "rejection", "refusal")
        }
        # "shelved plans for a further cut": dropping a deed refuses it
        self._refusals |= {p for p in FRAMES["abandon"] if " " not in p and p in DROPPING}
        self._judgements = frozenset(lexicon.judgements)
        self._agents = frozenset(lexicon.agent_nouns)
        self._members_nouns = frozenset(lexicon.members)
        self._others = frozenset(lexicon.other_person)
        self._bodies = frozenset(lexicon.bodies)
        self._first_person = frozenset(lexicon.first_person)
        self._teller: Token | None = None  # per read: who reports the sayer's words

    def read(
        self,
        root: Token,
        pred: Token,
        c: Candidate,
        tracker: Tracker,
        *,
        judged: bool = False,
        owned: bool = False,
        act: bool = False,
    ) -> Holder:
        """`root` is the cue's own head word, `pred` the verb it hangs from; a `judged`
        subject ("the deal is unacceptable") is held by whoever says so, an `owned` one
        ("its walkout would go ahead") by its possessor, else by whoever says so."""
        holder = Holder()
        self._teller = None
        sayer = self._climb(root, holder)
        subject, how = _doer(root)
        if subject is None and _event(root):
            return holder  # "said after the strike on Doha": an event, not the speaker's deed
        if how == "possessor" and _discussed(root):
            return holder  # "a session on the union's strike plans", "briefed about its plans"
        if subject is not None and holder.refusals and subject.lower_ in _OWN:
            subject, how = None, ""  # "Israel halted its offensive": its own, refused by it
        if subject is not None and holder.refusals:
            # "the drivers turned down the employers' revised offer": the refusal is the
            # drivers', the revised offer the employers' own, unturned
            holder.blocked = f"the object of another's {holder.refusals[0]}"
            holder.refusals = []
        if subject is None:
            subject, how = _subject(pred, self._carriers, self._grounds)
        if judged:
            subject, how = sayer, "speaker"
        if owned:
            owner = _doer(subject)[0] if subject is not None else None
            subject, how = (owner, "possessor") if owner is not None else (sayer, "speaker")
        sayer_actors = self.actors_at(sayer, c, tracker, ()) if sayer is not None else ()
        if subject is None and how in ("clausal subject", "existential") and sayer is not None:
            subject, how = sayer, "speaker"  # "continuing the talks would be pointless"
        if subject is None and how == "passive without agent":
            # "was left unchanged at 3.75 percent by the bank's committee": an agent the
            # parse hung on a noun of the clause rather than on its verb
            subject = next(
                (a for a in _stray_agents(pred) if self.actors_at(a, c, tracker, ())), None
            )
            how = "passive agent" if subject is not None else how
        if (
            subject is None
            and how == "passive without agent"
            and sayer is not None
            and not act
            and not _perfect(pred)
        ):
            # "the offer was rejected at a meeting on Monday, the union said"
            subject, how = sayer, "speaker"
        if subject is None or (
            sayer is not None and not sayer_actors and self._body(sayer, subject)
        ):
            return holder
        holder.actors = self.actors_at(subject, c, tracker, sayer_actors)
        holder.via_reference = not any(m.named for m in c.named if _overlaps(m, subject)) and bool(
            holder.actors
        )
        holder.how = f"{how} '{_phrase(subject)}'"
        teller = self._teller
        if teller is not None and sayer is not None and teller.i != sayer.i:
            told = self.actors_at(teller, c, tracker, ())
            if not set(told) & set(holder.actors) and (told or _leak(teller)):
                holder.attribution = "described"  # another side's account of their words
                holder.blocked = holder.blocked or f"in the words of '{_phrase(teller)}'"
        if sayer is not None:
            holder.sayer = _phrase(sayer)
            if not sayer_actors and _leak(sayer):
                holder.attribution = "speculated"
                holder.blocked = holder.blocked or f"a leak: '{holder.sayer}'"
            elif set(holder.actors) & set(sayer_actors) or (
                not sayer_actors and not self._other_person(sayer)
            ):
                holder.attribution = "quote" if _quoted(pred, c) else "reported"
            else:
                holder.attribution = "described"
                holder.blocked = holder.blocked or f"in the words of '{holder.sayer}'"
        elif holder.actors and subject.lower_ in self._first_person:
            holder.attribution = "quote" if _quoted(pred, c) else "reported"  # "we will ..."
        return holder

    def _climb(self, pred: Token, holder: Holder) -> Token | None:
        """Walk to the root; returns the subject of the speech verb that reports it, if any."""
        child = pred
        pending: str | None = None
        for head in pred.ancestors:
            rel, lemma = child.dep_, _lemma(head)
            if head.pos_ == "NOUN" and lemma in self._reports and rel == "prep":
                pending = f"a reported {lemma}"  # unless refused: "pushed back on bets on a cut"
            elif head.pos_ == "NOUN" and lemma in self._reports and rel in ("acl", "ccomp"):
                holder.blocked = f"a reported {lemma}"
            elif (
                head.pos_ == "NOUN"
                and lemma in self._demand_nouns
                and rel in ("acl", "prep")
                and not (head.dep_ == "dobj" and head.head.lemma_ == "have")  # "has no plans to"
            ):
                pending = (
                    f"a demand: {lemma}"  # unless the holder answers it: "rejects any call to"
                )
            elif head.pos_ == "ADJ" and lemma in self._refusals and rel == "xcomp":
                holder.refusals.append(lemma)  # "is hesitant to engage"
            elif head.pos_ == "NOUN" and lemma in self._refusal_nouns and rel == "acl":
                holder.refusals.append(lemma)  # "Hezbollah's refusal to hand over its weapons"
            elif head.pos_ in ("VERB", "AUX") and rel in _COMPLEMENTS | {"dobj", "prep"}:
                phrasal = f"{lemma} {child.lower_}" if rel == "prep" else lemma
                if phrasal in PONDERING and any(c.dep_ == "neg" for c in head.children):
                    pass  # "we are not thinking about raising rates": their own refusal
                elif (lemma in self._speculation or phrasal in self._speculation) and (
                    rel in ("ccomp", "xcomp", "prep") or (rel == "dobj" and lemma not in _DENIALS)
                ):  # "markets are pricing in two cuts by the bank", "expect a hike"
                    holder.blocked = holder.blocked or f"what others {lemma}"
                    holder.attribution = "speculated"
                elif (
                    lemma in self._demands | _ASKING_FOR
                    and rel == "advcl"
                    and any(c.dep_ == "mark" and c.lower_ == "for" for c in child.children)
                ):  # "the plan calls for Hezbollah to hand over its weapons"
                    holder.blocked = holder.blocked or f"a demand: {lemma} for"
                    holder.attribution = "demanded"
                elif (
                    lemma in self._demands
                    and (rel == "xcomp" or (rel == "ccomp" and lemma not in self._speech))
                    and _targets(head)
                    and not _own_people(head)
                ):
                    holder.blocked = holder.blocked or f"a demand: {lemma}"
                    holder.attribution = "demanded"
                elif lemma in self._judgements and rel in ("dobj", "prep"):
                    holder.blocked = holder.blocked or f"judged by others: {lemma}"
                elif lemma in self._refusals and (
                    rel in ("xcomp", "dobj", "prep", "pcomp") or _infinitive(child, rel)
                ):
                    if _lemma(child) in _COMMITMENTS:  # "refused to promise further cuts"
                        holder.blocked = holder.blocked or f"{lemma} to commit"
                    holder.refusals.append(lemma)
                    pending = None
                elif (
                    lemma in self._speech | {"speak", "talk"}
                    and rel == "prep"
                    and child.lower_ in ("of", "about")
                ):  # '"We are not in a hurry," Powell said of further cuts': spoken of
                    holder.blocked = holder.blocked or f"what is {lemma} {child.lower_}"
                elif lemma == "report" and rel in ("ccomp", "parataxis") and _leak(head):
                    holder.blocked = (
                        holder.blocked or "a leak"
                    )  # "..., a daily close to it reported"
                    holder.attribution = "speculated"
                elif lemma in self._speech and rel in ("ccomp", "parataxis", "conj", "xcomp"):
                    subject, _ = _subject(head)
                    if subject is not None:
                        holder.blocked = holder.blocked or pending
                        self._teller = self._outer_teller(head)
                        return subject
            child = head
        holder.blocked = holder.blocked or pending
        return _according_to(pred) or _trailing_speaker(pred, self._speech)

    def _outer_teller(self, speech: Token) -> Token | None:
        """ "Israel has told Washington it could hand over two positions, two Lebanese
        officials said": who reports the speaker's words, where someone does."""
        node = speech
        while node.dep_ in ("ccomp", "parataxis") and node.head.i != node.i:
            node = node.head
            if _lemma(node) in self._speech:
                return _subject(node)[0]
        return None

    def _body(self, sayer: Token, subject: Token) -> bool:
        """ "Islamic Jihad, a smaller ally of Hamas, said it rejected ...": an unlisted
        body speaks of itself as "it"."""
        return subject.lower_ in ("it", "they") and any(
            c.dep_ == "appos" and c.lemma_.lower() in self._bodies for c in sayer.children
        )

    def _other_person(self, sayer: Token) -> bool:
        """An outside voice: "analysts said", "Mira Jansen, chief economist at Harwick
        Capital, said", "economist Mira Jansen said"."""
        titles = [c for c in sayer.children if c.dep_ in ("appos", "compound")]
        return any(t.lemma_.lower() in self._others for t in [sayer, *titles])

    def actors_at(
        self, token: Token, c: Candidate, tracker: Tracker, sayer: tuple[str, ...]
    ) -> tuple[str, ...]:
        """The actors a noun phrase names, directly or by reference; coordinated ones too."""
        found: list[str] = []
        for head in _coordinated(token):
            names, modifiers = _name_tokens(head, self._agents)
            # the name on the head itself first: "Caldonia's National Renewal Party" is the party
            named = (
                [m for m in c.named if _overlaps(m, head)]
                or [m for m in c.named if any(_overlaps(m, t) for t in names)]
                or [
                    m
                    for m in c.named
                    if m.kind == "adjective" and any(_overlaps(m, t) for t in modifiers)
                ]
            )
            appositive = [
                m for m in named if any(_overlaps(m, a) for a in head.children if a.dep_ == "appos")
            ]
            if appositive:  # "Caldonia's main opposition party, National Renewal": the party
                named = appositive
            if named:
                found.extend(m.actor for m in named if m.actor)
                continue
            refs = [m for m in c.refs if any(_overlaps(m, t) for t in names)]
            resolved: list[str] = []
            for ref in refs:
                earlier = [m for m in c.named if m.end <= ref.start]
                speaker = sayer[0] if sayer else None
                found_ref: tuple[str, ...]
                if ref.kind == "pronoun" and speaker:  # "X's party said it would oppose"
                    found_ref = (speaker,)
                elif ref.kind == "pronoun" and _bound_elsewhere(head, c):
                    found_ref = ()  # "the Houthis vowed to keep up their attacks on Israel"
                else:
                    found_ref = self.finder.resolve(ref, tracker, speaker, earlier)
                if not found_ref and sayer:  # "The alliance will not cut, Al-Mansour said"
                    later = [m for m in c.named if m.actor in sayer]
                    found_ref = self.finder.resolve(ref, tracker, speaker, later)
                resolved.extend(found_ref)
            found.extend(
                resolved or self._by_kind(head, c, tracker) or self._members(head, names, sayer)
            )
        return tuple(dict.fromkeys(found))

    def _members(self, head: Token, names: list[Token], sayer: tuple[str, ...]) -> list[str]:
        """ "members would accept the limits, Moen said": people of no named side, in
        words a speaker reports, are the speaker's own side."""
        if not sayer or head.lemma_.lower() not in self._members_nouns:
            return []
        if any(t.pos_ == "PROPN" for t in names if t.i != head.i):
            return []  # "Hamas officials" name their side; "union members" do not
        return list(sayer[:1])

    def _by_kind(self, head: Token, c: Candidate, tracker: Tracker) -> list[str]:
        """ "the party" after "a Farmers' Party spokesman": the last named actor of that kind."""
        kinds = self._kinds.get(head.lemma_.lower(), ())
        places = {c.text for c in head.children if c.dep_ == "poss" and c.pos_ == "PROPN"}
        if places:  # "Japan's central bank" is the Bank of Japan
            return [a for a in kinds if places & set(re.findall(r"\w+", a))]
        if any(c.dep_ in ("compound", "amod") and c.pos_ == "PROPN" for c in head.children):
            return []  # "The European Central Bank" is a name, not "the bank"; "the Ministry" is
        definite = any(d.lower_ == "the" for d in head.children if d.dep_ == "det")
        bare = c.headline and not any(d.dep_ in ("det", "poss") for d in head.children)
        if not kinds or not (definite or bare):  # headlines drop "the": "says group will"
            return []
        earlier = [m.actor for m in c.named if m.end <= head.idx and m.actor in kinds]
        recent = [a for a in tracker.recent if a in kinds]
        if not earlier and not tracker.recent and len(kinds) == 1:
            return list(kinds)  # "the competition watchdog" where only one actor is one
        return (earlier or recent)[-1:]

    def subject_actors(self, c: Candidate, tracker: Tracker) -> tuple[str, ...]:
        """Who the sentence is about (the root's subject), for later pronouns."""
        if c.doc is None:
            return tuple(dict.fromkeys(m.actor for m in c.named[:1] if m.actor))
        root = next((t for t in c.doc if t.dep_ == "ROOT"), None)
        subject = _subject(root)[0] if root is not None else None
        return self.actors_at(subject, c, tracker, ()) if subject is not None else ()


def _doer(noun: Token) -> tuple[Token | None, str]:
    """The doer a cue noun names itself: "Israel's attack", "strikes ... by government forces"."""
    if noun.pos_ not in ("NOUN", "PROPN"):
        return None, ""
    if noun.dep_ == "nsubjpass":  # "the strikes were carried out by Hezbollah fighters"
        agents = [g for c in noun.head.children if c.dep_ == "agent" for g in c.children]
        if agents:
            return agents[0], "passive agent"
    for c in noun.children:
        if c.dep_ == "poss":
            return c, "possessor"
        if c.dep_ == "acl" and c.tag_ == "VBN":  # "a fresh offensive launched by the Front"
            agents = [g for a in c.children if a.dep_ == "agent" for g in a.children]
            if agents:
                return agents[0], "passive agent"
        if c.dep_ == "prep" and c.lower_ == "by":
            objects = [g for g in c.children if g.dep_ == "pobj"]
            if objects:
                return objects[0], "agent"
    return None, ""


def _subject(
    pred: Token, asks: frozenset[str] = frozenset(), grounds: frozenset[str] = frozenset()
) -> tuple[Token | None, str]:
    """The doer of `pred`, climbing through objects, infinitives and conjuncts."""
    node = pred
    while True:
        children = list(node.children)
        agents = [g for c in children if c.dep_ == "agent" for g in c.children if g.dep_ == "pobj"]
        if agents and not any(c.dep_ == "nsubj" for c in children):  # "itself bound by"
            return agents[0], "passive agent"
        subjects = [c for c in children if c.dep_ in _SUBJECTS]
        if not subjects and any(c.dep_ == "expl" for c in children):
            return None, "existential"  # "said there was no need to recall the cars"
        if subjects:
            if (
                subjects[0].dep_ == "nsubjpass"
                and node.i == pred.i
                and node.lemma_.lower() not in _STATES
            ):
                return None, "passive without agent"
            if subjects[0].dep_ == "csubj":
                return None, ""
            return subjects[0], "subject"
        if (
            node.dep_ == "acl"
            and node.head.dep_ == "ROOT"
            and node.head.pos_ in ("NOUN", "PROPN")
            and any(c.dep_ == "dobj" for c in children)
        ):  # "The cabinet approved on Tuesday the bill" misread as one noun phrase: a
            return node.head, "subject"  # participle of a noun takes no object
        if node.dep_ == "csubj" or (
            node.dep_ in ("nsubj", "nsubjpass") and node.lemma_.lower() in grounds
        ):
            return None, "clausal subject"  # "the case for a cut has not been made"
        noun = node.head.head
        if node.dep_ == "pobj" and node.head.lower_ == "of" and noun.lemma_.lower() in _PARTITIVES:
            node = noun  # "launched a wave of air strikes": the strikes are the launcher's
            continue
        if (
            node.dep_ == "pobj"
            and noun.pos_ in ("NOUN", "PROPN")
            and noun.lemma_ not in asks
            and noun.lemma_ not in grounds  # "saw no room for a cut" is the seer's
        ):
            return None, "topic of a noun"  # "a session on the union's strike plan"
        if node.dep_ not in _CLIMB or node.head.i == node.i:
            return None, ""
        lemma = node.head.lemma_.lower()
        if node.dep_ == "acl" and (lemma in asks or lemma in _INTENT):
            owner = [c for c in node.head.children if c.dep_ == "poss"]
            if owner:  # "the union's decision to reject", "Hezbollah's refusal to hand over"
                return owner[0], "possessor"
            doers = [  # "the decision by Hamas's political bureau to accept"
                g
                for c in node.head.children
                if c.dep_ in ("prep", "agent") and c.lower_ == "by" and c.i < node.i
                for g in c.children
                if g.dep_ == "pobj"
            ]
            if doers:
                return doers[0], "possessor"
        if node.dep_ == "advcl" and not any(c.dep_ == "mark" for c in children):
            participle, node = node, node.head  # "By avoiding confrontation, Hezbollah can"
            if _trailing(participle, node):
                node = node.head  # "signalled its cycle was over, leaving rates unchanged"
            continue
        node = node.head


# verbs that ask "for" someone to act: "calls for the group to disarm"
_ASKING_FOR = frozenset({"call", "push", "press", "lobby", "campaign", "plead", "appeal"})
# nouns that only count or group what follows "of"
_PARTITIVES = frozenset(
    {"wave", "series", "barrage", "salvo", "round", "spate", "string", "flurry", "volley"}
    | {"hail", "dozen", "dozens", "hundreds", "number", "handful", "batch", "succession"}
)
_SOURCES = frozenset({"source", "people", "person", "insider", "official", "officials"})
_MEDIA = frozenset(
    {"newspaper", "daily", "paper", "broadcaster", "channel", "outlet", "website", "tabloid"}
    | {"weekly", "television", "station", "magazine", "media"}
)
_UNNAMED = frozenset({"familiar", "close", "briefed", "unnamed", "anonymous", "knowledgeable"})


def _leak(sayer: Token) -> bool:
    """Unnamed sources, or an outlet citing them, telling what an actor will do ("three
    sources familiar with its thinking said", "a daily close to the group reported"): a
    leak, not the actor's own word. `sayer` may be the reporting verb itself."""
    if sayer.pos_ == "VERB":
        found = _subject(sayer)[0]
        if found is None:
            return False
        sayer = found
    lemma = sayer.lemma_.lower()
    if lemma in _SOURCES and lemma not in ("official", "officials"):
        return True  # "sources said", "people familiar with the matter said"
    words = {t.lemma_.lower() for t in sayer.subtree}
    citing = any(c.lower_ == "citing" for c in sayer.head.children)
    return bool(words & _UNNAMED or citing) and (lemma in _SOURCES or bool(words & _MEDIA))


def _bound_elsewhere(pronoun: Token, c: Candidate) -> bool:
    """A possessive pronoun whose own clause has a subject before it that names no actor
    and refers to none: the pronoun is that subject's, not an actor named further back."""
    verb = next((a for a in pronoun.ancestors if a.pos_ in ("VERB", "AUX")), None)
    subject = _subject(verb)[0] if verb is not None else None
    if subject is None or subject.i >= pronoun.i or subject.pos_ == "PRON":
        return False
    span = range(subject.left_edge.idx, subject.idx + len(subject.text))
    return not any(m.start in span or m.end - 1 in span for m in [*c.named, *c.refs])


def _trailing(participle: Token, head: Token) -> bool:
    """A participle after a comma closing a reported clause, which the parse hangs on that
    clause's verb: it tells what the reporting clause's subject did, not the clause's."""
    return (
        participle.tag_ == "VBG"
        and participle.i > head.i
        and participle.i > 0
        and participle.doc[participle.i - 1].text == ","
        and head.dep_ == "ccomp"
        and head.head.i < head.i
    )


def _stray_agents(verb: Token) -> list[Token]:
    """The objects of "by" inside a passive verb's own clause (not in a clause below it)."""
    found: list[Token] = []
    for t in verb.subtree:
        if t.lower_ != "by" or t.dep_ not in ("prep", "agent"):
            continue
        clause = next(a for a in t.ancestors if a.pos_ in ("VERB", "AUX") or a.i == verb.i)
        if clause.i == verb.i:
            found.extend(g for g in t.children if g.dep_ == "pobj")
    return found


def _perfect(verb: Token) -> bool:
    return any(c.dep_ == "aux" and c.lemma_ == "have" for c in verb.children)


def _discussed(noun: Token) -> bool:
    """Is the noun phrase what others talk about ("on", "about", "over" it)?"""
    while noun.dep_ in ("compound", "amod") and noun.head.i != noun.i:
        noun = noun.head
    return noun.dep_ == "pobj" and noun.head.lower_ in _TOPIC_PREPOSITIONS


def _event(noun: Token) -> bool:
    """A deed noun that only dates or explains a clause ("after the strike", "amid the
    attacks", "despite the truce") names nobody's act."""
    return (
        noun.pos_ == "NOUN"
        and noun.dep_ == "pobj"
        and noun.head.lower_ in _EVENT_PREPOSITIONS
        and noun.head.head.pos_ in ("VERB", "AUX")
    )


def _infinitive(clause: Token, rel: str) -> bool:
    """ "refused the order ... to attack": an infinitive the parse hangs as an adverbial."""
    return rel == "advcl" and any(c.dep_ == "aux" and c.lower_ == "to" for c in clause.children)


def _targets(demand: Token) -> bool:
    """Does the demand verb ask someone ("urged X to", "called on X to", "demanded that X")?"""
    for c in demand.children:
        if c.dep_ in ("dobj", "ccomp", "dative"):
            return True
        if c.dep_ == "prep" and c.lower_ in ("on", "upon", "of"):
            return True
    return False


def _own_people(demand: Token) -> bool:
    """ "ordered its troops to halt", "told their members to return to work": an order to
    one's own people is one's own deed, not a demand on another."""
    return any(
        c.dep_ in ("dobj", "dative")
        and (
            any(g.dep_ == "poss" and g.lower_ in _OWN for g in c.children)
            or (  # "Netanyahu ordered the military to carry out strikes"
                c.lemma_.lower() in _FORCES
                and any(g.dep_ == "det" and g.lower_ == "the" for g in c.children)
                and not any(g.dep_ in ("compound", "amod") for g in c.children)
            )
        )
        for c in demand.children
    )


_OWN = frozenset({"its", "their", "his", "her", "our", "my"})
_FORCES = frozenset({"military", "army", "troops", "forces", "navy", "police", "security"})


def _trailing_speaker(pred: Token, speech: frozenset[str]) -> Token | None:
    """ "Continuing the talks would be pointless, Sand said": the speaker the parse hangs
    beside the clause rather than above it."""
    root = pred
    while root.head.i != root.i:  # the root of its sentence, without finding the sentence
        root = root.head
    for c in root.children:
        own = c.dep_ == "conj" and c.i > pred.i and any(g.dep_ == "nsubj" for g in c.children)
        if (c.dep_ == "parataxis" or own) and _lemma(c) in speech:
            subject, _ = _subject(c)  # "... would be pointless and, ..., humiliating, he said"
            if subject is not None:
                return subject
    return None


def _according_to(pred: Token) -> Token | None:
    if "according" not in lowered(pred.doc):
        return None
    for t in pred.sent:
        if t.lower_ == "according" and t.i + 1 < len(t.doc) and t.doc[t.i + 1].lower_ == "to":
            objects = [g for g in t.doc[t.i + 1].children if g.dep_ == "pobj"]
            if objects:
                return objects[0]
    return None


def _coordinated(token: Token) -> list[Token]:
    found = [token]
    for c in token.children:
        if c.dep_ == "conj" and c.pos_ in ("NOUN", "PROPN", "PRON"):
            found.extend(_coordinated(c))
        if c.dep_ == "prep" and c.lower_ in ("as", "including"):  # "allies such as X and Y"
            found.extend(g2 for g in c.children if g.dep_ == "pobj" for g2 in _coordinated(g))
    return found


def _name_tokens(head: Token, agents: frozenset[str]) -> tuple[list[Token], list[Token]]:
    """The words that name who `head` is ("Hezbollah leader Naim Qassem", "Iran's envoy",
    "his group"), and its modifiers, where only a demonym names it ("Iranian officials")."""
    names = [head]
    modifiers: list[Token] = []
    for c in head.children:
        if c.dep_ == "amod":
            modifiers.extend(c.subtree)
        elif c.dep_ == "appos":  # "Iran, a longtime backer of Hamas": the appositive's head only
            names.extend([c, *(g for g in c.children if g.dep_ in ("compound", "flat"))])
            if _agent(c, agents) and c.lemma_.lower() not in _RELATIONS:
                # "Helena Brandt, Vantor's chief executive", "leader of"; not "an ally of"
                names.extend(
                    t
                    for g in c.children
                    if g.dep_ == "poss" or (g.dep_ == "prep" and g.lower_ in _SIDE)
                    for t in g.subtree
                )
        elif c.dep_ in _NAME or (c.dep_ == "poss" and _agent(head, agents)):
            names.extend(c.subtree)
        elif c.dep_ == "prep" and c.lower_ in _SIDE and _agent(head, agents):
            names.extend(c.subtree)  # "policymakers at the Fed", "negotiators from Hamas"
    return names, modifiers


# Appositive nouns that relate a speaker to an actor rather than make it one of its own.
_RELATIONS = frozenset(
    {"ally", "rival", "partner", "backer", "patron", "proxy", "foe", "enemy", "opponent"}
)


def _agent(token: Token, agents: frozenset[str]) -> bool:
    return token.lemma_.lower() in agents or token.lower_ in agents


def _overlaps(mention: Mention, token: Token) -> bool:
    return mention.start < token.idx + len(token.text) and token.idx < mention.end


def _quoted(token: Token, c: Candidate) -> bool:
    before = c.text[: token.idx]
    return sum(before.count(q) for q in '"“”') % 2 == 1


# speculation verbs whose object is a deed they refuse, not one they imagine
_DENIALS = frozenset({"deny", "concern", "doubt"})


def _lemma(token: Token) -> str:
    particles = [  # "pushed back", which the parse may call an adverb
        c.lower_
        for c in token.children
        if c.dep_ == "prt" or (c.dep_ == "advmod" and c.i == token.i + 1 and c.lower_ == "back")
    ]
    lemma = token.lemma_.lower()
    if lemma == "pour" and any(c.lower_ == "water" for c in token.children if c.dep_ == "dobj"):
        return "pour cold water"  # "poured cold water on hopes of a cut"
    if particles:
        return f"{lemma} {particles[0]}"
    ons = [c.lower_ for c in token.children if c.dep_ == "prep" and c.lower_ == "on"]
    return f"{lemma} on" if ons and lemma == "call" else lemma


def _phrase(token: Token) -> str:
    words = [t for t in token.subtree if t.dep_ not in ("relcl", "acl", "punct", "appos")]
    return " ".join(t.text for t in words[:8]) or token.text
