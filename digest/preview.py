"""The preview's rebuilds: one Builder for the session, rebuilt after each burst of saves.

    Watcher (digest.watch)  -> batches of changed inputs, on the event loop
    Preview                 -> waits for a quiet moment, rebuilds on its own thread (one at a
                               time), keeps the last good site, and tells its listeners
    listeners               -> a Rebuild record each: pages written, or the problems

An edit of an article's text, title or summary is planned in milliseconds (replan.py); any other
edit of an article renders its page on its own first (`quick_update`), then the whole site. The search
index, which takes Pagefind seconds, is made again only once no save has come for
SEARCH_DELAY, and a new save stops it. The preview owns the state the server shows: `problems`
(the error page) and `base_path`.
"""

from __future__ import annotations

import dataclasses
import threading
import time
import traceback
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable

from tornado.ioloop import IOLoop

from .cards import Cards, make_cards
from .errors import Problem, SiteError, error_lines
from .fingerprint import data_key
from .images import process_images
from .metadata import checked_images
from .output import write_one
from .pipeline import Builder, BuildOptions, BuildReport
from .contexts import ArticleContext, PageContext
from .plan import own_specs
from .render import OutputFile, render_site
from .replan import latest, replaced, text_edits
from .search import Cancelled
from .sources import read_source
from .watch import CONTENT, EVERYTHING, LAYOUT, STEP, Watcher, classify

DEBOUNCE = 0.03  # seconds without a new change before a burst of saves is rebuilt
SEARCH_DELAY = 1.0  # seconds without a save before the search index is made again (Pagefind takes
                    # about 2 s for 1,000 articles: a rebuild never waits for it, a new save stops it)


@dataclass(frozen=True, slots=True)
class Rebuild:
    """What one rebuild did; handed to the listeners on the event loop thread.

    `pages` are the output files a reader sees changed: None for every page (the error page
    came, changed or went, or the base path moved), empty when nothing shown changed (the
    same errors again)."""

    sources: frozenset[str]            # changed inputs, relative to the root ('*': unknown)
    pages: frozenset[str] | None       # output files written or removed, as above
    problems: tuple[Problem, ...]      # why the build failed; empty when it succeeded
    report: BuildReport | None
    quick: bool                        # only the edited pages, ahead of the full rebuild
    seconds: float                     # time the rebuild took
    finished: float                    # time.perf_counter() when its files were on disk


Listener = Callable[[Rebuild], None]


class Preview:
    """The site built into a private folder and kept up to date: debounced, one rebuild at a time,
    changes during a rebuild giving one more rebuild after it; the last good site stays served."""

    def __init__(self, root: Path, options: BuildOptions, log: Callable[[str], None],
                 listeners: Iterable[Listener] = (), polling: bool = False) -> None:
        assert options.output is not None, "the preview needs its own output folder"
        self.root = root
        self.output = options.output
        self.log = log
        self.listeners: list[Listener] = list(listeners)
        self.builder = Builder(root, options, preview=True)
        self.watcher = Watcher(root, log, polling)
        self.watcher.open()  # before the first build: no save is missed
        self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="rebuild")
        self.loop: IOLoop | None = None
        self.pending: set[str] = set()
        self.timer: object | None = None
        self.running: Future | None = None
        self.problems: tuple[Problem, ...] = ()      # what the error page shows; empty: the site
        self.warnings: frozenset[Problem] = frozenset()
        self.base_path = self._base_path()
        self.rebuilds = 0
        self.search_timer: object | None = None    # the index is made again when nothing else is to do
        self.stop_search = threading.Event()       # set by a new save: Pagefind stops, the rebuild goes first

    def subscribe(self, listener: Listener) -> None:
        """Call listener(Rebuild) on the event loop thread after every rebuild from now on."""
        self.listeners.append(listener)

    def _base_path(self) -> str:
        try:
            return self.builder.load_config().base_path
        except SiteError:
            return getattr(self, "base_path", "/")

    def build_first(self) -> None:
        """The first full build, on the calling thread; a mistake is shown, not raised."""
        self._apply(self._build(frozenset({EVERYTHING}), time.perf_counter()))

    def start(self, loop: IOLoop) -> None:
        """Start reacting to changes on this event loop (and index the first build's pages)."""
        self.loop = loop
        self.watcher.start(loop, self.changed)
        if self.builder.kept.search_behind:
            self.search_timer = loop.call_later(0, self._search)

    def changed(self, paths: Iterable[str]) -> None:
        """Note changed inputs and (re)start the quiet-period timer; on the event loop thread.
        The watcher already waited STEP without a change; the timer waits the rest."""
        assert self.loop is not None
        self.pending.update(paths)
        self.stop_search.set()
        if self.search_timer is not None:
            self.loop.remove_timeout(self.search_timer)
            self.search_timer = None
        if self.timer is not None:
            self.loop.remove_timeout(self.timer)
        self.timer = self.loop.call_later(max(DEBOUNCE - STEP, 0.0), self._settled)

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
        outcome = future.result()
        if outcome is not None:
            self._apply(outcome)
        if self.pending and self.timer is None:
            self._settled()
        elif not self.pending and self.timer is None and self.loop is not None and self.builder.kept.search_behind:
            self.search_timer = self.loop.call_later(SEARCH_DELAY, self._search)

    def _search(self) -> None:
        """Index the site again on the rebuild thread, now that no save is waiting."""
        self.search_timer = None
        if self.running is not None or self.pending or self.loop is None:
            return
        loop = self.loop
        self.stop_search.clear()
        self.running = self.executor.submit(self._refresh)
        self.running.add_done_callback(lambda future: loop.add_callback(self._done, future))

    def _refresh(self) -> None:
        """On the rebuild thread: the search index of the last site built; stopped by a new save."""
        start = time.perf_counter()
        try:
            written = self.builder.refresh_search(self.stop_search.is_set)
        except Cancelled:
            return None
        except SiteError as exc:  # said once: the next rebuild tries again, not the next second
            self.builder.kept.search_behind = False
            for line in error_lines(exc.problems):
                self.log(line)
            return None
        except Exception:  # a bug: say so, keep serving the pages and the last index
            self.builder.kept.search_behind = False
            self.log(traceback.format_exc().rstrip())
            return None
        if written is not None and written.written:
            self.log(f"search index updated in {time.perf_counter() - start:.1f} s")
        return None

    def _rebuild(self, sources: frozenset[str]) -> Rebuild:
        """On the rebuild thread: the edited pages first when that is safe, then the whole site."""
        start = time.perf_counter()
        quick = (not self.problems and EVERYTHING not in sources
                 and all(classify(s) == CONTENT and s.endswith(".md") for s in sources))
        if quick:
            try:
                written = quick_update(self.builder, sorted(sources))
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
        if EVERYTHING in sources or any(classify(s) == LAYOUT for s in sources):
            self.builder.reload_layouts()
        try:
            report = self.builder.build(changed=None if EVERYTHING in sources else sources)
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
        written = report.write.touched if report.write is not None else None
        return Rebuild(sources, written, (), report, False, now - start, now)

    def _apply(self, outcome: Rebuild) -> None:
        """Record a rebuild's result, tell the terminal, and pass it on to the listeners."""
        if not outcome.quick:
            self.rebuilds += 1
            self._report(outcome)
            outcome = dataclasses.replace(outcome, pages=self._seen(outcome))
            self.problems = outcome.problems
        for listener in list(self.listeners):
            listener(outcome)

    def _seen(self, outcome: Rebuild) -> frozenset[str] | None:
        """The pages a reader sees changed by a full rebuild, given the problems shown before it."""
        if outcome.problems:
            return frozenset() if outcome.problems == self.problems else None
        base_path, self.base_path = self.base_path, self._base_path()
        if self.problems or base_path != self.base_path:
            return None  # the error page goes, or every address moved: every page changes
        return outcome.pages

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
        self.stop_search.set()
        for name in ("timer", "search_timer"):
            if self.loop is not None and getattr(self, name) is not None:
                self.loop.remove_timeout(getattr(self, name))
                setattr(self, name, None)
        self.watcher.close()
        self.executor.shutdown(wait=True)

    def close(self) -> None:
        """Release everything, including the engine's manifest of the private output folder."""
        self.stop_search.set()
        self.watcher.close()
        self.executor.shutdown(wait=True)
        manifest = self.builder.manifest
        if manifest is not None and manifest.path is not None:
            manifest.path.unlink(missing_ok=True)


def quick_update(builder: Builder, sources: list[str]) -> list[str]:
    """Re-render at once the pages of edited articles whose address and place stay the same.

    The edited page is on disk in milliseconds; the full rebuild that follows brings lists,
    feeds and neighbours up to date. Returns the pages written; anything it cannot do safely
    (a new, moved or broken file) it leaves to the rebuild, and so an edit of the text alone,
    which a preview's rebuild plans as quickly."""
    kept = builder.kept
    if kept.planned is None or kept.manifest is None:
        return []
    config, site = kept.planned.loaded.config, kept.planned.site
    shown = {s.origin: s.context for s in kept.planned.specs if isinstance(s.context, (ArticleContext, PageContext))}
    written = []
    for source in sources:
        context, path = shown.get(source), builder.root / source
        if context is None or not path.is_file():
            continue
        result = read_source(config, source, path.read_bytes())
        new = result.article
        before = context.article if isinstance(context, ArticleContext) else context.page
        if new is None or (new.path, new.date, new.draft, new.is_page) != (
                before.path, before.date, before.draft, before.is_page):
            continue
        if kept.cache is not None:
            kept.cache.put(new.digest, result)
        if kept.planned.shows is not None and text_edits((before,), (new,), site.read) is not None:
            continue  # only its text, title or summary changed: the full rebuild that follows is as quick (replan.py)
        try:
            cache = builder.image_cache(config)
            images = process_images(config, (new,), 1, {a.source: a for a in kept.planned.loaded.articles}, cache)
            cards = make_cards(config, kept.planned.strings, images.articles, 1, cache)
        except SiteError:
            continue
        new = images.articles[0]
        spec = own_specs(site, kept.planned.strings, _with_card(kept.planned.cards, cards, new.source), new)[0]
        current = latest(kept.planned.loaded.articles)  # its neighbours as the last build showed them
        spec = replaced(spec, lambda a, source=new.source: a if a.source == source else current(a))
        try:
            [page] = render_site([spec], builder.layouts(config, kept.planned.strings), {}, config.base_url)
        except SiteError:
            continue
        made_files = []
        for path, made in {**images.files, **cards.articles_files(new.source)}.items():
            data = made.data if made.data is not None else Path(made.file).read_bytes()
            made_files.append(OutputFile(path, made.key or data_key(data), data))
        try:
            made_files = list(checked_images(made_files, {}))
        except SiteError:
            continue  # the full rebuild says what is wrong
        for made_file in made_files:
            write_one(made_file, builder.output_dir, kept.manifest)
        write_one(page, builder.output_dir, kept.manifest)
        written.append(spec.path)
    return written


def _with_card(known: Cards | None, made: Cards, source: str) -> Cards:
    """The site's cards with this article's card made again."""
    site_cards = known.site_cards if known is not None else made.site_cards
    return Cards({**(known.articles if known else {}), source: made.articles[source]}, site_cards, {})
