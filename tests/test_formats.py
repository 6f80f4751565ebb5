"""Feeds and PDFs are read for what they are, judged by their bytes, not only by their names:
a feed given to `monitor add` ingests its articles, a PDF is read as text."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar

import pytest
from conftest import Run
from local_site import QuietHandler, serving
from test_watch import page

LINKED = [
    "Hamas said on Tuesday that it had accepted the proposal for a ceasefire in Gaza, "
    "according to a statement released by the group in Doha.",
    "The group said its negotiators would travel to Cairo for further talks on the "
    "exchange of prisoners and the withdrawal of troops.",
    "Israeli officials said they were studying the response and would reply within days.",
]
CARRIED = [
    "Iran said on Wednesday that it would not take part in the talks in Oman unless the "
    "sanctions on its oil exports were lifted first.",
    "The foreign ministry spokesman told reporters in Tehran that the country had shown "
    "patience and that the other side must now show good faith.",
    "Diplomats in Muscat said a new round could still be held before the end of the month.",
]


def rss(base: str) -> bytes:
    """Two items: one that only links its article, one that carries its full text."""
    carried = "".join(f"<p>{p}</p>" for p in CARRIED)
    return f"""<?xml version="1.0" encoding="utf-8"?>
<?xml-stylesheet type="text/xsl" href="/style.xsl"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel>
<title>Example wire</title><link>{base}/</link><description>Latest</description>
<item><title>Hamas accepts ceasefire proposal</title><link>{base}/hamas</link>
<pubDate>Tue, 06 May 2025 09:00:00 GMT</pubDate><description>Hamas said…</description></item>
<item><title>Iran sets condition for Oman talks</title><link>{base}/iran</link>
<pubDate>Wed, 07 May 2025 10:00:00 GMT</pubDate><description>Iran said…</description>
<content:encoded><![CDATA[{carried}]]></content:encoded></item>
</channel></rss>""".encode()


def make_pdf(lines: list[str], title: str | None = None) -> bytes:
    """A one-page PDF whose page shows `lines` in Helvetica, built by hand (objects, xref)."""

    def escape(text: str) -> str:
        return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")

    shown = " ".join(f"({escape(line)}) '" for line in lines)
    stream = f"BT /F1 11 Tf 14 TL 72 740 Td {shown} ET".encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream),
        b"<< /Title (%s) >>" % escape(title or "").encode("latin-1"),
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R /Info 6 0 R >>\n" % (len(objects) + 1)
    out += b"startxref\n%d\n%%%%EOF\n" % xref
    return bytes(out)


# A PDF page breaks sentences into lines; the reader joins them again.
STATEMENT = [
    "Hezbollah said on Monday that it would not lay down its",
    "weapons while Israeli troops remain in southern Lebanon.",
    "Qassem rejected the plan to place all arms under the control",
    "of the Lebanese state by the end of the year.",
]


class Site(QuietHandler):
    """The wire's feed at several addresses and types, its article pages, and a PDF."""

    requested: ClassVar[list[str]] = []
    pdf = make_pdf(STATEMENT, title="Statement on the weapons plan")

    def do_GET(self) -> None:
        type(self).requested.append(self.path)
        base = f"http://{self.headers['Host']}"
        bodies = {
            "/feed.xml": (rss(base), "application/rss+xml"),
            "/updates": (rss(base), "text/xml; charset=utf-8"),
            "/latest": (rss(base), "application/octet-stream"),
            "/hamas": (page(LINKED).encode(), "text/html; charset=utf-8"),
            "/statement.pdf": (type(self).pdf, "application/pdf"),
            "/download": (type(self).pdf, "application/octet-stream"),
        }
        if self.path not in bodies:
            self.send_error(404)
            return
        self.reply(*bodies[self.path])


@pytest.fixture
def site() -> Iterator[str]:
    Site.requested = []
    Site.pdf = make_pdf(STATEMENT, title="Statement on the weapons plan")
    with serving(Site) as base:
        yield base


@pytest.fixture(autouse=True)
def no_delay(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "monitor.toml").write_text("per_host_delay = 0\n")
    monkeypatch.setenv("MONITOR_CONFIG", str(tmp_path / "monitor.toml"))


def documents(monitor: Run) -> list[dict]:
    return json.loads(monitor("list", "--json", ok=True).stdout)


def texts(db_path: Path) -> list[str]:
    from monitor.storage import documents as stored

    with sqlite3.connect(db_path) as conn:
        return [stored.unpack(row[0]) for row in conn.execute("SELECT text_z FROM versions")]


@pytest.mark.parametrize("path", ["/feed.xml", "/updates", "/latest"])
def test_a_feed_url_given_to_add_ingests_its_articles(
    monitor: Run, db_path: Path, site: str, path: str
) -> None:
    rows = json.loads(monitor("add", f"{site}{path}", "--json", ok=True).stdout)
    assert [(r["item"], r["outcome"]) for r in rows] == [
        (f"{site}{path}: {site}/hamas", "new"),
        (f"{site}{path}: {site}/iran", "new"),
    ]
    listed = documents(monitor)
    assert [(d["title"], d["published_at"], d["locator"]) for d in listed] == [
        ("Hamas accepts ceasefire proposal", "2025-05-06", f"{site}/hamas"),
        ("Iran sets condition for Oman talks", "2025-05-07", f"{site}/iran"),
    ]
    stored = texts(db_path)
    assert LINKED[0] in stored[0] and CARRIED[0] in stored[1]
    assert not any("<?xml" in text or "<rss" in text for text in stored)
    assert "/iran" not in Site.requested, "an item carrying its full text was fetched anyway"


def test_a_feed_file_is_recognised_by_its_bytes(monitor: Run, tmp_path: Path, site: str) -> None:
    saved = tmp_path / "export.txt"  # a feed saved under a misleading name
    saved.write_bytes(rss(site))
    rows = json.loads(monitor("add", str(saved), "--json", ok=True).stdout)
    assert [r["outcome"] for r in rows] == ["new", "new"]
    assert [d["title"] for d in documents(monitor)] == [
        "Hamas accepts ceasefire proposal",
        "Iran sets condition for Oman talks",
    ]


def test_a_watched_page_that_is_a_feed_points_to_watch_add_feed(monitor: Run, site: str) -> None:
    monitor("watch", "add", f"{site}/updates", "--no-robots", ok=True)
    (result,) = json.loads(monitor("check", "--json").stdout)
    assert result["outcome"] == "error" and "watch add URL --feed" in result["detail"]
    assert documents(monitor) == []


@pytest.mark.parametrize("name", ["statement.pdf", "statement"])
def test_a_pdf_file_is_read_as_text(monitor: Run, tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_bytes(make_pdf(STATEMENT, title="Statement on the weapons plan"))
    (row,) = json.loads(monitor("add", str(path), "--json", ok=True).stdout)
    assert row["outcome"] == "new"
    shown = json.loads(monitor("show", "1", "--json", ok=True).stdout)
    assert shown["title"] == "Statement on the weapons plan"
    assert shown["text"] == (
        "Hezbollah said on Monday that it would not lay down its weapons while Israeli troops "
        "remain in southern Lebanon.\nQassem rejected the plan to place all arms under the "
        "control of the Lebanese state by the end of the year."
    )
    positions = json.loads(monitor("positions", "Hezbollah", "--json", ok=True).stdout)
    assert positions, "the PDF's text was not analysed"


@pytest.mark.parametrize("path", ["/statement.pdf", "/download"])
def test_a_pdf_url_is_read_as_text(monitor: Run, site: str, path: str) -> None:
    (row,) = json.loads(monitor("add", f"{site}{path}", "--json", ok=True).stdout)
    assert row["outcome"] == "new"
    (listed,) = documents(monitor)
    assert listed["title"] == "Statement on the weapons plan"


def test_a_watched_pdf_records_its_edits(monitor: Run, site: str) -> None:
    monitor("watch", "add", f"{site}/statement.pdf", "--no-robots", ok=True)
    (first,) = json.loads(monitor("check", "--json", ok=True).stdout)
    assert first["outcome"] == "new"
    Site.pdf = make_pdf([*STATEMENT, "Officials said the talks would resume in July."])
    (second,) = json.loads(monitor("check", "--json", ok=True).stdout)
    assert (second["outcome"], second["detail"]) == ("changed", "1 added")
    assert "resume in July" in monitor("diff", "1", ok=True).stdout


@pytest.mark.parametrize(
    "data",
    [
        b"%PDF-1.4\nthis is not really a PDF at all\n",
        make_pdf(STATEMENT)[:300],  # cut off in the middle of its page
    ],
    ids=["garbage", "truncated"],
)
def test_a_corrupt_pdf_is_one_line_and_stores_nothing(
    monitor: Run, tmp_path: Path, data: bytes
) -> None:
    path = tmp_path / "broken.pdf"
    path.write_bytes(data)
    result = monitor("add", str(path), "--json")
    assert result.exit_code == 1
    (row,) = json.loads(result.stdout)
    assert row["outcome"] == "error" and "PDF" in row["detail"]
    assert "\n" not in row["detail"]
    assert documents(monitor) == []
