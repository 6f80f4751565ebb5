"""Local HTTP servers and database checks shared by the end-to-end and crash tests."""

from __future__ import annotations

import sqlite3
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class QuietHandler(BaseHTTPRequestHandler):
    """A handler that answers with `reply` and keeps the test output clean."""

    protocol_version = "HTTP/1.1"

    def reply(self, body: bytes, content_type: str = "text/html; charset=utf-8") -> None:
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *_args: object) -> None:
        pass


class ChangingPages(QuietHandler):
    """`/p/N`: article pages; every tenth one gets a new edition each second."""

    def footer(self) -> str:
        return "<footer>Archive</footer>"

    def do_GET(self) -> None:
        if not self.path.startswith("/p/"):
            self.send_error(404)
            return
        number = int(self.path.rsplit("/", 1)[1])
        edition = int(time.time()) if number % 10 == 0 else 0
        self.reply(
            (
                f"<html><head><title>Page {number}</title></head><body><article>"
                f"<h1>Statement {number}</h1><p>Hezbollah said in statement {number} that it"
                f" would not lay down its weapons, edition {edition}.</p><p>Iran urged patience"
                f" once more in the talks about the ceasefire and the border, officials said."
                f"</p></article>{self.footer()}</body></html>"
            ).encode()
        )


class EditablePages(QuietHandler):
    """Pages by path that a test edits between rounds; every request's headers are kept."""

    pages: dict[str, tuple[str, bytes]]  # path -> (content type, body)
    requests: list[dict[str, str]]

    def do_GET(self) -> None:
        self.requests.append({"path": self.path, **{k.lower(): v for k, v in self.headers.items()}})
        if self.path not in self.pages:
            self.send_error(404)
            return
        content_type, body = self.pages[self.path]
        self.reply(body, content_type)


@dataclass
class Site:
    base: str
    pages: dict[str, tuple[str, bytes]]
    requests: list[dict[str, str]]

    def put(self, path: str, body: str, content_type: str = "text/html; charset=utf-8") -> str:
        """Serve `body` at `path` from now on; its URL."""
        self.pages[path] = (content_type, body.encode("utf-8"))
        return self.base + path


@contextmanager
def editable_site() -> Iterator[Site]:
    """A local site whose pages the test sets with `put`."""
    handler = type("Pages", (EditablePages,), {"pages": {}, "requests": []})
    with serving(handler) as base:
        yield Site(base, handler.pages, handler.requests)


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        if not isinstance(sys.exc_info()[1], ConnectionError):  # a killed client hung up
            super().handle_error(request, client_address)


@contextmanager
def serving(handler: type[BaseHTTPRequestHandler]) -> Iterator[str]:
    """Serve `handler` on 127.0.0.1 in a thread; yields the base URL."""
    server = _Server(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def assert_sound(conn: sqlite3.Connection) -> None:
    """Intact file, and nothing half-written: every document has its current version, no
    locator is stored twice, no text twice for one document."""
    assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
    orphans = conn.execute(
        "SELECT COUNT(*) FROM documents d WHERE d.current_version_id IS NULL OR NOT EXISTS "
        "(SELECT 1 FROM versions v WHERE v.id = d.current_version_id AND v.document_id = d.id)"
    ).fetchone()[0]
    assert orphans == 0, "a document without its current version was left behind"
    duplicates = conn.execute(
        "SELECT COUNT(*) FROM (SELECT locator FROM documents GROUP BY locator HAVING COUNT(*) > 1)"
    ).fetchone()[0]
    assert duplicates == 0, "a locator is stored as two documents"
    twice = conn.execute(
        "SELECT COUNT(*) FROM (SELECT document_id FROM versions "
        "GROUP BY document_id, text_hash HAVING COUNT(*) > 1)"
    ).fetchone()[0]
    assert twice == 0, "the same text is stored twice as versions of one document"
