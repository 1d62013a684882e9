"""`serve`: build into a temporary folder, serve it with live reload, rebuild on every save.

The pieces, in the order a save travels through them:

    Watcher        digest.watch: watchfiles, on two threads   -> changed input paths
    Preview        digest.preview: one rebuild at a time      -> Rebuild: pages written, or problems
    PreviewServer  here: tornado and livereload's socket      -> reload the browsers whose page changed

This module is the server: the pages, with livereload's script added to HTML responses as they
are sent (never to the files on disk), the error page while the build fails, the browsers'
socket, and the `serve` command. The preview is never built into output/: drafts shown here
must not reach a deployable folder.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import errno
import json
import mimetypes
import re
import signal
import socket
import tempfile
import threading
import webbrowser
from pathlib import Path
from typing import Callable, Sequence
from urllib.parse import unquote, urlsplit

import jinja2
from tornado import web
from tornado.httpserver import HTTPServer
from tornado.ioloop import IOLoop
from tornado.netutil import bind_sockets
from tornado.websocket import WebSocketClosedError

from livereload.handlers import LiveReloadHandler, LiveReloadJSHandler

from .errors import MAX_SHOWN, Problem, SiteError
from .pipeline import BuildOptions
from .preview import Preview, Rebuild

NOT_EMBEDDED = (".xml", ".txt", ".nojekyll", "CNAME")  # outputs no page loads: no reload needed

# The reload script, added before </head> of every HTML response. The port is the one the
# browser used, so the preview keeps working behind a forwarded port.
RELOAD_SCRIPT = (b'<script>(function(){var s=document.createElement("script");'
                 b's.src="/livereload.js?port="+(location.port||(location.protocol=="https:"?443:80));'
                 b'document.head.appendChild(s);})();</script>')


class BrowserSocket(LiveReloadHandler):
    """livereload's websocket; also notes the page each browser shows, to reload only what changed."""

    def initialize(self, server: "PreviewServer") -> None:
        """Tornado's per-connection set-up: the server, and no page known yet."""
        self.server = server
        self.page: str | None = None

    def on_message(self, message: str | bytes) -> None:
        """livereload's handshake; its 'info' message names the page this browser shows."""
        super().on_message(message)  # the livereload handshake
        with contextlib.suppress(ValueError, AttributeError, TypeError):
            command = json.loads(message)
            if command.get("command") == "info" and isinstance(command.get("url"), str):
                self.page = self.server.page_for(command["url"])
                self.server.connected(self)

    def on_close(self) -> None:
        """The browser went away: no more reloads for it."""
        super().on_close()
        self.server.browsers.discard(self)


class PageHandler(web.RequestHandler):
    """The built site under its base path; the error page instead of any page while the build fails."""

    def initialize(self, server: "PreviewServer") -> None:
        """Tornado's per-request set-up."""
        self.server = server

    def set_default_headers(self) -> None:
        """Never cached: the page may change with the next save."""
        self.set_header("Cache-Control", "no-store")

    def compute_etag(self) -> None:
        """No ETag: a preview is never answered from the browser's cache."""
        return None

    def get(self, _: str) -> None:
        """Redirect to the base path or a folder's slash; else answer with the file."""
        preview = self.server.preview
        path = unquote(self.request.path)
        base = preview.base_path
        if base != "/" and path in ("/", base.rstrip("/")):
            self.redirect(base)
            return
        if not path.startswith(base):
            self.answer("404.html", None, 404)
            return
        relative, target = self.server.locate(path)
        if target is not None and target.name == "index.html" and not path.endswith(("/", "/index.html")):
            self.redirect(self.request.path + "/")  # a folder: relative links need the slash
            return
        self.answer(relative, target, 200)

    head = get

    def answer(self, relative: str, target: Path | None, status: int) -> None:
        """Answer with a file, the error page or the site's 404 page, adding the reload script to HTML."""
        preview, server = self.server.preview, self.server
        is_html = target is None or target.suffix == ".html"
        if preview.problems and is_html:
            server.served(relative)
            self.respond(500, "text/html; charset=utf-8", server.error_page())
            return
        if target is None:
            server.served(relative)
            missing = preview.output / "404.html"
            body = missing.read_bytes() if missing.is_file() else b"<!DOCTYPE html><title>Not found</title><p>Not found."
            self.respond(404, "text/html; charset=utf-8", body)
            return
        try:
            body = target.read_bytes()
        except OSError:  # removed by a rebuild since it was found
            self.answer(relative, None, 404)
            return
        if is_html:
            server.served(relative)
        self.respond(status, content_type(target.name), body)

    def respond(self, status: int, kind: str, body: bytes) -> None:
        """Send the body, with the reload script when it is HTML."""
        if kind.startswith("text/html"):
            body = with_reload_script(body)
        self.set_status(status)
        self.set_header("Content-Type", kind)
        self.finish(body)


class PreviewServer:
    """The tornado application for one preview, and which page each connected browser shows.
    What the site is (its files, its base path, its problems) it reads from the preview."""

    def __init__(self, preview: Preview) -> None:
        self.preview = preview
        self.browsers: set[BrowserSocket] = set()
        self.generation = 0                      # one more for each rebuild applied
        self.changed_in: dict[str, int] = {}     # output file -> generation it last changed in
        self.served_in: dict[str, int] = {}      # page -> generation it was last sent in
        self.all_changed_in = 0                  # generation in which every page changed
        self.templates = error_templates()
        preview.subscribe(self.rebuilt)

    def application(self) -> web.Application:
        """livereload's script and socket at the root, the site at every other path."""
        return web.Application([
            (r"/livereload", BrowserSocket, {"server": self}),
            (r"/livereload.js", LiveReloadJSHandler),
            (r"/(.*)", PageHandler, {"server": self}),
        ], log_function=lambda handler: None, websocket_ping_interval=None)

    def locate(self, url_path: str) -> tuple[str, Path | None]:
        """For a decoded URL path under the base path: the output file it names, relative to the
        output folder (a folder names its index.html), and that file, or None when there is none."""
        relative = url_path[len(self.preview.base_path):]
        parts = [p for p in relative.split("/") if p]
        if any(p in (".", "..") or "\0" in p or "\\" in p for p in parts):
            return relative, None
        target = self.preview.output.joinpath(*parts)
        if not parts or relative.endswith("/") or target.is_dir():
            parts.append("index.html")
            target = target / "index.html"
        return "/".join(parts), target if target.is_file() else None

    def page_for(self, url: str) -> str | None:
        """The output file a browser at this address shows, or None outside the site."""
        path = unquote(urlsplit(url).path)
        if not path.startswith(self.preview.base_path):
            return None
        return self.locate(path)[0]

    def served(self, page: str) -> None:
        """Note that this page was just sent to a browser."""
        self.served_in[page] = self.generation

    def missing(self, page: str) -> bool:
        """Whether no file answers this page now (the browser is shown the 404 page)."""
        return self.locate(self.preview.base_path + page)[1] is None

    def error_page(self) -> bytes:
        """The page every HTML address shows while the build fails."""
        return error_page(self.preview.problems, self.templates)

    def stale(self, page: str, since: int) -> bool:
        """Whether a page sent in generation `since` has changed after it."""
        return (max(self.all_changed_in, self.changed_in.get(page, -1)) > since
                or (self.changed_in.get("404.html", -1) > since and self.missing(page)))

    def connected(self, browser: BrowserSocket) -> None:
        """A browser finished loading a page: reload it at once if the page changed meanwhile."""
        self.browsers.add(browser)
        if browser.page is not None and self.stale(browser.page, self.served_in.get(browser.page, self.generation)):
            self.send(browser, "*")

    def rebuilt(self, outcome: Rebuild) -> None:
        """Reload the browsers whose page a rebuild changed; all of them when every page did (the
        preview says so for the error page coming, changing or going), or when a script, image
        or font changed. A stylesheet is swapped in place."""
        pages = outcome.pages
        if pages is not None and not pages:
            return  # nothing a reader sees changed (say, the same errors again)
        self.generation += 1
        styles: list[str] = []
        if pages is not None:
            for page in pages:
                self.changed_in[page] = self.generation
            styles = sorted(p for p in pages if p.endswith(".css"))
            if any(not p.endswith((".html", ".css", *NOT_EMBEDDED)) for p in pages):
                pages = None
        if pages is None or styles:
            self.all_changed_in = self.generation  # for browsers still loading a page
        for browser in list(self.browsers):
            shown = browser.page
            if pages is None or (shown is not None and (shown in pages or
                                                        ("404.html" in pages and self.missing(shown)))):
                self.send(browser, "*")
            elif shown is not None:
                for style in styles:
                    self.send(browser, self.preview.base_path + style)

    def send(self, browser: BrowserSocket, path: str) -> None:
        """One livereload 'reload' message, as LiveReloadHandler.reload_waiters sends it, unthrottled."""
        try:
            browser.write_message({"command": "reload", "path": path, "liveCSS": True, "liveImg": True})
        except WebSocketClosedError:
            self.browsers.discard(browser)


def with_reload_script(page: bytes) -> bytes:
    """The page with the reload script before </head> (or at the end when it has no head)."""
    match = re.search(rb"</head\s*>", page, re.IGNORECASE)
    at = match.start() if match else len(page)
    return page[:at] + RELOAD_SCRIPT + page[at:]


def content_type(name: str) -> str:
    """The Content-Type for a file name, text in UTF-8."""
    kind = mimetypes.guess_type(name)[0] or "application/octet-stream"
    return f"{kind}; charset=utf-8" if kind.startswith("text/") else kind


def error_templates() -> jinja2.Environment:
    """The engine's own templates (the error page), autoescaped, an undefined name an error."""
    return jinja2.Environment(loader=jinja2.PackageLoader("digest", "templates"), autoescape=True,
                              undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True,
                              keep_trailing_newline=True)


def error_page(problems: Sequence[Problem], templates: jinja2.Environment | None = None) -> bytes:
    """A small standalone page listing the build's problems: file, line and message."""
    template = (templates or error_templates()).get_template("error.html")
    return template.render(count=len(problems), shown=problems[:MAX_SHOWN]).encode("utf-8")


# --- The command.

def listen(host: str, port: int) -> list[socket.socket]:
    """Listening sockets for host:port, or a SiteError that says what to do instead."""
    try:
        return bind_sockets(port, address=host)
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            message = (f"port {port} is in use (another preview or server is running there): "
                       f"stop it, or try --port {port + 1 if port < 65535 else 8001}")
        elif exc.errno == errno.EACCES:
            message = f"port {port} needs special rights on this machine: try --port 8000"
        elif isinstance(exc, socket.gaierror) or exc.errno == errno.EADDRNOTAVAIL:
            raise SiteError.at("--host", None, f"cannot listen on '{host}' ({exc.strerror}): "
                                               "try --host 127.0.0.1") from None
        else:
            message = f"cannot listen on {host}:{port} ({exc.strerror or exc}): try another --port"
        raise SiteError.at("--port", None, message) from None


def serve(root: Path, options: BuildOptions, host: str, port: int, open_browser: bool,
          log: Callable[[str], None]) -> int:
    """Preview the site at http://host:port/<base path>/ with live reload until Ctrl-C; the exit code."""
    sockets = listen(host, port)  # before building: a port in use is said at once
    try:
        with tempfile.TemporaryDirectory(prefix="digest-preview-") as folder:
            preview = Preview(root, dataclasses.replace(options, output=Path(folder) / "site"), log)
            try:
                log(f"building the preview in {folder} (removed on exit; output/ is not touched)")
                preview.build_first()
                shown = f"[{host}]" if ":" in host else host
                address = f"http://{shown}:{sockets[0].getsockname()[1]}{preview.base_path}"
                asyncio.run(_serve_until_stopped(preview, sockets, address, open_browser, log))
            except KeyboardInterrupt:
                pass
            finally:
                preview.close()
    finally:
        for listening in sockets:
            listening.close()
    log("stopped")
    return 0


async def _serve_until_stopped(preview: Preview, sockets: list[socket.socket], address: str,
                               open_browser: bool, log: Callable[[str], None]) -> None:
    loop = IOLoop.current()
    server = PreviewServer(preview)
    http = HTTPServer(server.application())
    http.add_sockets(sockets)
    preview.start(loop)
    log(f"serving {address} (Ctrl-C to stop)")
    if open_browser:
        threading.Thread(target=webbrowser.open, args=(address,), daemon=True).start()
    stopped = asyncio.Event()
    events = asyncio.get_running_loop()
    for number in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
            events.add_signal_handler(number, stopped.set)
    try:
        await stopped.wait()
    finally:
        http.stop()
        for browser in list(server.browsers):
            browser.close()
        preview.stop()


