"""What the finished site weighs per kind of file, and the warning before it passes the
published-site limit (GitHub Pages publishes at most 1 GB). Sizes come from the facts every
staged file already carries: no walk of the output folder."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Mapping

from .config import Config
from .errors import Problem
from .links import LinkFacts
from .plan import SEARCH_BUNDLE, PageSpec

MB = 1024 * 1024
APPROACHING = 0.8      # share of the limit from which the build warns that it is near
ADVISED_KINDS = 4      # kinds named in the warning, heaviest first


def _advice(*parts: str) -> Callable[[Config], str]:
    return lambda config: "; ".join(part.format(c=config) for part in parts)


_FEWER_LIST_PAGES = _advice("a larger page_size ({c.page_size} now) means fewer pages, each with its header and footer")

# kind (PageSpec.kind) -> (what the table calls it, the site.yaml settings that cut it)
KINDS: dict[str, tuple[str, Callable[[Config], str]]] = {
    "article": ("article pages", lambda config: _advice("related_count: 0 drops the {c.related_count} related "
                                                        "articles listed on each page")(config)
                if config.related_count else ""),
    "page": ("plain pages", _advice()),
    "front": ("front pages", _FEWER_LIST_PAGES),
    "tag": ("tag pages", _FEWER_LIST_PAGES),
    "tag_feed": ("tag feeds", _advice("tag_feeds: N keeps feeds only for tags with N articles or more "
                                      "(false: none)", "a smaller feed_size ({c.feed_size} now)")),
    "feed": ("site feeds", _advice("a smaller feed_size ({c.feed_size} now)")),
    "tags": ("tags index", _advice()),
    "archive": ("archive index", _advice()),
    "year": ("year archives", _advice()),
    "month": ("month archives", _advice("a larger archive_page_size ({c.archive_page_size} now) means fewer "
                                        "pages")),
    "redirect": ("redirects", _advice("drop old `aliases:` nothing links to any more")),
    "search": ("search page", _advice()),
    "search_index": ("search index", _advice("search: false removes the index and the search form")),
    "image": ("images", _advice("images: {{avif: false}} drops the AVIF copies", "lower images: {{quality: ...}}")),
    "card": ("share cards", lambda config: {
        "articles": "share_cards: photos draws a card only for articles with a lead photo, share_cards: site for "
                    "none: the other pages share their language's card",
        "photos": "share_cards: site: every page shares its language's card"}.get(config.share_cards, "")),
    "bundle": ("files beside articles", _advice()),
    "static": ("static/", _advice()),
    "sitemap": ("sitemaps", _advice()),
    "other": ("other files", _advice()),
}


@dataclass(frozen=True, slots=True)
class KindSize:
    """The files of one kind in the finished site."""

    kind: str
    files: int
    size: int        # bytes

    @property
    def label(self) -> str:
        return KINDS.get(self.kind, KINDS["other"])[0]


@dataclass(frozen=True, slots=True)
class SiteSize:
    """The finished site's bytes per kind, heaviest first, and the limit it is measured against."""

    kinds: tuple[KindSize, ...]
    limit: int       # bytes

    @property
    def size(self) -> int:
        return sum(k.size for k in self.kinds)

    @property
    def files(self) -> int:
        return sum(k.files for k in self.kinds)


def kinds_of(specs: tuple[PageSpec, ...] | list[PageSpec]) -> dict[str, str]:
    """Output path -> its kind, for every planned file."""
    return {spec.path: spec.kind or "other" for spec in specs}


def measure(facts: Mapping[str, LinkFacts], kinds: Mapping[str, str], limit_mb: float) -> SiteSize:
    """Bytes and files per kind over every file of the site (the search index is known by its folder)."""
    files: dict[str, int] = {}
    sizes: dict[str, int] = {}
    for path, fact in facts.items():
        kind = kinds.get(path) or ("search_index" if path.startswith(SEARCH_BUNDLE) else "other")
        files[kind] = files.get(kind, 0) + 1
        sizes[kind] = sizes.get(kind, 0) + fact.size
    found = sorted((KindSize(kind, files[kind], sizes[kind]) for kind in files), key=lambda k: (-k.size, k.kind))
    return SiteSize(tuple(found), int(limit_mb * MB))


def size_warnings(size: SiteSize, config: Config) -> tuple[Problem, ...]:
    """Nothing below APPROACHING of the limit; else a line saying how near or how far over, and
    the heaviest kinds with the site.yaml settings that cut them."""
    if size.size < APPROACHING * size.limit:
        return ()
    state = "is over" if size.size > size.limit else "is approaching"
    head = (f"{_mb(size.size)} in {_files(size.files)} {state} the {_mb(size.limit)} limit "
            f"({100 * size.size / size.limit:.0f}%; output_limit_mb in site.yaml, default 1024: GitHub Pages "
            "publishes at most 1 GB); the heaviest kinds and the settings that cut them follow")
    lines = [head]
    for kind in size.kinds[:ADVISED_KINDS]:
        advice = KINDS.get(kind.kind, KINDS["other"])[1](config)
        lines.append(f"{kind.label}: {_mb(kind.size)} in {_files(kind.files)} "
                     f"({100 * kind.size / max(size.size, 1):.0f}%)" + (f": {advice}" if advice else ""))
    return tuple(Problem("output", None, line, kind="site size") for line in lines)


def size_table(size: SiteSize) -> list[str]:
    """One line per kind, heaviest first, then the total against the limit."""
    lines = [f"{_mb(k.size):>10} {_files(k.files):>12}  {k.label}" for k in size.kinds]
    lines.append(f"{_mb(size.size):>10} {_files(size.files):>12}  in all, {100 * size.size / size.limit:.0f}% of the "
                 f"{_mb(size.limit)} limit (output_limit_mb)")
    return lines


def _mb(size: int) -> str:
    """Bytes in MB, or in KB below one MB; a whole number of MB (a limit) without decimals."""
    if size < MB:
        return f"{size / 1024:,.1f} KB"
    return f"{size // MB:,} MB" if size % MB == 0 else f"{size / MB:,.1f} MB"


def _files(count: int) -> str:
    return f"{count:,} file" + ("" if count == 1 else "s")
