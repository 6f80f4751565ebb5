"""End to end through the CLI on a temp SQLite file: seed, then shifts and timelines."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import SEEDS, Run
from positions_harness import CENTRAL_BANK, CENTRAL_BANK_PROFILE

pytestmark = pytest.mark.backends


def test_seed_then_diff_actor_json_shows_the_hezbollah_shift(monitor: Run) -> None:
    monitor("seed", str(SEEDS), ok=True)
    result = monitor("diff", "--actor", "Hezbollah", "--json", ok=True)
    shifts = json.loads(result.stdout)
    shift = next(s for s in shifts if s["issue"] == "escalation")
    assert shift["actor"] == "Hezbollah" and shift["status"] in ("emerging", "confirmed")
    assert (shift["from"]["stance"], shift["to"]["stance"]) == ("escalate", "restraint")
    assert shift["from"]["date"].startswith("2024") and shift["to"]["date"] == "2025-06-21"
    for side in ("from", "to"):
        assert shift[side]["outlet"] and "Hezbollah" in shift[side]["evidence"]
        assert isinstance(shift[side]["document"], int)
    assert 0 < shift["confidence"] <= 1


def test_diff_filters_by_time_and_formats(monitor: Run) -> None:
    monitor("seed", str(SEEDS), ok=True)
    in_2024 = json.loads(
        monitor(
            "diff",
            "--actor",
            "Iran",
            "--since",
            "2024-01-01",
            "--until",
            "2024-12-31",
            "--json",
            ok=True,
        ).stdout
    )
    assert in_2024 and all(s["to"]["date"].startswith("2024") for s in in_2024)
    assert (
        json.loads(monitor("diff", "--actor", "Iran", "--since", "2026-01-01", "--json").stdout)
        == []
    )
    markdown = monitor("diff", "--format", "markdown", ok=True).stdout
    assert markdown.startswith("# Position shifts") and "Hezbollah" in markdown
    assert "<table>" in monitor("diff", "--format", "html", ok=True).stdout
    assert "escalate → restraint" in monitor("diff", ok=True).stdout


def test_positions_actors_issues_drift(monitor: Run) -> None:
    monitor("seed", str(SEEDS), ok=True)
    timeline = json.loads(monitor("positions", "Hezbollah", "--json", ok=True).stdout)
    issues = {t["issue"]: t for t in timeline}
    assert issues["disarmament"]["positions"][0]["stance"] == "conditional"
    assert "2025-06-21" in monitor("positions", "qassem", ok=True).stdout
    actors = json.loads(monitor("actors", "--json", ok=True).stdout)
    assert {a["actor"] for a in actors} >= {"Hezbollah", "Iran", "Hamas", "Israel"}
    listed = json.loads(monitor("issues", "--json", ok=True).stdout)
    assert {"escalation", "disarmament"} <= {i["issue"] for i in listed}
    drift = json.loads(
        monitor("drift", "Hezbollah", "--from", "2024", "--to", "2025", "--json", ok=True).stdout
    )
    assert drift["shrank"] and all(abs(p["z"]) >= 1.96 for p in drift["grew"] + drift["shrank"])


def test_unknown_actor_is_one_line_error(monitor: Run) -> None:
    monitor("seed", str(SEEDS), ok=True)
    result = monitor("diff", "--actor", "Atlantis")
    assert result.exit_code != 0 and "no actor 'Atlantis'" in result.output + result.stderr


def test_second_profile_end_to_end(monitor: Run) -> None:
    for name, date in (
        ("ecb_2023_09.txt", "2023-09-14"),
        ("ecb_2024_04.txt", "2024-04-11"),
        ("ecb_2024_06.txt", "2024-06-06"),
        ("ecb_2024_09.txt", "2024-09-12"),
    ):
        monitor(
            "--profile",
            str(CENTRAL_BANK_PROFILE),
            "add",
            str(CENTRAL_BANK / name),
            "--date",
            date,
            ok=True,
        )
    result = monitor(
        "--profile", str(CENTRAL_BANK_PROFILE), "diff", "--actor", "ECB", "--json", ok=True
    )
    moves = [
        (s["from"]["stance"], s["to"]["stance"], s["status"]) for s in json.loads(result.stdout)
    ]
    assert moves == [("hike", "hold", "emerging"), ("hold", "cut", "confirmed")]


def test_listing_shifts_as_json_loads_only_what_it_needs(
    monitor: Run, db_url: str, backend: str
) -> None:
    """The start-up budget of `diff --actor --json` (see benchmarks/bench_positions.py):
    a fresh process lists shifts without importing rich, the ingest code, the position
    engine or spaCy (nor, on SQLite, the PostgreSQL driver), and prints one compact JSON
    line when piped."""
    monitor("seed", str(SEEDS), ok=True)
    heavy = {
        "rich",
        "monitor.pipeline",
        "monitor.compare",
        "trafilatura",
        "spacy",
        "monitor.engine",
    }
    if backend == "sqlite":
        heavy.add("psycopg")
    script = (
        "import sys\n"
        "from monitor.cli import cli\n"
        f"cli(['--db', {db_url!r}, 'diff', '--actor', 'Hezbollah', '--json'],"
        " standalone_mode=False)\n"
        f"heavy = {heavy!r}\n"
        "print(sorted(heavy & set(sys.modules)), file=sys.stderr)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    assert done.stderr.strip() == "[]"
    lines = done.stdout.splitlines()
    assert len(lines) == 1 and json.loads(lines[0])[0]["actor"] == "Hezbollah"


def test_explain_shows_each_claims_reasons(monitor: Run) -> None:
    """`explain` reads a stored document again and says why: holder, cue, sayer, negation."""
    monitor("seed", str(SEEDS), ok=True)
    docs = json.loads(monitor("list", "--json", ok=True).stdout)
    doc = next(d["id"] for d in docs if "Khamenei Vows" in (d["title"] or ""))
    claims = json.loads(monitor("explain", str(doc), "--actor", "Iran", "--json", ok=True).stdout)
    quote = next(c for c in claims if c["sentence"].startswith('"We will not retreat'))
    assert quote["stance"] == "escalate" and quote["counts"]
    assert quote["reasons"]["attribution"] == "quote"
    assert quote["reasons"]["negation"] == "not" and quote["reasons"]["sayer"] == "Khamenei"
    assert all(c["actor"] == "Iran" for c in claims)
    text = monitor("explain", str(doc), "--actor", "Khamenei", ok=True).stdout
    assert "holder: subject 'We'" in text and "sayer: Khamenei" in text
    bad = monitor("explain", "999")
    assert bad.exit_code == 1 and bad.stderr.startswith("error: no document")


def test_positions_explain_and_min_confidence(monitor: Run) -> None:
    monitor("seed", str(SEEDS), ok=True)
    timeline = json.loads(monitor("positions", "Hezbollah", "--explain", "--json", ok=True).stdout)
    points = [p for t in timeline for p in t["positions"]]
    assert points and all(p["claims"] for p in points)
    assert all(
        c["actor"] == "Hezbollah" and "holder" in c["reasons"] for p in points for c in p["claims"]
    )
    sure = json.loads(monitor("positions", "--min-confidence", "0.6", "--json", ok=True).stdout)
    kept = [p["confidence"] for t in sure for p in t["positions"]]
    assert kept and min(kept) >= 0.6
    assert len(kept) < len(
        [
            p
            for t in json.loads(monitor("positions", "--json", ok=True).stdout)
            for p in t["positions"]
        ]
    )
    shifts = json.loads(monitor("diff", "--min-confidence", "0.99", "--json", ok=True).stdout)
    assert shifts == []
    assert json.loads(monitor("diff", "--min-confidence", "0.1", "--json", ok=True).stdout)
    bad = monitor("diff", "--min-confidence", "2")
    assert bad.exit_code == 2 and "2" in bad.stderr


def test_a_body_sentence_is_the_evidence_not_the_headline(monitor: Run, tmp_path: Path) -> None:
    """The headline and a body sentence say the same: the whole sentence is the evidence."""
    article = tmp_path / "ecb.txt"
    article.write_text(
        "ECB signals rate hikes\n"
        "The European Central Bank signalled on Thursday that it would raise interest rates "
        "again next month to bring inflation down, President Christine Lagarde told reporters "
        "in Frankfurt.\nMarkets had expected the move.\n",
        encoding="utf-8",
    )
    bank = ("--profile", str(CENTRAL_BANK_PROFILE))
    monitor(*bank, "add", str(article), "--date", "2024-03-01", ok=True)
    (timeline,) = json.loads(monitor(*bank, "positions", "--json", ok=True).stdout)
    (point,) = timeline["positions"]
    assert point["stance"] == "hike"
    assert point["evidence"].startswith("The European Central Bank signalled on Thursday")
