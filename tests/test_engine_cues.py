"""Cues and frames on lemmas: any inflection, any distance the parse connects."""

from __future__ import annotations

from positions_harness import engine

from monitor.engine.parse import parse


def hits(text: str, name: str = "default") -> set[tuple[str, str]]:
    eng = engine(name)
    matcher = eng._steps[0]
    (doc,) = parse([text])
    return {(h.issue, eng.profile.issues[h.issue].scale[h.stance].name) for h in matcher.hits(doc)}


def test_a_cue_matches_any_inflection() -> None:
    assert ("escalation", "restraint") in hits("Hezbollah upheld the ceasefire.")
    assert ("disarmament", "accepts") in hits("Hezbollah laid down its weapons.")


def test_a_frame_counts_when_its_object_names_a_topic_term() -> None:
    far = "The union rejected on Monday, after two days of talks in Cairo, a revised offer."
    assert ("pay_offer", "rejects") in hits(far, "rail")
    assert ("pay_offer", "rejects") in hits("The union turned down the offer.", "rail")
    assert ("pay_offer", "accepts") in hits(
        "The union accepted a revised three-year offer.", "rail"
    )
    assert not hits("The union rejected the minister's timetable.", "rail")


def test_opposite_frames_read_reversed() -> None:
    """A "reject" verb on an issue whose stances list only "accept" still counts."""
    assert ("normalization", "accepts") in hits("Iran rejected normalization with Israel.")


def test_an_evaluative_predicate_judges_its_subject() -> None:
    found = hits("A deal on these terms is neither fair nor acceptable, the union said.", "rail")
    assert ("pay_offer", "accepts") in found  # negated later, by the stance step


def test_routing_needs_the_topic() -> None:
    """A bare frame verb aimed at something else touches no issue."""
    assert not hits("The bank accepted the invitation to the summit.", "rates")
