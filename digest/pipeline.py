"""The orchestrator: a build is a list of timed steps, each one stage of the engine.

    config   site.yaml             -> Config              config.load_config
    read     content/**/*.md       -> Loaded              sources.read_articles
    model    articles              -> Site                model.build_site
    plan     Site                  -> Planned             plan.plan_site
    render   PageSpecs             -> OutputFiles + links render.render_site, staged by its workers or output.stage_more
    search   staged pages          -> Pagefind bundle     search.search_files, staged too
    cards    share cards not drawn -> staged cards        cards.Unmade: some while Pagefind runs
    verify   links and weights     -> Verdict             links.verify
             bytes per kind        -> SiteSize            size.measure, warned of near the limit
    commit   staged files          -> output/             output.commit

`check` runs the same steps up to verify and writes nothing. A Builder keeps what later builds
can reuse in one record, `Kept`, so `serve` rebuilds only what changed. Three shortcuts, each
giving what the full steps would:
    stamp    the command line: nothing changed since the last good build -> nothing to do (stamp.py)
    replan   the preview: only articles' text, title or summary changed -> the last plan, those
             articles swapped in, their own pages and cards planned again (replan.py)
    search   the preview keeps its last index and makes it again when idle (refresh_search)"""

from __future__ import annotations

import dataclasses
import functools
import gc
import os
import tempfile
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Callable, Iterator, Mapping

from . import quick, stamp
from .cards import make_cards
from .fonts import find_fonts
from .config import Config, load_config
from .content import text_reads
from .errors import Problem, SiteError
from .i18n import Strings, load_strings
from .images import process_images
from .inputs import build_time, bundle_files, static_files
from .links import LinkFacts, Verdict, source_line, verify
from .memo import RelatedMemo
from .metadata import checked_images
from .model import build_site
from .output import (Manifest, StagingWriter, WriteReport, check_output_dir, commit, open_staging, stage,
                     stage_more)
from .parallel import default_workers
from .plan import SEARCH_BUNDLE, plan_site
from .render import Layouts, OutputFile, page_keys, render_site
from .replan import plan_own, replan
from .report import BuildReport, Loaded, Planned
from .search import PageTap, kept_bundle, pagefind_binary, search_files
from .size import kinds_of, measure
from .sources import ArticleCache, SeenFile, read_articles
from .stamp import Unchanged
from .steps import Timings, collector_paused, keep_from_collector


@dataclass(frozen=True, slots=True)
class BuildOptions:
    output: Path | None = None      # default: <root>/output
    base_url: str | None = None
    drafts: bool = False
    future: bool = False
    now: datetime | None = None     # default: SOURCE_DATE_EPOCH, else the clock
    workers: int | None = None      # default: every core
    use_cache: bool = True


@dataclass(slots=True)
class Kept:
    """What a Builder keeps between builds, each part with the one event that makes it stale."""

    config: Config | None = None
    config_stamp: tuple[int, int] = (0, 0)        # site.yaml's (mtime_ns, size) when read
    cache: ArticleCache | None = None             # converted articles by file digest
    seen: Mapping[str, SeenFile] = field(default_factory=dict)   # content files unchanged since read
    layouts: Layouts | None = None                # compiled layouts; dropped when a layout changes
    manifest: Manifest | None = None              # what the output folder holds
    planned: Planned | None = None                # the last site built: the preview replans and updates from it
    related: RelatedMemo | None = None            # related articles by the lists they come from
    search_behind: bool = False                   # the preview kept an index older than its pages
    unbuilt: frozenset[str] | None = frozenset()  # inputs changed since the last good build (None: unknown)


class Builder:
    """Runs the steps. One Builder serves a whole `serve` session: what it keeps lets a rebuild
    read, convert, render and write only what changed."""

    def __init__(self, root: Path, options: BuildOptions, preview: bool = False):
        """A preview's builder owns its output folder for its lifetime (the manifest stays in
        memory) and notes which files show which article, so a text edit is planned quickly."""
        self.root = root
        self.options = options
        self.preview = preview
        self.kept = Kept()
        self._scratch: tempfile.TemporaryDirectory | None = None
        self.keeper: quick.Keeper | None = None   # a command-line build keeps what its pages read (quick.py)
        self.plan_reads: set[str] = set()         # sources whose text a step before rendering read

    @property
    def output_dir(self) -> Path:
        return self.options.output or self.root / "output"

    def image_cache(self, config: Config) -> Path:
        """Where encoded images and share cards are kept: .cache/images/, or with --no-cache a
        folder of this builder's own, removed with it."""
        if self.options.use_cache:
            return config.cache_dir / "images"
        if self._scratch is None:
            self._scratch = tempfile.TemporaryDirectory(prefix="digest-images-")
        return Path(self._scratch.name)

    def close(self) -> None:
        """Remove this builder's scratch folder (images encoded with --no-cache), if any."""
        if self._scratch is not None:
            self._scratch.cleanup()
            self._scratch = None

    @property
    def workers(self) -> int:
        return self.options.workers or default_workers()

    def build_unless_unchanged(self) -> BuildReport | Unchanged:
        """A build, or nothing at all when every input and the output folder are exactly as the
        last good build left them (see stamp.py): then its report, replayed."""
        if not self.options.use_cache or self.kept.planned is not None:
            return self.build()
        timings = Timings()
        with timings.step("config"):
            config = self.load_config()
        with timings.step("stamp"):
            path = config.cache_dir / f"stamp-{Manifest.name(self.output_dir)}.json"
            options = (self.output_dir.resolve(), config.base_url, self.options.drafts, self.options.future)
            inputs = stamp.inputs(config, options, find_fonts(config.root))
            record = stamp.load(path)
            now = build_time(self.options.now)
            if stamp.holds(record, inputs, self.output_dir, now):
                return Unchanged(record, timings)
        report: BuildReport | quick.QuickReport | None = quick.build(self, config, inputs, now, timings)
        if report is not None:
            window = report.store.window
        else:
            keeper = self.keeper = quick.Keeper(self, config)
            try:
                report = self.build(timings)
                window = stamp.window((a.date for a in report.planned.loaded.articles), now)
                with timings.step("store"):
                    assert self.kept.manifest is not None
                    keeper.keep(inputs, report, self.plan_reads, window, self.kept.manifest)
            finally:
                keeper.close()
                self.keeper = None
        if not inputs.racy:
            assert self.kept.manifest is not None
            entries = self.kept.manifest.entries
            stamp.save(path, stamp.Record(
                inputs.digest, {p: [e.size, e.mtime_ns] for p, e in entries.items()}, *window,
                report.notes(), report.facts(), report.weights(), report.sizes()))
        return report

    @collector_paused()
    def build(self, timings: Timings | None = None, changed: frozenset[str] | None = None) -> BuildReport:
        """Every step; the output folder changes only when every step succeeded. `changed`, when
        known, names the inputs changed since the last build (paths relative to the root)."""
        timings = timings if timings is not None else Timings()
        # What changed since the last good build: a failed build's changes count for the next one
        since = None if changed is None or self.kept.unbuilt is None else self.kept.unbuilt | changed
        self.kept.unbuilt = since
        planned = self._plan(timings, since, cards_later=not self.preview)
        try:
            report = self._write(planned, timings)
        except SiteError as exc:
            raise SiteError(exc.problems, planned.loaded.warnings) from None
        self.kept.unbuilt = frozenset()
        return report

    def _write(self, planned: Planned, timings: Timings) -> BuildReport:
        """Render, verify and commit a planned site."""
        check_output_dir(self.output_dir, self.root)
        config = planned.loaded.config
        if config.search:
            pagefind_binary()  # missing: one line now, not after rendering the site
        pages = PageTap(planned.specs)
        with timings.step("render"):
            manifest = self._manifest(config)  # what output/ holds, each file checked on disk
            previous = self._previous(manifest)
            if planned.keys is None and self.preview:  # kept for the next save's replan
                shows: dict[int, list[int]] = {}
                keys = page_keys(planned.specs, self.layouts(config, planned.strings), shows)
                planned = dataclasses.replace(planned, keys=tuple(keys), shows=shows)
            # else render_site finds the keys, while its workers start on a first build
            if self.keeper is not None:
                previous = self.keeper.start(previous, planned.specs)
            unmade = planned.cards.unmade if planned.cards is not None else None
            later = unmade.names if unmade is not None else frozenset()  # share cards not drawn yet
            files = pages.tap(self._render(planned, previous, lambda path: path not in later,
                                           StagingWriter(self.output_dir, manifest)))
            staged = stage_more(open_staging(self.output_dir, self.workers), files, manifest)
        try:
            if config.search:
                with timings.step("search"):
                    # The preview keeps its last index (none at first) and indexes when idle (refresh_search)
                    draw = unmade.draw_one if unmade is not None and self.workers > 1 else None
                    stage_more(staged, kept_bundle(previous) if self.preview else search_files(
                        pages, staged, config.base_path, previous, meanwhile=draw, workers=self.workers), manifest)
            if unmade is not None:
                with timings.step("cards"):  # the rest of them: Pagefind left time for some
                    unmade.draw(self.workers)
                    stage_more(staged, self._render(planned, previous, later.__contains__), manifest)  # cards: files
            self.kept.search_behind = self.preview and config.search
            with timings.step("verify"):
                verdict = self._verify(planned, staged.facts)
                size = measure(staged.facts, kinds_of(planned.specs), config.output_limit_mb)
            with timings.step("commit"):
                written = commit(staged, manifest)
        finally:
            staged.discard()
        self.kept.planned = planned
        return BuildReport(planned, written, verdict, timings, size)

    @collector_paused()
    def check(self) -> BuildReport:
        """Validate everything a build would, rendering in memory and writing nothing."""
        timings = Timings()
        planned = self._plan(timings)
        try:
            if planned.loaded.config.search:
                pagefind_binary()
            with timings.step("render"):
                facts = {f.path: f.links for f in self._render(planned, {}) if f.links is not None}
            with timings.step("verify"):
                verdict = self._verify(planned, facts)
                size = measure(facts, kinds_of(planned.specs), planned.loaded.config.output_limit_mb)
        except SiteError as exc:
            raise SiteError(exc.problems, planned.loaded.warnings) from None
        return BuildReport(planned, None, verdict, timings, size)

    def refresh_search(self, cancelled: Callable[[], bool] = lambda: False) -> WriteReport | None:
        """Index the last site built again, if a preview build kept an older index; None when
        there was nothing to do. Raises search.Cancelled when `cancelled` says stop."""
        planned, manifest = self.kept.planned, self.kept.manifest
        if not self.kept.search_behind or planned is None or manifest is None or not planned.loaded.config.search:
            return None
        config = planned.loaded.config
        previous = manifest.keys()
        pages = PageTap(planned.specs)
        pages.keys = {path: previous[path] for path in pages.language if path in previous}
        pages.rendered = set(pages.keys)  # the last index may be older than any page: compare their bytes
        kept = [OutputFile(path, key, None) for path, key in previous.items() if not path.startswith(SEARCH_BUNDLE)]
        staged = stage(kept, self.output_dir, manifest, self.workers)
        try:
            stage_more(staged, search_files(pages, staged, config.base_path, previous, cancelled,
                                            workers=self.workers), manifest)
            written = commit(staged, manifest)
        finally:
            staged.discard()
        self.kept.search_behind = False
        return written

    def load_config(self) -> Config:
        """site.yaml, read again only when it changed."""
        try:
            st = os.stat(self.root / "site.yaml")
            stamp = (st.st_mtime_ns, st.st_size)
        except OSError:
            stamp = (0, 0)
        if self.kept.config is None or self.kept.config_stamp != stamp:
            self.kept.config = load_config(self.root, self.options.base_url)
            self.kept.config_stamp = stamp
        return self.kept.config

    def layouts(self, config: Config, strings: Strings) -> Layouts:
        """The compiled layouts, made once until reload_layouts(), showing these strings."""
        if self.kept.layouts is None or self.kept.layouts.folder != config.layouts_dir:
            self.kept.layouts = Layouts(config.layouts_dir, strings,
                                        config.cache_dir / "templates" if self.options.use_cache else None)
        self.kept.layouts.use_strings(strings)
        return self.kept.layouts

    def reload_layouts(self) -> None:
        """Forget compiled layouts and their fingerprints, after a layout file changed."""
        self.kept.layouts = None

    @property
    def manifest(self) -> Manifest | None:
        """The manifest of the output folder, once a build has loaded it."""
        return self.kept.manifest

    # ------------------------------------------------------------------ the steps

    def _plan(self, timings: Timings, changed: frozenset[str] | None = None, cards_later: bool = False) -> Planned:
        # What each step makes lives until the build ends: once made, it is frozen out of the
        # collector's sight (see keep_from_collector). What the last build froze is handed back
        # first, so a long `serve` session collects its garbage as before.
        gc.unfreeze()
        with timings.step("config"):
            config = self.load_config()
            strings = load_strings(config)
        with timings.step("read"):
            loaded = self._read(config)
        keep_from_collector()
        if changed is not None:
            with timings.step("replan"):
                replanned = self._replan(loaded, strings, changed)
            if replanned is not None:
                return replanned
        with text_reads() as reads:  # a text read before rendering: its edits take a full build (quick.py)
            planned = self._model_and_plan(loaded, strings, timings, cards_later)
        self.plan_reads = set(reads)
        return planned

    def _model_and_plan(self, loaded: Loaded, strings: Strings, timings: Timings, cards_later: bool) -> Planned:
        config, read = loaded.config, loaded.articles
        try:
            with timings.step("images"):
                images = process_images(config, loaded.articles, self.workers, cache=self.image_cache(config))
                loaded = Loaded(config, images.articles, loaded.warnings, loaded.converted)
            with timings.step("model"):
                if self.kept.related is None:
                    self.kept.related = RelatedMemo(config.cache_dir / "related.pickle" if self.options.use_cache
                                                    else None)
                site = build_site(loaded.articles, config, strings, build_time(self.options.now),
                                  drafts=self.options.drafts, future=self.options.future, memo=self.kept.related)
                self.kept.related = self.kept.related.next()
                if not site.articles:
                    raise SiteError.at("content", None, f"no article is published: all {len(site.left_out)} are "
                                                        "drafts or dated in the future (see --drafts and --future)")
            keep_from_collector()
            with timings.step("images"):
                shown = tuple(a for e in site.editions for a in e.articles + e.pages)
                cards = make_cards(config, strings, shown, self.workers, self.image_cache(config), cards_later)
                files = {**images.published({a.source for a in shown}), **cards.files}
            with timings.step("plan"):
                specs = tuple(plan_site(site, strings, static_files(config), bundle_files(config, loaded.articles),
                                        files, cards))
            keep_from_collector()
        except SiteError as exc:
            raise SiteError(exc.problems, loaded.warnings) from None
        return Planned(loaded, strings, site, specs, images, cards, read)

    def _replan(self, loaded: Loaded, strings: Strings, changed: frozenset[str]) -> Planned | None:
        """The last plan with edits of articles' text, title or summary swapped in (replan.py)."""
        last = self.kept.planned
        if (last is None or last.keys is None or last.shows is None or self.kept.layouts is None
                or loaded.config is not last.loaded.config or strings.version != last.strings.version
                or not all(path.startswith("content/") and path.endswith(".md") for path in changed)):
            return None
        layouts = self.layouts(loaded.config, strings)
        done = replan(last.read, loaded.articles, last.site, last.loaded.articles, last.specs, last.keys,
                      last.shows, build_time(self.options.now), lambda specs: page_keys(specs, layouts),
                      last.cards, functools.partial(plan_own, last.site, strings, loaded.config,
                                                    self.image_cache(loaded.config)))
        if done is None:
            return None
        return dataclasses.replace(last, loaded=Loaded(loaded.config, done.articles, loaded.warnings, loaded.converted),
                                   strings=strings, specs=done.specs, read=loaded.articles, keys=done.keys,
                                   shows=done.shows, cards=done.cards)

    def _read(self, config: Config) -> Loaded:
        if self.kept.cache is None:
            self.kept.cache = ArticleCache(config.cache_dir / "articles.pickle" if self.options.use_cache else None)
        reading = read_articles(config, self.kept.cache, self.workers, self.kept.seen)
        self.kept.seen = reading.seen
        # Saved before any problem stops the build: what was converted is right, and the build
        # after the fix converts only the files that changed
        self.kept.cache.save()
        problems = [p for r in reading.results for p in r.problems]
        if not reading.results and not problems:
            problems.append(Problem("content", None, "has no articles: add a Markdown file such as "
                                                     "content/2024/first-article.md with 'title:' and 'date:' "
                                                     "front matter"))
        if problems:
            raise SiteError(problems, tuple(w for r in reading.results for w in r.warnings))
        return Loaded(config, tuple(r.article for r in reading.results if r.article),
                      tuple(w for r in reading.results for w in r.warnings), reading.converted)

    def _manifest(self, config: Config) -> Manifest:
        if self.kept.manifest is None:
            stored = self.options.use_cache and not self.preview
            self.kept.manifest = Manifest(config.cache_dir if stored else None, self.output_dir)
        return self.kept.manifest

    def _previous(self, manifest: Manifest) -> dict[str, str]:
        """path -> key of the files still as the last build left them: those are not rendered again."""
        if not self.options.use_cache:
            return {}
        if self.kept.planned is None:
            return manifest.still_valid()
        return manifest.keys()  # this builder wrote the folder last: its manifest is the truth

    def _render(self, planned: Planned, previous: Mapping[str, str], picked: Callable[[str], bool] | None = None,
                stage: StagingWriter | None = None) -> Iterator[OutputFile]:
        """Every file of the site (whose path is `picked`), each image written checked for
        metadata on its way out; what each page read noted by the keeper. Pages rendered by
        workers are staged by them with `stage`."""
        config = planned.loaded.config
        specs, keys = list(planned.specs), planned.keys
        if picked is not None:
            chosen = [i for i, spec in enumerate(specs) if picked(spec.path)]
            specs, keys = [specs[i] for i in chosen], keys and [keys[i] for i in chosen]
        keeper = self.keeper if self.keeper is not None and self.keeper.on else None
        read = {a.digest: a for a in planned.read} if keeper is not None else None
        files = checked_images(render_site(specs, self.layouts(config, planned.strings), previous,
                                           config.base_url, self.workers, keys, read, stage), planned.origins())
        return keeper.noted(files, specs) if keeper is not None else files

    def _verify(self, planned: Planned, facts: Mapping[str, LinkFacts]) -> Verdict:
        config = planned.loaded.config
        verdict = verify(facts, config.base_url, config.page_budget_kb, planned.origins(),
                         functools.partial(source_line, self.root))
        if verdict.problems:
            raise SiteError(verdict.problems)
        return verdict


def build(root: Path, options: BuildOptions = BuildOptions()) -> BuildReport:
    """Build the site at root into options.output (default root/output)."""
    return Builder(root, options).build()


def check(root: Path, options: BuildOptions = BuildOptions()) -> BuildReport:
    """Validate the site at root without writing anything."""
    return Builder(root, options).check()
