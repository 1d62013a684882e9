"""Stage 3: pair translations, then per language order articles and derive tags, archives,
pagers, neighbours and related lists."""

from __future__ import annotations

import dataclasses
import functools
import hashlib
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Callable, Mapping, Sequence

from .config import Config, Language
from .content import Article, output_path
from .errors import Problem, SiteError
from .i18n import Strings

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
    language: str             # this page's language code
    home: str                 # its language's folder: '' or 'es/'
    direction: str            # 'ltr' or 'rtl'
    locale: str               # e.g. 'es_ES', for og:locale
    publisher: str
    author: str
    nav: tuple[NavLink, ...]
    search: bool = False      # the header has a search form


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
    base: str                # the first page's path; page n is at base/page/n/
    jumps: tuple[int, ...]   # page numbers the pager links to, in order; 0 marks a gap

    def page_path(self, number: int) -> str:
        """The path of page `number` of this list."""
        return self.base if number == 1 else f"{self.base}page/{number}/"


@dataclass(frozen=True, slots=True)
class Tag:
    name: str                      # in its edition's language
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
class Edition:
    """The site in one language: its articles and every list derived from them."""

    language: Language
    info: SiteInfo
    articles: tuple[Article, ...]          # published, newest first
    pages: tuple[Article, ...]             # plain pages, by title
    tags: tuple[Tag, ...]                  # by name
    article_tags: Mapping[str, tuple[TagLink, ...]]   # article source -> its tags here
    years: tuple[Year, ...]                # newest first
    front_pagers: tuple[Pager, ...]
    tag_pagers: Mapping[str, tuple[Pager, ...]]     # tag slug -> pagers
    month_pagers: Mapping[str, tuple[Pager, ...]]   # month path -> pagers
    newer: Mapping[str, Article | None]     # source -> next newer article
    older: Mapping[str, Article | None]     # source -> next older article
    related: Mapping[str, tuple[Article, ...]]


@dataclass(frozen=True, slots=True)
class Site:
    """Everything the renderer needs, derived once: one Edition per language."""

    config: Config
    now: datetime
    editions: tuple[Edition, ...]          # the default language first
    versions: Mapping[str, Mapping[str, Article]]   # article key -> language -> published version
    read: Mapping[str, Mapping[str, Article]]       # the same for every article read, drafts included
    stale: frozenset[str]                  # sources of translations made from an older original
    left_out: tuple[LeftOut, ...]
    to_review: tuple[Article, ...]          # published or not, articles flagged for review

    @property
    def articles(self) -> tuple[Article, ...]:
        """Every published article, all languages."""
        return tuple(a for e in self.editions for a in e.articles)

    @property
    def tags(self) -> tuple[Tag, ...]:
        return tuple(t for e in self.editions for t in e.tags)


ALL_PAGES_UP_TO = 10  # a list this short links every one of its pages from each


@functools.lru_cache(maxsize=8192)
def page_jumps(number: int, count: int) -> tuple[int, ...]:
    """The page numbers page `number` of `count` links to, in order, 0 marking a gap: the first
    and last, two on each side, the rest of its ten (40-49 from 45), the other tens of its
    hundred (10-90, 410-490), the other hundreds of its thousand, and so on; the last page looks
    back (991-999, 910-990, 100-900). From page 1 any page is one click a digit away
    (1 -> 400 -> 450 -> 457): 2 clicks in a list of up to 100 pages, 3 up to 1,000, with about
    9 links a digit. Cached: a site's many lists share a few page counts."""
    if count <= ALL_PAGES_UP_TO:
        return tuple(range(1, count + 1))
    shown = {1, count, *range(max(1, number - 2), min(count, number + 2) + 1)}
    step = 1
    while step < count:
        start = number // (step * 10) * (step * 10)
        if start + step > count and start:  # nothing after it at this step (the last page): look back
            start -= step * 10
        shown.update(n for n in range(start, start + step * 10, step) if 1 <= n <= count)
        step *= 10
    jumps: list[int] = []
    for n in sorted(shown):
        if jumps and n > jumps[-1] + 1:
            jumps.append(0)
        jumps.append(n)
    return tuple(jumps)


def paginate(items: Sequence[Article], size: int, base: str) -> tuple[Pager, ...]:
    """Split items into pagers at base, base/page/2/, ...; an empty list still has one page."""
    count = max(1, -(-len(items) // size))

    def path(number: int) -> str:  # as Pager.page_path
        return base if number == 1 else f"{base}page/{number}/"

    return tuple(
        Pager(number=n, count=count, path=path(n), items=tuple(items[(n - 1) * size:n * size]),
              prev_path=path(n - 1) if n > 1 else None, next_path=path(n + 1) if n < count else None,
              total=len(items), base=base, jumps=page_jumps(n, count))
        for n in range(1, count + 1))


def _tag_names(articles: Sequence[Article], names: Mapping[str, tuple[str, ...]],
               slug_of: Callable[[str], str]) -> dict[str, str]:
    """Slug -> display name: the spelling most articles use, ties to the first alphabetically."""
    spellings: dict[str, Counter[str]] = defaultdict(Counter)
    for article in articles:
        for tag in names[article.source]:
            spellings[slug_of(tag)][tag] += 1
    return {slug: min(counts, key=lambda name: (-counts[name], name)) for slug, counts in spellings.items()}


def _related_remembered(articles: Sequence[Article], by_tag: Mapping[str, list[Article]],
                        slugs: Mapping[str, tuple[str, ...]], count: int, memo: Any) -> dict[str, tuple[Article, ...]]:
    """_related, or what the memo kept for the same articles in the same order, dates and tags."""
    if memo is None:
        return _related(articles, by_tag, slugs, count)
    digest = hashlib.blake2b(f"{count}/{RELATED_WINDOW}\n".encode(), digest_size=16)
    for a in articles:
        digest.update(f"{a.source}\0{a.date.timestamp()}\0{chr(1).join(slugs[a.source])}\n".encode())
    signature = digest.hexdigest()
    found = memo.get(signature)
    if found is not None:
        by_source = {a.source: a for a in articles}
        return {source: tuple(by_source[other] for other in others) for source, others in found.items()}
    related = _related(articles, by_tag, slugs, count)
    memo.put(signature, {source: tuple(a.source for a in others) for source, others in related.items()})
    return related


def _related(articles: Sequence[Article], by_tag: Mapping[str, list[Article]],
             slugs: Mapping[str, tuple[str, ...]], count: int) -> dict[str, tuple[Article, ...]]:
    """For each article, those sharing most tags, nearest in time, looked for near it in each tag
    (articles are counted by their index: at 100,000 articles this runs in every warm build)."""
    if count == 0:
        return {a.source: () for a in articles}
    index = {a.source: n for n, a in enumerate(articles)}
    lists = {slug: [index[a.source] for a in items] for slug, items in by_tag.items()}
    position = {slug: {n: i for i, n in enumerate(items)} for slug, items in lists.items()}
    stamps = [a.date.timestamp() for a in articles]
    related: dict[str, tuple[Article, ...]] = {}
    for me, article in enumerate(articles):
        shared: dict[int, int] = {}
        for slug in set(slugs[article.source]):
            items = lists[slug]
            i = position[slug][me]
            for other in items[max(0, i - RELATED_WINDOW):i + RELATED_WINDOW + 1]:
                shared[other] = shared.get(other, 0) + 1
        shared.pop(me, None)
        when = stamps[me]
        best = sorted([(-n, abs(stamps[o] - when), articles[o].source, o) for o, n in shared.items()])[:count]
        related[article.source] = tuple(articles[o] for _, _, _, o in best)
    return related


def build_site(read: Sequence[Article], config: Config, strings: Strings, now: datetime, *,
               drafts: bool = False, future: bool = False, memo: Any = None) -> Site:
    """Pair translations, choose what is published, and derive every language's lists. `memo`
    (a memo.RelatedMemo) gives back related articles found for the same lists before."""
    read = pair_translations(read, config)
    left_out: list[LeftOut] = []
    published: list[Article] = []
    for article in read:
        if article.draft and not drafts:
            left_out.append(LeftOut(article.source, "draft (build with --drafts to include it)"))
        elif article.date > now and not future and not article.is_page:
            left_out.append(LeftOut(article.source, f"dated in the future: {article.date.isoformat()} "
                                                    "(build with --future to include it)"))
        else:
            published.append(article)
    by_source = {a.source: a for a in read}
    names = {a.source: _tag_names_of(a, by_source, config, strings) for a in published}
    editions = tuple(_edition(language, [a for a in published if a.lang == language.code], names, config, strings,
                              memo) for language in config.languages)
    stale = frozenset(a.source for a in read if a.translation_of and a.original_version
                      and a.original_version != by_source[a.key].text_version)
    return Site(config=config, now=now, editions=editions, versions=_by_key(published), read=_by_key(read),
                stale=stale, left_out=tuple(left_out), to_review=tuple(a for a in read if a.review))


def _by_key(articles: Sequence[Article]) -> dict[str, dict[str, Article]]:
    found: dict[str, dict[str, Article]] = defaultdict(dict)
    for article in articles:
        found[article.key][article.lang] = article
    return dict(found)


def _tag_names_of(article: Article, by_source: Mapping[str, Article], config: Config,
                  strings: Strings) -> tuple[str, ...]:
    """The article's tags in its own language: its own, else its original's, through the tables."""
    tags = article.tags or (by_source[article.key].tags if article.translation_of else ())
    if article.lang == config.language:
        return tags
    return tuple(dict.fromkeys(strings.tag(article.lang, t) for t in tags))


def pair_translations(read: Sequence[Article], config: Config) -> list[Article]:
    """Check every translation against its original; a file named 'x.es.md' with no 'x.md' is
    an original in its own language. Raises one SiteError for every mistake."""
    by_source = {a.source: a for a in read}
    problems: list[Problem] = []
    paired: list[Article] = []
    seen: dict[tuple[str, str], Article] = {}
    for article in read:
        original = by_source.get(article.translation_of) if article.translation_of else None
        if article.translation_of and original is None:
            if article.translation_line is None:  # paired by file name only: an original itself
                article = dataclasses.replace(article, translation_of="")
            else:
                problems.append(Problem(article.source, article.translation_line,
                                        f"translation_of: '{article.translation_of.removeprefix('content/')}' names no "
                                        "article in content/"))
        elif original is not None and original.translation_of:
            problems.append(Problem(article.source, article.translation_line, "translation_of names a translation: "
                                    f"name its original, {original.translation_of}"))
        elif original is not None and original.is_page != article.is_page:
            kinds = ("a plain page", "an article") if original.is_page else ("an article", "a plain page")
            problems.append(Problem(article.source, article.translation_line,
                                    f"is {kinds[1]}, but its original {original.source} is {kinds[0]}"))
        elif original is not None and original.lang == article.lang:
            problems.append(Problem(article.source, article.translation_line,
                                    f"is in {article.lang}, the language of its original {original.source}"))
        if not article.slug:
            article = _with_slug(article, original.slug if original is not None and original.slug else
                                 "article-" + hashlib.blake2b(article.source.encode(), digest_size=4).hexdigest(),
                                 config)
        other = seen.setdefault((article.key, article.lang), article)
        if other is not article and article.translation_of:
            first, second = sorted((other.source, article.source))
            problems.append(Problem(second, None, f"translates {article.key} into {article.lang}, which {first} "
                                                  "does too: keep one of them"))
        paired.append(article)
    if problems:
        raise SiteError(problems)
    return paired


def _with_slug(article: Article, slug: str, config: Config) -> Article:
    """An article whose title gives no ASCII slug (Arabic script, say): its original's slug, or
    a short digest of its file's path."""
    return dataclasses.replace(article, slug=slug, path=output_path(config, article.date, slug, article.is_page,
                                                                   article.lang))


def _edition(language: Language, articles: list[Article], names: Mapping[str, tuple[str, ...]], config: Config,
             strings: Strings, memo: Any = None) -> Edition:
    """One language's lists: order, tags, archives, pagers, neighbours and related articles."""
    published = sorted((a for a in articles if not a.is_page), key=lambda a: (a.date, a.source), reverse=True)
    pages = sorted((a for a in articles if a.is_page), key=lambda a: (a.title.lower(), a.source))
    prefix = language.prefix
    slug_of = functools.partial(strings.tag_slug, language.code)
    slugs = {a.source: tuple(dict.fromkeys(slug_of(n) for n in names[a.source])) for a in published}
    tags, by_tag = _tags(published, names, slugs, slug_of, prefix)
    by_slug = {t.slug: t for t in tags}
    article_tags = {a.source: tuple(TagLink(by_slug[s].name, by_slug[s].path, by_slug[s].count)
                                    for s in slugs[a.source] if s in by_slug)
                    for a in published}
    years = _years(published, config, prefix)
    older = {a.source: (published[i + 1] if i + 1 < len(published) else None) for i, a in enumerate(published)}
    newer = {a.source: (published[i - 1] if i > 0 else None) for i, a in enumerate(published)}
    info = SiteInfo(title=language.title, description=language.description, base_url=config.base_url,
                    base_path=config.base_path, language=language.code, home=prefix,
                    direction="rtl" if language.rtl else "ltr", locale=language.locale,
                    publisher=config.publisher or config.title, author=config.author,
                    nav=tuple(NavLink(p.title, p.path) for p in pages), search=config.search)
    return Edition(
        language=language, info=info, articles=tuple(published), pages=tuple(pages), tags=tags,
        article_tags=article_tags, years=years,
        front_pagers=paginate(published, config.page_size, prefix),
        tag_pagers={t.slug: paginate(t.articles, config.page_size, t.path) for t in tags},
        month_pagers={m.path: paginate(m.articles, config.archive_page_size, m.path)
                      for y in years for m in y.months},
        newer=newer, older=older, related=_related_remembered(published, by_tag, slugs, config.related_count, memo))


def _tags(published: list[Article], names: Mapping[str, tuple[str, ...]], slugs: Mapping[str, tuple[str, ...]],
          slug_of: Callable[[str], str], prefix: str) -> tuple[tuple[Tag, ...], dict[str, list[Article]]]:
    """The tags of one language, by name, and the articles of each tag slug, newest first."""
    display = _tag_names(published, names, slug_of)
    by_tag: dict[str, list[Article]] = defaultdict(list)
    for article in published:
        for slug in slugs[article.source]:
            by_tag[slug].append(article)
    tags = tuple(sorted((Tag(display[slug], slug, f"{prefix}tags/{slug}/", tuple(items))
                         for slug, items in by_tag.items()), key=lambda t: (t.name.lower(), t.slug)))
    return tags, by_tag


def _years(published: list[Article], config: Config, prefix: str) -> tuple[Year, ...]:
    """Year and month archives, newest first, by the date in the site's time zone."""
    months: dict[tuple[int, int], list[Article]] = defaultdict(list)
    for article in published:
        local = article.date.astimezone(config.tz)
        months[(local.year, local.month)].append(article)
    return tuple(
        Year(y, f"{prefix}{y:04d}/", tuple(Month(y, m, f"{prefix}{y:04d}/{m:02d}/", tuple(months[(y, m)]))
                                           for m in sorted((m for (yy, m) in months if yy == y), reverse=True)))
        for y in sorted({y for y, _ in months}, reverse=True))
