"""The orchestrator: load, read, build, plan, render, write — each step timed."""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from .cache import ArticleCache
from .config import Config, load_config
from .content import Article, ReadResult, file_digest, read_article, read_articles
from .errors import Problem, SiteError
from .links import LinkChecker
from .model import Site, build_site
from .output import Manifest, WriteReport, check_output_dir, write_one, write_output
from .render import PageSpec, article_spec, make_environment, plan_site, render_site, template_keys


@dataclass(frozen=True, slots=True)
class BuildOptions:
    output: Path | None = None      # default: <root>/output
    base_url: str | None = None
    drafts: bool = False
    future: bool = False
    now: datetime | None = None     # default: SOURCE_DATE_EPOCH, else the clock
    workers: int | None = None      # default: every core
    use_cache: bool = True


@dataclass(frozen=True, slots=True)
class BuildReport:
    """What a build did, for the one summary line and for tests."""

    site: Site
    specs: tuple[PageSpec, ...]
    write: WriteReport | None
    warnings: tuple[Problem, ...]
    converted: int
    timings: dict[str, float] = field(default_factory=dict)
    links: LinkChecker | None = None

    @property
    def pages(self) -> int:
        return sum(1 for s in self.specs if s.path.endswith(".html"))

    def summary(self) -> str:
        """One line: pages, articles, tags, what was written, time taken."""
        site = self.site
        total = sum(self.timings.values())
        line = (f"{self.pages} pages, {len(site.articles)} articles, {len(site.tags)} tags")
        if self.links is not None and self.links.heaviest:
            weight, page = self.links.heaviest[0]
            line += f"; {self.links.checked} links checked, heaviest page {weight:.1f} KB ({page})"
        if self.write is not None:
            line += f"; wrote {self.write.written}, kept {self.write.unchanged}, removed {self.write.deleted}"
        return line + f" in {total:.2f} s"


def build_time(now: datetime | None = None) -> datetime:
    """'Now' for the build: given, else SOURCE_DATE_EPOCH for reproducible builds, else the clock."""
    if now is not None:
        return now if now.tzinfo else now.replace(tzinfo=timezone.utc)
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        try:
            return datetime.fromtimestamp(int(epoch), tz=timezone.utc)
        except ValueError:
            raise SiteError.at("SOURCE_DATE_EPOCH", None, f"'{epoch}' is not a whole number of seconds") from None
    return datetime.now(timezone.utc)


def static_files(config: Config) -> dict[str, bytes]:
    """Every file under static/, by its path in the output."""
    root = config.static_dir
    if not root.is_dir():
        return {}
    return {p.relative_to(root).as_posix(): p.read_bytes()
            for p in sorted(root.rglob("*")) if p.is_file() and not p.name.startswith(".#")}


class Builder:
    """Runs the stages. One Builder serves a whole `serve` session: it keeps the config, the
    article cache, what it knows of each content file and the output manifest in memory, so a
    rebuild reads, converts, renders and writes only what changed."""

    def __init__(self, root: Path, options: BuildOptions):
        self.root = root
        self.options = options
        self.env = None
        self.env_layouts: Path | None = None
        self.config: tuple[tuple[int, int], Config] | None = None
        self.cache: ArticleCache | None = None
        self.known: dict[str, tuple[int, int, ReadResult]] = {}
        self.manifest: Manifest | None = None
        self.last: tuple[Config, Site, dict[str, PageSpec]] | None = None
        self.template_keys: dict[str, str] = {}

    @property
    def output_dir(self) -> Path:
        return self.options.output or self.root / "output"

    def load_config(self) -> Config:
        """Stage 1, read again only when site.yaml changed."""
        try:
            st = os.stat(self.root / "site.yaml")
            stamp = (st.st_mtime_ns, st.st_size)
        except OSError:
            stamp = (0, 0)
        if self.config is None or self.config[0] != stamp:
            self.config = (stamp, load_config(self.root, self.options.base_url))
        return self.config[1]

    def load(self) -> tuple[Config, list[Article], tuple[Problem, ...], int, dict[str, float]]:
        """Stages 1 and 2: config and every article, failing once with every problem."""
        timings: dict[str, float] = {}
        start = time.perf_counter()
        config = self.load_config()
        timings["config"] = time.perf_counter() - start
        start = time.perf_counter()
        if self.cache is None:
            self.cache = ArticleCache(config.cache_dir / "articles.pickle" if self.options.use_cache else None)
        results, converted = read_articles(config, self.cache, self.options.workers or os.cpu_count() or 1,
                                           self.known)
        problems = [p for r in results for p in r.problems]
        warnings = tuple(w for r in results for w in r.warnings)
        if not results and not problems:
            problems.append(Problem("content", None, "has no articles: add a Markdown file such as "
                                                     "content/2024/first-article.md with 'title:' and 'date:' "
                                                     "front matter"))
        if problems:
            raise SiteError(problems)
        self.cache.save()
        timings["read"] = time.perf_counter() - start
        return config, [r.article for r in results if r.article], warnings, converted, timings

    def plan(self) -> tuple[Config, Site, list[PageSpec], tuple[Problem, ...], int, dict[str, float]]:
        """Stages 1 to 3 and the list of output files: everything `check` validates."""
        config, articles, warnings, converted, timings = self.load()
        start = time.perf_counter()
        site = build_site(articles, config, build_time(self.options.now),
                          drafts=self.options.drafts, future=self.options.future)
        if not site.articles:
            raise SiteError.at("content", None, f"no article is published: all {len(site.left_out)} are "
                                                "drafts or dated in the future (see --drafts and --future)")
        specs = plan_site(site, static_files(config))
        timings["model"] = time.perf_counter() - start
        return config, site, specs, warnings, converted, timings

    def environment(self, config: Config):
        """The template environment, made once per process and layouts folder."""
        if self.env is None or self.env_layouts != config.layouts_dir:
            self.env = make_environment(config.layouts_dir)
            self.env_layouts = config.layouts_dir
        return self.env

    def reload_layouts(self) -> None:
        """Forget compiled templates and their fingerprints, after a layout file changed."""
        self.env = None
        self.template_keys = {}

    def keys(self, specs: list[PageSpec], config: Config) -> dict[str, str]:
        """Template fingerprints, parsed once until the layouts change."""
        wanted = {s.template for s in specs if s.template}
        if not wanted <= self.template_keys.keys():
            self.template_keys = template_keys(specs, self.environment(config), config.layouts_dir)
        return self.template_keys

    def build(self) -> BuildReport:
        """All five stages; the output folder changes only when every stage succeeded."""
        config, site, specs, warnings, converted, timings = self.plan()
        check_output_dir(self.output_dir, self.root)
        if self.manifest is None:
            self.manifest = Manifest(config.cache_dir if self.options.use_cache else None, self.output_dir)
        start = time.perf_counter()
        env = self.environment(config)
        keys = self.keys(specs, config)
        if not self.options.use_cache:
            previous: dict[str, str] = {}
        elif self.last is None:
            previous = self.manifest.still_valid()
        else:  # this builder wrote the folder last: its manifest is the truth, no need to stat
            previous = {path: entry[0] for path, entry in self.manifest.entries.items()}
        checker = LinkChecker(config.base_url, config.page_budget_kb)
        files = render_site(specs, env, config.layouts_dir, previous, keys, checker,
                            self.options.workers or os.cpu_count() or 1)
        written = write_output(files, self.output_dir, self.manifest, checker, {s.path: s.origin for s in specs})
        timings["render+write"] = time.perf_counter() - start
        self.last = (config, site, {s.origin: s for s in specs if s.template in ("article.html", "page.html")})
        return BuildReport(site, tuple(specs), written, warnings, converted, timings, checker)

    def quick_update(self, sources: list[str]) -> list[str]:
        """Re-render at once the pages of edited articles whose address and place stay the same.

        For the preview: the edited page is on disk in milliseconds; the full rebuild that
        follows brings lists, feeds and neighbours up to date. Returns the pages written;
        anything it cannot do safely (a new, moved or broken file) it leaves to the rebuild."""
        if self.last is None or self.manifest is None:
            return []
        config, site, by_source = self.last
        env = self.environment(config)
        written = []
        for source in sources:
            old = by_source.get(source)
            path = self.root / source
            if old is None or not path.is_file():
                continue
            data = path.read_bytes()
            digest = file_digest(source, data, config.markdown_fingerprint())
            result = read_article(source, data, config, digest)
            new = result.article
            before = old.context.get("article") or old.context.get("page")  # type: ignore[union-attr]
            if new is None or (new.path, new.date, new.draft, new.is_page) != (
                    before.path, before.date, before.draft, before.is_page):
                continue
            if self.cache is not None:
                self.cache.put(digest, result)
            spec = article_spec(site, new, source)
            try:
                rendered = list(render_site([spec], env, config.layouts_dir, {}, self.keys([spec], config)))
            except SiteError:
                continue
            write_one(rendered[0], self.output_dir, self.manifest)
            written.append(spec.path)
        return written

    def check(self) -> BuildReport:
        """Validate everything a build would, rendering in memory and writing nothing."""
        config, site, specs, warnings, converted, timings = self.plan()
        start = time.perf_counter()
        checker = LinkChecker(config.base_url, config.page_budget_kb)
        env = self.environment(config)
        files = render_site(specs, env, config.layouts_dir, {}, self.keys(specs, config), checker,
                            self.options.workers or os.cpu_count() or 1)
        facts = {f.path: (len(f.content), f.targets or ()) for f in files if f.content is not None}
        checker.verify(facts, {s.path: s.origin for s in specs})
        timings["render"] = time.perf_counter() - start
        return BuildReport(site, tuple(specs), None, warnings, converted, timings, checker)


def build(root: Path, options: BuildOptions = BuildOptions()) -> BuildReport:
    """Build the site at root into options.output (default root/output)."""
    return Builder(root, options).build()


def check(root: Path, options: BuildOptions = BuildOptions()) -> BuildReport:
    """Validate the site at root without writing anything."""
    return Builder(root, options).check()
