"""The HTML report end to end: self-contained, escaped, small, and rendered by a browser."""

from __future__ import annotations

import io
import json
import os
import re
import struct
import subprocess
from collections import Counter
from datetime import UTC, date, datetime
from html.parser import HTMLParser
from pathlib import Path

import pytest
from conftest import ROOT, SEEDS, Run
from pytest_httpserver import HTTPServer
from rich.console import Console

from monitor import charts, html_report, profile, report
from monitor.compare import compare
from monitor.storage import connect, sources

NOW = datetime(2025, 7, 8, 12, 0, tzinfo=UTC)
POINT = re.compile(r'<circle cx="[\d.]+%" cy="\d+" r="5"(?: transform="[^"]*")?>')  # a point
HOSTILE_TITLE = '<script>alert("t")</script></svg><!-- t -->'
HOSTILE_TEXT = (
    "Hezbollah said it will not surrender its weapons <script>alert(1)</script> </svg> "
    "<!-- x --> to anyone.\n"
    "Naim Qassem added that <img src=x onerror=alert(2)> the group refuses to disarm.\n"
)


class Page(HTMLParser):
    """What a parser sees in the report: tags, attributes, comments."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.starts: Counter[str] = Counter()
        self.ends: Counter[str] = Counter()
        self.attrs: list[tuple[str, dict[str, str | None]]] = []
        self.comments: list[str] = []
        self.feed(text)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.starts[tag] += 1
        self.attrs.append((tag, dict(attrs)))

    def handle_endtag(self, tag: str) -> None:
        self.ends[tag] += 1

    def handle_comment(self, data: str) -> None:
        self.comments.append(data)

    def links(self) -> list[str]:
        return [str(a.get("href")) for tag, a in self.attrs if "href" in a]


def _report(monitor: Run, tmp_path: Path, *args: str) -> str:
    out = tmp_path / "report.html"
    monitor("report", "-o", str(out), *args, ok=True)
    return out.read_text(encoding="utf-8")


def _positions(monitor: Run, *args: str) -> int:
    timelines = json.loads(monitor("positions", *args, "--json", ok=True).stdout)
    return sum(len(t["positions"]) for t in timelines)


def _add_hostile(monitor: Run, tmp_path: Path) -> None:
    """A hostile article through `monitor add`, and a JSON-lines one edited once."""
    article = tmp_path / "hostile.txt"
    article.write_text(HOSTILE_TEXT, encoding="utf-8")
    monitor(
        "add", str(article), "--date", "2025-08-01", "--title", HOSTILE_TITLE,
        "--outlet", "<b>Evil</b> Wire", ok=True,
    )  # fmt: skip
    for n, text in enumerate(("It said <!-- a --> yes.", "It said <script>x()</script> no.")):
        record = {
            "text": f"The statement went out late. {text} Nothing else happened.",
            "url": "javascript:alert(3)",
            "title": "</title><script>alert(4)</script>",
            "date": "2025-08-02",
        }
        lines = tmp_path / f"v{n}.jsonl"
        lines.write_text(json.dumps(record) + "\n", encoding="utf-8")
        monitor("add", str(lines), ok=True)


def test_seed_report_is_self_contained(monitor: Run, tmp_path: Path) -> None:
    monitor("seed", str(SEEDS), ok=True)
    text = _report(monitor, tmp_path)
    page = Page(text)
    assert text.startswith("<!DOCTYPE html>")
    assert "Content-Security-Policy" in text and "default-src 'none'" in text
    for tag in ("script", "link", "img", "iframe", "object", "embed", "base", "form"):
        assert page.starts[tag] == 0, tag
    assert not [a for _, a in page.attrs if "src" in a]
    assert all(link.startswith("#") for link in page.links())  # the seeds carry no URLs
    assert "url(" not in text and "@import" not in text
    assert page.starts["svg"] == page.ends["svg"] >= 3
    timelines = json.loads(monitor("positions", "--json", ok=True).stdout)
    charted = [t for t in timelines if len(t["positions"]) > 1]  # one point: its evidence only
    assert len(POINT.findall(text)) == sum(len(t["positions"]) for t in charted) > 0
    assert text.count("<figure") == len(timelines) > len(charted)
    assert page.starts["svg"] - 2 == len(charted)  # and the legend's two
    shifts = json.loads(monitor("diff", "--json", ok=True).stdout)
    assert text.count('<article class="shift-item">') == len(shifts) > 0
    assert '<section id="sources">' not in text  # nothing is watched


def test_hostile_article_cannot_inject(monitor: Run, tmp_path: Path) -> None:
    monitor("seed", str(SEEDS), ok=True)
    _add_hostile(monitor, tmp_path)
    text = _report(monitor, tmp_path)
    page = Page(text)
    assert page.starts["script"] == 0 and page.starts["img"] == 0 and page.starts["b"] == 0
    assert page.comments == []
    assert page.starts["svg"] == page.ends["svg"]
    assert page.starts["title"] == page.ends["title"]
    assert not [name for _, a in page.attrs for name in a if name.startswith("on")]
    assert all(re.match(r"#|https?://", link) for link in page.links())
    for raw in ("<script", "<!--", "<img", "<b>"):
        assert raw not in text, raw
    # The hostile words are shown as text: in the chart tooltip and in the text change.
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &lt;/svg&gt; &lt;!-- x --&gt;" in text
    assert "&lt;b&gt;Evil&lt;/b&gt; Wire" in text
    assert "&lt;/title&gt;&lt;script&gt;alert(4)&lt;/script&gt;" in text
    assert "&lt;script&gt;x()&lt;/script&gt;" in text


def test_report_filters_by_actor_and_period(monitor: Run, tmp_path: Path) -> None:
    monitor("seed", str(SEEDS), ok=True)
    text = _report(monitor, tmp_path, "--actor", "qassem", "--since", "2024-09-01")
    assert "<title>Narrative monitor — Hezbollah</title>" in text
    headings = re.findall(r'<section class="actor"><h3>([^<]+)</h3>', text)
    assert headings == ["Hezbollah"]
    dates = re.findall(r" · (\d{4}-\d{2}-\d{2}) · ", text)
    assert dates and all(d >= "2024-09-01" for d in dates)
    failed = monitor("report", "-o", str(tmp_path / "x.html"), "--actor", "Nobody")
    assert failed.exit_code == 1
    assert failed.stderr.startswith("error: no actor 'Nobody'")
    assert not (tmp_path / "x.html").exists()


def test_report_lists_watched_sources_and_text_changes(monitor: Run, tmp_path: Path) -> None:
    db = connect(tmp_path / "monitor.db")
    sources.add(db, kind="url", locator="https://example.org/a", interval_s=60, now=NOW)
    sources.add(db, kind="url", locator="javascript:alert(5)", interval_s=60, now=NOW)
    db.close()
    page_file = tmp_path / "a.txt"
    page_file.write_text("Iran will respond. The talks go on.\n", encoding="utf-8")
    monitor("add", str(page_file), "--date", "2025-01-02", ok=True)
    page_file.write_text("Iran will not respond. The talks go on.\n", encoding="utf-8")
    monitor("add", str(page_file), ok=True)
    text = _report(monitor, tmp_path)
    assert '<a href="https://example.org/a" rel="noopener noreferrer nofollow">' in text
    assert '<td data-label="Source">javascript:alert(5)</td>' in text
    assert '<span class="negation">negation</span>' in text
    assert "<ins>not </ins>" in text


def test_ten_thousand_documents_stay_under_five_megabytes(tmp_path: Path) -> None:
    from benchmarks.bench_report import populate

    db = connect(tmp_path / "big.db")
    populate(db, 10_000)
    text = html_report.build_report(db, profile=profile.load(), now=NOW)
    positions = db.execute("SELECT COUNT(*) FROM positions").fetchone()[0]
    shifts = db.execute("SELECT COUNT(*) FROM shifts").fetchone()[0]
    assert len(text.encode("utf-8")) < 5 * 1024 * 1024
    assert len(POINT.findall(text)) == positions >= 10_000
    assert text.count('<g class="shift') == shifts > html_report.MAX_SHIFTS
    assert text.count('<article class="shift-item">') == html_report.MAX_SHIFTS
    assert f"{shifts - html_report.MAX_SHIFTS} earlier shifts" in text
    assert text.count('<article class="change">') == html_report.MAX_CHANGES


# --- the chart -------------------------------------------------------------------------


def _point(day: date, level: int, tip: str = "tip") -> charts.Point:
    return charts.Point(day, level, tip, 1)


def test_chart_places_points_by_date_and_stance() -> None:
    start, end = date(2024, 1, 1), date(2024, 12, 31)
    points = [_point(start, 0, "a & <b>"), _point(end, 2), _point(date(2024, 7, 1), 1)]
    mark = charts.Mark(points[0], points[1], "shift", confirmed=False)
    svg = charts.timeline(("no", "maybe", "yes"), points, [mark], start=start, end=end, label="L")
    circles = re.findall(r'<circle cx="([\d.]+)%" cy="(\d+)" r="5"><title>([^<]*)</title>', svg)
    assert circles == [
        (f"{charts.LEFT:.2f}", str(charts.y_of(0, 3)), "a &amp; &lt;b&gt;"),
        ("49.87", str(charts.y_of(1, 3)), "tip"),  # day 182 of 365
        (f"{charts.RIGHT:.2f}", str(charts.y_of(2, 3)), "tip"),
    ]
    assert charts.y_of(2, 3) < charts.y_of(1, 3) < charts.y_of(0, 3)  # the last pole on top
    assert '<g class="shift emerging"><title>shift</title>' in svg
    labels = re.findall(r'<text class="stance"[^>]*>(\w+)</text>', svg)
    assert labels == ["no", "maybe", "yes"]


@pytest.mark.parametrize(
    ("start", "end", "first"),
    [
        (date(2019, 3, 1), date(2025, 7, 1), "2020"),
        (date(2024, 1, 15), date(2025, 7, 1), "Jul 2024"),
        (date(2025, 6, 1), date(2025, 6, 20), "01 Jun"),
    ],
    ids=["years", "months", "days"],
)
def test_axis_ticks_are_round_dates_inside_the_span(start: date, end: date, first: str) -> None:
    ticks = charts.ticks(start, end)
    assert 2 <= len(ticks) <= 5
    assert ticks[0][1] == first
    assert all(start <= day <= end for day, _ in ticks)


def test_colours_run_from_one_pole_to_the_other() -> None:
    assert [charts.colour(i, 3) for i in range(3)] == ["#b2182b", "#787878", "#2166ac"]


def test_report_without_data_says_so() -> None:
    data = html_report.Report(NOW, {}, {"documents": 0, "first": None, "last": None})
    text = html_report.render(data)
    assert "Nothing to report for this selection yet." in text
    assert "0 documents (no dated documents)" in text


def test_drift_and_long_timelines_render(tmp_path: Path) -> None:
    change = compare("They will talk. Fine.", "They will not talk. Fine.")
    data = html_report.Report(
        NOW,
        {"actor": "Hezbollah"},
        {"documents": 2, "first": "2025-01-01", "last": "2025-02-01"},
        drift=(html_report.Drift("Hezbollah", "a", "b", (("<defence>", 3.2),), ()),),
        changes=(html_report.Change(1, None, None, None, "2025-02-01T10:00:00", "edit", change),),
    )
    text = html_report.render(data)
    assert '<span class="phrase">&lt;defence&gt;</span> <span class="meta">z +3.2</span>' in text
    assert "<h3>document 1</h3>" in text and "edit seen 2025-02-01 10:00" in text


# --- terminal -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("terminal", "hidden", "drawn"),
    [(True, False, True), (False, False, False), (True, True, False)],
    ids=["terminal", "piped", "quiet"],
)
def test_progress_only_on_a_terminal(terminal: bool, hidden: bool, drawn: bool) -> None:
    out = io.StringIO()
    console = Console(file=out, force_terminal=terminal, width=80)
    assert list(report.tracked(console, range(3), "ingesting", hidden=hidden)) == [0, 1, 2]
    assert ("ingesting" in out.getvalue()) is drawn


def test_piped_ingest_shows_no_progress(monitor: Run) -> None:
    result = monitor("seed", str(SEEDS), ok=True)
    assert "ingesting" not in result.stdout
    assert "\x1b[" not in result.stdout  # no colour codes when piped


# --- in a browser ----------------------------------------------------------------------

CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
    "--enable-logging=stderr",
    "--v=0",
)
CONSOLE_ERROR = re.compile(r"Uncaught|Refused to|CONSOLE\(\d+\)\].*[Ee]rror")


def _browse(chromium: str, tmp_path: Path, page: Path, *args: str) -> subprocess.CompletedProcess:
    profile_dir = tmp_path / "chromium-profile"
    return subprocess.run(
        [chromium, *CHROMIUM_FLAGS, f"--user-data-dir={profile_dir}", *args, page.as_uri()],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def _png_size(path: Path) -> tuple[int, int]:
    header = path.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", header[16:24])
    return width, height


@pytest.mark.browser
def test_report_renders_in_chromium(monitor: Run, tmp_path: Path, chromium: str) -> None:
    monitor("seed", str(SEEDS), ok=True)
    _add_hostile(monitor, tmp_path)
    source = _report(monitor, tmp_path)
    page = tmp_path / "report.html"

    dom = _browse(chromium, tmp_path, page, "--dump-dom")
    assert dom.returncode == 0, dom.stderr[-2000:]
    assert not CONSOLE_ERROR.search(dom.stderr), dom.stderr[-2000:]
    assert dom.stdout.count("<svg") == source.count("<svg") >= 3
    assert dom.stdout.count("<circle") == source.count("<circle")
    assert "<script" not in dom.stdout

    shots = ROOT / "db" / "screenshots" if os.environ.get("MONITOR_KEEP_SCREENSHOTS") else tmp_path
    shots.mkdir(parents=True, exist_ok=True)
    for width in (375, 1280):
        shot = shots / f"report-{width}.png"
        done = _browse(
            chromium, tmp_path, page, f"--screenshot={shot}", f"--window-size={width},1800"
        )
        assert done.returncode == 0, done.stderr[-2000:]
        assert not CONSOLE_ERROR.search(done.stderr), done.stderr[-2000:]
        assert _png_size(shot) == (width, 1800)
        assert shot.stat().st_size > 20_000  # a blank page compresses to a few KB

    # The console check itself can fail: a page with a broken script is caught.
    broken = tmp_path / "broken.html"
    broken.write_text("<!DOCTYPE html><p>x</p><script>notDefined()</script>", encoding="utf-8")
    caught = _browse(chromium, tmp_path, broken, "--dump-dom")
    assert CONSOLE_ERROR.search(caught.stderr), caught.stderr[-2000:]


# --- what a reader of the report needs ---------------------------------------------------

SPEECH = (
    "Hezbollah will never surrender its weapons, Naim Qassem said in a speech on Sunday.\n"
    "He spoke to supporters in the southern suburbs of Beirut.\n"
)


def _add_text(monitor: Run, tmp_path: Path, name: str, text: str, day: str, *args: str) -> None:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    monitor("add", str(path), "--date", day, *args, ok=True)


def test_report_says_failing_where_watch_list_does(
    monitor: Run, tmp_path: Path, httpserver: HTTPServer
) -> None:
    httpserver.expect_request("/robots.txt").respond_with_data("", status=404)
    httpserver.expect_request("/gone").respond_with_data("gone", status=404)
    monitor("watch", "add", httpserver.url_for("/gone"), ok=True)
    for _ in range(3):  # fail_after = 3
        monitor("check")
    (listed,) = json.loads(monitor("watch", "list", "--json", ok=True).stdout)
    assert listed["state"] == "failing"
    text = _report(monitor, tmp_path)
    assert '<td data-label="State">failing</td>' in text
    assert "source failing: " + httpserver.url_for("/gone") in text


def test_points_on_one_day_stay_apart_and_evidence_is_written_out(
    monitor: Run, tmp_path: Path
) -> None:
    _add_text(monitor, tmp_path, "a.txt", SPEECH, "2025-03-02", "--outlet", "Wire A")
    _add_text(monitor, tmp_path, "b.txt", SPEECH.replace("Sunday", "Sunday night"), "2025-03-02")
    _add_text(monitor, tmp_path, "c.txt", SPEECH.replace("speech", "sermon"), "2025-04-02")
    text = _report(monitor, tmp_path)
    circles = re.findall(r'<circle cx="([\d.]+)%" cy="(\d+)" r="5"( transform="[^"]*")?>', text)
    same_day = [c for c in circles if c[0] == circles[0][0] and c[1] == circles[0][1]]
    assert len(same_day) == 2 and len({c[2] for c in same_day}) == 2  # side by side
    (listed,) = re.findall(r'<ol class="evidence">(.*?)</ol>', text)
    assert listed.count("<li>") == 3 and "Wire A" in listed
    assert "“Hezbollah will never surrender its weapons" in listed


def test_one_article_added_as_a_file_and_a_url_counts_once(
    monitor: Run, tmp_path: Path, httpserver: HTTPServer
) -> None:
    """A saved copy names its address (canonical link); fetching that address later is the
    same article, not a second document in the counts and charts."""
    url = httpserver.url_for("/story")
    head = f'<html><head><link rel="canonical" href="{url}"><title>Speech</title></head>'
    body = "".join(f"<p>{line}</p>" for line in SPEECH.splitlines())
    saved = tmp_path / "story.html"
    saved.write_text(f"{head}<body><article>{body}</article></body></html>", encoding="utf-8")
    monitor("add", str(saved), "--date", "2025-03-02", ok=True)
    httpserver.expect_request("/robots.txt").respond_with_data("", status=404)
    live = f"{head}<body><article>{body}<p>The speech was broadcast live.</p></article></body>"
    httpserver.expect_request("/story").respond_with_data(live, content_type="text/html")
    monitor("add", url, "--date", "2025-03-02", ok=True)
    assert len(json.loads(monitor("list", "--json", ok=True).stdout)) == 2  # both stored

    text = _report(monitor, tmp_path)
    assert "1 document (2025-03-02 to 2025-03-02)" in text
    (listed,) = re.findall(r'<ol class="evidence">(.*?)</ol>', text)
    assert listed.count("<li>") == 1


def test_report_opens_with_what_changed_since_the_last_one(monitor: Run, tmp_path: Path) -> None:
    _add_text(monitor, tmp_path, "a.txt", SPEECH, "2025-03-02")
    first = _report(monitor, tmp_path)
    assert "What changed since the start" in first and "The first report in this file." in first
    assert "<li>1 new document</li>" in first

    turned = "Naim Qassem said Hezbollah was ready to discuss handing its weapons to the army.\n"
    _add_text(monitor, tmp_path, "b.txt", turned, "2025-07-07")
    second = _report(monitor, tmp_path)
    generated = re.search(r'<meta name="generated" content="([^"]+)">', first)
    assert generated is not None
    stamp = generated.group(1)[:16].replace("T", " ")
    assert f"What changed since the last report ({stamp})" in second
    assert "<li>1 new document</li>" in second
    news = second.split('<section id="news">')[1].split("</section>")[0]
    assert "Hezbollah · disarmament: refuses → " in news
    assert second.index('<section id="news">') < second.index('<section id="positions">')

    (tmp_path / "elsewhere").mkdir()
    dated = _report(monitor, tmp_path / "elsewhere", "--since", "2025-01-01")
    assert "What changed since 2025-01-01" in dated
