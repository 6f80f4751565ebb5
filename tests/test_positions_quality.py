"""The quality gate: the engine is scored on labelled cases and storylines and must meet
the floors pinned in tests/cases/floors.toml. Run with -s to see the tables."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from positions_harness import (
    CASES,
    Tally,
    corpus_cases,
    load,
    play_storyline,
    score_cases,
    seed_cases,
    seeded,
    shift_names,
    storylines,
    table,
)

FLOORS = tomllib.loads((CASES / "floors.toml").read_text(encoding="utf-8"))
CORPUS = corpus_cases()
# Each split of the corpus (tests/cases/engine/README.md says how each was written and
# which are tuned on); storylines without a split are the tuned ones.
SPLITS = ("dev", "test", "fresh", "blind", "sealed", "held", "probe", "probe2", "probe3")


def test_corpus_is_large_and_labelled() -> None:
    ids = [c["id"] for c in CORPUS + seed_cases()]
    assert len(set(ids)) == len(ids)
    assert len(CORPUS) >= 250 and len({c["domain"] for c in CORPUS}) >= 6
    for name in ("attribution", "negation", "reach", "time", "routing", "profile", "plain"):
        assert sum(1 for c in CORPUS if c["class"] == name) >= 15, name
    assert {c["split"] for c in CORPUS} == set(SPLITS)
    assert len(storylines()) >= 12


def test_seed_cases_meet_floors() -> None:
    rows = score_cases(seed_cases(), "domain")
    print("\n" + table("seeds", rows))
    print("\n".join(rows["all"].misses))
    assert rows["all"].precision >= FLOORS["seeds"]["precision"]
    assert rows["all"].recall >= FLOORS["seeds"]["recall"]


@pytest.mark.parametrize("split", SPLITS)
def test_corpus_sentences_meet_floors(split: str) -> None:
    cases = [c for c in CORPUS if c["split"] == split]
    by_class = score_cases(cases, "class")
    by_domain = score_cases(cases, "domain")
    print(f"\n{table(split + ' class', by_class)}\n\n{table(split + ' domain', by_domain)}")
    floors = FLOORS[split]
    total = by_class["all"]
    assert total.precision >= floors["precision"]
    assert total.recall >= floors["recall"]
    assert total.accuracy >= floors["accuracy"]
    for name, row in by_class.items():
        assert row.precision >= floors["class_precision"], name


def test_shifts_meet_floors(tmp_path: Path) -> None:
    expected = load("shifts.toml")
    found_seeds = shift_names(seeded(tmp_path / "seeds.db"))
    found_bank = shift_names(seeded(tmp_path / "bank.db", "central_bank"))
    rows = {"seeds": Tally(), "central_bank": Tally()}
    rows["seeds"].add_shifts(set(expected["expected"]), found_seeds)
    rows["central_bank"].add_shifts(set(expected["central_bank"]), found_bank)
    forbidden = found_seeds & set(expected["forbidden"])
    parts = ("tuned", *(s for s in SPLITS if s not in ("dev", "test")))
    forbidden_corpus: dict[str, set[str]] = {part: set() for part in parts}
    totals = {part: Tally() for part in parts}
    for directory in storylines():
        spec, found, violated = play_storyline(directory, tmp_path / f"{directory.name}.db")
        part = spec.get("split", "tuned")
        row = rows.setdefault(spec["profile"], Tally())
        for tally in (row, totals[part]):
            tally.add_shifts(set(spec["expect"]["shifts"]), found)
            tally.spurious += len(violated)
        forbidden_corpus[part] |= found & set(spec["expect"].get("forbidden", []))
        if found != set(spec["expect"]["shifts"]) or violated:
            print(
                f"{directory.name}: expected {sorted(spec['expect']['shifts'])}, "
                f"got {sorted(found)}, positions where none: {sorted(violated)}"
            )
    for name in ("seeds", "central_bank"):
        totals["tuned"].shift_hits += rows[name].shift_hits
        totals["tuned"].shifts_made += rows[name].shifts_made
        totals["tuned"].shifts_wanted += rows[name].shifts_wanted
    rows.update({f"all {part}": totals[part] for part in parts})
    print("\n" + table("shifts", rows), "\nforbidden shifts found:", forbidden_corpus)
    assert not forbidden
    for part in parts:
        key = "shifts" if part == "tuned" else f"{part}_shifts"
        floors, total = FLOORS[key], totals[part]
        assert total.shift_precision >= floors["precision"], part
        assert total.shift_recall >= floors["recall"], part
        assert total.spurious <= floors["no_position_violations"], part
        assert len(forbidden_corpus[part]) <= floors["forbidden"], part
