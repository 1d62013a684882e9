"""Stage 4: one PageSpec per output file, each with a small typed context; no I/O.

Planning runs once per language. A new page kind is one function here returning its
PageSpecs, one context record in contexts.py, one layout, and one line in `plan_edition`."""

from __future__ import annotations

import functools
from collections import defaultdict
from dataclasses import dataclass
from typing import Any, Iterator, Mapping, Sequence

from .cards import Cards
from .content import Article
from .encode import Generated
from .contexts import (ArchiveContext, ArticleContext, Context, FeedContext, Head, ListContext, MonthLink,
                       MonthPreview, NotFoundContext, PageContext, RedirectContext, SearchContext, SitemapContext,
                       SitemapEntry, SitemapIndexContext, TagsContext, Version, YearContext, YearLink)
from .errors import Problem, SiteError
from .i18n import MissingString, Strings
from .model import Edition, Month, Pager, Site, SiteInfo, Tag, TagLink, Year
from .slugs import slugify

SEARCH_BUNDLE = "pagefind/"  # where the search index lives, from the site root


@dataclass(frozen=True)
class Scope:
    """What planning one language needs: the site, its edition, its strings, and where every
    page is in every language (by what the page shows: ('tag', 'legal-aid', 1), ...)."""

    site: Site
    edition: Edition
    strings: Strings
    addresses: Mapping[tuple, Mapping[str, str]]
    cards: Cards | None = None    # the share cards: an article's own, else its language's

    @property
    def info(self) -> SiteInfo:
        return self.edition.info

    @functools.cached_property
    def tag_keys(self) -> dict[str, str]:
        """Tag slug here -> the slug every language's version of the tag shares."""
        return _tag_keys(self.strings, self.edition.language.code, self.site.config.language)

    def t(self, key: str, **values: Any) -> str:
        """An interface string in this edition's language."""
        return self.strings.text(self.edition.language.code, key, **values)

    def head(self, identity: tuple, title: str, description: str, path: str, **more: Any) -> Head:
        """A page's head, with its versions in every language."""
        lang = self.edition.language.code
        found = self.addresses.get(identity, {})
        versions = tuple(Version(e.language.code, e.language.name, e.language.locale, found.get(e.language.code, e.language.prefix),
                                 e.language.code in found, e.language.code == lang)
                         for e in self.site.editions)
        original = more.pop("original", None) or self.site.config.language
        card = self.cards.site_cards.get(lang, "") if self.cards else ""
        more.setdefault("image", card)
        more.setdefault("image_alt", self.info.title if card else "")
        return Head(title, description, path, versions=versions,
                    x_default=found.get(original, found.get(lang, path)), **more)


@dataclass(frozen=True, slots=True)
class PageSpec:
    """One output file to produce: from a template and context, or given bytes."""

    path: str                          # relative to the output root, e.g. 2024/12/x/index.html
    origin: str                        # what asked for it, named when two ask for one path
    template: str = ""
    context: Context | None = None
    data: bytes | None = None          # for copied and generated non-template files
    file: str = ""                     # or a file to copy (an encoded image in the cache), read only when
    key: str = ""                      # its key, which names its bytes, differs from the last build's
    kind: str = ""                     # what it is, for the size per kind (size.KINDS)


# ---------------------------------------------------------------- one function per page kind

def article_spec(scope: Scope, article: Article) -> PageSpec:
    """The page of one article or plain page, among its neighbours in its language."""
    info, edition, site = scope.info, scope.edition, scope.site
    kind = "website" if article.is_page else "article"
    original_lang = _lang_of(site, article.key)
    original = site.versions.get(article.key, {}).get(original_lang) if article.translation_of else None
    image, image_alt = scope.cards.head_image(article) if scope.cards else ("", "")
    own = {"image": image, "image_alt": image_alt} if image else {}
    head = scope.head(("article", article.key), f"{article.title} | {info.title}", article.summary, article.path,
                      kind=kind, original=original_lang, **own)
    stale = article.source in site.stale
    if article.is_page:
        return PageSpec(article.output_file, article.source, "page.html",
                        PageContext(info, article, head, original, stale), kind="page")
    return PageSpec(article.output_file, article.source, "article.html",
                    ArticleContext(info, article, edition.article_tags[article.source],
                                   edition.newer[article.source], edition.older[article.source],
                                   edition.related[article.source], head, original, stale), kind="article")


def front_pages(scope: Scope) -> Iterator[PageSpec]:
    """The front page and its /page/N/ followers."""
    info = scope.info
    for pager in scope.edition.front_pagers:
        yield _list_spec(scope, ("front", pager.number), pager, "the front page" + _in(scope), info.title,
                         scope.t("latest_news"), info.description, info.description, kind="front")


def tag_index(scope: Scope) -> PageSpec:
    """/tags/: every tag with its count, and its pages 10, 20, 30...: each of those links the rest of
    its ten, so a tag's every page is two clicks from here, in a language whose tags page is two
    clicks from the front page too. A tag of more than 100 pages gets its pages 100, 200, 300...
    instead (each links the tens of its hundred): at most ten links a tag, so that the page
    stays within its budget on a site of 100,000 articles (its tens made it 142 KB)."""
    info, home = scope.info, scope.info.home
    tens = tuple(_every(scope.edition.tag_pagers[t.slug]) for t in scope.edition.tags)
    return PageSpec(f"{home}tags/index.html", "the tags page" + _in(scope), "tags.html", TagsContext(
        info, tuple(TagLink(t.name, t.path, t.count) for t in scope.edition.tags),
        scope.head(("tags",), f"{scope.t('tags')} | {info.title}", scope.t("tags_description", site=info.title),
                   f"{home}tags/"), tens), kind="tags")


def tag_pages(scope: Scope, tag: Tag) -> Iterator[PageSpec]:
    """A tag's paginated list and its feed (unless `tag_feeds` leaves it out)."""
    info = scope.info
    feed = f"{tag.path}feed.xml" if scope.site.config.has_tag_feed(tag.count) else ""
    heading = scope.t("tag_heading", name=tag.name)
    intro = scope.t("tag_intro", name=tag.name, count=tag.count)
    key = _tag_key(scope, tag)
    for pager in scope.edition.tag_pagers[tag.slug]:
        yield _list_spec(scope, ("tag", key, pager.number), pager, f"the page of tag '{tag.name}'" + _in(scope),
                         heading, heading, intro, scope.t("tag_description", name=tag.name, site=info.title),
                         feed, f"{info.title}: {tag.name}" if feed else "", kind="tag")
    if feed:
        yield feed_spec(scope, feed, f"{info.title}: {tag.name}", tag.path, tag.articles,
                        f"the feed of tag '{tag.name}'" + _in(scope), kind="tag_feed")


ARCHIVE_LINKS_UP_TO = 500  # month pages the archive page links, beyond which it links each month's first


def archive_page(scope: Scope) -> PageSpec:
    """/archive/: every year and month with its count, and a link to each page of a month, so
    every article is three clicks from the front page in any language (Archive, month page,
    article). When that would be more than ARCHIVE_LINKS_UP_TO links (2,000 at 100,000 articles,
    a 94 KB page), each month's first page only: its year's page links every one."""
    info, home, pagers = scope.info, scope.info.home, scope.edition.month_pagers
    every = sum(len(pagers[m.path]) for y in scope.edition.years for m in y.months) <= ARCHIVE_LINKS_UP_TO
    years = tuple(YearLink(y.year, y.path, y.count, tuple(
        MonthLink(m.month, m.path, len(m.articles), tuple(p.path for p in pagers[m.path]) if every else (m.path,))
        for m in y.months)) for y in scope.edition.years)
    return PageSpec(f"{home}archive/index.html", "the archive page" + _in(scope), "archive.html", ArchiveContext(
        info, years, scope.head(("archive",), f"{scope.t('archive')} | {info.title}",
                                scope.t("archive_description", site=info.title), f"{home}archive/")), kind="archive")


def _every(pagers: Sequence[Pager]) -> tuple[tuple[int, str], ...]:
    """(number, path) of a list's pages 10, 20, 30... when it has up to 100, its pages 100, 200,
    300... up to 1,000, and so on."""
    step = 10
    while len(pagers) > step * 10:
        step *= 10
    return tuple((p.number, p.path) for p in pagers[step - 1::step])


def year_page(scope: Scope, year: Year) -> PageSpec:
    """A year's page: each month with its latest five articles and a link to each of its pages."""
    info = scope.info
    pagers = scope.edition.month_pagers
    months = tuple(MonthPreview(m.month, m.path, m.articles[:5], len(m.articles),
                                tuple(p.path for p in pagers[m.path])) for m in year.months)
    return PageSpec(year.path + "index.html", f"the archive of {year.year}" + _in(scope), "year.html", YearContext(
        info, year.year, year.count, months,
        scope.head(("year", year.year), f"{year.year} | {info.title}",
                   scope.t("year_description", year=year.year, site=info.title), year.path)), kind="year")


def month_pages(scope: Scope, month: Month) -> Iterator[PageSpec]:
    """A month's paginated list."""
    name = scope.strings.month_year(scope.edition.language.code, month.year, month.month)
    count = len(month.articles)
    for pager in scope.edition.month_pagers[month.path]:
        yield _list_spec(scope, ("month", month.year, month.month, pager.number), pager,
                         f"the archive of {month.year}-{month.month:02d}" + _in(scope), name, name,
                         scope.t("month_intro", count=count),
                         scope.t("month_description", month=name, site=scope.info.title), kind="month")


def not_found_page(scope: Scope) -> PageSpec:
    """404.html, which GitHub Pages serves for any missing address (the default language's)."""
    info, home = scope.info, scope.info.home
    return PageSpec(f"{home}404.html", "the 404 page" + _in(scope), "404.html", NotFoundContext(
        info, scope.head(("404",), f"{scope.t('not_found')} | {info.title}", scope.t("not_found_description"),
                         f"{home}404.html", noindex=True)), kind="other")


def search_page(scope: Scope) -> PageSpec:
    """/search/: reads `q` and asks the Pagefind index in the browser; noindex, since its
    content is the reader's query, not ours."""
    info, home = scope.info, scope.info.home
    return PageSpec(f"{home}search/index.html", "the search page" + _in(scope), "search.html", SearchContext(
        info, tuple(TagLink(t.name, t.path, t.count) for t in scope.edition.tags),
        scope.head(("search",), f"{scope.t('search')} | {info.title}", scope.t("search_description", site=info.title),
                   f"{home}search/", noindex=True), SEARCH_BUNDLE), kind="search")


def redirects(scope: Scope, article: Article) -> Iterator[PageSpec]:
    """A small page at each of an article's old addresses (`aliases:`) that sends readers on."""
    info = scope.info
    for alias in article.aliases:
        head = Head(article.title, article.summary, article.path, noindex=True)
        yield PageSpec(alias, f"{article.source} (aliases: /{alias.removesuffix('index.html')})", "redirect.html",
                       RedirectContext(info, article, head), kind="redirect")


def bundle_files(scope: Scope, article: Article, files: Mapping[str, bytes]) -> Iterator[PageSpec]:
    """The images and other files beside an article's index.md, next to its page."""
    for name, data in files.items():
        yield PageSpec(article.path + name, f"{article.source.rsplit('/', 1)[0]}/{name}", data=data, kind="bundle")


def feed_spec(scope: Scope, path: str, title: str, page_path: str, articles: tuple[Article, ...],
              origin: str, kind: str = "feed") -> PageSpec:
    """An Atom feed of the newest `feed_size` of these articles."""
    site = scope.site
    items = articles[:site.config.feed_size]
    # An empty feed is as new as the newest article anywhere, not 'now': it stays the same bytes.
    updated = max((a.updated or a.date for a in items), default=None) or max(
        (a.updated or a.date for e in site.editions for a in e.articles[:1]), default=site.now)
    return PageSpec(path, origin, "feed.xml", FeedContext(
        scope.info, title, path, page_path, items, updated, {a.source: scope.edition.article_tags[a.source]
                                                             for a in items}), kind=kind)


def sitemaps(site: Site, specs: list[PageSpec]) -> Iterator[PageSpec]:
    """sitemap.xml, an index of one sitemap per language; each lists that language's HTML pages
    (not the 404 page) with the articles' last changes and the page's other languages."""
    lastmod = {a.output_file: (a.updated or a.date) for e in site.editions for a in e.articles + e.pages}
    pages = [s for s in specs if s.template.endswith(".html") and not s.context.head.noindex]  # type: ignore[union-attr]
    for edition in site.editions:
        code = edition.language.code
        entries = tuple(SitemapEntry(s.path.removesuffix("index.html"), lastmod.get(s.path),
                                     tuple(v for v in s.context.head.versions if v.exists))  # type: ignore[union-attr]
                        for s in sorted(pages, key=lambda s: s.path) if s.context.site.language == code)  # type: ignore[union-attr]
        yield PageSpec(f"sitemap-{code}.xml", f"the sitemap of {edition.language.name}", "sitemap.xml",
                       SitemapContext(edition.info, entries), kind="sitemap")
    yield PageSpec("sitemap.xml", "the sitemap index", "sitemap-index.xml", SitemapIndexContext(
        site.editions[0].info, tuple(f"sitemap-{e.language.code}.xml" for e in site.editions)), kind="sitemap")


def extra_files(site: Site, static_files: Mapping[str, bytes]) -> Iterator[PageSpec]:
    """robots.txt, .nojekyll, CNAME and everything under static/."""
    yield PageSpec("robots.txt", "robots.txt",
                   data=f"User-agent: *\nAllow: /\nSitemap: {site.config.base_url}sitemap.xml\n".encode(), kind="other")
    yield PageSpec(".nojekyll", ".nojekyll", data=b"", kind="other")  # GitHub Pages: serve the files as they are
    if site.config.cname:
        yield PageSpec("CNAME", "site.yaml cname", data=f"{site.config.cname}\n".encode(), kind="other")
    for path, data in static_files.items():
        yield PageSpec(path, f"static/{path}", data=data, kind="static")


def plan_site(site: Site, strings: Strings, static_files: Mapping[str, bytes],
              bundles: Mapping[str, Mapping[str, bytes]],
              generated: Mapping[str, Generated] | None = None,
              cards: Cards | None = None) -> list[PageSpec]:
    """Every output file the site needs, in every language, with collisions reported.
    `bundles` gives, per article source, the files beside its index.md; `generated`, the
    images and share cards made for the site (path -> bytes and the file that asked)."""
    addresses = address_book(site, strings)
    specs: list[PageSpec] = []
    try:
        for edition in site.editions:
            specs += plan_edition(Scope(site, edition, strings, addresses, cards), bundles)
    except MissingString as exc:
        raise SiteError.at(f"layouts/i18n/{site.config.language}.yaml", None,
                           f"{exc.args[0]}: the engine needs it for page titles") from None
    specs += sitemaps(site, specs)
    specs += extra_files(site, static_files)
    cards_made = cards.files if cards else {}
    specs += (generated_spec(path, made, "card" if path in cards_made else "image")
              for path, made in (generated or {}).items())
    check_collisions(specs)
    return specs


def generated_spec(path: str, made: Generated, kind: str) -> PageSpec:
    """The file of an encoded image or a share card."""
    return PageSpec(path, made.origin, data=made.data, file=made.file, key=made.key, kind=kind)


def own_specs(site: Site, strings: Strings, cards: Cards | None, article: Article) -> list[PageSpec]:
    """An article's page and its redirects, planned alone among the site's other pages."""
    scope = Scope(site, edition_of(site, article.lang), strings, address_book(site, strings), cards)
    return [article_spec(scope, article), *redirects(scope, article)]


def plan_edition(scope: Scope, bundles: Mapping[str, Mapping[str, bytes]]) -> list[PageSpec]:
    """Every page of one language."""
    edition = scope.edition
    specs = [article_spec(scope, article) for article in edition.articles + edition.pages]
    for article in edition.articles + edition.pages:
        specs += redirects(scope, article)
        specs += bundle_files(scope, article, bundles.get(article.source, {}))
    specs += front_pages(scope)
    specs.append(tag_index(scope))
    for tag in edition.tags:
        specs += tag_pages(scope, tag)
    specs.append(archive_page(scope))
    for year in edition.years:
        specs.append(year_page(scope, year))
        for month in year.months:
            specs += month_pages(scope, month)
    specs.append(not_found_page(scope))
    if scope.site.config.search:
        specs.append(search_page(scope))
    specs.append(feed_spec(scope, f"{scope.info.home}feed.xml", scope.info.title, scope.info.home,
                           edition.articles, "the site feed" + _in(scope)))
    return specs


def address_book(site: Site, strings: Strings) -> dict[tuple, dict[str, str]]:
    """Where each page is in each language, by what it shows."""
    book: dict[tuple, dict[str, str]] = defaultdict(dict)
    for edition in site.editions:
        code, home = edition.language.code, edition.language.prefix
        for article in edition.articles + edition.pages:
            book[("article", article.key)][code] = article.path
        for identity, path in (((("tags",), f"{home}tags/"), (("archive",), f"{home}archive/"),
                                (("404",), f"{home}404.html"), (("search",), f"{home}search/"))):
            book[identity][code] = path
        for pager in edition.front_pagers:
            book[("front", pager.number)][code] = pager.path
        keys = _tag_keys(strings, code, site.config.language)
        for tag in edition.tags:
            for pager in edition.tag_pagers[tag.slug]:
                book[("tag", keys.get(tag.slug, tag.slug), pager.number)][code] = pager.path
        for year in edition.years:
            book[("year", year.year)][code] = year.path
            for month in year.months:
                for pager in edition.month_pagers[month.path]:
                    book[("month", month.year, month.month, pager.number)][code] = pager.path
    return book


def check_collisions(specs: list[PageSpec]) -> None:
    """Two sources writing one file is an error naming both."""
    seen: dict[str, str] = {}
    problems = []
    for spec in specs:
        key = spec.path.lower()  # GitHub Pages and many laptops treat case as the same file
        if key in seen:
            first, second = sorted((seen[key], spec.origin))
            fix = "remove one of the aliases" if "(aliases:" in first + second else \
                "change the slug or date of one of them"
            problems.append(Problem(second, None, f"writes {spec.path}, which {first} writes too: {fix}"))
        else:
            seen[key] = spec.origin
    if problems:
        raise SiteError(problems)


# ---------------------------------------------------------------- helpers

def _list_spec(scope: Scope, identity: tuple, pager: Pager, origin: str, title: str, heading: str, intro: str,
               description: str, feed: str = "", feed_title: str = "", kind: str = "") -> PageSpec:
    info = scope.info
    page = scope.t("page_of", number=pager.number, count=pager.count) if pager.number > 1 else ""
    shown = f"{title}{page} | {info.title}" if title != info.title else f"{title}{page}"
    head = scope.head(identity, shown, description, pager.path, feed_path=feed, feed_title=feed_title)
    return PageSpec(pager.path + "index.html", origin, "list.html", ListContext(info, pager, heading, intro, head),
                    kind=kind)


def edition_of(site: Site, lang: str) -> Edition:
    """The edition in this language."""
    return next(e for e in site.editions if e.language.code == lang)


def _in(scope: Scope) -> str:
    """' (es)' after the name of a page in another language than the default, for messages."""
    return f" ({scope.edition.language.code})" if scope.edition.language.prefix else ""


def _lang_of(site: Site, key: str) -> str:
    """The language of the original an article key names."""
    return next(lang for lang, a in site.read[key].items() if a.source == key)


def _tag_keys(strings: Strings, lang: str, default: str) -> dict[str, str]:
    """Tag slug in `lang` -> the slug of its default-language name, which every version shares."""
    if lang == default:
        return {}
    return {strings.tag_slug(lang, name): slugify(original) for original, name in strings.tables[lang].tags.items()}


def _tag_key(scope: Scope, tag: Tag) -> str:
    return scope.tag_keys.get(tag.slug, tag.slug)
