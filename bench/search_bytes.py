"""What a reader's phone downloads to search: the bytes of a first and a repeat query, measured
in Chromium on a built site served as GitHub Pages serves it (gzip for text, `max-age=600`).

Used by tests/test_search.py (the budgets) and bench/run.py (the table). Chromium is started
by tests/chromium.py, as in the tests."""

from __future__ import annotations

import gzip
import os
import threading
from dataclasses import dataclass
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

PREFIX = "/digest"
# Per kind of query, a first query on a fresh phone, then another on the same phone.
QUERIES = {"one word": ("Examplecity", "scanner"), "two words": ("language school", "health card")}
COMPRESSED = (".html", ".css", ".js", ".json", ".xml", ".txt")   # Pagefind's own files come gzipped
DONE_JS = "document.getElementById('search-status').textContent.includes(':')"
TRANSFERRED_JS = """() => performance.getEntriesByType('navigation').concat(performance.getEntriesByType('resource'))
  .map(e => [e.name, e.transferSize])"""


class PagesHandler(SimpleHTTPRequestHandler):
    """A built site under /digest/, text gzipped and every file cacheable for ten minutes."""

    def translate_path(self, path: str) -> str:
        path = urlsplit(path).path
        if path != PREFIX and not path.startswith(PREFIX + "/"):
            return str(Path(self.directory) / "missing")
        return super().translate_path(path[len(PREFIX):] or "/")

    def end_headers(self) -> None:
        self.send_header("Cache-Control", "max-age=600")
        super().end_headers()

    def do_GET(self) -> None:
        local = self.translate_path(self.path)
        if os.path.isdir(local) and self.path.split("?")[0].endswith("/"):
            local = os.path.join(local, "index.html")
        if not local.endswith(COMPRESSED) or not os.path.isfile(local) or \
                "gzip" not in self.headers.get("Accept-Encoding", ""):
            super().do_GET()
            return
        body = gzip.compress(Path(local).read_bytes(), 6)
        self.send_response(200)
        self.send_header("Content-Type", self.guess_type(local))
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


class PagesServer:
    """A built folder served from a thread on a free local port, at /digest/."""

    def __init__(self, folder: Path):
        folder.mkdir(parents=True, exist_ok=True)
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), partial(PagesHandler, directory=str(folder)))
        self.origin = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.base_url = f"{self.origin}{PREFIX}/"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join()


@dataclass(frozen=True, slots=True)
class QueryBytes:
    """Bytes over the wire for one search, by URL, and how many results it showed."""

    files: dict[str, int]
    results: int

    @property
    def total(self) -> int:
        """The search's own bytes: scripts, wasm, index and fragments (not the page and its style)."""
        return sum(size for url, size in self.files.items() if "/pagefind/" in url or url.endswith("/search.js"))

    @property
    def page(self) -> int:
        """The search page's HTML and stylesheet."""
        return sum(self.files.values()) - self.total


def search_bytes(page: Any, search_url: str, query: str) -> QueryBytes:
    """Open the search page with this query, wait for its results; what it transferred."""
    page.goto(f"{search_url}?q={quote(query)}")
    page.wait_for_function(DONE_JS, timeout=20000)
    files = {name: size for name, size in page.evaluate(TRANSFERRED_JS)}
    return QueryBytes(files, page.locator("#search-results li").count())


def measure_kinds(browser: Any, search_url: str) -> dict[str, tuple[QueryBytes, QueryBytes]]:
    """Every kind of query in QUERIES, each from a fresh profile: kind -> (first, repeat)."""
    return {kind: measure(browser, search_url, *queries) for kind, queries in QUERIES.items()}


def describe_kinds(kinds: dict[str, tuple[QueryBytes, QueryBytes]]) -> str:
    """'one word 105.7 / 9.1, two words ...' in KB, first / repeat."""
    return ", ".join(f"{kind} {first.total / 1024:.1f} / {repeat.total / 1024:.1f}"
                     for kind, (first, repeat) in kinds.items())


def measure(browser: Any, search_url: str, first: str, repeat: str) -> tuple[QueryBytes, QueryBytes]:
    """A first query in a fresh browser profile, then another query on the same phone."""
    context = browser.new_context(viewport={"width": 360, "height": 740})
    try:
        page = context.new_page()
        return search_bytes(page, search_url, first), search_bytes(page, search_url, repeat)
    finally:
        context.close()
