"""Per-watch request settings: extra headers, a cookie, a User-Agent.

Secrets never reach the database: a header that carries credentials (Authorization, a
cookie, an API key or token) must name an environment variable, `${API_TOKEN}`, which is
stored as written and expanded only when the request is made.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from monitor.errors import ConfigError, SourceError

_REFERENCE = re.compile(r"\$\{([^}]*)\}")
_VARIABLE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_TOKEN = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")  # an HTTP header name
_SECRET_NAME = re.compile(r"authorization|cookie|token|secret|password|api-?key|auth", re.I)


@dataclass(frozen=True)
class RequestSettings:
    headers: tuple[tuple[str, str], ...] = ()

    @classmethod
    def build(
        cls,
        headers: Iterable[str] = (),
        cookie: str | None = None,
        user_agent: str | None = None,
    ) -> RequestSettings:
        """From `Name: value` strings, a cookie and a User-Agent; refused when a secret is
        given in clear or a header is malformed."""
        pairs = [_split(header) for header in headers]
        if cookie:
            pairs.append(("Cookie", cookie))
        if user_agent:
            pairs.append(("User-Agent", user_agent))
        for name, value in pairs:
            _check(name, value)
        return cls(tuple(pairs))

    @classmethod
    def from_json(cls, text: str | None) -> RequestSettings:
        return cls(tuple((name, value) for name, value in json.loads(text or "[]")))

    def to_json(self) -> str:
        return json.dumps([list(pair) for pair in self.headers], ensure_ascii=False)

    def merged(self, other: RequestSettings) -> RequestSettings:
        """These headers with those `other` names replaced (for `watch edit`)."""
        names = {name.lower() for name, _ in other.headers}
        kept = [pair for pair in self.headers if pair[0].lower() not in names]
        return RequestSettings((*kept, *other.headers))

    def describe(self) -> str:
        """Names and stored values: references, never what they expand to."""
        return "; ".join(f"{name}: {value}" for name, value in self.headers)

    def resolve(self, environ: Mapping[str, str]) -> dict[str, str]:
        """The headers to send, each `${VAR}` replaced by its value; SourceError when unset."""
        try:
            return {name: expand(value, environ) for name, value in self.headers}
        except LookupError as exc:
            raise SourceError(f"environment variable {exc.args[0]} is not set") from None


def expand(text: str, environ: Mapping[str, str]) -> str:
    """`text` with each `${VAR}` replaced by its value; LookupError(VAR) when one is unset."""

    def value(match: re.Match[str]) -> str:
        if match.group(1) not in environ:
            raise LookupError(match.group(1))
        return environ[match.group(1)]

    return _REFERENCE.sub(value, text)


def _split(header: str) -> tuple[str, str]:
    name, colon, value = header.partition(":")
    if not colon or not _TOKEN.fullmatch(name.strip()):
        raise ConfigError(f"header {header!r} is not 'Name: value'")
    return name.strip(), value.strip()


def _check(name: str, value: str) -> None:
    if any(ord(c) < 32 for c in value):
        raise ConfigError(f"header {name} has control characters")
    references = _REFERENCE.findall(value)
    for variable in references:
        if not _VARIABLE.fullmatch(variable):
            raise ConfigError(f"header {name}: ${{{variable}}} is not an environment variable name")
    if _SECRET_NAME.search(name) and not references:
        raise ConfigError(
            f"header {name} carries a secret: give it as an environment variable, "
            f"e.g. '{name}: Bearer ${{API_TOKEN}}'"
        )
