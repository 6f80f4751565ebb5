"""Candidate sentences: only those naming an actor and holding a possible cue are parsed."""

from __future__ import annotations

from positions_harness import engine

from monitor.engine import candidates


def test_stems_cover_inflections() -> None:
    keys = candidates._stems(["uphold", "cut", "reach", "hold"])
    for word in ("upheld", "cutting", "reaching", "reached", "held", "cuts"):
        assert candidates._stem(word) in keys, word


def test_only_sentences_with_an_actor_and_a_key_are_worth_parsing() -> None:
    eng = engine()
    worth = eng._steps[3]
    text = (
        "Rain fell on the coast. Hezbollah marked its anniversary. "
        "Hezbollah will not surrender its weapons."
    )
    found = candidates.find(text, eng.finder)
    assert [c.text for c in found] == [
        "Hezbollah marked its anniversary.",
        "Hezbollah will not surrender its weapons.",
    ]
    assert [worth.worth_parsing(c) for c in found] == [False, True]
    # every content word of a cue, or a topic term with a frame word
    (partial,) = candidates.find("Hezbollah will not surrender.", eng.finder)
    assert not worth.worth_parsing(partial)
    (framed,) = candidates.find("Hezbollah rejected disarmament.", eng.finder)
    assert worth.worth_parsing(framed)
    assert text[found[1].start :].startswith("Hezbollah will not")


def test_a_line_without_final_punctuation_is_a_headline() -> None:
    (headline, body) = candidates.find(
        "Hezbollah vows revenge\nHezbollah vowed revenge.", engine().finder
    )
    assert headline.headline and not body.headline


def test_a_frame_phrase_needs_all_its_content_words() -> None:
    """A topic term beside "out" or "to" alone is no reason to parse; "ruled out" is."""
    eng = engine("rail")
    worth = eng._steps[3]

    def parsed(text: str) -> bool:
        (found,) = candidates.find(text, eng.finder)
        return worth.worth_parsing(found)

    assert not parsed("The RTWU set out the offer to members in a letter.")
    assert parsed("The RTWU ruled out the offer in a letter to members.")
    assert parsed("The RTWU recommended the offer to members.")
    assert parsed("The RTWU said its stoppage would proceed.")


def test_stems_of_base_forms_and_inflections_agree() -> None:
    for base, inflected in (
        ("recommend", "recommended"),
        ("proceed", "proceeding"),
        ("go", "goes"),
    ):
        assert candidates._stem(base) == candidates._stem(inflected), base
