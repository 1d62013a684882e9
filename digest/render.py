"""Stage 4: plan every output file with a small context, then render what changed. No I/O."""

from __future__ import annotations

import dataclasses
import hashlib
import multiprocessing
import json
import traceback
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Iterable, Iterator, Mapping

import jinja2
import jinja2.meta
from jinja2 import pass_context

from .content import ENGINE_VERSION, Article
from .errors import Problem, SiteError
from .links import LinkChecker
from .text import month_name
from .model import Pager, Site, SiteInfo, TagLink

RENDER_VERSION = "1"  # bump when a filter or context change alters rendered bytes


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


@dataclass(frozen=True, slots=True)
class PageSpec:
    """One output file to produce: from a template and context, or given bytes."""

    path: str                          # relative to the output root, e.g. 2024/12/x/index.html
    origin: str                        # what asked for it, named when two ask for one path
    template: str = ""
    context: Mapping[str, Any] | None = None
    data: bytes | None = None          # for copied and generated non-template files


@dataclass(frozen=True, slots=True)
class OutputFile:
    """A file of the finished site; content is None when the previous build's bytes still hold."""

    path: str
    key: str
    content: bytes | None
    targets: tuple[str, ...] | None = None  # what the page links to, when a checker looked


# ---------------------------------------------------------------------------- templates

@pass_context
def _url(context: Any, path: str) -> str:
    return context["site"].base_path + path


@pass_context
def _abs_url(context: Any, path: str) -> str:
    return context["site"].base_url + path


def _long_date(value: datetime) -> str:
    return f"{value.day} {month_name(value.month)} {value.year}"


def _iso(value: datetime) -> str:
    return value.isoformat()


def _json_ld(value: Any) -> Any:
    """JSON for a <script> block, safe against '</script>' in the data."""
    from markupsafe import Markup

    if isinstance(value, dict):
        value = {k: v for k, v in value.items() if v is not None}
    text = json.dumps(value, ensure_ascii=False, sort_keys=True)
    return Markup(text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"))


def make_environment(layouts_dir: Path) -> jinja2.Environment:
    """Jinja2 with autoescape on, undefined names as errors, the site's filters."""
    loader = jinja2.ChoiceLoader([jinja2.FileSystemLoader(layouts_dir),
                                  jinja2.PackageLoader("digest", "templates")])
    env = jinja2.Environment(loader=loader, autoescape=True, undefined=jinja2.StrictUndefined,
                             trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True,
                             auto_reload=False, cache_size=-1)
    env.filters.update(url=_url, abs_url=_abs_url, long_date=_long_date, iso=_iso,
                       month_name=month_name, json_ld=_json_ld)
    return env


def template_problem(exc: BaseException, layouts_dir: Path) -> Problem:
    """A Problem naming the template file and line of a Jinja error."""
    name = getattr(exc, "filename", None) or getattr(exc, "name", None)
    line = getattr(exc, "lineno", None)
    if isinstance(exc, jinja2.TemplateSyntaxError):
        message = f"template syntax error: {exc.message}"
    elif isinstance(exc, jinja2.TemplateNotFound):
        message = f"template '{exc.name}' not found in layouts/"
        name, line = None, None
    else:
        message = f"{type(exc).__name__}: {exc}"
        for frame in reversed(traceback.extract_tb(exc.__traceback__)):
            if frame.filename and frame.filename.endswith((".html", ".xml", ".txt")):
                name, line = frame.filename, frame.lineno
                break
    shown = "layouts"
    if name:
        path = Path(name)
        try:
            shown = path.resolve().relative_to(layouts_dir.parent.resolve()).as_posix()
        except ValueError:
            shown = f"layouts/{path.name}" if path.is_absolute() else f"layouts/{name}"
    return Problem(shown, line, message)


def template_fingerprints(env: jinja2.Environment, names: Iterable[str]) -> dict[str, str]:
    """Per template, a digest of its source and every template it extends, includes or imports."""
    sources: dict[str, tuple[str, tuple[str, ...]]] = {}

    def visit(name: str) -> None:
        if name in sources:
            return
        source, filename, _ = env.loader.get_source(env, name)  # type: ignore[union-attr]
        tree = env.parse(source, name, filename)
        refs = tuple(sorted(r for r in jinja2.meta.find_referenced_templates(tree) if r))
        sources[name] = (source, refs)
        for ref in refs:
            visit(ref)

    def closure(name: str, seen: set[str]) -> None:
        if name not in seen:
            seen.add(name)
            for ref in sources[name][1]:
                closure(ref, seen)

    result = {}
    for name in names:
        visit(name)
        seen: set[str] = set()
        closure(name, seen)
        h = hashlib.blake2b(f"{ENGINE_VERSION}/{RENDER_VERSION}".encode(), digest_size=16)
        for part in sorted(seen):
            h.update(part.encode() + b"\0" + sources[part][0].encode() + b"\0")
        result[name] = h.hexdigest()
    return result


# ---------------------------------------------------------------------------- fingerprints

_FIELDS: dict[type, tuple[str, ...]] = {}


def _field_names(kind: type) -> tuple[str, ...]:
    names = _FIELDS.get(kind)
    if names is None:
        names = _FIELDS[kind] = tuple(f.name for f in dataclasses.fields(kind))
    return names


def _walk(value: Any, out: list[str], shared: dict[int, str]) -> None:
    """Flatten a context into text: an article stands for its digest, so this stays cheap.

    `shared` memoises objects that many pages show (the site info, tag links) by identity."""
    kind = type(value)
    if kind is Article:
        out.append(value.digest)
    elif kind is str:
        out.append(value)
    elif kind is tuple or kind is list:
        out.append("[")
        for item in value:
            _walk(item, out, shared)
        out.append("]")
    elif kind is dict:
        out.append("{")
        for key in sorted(value):
            out.append(str(key))
            _walk(value[key], out, shared)
        out.append("}")
    elif kind is int or kind is bool or kind is float or value is None:
        out.append(repr(value))
    elif kind is datetime:
        out.append(value.isoformat())
    elif dataclasses.is_dataclass(value):
        text = shared.get(id(value))
        if text is None:
            inner: list[str] = [kind.__name__, "("]
            for name in _field_names(kind):
                _walk(getattr(value, name), inner, shared)
            inner.append(")")
            text = "\x1e".join(inner)
            if kind is SiteInfo or kind is TagLink:
                shared[id(value)] = text
        out.append(text)
    else:
        raise TypeError(f"cannot fingerprint {kind.__name__} in a page context")


def page_key(spec: PageSpec, template_keys: Mapping[str, str], shared: dict[int, str]) -> str:
    """A digest of everything the page's bytes depend on."""
    if spec.data is not None:
        return hashlib.blake2b(spec.data, digest_size=16).hexdigest()
    out = [template_keys[spec.template]]
    _walk(spec.context, out, shared)
    return hashlib.blake2b("\x1f".join(out).encode(), digest_size=16).hexdigest()


# ---------------------------------------------------------------------------- planning

def _list_head(site: Site, pager: Pager, title: str, description: str, feed: str = "",
               feed_title: str = "") -> Head:
    page = f" — page {pager.number} of {pager.count}" if pager.number > 1 else ""
    return Head(title=f"{title}{page} | {site.info.title}" if title != site.info.title else f"{title}{page}",
                description=description, path=pager.path, feed_path=feed, feed_title=feed_title)


def _tag_links(site: Site, article: Article) -> tuple[TagLink, ...]:
    return tuple(site.tag_links[name] for name in article.tags if name in site.tag_links)


def article_spec(site: Site, article: Article, placed_as: str) -> PageSpec:
    """The page of one article or plain page, shown among the neighbours `placed_as` has in site."""
    info = site.info
    head = Head(f"{article.title} | {info.title}", article.summary, article.path,
                "website" if article.is_page else "article")
    if article.is_page:
        return PageSpec(path=article.path + "index.html", origin=article.source, template="page.html",
                        context={"site": info, "page": article, "head": head})
    return PageSpec(
        path=article.path + "index.html", origin=article.source, template="article.html",
        context={"site": info, "article": article, "tags": _tag_links(site, article),
                 "newer": site.newer[placed_as], "older": site.older[placed_as],
                 "related": site.related[placed_as], "head": head})


def plan_site(site: Site, static_files: Mapping[str, bytes]) -> list[PageSpec]:
    """Every output file the site needs, with collisions between two sources reported."""
    info = site.info
    specs: list[PageSpec] = []
    specs.extend(article_spec(site, article, article.source) for article in site.articles)
    specs.extend(article_spec(site, page, page.source) for page in site.pages)
    for pager in site.front_pagers:
        specs.append(PageSpec(
            path=pager.path + "index.html", origin="the front page", template="list.html",
            context={"site": info, "pager": pager, "heading": "Latest news", "intro": info.description,
                     "head": _list_head(site, pager, info.title, info.description)}))
    tag_index = tuple(TagLink(t.name, t.path, t.count) for t in site.tags)
    specs.append(PageSpec(
        path="tags/index.html", origin="the tags page", template="tags.html",
        context={"site": info, "tags": tag_index,
                 "head": Head(f"Tags | {info.title}", f"Every subject in {info.title}, with its number of articles.",
                              "tags/")}))
    for tag in site.tags:
        feed = f"{tag.path}feed.xml"
        for pager in site.tag_pagers[tag.slug]:
            specs.append(PageSpec(
                path=pager.path + "index.html", origin=f"the page of tag '{tag.name}'", template="list.html",
                context={"site": info, "pager": pager, "heading": f"Tag: {tag.name}",
                         "intro": f"{tag.count} article{'s' if tag.count != 1 else ''} tagged “{tag.name}”.",
                         "head": _list_head(site, pager, f"Tag: {tag.name}",
                                            f"Articles tagged “{tag.name}” in {info.title}.", feed,
                                            f"{info.title}: {tag.name}")}))
        specs.append(_feed_spec(site, feed, f"{info.title}: {tag.name}", tag.path, tag.articles,
                                f"the feed of tag '{tag.name}'"))
    specs.append(PageSpec(
        path="archive/index.html", origin="the archive page", template="archive.html",
        context={"site": info, "years": tuple((y.year, y.path, y.count,
                                               tuple((m.month, m.path, len(m.articles)) for m in y.months))
                                              for y in site.years),
                 "head": Head(f"Archive | {info.title}", f"Every month of {info.title}.", "archive/")}))
    for year in site.years:
        specs.append(PageSpec(
            path=year.path + "index.html", origin=f"the archive of {year.year}", template="year.html",
            context={"site": info, "year": year.year, "count": year.count,
                     "months": tuple((m.month, m.path, tuple(m.articles[:5]), len(m.articles)) for m in year.months),
                     "head": Head(f"{year.year} | {info.title}", f"Articles of {year.year} in {info.title}.",
                                  year.path)}))
        for month in year.months:
            name = f"{month_name(month.month)} {month.year}"
            for pager in site.month_pagers[month.path]:
                specs.append(PageSpec(
                    path=pager.path + "index.html", origin=f"the archive of {name}", template="list.html",
                    context={"site": info, "pager": pager, "heading": name,
                             "intro": f"{len(month.articles)} article{'s' if len(month.articles) != 1 else ''}.",
                             "head": _list_head(site, pager, name, f"Articles of {name} in {info.title}.")}))
    specs.append(PageSpec(path="404.html", origin="the 404 page", template="404.html",
                          context={"site": info, "head": Head(f"Page not found | {info.title}",
                                                              "This page does not exist.", "404.html",
                                                              noindex=True)}))
    specs.append(_feed_spec(site, "feed.xml", info.title, "", site.articles, "the site feed"))
    html_paths = [s.path for s in specs if s.template.endswith(".html") and s.path != "404.html"]
    lastmod = {a.path + "index.html": (a.updated or a.date) for a in site.articles + site.pages}
    specs.append(PageSpec(
        path="sitemap.xml", origin="the sitemap", template="sitemap.xml",
        context={"site": info, "entries": tuple((p.removesuffix("index.html"), lastmod.get(p))
                                                for p in sorted(html_paths))}))
    specs.append(PageSpec(path="robots.txt", origin="robots.txt",
                          data=f"User-agent: *\nAllow: /\nSitemap: {info.base_url}sitemap.xml\n".encode()))
    specs.append(PageSpec(path=".nojekyll", origin=".nojekyll", data=b""))
    if site.config.cname:
        specs.append(PageSpec(path="CNAME", origin="site.yaml cname", data=f"{site.config.cname}\n".encode()))
    for path, data in static_files.items():
        specs.append(PageSpec(path=path, origin=f"static/{path}", data=data))
    _check_collisions(specs)
    return specs


def _feed_spec(site: Site, path: str, title: str, page_path: str, articles: tuple[Article, ...],
               origin: str) -> PageSpec:
    items = articles[:site.config.feed_size]
    updated = max((a.updated or a.date for a in items), default=site.now)
    return PageSpec(path=path, origin=origin, template="feed.xml",
                    context={"site": site.info, "title": title, "feed_path": path, "page_path": page_path,
                             "articles": items, "updated": updated,
                             "tags": {a.source: _tag_links(site, a) for a in items}})


def _check_collisions(specs: list[PageSpec]) -> None:
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


# ---------------------------------------------------------------------------- rendering

def template_keys(specs: Iterable[PageSpec], env: jinja2.Environment, layouts_dir: Path) -> dict[str, str]:
    """Fingerprints of every template the specs use; a template that does not parse is an error."""
    try:
        return template_fingerprints(env, sorted({s.template for s in specs if s.template}))
    except (jinja2.TemplateError, OSError) as exc:
        raise SiteError([template_problem(exc, layouts_dir)]) from None


PARALLEL_MIN = 200  # pages to render before starting worker processes pays off


def render_site(specs: list[PageSpec], env: jinja2.Environment, layouts_dir: Path,
                previous: Mapping[str, str], keys: Mapping[str, str],
                checker: LinkChecker | None = None, workers: int = 1) -> Iterator[OutputFile]:
    """Render each planned file whose key changed since the previous build, in plan order.

    Files are yielded as they are made so a large site is never held in memory whole. With
    workers > 1 and many pages to render, forked processes render (and find links) while
    this one writes; the bytes are the same either way. Every template error is collected
    and raised once, after the last file."""
    shared: dict[int, str] = {}
    keyed = [(spec, page_key(spec, keys, shared)) for spec in specs]
    todo = [i for i, (spec, key) in enumerate(keyed) if previous.get(spec.path) != key and spec.data is None]
    if workers > 1 and len(todo) >= PARALLEL_MIN and "fork" in multiprocessing.get_all_start_methods():
        rendered = _render_in_processes(specs, todo, env, layouts_dir, checker, workers)
    else:
        rendered = (_render_one(specs[i], env, layouts_dir, checker) for i in todo)
    problems: dict[Problem, None] = {}
    pending = iter(rendered)  # results for the pages in `todo`, in the same order
    for spec, key in keyed:
        if previous.get(spec.path) == key:
            yield OutputFile(spec.path, key, None)
        elif spec.data is not None:
            yield OutputFile(spec.path, key, spec.data,
                             checker.targets(spec.path, spec.data) if checker is not None else None)
        else:
            content, targets, found = next(pending)
            if checker is not None:
                checker.problems.extend(found)
            if isinstance(content, Problem):
                problems[content] = None
            else:
                yield OutputFile(spec.path, key, content, targets)
    if problems:
        raise SiteError(list(problems))


Rendered = tuple["bytes | Problem", "tuple[str, ...] | None", "list[Problem]"]


def _render_one(spec: PageSpec, env: jinja2.Environment, layouts_dir: Path,
                checker: LinkChecker | None) -> Rendered:
    """One page's bytes (or the template problem) and, with a checker, what it links to."""
    try:
        content = env.get_template(spec.template).render(spec.context).encode("utf-8")
    except jinja2.TemplateError as exc:
        return template_problem(exc, layouts_dir), None, []
    if checker is None:
        return content, None, []
    before = len(checker.problems)
    targets = checker.targets(spec.path, content)
    found = checker.problems[before:]
    del checker.problems[before:]
    return content, targets, found


# Set in each forked worker by _adopt: the plan it inherited, so only indices cross the pipe.
_inherited: dict[str, Any] = {}


def _adopt(specs: list[PageSpec], env: jinja2.Environment, layouts_dir: Path, checker: LinkChecker | None) -> None:
    _inherited.update(specs=specs, env=env, layouts_dir=layouts_dir, checker=checker)


def _render_batch(indices: list[int]) -> list[Rendered]:
    got = _inherited
    return [_render_one(got["specs"][i], got["env"], got["layouts_dir"], got["checker"]) for i in indices]


def _render_in_processes(specs: list[PageSpec], todo: list[int], env: jinja2.Environment, layouts_dir: Path,
                         checker: LinkChecker | None, workers: int) -> Iterator[Rendered]:
    """Render the pages at `todo` in forked workers, yielding results in order as they come."""
    batch = 32
    batches = [todo[i:i + batch] for i in range(0, len(todo), batch)]
    context = multiprocessing.get_context("fork")
    with context.Pool(workers, initializer=_adopt, initargs=(specs, env, layouts_dir, checker)) as pool:
        for results in pool.imap(_render_batch, batches):
            yield from results
