"""Watches in and out: urlwatch job files (`urls.yaml`), OPML subscription lists, JSON.

Reading a file gives one `Job` per entry, each with the problems found in it: a key or
filter this monitor has no equivalent for is named in the job's report, never dropped
without a word, and a job that cannot work is not added at all.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from monitor import config
from monitor.errors import ConfigError, MonitorError
from monitor.page_filters import Filters, Step
from monitor.request_settings import RequestSettings
from monitor.storage import Connection, sources
from monitor.watch import Options, add_source

FORMATS = ("yaml", "opml", "json")
# urlwatch filters and the steps they become; html2text is what a page's text is anyway.
_URLWATCH_FILTERS = {"css": "css", "xpath": "xpath", "grepi": "ignore"}
_ELEMENT_BY = {"element-by-id": "#{}", "element-by-class": ".{}", "element-by-tag": "{}"}
_OUR_FILTERS = {"ignore", "trigger", "json-path"}
_TEXT_ONLY = {"html2text", "strip"}
# Keys of a urlwatch job that are taken over (`navigate` and `use_browser` are its browser
# jobs); `every`, `tags`, `feed` and `case_sensitive` are this monitor's own additions,
# written by `watch export --format yaml`.
_KNOWN_KEYS = {
    "url", "navigate", "name", "filter", "max_tries", "headers", "cookies", "kind",
    "use_browser", "every", "tags", "feed", "case_sensitive",
}  # fmt: skip


@dataclass
class Job:
    """One watch as a file describes it, and what could not be taken over."""

    label: str
    url: str | None = None
    feed: bool = False
    every_s: int | None = None
    options: Options = field(default_factory=Options)
    notes: list[str] = field(default_factory=list)  # taken over without these parts
    error: str | None = None  # not added at all


def read(path: Path, fmt: str | None = None) -> list[Job]:
    """The jobs in a urlwatch YAML, OPML or JSON file (by `fmt` or by the file's suffix)."""
    fmt = fmt or _format_of(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read {path}: {exc}") from None
    if fmt == "opml":
        return _from_opml(text, path)
    if fmt == "json":
        return [_job(f"job {n}", entry) for n, entry in enumerate(_json_list(text, path), 1)]
    return [_job(f"job {n}", entry) for n, entry in enumerate(_yaml_documents(text, path), 1)]


def add_jobs(
    db: Connection, jobs: Iterable[Job], *, now: datetime, default_every_s: int
) -> list[dict[str, Any]]:
    """Add each job as a watch; one report per job, added or not, with its notes."""
    results = []
    for job in jobs:
        result: dict[str, Any] = {"job": job.label, "url": job.url, "notes": job.notes}
        if job.error is None and job.url:
            try:
                result["source"] = add_source(
                    db,
                    job.url,
                    now=now,
                    interval_s=job.every_s or default_every_s,
                    feed=job.feed,
                    options=job.options,
                )
            except MonitorError as exc:
                job.error = str(exc)
        results.append({**result, "error": job.error, "added": job.error is None})
    return results


def _format_of(path: Path) -> str:
    suffix = path.suffix.lower().lstrip(".")
    if suffix in ("yaml", "yml"):
        return "yaml"
    if suffix in ("opml", "xml"):
        return "opml"
    if suffix == "json":
        return "json"
    raise ConfigError(f"{path}: cannot tell the format from the name (give --format)")


def _yaml_documents(text: str, path: Path) -> list[Any]:
    import yaml

    try:
        return [doc for doc in yaml.safe_load_all(text) if doc is not None]
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: not valid YAML: {str(exc).splitlines()[0]}") from None


def _json_list(text: str, path: Path) -> list[Any]:
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise ConfigError(f"{path}: not valid JSON: {exc}") from None
    if not isinstance(data, list):
        raise ConfigError(f"{path}: expected a list of watches")
    return data


def _job(label: str, entry: Any) -> Job:
    if not isinstance(entry, Mapping):
        return Job(label, error="not a mapping of keys")
    name = entry.get("name")
    job = Job(f"{label} ({name})" if name else label, url=entry.get("url") or entry.get("navigate"))
    if job.url is None:
        job.error = "command jobs are not supported" if "command" in entry else "no url"
        return job
    job.notes += [f"key {key!r} is not supported" for key in entry if key not in _KNOWN_KEYS]
    try:
        steps = _steps(entry.get("filter"), job.notes)
        headers = [f"{k}: {v}" for k, v in (entry.get("headers") or {}).items()]
        cookies = entry.get("cookies") or {}
        cookie = "; ".join(f"{k}={v}" for k, v in cookies.items()) or None
        tags = entry.get("tags") or []
        job.options = Options(
            filters=Filters.of(steps),
            name=name,
            tags=tuple(map(str, tags)) if isinstance(tags, list) else tuple(str(tags).split(",")),
            request=RequestSettings.build(headers, cookie),
            browser=bool(entry.get("use_browser"))
            or "navigate" in entry
            or entry.get("kind") == "browser",
            case_sensitive=bool(entry.get("case_sensitive")),
            fail_after=int(entry["max_tries"]) if "max_tries" in entry else None,
        )
        job.feed = bool(entry.get("feed")) or entry.get("kind") == "feed"
        job.every_s = config.parse_interval(str(entry["every"])) if "every" in entry else None
    except (MonitorError, ValueError, TypeError, AttributeError) as exc:
        job.error = str(exc)
    return job


def _steps(spec: Any, notes: list[str]) -> list[Step]:
    """urlwatch's `filter`: "css:main,html2text", or a list of names and {name: arg}."""
    if spec is None:
        return []
    items: list[Any] = spec.split(",") if isinstance(spec, str) else list(spec)
    steps = []
    for item in items:
        if isinstance(item, str):
            name, _, arg = item.strip().partition(":")
        elif isinstance(item, Mapping) and len(item) == 1:
            name, arg = next(iter(item.items()))
        else:
            raise ConfigError(f"filter {item!r} is not a name or a {{name: argument}}")
        if isinstance(arg, Mapping):  # {css: {selector: …}} / {xpath: {path: …}}
            arg = arg.get("selector") or arg.get("path") or arg.get("pattern") or ""
        if name in _TEXT_ONLY:
            continue
        if name in _ELEMENT_BY:
            name, arg = "css", _ELEMENT_BY[name].format(arg)
        kind = _URLWATCH_FILTERS.get(name) or (name if name in _OUR_FILTERS else None)
        if kind is None:
            notes.append(f"filter {name!r} is not supported")
            continue
        steps.append(Step(kind, str(arg)))
    return steps


def _from_opml(text: str, path: Path) -> list[Job]:
    import lxml.etree

    parser = lxml.etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
    try:
        root = lxml.etree.fromstring(text.encode("utf-8"), parser)
    except lxml.etree.XMLSyntaxError as exc:
        raise ConfigError(f"{path}: not valid OPML: {exc}") from None
    jobs = []
    for number, outline in enumerate(root.iter("outline"), 1):
        feed_url, page_url = outline.get("xmlUrl"), outline.get("url")
        if not feed_url and not (page_url and outline.get("type") == "link"):
            continue  # a folder: its name is a tag of the outlines inside it
        name = outline.get("title") or outline.get("text")
        folders = [o.get("text") or o.get("title") for o in outline.iterancestors("outline")]
        categories = (outline.get("category") or "").replace("/", ",").split(",")
        tags = {_tag(t) for t in [*folders, *categories] if t and t.strip()}
        job = Job(f"outline {number} ({name})" if name else f"outline {number}")
        job.url, job.feed = feed_url or page_url, bool(feed_url)
        try:
            job.options = Options(name=name, tags=tuple(sorted(tags)))
            job.options.columns()
        except MonitorError as exc:
            job.error = str(exc)
        jobs.append(job)
    return jobs


def _tag(text: str) -> str:
    return "-".join(text.lower().split())


# export --------------------------------------------------------------------------------


def export(db: Connection, fmt: str) -> tuple[str, list[str]]:
    """Every watch (not the articles a feed found) in `fmt`; and notes on what the format
    cannot hold."""
    rows = [row for row in sources.listing(db) if row["parent_id"] is None]
    entries = [_entry(row) for row in rows]
    if fmt == "json":
        return json.dumps(entries, indent=2, ensure_ascii=False) + "\n", []
    if fmt == "yaml":
        return _to_yaml(entries)
    if fmt == "opml":
        return _to_opml(entries)
    raise ConfigError(f"unknown format {fmt!r} (choose from {', '.join(FORMATS)})")


def _entry(row: Mapping[str, Any]) -> dict[str, Any]:
    entry: dict[str, Any] = {"url": row["locator"], "every": f"{row['interval_s']}s"}
    if row["kind"] == "feed":
        entry["feed"] = True
    for key, value in (
        ("name", row["name"]),
        ("tags", json.loads(row["tags"])),
        ("filter", json.loads(row["filters"])),
        ("headers", dict(RequestSettings.from_json(row["request"]).headers)),
        ("max_tries", row["fail_after"]),
        ("use_browser", bool(row["browser"])),
        ("case_sensitive", bool(row["case_sensitive"])),
    ):
        if value:
            entry[key] = value
    return entry


def _to_yaml(entries: list[dict[str, Any]]) -> tuple[str, list[str]]:
    import yaml

    notes = []
    urlwatch_names = {kind: name for name, kind in _URLWATCH_FILTERS.items()}
    for entry in entries:
        steps = []
        for step in entry.get("filter", []):
            ((kind, expr),) = step.items()
            if kind not in urlwatch_names:
                notes.append(f"{entry['url']}: urlwatch has no {kind} filter; written as {kind}")
            steps.append({urlwatch_names.get(kind, kind): expr})
        if steps:
            entry["filter"] = steps
    documents = yaml.safe_dump_all(entries, sort_keys=False, allow_unicode=True)
    return documents, notes


def _to_opml(entries: list[dict[str, Any]]) -> tuple[str, list[str]]:
    import lxml.etree

    root = lxml.etree.Element("opml", version="2.0")
    lxml.etree.SubElement(lxml.etree.SubElement(root, "head"), "title").text = "Watches"
    body = lxml.etree.SubElement(root, "body")
    notes = []
    for entry in entries:
        name = entry.get("name") or entry["url"]
        attributes = {"text": name, "title": name}
        if entry.get("feed"):
            attributes.update(type="rss", xmlUrl=entry["url"])
        else:
            attributes.update(type="link", url=entry["url"])
        if entry.get("tags"):
            attributes["category"] = ",".join(entry["tags"])
        kept = ("filter", "headers", "max_tries", "use_browser", "case_sensitive")
        lost = [key for key in kept if key in entry]
        if lost:
            notes.append(f"{entry['url']}: OPML cannot hold {', '.join(lost)}; left out")
        lxml.etree.SubElement(body, "outline", attributes)
    text = lxml.etree.tostring(root, pretty_print=True, xml_declaration=True, encoding="UTF-8")
    return text.decode("utf-8"), notes
