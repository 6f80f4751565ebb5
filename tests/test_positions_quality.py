"""The quality gate: the engine is scored on labelled cases and must meet pinned floors."""

from __future__ import annotations

import tomllib

from positions_harness import CASES, load, predicted, score, seeded, shift_names

CASE_LIST = load("positions.toml")["cases"]
FLOORS = tomllib.loads((CASES / "floors.toml").read_text(encoding="utf-8"))


def test_enough_cases_of_each_kind() -> None:
    ids = [c["id"] for c in CASE_LIST]
    assert len(ids) >= 80 and len(set(ids)) == len(ids)
    assert sum(1 for c in CASE_LIST if not c["expect"]) >= 15  # demands, rumours, topic words
    assert sum(1 for c in CASE_LIST if c.get("profile") == "central_bank") >= 20


def test_claims_meet_floors() -> None:
    results = [(set(c["expect"]), predicted(c)) for c in CASE_LIST]
    for case, (wanted, got) in zip(CASE_LIST, results, strict=True):
        if wanted != got:
            print(f"miss {case['id']}: expected {sorted(wanted)}, got {sorted(got)}")
    precision, recall = score(results)
    print(f"claims: precision {precision:.3f} recall {recall:.3f}")
    assert precision >= FLOORS["claims"]["precision"]
    assert recall >= FLOORS["claims"]["recall"]


def test_shifts_meet_floors(tmp_path) -> None:
    expected = load("shifts.toml")
    found_seeds = shift_names(seeded(tmp_path / "seeds.db"))
    found_bank = shift_names(seeded(tmp_path / "bank.db", "central_bank"))
    pairs = [
        (set(expected["expected"]), found_seeds),
        (set(expected["central_bank"]), found_bank),
    ]
    precision, recall = score(pairs)
    print(f"shifts: precision {precision:.3f} recall {recall:.3f}", found_seeds, found_bank)
    assert not found_seeds & set(expected["forbidden"])
    assert precision >= FLOORS["shifts"]["precision"]
    assert recall >= FLOORS["shifts"]["recall"]
