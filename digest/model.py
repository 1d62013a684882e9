"""Stage 3: order articles and derive tags, archives, pagers, neighbours and related lists."""

from __future__ import annotations

import heapq
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import Mapping, Sequence

from .config import Config
from .content import Article
from .slugs import slugify

RELATED_WINDOW = 8  # neighbours looked at on each side in each tag: recent news, found fast


@dataclass(frozen=True, slots=True)
class NavLink:
    title: str
    path: str


@dataclass(frozen=True, slots=True)
class SiteInfo:
    """What every page may show about the site: small, so it is cheap to fingerprint."""

    title: str
    description: str
    base_url: str
    base_path: str
    language: str
    publisher: str
    author: str
    nav: tuple[NavLink, ...]


@dataclass(frozen=True, slots=True)
class Pager:
    """One page of a paginated list; the first page has no /page/1/ in its path."""

    number: int
    count: int
    path: str
    items: tuple[Article, ...]
    prev_path: str | None
    next_path: str | None
    total: int  # items over all pages


@dataclass(frozen=True, slots=True)
class Tag:
    name: str
    slug: str
    path: str
    articles: tuple[Article, ...]  # newest first

    @property
    def count(self) -> int:
        return len(self.articles)


@dataclass(frozen=True, slots=True)
class TagLink:
    """A tag as an article or list shows it: name and address, not its articles."""

    name: str
    path: str
    count: int


@dataclass(frozen=True, slots=True)
class Month:
    year: int
    month: int
    path: str
    articles: tuple[Article, ...]


@dataclass(frozen=True, slots=True)
class Year:
    year: int
    path: str
    months: tuple[Month, ...]  # newest first

    @property
    def count(self) -> int:
        return sum(len(m.articles) for m in self.months)


@dataclass(frozen=True, slots=True)
class LeftOut:
    source: str
    reason: str


@dataclass(frozen=True, slots=True)
class Site:
    """Everything the renderer needs, derived once."""

    config: Config
    info: SiteInfo
    now: datetime
    articles: tuple[Article, ...]          # published, newest first
    pages: tuple[Article, ...]             # plain pages, by title
    tags: tuple[Tag, ...]                  # by name
    tag_links: Mapping[str, TagLink]       # tag name as written in an article -> link
    years: tuple[Year, ...]                # newest first
    front_pagers: tuple[Pager, ...]
    tag_pagers: Mapping[str, tuple[Pager, ...]]     # tag slug -> pagers
    month_pagers: Mapping[str, tuple[Pager, ...]]   # month path -> pagers
    newer: Mapping[str, Article | None]     # source -> next newer article
    older: Mapping[str, Article | None]     # source -> next older article
    related: Mapping[str, tuple[Article, ...]]
    left_out: tuple[LeftOut, ...]
    to_review: tuple[Article, ...]          # published or not, articles flagged for review


def paginate(items: Sequence[Article], size: int, base: str) -> tuple[Pager, ...]:
    """Split items into pagers at base, base/page/2/, ...; an empty list still has one page."""
    count = max(1, -(-len(items) // size))

    def path(number: int) -> str:
        return base if number == 1 else f"{base}page/{number}/"

    return tuple(
        Pager(number=n, count=count, path=path(n), items=tuple(items[(n - 1) * size:n * size]),
              prev_path=path(n - 1) if n > 1 else None, next_path=path(n + 1) if n < count else None,
              total=len(items))
        for n in range(1, count + 1))


def _tag_names(articles: Sequence[Article]) -> dict[str, str]:
    """Slug -> display name: the spelling most articles use, ties to the first alphabetically."""
    spellings: dict[str, Counter[str]] = defaultdict(Counter)
    for article in articles:
        for tag in article.tags:
            spellings[slugify(tag)][tag] += 1
    return {slug: min(counts, key=lambda name: (-counts[name], name)) for slug, counts in spellings.items()}


def _related(articles: Sequence[Article], by_tag: Mapping[str, list[Article]],
             count: int) -> dict[str, tuple[Article, ...]]:
    """For each article, those sharing most tags, nearest in time, looked for near it in each tag."""
    if count == 0:
        return {a.source: () for a in articles}
    position = {slug: {a.source: i for i, a in enumerate(items)} for slug, items in by_tag.items()}
    stamp = {a.source: a.date.timestamp() for a in articles}
    related: dict[str, tuple[Article, ...]] = {}
    for article in articles:
        shared: dict[str, int] = {}
        found: dict[str, Article] = {}
        for slug in {slugify(t) for t in article.tags}:
            items = by_tag[slug]
            i = position[slug][article.source]
            for other in items[max(0, i - RELATED_WINDOW):i + RELATED_WINDOW + 1]:
                shared[other.source] = shared.get(other.source, 0) + 1
                found[other.source] = other
        shared.pop(article.source, None)
        when = stamp[article.source]
        best = heapq.nsmallest(count, [(-n, abs(stamp[s] - when), s) for s, n in shared.items()])
        related[article.source] = tuple(found[s] for _, _, s in best)
    return related


def build_site(read: Sequence[Article], config: Config, now: datetime, *, drafts: bool = False,
               future: bool = False) -> Site:
    """Choose what is published and derive every list the pages show."""
    left_out: list[LeftOut] = []
    published: list[Article] = []
    pages: list[Article] = []
    for article in read:
        if article.draft and not drafts:
            left_out.append(LeftOut(article.source, "draft (build with --drafts to include it)"))
        elif article.date > now and not future and not article.is_page:
            left_out.append(LeftOut(article.source, f"dated in the future: {article.date.isoformat()} is after "
                                                    f"{now.astimezone(config.tz).isoformat(timespec='minutes')} "
                                                    "(build with --future to include it)"))
        elif article.is_page:
            pages.append(article)
        else:
            published.append(article)
    published.sort(key=lambda a: (a.date, a.source), reverse=True)
    pages.sort(key=lambda a: (a.title.lower(), a.source))

    names = _tag_names(published)
    by_tag: dict[str, list[Article]] = defaultdict(list)
    for article in published:
        for slug in dict.fromkeys(slugify(t) for t in article.tags):
            by_tag[slug].append(article)
    tags = tuple(sorted((Tag(names[slug], slug, f"tags/{slug}/", tuple(items)) for slug, items in by_tag.items()),
                        key=lambda t: (t.name.lower(), t.slug)))
    by_slug = {t.slug: t for t in tags}
    tag_links = {name: TagLink(by_slug[slugify(name)].name, by_slug[slugify(name)].path,
                               by_slug[slugify(name)].count)
                 for a in published for name in a.tags}

    months: dict[tuple[int, int], list[Article]] = defaultdict(list)
    for article in published:
        local = article.date.astimezone(config.tz)
        months[(local.year, local.month)].append(article)
    years = tuple(
        Year(y, f"{y:04d}/", tuple(Month(y, m, f"{y:04d}/{m:02d}/", tuple(months[(y, m)]))
                                   for m in sorted((m for (yy, m) in months if yy == y), reverse=True)))
        for y in sorted({y for y, _ in months}, reverse=True))

    older = {a.source: (published[i + 1] if i + 1 < len(published) else None) for i, a in enumerate(published)}
    newer = {a.source: (published[i - 1] if i > 0 else None) for i, a in enumerate(published)}
    info = SiteInfo(title=config.title, description=config.description, base_url=config.base_url,
                    base_path=config.base_path, language=config.language,
                    publisher=config.publisher or config.title, author=config.author,
                    nav=tuple(NavLink(p.title, p.path) for p in pages))
    return Site(
        config=config, info=info, now=now, articles=tuple(published), pages=tuple(pages), tags=tags,
        tag_links=tag_links, years=years,
        front_pagers=paginate(published, config.page_size, ""),
        tag_pagers={t.slug: paginate(t.articles, config.page_size, t.path) for t in tags},
        month_pagers={m.path: paginate(m.articles, config.archive_page_size, m.path)
                      for y in years for m in y.months},
        newer=newer, older=older, related=_related(published, by_tag, config.related_count),
        left_out=tuple(left_out), to_review=tuple(a for a in read if a.review),
    )
