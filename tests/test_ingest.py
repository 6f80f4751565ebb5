"""Ingest end to end through the CLI: seeds, files, stdin, JSON lines, versions, bad input."""

from __future__ import annotations

import json
import zlib
from pathlib import Path

import pytest
from conftest import SEEDS, Run, Sql

from monitor.storage import connect

pytestmark = pytest.mark.backends


def _docs(monitor: Run) -> list[dict]:
    return json.loads(monitor("list", "--json", ok=True).stdout)


def test_seeds_round_trip(monitor: Run, sql: Sql) -> None:
    first = json.loads(monitor("seed", str(SEEDS), "--json", ok=True).stdout)
    assert [r["outcome"] for r in first] == ["new"] * 5
    docs = _docs(monitor)
    assert [d["published_at"] for d in docs] == [
        "2023-11-15",
        "2024-08-05",
        "2024-10-04",
        "2025-06-21",
        "2025-07-07",
    ]
    assert all(d["is_baseline"] == 1 and d["date_source"] == "given" for d in docs)
    again = json.loads(monitor("seed", str(SEEDS), "--json", ok=True).stdout)
    assert [r["outcome"] for r in again] == ["unchanged"] * 5
    assert sql("SELECT COUNT(*) FROM versions") == [(5,)]


def test_seed_text_is_cleaned_and_raw_kept(monitor: Run, sql: Sql) -> None:
    monitor("seed", str(SEEDS), ok=True)
    forum = json.loads(monitor("show", "seed:001_045850bfa65140f1.txt", "--json", ok=True).stdout)
    assert forum["text"].count("We will not retreat one step") == 1
    assert "Uploaded files" not in forum["text"]
    assert "Mini-MBA" not in forum["text"]
    blog = json.loads(monitor("show", "seed:000_093b8aa3ec283c90.txt", "--json", ok=True).stdout)
    assert "YOU MAY ALSO LIKE" not in blog["text"]
    (raw,) = sql("SELECT raw FROM versions WHERE document_id = 2")[0]
    original = (SEEDS / "001_045850bfa65140f1.txt").read_bytes()
    assert zlib.decompress(raw) == original


def test_dates_found_in_text_metadata_or_reported_missing(monitor: Run, tmp_path: Path) -> None:
    (tmp_path / "iso.txt").write_text("date 2025-07-07 Qassem spoke on Sunday.\nMore text.\n")
    (tmp_path / "prose.md").write_text("# Statement\nPublished October 4, 2024. Iran spoke.\n")
    (tmp_path / "page.html").write_text(
        "<html><head><title>T</title>"
        '<meta property="article:published_time" content="2024-08-05T10:00:00Z">'
        '<meta property="og:site_name" content="Example Wire"></head><body><article>'
        "<h1>Iran urges patience</h1><p>"
        + "Iran's Revolutionary Guards urged patience in responding to the killings. " * 4
        + "</p></article><footer>© 2021 Example</footer></body></html>"
    )
    (tmp_path / "undated.txt").write_text("Hamas said nothing new today.\n")
    rows = json.loads(monitor("add", str(tmp_path), "--json", ok=True).stdout)
    by_name = {Path(r["item"]).name: r for r in rows}
    assert by_name["undated.txt"]["detail"] == "no publication date found; pass --date"
    docs = {Path(d["locator"]).name: d for d in _docs(monitor)}
    assert docs["iso.txt"]["published_at"] == "2025-07-07"
    assert docs["prose.md"]["published_at"] == "2024-10-04"
    assert docs["prose.md"]["title"] == "Statement"
    assert docs["page.html"]["published_at"] == "2024-08-05"
    assert docs["page.html"]["date_source"] == "metadata"
    assert docs["page.html"]["outlet"] == "Example Wire"
    assert docs["undated.txt"]["published_at"] is None


def test_given_metadata_wins(monitor: Run, tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_text("date 2025-07-07 Qassem spoke.\n")
    monitor("add", str(path), "--date", "2025-07-06", "--title", "T", "--outlet", "AFP", ok=True)
    (doc,) = _docs(monitor)
    assert (doc["published_at"], doc["title"], doc["outlet"]) == ("2025-07-06", "T", "AFP")


def test_versions_edit_revert_and_whitespace(monitor: Run, sql: Sql, tmp_path: Path) -> None:
    path = tmp_path / "statement.txt"
    path.write_text("Hezbollah will not lay down its weapons.\nThe envoy arrives Monday.\n")
    assert "new" in monitor("add", str(path), ok=True).stdout
    path.write_text("Hezbollah  will not lay down its weapons. \n\nThe envoy arrives Monday.\n")
    assert "unchanged" in monitor("add", str(path), ok=True).stdout
    path.write_text("Hezbollah will lay down its weapons.\nThe envoy arrives Monday.\n")
    assert "changed" in monitor("add", str(path), ok=True).stdout
    path.write_text("Hezbollah will not lay down its weapons.\nThe envoy arrives Monday.\n")
    assert "reverted" in monitor("add", str(path), ok=True).stdout
    assert sql("SELECT COUNT(*) FROM versions") == [(2,)]
    assert sql("SELECT kind FROM text_changes ORDER BY id") == [("edit",), ("revert",)]
    shown = json.loads(monitor("show", "1", "--json", ok=True).stdout)
    assert [v["current"] for v in shown["versions"]] == [True, False]
    assert [(c["from"], c["to"], c["kind"]) for c in shown["changes"]] == [
        (1, 2, "edit"),
        (2, 1, "revert"),
    ]


def test_same_text_elsewhere_is_not_stored_twice(monitor: Run, sql: Sql) -> None:
    monitor("seed", str(SEEDS), ok=True)
    result = monitor("add", str(SEEDS / "004_abe445b97e29c23e.txt"), "--json", ok=True)
    (row,) = json.loads(result.stdout)
    assert row["outcome"] == "unchanged"
    assert row["detail"] == "same text as document 5"
    assert sql("SELECT COUNT(*) FROM documents") == [(5,)]


def test_stdin_and_json_lines(monitor: Run, tmp_path: Path) -> None:
    result = monitor("add", "-", "--title", "Piped", input="Iran said it would not intervene.\n")
    assert result.exit_code == 0 and "new" in result.stdout
    lines = tmp_path / "archive.jsonl"
    lines.write_text(
        json.dumps({"text": "Hamas spoke.", "url": "https://a.example/1", "date": "2024-01-02"})
        + "\n{not json\n"
        + json.dumps({"html": "<p>" + "Israel said it was prepared to fight. " * 5 + "</p>"})
        + "\n"
        + json.dumps({"title": "no body"})
        + "\n"
    )
    rows = json.loads(monitor("add", str(lines), "--json").stdout)
    assert [r["outcome"] for r in rows] == ["new", "error", "new", "error"]
    assert rows[1]["item"].endswith("archive.jsonl:2")
    assert rows[3]["detail"] == "no 'text' or 'html' field"
    docs = {d["locator"]: d for d in _docs(monitor)}
    (piped,) = [d for d in docs.values() if d["title"] == "Piped"]
    assert piped["published_at"] is None and piped["locator"].startswith("sha256:")
    assert docs["https://a.example/1"]["published_at"] == "2024-01-02"


def test_bad_inputs_fail_alone_with_one_line(monitor: Run, tmp_path: Path) -> None:
    batch = tmp_path / "batch"
    batch.mkdir()
    (batch / "good.txt").write_text("Iran will not enter the war directly.\n")
    (batch / "empty.txt").write_bytes(b"")
    (batch / "binary.txt").write_bytes(bytes(range(256)) * 10)
    (batch / "latin1.txt").write_bytes("Le Liban a réagi à la déclaration.\n".encode("cp1252"))
    (batch / "dangling.txt").symlink_to(tmp_path / "missing.txt")
    with (batch / "huge.txt").open("wb") as handle:
        handle.truncate(50 * 1024 * 1024)
    result = monitor("add", str(batch), "--json")
    assert result.exit_code == 1  # some items failed; the good ones are stored all the same
    outcomes = {
        Path(r["item"]).name: (r["outcome"], r["detail"]) for r in json.loads(result.stdout)
    }
    assert outcomes["good.txt"][0] == outcomes["latin1.txt"][0] == "new"
    assert outcomes["empty.txt"] == ("error", "empty input")
    assert outcomes["binary.txt"][0] == "error" and "binary" in outcomes["binary.txt"][1]
    assert outcomes["dangling.txt"][0] == "error" and "cannot read" in outcomes["dangling.txt"][1]
    assert outcomes["huge.txt"] == ("error", "too large (50.0 MB, limit 20 MB)")
    texts = [
        json.loads(monitor("show", str(d["id"]), "--json").stdout)["text"] for d in _docs(monitor)
    ]
    assert "Le Liban a réagi à la déclaration." in texts


def test_nothing_ingested_exits_non_zero(monitor: Run, tmp_path: Path) -> None:
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    result = monitor("add", str(empty))
    assert result.exit_code == 1
    assert "failed: " + str(empty) in result.stdout
    missing = monitor("add", str(tmp_path / "nope.txt"))
    assert missing.exit_code == 1 and "no such file or directory" in missing.stdout


def test_unknown_document_and_bad_date(monitor: Run) -> None:
    monitor("add", "-", input="Iran said it would wait.\n", ok=True)
    result = monitor("show", "42")
    assert result.exit_code == 1
    assert result.stderr == "error: no document '42' in the database\n"
    bad = monitor("add", "-", "--date", "2024-02-30", input="x")
    assert bad.exit_code == 2
    assert "invalid date '2024-02-30': expected YYYY-MM-DD" in bad.stderr


def test_failed_document_leaves_nothing_half_written(
    monitor: Run, sql: Sql, backend: str, db_url: str, tmp_path: Path
) -> None:
    connect(db_url).close()  # an empty database with the schema
    if backend == "sqlite":
        sql(
            "CREATE TRIGGER refuse BEFORE INSERT ON versions WHEN new.document_id IN "
            "(SELECT id FROM documents WHERE locator LIKE '%a.txt') "
            "BEGIN SELECT RAISE(ABORT, 'disk says no'); END"
        )
    else:
        sql(
            "CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            "IF NEW.document_id IN (SELECT id FROM documents WHERE locator LIKE '%a.txt') "
            "THEN RAISE EXCEPTION 'disk says no'; END IF; RETURN NEW; END $$"
        )
        sql(
            "CREATE TRIGGER refuse BEFORE INSERT ON versions FOR EACH ROW EXECUTE FUNCTION refuse()"
        )
    (tmp_path / "a.txt").write_text("POISON in the text.\n")
    (tmp_path / "b.txt").write_text("Clean text.\n")
    rows = json.loads(monitor("add", str(tmp_path), "--json").stdout)
    assert [(Path(r["item"]).name, r["outcome"]) for r in rows] == [
        ("a.txt", "error"),
        ("b.txt", "new"),
    ]
    assert "disk says no" in rows[0]["detail"]
    assert sql("SELECT locator LIKE '%b.txt' FROM documents") == [(1,)]
    if backend == "sqlite":
        assert sql("PRAGMA integrity_check") == [("ok",)]


def test_re_adding_keeps_the_stored_date_and_reports_a_new_one(
    monitor: Run, tmp_path: Path
) -> None:
    """Without --date a stored date is kept (no "pass --date"); a new --date alone is a
    date change, and the positions move with it."""
    article = tmp_path / "speech.txt"
    article.write_text(
        "Hezbollah will never surrender its weapons, Naim Qassem said in a speech on Sunday.\n"
    )
    monitor("add", str(article), "--date", "2025-03-02", ok=True)

    (again,) = json.loads(monitor("add", str(article), "--json", ok=True).stdout)
    assert (again["outcome"], again["detail"]) == ("unchanged", "dated 2025-03-02 (as stored)")

    (redated,) = json.loads(
        monitor("add", str(article), "--date", "2025-03-09", "--json", ok=True).stdout
    )
    assert redated["outcome"] == "redated"
    assert redated["detail"] == "publication date 2025-03-02 → 2025-03-09"
    assert _docs(monitor)[0]["published_at"] == "2025-03-09"
    timelines = json.loads(monitor("positions", "Hezbollah", "--json", ok=True).stdout)
    dates = {p["date"] for t in timelines for p in t["positions"]}
    assert dates == {"2025-03-09"}
