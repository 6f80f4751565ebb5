"""`monitor drift` through the command line: only significant phrases, never the actor's
own names, and a period without text about the actor is an error that says so."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import Run

from monitor.drift import talking_points

PLACES = ["Beirut", "Tyre", "Sidon", "Nabatieh", "Baalbek", "Hermel", "Bint Jbeil", "Marjayoun"]
PLACES += ["Zahle", "Jezzine", "Khiam", "Naqoura"]
EARLIER = [
    *(
        f"Naim Qassem told supporters in {p} that Hezbollah would keep all fronts open."
        for p in PLACES
    ),
    *(f"Hezbollah fighters fired rockets from near {p}, the group said." for p in PLACES),
]
LATER = [
    *(
        f"Naim Qassem told supporters in {p} that Hezbollah wants a national defence strategy."
        for p in PLACES
    ),
    *(f"Hezbollah is ready for talks with the state in {p}, Qassem said." for p in PLACES),
]


def _add(monitor: Run, tmp_path: Path, name: str, day: str, sentences: list[str]) -> None:
    path = tmp_path / f"{name}.txt"
    path.write_text("\n\n".join(sentences) + "\n")
    monitor("add", str(path), "--date", day, ok=True)


def test_drift_lists_significant_phrases_without_the_actors_names(
    monitor: Run, tmp_path: Path
) -> None:
    for n in range(4):
        _add(monitor, tmp_path, f"early{n}", f"2024-0{n + 3}-10", EARLIER[6 * n : 6 * n + 6])
        _add(monitor, tmp_path, f"late{n}", f"2025-0{n + 3}-10", LATER[6 * n : 6 * n + 6])
    data = json.loads(
        monitor("drift", "Hezbollah", "--from", "2024", "--to", "2025", "--json", ok=True).stdout
    )
    listed = [*data["grew"], *data["shrank"]]
    assert "defence strategy" in {p["text"] for p in data["grew"]}
    assert all(abs(p["z"]) >= data["min_z"] == 1.96 for p in listed)
    grew, shrank = talking_points(EARLIER, LATER, min_z=0.0, top=1000)
    weak = {p.text for p in [*grew, *shrank] if abs(p.z) < 1.96}
    assert weak and not weak & {p["text"] for p in listed}  # moved, but not significantly
    names = {"hezbollah", "qassem", "naim"}
    assert not [p["text"] for p in listed if names & set(p["text"].split())]
    assert "naim qassem" in {p.text for p in grew}  # it grew, but it is how they were found

    text = monitor("drift", "qassem", "--from", "2024", "--to", "2025", ok=True).stdout
    assert "|z| ≥ 1.96" in text and "qassem" not in text.lower().split("\n", 1)[1]


def test_a_period_without_text_about_the_actor_is_an_error(monitor: Run, tmp_path: Path) -> None:
    _add(monitor, tmp_path, "late", "2025-03-10", LATER)
    _add(monitor, tmp_path, "other", "2023-05-01", ["Oil prices rose in Asia on Monday."])
    result = monitor("drift", "Hezbollah", "--from", "2023", "--to", "2025")
    assert result.exit_code == 1
    assert result.stderr == (
        "error: 2023 holds no text about Hezbollah (1 document dated then; see `monitor list`)\n"
    )
