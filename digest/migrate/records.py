"""The values migrate's stages pass along: the options in, an OldSite of Posts between, the report out."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

from ..errors import Problem

JEKYLL, HUGO = "Jekyll", "Hugo"
ARTICLE, PAGE = "article", "page"
YAML, TOML = "yaml", "toml"


@dataclass(frozen=True, slots=True)
class MigrateOptions:
    """What the command line says about this migration."""

    force: bool = False
    dry_run: bool = False


@dataclass(frozen=True, slots=True)
class FrontMatter:
    """An old file's front matter as written, its values, and where its body starts."""

    syntax: str                  # YAML or TOML; YAML for a file that had none (and for JSON, rewritten)
    prefix: str                  # what came before the opening fence: a BOM, blank lines
    text: str                    # the lines between the fences, each ending in '\n'
    values: Mapping[str, Any]
    body: str
    body_line: int               # the file's line number of the body's first line


@dataclass(frozen=True, slots=True)
class Post:
    """One old article or page, with everything the later stages need to know about it."""

    source: str                  # path from the old site's root, as messages show it: _posts/2014-09-08-x.md
    kind: str                    # ARTICLE or PAGE
    front: FrontMatter
    target: str                  # where it goes, from our site's root: content/2014/2014-09-08-x.md
    title: str                   # the title the build will read (from the file name when it had none)
    date: Any                    # the date the build will read: text, date or datetime; None when unknown
    old_url: str                 # its address on the old site, '/2014/09/08/x.html'; '' when never published
    aliases: tuple[str, ...] = ()              # redirect_from / aliases as written, made root-relative
    added: Mapping[str, Any] = field(default_factory=dict)    # keys the build needs that the old file implied
    names: tuple[str, ...] = ()                # what links elsewhere call it: post_url names, ref paths
    bundle: tuple[tuple[Path, str], ...] = ()  # (file beside it, its target)
    folder: str = ""             # the old file's folder from the old root, for relative Hugo refs


@dataclass(frozen=True, slots=True)
class Asset:
    """A file the old site served as it is, and where it goes in static/."""

    path: Path
    target: str                  # from our site's root: static/assets/x.png


@dataclass(frozen=True, slots=True)
class OldSite:
    """Everything read from the old site: its settings, its posts and pages, its assets."""

    generator: str               # JEKYLL or HUGO
    root: Path
    base_path: str               # the path the old site lived under, '/' or '/blog/'
    url: str                     # its address without the path, 'https://example.org', or ''
    posts: tuple[Post, ...]
    assets: tuple[Asset, ...]
    failed: tuple[Problem, ...] = ()       # files that could not be read: the rest is still migrated
    warnings: tuple[Problem, ...] = ()     # files left out on purpose, and why


@dataclass(frozen=True, slots=True)
class Leftover:
    """A construct our build does not understand, left in place for an editor."""

    source: str
    line: int
    text: str

    def __str__(self) -> str:
        return f"{self.source}:{self.line} {self.text}"


@dataclass(frozen=True, slots=True)
class Review:
    """One migrated article an editor should look at, and why."""

    target: str
    leftovers: tuple[Leftover, ...]          # constructs left in place, each with its old file and line
    notes: tuple[str, ...] = ()              # anything else: aliases left out, a date the build cannot read


@dataclass(frozen=True, slots=True)
class MigrateReport:
    """What one migration did, or would do with --dry-run."""

    generator: str
    articles: tuple[str, ...]
    pages: tuple[str, ...]
    assets: int
    aliases: int
    review: tuple[Review, ...]
    written: tuple[str, ...]
    unchanged: tuple[str, ...]
    failed: tuple[Problem, ...] = ()
    warnings: tuple[Problem, ...] = ()
    dry_run: bool = False

    def summary(self) -> str:
        """One line: articles, pages, assets, aliases, left for review."""
        done = "would migrate" if self.dry_run else "migrated"
        line = (f"{done} from {self.generator}: {_count(len(self.articles), 'article')}, "
                f"{_count(len(self.pages), 'page')}, {_count(self.assets, 'asset')}, "
                f"{_count(self.aliases, 'alias', 'aliases')}, {len(self.review)} left for review")
        if self.failed:
            line += f"; {len(self.failed)} not migrated (see the errors above)"
        return line


def _count(number: int, one: str, many: str = "") -> str:
    """'1 article', '2 articles'."""
    return f"{number} {one if number == 1 else many or one + 's'}"
