"""`watch import` and `watch export`: urlwatch job files and OPML lists written for the tests,
imported, checked against a local site, exported and imported again."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from conftest import Run
from local_site import Site, editable_site
from test_watch_filters import live, outcomes

from monitor.cli import cli

URLS_YAML = """\
name: Port strike live
url: {base}/live
filter:
  - css: main
  - xpath: //div[@id='story']
  - html2text
  - grepi: '^Views'
max_tries: 5
---
url: {base}/briefs
filter: css:ul.briefs,html2text,strip
diff_tool: wdiff
---
name: disk usage
command: df -h
---
name: numbers out
url: {base}/numbers
filter:
  - re.sub: '\\d+'
  - css: main
ignore_cached: true
---
name: secret in clear
url: {base}/private
headers:
  Authorization: Bearer abc123
"""

FEEDS_OPML = """<?xml version="1.0" encoding="UTF-8"?>
<opml version="2.0">
  <head><title>Desk subscriptions</title></head>
  <body>
    <outline text="Shipping">
      <outline type="rss" text="Port news" title="Port news" xmlUrl="{base}/port.xml"/>
      <outline type="rss" text="Rail wire" xmlUrl="{base}/rail.xml" category="/Europe"/>
    </outline>
    <outline type="rss" text="Markets" xmlUrl="{base}/markets.xml"/>
  </body>
</opml>
"""

# What round-trips: the settings of each watch, not its state.
KEPT = ("url", "kind", "name", "tags", "filters", "every_s", "request", "case_sensitive")


@pytest.fixture
def site() -> Iterator[Site]:
    with editable_site() as served:
        yield served


def watches(monitor: Run) -> list[dict]:
    rows = json.loads(monitor("watch", "list", "--json", ok=True).stdout)
    return [{k: row[k] for k in KEPT} for row in rows]


def fresh(db: Path) -> Run:
    def run(*args: str, ok: bool | None = None):  # the `monitor` fixture on another file
        result = CliRunner().invoke(cli, ["--db", str(db), *args])
        if ok:
            assert result.exit_code == 0, result.output + result.stderr
        return result

    return run


def test_urlwatch_jobs_are_imported_with_every_gap_reported(
    monitor: Run, site: Site, tmp_path: Path
) -> None:
    jobs = tmp_path / "urls.yaml"
    jobs.write_text(URLS_YAML.format(base=site.base), encoding="utf-8")
    site.put("/live", live())
    imported = monitor("watch", "import", str(jobs), ok=True).stdout.splitlines()
    assert imported == [
        "job 1 (Port strike live): added as source 1",
        "job 2: added as source 2",
        "job 2: key 'diff_tool' is not supported",
        "job 3 (disk usage): not added: command jobs are not supported",
        "job 4 (numbers out): added as source 3",
        "job 4 (numbers out): key 'ignore_cached' is not supported",
        "job 4 (numbers out): filter 're.sub' is not supported",
        "job 5 (secret in clear): not added: header Authorization carries a secret: give it"
        " as an environment variable, e.g. 'Authorization: Bearer ${API_TOKEN}'",
    ]
    listed = watches(monitor)
    assert listed[0]["name"] == "Port strike live"
    assert listed[0]["filters"] == [
        {"css": "main"},
        {"xpath": "//div[@id='story']"},
        {"ignore": "^Views"},
    ]
    assert listed[1]["filters"] == [{"css": "ul.briefs"}]
    # The imported filters work through a check.
    assert outcomes(monitor)[0] == ("new", "document 1")
    text = json.loads(monitor("show", "1", "--json", ok=True).stdout)["text"]
    assert "No agreement" in text and "Views" not in text and "Shipping rates" not in text


def test_yaml_and_json_exports_import_again_unchanged(
    monitor: Run, site: Site, tmp_path: Path
) -> None:
    jobs = tmp_path / "urls.yaml"
    jobs.write_text(URLS_YAML.format(base=site.base), encoding="utf-8")
    monitor("watch", "import", str(jobs))
    monitor(
        "watch", "add", site.base + "/api", "--json-path", "$.items[*]", "--trigger", "Rates",
        "--tag", "markets", "--every", "2h", "--header", "Authorization: Bearer ${API_TOKEN}",
        ok=True,
    )  # fmt: skip
    monitor("watch", "add", site.base + "/feed.xml", "--feed", "--name", "Wire", ok=True)
    monitor("watch", "add", site.base + "/notice", "--case-sensitive", ok=True)
    before = watches(monitor)
    assert before[-1]["case_sensitive"] is True

    exported = monitor("watch", "export", "--format", "yaml", ok=True)
    documents = list(yaml.safe_load_all(exported.stdout))
    assert documents[0]["filter"] == [
        {"css": "main"},
        {"xpath": "//div[@id='story']"},
        {"grepi": "^Views"},
    ]
    assert documents[0]["max_tries"] == 5
    assert "urlwatch has no json-path filter" in exported.stderr
    (tmp_path / "out.yaml").write_text(exported.stdout, encoding="utf-8")
    again = fresh(tmp_path / "again.db")
    again("watch", "import", str(tmp_path / "out.yaml"), ok=True)
    assert watches(again) == before

    out_json = tmp_path / "out.json"
    monitor("watch", "export", "--format", "json", "-o", str(out_json), ok=True)
    third = fresh(tmp_path / "third.db")
    third("watch", "import", str(out_json), ok=True)
    assert watches(third) == before


def test_opml_feeds_are_imported_as_feed_watches_and_exported_again(
    monitor: Run, site: Site, tmp_path: Path
) -> None:
    opml = tmp_path / "feeds.opml"
    opml.write_text(FEEDS_OPML.format(base=site.base), encoding="utf-8")
    lines = monitor("watch", "import", str(opml), ok=True).stdout.splitlines()
    assert lines == [
        "outline 2 (Port news): added as source 1",
        "outline 3 (Rail wire): added as source 2",
        "outline 4 (Markets): added as source 3",
    ]
    listed = watches(monitor)
    assert [(w["kind"], w["name"], w["tags"]) for w in listed] == [
        ("feed", "Port news", ["shipping"]),
        ("feed", "Rail wire", ["europe", "shipping"]),
        ("feed", "Markets", []),
    ]
    exported = tmp_path / "out.opml"
    monitor("watch", "export", "--format", "opml", "-o", str(exported), ok=True)
    again = fresh(tmp_path / "again.db")
    again("watch", "import", str(exported), ok=True)
    assert watches(again) == listed


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("bad.yaml", "url: [unclosed\n", "not valid YAML"),
        ("bad.opml", "<opml><body><outline", "not valid OPML"),
        ("list.txt", "https://example.org\n", "cannot tell the format"),
    ],
)
def test_unreadable_files_are_one_line_errors(
    monitor: Run, tmp_path: Path, name: str, content: str, message: str
) -> None:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    result = monitor("watch", "import", str(path))
    assert (
        result.exit_code == 1 and result.stderr.startswith("error: ") and message in result.stderr
    )
    assert result.stderr.count("\n") == 1


def test_urlwatch_element_filters_become_css(tmp_path: Path) -> None:
    from monitor.watch_files import read

    jobs = tmp_path / "urls.yaml"
    jobs.write_text(
        "url: https://example.org/a\n"
        "filter: element-by-id:story,element-by-class:body,element-by-tag:p,jq:.items,html2text\n",
        encoding="utf-8",
    )
    (job,) = read(jobs)
    assert job.options.filters is not None and job.error is None
    assert job.options.filters.as_list() == [{"css": "#story"}, {"css": ".body"}, {"css": "p"}]
    assert job.notes == ["filter 'jq' is not supported"]
