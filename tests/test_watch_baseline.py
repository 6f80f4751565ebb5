"""A watched page owns its history from the first fetch, even when that text is stored already."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import Run
from local_site import QuietHandler, serving
from test_watch import PARAGRAPHS, page


class EditablePage(QuietHandler):
    """`/story`: the page in `body`, which the test edits between checks."""

    body = page().encode()

    def do_GET(self) -> None:
        if self.path != "/story":
            self.send_error(404)
            return
        self.reply(type(self).body)


def test_a_watched_copy_of_a_stored_page_records_its_first_edit(
    monitor: Run, tmp_path: Path
) -> None:
    saved = tmp_path / "page.html"
    saved.write_text(page(), encoding="utf-8")
    monitor("add", str(saved), ok=True)
    with serving(EditablePage) as base:
        url = f"{base}/story"
        monitor("watch", "add", url, "--no-robots", ok=True)
        (first,) = json.loads(monitor("check", "--json", ok=True).stdout)
        assert first["outcome"] == "new"
        assert first["detail"] == "document 2, same text as document 1"

        edited = [*PARAGRAPHS[:3], "Qassem later said the group would consider the plan."]
        EditablePage.body = page(edited).encode()
        (second,) = json.loads(monitor("check", "--json", ok=True).stdout)
    assert second["outcome"] == "changed", second
    shown = json.loads(monitor("show", "2", "--json", ok=True).stdout)
    assert shown["locator"] == url and len(shown["versions"]) == 2
    change = monitor("diff", "2", ok=True).stdout
    assert "consider the plan" in change
    assert json.loads(monitor("show", "1", "--json", ok=True).stdout)["versions"][0]["number"] == 1
