"""A fresh process's shortcut for text edits: `python build.py` run again after only the text
of a few articles changed renders the pages that read those texts, and nothing else.

replan.py does this for the preview, which keeps its last plan in memory. A new process has
no plan, and making one (reading every article from the cache, the site model, the plan and
every page's fingerprint) is most of an edit's build. So each full build keeps, beside the
stamp (stamp.py), what it learned while rendering (a `Store`): for every page, the sources of
the articles whose text it read (content.text_reads sees each `body` read) and then its
context, its articles named by digest (trace.py). A later build takes the shortcut when:

- every input but the files under content/ is as it was when the store was kept (the stamp's
  digest of them, stamp.Inputs.rest), 'now' publishes the same articles, and the output folder
  holds what its manifest says;
- each changed file is an article of that build, read without a problem or warning, whose
  text alone changed: replan.py's rule (same front matter, title and summary, no image, no
  translation of it or by it), and no page kept a copy of it of its own, and no step before
  rendering read its text;
- each page that read one of those texts is in the output folder as the store describes it.

Then those pages are rendered again from their kept contexts with the new articles swapped
in, every other file stays as it is, and the links, page weights and the site's size are
checked over the whole site as a full build checks them. A page that showed an edited
article without reading its text keeps its bytes (they cannot differ) and its old fingerprint;
the next full build renders it again, finds the same bytes and leaves the file alone.
Anything else, or any doubt, is a full build. A layout that reaches `digest`, `text_version` or
`packed_body` (which change with the text) reads the text as far as this goes (render._Environment).
A kept context may hold an article as it was before a later shortcut edited its text (a page that
shows it without reading it was not rendered then): such an article is given as it is now."""

from __future__ import annotations

import dataclasses
import os
import pickle
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, Iterator, Mapping, Sequence

from . import stamp
from .config import Config
from .content import Article, ReadResult, read_article, squeezed, text_reads
from .errors import Problem, SiteError, warning_lines
from .files import settled, stat_line, write_atomic
from .fingerprint import page_key
from .i18n import load_strings
from .links import LinkFinder, Verdict, source_line, verify
from .output import Manifest, WriteReport, check_output_dir, commit, stage
from .parallel import close_source
from .plan import PageSpec
from .render import OutputFile
from .replan import heads_changed, text_only
from .report import BuildReport, summary_line, verdict_facts, weight_lines
from .size import SiteSize, kinds_of, measure, size_table, size_warnings
from .sources import ArticleCache, file_digest, reading_settings
from .steps import Timings
from .trace import Contexts, Page, Trace, load_context, trace

if TYPE_CHECKING:
    from .pipeline import Builder

FORMAT = 1
MOST_EDITS = 50                  # changed files beyond which a full build is about as quick


@dataclass(slots=True)
class Store:
    """What the last good full build (or shortcut) learned, for the next shortcut."""

    token: bytes | None          # the contexts file's (Contexts)
    manifest: tuple[int, int, int] | None   # the manifest file it describes the output of: size, time, inode
    rest: str                    # the stamp's digest of every input but content/'s files (stamp.Inputs)
    content: dict[str, bytes]    # each file under content/: its stamp line after the name (b"": its times
                                 # proved nothing yet)
    window: tuple[float | None, float | None]   # while 'now' is inside, the same articles are out (stamp.window)
    sources: dict[str, str]      # article source -> its digest as read
    pages: dict[str, Page]       # every page made from a layout, by output path
    kinds: dict[str, str]        # every output path -> its kind (size.py)
    fixed: frozenset[str]        # sources whose edits always take a full build
    warnings: tuple[Problem, ...]
    listed: list[str]            # the report's lines of articles left out and to review
    counts: str                  # the report's 'N pages, N articles, N tags'
    more_facts: str              # and what follows the links (images, translations)


def store_path(config: Config, output_dir: Path) -> Path:
    return config.cache_dir / f"quick-{Manifest.name(output_dir)}.pickle"


def contexts_for(store: Path, old: Store | None) -> Contexts:
    """The contexts file beside a store, continuing the one `old` describes."""
    return Contexts(store.with_suffix(".contexts"), old.token if old is not None else None)


_MAPS = ("content", "sources", "pages", "kinds")       # the store's tables, by key


def save(path: Path, store: Store, old: Store | None) -> None:
    """Store `store`: as its differences from `old`, the store on disk as loaded, appended to it
    while they are small beside it; else written anew."""
    if old is not None and path.exists() and path.stat().st_size < (64 << 20):
        changes = ({name: getattr(store, name) for name in _FIELDS if getattr(store, name) != getattr(old, name)},
                   {name: _diff(getattr(old, name), getattr(store, name)) for name in _MAPS})
        blob = pickle.dumps(changes, protocol=pickle.HIGHEST_PROTOCOL)
        if len(blob) * 8 < path.stat().st_size:
            with path.open("ab") as f:
                f.write(blob)
            return
    fields = [getattr(store, name) for name in _ORDER]
    fields[_ORDER.index("pages")] = (tuple(store.pages), *map(tuple, zip(*store.pages.values())))  # columns: a third
    write_atomic(path, pickle.dumps((FORMAT, *fields), protocol=pickle.HIGHEST_PROTOCOL))  # of a tuple each's time


_ORDER = tuple(field.name for field in dataclasses.fields(Store))
_FIELDS = tuple(name for name in _ORDER if name not in _MAPS)   # the rest, each replaced whole


def _diff(old: Mapping[str, Any], new: Mapping[str, Any]) -> tuple[dict[str, Any], tuple[str, ...]]:
    """(what is new or different, what is gone)."""
    return {k: v for k, v in new.items() if old.get(k, _NONE) != v}, tuple(k for k in old if k not in new)


_NONE = object()


def load(path: Path) -> Store | None:
    """The store at path with the changes appended to it (`save`), or None when missing,
    damaged or of another version."""
    try:
        with path.open("rb") as f:
            stored = pickle.load(f)
            if type(stored) is not tuple or stored[0] != FORMAT or len(stored) != len(_ORDER) + 1:
                return None
            fields = dict(zip(_ORDER, stored[1:]))
            paths, *columns = fields["pages"]
            fields["pages"] = dict(zip(paths, map(Page._make, zip(*columns))))
            store = Store(**fields)
            while f.peek(1):  # each record a pickle of its own (one Unpickler would mix their memos)
                fields, maps = pickle.load(f)  # a record cut short: damaged, as a whole
                for name, value in fields.items():
                    setattr(store, name, value)
                for name, (changed, gone) in maps.items():
                    table = getattr(store, name)
                    table.update(changed)
                    for key in gone:
                        del table[key]
            return store
    except Exception:  # missing, damaged or foreign: every edit takes a full build
        return None


class Keeper:
    """What a full build keeps for the next shortcut, as it goes: the store of the last build,
    and each page rendered with what it read (its context added to the contexts file)."""

    def __init__(self, builder: Builder, config: Config):
        """On when `wanted`; `start` may still turn it off."""
        self.on = self.wanted(builder, config)
        self.path = store_path(config, builder.output_dir)
        self.old: Store | None = None
        self.contexts: Contexts | None = None
        self.pages: dict[str, Page] = {}

    @staticmethod
    def wanted(builder: Builder, config: Config) -> bool:
        """A command-line build with the cache and without search (whose index a text edit changes)."""
        return builder.options.use_cache and not builder.preview and not config.search

    def start(self, previous: Mapping[str, str], specs: Sequence[PageSpec]) -> Mapping[str, str]:
        """`previous` (path -> key of the files kept as they are) without the pages the store does
        not describe as they are: those are rendered again, so that the next store knows what
        they read."""
        if not self.on:
            return previous
        self.old = load(self.path)
        self.contexts = contexts_for(self.path, self.old)
        if self.old is not None and self.contexts.token != self.old.token:
            self.old = None  # its contexts are gone: every page is rendered again
        pages = self.old.pages if self.old is not None else {}
        templated = {s.path for s in specs if s.template}
        return {path: key for path, key in previous.items()
                if path not in templated or (path in pages and pages[path].key == key)}

    def noted(self, files: Iterable[OutputFile], specs: Sequence[PageSpec]) -> Iterator[OutputFile]:
        """The files, each page's trace kept on the way."""
        assert self.contexts is not None
        by_path = {s.path: s for s in specs}
        try:
            for f in files:
                if f.trace is not None:
                    self.pages[f.path] = page_of(f.key, by_path[f.path], f.trace, self.contexts)
                yield f
        finally:
            close_source(files)

    def keep(self, inputs: stamp.Inputs, report: BuildReport, plan_reads: set[str],
             window: tuple[float | None, float | None], manifest: Manifest) -> None:
        """After a good build: the store written, or removed when the build kept none."""
        if self.on and self.contexts is not None:
            remember(self.path, inputs, report, self.pages, self.old, self.contexts, plan_reads, window, manifest)
        else:
            self.path.unlink(missing_ok=True)

    def close(self) -> None:
        if self.contexts is not None:
            self.contexts.close()


def remember(path: Path, inputs: stamp.Inputs, report: BuildReport, traces: Mapping[str, Page],
             old: Store | None, contexts: Contexts, plan_reads: set[str],
             window: tuple[float | None, float | None], manifest: Manifest) -> None:
    """Keep what a good full build learned: `traces` are the pages it rendered (their contexts
    added to `contexts`), `old` describes the rest, `plan_reads` the sources whose text was read
    before rendering."""
    planned = report.planned
    pages: dict[str, Page] = {}
    fixed = set(plan_reads)
    for spec in planned.specs:
        if not spec.template or spec.data is not None or spec.file:
            continue
        page = traces.get(spec.path) or (old.pages.get(spec.path) if old is not None else None)
        if page is not None:
            pages[spec.path] = page
            fixed.update(page.own)
        else:
            path.unlink(missing_ok=True)  # cannot happen (Keeper.start): keep no store rather than a wrong one
            return
    site = planned.site
    fixed.update(a.source for group in site.read.values() if len(group) > 1 for a in group.values())
    fixed.update(a.translation_of for a in planned.read if a.translation_of)
    images = planned.images
    total = images.encoded + images.reused if images is not None else 0  # all reused, next time
    more = (f"; images: 0 encoded, {total} reused" if total else "") + report.translation_facts()
    pages = contexts.compact(pages)
    rest = "" if inputs.rest_racy else inputs.rest  # a layout or setting just written: its times prove nothing yet
    store = Store(contexts.token, _identity(manifest), rest, _lines(inputs), window,
                  {a.source: a.digest for a in planned.read}, pages, kinds_of(planned.specs), frozenset(fixed),
                  planned.loaded.warnings, report.listed(), report.counts(), more)
    save(path, store, old if old is not None and old.token == contexts.token else None)


def _identity(manifest: Manifest) -> tuple[int, int, int] | None:
    """The manifest file's size, time and inode: written anew (write_atomic) by every build that
    changes the output folder, whether it keeps a store or not."""
    try:
        st = os.stat(manifest.path) if manifest.path is not None else None
    except OSError:
        return None
    return (st.st_size, st.st_mtime_ns, st.st_ino) if st is not None else None


def page_of(key: str, spec: PageSpec, found: Trace, contexts: Contexts) -> Page:
    """A rendered page as the store keeps it, its context added to `contexts`."""
    return Page(key, spec.template, spec.origin, found.reads, found.own, *contexts.add(found.context)) \
        if found.context else Page(key, spec.template, spec.origin, found.reads, found.own)


def _lines(inputs: stamp.Inputs) -> dict[str, bytes]:
    """content/'s lines to keep, without the name they start with; one whose times prove
    nothing yet is empty, and never matches the next."""
    return {name: b"" if name in inputs.unsettled else _after_name(line) for name, line in inputs.content.items()}


def _after_name(line: bytes) -> bytes:
    return line[line.index(b"\0"):]


@dataclass(frozen=True, slots=True)
class QuickReport:
    """The report of a build that took the shortcut, as a full build would have written it."""

    write: WriteReport
    verdict: Verdict
    timings: Timings
    size: SiteSize
    store: Store
    config: Config

    @property
    def warnings(self) -> tuple[Problem, ...]:
        return self.store.warnings + size_warnings(self.size, self.config)

    def notes(self) -> list[str]:
        return warning_lines(self.warnings) + self.store.listed

    def facts(self) -> str:
        return self.store.counts + verdict_facts(self.verdict) + self.store.more_facts

    def summary(self) -> str:
        return summary_line(self.facts(), self.write, self.timings)

    def weights(self) -> list[str]:
        return weight_lines(self.verdict)

    def sizes(self) -> list[str]:
        return size_table(self.size)


@dataclass(frozen=True, slots=True)
class _Edit:
    source: str
    old: Article
    new: ReadResult
    settled_line: str | None     # the file's stat line for the article cache, when its times can be trusted


def build(builder: Builder, config: Config, inputs: stamp.Inputs, now: datetime,
          timings: Timings) -> QuickReport | None:
    """The shortcut, or None when it does not apply (then nothing was written)."""
    if inputs.rest_racy or not Keeper.wanted(builder, config):
        return None
    path = store_path(config, builder.output_dir)
    store = load(path)
    if store is None or store.rest != inputs.rest or inputs.content.keys() != store.content.keys():
        return None
    moment, (since, until) = now.timestamp(), store.window
    if since is not None and moment < since or until is not None and moment >= until:
        return None  # 'now' moved past an article's date: the lists change
    changed = [name for name, line in inputs.content.items() if store.content[name] != _after_name(line)]
    if not changed or len(changed) > MOST_EDITS:
        return None
    with timings.step("read"):
        cache = ArticleCache(config.cache_dir / "articles.pickle")
        edits = _edits(config, store, cache, changed)
    if edits is None:
        return None
    check_output_dir(builder.output_dir, builder.root)
    manifest = Manifest(config.cache_dir, builder.output_dir)
    if store.manifest is None or _identity(manifest) != store.manifest or not manifest.entries \
            or len(manifest.still_valid()) != len(manifest.entries):
        return None  # the output folder is not as the build that kept the store left it
    contexts = contexts_for(path, store)
    if contexts.token != store.token:
        return None
    try:
        return _build(builder, config, inputs, timings, path, store, cache, edits, manifest, contexts)
    finally:
        contexts.close()


def _build(builder: Builder, config: Config, inputs: stamp.Inputs, timings: Timings, path: Path, store: Store,
           cache: ArticleCache, edits: list[_Edit], manifest: Manifest, contexts: Contexts) -> QuickReport | None:
    with timings.step("render"):
        rendered = _render(builder, config, store, cache, edits, manifest, contexts)
    if rendered is None:
        return None
    staged = stage(_files(manifest, rendered), builder.output_dir, manifest, builder.workers)
    try:
        with timings.step("verify"):
            # only a page rendered again can link to nowhere or weigh too much: no file came or went
            verdict = verify(staged.facts, config.base_url, config.page_budget_kb,
                             {path: spec.origin for path, (_, _, spec) in rendered.items()},
                             lambda origin, shown: source_line(builder.root, origin, shown))
            if verdict.problems:
                raise SiteError(verdict.problems, store.warnings)
            size = measure(staged.facts, store.kinds, config.output_limit_mb)
        with timings.step("commit"):
            written = commit(staged, manifest)
    finally:
        staged.discard()
    builder.kept.manifest = manifest
    for digest in store.sources.values():
        cache.keep(digest)
    for edit in edits:
        if edit.new.article is not None:
            cache.put(edit.new.article.digest, edit.new)
            if edit.settled_line is not None:
                cache.remember(edit.source, edit.settled_line, edit.new.article.digest)
    cache.save()
    # what the shortcut changes, in copies: `store` stays as loaded, for the differences saved
    now = dataclasses.replace(store, content=_lines(inputs), sources=dict(store.sources), pages=dict(store.pages))
    for page, (file, found, spec) in rendered.items():
        now.pages[page] = page_of(file.key, spec, found, contexts)
        now.fixed |= set(found.own)
    for edit in edits:
        if edit.new.article is not None:
            now.sources[edit.source] = edit.new.article.digest
    now.pages = contexts.compact(now.pages)
    now.token, now.manifest = contexts.token, _identity(manifest)
    save(path, now, store if store.token == now.token else None)
    return QuickReport(written, verdict, timings, size, now, config)


def _edits(config: Config, store: Store, cache: ArticleCache, changed: list[str]) -> list[_Edit] | None:
    """Each changed file read, if every change is a text edit of an article; else None."""
    settings = reading_settings(config)
    prefix = len(str(config.root)) + 1
    looked_at = time.time()
    edits = []
    for name in changed:
        source = name[prefix:].replace(os.sep, "/")
        old_digest = store.sources.get(source)
        if old_digest is None or source in store.fixed:
            return None  # not an article of the last build, or one whose edits take a full build
        try:
            st = os.stat(name)
            data = Path(name).read_bytes()
        except OSError:
            return None
        line = stat_line(settings, st) if settled(st, looked_at) else None
        digest = file_digest(source, data, settings)
        found = cache.get(old_digest)
        if found is None or found.article is None or found.warnings:
            return None
        if digest == old_digest:  # touched, not changed
            edits.append(_Edit(source, found.article, found, line))
            continue
        result = read_article(source, data, config, digest, squeezed(found.article.packed_body))
        new = result.article
        if new is None or result.problems or result.warnings or not text_only(found.article, new) \
                or heads_changed(found.article, new):
            return None
        edits.append(_Edit(source, found.article, result, line))
    return edits


def _render(builder: Builder, config: Config, store: Store, cache: ArticleCache, edits: list[_Edit],
            manifest: Manifest, contexts: Contexts) -> dict[str, tuple[OutputFile, Trace, PageSpec]] | None:
    """The pages that read an edited text, rendered again; None when one is not as the store says."""
    sources = {e.source for e in edits if e.new.article is not e.old}
    pages = [p for p, page in store.pages.items() if not sources.isdisjoint(page.reads)]
    if not pages:
        return {}
    layouts = builder.layouts(config, load_strings(config))
    finder = LinkFinder(config.base_url)
    read: dict[str, Article] = {}
    swapped: set[str] = set()   # the edited articles a context was given
    current = {**store.sources, **{e.source: e.new.article.digest for e in edits if e.new.article is not None}}
    edited = {e.source: e.new.article for e in edits if e.new.article is not None}

    def cached(digest: str) -> Article:
        result = cache.get(digest)
        if result is None or result.article is None:
            raise KeyError(digest)
        return result.article

    def article(digest: str) -> Article:
        """The article a context names, as it is now."""
        found = cached(digest)
        now = current.get(found.source)
        if now is None:
            raise KeyError(digest)  # gone from the site: a full build would not show it
        if now != found.digest:  # edited by a shortcut since the page was rendered
            newer = edited.get(found.source) or cached(now)
            if not text_only(found, newer) or heads_changed(found, newer):
                raise KeyError(digest)
            found = newer
        if found.source in edited and found is edited[found.source]:
            swapped.add(found.source)
        read[found.digest] = found
        return found

    rendered = {}
    for path in pages:
        page = store.pages[path]
        entry = manifest.entries.get(path)
        if entry is None or entry.key != page.key:
            return None
        swapped.clear()
        try:
            context = load_context(contexts.read(page), article)
        except Exception:  # an article gone from the cache, a damaged context
            return None
        spec = PageSpec(path, page.origin, page.template, context)
        with text_reads() as reads:
            content = layouts.render(spec)
        if isinstance(content, Problem):
            raise SiteError([content], store.warnings)
        if not sources.intersection(reads) <= swapped:
            return None  # it read an edited text from a copy of its own, not the new article
        key = page_key(layouts.template_keys([spec])[page.template], context, {})
        made = OutputFile(path, key, content, finder.facts(path, content))
        rendered[path] = (made, trace(context, reads, read), spec)
    return rendered


def _files(manifest: Manifest, rendered: Mapping[str, tuple[OutputFile, Trace, PageSpec]]) -> Iterator[OutputFile]:
    """Every file of the site in the last build's order: the pages rendered again, the rest as they are."""
    for path, entry in manifest.entries.items():
        made = rendered.get(path)
        yield made[0] if made is not None else OutputFile(path, entry.key, None)
