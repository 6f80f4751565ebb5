"""Per-watch filters: which part of a page is compared, which lines never count, and which
texts are worth an alert. Steps run in their stored order on each fetched body.

A step is one of:
- `json-path EXPR` — the values a JSONPath expression finds in a JSON body, one per line;
- `css SELECTOR` / `xpath EXPR` — only the matching parts of an HTML page;
- `ignore REGEX` — lines matching are dropped before comparing (counters, "5 minutes ago");
- `trigger REGEX` — a changed text counts only when it matches.

Without a selecting step the text is the page's article text, as for any page.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from html import escape
from typing import Any

from monitor.errors import ConfigError, SourceError

KINDS = ("json-path", "css", "xpath", "ignore", "trigger")
_SELECTING = frozenset({"css", "xpath"})
_BLOCK_TAGS = frozenset(
    [
        "p",
        "div",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "li",
        "blockquote",
        "pre",
        "tr",
        "br",
        "section",
        "article",
        "header",
        "footer",
    ]
)


@dataclass(frozen=True)
class Step:
    kind: str
    expr: str

    def label(self) -> str:
        return f"{self.kind} {self.expr}"


@dataclass(frozen=True)
class Applied:
    """The text as it is compared, the lines each step took away, and whether a trigger
    (when there is one) matched."""

    text: str
    removed: list[tuple[str, str]] = field(default_factory=list)
    triggered: bool = True


@dataclass(frozen=True)
class Filters:
    steps: tuple[Step, ...] = ()

    @classmethod
    def build(
        cls,
        *,
        json_path: str | None = None,
        css: Iterable[str] = (),
        xpath: Iterable[str] = (),
        ignore: Iterable[str] = (),
        trigger: Iterable[str] = (),
    ) -> Filters:
        """Steps from command-line options, in the order they run: JSON, selection, lines."""
        given = [("json-path", [json_path] if json_path else [])]
        given += [("css", list(css)), ("xpath", list(xpath))]
        given += [("ignore", list(ignore)), ("trigger", list(trigger))]
        return cls.of(Step(kind, expr) for kind, exprs in given for expr in exprs)

    @classmethod
    def of(cls, steps: Iterable[Step]) -> Filters:
        """Validated steps; a bad expression is a ConfigError naming it."""
        checked = tuple(steps)
        for step in checked:
            _validate(step)
        kinds = {step.kind for step in checked}
        if "json-path" in kinds and kinds & _SELECTING:
            raise ConfigError("json-path reads JSON, css and xpath read HTML: use one or the other")
        return cls(checked)

    @classmethod
    def from_json(cls, text: str | None) -> Filters:
        items = json.loads(text or "[]")
        return cls(tuple(Step(*next(iter(item.items()))) for item in items))

    def to_json(self) -> str:
        return json.dumps(self.as_list(), ensure_ascii=False)

    def as_list(self) -> list[dict[str, str]]:
        return [{step.kind: step.expr} for step in self.steps]

    def merged(self, other: Filters) -> Filters:
        """These steps with every kind `other` sets replaced by `other`'s (for `watch edit`)."""
        kinds = {step.kind for step in other.steps}
        return Filters.of([s for s in self.steps if s.kind not in kinds] + list(other.steps))

    def describe(self) -> str:
        """One line for `watch list`."""
        return "; ".join(step.label() for step in self.steps)

    @property
    def reads_json(self) -> bool:
        return any(step.kind == "json-path" for step in self.steps)

    @property
    def selects(self) -> bool:
        return any(step.kind in _SELECTING | {"json-path"} for step in self.steps)

    def apply(self, body: str, extracted: Callable[[], str]) -> Applied:
        """Run the steps on a decoded body; `extracted` gives the article text when no step
        selects a part. Raises SourceError when a selecting step finds nothing."""
        from monitor.extract import clean

        stage: _Stage = _Stage(body, "raw")
        removed: list[tuple[str, str]] = []
        for step in (s for s in self.steps if s.kind in _SELECTING | {"json-path"}):
            before = stage.lines()
            stage = _select(step, stage)
            kept = set(stage.lines())
            removed += [(step.label(), line) for line in before if line not in kept]
        text = clean(stage.text()) if self.selects else extracted()
        triggered = True
        for step in self.steps:
            if step.kind == "ignore":
                pattern = re.compile(step.expr)
                lines = text.split("\n")
                removed += [(step.label(), line) for line in lines if pattern.search(line)]
                text = "\n".join(line for line in lines if not pattern.search(line))
            elif step.kind == "trigger":
                triggered = triggered and re.search(step.expr, text) is not None
        if not text.strip():
            raise SourceError(f"no text left after the filters ({self.describe()})")
        return Applied(text, removed, triggered)


@dataclass(frozen=True)
class _Stage:
    """What a step works on: the raw body, selected HTML, or plain text lines."""

    value: str
    form: str  # raw | html | text

    def text(self) -> str:
        return self.value if self.form == "text" else _block_text(self.value)

    def lines(self) -> list[str]:
        from monitor.text import normalise

        if self.form == "raw" and not _looks_like_html(self.value):
            return []
        return [line for line in normalise(self.text()).split("\n") if line.strip()]


def _looks_like_html(value: str) -> bool:
    return value.lstrip()[:1] == "<"


def _select(step: Step, stage: _Stage) -> _Stage:
    if step.kind == "json-path":
        return _Stage(_json_lines(step.expr, stage.value), "text")
    import lxml.html

    tree = lxml.html.fromstring(stage.value or "<html></html>")
    found = tree.cssselect(step.expr) if step.kind == "css" else tree.xpath(step.expr)
    if not isinstance(found, list):  # an XPath number, string or boolean
        found = [found]
    parts = [_fragment(item) for item in found]
    if not any(part.strip() for part in parts):
        raise SourceError(f"{step.kind} {step.expr!r} matched no text")
    return _Stage("<div>" + "".join(parts) + "</div>", "html")


def _fragment(item: Any) -> str:
    import lxml.html

    if isinstance(item, lxml.html.HtmlElement):
        return lxml.html.tostring(item, encoding="unicode", with_tail=False)
    return f"<p>{escape(str(item))}</p>"


def _json_lines(expr: str, body: str) -> str:
    from jsonpath_ng.ext import parse

    try:
        data = json.loads(body)
    except ValueError as exc:
        raise SourceError(f"json-path needs a JSON body: {exc}") from None
    values = [match.value for match in parse(expr).find(data)]
    if not values:
        raise SourceError(f"json-path {expr!r} matched nothing")
    return "\n".join(
        v if isinstance(v, str) else json.dumps(v, ensure_ascii=False, sort_keys=True)
        for v in values
    )


def _block_text(html: str) -> str:
    """The text of an HTML fragment, one line per block element."""
    import lxml.html

    tree = lxml.html.fromstring(html or "<html></html>")
    for node in tree.iter():
        if isinstance(node.tag, str) and node.tag in _BLOCK_TAGS:
            node.tail = "\n" + (node.tail or "")
            node.text = "\n" + (node.text or "")
    for node in list(tree.iter("script", "style", "template")):
        node.drop_tree()
    return str(tree.text_content())


def _validate(step: Step) -> None:
    if step.kind not in KINDS:
        raise ConfigError(f"unknown filter {step.kind!r} (choose from {', '.join(KINDS)})")
    if not step.expr.strip():
        raise ConfigError(f"empty {step.kind} filter")
    check = _CHECKS[step.kind]
    try:
        check(step.expr)
    except Exception as exc:  # each library raises its own types for bad syntax
        detail = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise ConfigError(f"invalid {step.kind} {step.expr!r}: {detail}") from None


def _check_css(expr: str) -> None:
    import lxml.html

    lxml.html.fromstring("<p></p>").cssselect(expr)


def _check_xpath(expr: str) -> None:
    import lxml.etree

    lxml.etree.XPath(expr)


def _check_json_path(expr: str) -> None:
    from jsonpath_ng.ext import parse

    parse(expr)


_CHECKS: Mapping[str, Callable[[str], object]] = {
    "json-path": _check_json_path,
    "css": _check_css,
    "xpath": _check_xpath,
    "ignore": re.compile,
    "trigger": re.compile,
}
