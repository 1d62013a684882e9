"""`serve`: build into a temporary folder, serve it with live reload, rebuild on every save.

The pieces, in the order a save travels through them:

    watcher  (inotify via ctypes, else polling)  -> changed input paths
    Preview  (debounce, one rebuild at a time)   -> Rebuild: pages written, or problems
    PreviewServer (tornado + livereload's socket) -> reload the browsers whose page changed

The reload script is added to HTML responses as they are sent, never to the files on disk, and
the preview is never built into output/: drafts shown here must not reach a deployable folder.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import dataclasses
import errno
import html
import json
import mimetypes
import os
import re
import shutil
import signal
import socket
import struct
import sys
import tempfile
import threading
import time
import traceback
import webbrowser
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, Iterator, Protocol, Sequence
from urllib.parse import unquote, urlsplit

from tornado import web
from tornado.httpserver import HTTPServer
from tornado.ioloop import IOLoop
from tornado.netutil import bind_sockets
from tornado.websocket import WebSocketClosedError

from livereload.handlers import LiveReloadHandler, LiveReloadJSHandler

from .errors import MAX_SHOWN, Problem, SiteError, error_lines
from .pipeline import Builder, BuildOptions, BuildReport

DEBOUNCE = 0.03          # seconds without a new event before a burst of saves is rebuilt
POLL_INTERVAL = 0.15     # seconds between scans when inotify is unavailable
WATCHED = ("content", "layouts", "static")
EVERYTHING = "*"         # a changed path meaning "unknown: assume anything changed"
NOT_EMBEDDED = (".xml", ".txt", ".nojekyll", "CNAME")  # outputs no page loads: no reload needed

# The reload script, added before </head> of every HTML response. The port is the one the
# browser used, so the preview keeps working behind a forwarded port.
RELOAD_SCRIPT = (b'<script>(function(){var s=document.createElement("script");'
                 b's.src="/livereload.js?port="+(location.port||(location.protocol=="https:"?443:80));'
                 b'document.head.appendChild(s);})();</script>')


def is_editor_temp(name: str) -> bool:
    """Whether a file name is an editor's lock, swap, backup or probe file rather than a real edit."""
    return (name.startswith((".#", ".goutputstream-")) or name.endswith(("~", ".swp", ".swo", ".swx"))
            or name == "4913" or (name.startswith("#") and name.endswith("#"))
            or name.endswith(("___jb_tmp___", "___jb_old___")))


def relevant(relative: str) -> bool:
    """Whether a change to this path (relative to the site root) can change the site."""
    top, _, rest = relative.partition("/")
    if not rest:
        return top == "site.yaml" or top in WATCHED
    return top in WATCHED and not is_editor_temp(relative.rsplit("/", 1)[-1])


# --- Watchers: both call on_change(set of changed paths relative to the root) on the event loop.

class Watcher(Protocol):
    """What Preview needs of a watcher."""

    def read(self) -> set[str]: ...
    def start(self, loop: IOLoop, on_change: Callable[[set[str]], None]) -> None: ...
    def close(self, loop: IOLoop | None) -> None: ...


# inotify(7) constants, from <sys/inotify.h>
IN_MODIFY, IN_ATTRIB, IN_CLOSE_WRITE = 0x2, 0x4, 0x8
IN_MOVED_FROM, IN_MOVED_TO, IN_CREATE, IN_DELETE = 0x40, 0x80, 0x100, 0x200
IN_DELETE_SELF, IN_MOVE_SELF = 0x400, 0x800
IN_Q_OVERFLOW, IN_IGNORED, IN_ONLYDIR, IN_ISDIR = 0x4000, 0x8000, 0x01000000, 0x40000000
IN_MASK = (IN_MODIFY | IN_ATTRIB | IN_CLOSE_WRITE | IN_MOVED_FROM | IN_MOVED_TO | IN_CREATE | IN_DELETE
           | IN_DELETE_SELF | IN_MOVE_SELF)
_EVENT = struct.Struct("iIII")  # wd, mask, cookie, name length; the name follows


class InotifyWatcher:
    """Linux inotify through ctypes: one watch per folder, new folders watched as they appear."""

    def __init__(self, root: Path):
        libc = ctypes.CDLL(None, use_errno=True)
        if not hasattr(libc, "inotify_init1"):
            raise OSError(errno.ENOSYS, "this C library has no inotify")
        libc.inotify_add_watch.argtypes = (ctypes.c_int, ctypes.c_char_p, ctypes.c_uint32)
        libc.inotify_rm_watch.argtypes = (ctypes.c_int, ctypes.c_int)
        self.libc = libc
        self.root = root
        self.fd = libc.inotify_init1(os.O_NONBLOCK | os.O_CLOEXEC)
        if self.fd < 0:
            raise _errno_error("inotify_init1", str(root))
        self.folders: dict[int, str] = {}  # watch descriptor -> folder relative to root ('' is root)
        try:
            self._watch("")  # for site.yaml and the watched folders coming and going
            for top in WATCHED:
                self._watch_tree(top)
        except OSError:
            os.close(self.fd)
            raise

    def _watch(self, relative: str) -> None:
        path = self.root / relative if relative else self.root
        wd = self.libc.inotify_add_watch(self.fd, os.fsencode(path), IN_MASK | IN_ONLYDIR)
        if wd < 0:
            err = ctypes.get_errno()
            if err in (errno.ENOENT, errno.ENOTDIR):  # gone already: its parent's event covers it
                return
            raise _errno_error("inotify_add_watch", str(path), err)
        self.folders[wd] = relative

    def _watch_tree(self, relative: str) -> None:
        """Watch a folder and every folder under it; like the build, links to folders are not followed."""
        stack = [relative]
        while stack:
            folder = stack.pop()
            self._watch(folder)
            try:
                with os.scandir(self.root / folder) as entries:
                    stack += [f"{folder}/{e.name}" for e in entries if e.is_dir(follow_symlinks=False)]
            except OSError:
                continue

    def _forget_tree(self, relative: str) -> None:
        """Stop watching a folder moved away: its watches would report under the old name."""
        for wd, folder in list(self.folders.items()):
            if folder == relative or folder.startswith(relative + "/"):
                self.libc.inotify_rm_watch(self.fd, wd)
                del self.folders[wd]

    def read(self) -> set[str]:
        """Every change queued since the last read, as paths relative to the root."""
        changed: set[str] = set()
        while True:
            try:
                buffer = os.read(self.fd, 65536)
            except BlockingIOError:
                return changed
            except OSError:
                return changed | {EVERYTHING}
            offset = 0
            while offset + _EVENT.size <= len(buffer):
                wd, mask, _, length = _EVENT.unpack_from(buffer, offset)
                name = os.fsdecode(buffer[offset + _EVENT.size:offset + _EVENT.size + length].rstrip(b"\0"))
                offset += _EVENT.size + length
                self._event(wd, mask, name, changed)

    def _event(self, wd: int, mask: int, name: str, changed: set[str]) -> None:
        if mask & IN_Q_OVERFLOW:
            changed.add(EVERYTHING)
            return
        if mask & IN_IGNORED:
            self.folders.pop(wd, None)
            return
        folder = self.folders.get(wd)
        if folder is None:
            return
        relative = f"{folder}/{name}" if folder and name else (name or folder)
        if not relevant(relative):
            return
        if mask & IN_ISDIR:
            if mask & IN_MOVED_FROM:
                self._forget_tree(relative)
            if mask & (IN_CREATE | IN_MOVED_TO):
                self._watch_tree(relative)  # files made before the watch are found by the rebuild's scan
        changed.add(relative)

    def start(self, loop: IOLoop, on_change: Callable[[set[str]], None]) -> None:
        """Call on_change from the event loop whenever the kernel reports changes."""
        def ready(fd: int, events: int) -> None:
            changed = self.read()
            if changed:
                on_change(changed)
        loop.add_handler(self.fd, ready, IOLoop.READ)

    def close(self, loop: IOLoop | None) -> None:
        """Stop watching and release the inotify descriptor."""
        if self.fd < 0:
            return
        if loop is not None:
            with contextlib.suppress(KeyError, ValueError):
                loop.remove_handler(self.fd)
        os.close(self.fd)
        self.fd = -1


def _errno_error(call: str, path: str, err: int | None = None) -> OSError:
    err = ctypes.get_errno() if err is None else err
    return OSError(err, f"{call}: {os.strerror(err)}", path)


class PollingWatcher:
    """Where inotify is unavailable: compare every watched file's time and size a few times a second."""

    def __init__(self, root: Path, interval: float = POLL_INTERVAL):
        self.root = root
        self.interval = interval
        self.timer: object | None = None
        self.stamps = self.scan()

    def scan(self) -> dict[str, tuple[int, int]]:
        """path -> (mtime_ns, size) of site.yaml and every file under the watched folders."""
        stamps: dict[str, tuple[int, int]] = {}
        with contextlib.suppress(OSError):
            st = os.stat(self.root / "site.yaml")
            stamps["site.yaml"] = (st.st_mtime_ns, st.st_size)
        stack = list(WATCHED)
        while stack:
            folder = stack.pop()
            try:
                with os.scandir(self.root / folder) as entries:
                    for entry in entries:
                        relative = f"{folder}/{entry.name}"
                        try:
                            if entry.is_dir(follow_symlinks=False):
                                stack.append(relative)
                            elif relevant(relative):
                                st = entry.stat()
                                stamps[relative] = (st.st_mtime_ns, st.st_size)
                        except OSError:
                            continue
            except OSError:
                continue
        return stamps

    def read(self) -> set[str]:
        """Paths added, changed or removed since the last scan."""
        before, self.stamps = self.stamps, self.scan()
        return {p for p in before.keys() | self.stamps.keys() if before.get(p) != self.stamps.get(p)}

    def start(self, loop: IOLoop, on_change: Callable[[set[str]], None]) -> None:
        """Scan every `interval` seconds on the event loop and report what changed; after a change,
        scan again within the debounce time, so a burst cut in two by a scan still gives one rebuild."""
        def tick() -> None:
            changed = self.read()
            if changed:
                on_change(changed)
            self.timer = loop.call_later(DEBOUNCE / 2 if changed else self.interval, tick)
        self.timer = loop.call_later(self.interval, tick)

    def close(self, loop: IOLoop | None) -> None:
        """Stop scanning."""
        if loop is not None and self.timer is not None:
            loop.remove_timeout(self.timer)
        self.timer = None


def make_watcher(root: Path, log: Callable[[str], None], polling: bool = False) -> Watcher:
    """inotify on Linux, polling elsewhere or when inotify is unavailable (say, out of watches)."""
    if not polling and sys.platform.startswith("linux"):
        try:
            return InotifyWatcher(root)
        except OSError as exc:
            log(f"note: inotify unavailable ({exc.strerror or exc}); checking for changes every "
                f"{POLL_INTERVAL} s instead")
    return PollingWatcher(root)


# --- The preview: one Builder for the session, rebuilt after each burst of saves.

@dataclass(frozen=True, slots=True)
class Rebuild:
    """What one rebuild did; handed to the listener on the event loop thread."""

    sources: frozenset[str]            # changed inputs, relative to the root ('*': unknown)
    pages: frozenset[str] | None       # output files written or removed; None: assume every page
    problems: tuple[Problem, ...]      # why the build failed; empty when it succeeded
    report: BuildReport | None
    quick: bool                        # only the edited pages, ahead of the full rebuild
    seconds: float                     # time the rebuild took
    finished: float                    # time.perf_counter() when its files were on disk


class Preview:
    """The site built into a private folder and kept up to date: debounced, one rebuild at a time,
    events during a rebuild giving one more rebuild after it; the last good site stays served."""

    def __init__(self, root: Path, options: BuildOptions, log: Callable[[str], None],
                 on_rebuild: Callable[[Rebuild], None] | None = None, polling: bool = False):
        assert options.output is not None, "the preview needs its own output folder"
        self.root = root
        self.output = options.output
        self.log = log
        self.on_rebuild = on_rebuild
        self.builder = Builder(root, options)
        self.watcher = make_watcher(root, log, polling)  # before the first build: no save is missed
        self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="rebuild")
        self.loop: IOLoop | None = None
        self.pending: set[str] = set()
        self.timer: object | None = None
        self.running: Future | None = None
        self.problems: tuple[Problem, ...] = ()
        self.warnings: frozenset[Problem] = frozenset()
        self.base_path = self._base_path()
        self.rebuilds = 0

    def _base_path(self) -> str:
        try:
            return self.builder.load_config().base_path
        except SiteError:
            return getattr(self, "base_path", "/")

    def build_first(self) -> None:
        """The first full build, on the calling thread; a mistake is shown, not raised."""
        outcome = self._build(frozenset({EVERYTHING}), time.perf_counter())
        self._apply(outcome)

    def start(self, loop: IOLoop) -> None:
        """Start reacting to changes on this event loop."""
        self.loop = loop
        self.watcher.start(loop, self.changed)

    def changed(self, paths: Iterable[str]) -> None:
        """Note changed inputs and (re)start the quiet-period timer; on the event loop thread."""
        assert self.loop is not None
        self.pending.update(paths)
        if self.timer is not None:
            self.loop.remove_timeout(self.timer)
        self.timer = self.loop.call_later(DEBOUNCE, self._settled)

    def _settled(self) -> None:
        self.timer = None
        if self.running is not None or not self.pending:
            return  # the rebuild under way looks at `pending` when it ends
        assert self.loop is not None
        sources, self.pending = frozenset(self.pending), set()
        loop = self.loop
        self.running = self.executor.submit(self._rebuild, sources)
        self.running.add_done_callback(lambda future: loop.add_callback(self._done, future))

    def _done(self, future: Future) -> None:
        self.running = None
        self._apply(future.result())
        if self.pending and self.timer is None:
            self._settled()

    def _rebuild(self, sources: frozenset[str]) -> Rebuild:
        """On the rebuild thread: the edited pages first when that is safe, then the whole site."""
        start = time.perf_counter()
        quick = (not self.problems and EVERYTHING not in sources
                 and all(s.startswith("content/") and s.endswith(".md") for s in sources))
        if quick:
            try:
                written = self.builder.quick_update(sorted(sources))
            except (SiteError, OSError):  # a file half saved or gone: the full rebuild says what is wrong
                written = []
            except Exception:  # a bug: show it, and let the full rebuild go ahead
                self.log(traceback.format_exc().rstrip())
                written = []
            if written and self.loop is not None:
                now = time.perf_counter()
                self.loop.add_callback(self._apply, Rebuild(sources, frozenset(written), (), None, True,
                                                            now - start, now))
        return self._build(sources, start)

    def _build(self, sources: frozenset[str], start: float) -> Rebuild:
        if EVERYTHING in sources or any(s.startswith("layouts") for s in sources):
            self.builder.reload_layouts()
        try:
            report = self.builder.build()
        except SiteError as exc:
            now = time.perf_counter()
            return Rebuild(sources, None, exc.problems, None, False, now - start, now)
        except Exception as exc:  # a bug, not the user's mistake: say so and keep serving
            self.log(traceback.format_exc().rstrip())
            now = time.perf_counter()
            problem = Problem("internal error", None, f"{type(exc).__name__}: {exc} (a bug in the digest "
                                                      "engine, not in your files; the traceback is in the terminal)")
            return Rebuild(sources, None, (problem,), None, False, now - start, now)
        now = time.perf_counter()
        return Rebuild(sources, self._written(report), (), report, False, now - start, now)

    @staticmethod
    def _written(report: BuildReport) -> frozenset[str] | None:
        """The output files this build wrote or removed."""
        return report.write.touched if report.write is not None else None

    def _apply(self, outcome: Rebuild) -> None:
        """Record a rebuild's result, tell the terminal, and pass it on to the listener."""
        if not outcome.quick:
            self.rebuilds += 1
            self._report(outcome)
            self.problems = outcome.problems
            if not outcome.problems:
                base_path = self._base_path()
                if base_path != self.base_path:
                    self.base_path = base_path
                    outcome = dataclasses.replace(outcome, pages=None)
        if self.on_rebuild is not None:
            self.on_rebuild(outcome)

    def _report(self, outcome: Rebuild) -> None:
        if outcome.problems:
            if outcome.problems == self.problems:
                return
            for line in error_lines(outcome.problems):
                self.log(line)
            count = len(outcome.problems)
            self.log(f"{count} error{'s' if count != 1 else ''}: every page of the preview shows "
                     f"{'them' if count != 1 else 'it'} until the file is fixed")
            return
        report = outcome.report
        assert report is not None
        warnings = frozenset(report.warnings)
        for warning in sorted(warnings - self.warnings, key=str):
            self.log(f"warning: {warning}")
        self.warnings = warnings
        if EVERYTHING in outcome.sources and self.rebuilds == 1:
            self.log(f"built the preview: {report.summary()}")
            return
        changed = sorted(outcome.sources - {EVERYTHING})
        what = changed[0] if len(changed) == 1 else f"{len(changed) or 'some'} files"
        fixed = "fixed; " if self.problems else ""
        write = report.write
        self.log(f"{what} changed: {fixed}rebuilt in {outcome.seconds:.3f} s"
                 + (f" (wrote {write.written}, removed {write.deleted})" if write else ""))

    def stop(self) -> None:
        """Stop watching and wait for a rebuild under way; on the event loop thread."""
        if self.loop is not None and self.timer is not None:
            self.loop.remove_timeout(self.timer)
            self.timer = None
        self.watcher.close(self.loop)
        self.executor.shutdown(wait=True)

    def close(self) -> None:
        """Release everything, including the engine's manifest of the private output folder."""
        self.watcher.close(None)
        self.executor.shutdown(wait=True)
        manifest = self.builder.manifest
        if manifest is not None and manifest.path is not None:
            manifest.path.unlink(missing_ok=True)

    def locate(self, url_path: str) -> tuple[str, Path | None]:
        """For a decoded URL path under the base path: the output file it names, relative to the
        output folder (a folder names its index.html), and that file, or None when there is none."""
        relative = url_path[len(self.base_path):]
        parts = [p for p in relative.split("/") if p]
        if any(p in (".", "..") or "\0" in p or "\\" in p for p in parts):
            return relative, None
        target = self.output.joinpath(*parts)
        if not parts or relative.endswith("/") or target.is_dir():
            parts.append("index.html")
            target = target / "index.html"
        return "/".join(parts), target if target.is_file() else None


# --- The server: pages with the reload script, livereload's socket, targeted reloads.

class BrowserSocket(LiveReloadHandler):
    """livereload's websocket; also notes the page each browser shows, to reload only what changed."""

    def initialize(self, server: "PreviewServer") -> None:
        self.server = server
        self.page: str | None = None

    def on_message(self, message: str | bytes) -> None:
        super().on_message(message)  # the livereload handshake
        with contextlib.suppress(ValueError, AttributeError, TypeError):
            command = json.loads(message)
            if command.get("command") == "info" and isinstance(command.get("url"), str):
                self.page = self.server.page_for(command["url"])
                self.server.connected(self)

    def on_close(self) -> None:
        super().on_close()
        self.server.browsers.discard(self)


class PageHandler(web.RequestHandler):
    """The built site under its base path; the error page instead of any page while the build fails."""

    def initialize(self, server: "PreviewServer") -> None:
        self.server = server

    def set_default_headers(self) -> None:
        self.set_header("Cache-Control", "no-store")

    def compute_etag(self) -> None:
        return None  # a preview is never answered from the browser's cache

    def get(self, _: str) -> None:
        preview = self.server.preview
        path = unquote(self.request.path)
        base = preview.base_path
        if base != "/" and path in ("/", base.rstrip("/")):
            self.redirect(base)
            return
        if not path.startswith(base):
            self.answer("404.html", None, 404)
            return
        relative, target = preview.locate(path)
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
            self.respond(500, "text/html; charset=utf-8", error_page(preview.problems))
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
        if kind.startswith("text/html"):
            body = with_reload_script(body)
        self.set_status(status)
        self.set_header("Content-Type", kind)
        self.finish(body)


class PreviewServer:
    """The tornado application for one preview, and which page each connected browser shows."""

    def __init__(self, preview: Preview):
        self.preview = preview
        self.browsers: set[BrowserSocket] = set()
        self.generation = 0                      # one more for each rebuild applied
        self.changed_in: dict[str, int] = {}     # output file -> generation it last changed in
        self.served_in: dict[str, int] = {}      # page -> generation it was last sent in
        self.all_changed_in = 0                  # generation in which every page changed
        self.failing: tuple[Problem, ...] = ()   # the problems the error page shows
        preview.on_rebuild = self.rebuilt

    def application(self) -> web.Application:
        """livereload's script and socket at the root, the site at every other path."""
        return web.Application([
            (r"/livereload", BrowserSocket, {"server": self}),
            (r"/livereload.js", LiveReloadJSHandler),
            (r"/(.*)", PageHandler, {"server": self}),
        ], log_function=lambda handler: None, websocket_ping_interval=None)

    def page_for(self, url: str) -> str | None:
        """The output file a browser at this address shows, or None outside the site."""
        path = unquote(urlsplit(url).path)
        if not path.startswith(self.preview.base_path):
            return None
        return self.preview.locate(path)[0]

    def served(self, page: str) -> None:
        self.served_in[page] = self.generation

    def missing(self, page: str) -> bool:
        """Whether no file answers this page now (the browser is shown the 404 page)."""
        return self.preview.locate(self.preview.base_path + page)[1] is None

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
        """Reload the browsers whose page a rebuild changed; all of them when the error page comes,
        changes or goes, or when a script, image or font changed. A stylesheet is swapped in place."""
        pages = outcome.pages
        if outcome.problems:
            if outcome.problems == self.failing:
                return  # the same errors again: the error page is the same
            pages = None
        elif self.failing:
            pages = None  # the error page goes: every page comes back
        self.failing = outcome.problems
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


def error_page(problems: Sequence[Problem]) -> bytes:
    """A small standalone page listing the build's problems: file, line and message."""
    count = len(problems)
    title = f"{count} error{'s' if count != 1 else ''}: the site did not build"
    rows = "".join(f"<tr><td><code>{html.escape(p.path)}</code></td><td>{p.line or ''}</td>"
                   f"<td>{html.escape(p.message)}</td></tr>\n" for p in problems[:MAX_SHOWN])
    more = f"<p>… and {count - MAX_SHOWN} more; the terminal lists them.</p>\n" if count > MAX_SHOWN else ""
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>{title}</title>
<style>
body {{ font: 1rem/1.5 system-ui, sans-serif; margin: 2rem auto; max-width: 60rem; padding: 0 1rem; }}
h1 {{ font-size: 1.4rem; color: #c0392b; }}
table {{ border-collapse: collapse; width: 100%; }}
th, td {{ border-bottom: 1px solid #8884; padding: .4rem .6rem; text-align: left; vertical-align: top; }}
</style>
</head>
<body>
<main>
<h1>{title}</h1>
<p>Fix the file and save it: this page reloads by itself. The terminal shows the same list.</p>
<table>
<thead><tr><th scope="col">File</th><th scope="col">Line</th><th scope="col">Message</th></tr></thead>
<tbody>
{rows}</tbody>
</table>
{more}</main>
</body>
</html>
""".encode("utf-8")


# --- The command and the measurement.

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


@contextlib.contextmanager
def running_preview(root: Path, options: BuildOptions, log: Callable[[str], None] = lambda line: None,
                    on_rebuild: Callable[[Rebuild], None] | None = None,
                    polling: bool = False) -> Iterator[Preview]:
    """A Preview built and watching on an event loop in a background thread, without a server."""
    preview = Preview(root, options, log, on_rebuild, polling)
    preview.build_first()
    ready = threading.Event()
    loops: list[IOLoop] = []

    def run() -> None:
        asyncio.set_event_loop(asyncio.new_event_loop())
        loop = IOLoop.current()
        loops.append(loop)
        preview.start(loop)
        loop.add_callback(ready.set)
        loop.start()
        loop.close()

    thread = threading.Thread(target=run, name="preview-loop", daemon=True)
    thread.start()
    if not ready.wait(30):
        raise RuntimeError("the preview's event loop did not start")
    try:
        yield preview
    finally:
        def stop() -> None:
            preview.stop()
            loops[0].stop()
        loops[0].add_callback(stop)
        thread.join(60)
        preview.close()


def rebuild_latency(root: Path, options: BuildOptions, edits: int = 5, until: str = "page",
                    log: Callable[[str], None] = lambda line: None) -> list[float]:
    """Seconds from saving the newest article to its rebuilt page on disk ('page'), or to the end
    of the whole rebuild ('site'), for `edits` saves in a row; the file is restored afterwards."""
    rebuilds: list[Rebuild] = []
    folder = Path(tempfile.mkdtemp(prefix="digest-latency-"))
    try:
        with running_preview(root, dataclasses.replace(options, output=folder / "site"), log,
                             rebuilds.append) as preview:
            if preview.problems:
                raise SiteError(preview.problems)
            first = rebuilds[0].report
            assert first is not None
            article = first.site.articles[0]  # the newest: the one being written
            source = root / article.source
            page = folder / "site" / (article.path + "index.html" if article.path.endswith("/") else article.path)
            original = source.read_bytes()
            page_seconds, site_seconds = [], []
            try:
                for number in range(edits):
                    marker = f"Latency probe {number} {time.time_ns()}.".encode()
                    full_before = sum(1 for r in rebuilds if not r.quick)
                    start = time.perf_counter()
                    source.write_bytes(original + b"\n\n" + marker + b"\n")
                    page_seconds.append(_wait_for(lambda: marker in _read(page)) - start)
                    _wait_for(lambda: sum(1 for r in rebuilds if not r.quick) > full_before)
                    done = [r for r in rebuilds if not r.quick][-1]
                    if done.problems:
                        raise SiteError(done.problems)
                    site_seconds.append(done.finished - start)
                    log(f"save {number + 1}: page on disk after {page_seconds[-1]:.3f} s, "
                        f"whole site after {site_seconds[-1]:.3f} s")
            finally:
                source.write_bytes(original)
        return page_seconds if until == "page" else site_seconds
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError:
        return b""


def _wait_for(condition: Callable[[], bool], timeout: float = 60.0) -> float:
    """Poll every millisecond until condition() holds; the time it did."""
    deadline = time.perf_counter() + timeout
    while not condition():
        if time.perf_counter() > deadline:
            raise TimeoutError("the preview did not rebuild in time")
        time.sleep(0.001)
    return time.perf_counter()
