"""What the pipeline hands on: the articles read (`Loaded`), the site planned (`Planned`), and
the report of a build (`BuildReport`): what it did, for the one summary line and for tests."""

from __future__ import annotations

from dataclasses import dataclass

from .cards import Cards
from .config import Config
from .content import Article
from .errors import Problem, warning_lines
from .i18n import Strings
from .images import ImagesDone
from .links import Verdict
from .model import Site
from .output import WriteReport
from .plan import PageSpec
from .search import memory_warnings
from .size import SiteSize, size_table, size_warnings
from .steps import Timings
from .translations import counts, table


@dataclass(frozen=True, slots=True)
class Loaded:
    """Settings and every article read, before anything is derived."""

    config: Config
    articles: tuple[Article, ...]
    warnings: tuple[Problem, ...]
    converted: int                  # files converted from Markdown (not from the cache)


@dataclass(frozen=True, slots=True)
class Planned:
    """The site and every output file it needs: all that `check` validates before rendering."""

    loaded: Loaded
    strings: Strings
    site: Site
    specs: tuple[PageSpec, ...]
    images: ImagesDone | None = None
    cards: Cards | None = None
    read: tuple[Article, ...] = ()                  # the articles as read, before the images step
    keys: tuple[str, ...] | None = None             # each file's fingerprint, when already known
    shows: dict[int, list[int]] | None = None       # id(article) -> the files that show it (a preview's)

    def origins(self) -> dict[str, str]:
        """Output path -> the source that asked for it, for messages."""
        return {s.path: s.origin for s in self.specs}


@dataclass(frozen=True, slots=True)
class BuildReport:
    """What a build did, for the one summary line and for tests."""

    planned: Planned
    write: WriteReport | None
    verdict: Verdict
    timings: Timings                 # seconds per step, and .cpu
    size: SiteSize | None = None     # the site's bytes per kind

    @property
    def site(self) -> Site:
        return self.planned.site

    @property
    def specs(self) -> tuple[PageSpec, ...]:
        return self.planned.specs

    @property
    def warnings(self) -> tuple[Problem, ...]:
        """What the articles' reading found, and the site's size when it nears its limit."""
        config = self.planned.loaded.config
        found = self.planned.loaded.warnings + (memory_warnings(self.planned.specs) if config.search else ())
        return found if self.size is None else found + size_warnings(self.size, config)

    def sizes(self) -> list[str]:
        """The site's bytes and files per kind, heaviest first."""
        return size_table(self.size) if self.size is not None else []

    @property
    def converted(self) -> int:
        return self.planned.loaded.converted

    @property
    def pages(self) -> int:
        return sum(1 for s in self.specs if s.path.endswith(".html"))

    def weights(self) -> list[str]:
        """The heaviest pages, each with the images a 360 px phone loads for it."""
        return weight_lines(self.verdict)

    def notes(self) -> list[str]:
        """The warnings, and the articles left out or to review, one line each."""
        return warning_lines(self.warnings) + self.listed()

    def listed(self) -> list[str]:
        """The articles left out or to review, one line each."""
        site = self.site
        return ([f"left out: {a.source}: {a.reason}" for a in site.left_out]
                + [f"to review: {a.source}: {a.review}" for a in site.to_review])

    def summary(self) -> str:
        """One line: pages, articles, tags, links, what was written, time taken."""
        return summary_line(self.facts(), self.write, self.timings)

    def facts(self) -> str:
        """The summary's part that describes the site: pages, articles, tags, links, images."""
        return self.counts() + verdict_facts(self.verdict) + self.more_facts()

    def counts(self) -> str:
        site = self.site
        return f"{self.pages} pages, {len(site.articles)} articles, {len(site.tags)} tags"

    def more_facts(self) -> str:
        """The images encoded and reused, and the translations missing and stale."""
        images = self.planned.images
        shown = images is not None and (images.encoded or images.reused)
        return (f"; images: {images.encoded} encoded, {images.reused} reused" if shown else "") \
            + self.translation_facts()

    def translation_facts(self) -> str:
        """The translations missing and stale, when the site has more than one language."""
        site = self.site
        if len(site.editions) <= 1:
            return ""
        found = counts(table(site))
        return f"; translations: {found['missing']} missing, {found['stale']} stale"


def summary_line(facts: str, write: WriteReport | None, timings: Timings) -> str:
    """A build's one line: what the site holds, what was written, the time taken."""
    line = facts
    if write is not None:
        line += f"; wrote {write.written}, kept {write.unchanged}, removed {write.deleted}"
    return line + f" in {sum(timings.values()):.2f} s"


def verdict_facts(verdict: Verdict) -> str:
    """The links checked and the heaviest page."""
    if not verdict.heaviest:
        return ""
    weight, page = verdict.heaviest[0]
    line = f"; {verdict.checked} links checked, heaviest page {weight:.1f} KB ({page}"
    images = verdict.images.get(page, ())
    if images:
        line += f", images {sum(kb for kb, _ in images):.1f} KB as a phone loads them"
    return line + ")"


def weight_lines(verdict: Verdict) -> list[str]:
    """The heaviest pages, each with the images a 360 px phone loads for it."""
    lines = []
    for weight, page in verdict.heaviest:
        lines.append(f"{weight:6.1f} KB  {page}")
        lines += [f"{kb:6.1f} KB    {image}" for kb, image in verdict.images.get(page, ())]
    return lines
