"""Per-watch filters: on saved HTML, and through `watch add` + `check` against a local site."""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import Run
from local_site import Site, editable_site

from monitor.errors import ConfigError, SourceError
from monitor.page_filters import Filters

LIVE = """<!doctype html><html><head><title>Port strike talks resume</title></head><body>
<nav><a href="/">Home</a> <a href="/business">Business</a></nav>
<main><h1>Port strike talks resume</h1>
<p class="meta">Updated {minutes} minutes ago</p>
<div id="story">
<p>Dock workers and port operators met again on Tuesday after talks broke down last week,
a union spokesman said.</p>
<p>{status}</p>
<p>Views: {views}</p>
</div>
<ul class="briefs"><li>Shipping rates rise for a third week</li></ul>
</main><footer>Example Wire</footer></body></html>"""


def live(minutes: int = 5, views: str = "1,204", status: str = "No agreement was reached.") -> str:
    return LIVE.format(minutes=minutes, views=views, status=status)


def text_of(filters: Filters, html: str) -> str:
    return filters.apply(html, lambda: "the article text").text


# on saved HTML -------------------------------------------------------------------------


def test_css_keeps_only_the_selected_part() -> None:
    text = text_of(Filters.build(css=["#story"]), live())
    assert text.startswith("Dock workers") and "No agreement" in text
    assert "Home" not in text and "Shipping rates" not in text


def test_xpath_elements_and_strings() -> None:
    assert text_of(Filters.build(xpath=["//ul[@class='briefs']/li"]), live()) == (
        "Shipping rates rise for a third week"
    )
    assert text_of(Filters.build(xpath=["//h1/text()"]), live()) == "Port strike talks resume"


def test_ignore_drops_matching_lines_and_reports_them() -> None:
    filters = Filters.build(css=["main"], ignore=[r"^Views: ", r"minutes ago$"])
    applied = filters.apply(live(), lambda: "")
    assert "Views" not in applied.text and "minutes ago" not in applied.text
    assert ("ignore ^Views: ", "Views: 1,204") in applied.removed
    assert ("ignore minutes ago$", "Updated 5 minutes ago") in applied.removed
    assert ("css main", "Example Wire") in applied.removed  # outside the selection
    # The same page with other counters compares equal.
    assert filters.apply(live(9, "88,310"), lambda: "").text == applied.text


def test_ignore_applies_to_the_article_text_without_a_selector() -> None:
    applied = Filters.build(ignore=["^Views"]).apply(live(), lambda: "Story line\nViews: 3")
    assert applied.text == "Story line" and applied.removed == [("ignore ^Views", "Views: 3")]


def test_trigger_says_whether_the_text_matches() -> None:
    filters = Filters.build(css=["#story"], trigger=[r"(?i)\bagreement (was|has been) signed"])
    assert not filters.apply(live(), lambda: "").triggered
    signed = live(status="An agreement was signed late on Tuesday.")
    assert filters.apply(signed, lambda: "").triggered


def test_json_path_takes_the_values_found() -> None:
    body = json.dumps(
        {"updated": "10:32", "items": [{"title": "Rates held"}, {"title": "Bond sale set"}]}
    )
    text = text_of(Filters.build(json_path="$.items[*].title"), body)
    assert text == "Rates held\nBond sale set"
    with pytest.raises(SourceError, match="needs a JSON body"):
        text_of(Filters.build(json_path="$.items"), live())


def test_a_selector_that_matches_nothing_is_an_error() -> None:
    with pytest.raises(SourceError, match="matched no text"):
        text_of(Filters.build(css=["#gone"]), live())


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ({"css": ["p[["]}, "invalid css 'p[['"),
        ({"xpath": ["//p[@"]}, "invalid xpath '//p[@'"),
        ({"ignore": ["(unclosed"]}, "invalid ignore '(unclosed'"),
        ({"trigger": ["*x"]}, "invalid trigger '*x'"),
        ({"json_path": "$.items[?"}, "invalid json-path '$.items[?'"),
        ({"json_path": "$.a", "css": ["p"]}, "use one or the other"),
    ],
)
def test_bad_filters_are_refused(given: dict, message: str) -> None:
    with pytest.raises(ConfigError, match=re.escape(message)) as e:
        Filters.build(**given)
    assert "\n" not in str(e.value)


def test_stored_form_round_trips_in_order() -> None:
    filters = Filters.build(css=["main"], xpath=["//p"], ignore=["a", "b"], trigger=["c"])
    again = Filters.from_json(filters.to_json())
    assert again == filters
    assert [s.kind for s in again.steps] == ["css", "xpath", "ignore", "ignore", "trigger"]


# through the command line --------------------------------------------------------------


@pytest.fixture
def site() -> Iterator[Site]:
    with editable_site() as served:
        yield served


def outcomes(monitor: Run) -> list[tuple[str, str]]:
    return [(r["outcome"], r["detail"]) for r in json.loads(monitor("check", "--json").stdout)]


def test_add_with_filters_then_check(monitor: Run, site: Site, db_path: Path) -> None:
    url = site.put("/live", live())
    added = monitor(
        "watch", "add", url, "--selector", "main", "--xpath", "//div[@id='story']",
        "--ignore", "^Views: ", "--ignore", "minutes ago$", "--name", "Port talks",
        "--tag", "shipping", ok=True,
    )  # fmt: skip
    assert "as source 1" in added.output
    assert outcomes(monitor)[0][0] == "new"
    site.put("/live", live(minutes=12, views="9,876"))
    assert outcomes(monitor) == [("unchanged", "same text")]
    site.put("/live", live(status="Both sides agreed to meet again on Friday."))
    assert outcomes(monitor)[0][0] == "changed"
    text = monitor("show", "1", "--json", ok=True).stdout
    assert "Shipping rates" not in text and "Views" not in text and "Friday" in text

    listed = json.loads(monitor("watch", "list", "--json", ok=True).stdout)[0]
    assert listed["name"] == "Port talks" and listed["tags"] == ["shipping"]
    assert listed["filters"] == [
        {"css": "main"},
        {"xpath": "//div[@id='story']"},
        {"ignore": "^Views: "},
        {"ignore": "minutes ago$"},
    ]
    table = monitor("watch", "list", ok=True).stdout
    # Name and tags, then each filter as the option that set it, on lines of their own.
    assert "Port talks  #shipping" in table and "    selector main\n" in table
    assert "    xpath //div[@id='story']\n" in table
    with sqlite3.connect(db_path) as db:
        stored = db.execute("SELECT filters FROM sources").fetchone()[0]
    assert json.loads(stored) == listed["filters"]


def test_trigger_gates_changes(monitor: Run, site: Site) -> None:
    url = site.put("/live", live())
    monitor("watch", "add", url, "--selector", "#story", "--trigger", "(?i)signed", ok=True)
    assert outcomes(monitor)[0][0] == "new"
    site.put("/live", live(status="Talks went on into the night."))
    assert outcomes(monitor) == [("unchanged", "the trigger did not match the new text")]
    site.put("/live", live(status="An agreement was signed before dawn."))
    assert outcomes(monitor)[0][0] == "changed"


def test_json_path_watch(monitor: Run, site: Site) -> None:
    def api(titles: list[str], served_at: str) -> str:
        return json.dumps({"served_at": served_at, "items": [{"title": t} for t in titles]})

    url = site.put("/api", api(["Rates held at 4.5%"], "10:00"), "application/json")
    monitor("watch", "add", url, "--json-path", "$.items[*].title", ok=True)
    assert outcomes(monitor)[0][0] == "new"
    site.put("/api", api(["Rates held at 4.5%"], "10:30"), "application/json")
    assert outcomes(monitor) == [("unchanged", "same text")]
    site.put(
        "/api", api(["Rates held at 4.5%", "Bond sale set for May"], "11:00"), "application/json"
    )
    assert outcomes(monitor)[0][0] == "changed"


@pytest.mark.parametrize(
    "args",
    [
        ("--xpath", "//p[@"),
        ("--ignore", "(x"),
        ("--trigger", "+"),
        ("--json-path", "$["),
        ("--selector", "a[["),
    ],
)
def test_bad_filter_is_one_line_error_and_adds_nothing(
    monitor: Run, site: Site, db_path: Path, args: tuple[str, str]
) -> None:
    result = monitor("watch", "add", site.put("/live", live()), *args)
    assert result.exit_code == 1 and result.stderr.startswith("error: invalid ")
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.output
    assert not db_path.exists(), "a refused watch created a database"


def test_migration_turns_a_stored_selector_into_the_first_filter(tmp_path: Path) -> None:
    """On a file whose steps up to m007 were recorded by the earlier sqlite-utils runner."""
    from monitor.storage import connect, schema
    from monitor.storage.dialect import open_database

    path = tmp_path / "old.db"
    old = open_database(path)
    schema.migrate(old, stop_before="m008_watch_settings")
    old.script(
        """
        CREATE TABLE _sqlite_migrations (
            id INTEGER PRIMARY KEY, migration_set TEXT, name TEXT, applied_at TEXT
        );
        INSERT INTO _sqlite_migrations (migration_set, name, applied_at)
            SELECT 'narrative-monitor', name, applied_at FROM schema_migrations;
        DROP TABLE schema_migrations;
        """
    )
    old.execute(
        "INSERT INTO sources (kind, locator, interval_s, selector, next_check_at, created_at) "
        "VALUES ('url', 'https://example.org/a', 60, 'article .body', '2025-01-01', '2025-01-01')"
    )
    old.close()
    db = connect(path)
    row = db.execute("SELECT filters, tags, request FROM sources").fetchone()
    assert [json.loads(row[0]), row[1], row[2]] == [[{"css": "article .body"}], "[]", "[]"]
    applied = [name for (name,) in db.execute("SELECT name FROM schema_migrations")]
    assert applied == [step.__name__ for step in schema.MIGRATIONS[7:]]  # m008 onwards


def test_a_feeds_filters_apply_to_its_articles(monitor: Run, site: Site) -> None:
    article = site.put("/story", live())
    feed = site.put(
        "/feed.xml",
        f'<rss version="2.0"><channel><title>Wire</title><item><title>Talks</title>'
        f"<link>{article}</link></item></channel></rss>",
        "application/rss+xml",
    )
    monitor("watch", "add", feed, "--feed", "--selector", "#story", "--ignore", "^Views", ok=True)
    monitor("check", ok=True)  # the feed, then the article it lists
    listed = json.loads(monitor("watch", "list", "--json", ok=True).stdout)
    assert [w["url"] for w in listed] == [feed, article]
    assert listed[1]["filters"] == [{"css": "#story"}, {"ignore": "^Views"}]
    text = json.loads(monitor("show", "1", "--json", ok=True).stdout)["text"]
    assert text.startswith("Dock workers") and "Views" not in text
