"""The parse step: the attribute table and the lemma step read every token exactly as the
model's own attribute_ruler and lemmatizer would."""

from __future__ import annotations

from pathlib import Path

from monitor.engine.parse import _parse, model, parse
from monitor.text import sentences

SEEDS = Path(__file__).parent.parent / "seeds"

SENTENCES = [
    "The dockers' union turned down the port operator's revised offer on Tuesday.",
    "There is no need for a further cut, the governor told reporters in Velmar.",
    "We ain't gonna sign anything that cuts our pensions, nobody here will.",
    "Let's be clear: the board has nothin' to add to yesterday's statement.",
    "If the regulator  insists, the airline said, it would sell that route.",
    "Those who struck were dismissed, and these talks are over, it said.",
]


def _reading(doc: object) -> list[tuple[str, ...]]:
    return [(t.text, t.tag_, t.pos_, str(t.morph), t.lemma_, t.dep_) for t in doc]  # type: ignore[attr-defined]


def test_attribute_table_matches_the_models_own_rules() -> None:
    ours = parse(SENTENCES)
    theirs = list(model().pipe(SENTENCES))
    for mine, reference in zip(ours, theirs, strict=True):
        assert _reading(mine) == _reading(reference)
    there = next(t for t in ours[1] if t.lower_ == "is")
    assert there.pos_ == "VERB"  # a two-token rule: "there is" makes "is" a verb
    assert next(t for t in ours[0] if t.lower_ == "turned").lemma_ == "turn"


def test_every_seed_sentence_reads_as_the_models_own_pipeline() -> None:
    texts = [s.text for f in sorted(SEEDS.glob("*.txt")) for s in sentences(f.read_text())]
    assert len(texts) > 100
    for mine, reference in zip(_parse(texts), model().pipe(texts), strict=True):
        assert _reading(mine) == _reading(reference)
