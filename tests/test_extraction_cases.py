"""Golden extraction cases (tests/cases/extraction.toml): two versions of a page, extracted
from their bytes and compared as a watched page is."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path
from typing import Any

import pytest
from conftest import Run
from local_site import editable_site
from test_watch_filters import outcomes

from monitor.compare import compare
from monitor.extract import from_bytes
from monitor.text import text_hash

CASES = tomllib.loads((Path(__file__).parent / "cases" / "extraction.toml").read_text("utf-8"))[
    "case"
]


def _bytes(case: dict[str, Any], side: str) -> bytes:
    data = case[side].encode("utf-8")
    if case.get(f"{side}_mojibake") == "latin-1":
        data = data.decode("latin-1").encode("utf-8")
    return data


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_extraction_case(case: dict[str, Any]) -> None:
    old, new = (
        from_bytes(
            _bytes(case, side), content_type="text/html", charset=case.get(f"{side}_charset")
        )
        for side in ("old", "new")
    )
    change = compare(old.text, new.text, case_sensitive=case.get("case_sensitive", False))
    assert change.meaningful is case["meaningful"], (change.summary, old.text, new.text)
    if "same_text" in case:
        assert (text_hash(old.text) == text_hash(new.text)) is case["same_text"], new.text
    assert (change.headline is not None) is case.get("headline", False)
    counts = {k: getattr(change, k) for k in ("added", "removed", "changed")}
    assert counts == {k: case.get(k, 0) for k in counts}, change.summary
    for text in case.get("contains", []):
        assert text in new.text
    for text in case.get("absent", []):
        assert text not in new.text


def _retitled(html: str) -> str:
    """Another page with the same edit (the same text twice is one document)."""
    return html.replace("Council notice", "Second council notice")


def test_through_watch_and_check(monitor: Run) -> None:
    """A new headline, mojibake and case-only edits as `monitor check` reports them."""
    by_id = {case["id"]: case for case in CASES}
    with editable_site() as site:
        headline = site.put("/headline", by_id["headline-only"]["old"])
        cafe = site.put("/cafe", by_id["mojibake-declared-latin-1"]["old"])
        notice = site.put("/notice", by_id["case-only-is-noise"]["old"])
        strict = site.put("/strict", _retitled(by_id["case-only-is-noise"]["old"]))
        for url in (headline, cafe, notice):
            monitor("watch", "add", url, ok=True)
        monitor("watch", "add", strict, "--case-sensitive", ok=True)
        assert [o for o, _ in outcomes(monitor)] == ["new"] * 4
        site.put("/headline", by_id["headline-only"]["new"])
        double_encoded = by_id["mojibake-double-encoded"]["new"].encode("utf-8").decode("latin-1")
        site.put("/cafe", double_encoded)  # other bytes, the same text once repaired
        site.put("/notice", by_id["case-only-is-noise"]["new"])
        site.put("/strict", _retitled(by_id["case-only-is-noise"]["new"]))
        checked = json.loads(monitor("check", "--json", ok=True).stdout)
        assert {r["url"]: (r["outcome"], r["detail"]) for r in checked} == {
            headline: ("changed", "headline changed"),
            cafe: ("unchanged", "same text"),
            notice: ("unchanged", "only noise changed"),
            strict: ("changed", "1 changed"),
        }
    listed = json.loads(monitor("watch", "list", "--json", ok=True).stdout)
    assert [w["case_sensitive"] for w in listed] == [False, False, False, True]


def test_a_page_stored_by_the_older_extraction_does_not_alert_on_the_upgrade() -> None:
    from datetime import UTC, datetime

    from monitor import pipeline
    from monitor.storage import connect

    db = connect(":memory:")
    case = next(c for c in CASES if c["id"] == "dataset-link-removed")
    now = datetime(2025, 7, 7, tzinfo=UTC)
    first = from_bytes(case["new"].encode(), content_type="text/html", url="https://e.org/a")
    pipeline.ingest(db, first, now=now)
    db.execute("UPDATE versions SET pipeline_version = '1'")  # as the older extraction stored it
    upgraded = from_bytes(case["old"].encode(), content_type="text/html", url="https://e.org/a")
    assert pipeline.ingest(db, upgraded, now=now).outcome == "changed"  # the link line is new
    assert db.execute("SELECT COUNT(*) FROM events").fetchone()[0] == 0
    edited = case["old"].replace("would not change", "would change")
    edit = from_bytes(edited.encode(), content_type="text/html", url="https://e.org/a")
    assert pipeline.ingest(db, edit, now=now).outcome == "changed"  # a real edit alerts
    assert db.execute("SELECT kind FROM events").fetchall() == [("text-change",)]
