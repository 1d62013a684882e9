"""Test helpers for the live preview: a Preview on its own event loop, and the save-to-page latency."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import shutil
import tempfile
import threading
import time
from pathlib import Path
from typing import Callable, Iterator

from tornado.ioloop import IOLoop

from digest.errors import SiteError
from digest.pipeline import BuildOptions
from digest.preview import Preview, Rebuild


@contextlib.contextmanager
def running_preview(root: Path, options: BuildOptions, log: Callable[[str], None] = lambda line: None,
                    on_rebuild: Callable[[Rebuild], None] | None = None,
                    polling: bool = False) -> Iterator[Preview]:
    """A Preview built and watching on an event loop in a background thread, without a server."""
    preview = Preview(root, options, log, [on_rebuild] if on_rebuild else (), polling)
    preview.build_first()
    with on_event_loop(preview):
        yield preview


@contextlib.contextmanager
def on_event_loop(preview: Preview) -> Iterator[Preview]:
    """A built Preview reacting to changes on an event loop in a background thread; closed after."""
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
    try:
        if not ready.wait(30):
            raise RuntimeError("the preview's event loop did not start")
        yield preview
    finally:
        def stop() -> None:
            preview.stop()
            loops[0].stop()
        if loops:
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
                    page_seconds.append(wait_for(lambda: marker in read_or_empty(page)) - start)
                    wait_for(lambda: sum(1 for r in rebuilds if not r.quick) > full_before)
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


def read_or_empty(path: Path) -> bytes:
    """The file's bytes, or b'' while it is missing or being replaced."""
    try:
        return path.read_bytes()
    except OSError:
        return b""


def wait_for(condition: Callable[[], bool], timeout: float = 60.0) -> float:
    """Poll every millisecond until condition() holds, with a deadline; the time it did."""
    deadline = time.perf_counter() + timeout
    while not condition():
        if time.perf_counter() > deadline:
            raise TimeoutError("the preview did not rebuild in time")
        time.sleep(0.001)
    return time.perf_counter()
