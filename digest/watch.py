"""Which of the site's inputs changed: the operating system's file events, through watchfiles.

watchfiles wraps the Rust `notify` crate: inotify on Linux, FSEvents on macOS,
ReadDirectoryChangesW on Windows, and a polling mode for tests and for where events are not
available. Two watches run, each on its own thread:

    the site root, not recursively  -> site.yaml; content/, layouts/, static/ coming and going
    content/, layouts/, static/     -> every file under them (watched again when one appears)

Nothing else under the root (output/, .cache/, .git/) is watched. Each batch of changed
paths, relative to the root, is handed to an event loop with `add_callback`; `classify` says
which kind of input a path is, and ignores editors' temporary files.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import Any, Callable, Iterable, Protocol

import watchfiles

CONTENT, LAYOUT, STATIC, CONFIG = "content", "layout", "static", "config"
FOLDERS = (("content", CONTENT), ("layouts", LAYOUT), ("static", STATIC))  # folder -> kind of input
WATCHED = tuple(folder for folder, _ in FOLDERS)
EVERYTHING = "*"           # a changed path meaning "unknown: assume anything changed"
STEP = 0.01                # seconds without a new event before watchfiles hands a batch on
LONGEST_BATCH_MS = 2000    # a stream of events longer than this is handed on in several batches
POLL_INTERVAL = 0.15       # seconds between scans when polling
READY_TIMEOUT = 30.0       # seconds to wait for the watches to be in place
RETRY = 1.0                # seconds before watching again after the watcher failed


def is_editor_temp(name: str) -> bool:
    """Whether a file name is an editor's lock, swap, backup or probe file rather than a real edit."""
    return (name.startswith((".#", ".goutputstream-")) or name.endswith(("~", ".swp", ".swo", ".swx"))
            or name == "4913" or (name.startswith("#") and name.endswith("#"))
            or name.endswith(("___jb_tmp___", "___jb_old___")))


def classify(relative: str) -> str | None:
    """The kind of input a changed path (relative to the site root, with '/') is: 'content',
    'layout', 'static' or 'config'; None when a change there cannot change the site."""
    top, _, rest = relative.partition("/")
    if not rest:
        return CONFIG if top == "site.yaml" else dict(FOLDERS).get(top)
    if is_editor_temp(relative.rsplit("/", 1)[-1]):
        return None
    return dict(FOLDERS).get(top)


class Loop(Protocol):
    """What the watcher needs of an event loop (tornado's IOLoop has it)."""

    def add_callback(self, callback: Callable[..., None], *args: Any) -> None:
        """Call callback(*args) soon on the loop's thread; safe from any thread."""


class _Stop:
    """watchfiles' stop_event: set to stop for good or to watch again; watchfiles first asks it
    once its watches are in place, which is how the watcher knows they are."""

    def __init__(self, stopped: threading.Event, ready: threading.Event) -> None:
        self.stopped = stopped
        self.ready = ready
        self.again = threading.Event()
        self.asked = False  # whether watchfiles got as far as watching

    def is_set(self) -> bool:
        """Whether watchfiles should stop this watch; on its thread, every STEP."""
        self.asked = True
        self.ready.set()
        return self.stopped.is_set() or self.again.is_set()


class Watcher:
    """The site's inputs watched on two threads; batches of changed paths go to an event loop.

    `open()` starts watching and returns once the watches are in place; changes seen before
    `start(loop, on_change)` are kept and handed over then, so none is missed."""

    def __init__(self, root: Path, log: Callable[[str], None], polling: bool = False) -> None:
        self.root = root.resolve()
        self.log = log
        self.polling = polling
        self.stopped = threading.Event()
        self.lock = threading.Lock()
        self.kept: set[str] = set()
        self.sink: tuple[Loop, Callable[[set[str]], None]] | None = None
        self.tree: _Stop | None = None     # the folders' current watch, stopped to watch again
        self.threads: list[threading.Thread] = []
        self.failures: dict[str, str] = {}  # thread name -> its last error, said once

    def open(self) -> None:
        """Start both watches; return once they are in place (or have failed and said why)."""
        readies = []
        for name, target in (("watch-root", self._watch_root), ("watch-folders", self._watch_folders)):
            ready = threading.Event()
            thread = threading.Thread(target=target, args=(ready,), name=name, daemon=True)
            thread.start()
            self.threads.append(thread)
            readies.append(ready)
        for ready in readies:
            ready.wait(READY_TIMEOUT)

    def start(self, loop: Loop, on_change: Callable[[set[str]], None]) -> None:
        """Hand every batch of changed paths to on_change on this loop, the ones kept so far first."""
        with self.lock:
            self.sink = (loop, on_change)
            kept, self.kept = self.kept, set()
        if kept:
            loop.add_callback(on_change, kept)

    def close(self) -> None:
        """Stop both watches and wait for their threads (within about STEP)."""
        self.stopped.set()
        self._watch_folders_again()
        for thread in self.threads:
            if thread is not threading.current_thread():
                thread.join(READY_TIMEOUT)
        self.threads = []

    # --- On the watch threads.

    def _watch_root(self, ready: threading.Event) -> None:
        while not self.stopped.is_set():
            self._watch([self.root], False, _Stop(self.stopped, ready))
        ready.set()

    def _watch_folders(self, ready: threading.Event) -> None:
        while not self.stopped.is_set():
            stop = _Stop(self.stopped, ready)
            with self.lock:
                self.tree = stop  # before listing: a folder appearing from now on watches again
            folders = [self.root / name for name in WATCHED if (self.root / name).is_dir()]
            if folders:
                self._watch(folders, True, stop)
            else:
                ready.set()
                stop.again.wait()  # until one of the folders appears, or close()
        ready.set()

    def _watch_folders_again(self) -> None:
        with self.lock:
            if self.tree is not None:
                self.tree.again.set()

    def _watch(self, paths: list[Path], recursive: bool, stop: _Stop) -> None:
        """One watchfiles watch, until stopped or broken. Where the system's events cannot be had
        (say, out of inotify watches), polling takes over; any other failure is said once, and
        the watch is set up again after a pause."""
        polling = self.polling
        try:
            for changes in watchfiles.watch(
                    *paths, watch_filter=None, debounce=LONGEST_BATCH_MS, step=round(STEP * 1000),
                    stop_event=stop, rust_timeout=0, raise_interrupt=False,
                    force_polling=_force_polling(polling), poll_delay_ms=round(POLL_INTERVAL * 1000),
                    recursive=recursive, ignore_permission_denied=polling):
                self._changed(changes)
            return
        except Exception as exc:  # any failure of the watcher: the preview stays up
            failure = exc
        if isinstance(failure, FileNotFoundError) and recursive and not stop.asked:
            return  # a folder went away meanwhile: the folders are listed again
        error = f"{type(failure).__name__}: {failure}"
        if not polling and not stop.asked:
            self.polling = True
            self.log(f"note: file system events unavailable ({error}); checking for changes every "
                     f"{POLL_INTERVAL} s instead")
            return
        stop.ready.set()
        name = threading.current_thread().name
        if self.failures.get(name) != error:
            self.failures[name] = error
            self.log(f"note: watching for changes failed ({error}); trying again")
        if stop.asked:
            self._hand_on({EVERYTHING})  # changes may have been missed
        self.stopped.wait(RETRY)

    def _changed(self, changes: Iterable[tuple[watchfiles.Change, str]]) -> None:
        changed: set[str] = set()
        again = False
        for change, path in changes:
            relative = self._relative(path)
            if relative is None or not classify(relative):
                continue
            if change == watchfiles.Change.modified and os.path.isdir(path):
                continue  # polling's note that an entry came or went: that entry is reported too
            changed.add(relative)
            # a watched folder came, went or was replaced: watch the folders again
            again |= relative in WATCHED and change != watchfiles.Change.modified
        if again:
            self._watch_folders_again()
        if changed:
            self._hand_on(changed)

    def _relative(self, path: str) -> str | None:
        try:
            return Path(path).relative_to(self.root).as_posix()
        except ValueError:
            try:
                return Path(os.path.realpath(path)).relative_to(self.root).as_posix()
            except ValueError:
                return None

    def _hand_on(self, changed: set[str]) -> None:
        with self.lock:
            if self.sink is None:
                self.kept |= changed
                return
            loop, on_change = self.sink
        loop.add_callback(on_change, changed)


def _force_polling(polling: bool) -> bool | None:
    """True to poll; otherwise the system's events, unless WATCHFILES_FORCE_POLLING asks for
    polling (None lets watchfiles read it; it would also poll on any WSL, so None only then)."""
    if polling:
        return True
    return None if os.environ.get("WATCHFILES_FORCE_POLLING") else False
