"""The parse step: the attribute table reads every token exactly as the model's own
attribute_ruler and lemmatizer would."""

from __future__ import annotations

from monitor.engine.parse import model, parse

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
