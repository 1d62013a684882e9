"""Reading a Hugo site: its configuration (TOML, YAML or JSON), content/ with its page bundles,
static/, and the address each page had under [permalinks] or Hugo's default."""

from __future__ import annotations

import json
import os
import posixpath
import re
import tomllib
from pathlib import Path
from typing import Any, Iterator, Mapping
from urllib.parse import urlsplit

import yaml

from ..errors import Problem, SiteError
from .detect import hugo_configs
from .front import FrontMatterError, read_front
from .reading import is_markdown, is_project_file, mtime_date, read_post_text, root_relative, titled, year_of
from .records import ARTICLE, HUGO, PAGE, Asset, OldSite, Post
from .urls import address_date, expand

CONTENT_SUFFIXES = (".html", ".htm")            # read like Markdown; .org, .adoc, .rst and .pandoc are not
DATE_KEYS = ("date", "publishdate", "pubdate", "published", "lastmod", "modified")
_LANGUAGE = re.compile(r"\.([a-z]{2,3}(?:-[A-Za-z0-9]{2,8})?)$")
_URLIZE_DROP = re.compile(r"[^\w\s.\-/#+~%@]")


def read_hugo(root: Path, config_file: Path) -> OldSite:
    """Every page, page bundle and static file of the Hugo site at `root`."""
    settings = _settings(root)
    content = root / str(settings.get("contentdir") or "content")
    posts: list[Post] = []
    assets: list[Asset] = []
    failed: list[Problem] = []
    warnings: list[Problem] = []
    for rel, path, bundle in _content_files(content):
        shown = (path.relative_to(root)).as_posix()
        stem, suffix = os.path.splitext(path.name)
        if not (is_markdown(suffix) or suffix in CONTENT_SUFFIXES):
            if bundle is None:     # a file outside any page bundle is served at its place
                assets.append(Asset(path, f"static/{rel}"))
            elif suffix in (".org", ".adoc", ".asciidoc", ".rst", ".pandoc"):
                warnings.append(Problem(shown, None, "is not Markdown: not migrated"))
            continue
        if stem.startswith("_index"):
            warnings.append(Problem(shown, None, "is a section's list page: not migrated (our build makes its own "
                                                 "lists)"))
            continue
        try:
            post = _post(shown, rel, path, bundle, settings)
        except FrontMatterError as exc:
            failed.append(Problem(shown, exc.line, f"{exc}: not migrated"))
            continue
        if post is None:
            warnings.append(Problem(shown, None, "is never published by Hugo (headless, or build.render: never): "
                                                 "not migrated"))
        else:
            posts.append(post)
    for folder in _static_dirs(root, settings):
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            rel = path.relative_to(folder).as_posix()
            if not is_project_file(rel):
                assets.append(Asset(path, f"static/{rel}"))
    parts = urlsplit(str(settings.get("baseurl") or ""))
    url = f"{parts.scheme}://{parts.netloc}" if parts.netloc else ""
    return OldSite(HUGO, root, "/" + parts.path.strip("/") + ("/" if parts.path.strip("/") else ""), url,
                   tuple(posts), tuple(assets), tuple(failed), tuple(warnings))


def _settings(root: Path) -> dict[str, Any]:
    """The site's configuration, keys in lower case as Hugo reads them; config/_default/<name>.* is the
    <name> table."""
    settings: dict[str, Any] = {}
    for path in reversed(hugo_configs(root)):   # the main file last, so it wins
        values = _load(path, root)
        if path.parent.name == "_default" and path.stem not in ("hugo", "config"):
            values = {path.stem: values}
        settings.update({str(k).lower(): v for k, v in values.items()})
    return settings


def _load(path: Path, root: Path) -> dict[str, Any]:
    """One configuration file, parsed by its suffix; one that does not parse stops the migration."""
    shown = path.relative_to(root).as_posix()
    try:
        text = path.read_text(encoding="utf-8")
        if path.suffix == ".toml":
            values = tomllib.loads(text)
        elif path.suffix == ".json":
            values = json.loads(text)
        else:
            values = yaml.safe_load(text)
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError, json.JSONDecodeError, yaml.YAMLError) as exc:
        raise SiteError.at(shown, None, f"cannot be read as Hugo's configuration: {exc}") from None
    return values if isinstance(values, dict) else {}


def _content_files(content: Path) -> Iterator[tuple[str, Path, Path | None]]:
    """(path from content/, path, the leaf bundle's folder or None) of every file under content/."""
    for folder, dirs, names in os.walk(content):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        here = Path(folder)
        index = next((n for n in sorted(names) if _LANGUAGE.sub("", os.path.splitext(n)[0]) == "index"
                      and (is_markdown(os.path.splitext(n)[1]) or n.endswith(CONTENT_SUFFIXES))), None)
        if index is not None:        # a leaf bundle: index.md and every file below it
            dirs[:] = []
            yield here.relative_to(content).as_posix() + "/" + index, here / index, here
            continue
        for name in sorted(names):
            if not name.startswith("."):
                yield (here / name).relative_to(content).as_posix(), here / name, None


def _static_dirs(root: Path, settings: Mapping[str, Any]) -> list[Path]:
    """The folders Hugo copies as they are: staticDir, one or several."""
    named = settings.get("staticdir") or "static"
    return [root / str(d) for d in ([named] if isinstance(named, str) else named) if (root / str(d)).is_dir()]


def _post(shown: str, rel: str, path: Path, bundle: Path | None, settings: Mapping[str, Any]) -> Post | None:
    """One content file (or leaf bundle) as an article or a page; None when Hugo never publishes it."""
    front = read_front(read_post_text(path))
    values = {str(k).lower(): v for k, v in front.values.items()}
    build = values.get("_build") or values.get("build") or {}
    if values.get("headless") is True or (isinstance(build, dict) and build.get("render") in (False, "never")):
        return None
    parts = rel.split("/")
    sections = parts[:-2] if bundle is not None else parts[:-1]
    name = parts[-2] if bundle is not None else _LANGUAGE.sub("", os.path.splitext(parts[-1])[0])
    added: dict[str, Any] = {}
    when = next((values[k] for k in DATE_KEYS if values.get(k)), None)
    kind = ARTICLE if sections and when is not None else PAGE
    if not values.get("title"):
        added["title"] = titled(name)
    if "date" not in values:
        added["date"] = when if when is not None else mtime_date(path)
    file_name = os.path.splitext(parts[-1])[0] + ".md"
    if kind == ARTICLE:
        where = f"content/{year_of(when, path)}/" + (f"{name}/{file_name}" if bundle else file_name)
    else:
        joined = "-".join(sections + [name])
        where = "content/pages/" + (f"{joined}/{file_name}" if bundle else joined + file_name[len(name):])
    old_url = "" if values.get("draft") is True else _old_url(values, sections, name, settings)
    resources = tuple((p, f"{where.rsplit('/', 1)[0]}/{p.relative_to(bundle).as_posix()}")
                      for p in sorted(bundle.rglob("*")) if p.is_file() and p != path
                      and not is_markdown(p.suffix)) if bundle else ()   # our build would read a .md as an article
    return Post(source=shown, kind=kind, front=front, target=where, title=str(values.get("title") or added["title"]),
                date=added.get("date", values.get("date")), old_url=old_url,
                aliases=_aliases(values, old_url), added=added, names=_names(rel, bundle is not None),
                bundle=resources, folder="/".join(parts[:-1]))


def _old_url(values: Mapping[str, Any], sections: list[str], name: str, settings: Mapping[str, Any]) -> str:
    """The page's address on the old site: `url:`, else its section's permalink, else Hugo's default."""
    if values.get("url"):
        return root_relative(str(values["url"]))
    lower = not settings.get("disablepathtolower")
    title = _urlize(str(values.get("title") or name), lower)
    slug = str(values.get("slug") or "") or title
    permalinks = settings.get("permalinks") or {}
    if isinstance(permalinks.get("page"), dict):
        permalinks = permalinks["page"]
    pattern = permalinks.get(sections[0]) if sections else None
    if isinstance(pattern, str):
        url = expand(pattern, _holders(values, sections, name, title, slug))
    else:
        last = str(values.get("slug") or name)
        url = "/" + "/".join(sections + [last]) + ("/" if not settings.get("uglyurls") else ".html")
        url = _urlize(url, lower)
    return url.lower() if lower else url


def _holders(values: Mapping[str, Any], sections: list[str], name: str, title: str, slug: str) -> dict[str, str]:
    """What each :token of a Hugo permalink pattern stands for."""
    when = address_date(next((values[k] for k in DATE_KEYS if values.get(k)), "1970-01-01"), None)
    filename_slug = str(values.get("slug") or name)
    return {
        "year": f"{when:%Y}", "month": f"{when:%m}", "monthname": f"{when:%B}", "day": f"{when:%d}",
        "weekday": str(when.isoweekday() % 7), "weekdayname": f"{when:%A}", "yearday": str(int(f"{when:%j}")),
        "section": sections[0] if sections else "", "sections": "/".join(sections), "title": title, "slug": slug,
        "filename": name, "contentbasename": name, "slugorfilename": filename_slug,
        "slugorcontentbasename": filename_slug,
    }


def _urlize(text: str, lower: bool) -> str:
    """Hugo's urlize for a path: spaces become hyphens, unsafe characters go, lower case by default."""
    text = "-".join(_URLIZE_DROP.sub("", text).split(" "))
    return text.lower() if lower else text


def _aliases(values: Mapping[str, Any], old_url: str) -> tuple[str, ...]:
    """Hugo's aliases from the site root: a relative one is beside the page, as Hugo reads it."""
    found = values.get("aliases") or ()
    parent = posixpath.dirname(old_url.rstrip("/")) or "/"
    return tuple(str(a) if str(a).startswith("/") else posixpath.join(parent, str(a))
                 for a in ([found] if isinstance(found, str) else found) if a)


def _names(rel: str, bundle: bool) -> tuple[str, ...]:
    """What a {{< ref >}} may call this page: its path from content/ with or without '.md' (for a
    bundle, its folder), or its name alone."""
    path = rel.rsplit("/", 1)[0] if bundle else os.path.splitext(rel)[0]
    base = "ref:base:" + path.rsplit("/", 1)[-1]     # a name alone, when no other page has it (run.py)
    return tuple(dict.fromkeys(("ref:" + path, "ref:" + rel, "ref:" + os.path.splitext(rel)[0], base)))

