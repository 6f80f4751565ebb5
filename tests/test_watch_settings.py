"""`watch test`, `watch edit`, names and tags, tag filters on alerts, and per-watch request
headers with secrets from the environment, end to end against a local site."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from alert_servers import Hook
from conftest import Run
from local_site import Site, editable_site
from test_watch_filters import live, outcomes


@pytest.fixture
def site() -> Iterator[Site]:
    with editable_site() as served:
        yield served


def test_watch_test_prints_the_compared_text_and_writes_nothing(
    monitor: Run, site: Site, db_path: Path
) -> None:
    url = site.put("/live", live())
    filters = ("--selector", "main", "--ignore", "minutes ago$", "--trigger", "signed")
    shown = monitor("watch", "test", url, *filters, ok=True)
    assert not db_path.exists()
    assert "removed by ignore minutes ago$: Updated 5 minutes ago" in shown.stderr
    assert "removed by css main: Example Wire" in shown.stderr
    assert "the trigger does not match" in shown.stderr
    assert "Views: 1,204" in shown.stdout and "minutes ago" not in shown.stdout
    # It is exactly the text a watch with the same filters stores.
    monitor("watch", "add", url, *filters, ok=True)
    monitor("check", ok=True)
    stored = json.loads(monitor("show", "1", "--json", ok=True).stdout)
    assert stored["text"] == shown.stdout.rstrip("\n")
    as_json = json.loads(monitor("watch", "test", url, "--xpath", "//h1", "--json", ok=True).stdout)
    assert as_json["text"] == "Port strike talks resume" and as_json["triggered"] is True
    failed = monitor("watch", "test", site.base + "/missing")
    assert failed.exit_code == 1 and failed.stderr.startswith("error: ") and "404" in failed.stderr


def test_watch_edit_changes_in_place_and_keeps_history(monitor: Run, site: Site) -> None:
    url = site.put("/live", live())
    monitor("watch", "add", url, "--selector", "#story", ok=True)
    assert outcomes(monitor)[0][0] == "new"
    site.put("/live", live(views="most read in business today"))
    assert outcomes(monitor)[0][0] == "changed"  # the line counts until it is ignored
    edited = monitor(
        "watch", "edit", "1", "--ignore", "^Views", "--every", "2h", "--name", "Port talks",
        "--tag", "shipping", "--tag", "europe", ok=True,
    )  # fmt: skip
    assert "edited source 1: every 7200s; name 'Port talks'; tags europe,shipping" in edited.output
    listed = json.loads(monitor("watch", "list", "--json", ok=True).stdout)[0]
    assert listed["filters"] == [{"css": "#story"}, {"ignore": "^Views"}]
    assert listed["every_s"] == 7200 and listed["last_check"] is not None
    shown = json.loads(monitor("show", "1", "--json", ok=True).stdout)
    assert len(shown["versions"]) == 2  # the history stays
    site.put("/live", live(views="trending among readers in Rotterdam"))
    outcomes(monitor)  # the first text without the line
    site.put("/live", live(views="shared widely by dock workers this week"))
    assert outcomes(monitor) == [("unchanged", "same text")]
    monitor("watch", "edit", "1", "--clear-filters", "--name", "", "--tag", "", ok=True)
    cleared = json.loads(monitor("watch", "list", "--json", ok=True).stdout)[0]
    assert (cleared["filters"], cleared["name"], cleared["tags"]) == ([], None, [])
    bad = monitor("watch", "edit", "1", "--xpath", "//[")
    assert bad.exit_code == 1 and bad.stderr.startswith("error: invalid xpath")
    missing = monitor("watch", "edit", "9", "--every", "1h")
    assert missing.exit_code == 1 and "no source 9" in missing.stderr


def test_list_by_tag_and_alerts_by_tag(monitor: Run, site: Site, hook: Hook) -> None:
    shipping = site.put("/ships", live())
    other = site.put("/other", live(status="Rail talks were not affected."))
    monitor("watch", "add", shipping, "--selector", "#story", "--tag", "shipping", ok=True)
    monitor("watch", "add", other, "--selector", "#story", "--tag", "rail", ok=True)
    tagged = json.loads(monitor("watch", "list", "--tag", "shipping", "--json", ok=True).stdout)
    assert [w["url"] for w in tagged] == [shipping]
    channel = monitor("alerts", "add", hook.url, "--kind", "text-change", "--tag", "shipping")
    assert channel.exit_code == 0 and "tag shipping" in channel.output
    monitor("check", ok=True)
    site.put("/ships", live(status="Both sides agreed to meet again on Friday."))
    site.put("/other", live(status="Rail talks resumed on Wednesday in Lyon."))
    assert [o for o, _ in outcomes(monitor)] == ["changed", "changed"]
    monitor("alerts", "flush", ok=True)
    assert [hit.json["data"]["url"] for hit in hook.hits] == [shipping]
    assert hook.hits[0].json["data"]["tags"] == ["shipping"]


def test_headers_take_secrets_from_the_environment(
    monitor: Run, site: Site, db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = site.put("/private", live())
    monkeypatch.setenv("PORT_API_TOKEN", "s3cret-value")
    monitor(
        "watch", "add", url, "--header", "Authorization: Bearer ${PORT_API_TOKEN}",
        "--header", "Accept-Language: fr", "--cookie", "session=${PORT_API_TOKEN}",
        "--user-agent", "desk-monitor/2", ok=True,
    )  # fmt: skip
    assert outcomes(monitor)[0][0] == "new"
    sent = [r for r in site.requests if r["path"] == "/private"][-1]
    assert sent["authorization"] == "Bearer s3cret-value" and sent["accept-language"] == "fr"
    assert sent["cookie"] == "session=s3cret-value" and sent["user-agent"] == "desk-monitor/2"
    with sqlite3.connect(db_path) as db:
        dump = "\n".join(db.iterdump())
    assert "s3cret-value" not in dump and "${PORT_API_TOKEN}" in dump
    listed = monitor("watch", "list", "--json", ok=True).stdout
    assert "s3cret-value" not in listed and "Bearer ${PORT_API_TOKEN}" in listed

    monkeypatch.delenv("PORT_API_TOKEN")
    assert outcomes(monitor) == [("error", "environment variable PORT_API_TOKEN is not set")]


@pytest.mark.parametrize(
    "header",
    ["Authorization: Bearer abc123", "X-Api-Key: abc123", "no colon here", "Bad Name: x"],
)
def test_secrets_in_clear_and_bad_headers_are_refused(
    monitor: Run, site: Site, db_path: Path, header: str
) -> None:
    result = monitor("watch", "add", site.put("/p", live()), "--header", header)
    assert result.exit_code == 1 and result.stderr.startswith("error: header ")
    assert result.stderr.count("\n") == 1
    assert not db_path.exists(), "a refused watch created a database"
