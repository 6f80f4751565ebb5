"""Unit tests of actor mentions, shifts, talking-point drift and stored recomputes."""

from __future__ import annotations

import threading
from datetime import date
from pathlib import Path

import pytest
from positions_harness import CENTRAL_BANK_PROFILE, NOW, engine, seeded, shift_names

from monitor import pipeline, profile
from monitor.actors import ActorFinder
from monitor.analysis import parse_period
from monitor.drift import shift_key, shifts, talking_points
from monitor.errors import ConfigError
from monitor.models import Position
from monitor.positions import Engine
from monitor.storage import connect


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "extra.toml"
    path.write_text(text, encoding="utf-8")
    return path


# -- actors ---------------------------------------------------------------------------


def finder(name: str = "default") -> ActorFinder:
    return engine(name).finder


def test_people_and_metonyms_map_to_their_actor() -> None:
    found = finder().names("Naim Qassem met envoys from Tehran and the IRGC.")
    assert [(m.actor, m.kind) for m in found] == [
        ("Hezbollah", "person"),
        ("Iran", "name"),
        ("Iran", "name"),
    ]


def test_demonym_needs_an_acting_noun() -> None:
    assert [m.actor for m in finder().names("Israeli officials said so.")] == ["Israel"]
    assert finder().names("Rockets hit Israeli targets.") == []


def test_title_chain_is_one_mention() -> None:
    found = finder().names("an order from Iranian Supreme Leader Ayatollah Ali Khamenei")
    assert len(found) == 1 and found[0].actor == "Iran"


def test_capitalised_alias_is_case_sensitive() -> None:
    assert finder("central_bank").names("Investors were fed up.") == []
    assert [m.actor for m in finder("central_bank").names("The Fed met.")] == ["Federal Reserve"]


def test_the_group_resolves_to_the_last_actor_that_fits() -> None:
    claims = engine().claims(
        "Hamas leaders met in Doha. The group said it would not lay down its arms."
    )
    assert {(c.actor, c.stance) for c in claims} == {("Hamas", "refuses")}


# -- shifts ---------------------------------------------------------------------------


def pos(doc: int, day: str, stance: str, evidence: str = "", confidence: float = 0.8) -> Position:
    return Position(
        "Hezbollah",
        "escalation",
        doc,
        date.fromisoformat(day),
        stance,
        0.0,
        confidence,
        evidence or f"evidence {doc} {stance} words differ here {doc * 7}",
    )


ESCALATION = profile.load().issues["escalation"]


def test_one_contrary_document_is_emerging_a_second_confirms() -> None:
    timeline = [pos(1, "2024-01-01", "escalate"), pos(2, "2024-06-01", "restraint")]
    (shift,) = shifts(timeline, ESCALATION)
    assert shift.status == "emerging"
    confirmed = shifts([*timeline, pos(3, "2024-07-01", "restraint")], ESCALATION)
    assert [s.status for s in confirmed] == ["confirmed"]
    assert confirmed[0].confidence > shift.confidence
    assert shift_key(confirmed[0]) == shift_key(shift)


def test_a_weaker_contrary_document_between_two_that_agree_is_no_shift() -> None:
    blip = [
        pos(1, "2024-01-01", "escalate"),
        pos(2, "2024-02-01", "restraint", confidence=0.4),
        pos(3, "2024-03-01", "escalate"),
    ]
    assert shifts(blip, ESCALATION) == []
    reversal = [  # as strong as its neighbours: a real turn and back
        pos(1, "2024-01-01", "escalate"),
        pos(2, "2024-02-01", "restraint"),
        pos(3, "2024-03-01", "escalate"),
    ]
    moves = [(s.before.stance, s.after.stance) for s in shifts(reversal, ESCALATION)]
    assert moves == [("escalate", "restraint"), ("restraint", "escalate")]


def test_order_is_by_publication_date_not_by_id() -> None:
    timeline = [pos(9, "2024-01-01", "escalate"), pos(1, "2025-01-01", "restraint")]
    (shift,) = shifts(list(reversed(timeline)), ESCALATION)
    assert (shift.before.document_id, shift.after.document_id) == (9, 1)


def test_same_day_reports_and_rewordings_are_not_shifts() -> None:
    same_day = [
        pos(1, "2024-01-01", "escalate"),
        pos(2, "2024-03-01", "escalate", confidence=0.9),
        pos(3, "2024-03-01", "restraint", confidence=0.4),
    ]
    assert shifts(same_day, ESCALATION) == []
    sentence = "Hezbollah said it would not back down from its fight against Israel."
    reworded = [
        pos(1, "2024-01-01", "escalate", sentence),
        pos(2, "2024-02-01", "conditional", sentence.replace("said", "stated")),
    ]
    assert shifts(reworded, ESCALATION) == []


def test_talking_points_rank_what_grew_and_shrank() -> None:
    before = ["the group will fight on all fronts", "all fronts open"] * 3 + ["weapons"]
    after = ["the group wants a national defense strategy", "defense strategy talks"] * 3
    grew, shrank = talking_points(before, after, min_count=2, min_z=0.0)
    assert "defense strategy" in {p.text for p in grew[:3]} and grew[0].z > 0
    assert {"fronts", "all fronts"} & {p.text for p in shrank[:3]}
    assert all(p.z < 0 for p in shrank)


def test_periods() -> None:
    assert parse_period("2024") == (date(2024, 1, 1), date(2024, 12, 31))
    assert parse_period("2024-02") == (date(2024, 2, 1), date(2024, 2, 29))
    assert parse_period("2024-03..2024-05") == (date(2024, 3, 1), date(2024, 5, 31))
    with pytest.raises(ConfigError):
        parse_period("last year")


# -- storage and recompute ------------------------------------------------------------


@pytest.mark.backends
def test_recompute_never_duplicates_shifts_or_events(db_url: str) -> None:
    db = seeded(db_url)
    before = shift_names(db)
    events = db.execute("SELECT COUNT(*) FROM events WHERE kind = 'position-shift'").fetchone()
    assert "Hezbollah/escalation/escalate->restraint" in before
    assert pipeline.recompute(db, engine(), NOW) == 0  # same profile and engine: nothing to do
    assert pipeline.recompute(db, engine(), NOW, force=True) == 5
    assert shift_names(db) == before
    again = db.execute("SELECT COUNT(*) FROM events WHERE kind = 'position-shift'").fetchone()
    assert again == events


@pytest.mark.backends
def test_profile_change_triggers_recompute(db_url: str) -> None:
    db = seeded(db_url)
    other = Engine(profile.load(CENTRAL_BANK_PROFILE))
    assert pipeline.recompute(db, other, NOW) == 5
    assert pipeline.recompute(db, other, NOW) == 0


@pytest.mark.backends
def test_a_profile_change_is_recomputed_once_by_one_of_several_processes(db_url: str) -> None:
    seeded(db_url).close()
    other = Engine(profile.load(CENTRAL_BANK_PROFILE))
    done: list[int] = []
    start = threading.Barrier(3)

    def daemon() -> None:
        own = connect(db_url)
        start.wait()
        done.append(pipeline.recompute(own, other, NOW))
        own.close()

    threads = [threading.Thread(target=daemon) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(done) == [0, 0, 5]
