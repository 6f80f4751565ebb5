"""The text diff: golden cases as data, properties on random texts, the renderers."""

from __future__ import annotations

import io
import json
import tomllib
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rich.console import Console

from monitor import noise
from monitor.compare import apply, compare
from monitor.models import TextChange
from monitor.positions import default_engine
from monitor.report import _words_text, change_to_dict, render_change
from monitor.text import normalise, sentences

CASES = tomllib.loads((Path(__file__).parent / "cases" / "diffs.toml").read_text("utf-8"))["case"]
COUNTS = ("added", "removed", "changed", "moved")


def _marked(change: TextChange, op: str) -> str:
    return " ".join(text for e in change.meaningful_edits for kind, text in e.words if kind == op)


def _words_plain(edit: Any) -> str:
    """A changed sentence's word marks as the terminal shows them without colour."""
    out = io.StringIO()
    Console(file=out, force_terminal=False, width=400).print(_words_text(edit))
    return out.getvalue().rstrip("\n")


def _new_sentences(text: str) -> list[str]:
    return [s.text for s in sentences(normalise(text))]


def _compare(case: dict[str, Any]) -> TextChange:
    """A golden case's change; `actors = true` compares with the default profile's actors."""
    actors = default_engine().finder if case.get("actors") else None
    return compare(case["old"], case["new"], actors=actors)


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_golden_case(case: dict[str, Any]) -> None:
    change = _compare(case)
    assert change.meaningful is case["meaningful"], change.summary
    assert {k: getattr(change, k) for k in COUNTS} == {k: case.get(k, 0) for k in COUNTS}
    if "ops" in case:
        assert [e.op for e in change.meaningful_edits] == case["ops"]
    assert change.noise >= case.get("noise", 0)
    assert any(e.negation for e in change.edits) is case.get("negation", False)
    assert any(e.moved for e in change.edits) is case.get("moved_edit", False)
    for word in case.get("inserted", []):
        assert word in _marked(change, "insert")
    for word in case.get("deleted", []):
        assert word in _marked(change, "delete")
    if "marks" in case:
        (edit,) = [e for e in change.meaningful_edits if e.op == "changed"]
        assert _words_plain(edit) == case["marks"]
    assert case.get("min_significance", 0.0) <= change.significance
    assert change.significance <= case.get("max_significance", 1.0)


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_golden_case_reversed_mirrors_it(case: dict[str, Any]) -> None:
    """Flipping back to the old text undoes the change: added and removed swap."""
    forward, back = compare(case["old"], case["new"]), compare(case["new"], case["old"])
    assert (back.added, back.removed) == (forward.removed, forward.added)
    assert (back.changed, back.moved, back.meaningful) == (
        forward.changed,
        forward.moved,
        forward.meaningful,
    )
    assert apply(case["new"], back) == _new_sentences(case["old"])


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_golden_case_reapplies(case: dict[str, Any]) -> None:
    change = compare(case["old"], case["new"])
    assert apply(case["old"], change) == _new_sentences(case["new"])


def test_apply_refuses_a_change_made_from_another_text() -> None:
    change = compare("Iran will act. Talks go on.", "Iran will not act. Talks go on.")
    with pytest.raises(ValueError, match="differs"):
        apply("Iran may act. Talks go on.", change)
    with pytest.raises(ValueError, match="cover"):
        apply("Iran will act.", change)


def test_changed_words_rebuild_both_sentences() -> None:
    old, new = "The envoy arrives on Monday, officials said.", "The envoy left on Friday."
    (edit,) = compare(old, new).meaningful_edits
    assert "".join(t for op, t in edit.words if op != "delete") == new
    assert "".join(t for op, t in edit.words if op != "insert") == old


def test_moved_sentence_records_both_places() -> None:
    old = "First point here. Second point here. Third point here. Fourth point here."
    new = "Fourth point here. First point here. Second point here. Third point here."
    (edit,) = compare(old, new).meaningful_edits
    assert (edit.op, edit.old_index, edit.new_index) == ("moved", 3, 0)


def test_long_single_sentence_does_not_blow_up() -> None:
    """No sentence punctuation at all: one huge sentence, compared coarsely."""
    old = " ".join(f"word{i}" for i in range(20_000))
    new = old.replace("word500 ", "changed ")
    change = compare(old, new)
    assert change.changed == 1
    assert 0 < change.significance < 0.05


def test_furniture_repeated_thousands_of_times_still_aligns() -> None:
    """Keys repeated in >1% of a text are junk to difflib; the real edit must still show."""
    ads = "Advertisement\n" * 2000
    old = f"{ads}Iran will act.\n{ads}Talks go on."
    new = f"{ads}Iran will not act.\n{ads}Talks go on. The envoy left."
    change = compare(old, new)
    assert (change.changed, change.added, change.removed) == (1, 1, 0)
    assert apply(old, change) == _new_sentences(new)


# --- properties ------------------------------------------------------------------------

_WORDS = ["Iran", "Hezbollah", "will", "not", "fight", "talks", "weapons", "envoy", "said"]
_sentence = st.lists(st.sampled_from(_WORDS), min_size=2, max_size=7).map(
    lambda ws: " ".join(ws).capitalize() + "."
)
_text = st.lists(st.tuples(_sentence, st.sampled_from([" ", "\n", "\n\n"])), max_size=12).map(
    lambda parts: "".join(s + sep for s, sep in parts)
)


@settings(max_examples=150, deadline=None)
@given(_text, _text)
def test_edits_rebuild_the_new_text(a: str, b: str) -> None:
    change = compare(a, b)
    assert apply(a, change) == _new_sentences(b)
    assert 0.0 <= change.significance <= 1.0
    for op in COUNTS:
        assert getattr(change, op) == sum(e.op == op for e in change.meaningful_edits)


@settings(max_examples=60, deadline=None)
@given(_text)
def test_a_text_against_itself_is_no_change(a: str) -> None:
    change = compare(a, a)
    assert not change.meaningful
    assert change.significance == 0.0
    assert all(e.op == "equal" for e in change.edits)


@settings(max_examples=60, deadline=None)
@given(_text, st.sampled_from(["Advertisement", "Updated 3 minutes ago", "Leave a Comment"]))
def test_inserting_furniture_is_no_change(a: str, line: str) -> None:
    assert not compare(a, f"{line}\n{a}\n{line}").meaningful


# --- noise patterns --------------------------------------------------------------------


@pytest.mark.parametrize(
    "line",
    [
        "- YOU MAY ALSO LIKE TO WATCH THIS TRENDING STORY ON YOUTUBE. Waverly Hills",
        "Close this search box.",
        "Leave a Comment",
        "Uploaded files:",
        "Advertisement",
        "Subscribe to our newsletter",
        "Enroll now in our online course on diplomacy!",
        "Read more: Iran says it will respond",
        "More from Reuters",
        "Share on Facebook",
        "We use cookies to improve your experience.",
        "Tekedia Mini-MBA edition 16 (Feb 10 – May 3, 2025) opens registrations; register today"
        " for early bird discounts.",
    ],
)
def test_boilerplate_lines(line: str) -> None:
    assert noise.is_boilerplate(line)


@pytest.mark.parametrize(
    "line",
    [
        "Hezbollah will not surrender its weapons.",
        "Related tensions rose in the region after the strike.",
        "Source: aljarida",
        "The Israeli prime minister's office didn't respond to a request for comment.",
        "Students who enroll in the army's course must serve two years, the law says.",
        "Voters must register today, the election commission said.",
        "More news is expected later today.",
        "Share this view, Qassem told the crowd.",
        "You might like to know that the talks failed, he said.",
        "The ministry launched a free online course for teachers.",
    ],
)
def test_article_lines_are_not_boilerplate(line: str) -> None:
    assert not noise.is_boilerplate(line)


def test_rail_ends_at_an_ordinary_sentence() -> None:
    lines = ["Related", "Oil prices climb", "Iran responds", "Qassem spoke on Sunday.", "Next"]
    assert noise.boilerplate_mask(lines) == [True, True, True, False, False]


@pytest.mark.parametrize(
    ("sentence", "kept"),
    [
        ("Updated 5 minutes ago", ""),
        ("Published: 4 Oct 2024, 10:32 GMT", ""),
        ("October 4, 2024", ""),
        ("By Staff | 3 hours ago | 1,204 views", "By Staff | |"),
        ("On October 7, Hamas attacked Israel.", "On October 7, Hamas attacked Israel."),
        ("The strike killed 12 people.", "The strike killed 12 people."),
    ],
)
def test_strip_volatile(sentence: str, kept: str) -> None:
    assert noise.strip_volatile(sentence) == kept


# --- renderers -------------------------------------------------------------------------

HOSTILE = (
    'Iran will act <script>alert("x")</script> and <a href="javascript:alert(1)">here</a> '
    "<!-- hidden --> <img src=x onerror=alert(1)> [bold red]styled[/] **bold** [l](javascript:x)."
)


@pytest.fixture
def hostile_change() -> TextChange:
    old = f"Talks go on. {HOSTILE}\nThe envoy arrives on Monday."
    new = f"Talks go on. {HOSTILE.replace('will', 'will not')}\nThe envoy arrives on Monday."
    return compare(old, new)


def test_html_escapes_everything_from_articles(hostile_change: TextChange) -> None:
    page = render_change(hostile_change, "html", old_label="<b>old</b>", new_label='"new"')
    lowered = page.lower()
    for dangerous in ("<script", "<a ", "<img", "<!-- hidden", "<b>old", 'href="javascript'):
        assert dangerous not in lowered
    assert "&lt;script&gt;" in page
    assert "&lt;b&gt;old&lt;/b&gt;" in page
    assert "<ins>" in page
    assert 'class="negation"' in page


def test_markdown_is_inert_and_marks_words(hostile_change: TextChange) -> None:
    md = render_change(hostile_change, "markdown", old_label="a", new_label="b")
    assert "<script" not in md and "<img" not in md
    assert "\\[l\\]\\(javascript:x\\)" in md
    assert "\\*\\*bold\\*\\*" in md
    assert "**negation**" in md
    assert "**not**" in md


def test_json_shape(hostile_change: TextChange) -> None:
    data = json.loads(render_change(hostile_change, "json", old_label="a", new_label="b"))
    assert data == change_to_dict(hostile_change, old_label="a", new_label="b")
    assert set(data) == {
        "old",
        "new",
        "meaningful",
        "summary",
        "significance",
        "headline",
        "counts",
        "edits",
    }
    assert data["headline"] is None
    assert set(data["counts"]) == {*COUNTS, "noise"}
    assert data["meaningful"] is True
    (edit,) = data["edits"]
    assert edit["op"] == "changed" and edit["negation"] is True
    assert [w["text"].strip() for w in edit["words"] if w["op"] != "equal"] == ["not"]
    assert edit["new"].endswith("(javascript:x).")


def test_text_is_plain_when_piped_and_never_interprets_article_markup(
    hostile_change: TextChange,
) -> None:
    out = io.StringIO()
    console = Console(file=out, force_terminal=False, width=400)
    console.print(render_change(hostile_change, "text", old_label="a", new_label="b"))
    text = out.getvalue()
    assert "[bold red]styled[/]" in text
    assert "will {+not+} act" in text
    assert "negation" in text
    assert "\x1b[" not in text


def test_text_is_coloured_on_a_terminal(hostile_change: TextChange) -> None:
    out = io.StringIO()
    console = Console(file=out, force_terminal=True, color_system="standard", width=400)
    console.print(render_change(hostile_change, "text", old_label="a", new_label="b"))
    assert "\x1b[" in out.getvalue()


def test_no_change_says_so() -> None:
    change = compare("Iran will act.", "Iran  will act!\nAdvertisement")
    for fmt in ("text", "markdown", "html"):
        assert "no meaningful change" in render_change(change, fmt, old_label="a", new_label="b")


def test_unknown_format_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown format"):
        render_change(compare("a.", "b."), "pdf", old_label="a", new_label="b")


# --- through the command line ----------------------------------------------------------


def test_diff_of_a_document_shows_the_negation_and_ignores_furniture(
    monitor: Any, tmp_path: Path
) -> None:
    article = tmp_path / "article.txt"
    first = (Path(__file__).parent.parent / "seeds" / "004_abe445b97e29c23e.txt").read_text()
    assert "would not surrender" in first
    article.write_text(first)
    monitor("add", str(article), ok=True)
    article.write_text(
        "Advertisement\n" + first.replace("would not surrender", "would surrender") + "\n"
        "Leave a Comment\nReaders wrote <script>alert(1)</script> in reply.\n"
    )
    monitor("add", str(article), ok=True)

    data = json.loads(monitor("diff", "1", "--json", ok=True).stdout)
    assert data["summary"] == "1 added, 1 changed"
    assert not [e for e in data["edits"] if not e["noise"] and "Advertisement" in (e["new"] or "")]
    (edit,) = [e for e in data["edits"] if e["op"] == "changed" and not e["noise"]]
    assert edit["negation"] is True
    assert [w["text"] for w in edit["words"] if w["op"] == "delete"] == ["not "]

    page = monitor("diff", "1", "--format", "html", ok=True).stdout
    assert "<del>not </del>" in page and "<script" not in page


def test_a_new_headline_is_shown_apart_from_the_body_edits() -> None:
    old = "Port strike talks resume\nDock workers met port operators on Tuesday, a union said."
    new = "Port strike talks collapse\nDock workers met port operators on Tuesday, a union said."
    change = compare(old, new)
    assert change.headline == ("Port strike talks resume", "Port strike talks collapse")
    assert change.meaningful and change.meaningful_edits == () and change.changed == 0
    assert change.summary.startswith("headline changed")
    data = json.loads(render_change(change, "json", old_label="a", new_label="b"))
    assert data["headline"] == {"old": old.split("\n")[0], "new": new.split("\n")[0]}
    text = render_change(change, "text", old_label="a", new_label="b")
    assert "headline:" in text and "Port strike talks collapse" in text
    assert "Headline: <del>Port strike talks resume</del>" in render_change(
        change, "html", old_label="a", new_label="b"
    )
    # A first line that is a sentence of the body is a body edit, not a headline.
    body = compare("The talks resumed on Tuesday.", "The talks collapsed on Tuesday.")
    assert body.headline is None and body.changed == 1


def test_reversed_statement_is_significant_and_marked_as_phrases(
    monitor: Any, tmp_path: Path
) -> None:
    """Through `add` and `diff`: an actor's reversed statement is stored as significant (so
    `alerts add --min-significance 0.2` hears of it), and the marks group phrases."""
    (case,) = [c for c in CASES if c["id"] == "actor-statement-reversed"]
    article = tmp_path / "speech.txt"
    article.write_text(case["old"])
    monitor("add", str(article), "--date", "2025-06-01", ok=True)
    article.write_text(case["new"])
    monitor("add", str(article), ok=True)

    (change,) = json.loads(monitor("show", "1", "--json", ok=True).stdout)["changes"]
    assert change["significance"] >= 0.5
    text = monitor("diff", "1", ok=True).stdout
    (line,) = [line for line in text.splitlines() if line.startswith("~")]
    assert line == f"~ {case['marks']}"
