"""Front matter keys and their converters: the one place a new key goes.

Reads what other generators write too: `published: false` (a draft), `author` as a list and
`authors`, `categories` (tags, unless site.yaml says `categories_as_tags: false`), Jekyll's
`redirect_from` and Hugo's `aliases`, a per-post `permalink` (Hugo: `url: /path/`), and the
date from a `YYYY-MM-DD-` file-name prefix."""

from __future__ import annotations

import re
from datetime import date, datetime, time
from typing import Any, Callable
from zoneinfo import ZoneInfo

from .config import Config
from .errors import Problem, did_you_mean
from .text import is_http_url, unique_tags

LineOf = Callable[[str], "int | None"]
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_DATETIME = re.compile(
    r"(\d{4}-\d{2}-\d{2})[T ](\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)\s*(Z|[+-]\d{2}:?\d{2})?")
_NAME_DATE = re.compile(r"(?:^|/)(\d{4}-\d{2}-\d{2})-[^/]+$")
_UNSAFE = re.compile(r"[\x00-\x20\x7f/\\?#%\"'<>|*]")
_UNSAFE_PATH = re.compile(r"[\x00-\x20\x7f\\?#%\"'<>|*]")
_LEFTOVER = re.compile(r"\{%-?\s*\w+|\{\{[<%]|\{\{-?\s*(?:site|page|\.Site|\.Params)\b")
_FENCE = re.compile(r"^\s*(```|~~~)")


def parse_date(value: Any, tz: ZoneInfo) -> datetime:
    """A timezone-aware datetime from front matter text; no offset means the site's zone."""
    if isinstance(value, datetime):
        parsed = value
    elif isinstance(value, date):
        parsed = datetime.combine(value, time())
    else:
        text = str(value).strip()
        if _DATE.fullmatch(text):
            parsed = datetime.combine(date.fromisoformat(text), time())
        elif match := _DATETIME.fullmatch(text):
            day, clock, offset = match.groups()
            clock = clock if len(clock.split(":")[0]) == 2 else "0" + clock
            offset = "+00:00" if offset == "Z" else offset or ""
            parsed = datetime.fromisoformat(f"{day}T{clock}{offset}")
        else:
            raise ValueError("use 2024-12-18, 2024-12-18 09:30 or 2024-12-18T09:30:00+02:00")
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=tz)


def _text(value: Any) -> str:
    if not isinstance(value, (str, int, float)) or isinstance(value, bool):
        raise ValueError("should be text")
    return str(value).strip()


def _flag(value: Any) -> bool:
    if not isinstance(value, bool):
        raise ValueError("should be true or false")
    return value


def _tags(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        value = value.split(",")
    if not isinstance(value, list) or not all(isinstance(t, (str, int)) and not isinstance(t, bool) for t in value):
        raise ValueError("should be a list of names, like [legal aid, consulates]")
    return unique_tags(str(t) for t in value)


def _http_url(value: Any) -> str:
    url = _text(value)
    if not is_http_url(url):
        raise ValueError("must be an http:// or https:// address")
    return url


def _slug(value: Any) -> str:
    """An explicit slug, used exactly as written; only characters unsafe in an address are refused."""
    text = _text(value)
    if not text or _UNSAFE.search(text) or text.startswith(".") or ".." in text:
        raise ValueError("cannot be an address: a slug has no spaces, '/', '..', '?', '#', '%' or quotes "
                         "(letters, digits, '-', '_' and '.' are safe)")
    return text


def _people(value: Any) -> str:
    if isinstance(value, list) and value and all(isinstance(v, str) for v in value):
        return ", ".join(v.strip() for v in value)
    return _text(value)


def site_path(text: str) -> str:
    """An address inside the site as an output file: '/old/post/' -> 'old/post/index.html'."""
    text = text.strip()
    path = text.lstrip("/")
    if not text or _UNSAFE_PATH.search(path) or ".." in path.split("/") or path.startswith("."):
        raise ValueError("must be a path inside the site like /2014/09/old-title/, without '..', "
                         "spaces, '?' or '#'")
    return path if path.endswith((".html", ".htm")) else (path.rstrip("/") + "/index.html").lstrip("/")


def _paths(value: Any) -> tuple[str, ...]:
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list) or not all(isinstance(v, str) for v in items):
        raise ValueError("should be a list of paths, like [/2014/09/old-title/]")
    return tuple(dict.fromkeys(site_path(v) for v in items))


def _permalink(value: Any) -> str:
    path = site_path(_text(value))
    return path.removesuffix("index.html")


# Front matter key -> converter; a converter raises ValueError with what is wrong.
FIELDS: dict[str, Callable[[Any], Any]] = {
    "title": _text, "date": str, "updated": str, "tags": _tags, "summary": _text,
    "slug": _slug, "draft": _flag, "author": _people, "source": _text,
    "source_url": _http_url, "dateline": _text, "lang": _text, "review": _text,
    "imported_from": _text, "translation_of": _text, "original_version": _text, "translator": _text,
    "published": _flag, "authors": _people, "categories": _tags, "category": _tags, "aliases": _paths,
    "redirect_from": _paths, "permalink": _permalink,
    "image": _text, "image_alt": _text, "image_credit": _text,
}
# Keys that other tools commonly use for the same thing, for a better hint than spelling alone.
SYNONYMS = {"tag": "tags", "keywords": "tags",
            "description": "summary", "excerpt": "summary", "url": "source_url",
            "link": "source_url", "modified": "updated",
            "lastmod": "updated", "language": "lang", "publication": "source",
            "translationKey": "translation_of", "translation_key": "translation_of"}


def convert_fields(source: str, meta: dict, line_of: LineOf, config: Config
                   ) -> tuple[dict[str, Any], dict[str, Any], list[Problem], list[Problem]]:
    """(known values converted, unknown keys kept as extra, problems, warnings)."""
    values: dict[str, Any] = {}
    extra: dict[str, Any] = {}
    problems: list[Problem] = []
    warnings: list[Problem] = []
    for key, value in meta.items():
        key = str(key)
        if key == "url" and isinstance(value, str) and value.startswith("/"):
            key = "permalink"  # Hugo's per-page address
        if key not in FIELDS:
            extra[key] = value
            hint = f" (did you mean '{SYNONYMS[key]}'?)" if key in SYNONYMS else did_you_mean(key, tuple(FIELDS))
            if hint:
                warnings.append(Problem(source, line_of(key), f"unknown key '{key}'{hint}"))
            continue
        if value is None:
            continue
        try:
            values[key] = FIELDS[key](value)
        except ValueError as exc:
            problems.append(Problem(source, line_of(key), f"{key}: {value!r} {exc}"))
    _merge_synonyms(values, config)
    named = _NAME_DATE.search(source)
    if "date" not in values and named:
        values["date"] = named.group(1)  # Jekyll: 2014-09-08-title.md
    for key in ("title", "date"):
        if key not in values or (key == "title" and not values[key]):
            problems.append(Problem(source, None, f"missing {key}: add a '{key}:' line to the front matter"))
    for key in ("date", "updated"):
        if key in values:
            try:
                values[key] = parse_date(values[key], config.tz)
            except ValueError as exc:
                problems.append(Problem(source, line_of(key),
                                        f"{key}: '{values[key]}' is not a valid date ({exc})"))
    return values, extra, problems, warnings


def _merge_synonyms(values: dict[str, Any], config: Config) -> None:
    """Fold other generators' keys into ours."""
    authors = values.pop("authors", "")
    if authors and not values.get("author"):
        values["author"] = authors
    categories = values.pop("categories", ()) + values.pop("category", ())
    if categories and config.categories_as_tags:
        values["tags"] = unique_tags(values.get("tags", ()) + categories)
    if values.pop("published", True) is False:
        values["draft"] = True
    redirects = values.pop("redirect_from", ())
    if redirects:
        values["aliases"] = tuple(dict.fromkeys(values.get("aliases", ()) + redirects))


def template_leftovers(source: str, body: str, first_line: int) -> list[Problem]:
    """A warning for each line of the body (outside code blocks) that still holds another
    generator's template syntax, which readers would see as text."""
    found: list[Problem] = []
    if "{" not in body:  # every leftover starts with one
        return found
    fenced = False
    for number, line in enumerate(body.split("\n"), first_line):
        if _FENCE.match(line):
            fenced = not fenced
            continue
        match = None if fenced or line.startswith(("    ", "\t")) else _LEFTOVER.search(line)
        if match:
            shown = line.strip()[:60]
            found.append(Problem(source, number, f"template syntax from another generator reaches readers as "
                                                 f"text: '{shown}' (rewrite it in Markdown; `migrate` converts the "
                                                 "common ones)", kind="template syntax"))
    return found
