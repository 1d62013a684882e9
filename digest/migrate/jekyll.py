"""Reading a Jekyll site: _config.yml, posts in _posts/ and _drafts/, Markdown pages, static files,
and the address each post had under the site's permalink setting."""

from __future__ import annotations

import fnmatch
import os
import re
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any, Iterator, Mapping
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml

from ..errors import Problem, SiteError
from .front import FrontMatterError, read_front
from .reading import is_markdown, is_project_file, mtime_date, read_post_text, root_relative, titled, year_of
from .records import ARTICLE, JEKYLL, PAGE, Asset, OldSite, Post
from .urls import address_date, expand

STYLES = {
    "date": "/:categories/:year/:month/:day/:title:output_ext",
    "pretty": "/:categories/:year/:month/:day/:title/",
    "ordinal": "/:categories/:year/:y_day/:title:output_ext",
    "weekdate": "/:categories/:year/W:week/:short_day/:title:output_ext",
    "none": "/:categories/:title:output_ext",
}
DEFAULT_EXCLUDE = (".sass-cache", ".jekyll-cache", "gemfiles", "Gemfile", "Gemfile.lock", "node_modules",
                   "vendor/bundle", "vendor/cache", "vendor/gems", "vendor/ruby")
_POST_NAME = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})-(.+)$")
_PRETTY_UNSAFE = re.compile(r"[^\w._~!$&'()+,;=@]+")
_DEFAULT_UNSAFE = re.compile(r"[\W_]+")


def read_jekyll(root: Path, config_file: Path) -> OldSite:
    """Every post, draft, Markdown page and static file of the Jekyll site at `root`."""
    settings = _settings(root, config_file)
    style = str(settings.get("permalink") or "date")
    template = STYLES.get(style, style)
    zone = _zone(settings.get("timezone"))
    posts: list[Post] = []
    assets: list[Asset] = []
    failed: list[Problem] = []
    warnings: list[Problem] = []
    for rel, path in _site_files(root, settings):
        parts = rel.split("/")
        try:
            if "_posts" in parts[:-1] or "_drafts" in parts[:-1]:
                post = _post(rel, path, template, zone)
            else:
                post = _page_or_asset(rel, path, template, assets, warnings)
        except FrontMatterError as exc:
            failed.append(Problem(rel, exc.line, f"{exc}: not migrated"))
            continue
        if post is not None:
            posts.append(post)
    base = "/" + str(settings.get("baseurl") or "").strip("/")
    return OldSite(JEKYLL, root, base.rstrip("/") + "/", str(settings.get("url") or "").rstrip("/"),
                   tuple(posts), tuple(assets), tuple(failed), tuple(warnings))


def _settings(root: Path, config_file: Path) -> Mapping[str, Any]:
    """_config.yml as a mapping; a file that does not parse stops the migration."""
    if not config_file.is_file():
        return {}
    shown = config_file.relative_to(root).as_posix()
    try:
        settings = yaml.safe_load(config_file.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise SiteError.at(shown, mark.line + 1 if mark else None, f"is not valid YAML: "
                                                                   f"{getattr(exc, 'problem', None) or exc}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise SiteError.at(shown, None, f"cannot be read: {exc}") from None
    return settings if isinstance(settings, dict) else {}


def _zone(name: Any) -> Any:
    """Jekyll's time zone: the configured one, else UTC (what GitHub Pages builds in)."""
    try:
        return ZoneInfo(str(name)) if name else timezone.utc
    except (ZoneInfoNotFoundError, ValueError):
        return timezone.utc


def _site_files(root: Path, settings: Mapping[str, Any]) -> Iterator[tuple[str, Path]]:
    """(path from the root, path) of every file Jekyll reads, in order; _posts and _drafts included."""
    exclude = tuple(str(x).strip("/") for x in (settings.get("exclude") or ())) + DEFAULT_EXCLUDE
    include = tuple(str(x).strip("/") for x in (settings.get("include") or ()))
    for folder, dirs, names in os.walk(root):
        rel_folder = "" if Path(folder) == root else Path(folder).relative_to(root).as_posix()
        dirs[:] = sorted(d for d in dirs if _read(f"{rel_folder}/{d}".lstrip("/"), exclude, include, folder=True))
        for name in sorted(names):
            rel = f"{rel_folder}/{name}".lstrip("/")
            if _read(rel, exclude, include):
                yield rel, Path(folder) / name


def _read(rel: str, exclude: tuple[str, ...], include: tuple[str, ...], folder: bool = False) -> bool:
    """Whether Jekyll reads this path: no hidden or '_' names but _posts and _drafts, nothing excluded."""
    name = rel.rsplit("/", 1)[-1]
    if any(fnmatch.fnmatch(rel, pattern) or fnmatch.fnmatch(name, pattern) for pattern in include):
        return True
    if folder and name in ("_posts", "_drafts"):
        return True
    if name.startswith((".", "_", "#")) or name.endswith("~"):
        return False
    return not any(rel == x or rel.startswith(x + "/") or fnmatch.fnmatch(rel, x) for x in exclude)


def _post(rel: str, path: Path, template: str, zone: Any) -> Post | None:
    """A post in _posts/ or a draft in _drafts/."""
    parts = rel.split("/")
    draft = "_drafts" in parts[:-1]
    stem, ext = os.path.splitext(parts[-1])
    named = _POST_NAME.match(stem)
    if not (is_markdown(ext) or ext == ".html") or (not draft and not named):
        return None  # Jekyll reads neither: a post's file name starts with its date
    front = read_front(read_post_text(path))
    values = front.values
    slug_name = named.group(4) if named else stem
    added: dict[str, Any] = {}
    when = values.get("date") or (date(*map(int, named.group(1, 2, 3))) if named else None)
    if when is None:
        when = added["date"] = mtime_date(path)   # what Jekyll shows a draft with
    if not values.get("title"):
        added["title"] = titled(slug_name)
    published = values.get("published") is not False and not draft
    if draft and values.get("draft") is not True and values.get("published") is not False:
        added["draft"] = True
    special = "_drafts" if draft else "_posts"
    under = parts[:-1][parts.index(special) + 1:]
    old_url = ""
    if published:
        superdirs = parts[:parts.index(special)]
        holders = _post_placeholders(values, address_date(when, zone), slug_name, superdirs)
        old_url = expand(str(values.get("permalink") or template), holders)
    names = ("link:" + rel, "post_url:" + stem, "post_url:" + "/".join(under + [stem]))
    return Post(source=rel, kind=ARTICLE, front=front, target=f"content/{year_of(when, path)}/{stem}.md",
                title=str(values.get("title") or added["title"]), date=when, old_url=old_url,
                aliases=_redirects(values), added=added, names=names, folder="/".join(parts[:-1]))


def _page_or_asset(rel: str, path: Path, template: str, assets: list[Asset],
                   warnings: list[Problem]) -> Post | None:
    """A Markdown page with front matter; anything without front matter is a static file."""
    stem, ext = os.path.splitext(rel.rsplit("/", 1)[-1])
    if not _has_front_matter(path):
        if not is_project_file(rel):
            assets.append(Asset(path, f"static/{rel}"))
        return None
    if not is_markdown(ext):
        if ext == ".html" and stem not in ("index", "404"):
            warnings.append(Problem(rel, None, "is an HTML page, not Markdown: not migrated (our build makes its "
                                               "own front page, archives, tag pages and feeds)"))
        return None
    folder = rel.rsplit("/", 1)[0] if "/" in rel else ""
    if stem == "index" and not folder:
        warnings.append(Problem(rel, None, "is the front page: not migrated (our build makes its own)"))
        return None
    front = read_front(read_post_text(path))
    values = front.values
    name = "-".join(([folder.replace("/", "-")] if folder else []) + ([] if stem == "index" else [stem]))
    added: dict[str, Any] = {}
    if not values.get("title"):
        added["title"] = titled(name)
    if not values.get("date"):
        added["date"] = mtime_date(path)
    page_template = "/:path/" if stem == "index" else "/:path/:basename" + _page_suffix(template)
    holders = {"path": folder, "basename": stem, "output_ext": ".html"}
    old_url = expand(str(values.get("permalink") or page_template), holders)
    if values.get("published") is False:
        old_url = ""
    return Post(source=rel, kind=PAGE, front=front, target=f"content/pages/{name}.md",
                title=str(values.get("title") or added["title"]), date=values.get("date") or added["date"],
                old_url=old_url, aliases=_redirects(values), added=added, names=("link:" + rel,), folder=folder)


def _page_suffix(template: str) -> str:
    """How a page's address ends under the site's permalink style (Jekyll's add_permalink_suffix)."""
    if template == STYLES["pretty"] or template.endswith("/"):
        return "/"
    return ":output_ext" if template in STYLES.values() or template.endswith(":output_ext") else ""


def _has_front_matter(path: Path) -> bool:
    """Whether the file opens with a '---' line, which makes Jekyll render it."""
    try:
        with open(path, "rb") as handle:
            first = handle.readline(64)
    except OSError:
        return False
    return first.removeprefix(b"\xef\xbb\xbf").rstrip() == b"---"


def _redirects(values: Mapping[str, Any]) -> tuple[str, ...]:
    """The jekyll-redirect-from addresses, each from the site root."""
    found = values.get("redirect_from") or ()
    return tuple(root_relative(str(x)) for x in ([found] if isinstance(found, str) else found) if x)


def _post_placeholders(values: Mapping[str, Any], when: datetime, slug_name: str,
                       superdirs: list[str]) -> dict[str, str]:
    """What each :placeholder of a post's permalink stands for (Jekyll's UrlDrop)."""
    found = values.get("categories") or ()
    categories = found.split() if isinstance(found, str) else [str(c) for c in found]
    if values.get("category"):
        categories.append(str(values["category"]))
    categories = list(dict.fromkeys(c.lower() for c in categories + superdirs))
    slug = str(values.get("slug") or slug_name)
    return {
        "year": f"{when:%Y}", "month": f"{when:%m}", "day": f"{when:%d}", "i_month": str(when.month),
        "i_day": str(when.day), "y_day": f"{when:%j}", "short_year": f"{when:%y}", "hour": f"{when:%H}",
        "minute": f"{when:%M}", "second": f"{when:%S}", "short_month": f"{when:%b}", "long_month": f"{when:%B}",
        "week": f"{when.isocalendar()[1]:02d}", "w_year": str(when.isocalendar()[0]),
        "w_day": str(when.isoweekday()), "short_day": f"{when:%a}", "long_day": f"{when:%A}",
        "title": _PRETTY_UNSAFE.sub("-", slug).strip("-"),
        "slug": _DEFAULT_UNSAFE.sub("-", slug.lower()).strip("-"),
        "name": _DEFAULT_UNSAFE.sub("-", slug_name.lower()).strip("-"),
        "categories": "/".join(categories), "output_ext": ".html",
    }
