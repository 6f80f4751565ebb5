"""Where a sentence touches an issue: a profile cue, or a general frame aimed at a topic term.

Both match on lemmas, in order, with the matched words connected in the parse (they
hang from one head), so "accepted a revised three-year offer" and "turned the offer
down" match however far apart the words stand.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from monitor.engine.candidates import Filter, _stem
from monitor.engine.parse import lemmas
from monitor.engine.stance import MONTHS, judgement
from monitor.lexicon import ACTS, DROPPING, FRAMES, OPPOSITE, Lexicon, kin
from monitor.profile import Issue, Profile

if TYPE_CHECKING:
    from spacy.tokens import Doc, Token

_MOVES = frozenset({"increase", "decrease", "maintain", "abandon"})  # of a quantity
_QUANTITY = frozenset({"increase", "decrease", "maintain"})  # an issue that is one
_MEASURES = frozenset({"point", "quarter", "half", "percentage", "basis", "bps", "rate"})
_LIGHT_VERBS = frozenset(
    {"deliver", "announce", "make", "approve", "implement", "agree", "unveil", "order"}
)
_STATES = frozenset(
    {"high", "unchanged", "steady", "elevated", "restrictive", "stable", "put", "low", "flat"}
)
_ORDINALS = frozenset(
    {"one", "first", "second", "third", "fourth", "fifth", "latest", "last", "new", "other"}
)
MAX_GAP = 6  # tokens between two words of one cue: "left the main rate unchanged"
_OBJECTS = frozenset(
    {"dobj", "pobj", "prep", "xcomp", "ccomp", "attr", "oprd", "nsubjpass", "acomp", "dative"}
)
_NOUN = frozenset({"NOUN", "PROPN", "PRON"})
_READY = frozenset({"ready", "willing", "prepared"})
# Verbs that refuse or drop the move they take as object.
_REFUSING = frozenset({*FRAMES["reject"], *DROPPING})
# Idioms of not moving that say what stays put by their subject alone.
_IDLE = frozenset({"stay put", "stand pat", "sit tight"})


@dataclass(frozen=True)
class Hit:
    issue: str
    stance: int  # index on the issue's scale
    root: int  # token index of the matched phrase's head
    tokens: tuple[int, ...]
    text: str  # the cue as written, or "frame: lemma"
    reverse: bool = False  # a frame opposite to the stance's ("reject" for an "accept" stance)
    judged: bool = False  # the subject of a judgement ("a recall is neither necessary nor ...")


@dataclass(frozen=True)
class _Phrase:
    words: tuple[frozenset[str], ...]  # each word: its lemma and its spelling
    issue: str
    stance: int
    text: str
    names_thing: bool  # a word of its own says what it is about ("ceasefire", "disarm")


class Matcher:
    """The profile's cues and topic terms as lemmas, compiled once per engine."""

    def __init__(self, profile: Profile, lexicon: Lexicon) -> None:
        self.issues = profile.issues
        entries = [
            (issue.name, index, cue)
            for issue in profile.issues.values()
            for index, stance in enumerate(issue.scale)
            for cue in stance.cues
        ]
        topics = [
            (issue.name, term)
            for issue in profile.issues.values()
            for t in issue.topic
            for term in dict.fromkeys((t, *kin(t)))
        ]
        compiled = lemmas([c for _, _, c in entries] + [t for _, t in topics])
        self._cues: dict[str, list[_Phrase]] = {}
        compiled = [_any_owner(words) for words in compiled]
        general = _general_words(lexicon)
        for (issue_name, index, cue), words in zip(entries, compiled, strict=False):
            own = any(not (w & general) and max(map(len, w)) > 2 for w in words)
            compiled_cue = _Phrase(words, issue_name, index, cue, own)
            for first in words[:1][0] if words else ():
                self._cues.setdefault(first, []).append(compiled_cue)
        self._topics: dict[str, list[tuple[frozenset[str], ...]]] = {}
        for (issue_name, _), words in zip(topics, compiled[len(entries) :], strict=True):
            if words:
                self._topics.setdefault(issue_name, []).append(words)
        self._frames: dict[str, list[tuple[tuple[frozenset[str], ...], str]]] = {}
        for frame, phrases in FRAMES.items():
            for phrase in phrases:
                words = tuple(frozenset({w}) for w in _split(phrase))
                self._frames.setdefault(_split(phrase)[0], []).append((words, frame))
        self._proceeding: dict[str, list[tuple[frozenset[str], ...]]] = {}
        self._proceeding_phrases = lexicon.proceeding
        for phrase in lexicon.proceeding:
            words = tuple(frozenset({w}) for w in phrase.split())
            self._proceeding.setdefault(phrase.split()[0], []).append(words)
        self._good = frozenset(lexicon.evaluative_good)
        self._bad = frozenset(lexicon.evaluative_bad)
        self._reports = frozenset(lexicon.report_nouns)
        self._statistics = frozenset(lexicon.statistics)
        self._delays = frozenset(lexicon.delays)
        self._light = frozenset(lexicon.light_nouns) | frozenset(lexicon.demand_nouns)
        self._reactions = frozenset(lexicon.reactions)
        self._deliberation = frozenset(lexicon.deliberation)
        self._topical: dict[str, bool] = {}  # per sentence in `hits`: issue -> on topic
        self._near: dict[int, set[int]] = {}  # per sentence in `hits`: target -> its words

    def filter(self, profile: Profile) -> Filter:
        """The pre-parse filter for this profile's cues, topic terms and the frames."""
        words = [w for phrases in FRAMES.values() for w in phrases]
        used = {f for issue in profile.issues.values() for s in issue.scale for f in s.frames}
        acts = [w for frame in ACTS & used for w in FRAMES[frame]]
        moves = [w for frame in _MOVES & used for w in FRAMES[frame] if " " not in w]
        # a bank "saw no need to cut again": a quantity's own move needs no topic term
        quantities = [
            w
            for issue in profile.issues.values()
            if _quantity(issue)
            for s in issue.scale
            for frame in s.frames
            for w in FRAMES[frame]
            if " " not in w
        ]
        return Filter(
            [
                *(
                    variant
                    for issue in profile.issues.values()
                    for s in issue.scale
                    for cue in s.cues
                    for variant in _kin_variants(cue)
                ),
                *acts,
                *_IDLE,
                *_TALKING,
                *quantities,
            ],
            [w for issue in profile.issues.values() for t in issue.topic for w in (t, *kin(t))],
            # "by" for a deed named with its doer ("strikes by the drivers' union")
            [
                *words,
                *self._proceeding_phrases,
                *self._good,
                *self._bad,
                *_READY,
                "table",
                "agenda",
                "negotiable",
                "up for",
                "stay",
                "remain",
                "by",
            ],
            (moves, [*_LIGHT_VERBS, *self._good, *self._bad]),
        )

    def hits(self, doc: Doc) -> list[Hit]:
        found: list[Hit] = []
        self._topical, self._near = {}, {}
        words = [(_key(t), t.lower_, _stem(t.lower_)) for t in doc]
        present = {w for forms in words for w in forms}
        for i, (lemma, lower, _) in enumerate(words):
            keys = dict.fromkeys(words[i])  # "handing" the parse may call a noun is "hand"
            for phrase in [p for key in keys for p in self._cues.get(key, ())]:
                if not all(word & present for word in phrase.words[1:]):
                    continue  # a word of the cue is nowhere in the sentence
                matched = _match(doc, i, phrase.words)
                issue = self.issues[phrase.issue]
                if matched and (
                    not issue.topic or phrase.names_thing or self._on_topic(doc, issue)
                ):
                    found.append(
                        Hit(phrase.issue, phrase.stance, _root(doc, matched), matched, phrase.text)
                    )
            for frame_words, frame in [f for key in keys for f in self._frames.get(key, ())]:
                if not all(word & present for word in frame_words[1:]):
                    continue
                matched = _match(doc, i, frame_words)
                if matched and any(c.lower_ == "ready" for c in doc[matched[0]].children):
                    continue  # "stands ready to intervene against the franc" opposes nothing
                if matched and _aspectual(doc[matched[0]]):
                    continue  # "began pulling its troops back": the deed begun says it
                if matched and frame in ACTS:
                    found.extend(self._act_hits(doc, matched, frame))
                elif matched:
                    found.extend(self._frame_hits(doc, matched, frame))
            if lemma in ("stay", "remain") and doc[i].pos_ in ("VERB", "AUX"):
                found.extend(self._staying_hits(doc, doc[i]))
            for proceed_words in self._proceeding.get(lemma, ()):
                matched = _match(doc, i, proceed_words)
                if matched and doc[i].pos_ == "VERB":
                    found.extend(self._proceeding_hits(doc, matched))
            if (
                lemma in self._good
                or lemma in self._bad
                or _judging_participle(doc[i], self._good | self._bad)
            ):
                found.extend(self._evaluative_hits(doc, doc[i]))
            if (
                lower in ("table", "agenda")
                and doc[i].dep_ == "pobj"
                and doc[i].head.lower_ in ("on", "off")
            ):  # "not on the table", "off the agenda"
                table = doc[i]
                label = f"frame table: {table.head.text} the {table.lower_}"
                off = (table.head.lower_ == "off") != _neither(table.head)
                found.extend(self._offered_hits(doc, table.head.head, table, off, label))
            if offered := _negotiable(doc[i]):
                verb, off = offered
                label = f"frame table: {'not ' if off else ''}{_text(doc, (doc[i].head.i, i))}"
                found.extend(self._offered_hits(doc, verb, doc[i], off, label))
            if lemma in _TALKING and doc[i].pos_ == "VERB":
                found.extend(self._talk_hits(doc, doc[i]))
            if lemma in _READY and doc[i].pos_ in ("ADJ", "VERB"):
                found.extend(self._readiness_hits(doc, doc[i]))
            if lower == "by" and doc[i].head.pos_ == "NOUN":
                found.extend(self._deed_hits(doc, doc[i].head))
        return _judged_over(doc, _longest(found))

    def _frame_hits(self, doc: Doc, matched: tuple[int, ...], frame: str) -> list[Hit]:
        root = doc[_root(doc, matched)]
        if frame == "abandon" and _left_somewhere(root):
            frame = "maintain"  # "will leave its troops in the five positions" keeps them
        targets = [c for c in root.children if c.dep_ in _OBJECTS and c.i not in matched]
        if not any(c.dep_ == "dobj" for c in root.children):
            # an object far after the verb, which the parse hangs as an adverbial noun:
            # "rejected on Monday, after two days of talks, an offer to ..."
            targets.extend(c for c in root.children if c.dep_ == "npadvmod" and c.i > root.i + 2)
            targets.extend(  # "rejected, after ..., calls for a recall", misread as a verb
                c for c in root.children if c.dep_ == "dep" and _key(c) in self._light
            )
            targets.extend(  # "ruled out surrendering its missiles", misread as an adverbial
                c
                for c in root.children
                if c.dep_ == "advcl"
                and c.tag_ == "VBG"
                and c.i > root.i
                and not any(g.dep_ in ("mark", "nsubj") for g in c.children)
            )
            targets.extend(_far_object(root))
        if root.pos_ == "NOUN":  # "an early rate cut", "cuts in interest rates"
            targets.extend(c for c in root.children if c.dep_ == "compound")
            if (
                frame in _MOVES
                and root.dep_ == "dobj"
                and root.head.lemma_.lower() in _LIGHT_VERBS
                and not any(
                    c.dep_ == "compound" and c.lemma_.lower() not in _MEASURES
                    for c in root.children
                )
            ):  # "delivered a quarter-point cut": the move is the thing's own
                return self._intransitive_hits(doc, root, matched, frame, topical=False)
            if frame in _MOVES and self._judged(root):  # "a cut now would be premature"
                return self._intransitive_hits(doc, root, matched, frame, topical=False)
            if frame in ("increase", "decrease") and self._refused(root):
                # "ruled out a hike this year", "shelved plans for a further cut"
                return self._intransitive_hits(doc, root, matched, frame, topical=False)
        for i in matched[1:]:  # "open to a compromise", "backed away from ordering a recall"
            targets.extend(c for c in doc[i].children if c.dep_ in ("pobj", "pcomp"))
        # Rejecting claims about a deed is not rejecting the deed.
        reported = [t for t in targets if t.lemma_.lower() in self._reports]
        targets = [t for t in targets if t not in reported]
        if {
            " ".join(_key(doc[i]) for i in matched),
            " ".join(_stem(doc[i].lower_) for i in matched),
        } & _IDLE:  # "the Fed stayed put" (its subject on either word, as the parse has it)
            verb = next(
                (doc[i] for i in matched if any(c.dep_ == "nsubj" for c in doc[i].children)),
                root,
            )
            return self._intransitive_hits(doc, verb, matched, frame, topical=False)
        if (
            root.pos_ == "VERB"
            and frame in _MOVES
            and not reported  # "lowered its projection for ..." moves no quantity
            and all(_when(t) for t in targets)
        ):
            return self._intransitive_hits(doc, root, matched, frame)
        # Ruling out a delay to a deed is backing the deed.
        delays = [t for t in targets if t.lemma_.lower() in self._delays]
        found: list[Hit] = []
        for issue in self.issues.values():
            on_topic = [t for t in targets if self._names_topic(doc, t, issue)]
            if not on_topic:
                continue
            if frame == "change":  # only "did not change rates" counts, read as a flip
                label = f"frame change: {_text(doc, matched)}"
                found.extend(
                    Hit(issue.name, i, root.i, matched, label, reverse=True)
                    for i, s in enumerate(issue.scale)
                    if "maintain" in s.frames
                )
                continue
            turned = all(t in delays for t in on_topic) and frame in OPPOSITE
            used = OPPOSITE[frame] if turned else frame
            label = f"frame {frame}: {_text(doc, matched)}" + (
                f" (a {on_topic[0].lower_} of it: {used})" if turned else ""
            )
            hits = _stance_hits(issue, used, root.i, matched, label)
            if (
                frame == "accept"
                and issue.conditional
                and all(t.lemma_.lower() in self._deliberation for t in on_topic)
                and not any(self._topic_word(t, issue) for t in on_topic)  # "joined the talks"
            ):  # "open to discussing its weapons" is a readiness to talk, not acceptance
                talk = f"{label} (to {on_topic[0].lemma_.lower()} it)"
                index = issue.index(issue.conditional)
                hits = [Hit(issue.name, index, root.i, matched, talk) for _ in hits[:1]]
            found.extend(hits)
        return found

    def _intransitive_hits(
        self, doc: Doc, verb: Token, matched: tuple[int, ...], frame: str, *, topical: bool = True
    ) -> list[Hit]:
        """ "the bank paused on Wednesday", "the alliance will cut again": a move with no
        object moves the thing the sentence is about."""
        label = f"frame {frame}: {_text(doc, matched)}"
        return [
            hit
            for issue in self.issues.values()
            if issue.topic
            and (_quantity(issue) or (topical and self._on_topic(doc, issue)))
            and any(s.frames and set(s.frames) <= _MOVES for s in issue.scale)
            for hit in _stance_hits(issue, frame, verb.i, matched, label)
        ]

    def _act_hits(self, doc: Doc, matched: tuple[int, ...], frame: str) -> list[Hit]:
        """ "launched strikes on the depots", "will exercise restraint": the act itself is
        the issue, whoever it is aimed at, topic term or not."""
        root = _root(doc, matched)
        following = doc[root + 1] if root + 1 < len(doc) else None
        if (
            doc[root].pos_ == "NOUN"
            and following is not None
            and following.tag_ in ("NN", "NNS")
            and doc[root].dep_ in ("compound", "conj", "nmod", "amod")
        ):
            return []  # "attack drones", "strike aircraft": a kind of thing, not an act
        if any(c.dep_ == "dobj" and c.lemma_.lower() in _STRUCK for c in doc[root].children):
            return []  # "struck a deal to export gas": an agreement, not a blow
        counted = [
            g.lemma_.lower()
            for c in doc[root].children
            if c.lower_ == "of" and _key(doc[root]) in ("salvo", "barrage")
            for g in c.children
            if g.dep_ == "pobj"
        ]
        if counted and not set(counted) & _MUNITIONS:
            return []  # "a barrage of criticism"
        label = f"frame {frame}: {_text(doc, matched)}"
        answer = _answered(doc[root], self._reactions) if frame == "attack" else None
        found = []
        for issue in self.issues.values():
            hits = _stance_hits(issue, frame, root, matched, label)
            if answer is not None and issue.conditional is not None:
                # "will respond to any attack": the act answered is someone else's
                hits = [
                    Hit(issue.name, issue.index(issue.conditional), answer.i, (answer.i,), label)
                    for _ in hits[:1]
                ]
            found.extend(hits)
        return found

    def _offered_hits(
        self, doc: Doc, verb: Token, anchor: Token, off: bool, label: str
    ) -> list[Hit]:
        """ "its weapons are not on the table", "a cut is off the table", "our weapons are
        not negotiable": a thing offered for talks is the conditional stance, one taken off
        them the refusing pole (or the move denied); a move merely offered is a prospect."""
        denied = off != any(c.dep_ == "neg" for c in verb.children)
        subjects = [c for c in verb.children if c.dep_ in ("nsubj", "nsubjpass", "csubj")]
        placed = _key(verb) in ("put", "place", "lay", "bring", "take")
        if placed:  # "offered to put its weapons on the table": the placer's own stance
            subjects = [c for c in verb.children if c.dep_ == "dobj"]
        found: list[Hit] = []
        for issue in self.issues.values():
            moves = [m for s in subjects for m in self._moves(s, issue)]
            if moves and denied:
                found.append(
                    Hit(issue.name, moves[0], verb.i, (anchor.i,), label, off, judged=not placed)
                )
            elif (
                not moves
                and issue.conditional is not None
                and any(self._names_topic(doc, s, issue) for s in subjects)
            ):
                index = issue.index(issue.conditional)
                found.append(
                    Hit(issue.name, index, verb.i, (anchor.i,), label, off, judged=not placed)
                )
        return found

    def _readiness_hits(self, doc: Doc, ready: Token) -> list[Hit]:
        """ "ready to discuss placing its weapons under the state": a readiness to talk a
        thing over, which is the issue's conditional stance (as "open to discussing")."""
        talks = [
            t
            for c in ready.children
            if c.dep_ == "xcomp"
            for t in (c, *_talk_nouns(c))  # "ready to take part in talks on its weapons"
            if t.lemma_.lower() in self._deliberation
        ]
        return [
            Hit(
                issue.name,
                issue.index(issue.conditional),
                ready.i,
                (ready.i, talks[0].i),
                f"frame accept: {ready.text} to {talks[0].lemma_} (to {talks[0].lemma_} it)",
            )
            for issue in self.issues.values()
            if talks
            and issue.conditional is not None
            and any(self._names_topic(doc, t, issue) for t in talks)
        ]

    def _talk_hits(self, doc: Doc, verb: Token) -> list[Hit]:
        """ "will discuss the future of its weapons only once ...": talking a thing over is
        the issue's conditional stance, as a readiness to is; on an issue that is itself
        about talks ("nuclear talks"), negotiating is the deed the issue asks about."""
        if verb.dep_ == "acl" or any(c.dep_ == "auxpass" for c in verb.children):
            return []  # "a framework negotiated in Cairo" names the thing, not a deed
        found: list[Hit] = []
        label = f"frame accept: {verb.text} (to {verb.lemma_.lower()} it)"
        for issue in self.issues.values():
            if issue.conditional is None or issue.scale[issue.index(issue.conditional)].frames:
                continue  # a rate scale's "hold" is no readiness to talk
            if any(words[-1] & _TALKING for words in self._topics.get(issue.name, ())):
                if not any(c.dep_ == "dobj" for c in verb.children):  # "negotiating with ..."
                    found.extend(_stance_hits(issue, "accept", verb.i, (verb.i,), label))
            elif any(self._names_topic(doc, t, issue) for t in _talk_nouns(verb)):
                index = issue.index(issue.conditional)
                found.append(Hit(issue.name, index, verb.i, (verb.i,), label))
        return found

    def _proceeding_hits(self, doc: Doc, matched: tuple[int, ...]) -> list[Hit]:
        """ "its walkout would go ahead": the undertaking, as subject, goes on."""
        verb = doc[matched[0]]
        subjects = [c for c in verb.children if c.dep_ == "nsubj"]
        return [
            hit
            for issue in self.issues.values()
            if any(self._names_topic(doc, s, issue) for s in subjects)
            for hit in _stance_hits(
                issue, "pursue", verb.i, matched, f"proceeds: {_text(doc, matched)}"
            )
        ]

    def _staying_hits(self, doc: Doc, verb: Token) -> list[Hit]:
        """ "rates would stay high", "output will remain unchanged": the thing, as subject,
        is held where it is (the frame "maintain")."""
        states = [
            c
            for c in verb.children
            if (
                c.dep_ in ("acomp", "advmod", "prep", "oprd")
                and (c.lemma_.lower() in _STATES or c.lower_ in ("on", "at"))
            )
            or (c.dep_ in ("advcl", "ccomp") and any(g.lower_ == "where" for g in c.children))
        ]  # "rates would stay high", "the troops will stay where they are"
        subjects = [c for c in verb.children if c.dep_ == "nsubj"]
        if not states or not subjects:
            return []
        label = f"stays: {verb.text} {states[0].text}"
        return [
            hit
            for issue in self.issues.values()
            if any(self._names_topic(doc, s, issue) for s in subjects)
            for hit in _stance_hits(issue, "maintain", verb.i, (verb.i, states[0].i), label)
        ]

    def _deed_hits(self, doc: Doc, noun: Token) -> list[Hit]:
        """ "strikes by the drivers' union": a topic noun with its doer names the deed."""
        if not any(g.dep_ == "pobj" for c in noun.children if c.lower_ == "by" for g in c.children):
            return []
        return [
            hit
            for issue in self.issues.values()
            if self._topic_word(noun, issue)
            for hit in _stance_hits(issue, "pursue", noun.i, (noun.i,), f"deed: {noun.text} by")
        ]

    def _evaluative_hits(self, doc: Doc, token: Token) -> list[Hit]:
        """ "a deal on these terms is neither fair nor acceptable": the subject is judged."""
        head = token
        while head.dep_ == "conj":
            head = head.head
        if head.i != token.i and (head.lemma_.lower() in self._good | self._bad):
            return []  # "neither fair nor acceptable" is read once, from its first conjunct
        participle = _judging_participle(token, self._good | self._bad)
        if head.dep_ not in ("acomp", "attr") and not participle:
            return []
        verb = token if participle else head.head
        subjects = [c for c in verb.children if c.dep_ in ("nsubj", "nsubjpass", "csubj")]
        judged = token.lower_ if participle else token.lemma_.lower()
        frame = "accept" if judged in self._good else "reject"
        found: list[Hit] = []
        for issue in self.issues.values():
            label = f"judged {token.text}"
            on_topic = any(self._names_topic(doc, s, issue) for s in subjects)
            hits = _stance_hits(issue, frame, token.i, (token.i,), label) if on_topic else []
            found.extend(hits)
            if not hits and judgement(verb, self._bad, self._good):
                # "a cut would be premature": the move judged wrong is the subject's own
                # cue; one judged right ("would be appropriate") is only guidance
                found.extend(
                    Hit(issue.name, index, token.i, (token.i,), label)
                    for s in subjects
                    for index in self._moves(s, issue)[:1]
                )
        return found

    def _refused(self, noun: Token) -> bool:
        """Is a bare move noun the object of a refusal, directly or through a plan or a
        call for it? A move of something else ("job cuts") is not."""
        if any(c.dep_ == "compound" and _key(c) not in _MEASURES for c in noun.children):
            return False
        node = noun
        while node.dep_ in ("dobj", "pobj", "prep") and node.head.i != node.i:
            node = node.head
            if node.pos_ == "NOUN" and _key(node) not in self._light:
                return False
            if node.pos_ == "VERB":
                particle = " ".join(c.lower_ for c in node.children if c.dep_ == "prt")
                return bool({_key(node), f"{_key(node)} {particle}"} & _REFUSING)
        return False

    def _judged(self, noun: Token) -> bool:
        """Is the noun judged wrong ("a cut would be neither wise nor needed")?"""
        return noun.dep_ in ("nsubj", "nsubjpass") and bool(
            judgement(noun.head, self._bad, self._good)
        )

    def _moves(self, noun: Token, issue: Issue) -> list[int]:
        """The stances whose move on the issue's quantity the noun names ("a cut")."""
        return [
            index
            for index, stance in enumerate(issue.scale)
            if any(f in _MOVES and noun.lemma_.lower() in FRAMES[f] for f in stance.frames)
        ]

    def _names_topic(self, doc: Doc, target: Token, issue: Issue) -> bool:
        if _elliptical(target):
            return self._on_topic(doc, issue)  # "left them unchanged", "accepted the third"
        span = [t for t in target.subtree]
        if target.i not in self._near:  # asked once per target, not once per issue
            self._near[target.i] = _near(target, self._light)
        near = self._near[target.i]
        return any(
            _match(doc, t.i, words, limit=span[-1].i)
            and not self._aimed_elsewhere(t)
            and not (len(words) == 1 and self._measure_of_other(t))
            for words in self._topics.get(issue.name, ())
            for t in span
            if _spells(t, words[0]) and t.i in near
        )

    def _measure_of_other(self, noun: Token) -> bool:
        """ "the unemployment rate": a one-word topic term that measures something else."""
        return any(
            c.dep_ in ("compound", "amod") and c.lemma_.lower() in self._statistics
            for c in noun.children
        )

    def _topic_word(self, token: Token, issue: Issue) -> bool:
        """Is the word itself one of the issue's one-word topic terms ("talks")?"""
        return any(
            len(words) == 1 and _spells(token, words[0])
            for words in self._topics.get(issue.name, ())
        )

    def _aimed_elsewhere(self, noun: Token) -> bool:
        """ "an offer to sponsor their shirts", "a bid to host the final": a topic noun
        whose purpose is a deed no frame or cue knows, done to no one named."""
        return any(
            c.dep_ == "acl"
            and c.pos_ == "VERB"
            and any(a.dep_ == "aux" and a.lower_ == "to" for a in c.children)
            and _key(c) not in self._frames
            and _key(c) not in self._cues
            and not any(t.pos_ == "PROPN" for t in c.subtree)
            for c in noun.children
        )

    def _on_topic(self, doc: Doc, issue: Issue) -> bool:
        """Does the sentence name a topic term of `issue` anywhere (asked once per issue)?"""
        if issue.name not in self._topical:
            self._topical[issue.name] = any(
                _match(doc, i, words, connected=False)
                and not (len(words) == 1 and self._measure_of_other(t))
                for words in self._topics.get(issue.name, ())
                for i, t in enumerate(doc)
                if _spells(t, words[0])
            )
        return self._topical[issue.name]


def _spells(token: Token, word: frozenset[str]) -> bool:
    """Is the token one word of a compiled phrase, by its lemma or its own spelling?"""
    return _key(token) in word or token.lower_ in word


def _aspectual(verb: Token) -> bool:
    """ "will begin pulling", "started withdrawing": a verb of beginning with a deed."""
    return _key(verb) in ("begin", "start", "resume") and any(
        c.dep_ in ("xcomp", "dobj") and c.tag_ in ("VBG", "VB") for c in verb.children
    )


def _talk_nouns(verb: Token) -> list[Token]:
    """The nouns a verb takes part in or holds: "join talks on", "take part in talks on"."""
    return [
        t
        for c in verb.children
        for t in ([c] if c.dep_ == "dobj" else [g for g in c.children if g.dep_ == "pobj"])
        if c.dep_ in ("dobj", "prep") and t.pos_ == "NOUN"
    ]


def _judging_participle(token: Token, words: frozenset[str]) -> bool:
    """ "is neither warranted nor needed": a passive participle that judges its subject."""
    return (
        token.pos_ == "VERB"
        and token.lower_ in words
        and any(c.dep_ == "auxpass" for c in token.children)
    )


def _general_words(lexicon: Lexicon) -> frozenset[str]:
    """Words that say how, not what: the verbs that lead the general frames ("cut",
    "hold", "back down"), light verbs and function words. A cue with a word outside them
    names its thing itself ("declared a ceasefire", "agreed to disarm") and needs no topic
    term beside it; "cut" or "hold" alone could be about anything."""
    heads = {_split(phrase)[0] for phrases in FRAMES.values() for phrase in phrases}
    particles = {
        w for phrases in FRAMES.values() for p in phrases for w in _split(p)[1:] if len(w) <= 4
    }
    return frozenset(
        heads
        | particles
        | _LIGHT_VERBS
        | _OWNERS
        | {w for p in lexicon.proceeding for w in p.split()}
        | _FUNCTION
    )


_FUNCTION = frozenset(
    {
        "a",
        "an",
        "the",
        "to",
        "of",
        "on",
        "in",
        "for",
        "with",
        "and",
        "or",
        "not",
        "no",
        "be",
        "have",
        "do",
        "will",
        "would",
        "any",
        "all",
        "it",
        "them",
        "its",
        "their",
        "up",
        "down",
        "out",
        "off",
        "back",
        "away",
        "over",
        "new",
        "more",
        "further",
        "again",
        "give",
        "take",
        "get",
        "go",
        "put",
        "set",
        "come",
        "keep",
        "let",
        "make",
    }
)


def _stance_hits(
    issue: Issue, frame: str, root: int, matched: tuple[int, ...], text: str
) -> list[Hit]:
    """The stances that list `frame` (or, reversed, its opposite)."""
    for index, stance in enumerate(issue.scale):
        if frame in stance.frames:
            return [Hit(issue.name, index, root, matched, text)]
    for index, stance in enumerate(issue.scale):
        if OPPOSITE.get(frame) in stance.frames:
            return [Hit(issue.name, index, root, matched, text, reverse=True)]
    if frame == "abandon":  # "the bank paused", "halted its hikes": stopping a move holds
        for index, stance in enumerate(issue.scale):
            if "maintain" in stance.frames:
                return [Hit(issue.name, index, root, matched, text)]
    return []


def _answered(act: Token, reactions: frozenset[str]) -> Token | None:
    """The verb that answers `act` ("respond to any attack", "retaliate for the strike")."""
    if act.pos_ != "NOUN" or act.head.dep_ != "prep":
        return None
    if not any(c.dep_ == "det" and c.lower_ in ("any", "every", "a", "an") for c in act.children):
        return None  # "retaliate for the killing of its commanders" answers a deed done: revenge
    verb = act.head.head
    lemma = verb.lemma_.lower()
    if act.head.lower_ in ("to", "for", "against") and lemma in reactions:
        return verb
    return None


_WHEN = frozenset(
    {
        *("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"),
        *("day", "week", "month", "year", "meeting", "morning", "evening", "night", "time"),
        *("today", "yesterday"),
        *MONTHS,
    }
)


def _left_somewhere(verb: Token) -> bool:
    """ "leave its troops in the hills": leaving a thing at a place keeps it there (not a
    time: "will leave the south in the coming weeks")."""
    return (
        _key(verb) == "leave"
        and any(c.dep_ == "dobj" for c in verb.children)
        and any(
            c.dep_ == "prep" and c.lower_ in ("in", "at", "on", "behind") and not _when(c)
            for c in verb.children
        )
    )


def _when(target: Token) -> bool:
    """ "stood pat on Wednesday": a time phrase is no object of the move."""
    return target.dep_ == "prep" and any(
        g.dep_ == "pobj" and g.lemma_.lower() in _WHEN for g in target.children
    )


def _far_object(verb: Token) -> list[Token]:
    """ "rejected on Monday, after two days of talks in Cairo, a revised offer", "dismissed
    as "a recipe for strife" a decision to ...": the object after a parenthesis or a
    quote, which the parse hangs as an apposition deep in the adverbial."""
    return [
        t
        for t in verb.subtree
        if t.dep_ == "appos"
        and t.i > verb.i + 2
        and t.left_edge.i > 0
        and t.doc[t.left_edge.i - 1].text in (",", '"', "”")
    ]


def _near(target: Token, light: frozenset[str]) -> set[int]:
    """The words that say what a target is: no other noun stands between them and it
    ("ratification of the pact", "its plan to govern as a minority"), unlike a thing
    named deeper down ("an offer of a commission on the pact" is an offer of a commission)."""
    near = {target.i}
    for t in target.subtree:
        if t.i == target.i or t.head.i == target.i:
            near.add(t.i)
            continue
        node = t.head if t.dep_ not in ("compound", "amod", "nmod") else t.head.head
        while node.i != target.i and node.head.i != node.i:
            if (
                node.pos_ in ("NOUN", "PROPN")
                and node.dep_ != "conj"
                and node.lemma_.lower() not in light
                and not _gerund(node)
            ) or _others_say(node):
                break
            node = node.head
        else:
            near.add(t.i)
    return near


def _others_say(clause: Token) -> bool:
    """ "a revision that economists said made a cut less likely": a relative clause with
    a speaker of its own says what others make of the thing, not what it is."""
    return clause.dep_ == "relcl" and any(
        c.dep_ == "nsubj" and c.lower_ not in ("that", "which", "who") for c in clause.children
    )


def _gerund(noun: Token) -> bool:
    """ "talks on handing over its weapons": a deed after a preposition the parse calls a
    noun, which says what the talks are about rather than being the thing itself."""
    return noun.lower_.endswith("ing") and noun.dep_ == "pobj" and noun.tag_ == "NN"


_OWNERS = frozenset({"its", "our", "their", "his", "her", "my", "your", "the"})


def _any_owner(words: tuple[frozenset[str], ...]) -> tuple[frozenset[str], ...]:
    """ "keep its weapons" also matches "keep our weapons", "keep the weapons" and, by the
    noun's kin, "keep its arsenal"."""
    return tuple(
        _OWNERS
        if w & (_OWNERS - {"the"})
        else w | {k for form in w for k in kin(form) if " " not in k}
        for w in words
    )


def _kin_variants(cue: str) -> list[str]:
    """The cue, and the cue with one noun swapped for its kin ("surrender its arsenal")."""
    words = cue.split()
    return [cue] + [
        " ".join([*words[:i], k, *words[i + 1 :]])
        for i, word in enumerate(words)
        for k in kin(word)
        if " " not in k
    ]


def _split(phrase: str) -> list[str]:
    """A frame phrase as the parser's tokens: "de-escalate" is "de", "-", "escalate"."""
    return phrase.replace("-", " - ").split()


def _elliptical(target: Token) -> bool:
    """A pronoun or a noun phrase without its noun ("the third", "the new one"): it stands
    for a thing the sentence names elsewhere."""
    if target.pos_ == "PRON":
        return target.lemma_.lower() in ("it", "they", "them", "this", "that", "one")
    return target.dep_ in ("dobj", "pobj") and (
        target.lemma_.lower() in _ORDINALS
        or (
            target.pos_ in ("NUM", "ADJ")
            and any(c.dep_ == "det" for c in target.children)
            and not any(c.pos_ == "NOUN" for c in target.children)
        )
    )


def _key(token: Token) -> str:
    return token.lemma_.lower()


def _match(
    doc: Doc,
    start: int,
    words: Sequence[frozenset[str]],
    *,
    limit: int | None = None,
    connected: bool = True,
) -> tuple[int, ...] | None:
    """Token indices of `words` matched in order from `start`, or None."""
    at = [start]
    end = len(doc) - 1 if limit is None else limit
    for word in words[1:]:
        for j in range(at[-1] + 1, min(end, at[-1] + 1 + MAX_GAP) + 1):
            if doc[j].is_sent_start or doc[j].text in (";", ":"):
                return None
            if (
                doc[j].lemma_.lower() in word
                or doc[j].lower_ in word
                or _stem(doc[j].lower_) in word
            ):
                at.append(j)
                break
        else:
            # "hand its heavy weapons on both sides of the river to the army": a particle or
            # preposition of the verb itself, however far
            far = [
                c
                for c in doc[start].children
                if c.i > at[-1] and c.i <= end and c.dep_ in ("prep", "prt") and c.lower_ in word
            ]
            if not far:
                return None
            at.append(far[0].i)
    if connected and len(at) > 1 and not _under_one(doc, _words(doc, at)):
        return None
    return tuple(at)


def _words(doc: Doc, at: list[int]) -> list[int]:
    """The matched tokens less the inner parts of hyphenated words ("de-escalation"),
    which the parser may hang apart."""
    return [
        i
        for i in at
        if not (
            i > 0 and (doc[i].text == "-" or doc[i - 1].text == "-") and not doc[i - 1].whitespace_
        )
    ]


def _under_one(doc: Doc, at: list[int]) -> bool:
    """Is one matched word above all the others in the parse?"""
    return any(_above(doc, top, at) for top in at)


def _above(doc: Doc, top: int, others: Sequence[int]) -> bool:
    return all(i == top or any(a.i == top for a in doc[i].ancestors) for i in others)


_MUNITIONS = frozenset(
    {"rocket", "missile", "drone", "shell", "mortar", "strike", "bomb", "fire", "artillery"}
)
# what one strikes without a blow: "struck a deal", "strike a balance", "struck a note"
_STRUCK = frozenset(
    {"deal", "agreement", "accord", "bargain", "compromise", "balance", "tone", "note"}
)
_TALKING = frozenset({"discuss", "negotiate", "talk", "negotiation", "discussion"})
_TALKED_OVER = frozenset({"negotiation", "discussion", "debate", "bargaining"})


def _quantity(issue: Issue) -> bool:
    """An issue that is one quantity moved up, held or down (a policy rate, output)."""
    return all(s.frames and set(s.frames) <= _QUANTITY for s in issue.scale)


def _negotiable(token: Token) -> tuple[Token, bool] | None:
    """ "its weapons are (non-)negotiable", "a cut is not up for discussion": the verb
    that says a thing is offered for talks, and whether the words take it off them."""
    if token.lower_ == "negotiable" and token.dep_ == "acomp":
        before = token.doc[max(0, token.i - 2) : token.i]
        return token.head, any(t.lower_ in ("non", "non-") for t in before) != _neither(token)
    up = token.head.head
    if not (
        token.lower_ in _TALKED_OVER
        and token.dep_ == "pobj"
        and token.head.lower_ == "for"
        and up.lower_ == "up"
    ):
        return None
    if up.dep_ in ("acomp", "advmod", "prep"):
        return up.head, _neither(up)
    if up.dep_ == "conj" and up.head.dep_ in ("prep", "acomp", "advmod"):
        # "is neither on the table nor up for discussion"
        return up.head.head, any(c.lower_ == "nor" for c in up.head.children)
    return None


def _neither(word: Token) -> bool:
    """ "neither on the table nor ...": a denial the parse hangs on the word, not the verb."""
    return any(c.dep_ == "preconj" and c.lower_ == "neither" for c in word.children)


def _root(doc: Doc, matched: tuple[int, ...]) -> int:
    """The matched word the others hang from."""
    return next((top for top in matched if _above(doc, top, matched)), matched[0])


def _text(doc: Doc, matched: tuple[int, ...]) -> str:
    return " ".join(doc[i].text for i in matched)


def _judged_over(doc: Doc, hits: list[Hit]) -> list[Hit]:
    """ "Walking away from the deal would be a mistake": where the judged subject holds a
    cue of its own, that cue is the claim (the stance step turns it by the judgement), and
    the judgement of the bare topic goes."""
    kept: list[Hit] = []
    inner: dict[int, str] = {}  # token index -> issue of the judged subject's own cue
    for judged in (h for h in hits if h.text.startswith("judged")):
        word = doc[judged.root]
        verb = word if any(c.dep_ == "auxpass" for c in word.children) else word.head
        subject = {
            t.i
            for s in verb.children
            if s.dep_ in ("csubj", "nsubj", "nsubjpass")
            for t in s.subtree
        }
        own = [
            h
            for h in hits
            if h.issue == judged.issue and h.root in subject and not h.text.startswith("judged")
        ]
        if not own:
            kept.append(judged)
        inner.update((h.root, h.issue) for h in own)
    for hit in hits:
        if hit.text.startswith("judged"):
            continue
        if inner.get(hit.root) == hit.issue:
            hit = replace(hit, judged=True)  # held by whoever passes the judgement
        kept.append(hit)
    return kept


def _longest(hits: list[Hit]) -> list[Hit]:
    """Drop a hit whose words lie inside a longer hit on the same issue ("attack" in
    "launch an attack")."""
    kept = []
    for hit in hits:
        words = set(hit.tokens)
        if any(
            other is not hit and other.issue == hit.issue and words < set(other.tokens)
            for other in hits
        ):
            continue
        kept.append(hit)
    return kept
