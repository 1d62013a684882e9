"""What each page kind's layout reads: one small record per page kind, and the <head>.

Layouts read these by name (`article.title`, `month.count`); every field counts in the page's
fingerprint, so a page is rendered again exactly when something it shows changed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Mapping, Union

from .content import Article
from .model import Pager, SiteInfo, TagLink


@dataclass(frozen=True, slots=True)
class Head:
    """What a page's <head> says about it."""

    title: str
    description: str
    path: str                 # canonical path relative to the site root
    kind: str = "website"     # Open Graph type
    feed_path: str = ""       # a page-specific feed besides the site's
    feed_title: str = ""
    noindex: bool = False
    versions: tuple["Version", ...] = ()   # this page in every language, for hreflang and the switcher
    x_default: str = ""                    # the original's path, for hreflang x-default
    image: str = ""                        # the share card (og:image), 1200×630, and its alt text
    image_alt: str = ""


@dataclass(frozen=True, slots=True)
class Version:
    """This page in one language: where it is, or where that language's front page is."""

    lang: str
    name: str           # the language's own name, e.g. 'Español'
    locale: str         # e.g. 'es_ES', for og:locale:alternate
    path: str
    exists: bool        # a real translation of this page (else `path` is that language's front page)
    current: bool       # the page itself


@dataclass(frozen=True, slots=True)
class ArticleContext:
    site: SiteInfo
    article: Article
    tags: tuple[TagLink, ...]
    newer: Article | None
    older: Article | None
    related: tuple[Article, ...]
    head: Head
    original: Article | None = None    # the original of a translation, published
    stale: bool = False                # the original changed after this translation was made


@dataclass(frozen=True, slots=True)
class PageContext:
    """A plain page (About, Resources)."""

    site: SiteInfo
    page: Article
    head: Head
    original: Article | None = None
    stale: bool = False


@dataclass(frozen=True, slots=True)
class ListContext:
    """One page of a paginated list: the front page, a tag, a month."""

    site: SiteInfo
    pager: Pager
    heading: str
    intro: str
    head: Head


@dataclass(frozen=True, slots=True)
class SearchContext:
    """The search page: its form, the tags to filter by, and where the index is."""

    site: SiteInfo
    tags: tuple[TagLink, ...]
    head: Head
    bundle: str               # the Pagefind bundle's path from the site root, e.g. 'pagefind/'


@dataclass(frozen=True, slots=True)
class TagsContext:
    site: SiteInfo
    tags: tuple[TagLink, ...]
    head: Head
    # per tag, (number, path) of its pages 10, 20, 30... (100, 200, 300... past 100 pages)
    tens: tuple[tuple[tuple[int, str], ...], ...]


@dataclass(frozen=True, slots=True)
class MonthLink:
    """A month as the archive lists it: its name's number, address and count."""

    month: int
    path: str
    count: int
    pages: tuple[str, ...]   # the path of each page of the month's list, the first being `path`


@dataclass(frozen=True, slots=True)
class YearLink:
    year: int
    path: str
    count: int
    months: tuple[MonthLink, ...]


@dataclass(frozen=True, slots=True)
class ArchiveContext:
    site: SiteInfo
    years: tuple[YearLink, ...]
    head: Head


@dataclass(frozen=True, slots=True)
class MonthPreview:
    """A month on its year's page: the latest few articles and how many there are."""

    month: int
    path: str
    latest: tuple[Article, ...]
    count: int
    pages: tuple[str, ...]   # the path of each page of the month's list: every one a click away


@dataclass(frozen=True, slots=True)
class YearContext:
    site: SiteInfo
    year: int
    count: int
    months: tuple[MonthPreview, ...]
    head: Head


@dataclass(frozen=True, slots=True)
class NotFoundContext:
    site: SiteInfo
    head: Head


@dataclass(frozen=True, slots=True)
class RedirectContext:
    """An old address of an article: a page that sends the reader on to it."""

    site: SiteInfo
    article: Article
    head: Head


@dataclass(frozen=True, slots=True)
class FeedContext:
    site: SiteInfo
    title: str
    feed_path: str
    page_path: str
    articles: tuple[Article, ...]
    updated: datetime
    tags: Mapping[str, tuple[TagLink, ...]]   # article source -> its tags


@dataclass(frozen=True, slots=True)
class SitemapEntry:
    path: str
    lastmod: datetime | None
    versions: tuple[Version, ...]     # the page in every language it exists in, itself included


@dataclass(frozen=True, slots=True)
class SitemapIndexContext:
    site: SiteInfo
    sitemaps: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class SitemapContext:
    site: SiteInfo
    entries: tuple[SitemapEntry, ...]


Context = Union[ArticleContext, PageContext, ListContext, TagsContext, ArchiveContext, YearContext,
                NotFoundContext, RedirectContext, FeedContext, SitemapContext, SitemapIndexContext,
                SearchContext]
