"""Stage 4: one PageSpec per output file, each with a small typed context; no I/O.

A new page kind is one function here returning its PageSpecs, one context record, one
layout, and one line in `plan_site`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Iterator, Mapping, Union

from .content import Article
from .errors import Problem, SiteError
from .model import Month, Pager, Site, SiteInfo, Tag, TagLink, Year
from .text import month_name


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


# ---------------------------------------------------------------- contexts, one per page kind

@dataclass(frozen=True, slots=True)
class ArticleContext:
    site: SiteInfo
    article: Article
    tags: tuple[TagLink, ...]
    newer: Article | None
    older: Article | None
    related: tuple[Article, ...]
    head: Head


@dataclass(frozen=True, slots=True)
class PageContext:
    """A plain page (About, Resources)."""

    site: SiteInfo
    page: Article
    head: Head


@dataclass(frozen=True, slots=True)
class ListContext:
    """One page of a paginated list: the front page, a tag, a month."""

    site: SiteInfo
    pager: Pager
    heading: str
    intro: str
    head: Head


@dataclass(frozen=True, slots=True)
class TagsContext:
    site: SiteInfo
    tags: tuple[TagLink, ...]
    head: Head


@dataclass(frozen=True, slots=True)
class MonthLink:
    """A month as the archive lists it: its name's number, address and count."""

    month: int
    path: str
    count: int


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


@dataclass(frozen=True, slots=True)
class SitemapContext:
    site: SiteInfo
    entries: tuple[SitemapEntry, ...]


Context = Union[ArticleContext, PageContext, ListContext, TagsContext, ArchiveContext, YearContext,
                NotFoundContext, FeedContext, SitemapContext]


@dataclass(frozen=True, slots=True)
class PageSpec:
    """One output file to produce: from a template and context, or given bytes."""

    path: str                          # relative to the output root, e.g. 2024/12/x/index.html
    origin: str                        # what asked for it, named when two ask for one path
    template: str = ""
    context: Context | None = None
    data: bytes | None = None          # for copied and generated non-template files


# ---------------------------------------------------------------- one function per page kind

def article_spec(site: Site, article: Article, placed_as: str) -> PageSpec:
    """The page of one article or plain page, shown among the neighbours `placed_as` has in site."""
    info = site.info
    head = Head(f"{article.title} | {info.title}", article.summary, article.path,
                "website" if article.is_page else "article")
    if article.is_page:
        return PageSpec(article.path + "index.html", article.source, "page.html",
                        PageContext(info, article, head))
    return PageSpec(article.path + "index.html", article.source, "article.html",
                    ArticleContext(info, article, _tag_links(site, article), site.newer[placed_as],
                                   site.older[placed_as], site.related[placed_as], head))


def front_pages(site: Site) -> Iterator[PageSpec]:
    """The front page and its /page/N/ followers."""
    info = site.info
    for pager in site.front_pagers:
        yield _list_spec(site, pager, "the front page", info.title, "Latest news", info.description,
                         info.description)


def tag_index(site: Site) -> PageSpec:
    """/tags/: every tag with its count."""
    info = site.info
    return PageSpec("tags/index.html", "the tags page", "tags.html", TagsContext(
        info, tuple(TagLink(t.name, t.path, t.count) for t in site.tags),
        Head(f"Tags | {info.title}", f"Every subject in {info.title}, with its number of articles.", "tags/")))


def tag_pages(site: Site, tag: Tag) -> Iterator[PageSpec]:
    """A tag's paginated list and its feed."""
    info = site.info
    feed = f"{tag.path}feed.xml"
    intro = f"{tag.count} article{'s' if tag.count != 1 else ''} tagged “{tag.name}”."
    for pager in site.tag_pagers[tag.slug]:
        yield _list_spec(site, pager, f"the page of tag '{tag.name}'", f"Tag: {tag.name}", f"Tag: {tag.name}",
                         intro, f"Articles tagged “{tag.name}” in {info.title}.", feed,
                         f"{info.title}: {tag.name}")
    yield feed_spec(site, feed, f"{info.title}: {tag.name}", tag.path, tag.articles, f"the feed of tag '{tag.name}'")


def archive_page(site: Site) -> PageSpec:
    """/archive/: every year and month with its count."""
    info = site.info
    years = tuple(YearLink(y.year, y.path, y.count, tuple(MonthLink(m.month, m.path, len(m.articles))
                                                          for m in y.months))
                  for y in site.years)
    return PageSpec("archive/index.html", "the archive page", "archive.html", ArchiveContext(
        info, years, Head(f"Archive | {info.title}", f"Every month of {info.title}.", "archive/")))


def year_page(site: Site, year: Year) -> PageSpec:
    """A year's page: each month with its latest five articles."""
    info = site.info
    months = tuple(MonthPreview(m.month, m.path, m.articles[:5], len(m.articles)) for m in year.months)
    return PageSpec(year.path + "index.html", f"the archive of {year.year}", "year.html", YearContext(
        info, year.year, year.count, months,
        Head(f"{year.year} | {info.title}", f"Articles of {year.year} in {info.title}.", year.path)))


def month_pages(site: Site, month: Month) -> Iterator[PageSpec]:
    """A month's paginated list."""
    name = f"{month_name(month.month)} {month.year}"
    count = len(month.articles)
    for pager in site.month_pagers[month.path]:
        yield _list_spec(site, pager, f"the archive of {name}", name, name,
                         f"{count} article{'s' if count != 1 else ''}.", f"Articles of {name} in {site.info.title}.")


def not_found_page(site: Site) -> PageSpec:
    """404.html, which GitHub Pages serves for any missing address."""
    info = site.info
    return PageSpec("404.html", "the 404 page", "404.html", NotFoundContext(
        info, Head(f"Page not found | {info.title}", "This page does not exist.", "404.html", noindex=True)))


def feed_spec(site: Site, path: str, title: str, page_path: str, articles: tuple[Article, ...],
              origin: str) -> PageSpec:
    """An Atom feed of the newest `feed_size` of these articles."""
    items = articles[:site.config.feed_size]
    updated = max((a.updated or a.date for a in items), default=site.now)
    return PageSpec(path, origin, "feed.xml", FeedContext(
        site.info, title, path, page_path, items, updated, {a.source: _tag_links(site, a) for a in items}))


def sitemap(site: Site, specs: list[PageSpec]) -> PageSpec:
    """sitemap.xml: every HTML page but the 404 page, with the articles' last changes."""
    html_paths = [s.path for s in specs if s.template.endswith(".html") and s.path != "404.html"]
    lastmod = {a.path + "index.html": (a.updated or a.date) for a in site.articles + site.pages}
    return PageSpec("sitemap.xml", "the sitemap", "sitemap.xml", SitemapContext(
        site.info, tuple(SitemapEntry(p.removesuffix("index.html"), lastmod.get(p)) for p in sorted(html_paths))))


def extra_files(site: Site, static_files: Mapping[str, bytes]) -> Iterator[PageSpec]:
    """robots.txt, .nojekyll, CNAME and everything under static/."""
    yield PageSpec("robots.txt", "robots.txt",
                   data=f"User-agent: *\nAllow: /\nSitemap: {site.info.base_url}sitemap.xml\n".encode())
    yield PageSpec(".nojekyll", ".nojekyll", data=b"")  # GitHub Pages: serve the files as they are
    if site.config.cname:
        yield PageSpec("CNAME", "site.yaml cname", data=f"{site.config.cname}\n".encode())
    for path, data in static_files.items():
        yield PageSpec(path, f"static/{path}", data=data)


def plan_site(site: Site, static_files: Mapping[str, bytes]) -> list[PageSpec]:
    """Every output file the site needs, with collisions between two sources reported."""
    specs = [article_spec(site, article, article.source) for article in site.articles]
    specs += [article_spec(site, page, page.source) for page in site.pages]
    specs += front_pages(site)
    specs.append(tag_index(site))
    for tag in site.tags:
        specs += tag_pages(site, tag)
    specs.append(archive_page(site))
    for year in site.years:
        specs.append(year_page(site, year))
        for month in year.months:
            specs += month_pages(site, month)
    specs.append(not_found_page(site))
    specs.append(feed_spec(site, "feed.xml", site.info.title, "", site.articles, "the site feed"))
    specs.append(sitemap(site, specs))
    specs += extra_files(site, static_files)
    check_collisions(specs)
    return specs


def check_collisions(specs: list[PageSpec]) -> None:
    """Two sources writing one file is an error naming both."""
    seen: dict[str, str] = {}
    problems = []
    for spec in specs:
        key = spec.path.lower()  # GitHub Pages and many laptops treat case as the same file
        if key in seen:
            first, second = sorted((seen[key], spec.origin))
            problems.append(Problem(second, None, f"writes {spec.path}, which {first} writes too: "
                                                  "change the slug or date of one of them"))
        else:
            seen[key] = spec.origin
    if problems:
        raise SiteError(problems)


# ---------------------------------------------------------------- helpers

def _list_spec(site: Site, pager: Pager, origin: str, title: str, heading: str, intro: str,
               description: str, feed: str = "", feed_title: str = "") -> PageSpec:
    info = site.info
    page = f" — page {pager.number} of {pager.count}" if pager.number > 1 else ""
    shown = f"{title}{page} | {info.title}" if title != info.title else f"{title}{page}"
    head = Head(title=shown, description=description, path=pager.path, feed_path=feed, feed_title=feed_title)
    return PageSpec(pager.path + "index.html", origin, "list.html", ListContext(info, pager, heading, intro, head))


def _tag_links(site: Site, article: Article) -> tuple[TagLink, ...]:
    return tuple(site.tag_links[name] for name in article.tags if name in site.tag_links)
