"""One position per document: the actor's own current words outweigh the rest."""

from __future__ import annotations

from positions_harness import engine

from monitor.engine import position
from monitor.models import Claim


def claim(stance: str, attribution: str = "described", *, current: bool = True) -> Claim:
    return Claim(
        "ECB", "rates", stance, 0.0, 0.7, stance, (0, 1), attribution, stance, None, (), current
    )  # type: ignore[arg-type]


def test_own_current_words_outweigh_headline_and_background() -> None:
    issue = engine("central_bank").profile.issues["rates"]
    found = position(
        [claim("hike", current=False), claim("hike", current=False), claim("hold", "reported")],
        issue,
    )
    assert found is not None and found[0] == "hold" and found[2].stance == "hold"


def test_a_condition_qualifies_the_document_position() -> None:
    claims = engine().claims(
        "Qassem said Hezbollah would not surrender its weapons. "
        "Only then, he said, will we be ready to discuss a national defense strategy."
    )
    result = position(claims, engine().profile.issues["disarmament"])
    assert result is not None and result[0] == "conditional"


def test_claims_below_the_threshold_make_no_position() -> None:
    issue = engine().profile.issues["escalation"]
    weak = Claim("Iran", "escalation", "escalate", -1.0, 0.2, "s", (0, 1), "speculated", "c")
    assert position([weak], issue) is None
