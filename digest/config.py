"""Stage 1: read site.yaml into a frozen, validated Config with defaults applied."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml

from .errors import Problem, SiteError, did_you_mean
from .text import is_http_url, key_line

DEFAULT_EXTENSIONS = ("extra", "digest.typography", "toc", "sane_lists")
PERMALINK_FIELDS = frozenset({"year", "month", "day", "slug"})

# name -> (accepted types, default); a default of None means required.
SCHEMA: dict[str, tuple[tuple[type, ...], Any]] = {
    "title": ((str,), None),
    "description": ((str,), ""),
    "base_url": ((str,), "http://localhost:8000/"),
    "language": ((str,), "en"),
    "language_name": ((str,), ""),
    "languages": ((dict,), {}),
    "timezone": ((str,), "UTC"),
    "author": ((str,), ""),
    "publisher": ((str,), ""),
    "cname": ((str,), ""),
    "permalink": ((str,), "/{year}/{month}/{slug}/"),
    "page_size": ((int,), 10),
    "archive_page_size": ((int,), 50),
    "feed_size": ((int,), 20),
    "related_count": ((int,), 3),
    "page_budget_kb": ((int,), 50),
    "markdown_extensions": ((list,), list(DEFAULT_EXTENSIONS)),
    "markdown_extension_configs": ((dict,), {}),
    "tag_vocabulary": ((dict,), {}),
    "categories_as_tags": ((bool,), True),
    "search": ((bool,), True),
    "images": ((dict,), {}),
    "share_cards": ((str,), "articles"),
    "tag_feeds": ((bool, int), True),
    "output_limit_mb": ((int, float), 1024),
}
SHARE_CARDS = ("articles", "photos", "site")


LANGUAGE_KEYS = ("name", "title", "description", "direction")
_LANGUAGE_CODE = re.compile(r"[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})*")


@dataclass(frozen=True, slots=True)
class Language:
    """One language the digest is published in."""

    code: str            # BCP 47, e.g. 'es', 'pt-BR'
    name: str            # in the language itself, e.g. 'Español'
    title: str
    description: str
    rtl: bool            # written right to left
    locale: str          # for Babel and og:locale, e.g. 'es_ES'
    prefix: str          # where its pages live: '' for the default language, else 'es/'


@dataclass(frozen=True, slots=True)
class Config:
    """Validated site settings; derived URL parts are computed once here."""

    root: Path
    title: str
    description: str
    base_url: str
    language: str
    timezone: str
    author: str
    publisher: str
    cname: str
    permalink: str
    page_size: int
    archive_page_size: int
    feed_size: int
    related_count: int
    page_budget_kb: int
    markdown_extensions: tuple[str, ...]
    markdown_extension_configs: Mapping[str, Any]
    tag_vocabulary: Mapping[str, tuple[str, ...]]
    categories_as_tags: bool
    search: bool                             # a Pagefind index and a search form on every page
    images: Mapping[str, Any]                # `avif: false`, `quality: {avif, webp, jpeg}` (encode.ImageSettings)
    share_cards: str                         # which pages get a card of their own (SHARE_CARDS)
    tag_feeds: bool | int                    # a feed per tag: every tag, none, or tags with N articles or more
    output_limit_mb: float                   # the build warns as output/ nears this (GitHub Pages: 1 GB)
    languages: tuple[Language, ...]          # the default language first
    tz: ZoneInfo = field(compare=False)

    @property
    def base_path(self) -> str:
        """The URL path the site lives under, always starting and ending with '/'."""
        return urlsplit(self.base_url).path

    @property
    def content_dir(self) -> Path:
        return self.root / "content"

    @property
    def layouts_dir(self) -> Path:
        return self.root / "layouts"

    @property
    def static_dir(self) -> Path:
        return self.root / "static"

    @property
    def cache_dir(self) -> Path:
        return self.root / ".cache"

    @property
    def language_codes(self) -> tuple[str, ...]:
        return tuple(language.code for language in self.languages)

    def has_tag_feed(self, articles: int) -> bool:
        """Whether a tag with this many articles gets a feed (`tag_feeds`)."""
        return self.tag_feeds if isinstance(self.tag_feeds, bool) else articles >= self.tag_feeds

    def language_of(self, code: str) -> Language:
        """The configured language with this code."""
        return next(language for language in self.languages if language.code == code)

    def markdown_fingerprint(self) -> str:
        """A digest of every setting that changes how an article file is read."""
        settings = [self.markdown_extensions, self.markdown_extension_configs,
                    self.timezone, self.permalink, self.language_codes, self.categories_as_tags]
        return hashlib.blake2b(json.dumps(settings, sort_keys=True, default=str).encode(),
                               digest_size=12).hexdigest()


def normalise_base_url(url: str) -> str:
    """Check a base URL is absolute http(s) and give it exactly one trailing slash."""
    parts = urlsplit(url.strip())
    if not is_http_url(url.strip()):
        raise ValueError(f"'{url}' is not an absolute http(s) URL like https://org.github.io/digest/")
    if parts.query or parts.fragment:
        raise ValueError(f"'{url}' must not have a query or fragment")
    path = "/" + parts.path.strip("/")
    path = path if path == "/" else path + "/"
    return f"{parts.scheme}://{parts.netloc}{path}"


SHOWN = "site.yaml"


def _permalink_ok(pattern: str) -> bool:
    names = set(re.findall(r"{(\w*)}", pattern))
    return (names <= PERMALINK_FIELDS and "slug" in names and pattern.startswith("/") and pattern.endswith("/")
            and ".." not in pattern and "\\" not in pattern)


# key -> (test of a value of the right type, what to say when it fails)
RULES: dict[str, tuple[Any, str]] = {
    **{key: (lambda v: v >= 1, "{value} must be 1 or more")
       for key in ("page_size", "archive_page_size", "feed_size", "page_budget_kb")},
    "output_limit_mb": (lambda v: v > 0, "{value} must be more than 0 (GitHub Pages publishes at most 1024)"),
    "share_cards": (lambda v: v in SHARE_CARDS, "'{value}' should be one of " + ", ".join(SHARE_CARDS)),
    "tag_feeds": (lambda v: isinstance(v, bool) or v >= 1,
                  "{value} should be true (a feed for every tag), false (none) or a number of articles, 1 or more"),
    "related_count": (lambda v: v >= 0, "must be 0 or more"),
    "permalink": (_permalink_ok, "'{value}' must start and end with '/', contain {{slug}}, use only "
                                 "{{year}}, {{month}}, {{day}}, {{slug}}, and never '..'"),
    "markdown_extensions": (lambda v: all(isinstance(x, str) for x in v), "must be a list of extension names"),
    "cname": (lambda v: "/" not in v and " " not in v, "must be a bare domain name like news.example.org"),
    "tag_vocabulary": (lambda v: all(isinstance(k, str) and isinstance(w, list) and all(isinstance(x, str) for x in w)
                                     for k, w in v.items()),
                       "must map each tag to a list of words and phrases"),
    "images": (lambda v: set(v) <= {"avif", "quality"} and isinstance(v.get("avif", True), bool)
               and isinstance(v.get("quality", {}), dict) and set(v.get("quality", {})) <= {"avif", "webp", "jpeg"}
               and all(isinstance(q, int) and 1 <= q <= 100 for q in v.get("quality", {}).values()),
               "must be like {{avif: true, quality: {{avif: 50, webp: 70, jpeg: 75}}}} (qualities 1 to 100)"),
}


def load_config(root: Path, base_url: str | None = None) -> Config:
    """Read root/site.yaml, report every bad key or value at once, and apply defaults."""
    text, raw = _read_site_yaml(root)
    values, problems = _typed_values(raw, text)
    if base_url is not None:
        values["base_url"] = base_url
    if "base_url" in values:
        try:
            values["base_url"] = normalise_base_url(values["base_url"])
        except ValueError as exc:
            where = ("--base-url", None) if base_url is not None else (SHOWN, key_line(text, "base_url"))
            problems.append(Problem(where[0], where[1], f"base_url: {exc}"))
            values.pop("base_url")
    for key, (ok, message) in RULES.items():
        if key in values and not ok(values[key]):
            problems.append(Problem(SHOWN, key_line(text, key), f"{key}: " + message.format(value=values.pop(key))))
    tz = None
    if "timezone" in values:
        try:
            tz = ZoneInfo(values["timezone"])
        except (ZoneInfoNotFoundError, ValueError):
            problems.append(Problem(SHOWN, key_line(text, "timezone"), f"timezone: '{values['timezone']}' is not "
                                                                       "a time zone name like 'America/Denver' or 'UTC'"))
    languages = _languages(values, text, problems)
    if problems:
        raise SiteError(problems)
    _check_extensions(values, text)
    values["markdown_extensions"] = tuple(values["markdown_extensions"])
    values["tag_vocabulary"] = {k: tuple(v) for k, v in values["tag_vocabulary"].items()}
    values.pop("language_name", None)
    values.pop("languages", None)
    return Config(root=root, tz=tz, languages=languages, **values)


def _languages(values: dict[str, Any], text: str, problems: list[Problem]) -> tuple[Language, ...]:
    """The default language and every entry of `languages:`, each checked against CLDR (Babel)."""
    found: list[Language] = []
    default = values.get("language", "en")
    entries = [(default, {"name": values.get("language_name") or None, "title": values.get("title", ""),
                          "description": values.get("description", "")}, "language")]
    entries += [(str(code), entry, str(code)) for code, entry in values.get("languages", {}).items()]
    for code, entry, key in entries:
        line = key_line(text, key) or _indented_line(text, key)
        if entry is None:
            entry = {}
        if not isinstance(entry, dict) or any(k not in LANGUAGE_KEYS for k in entry):
            problems.append(Problem(SHOWN, line, f"languages: '{code}' should map to keys among "
                                                 f"{', '.join(LANGUAGE_KEYS)}"))
            continue
        locale = _locale(code)
        if locale is None:
            problems.append(Problem(SHOWN, line, f"language: '{code}' is not a language code like 'es', 'ar' "
                                                 "or 'pt-BR'"))
            continue
        if any(language.code == code for language in found):
            problems.append(Problem(SHOWN, line, f"languages: '{code}' is the default language already"))
            continue
        direction = entry.get("direction") or ("rtl" if locale.character_order == "right-to-left" else "ltr")
        if direction not in ("ltr", "rtl"):
            problems.append(Problem(SHOWN, line, f"languages: {code}: direction should be ltr or rtl"))
            continue
        name = entry.get("name") or _capitalised(locale.get_display_name(locale) or code)
        territory = locale.territory or _likely_territory(locale)
        found.append(Language(code, str(name), str(entry.get("title") or values.get("title", "")),
                              str(entry.get("description") or values.get("description", "")),
                              direction == "rtl", f"{locale.language}_{territory}" if territory else locale.language,
                              "" if not found else f"{code.lower()}/"))
    return tuple(found)


def _locale(code: str) -> Any:
    """Babel's Locale for a BCP 47 code, or None when CLDR does not know the language."""
    from babel import Locale, UnknownLocaleError

    if not _LANGUAGE_CODE.fullmatch(code):
        return None
    try:
        return Locale.parse(code.replace("-", "_"))
    except (UnknownLocaleError, ValueError):
        return None


def _likely_territory(locale: Any) -> str:
    from babel.core import get_global

    likely = get_global("likely_subtags").get(locale.language, "")
    return likely.rsplit("_", 1)[-1] if likely.count("_") >= 1 else ""


def _capitalised(name: str) -> str:
    return name[:1].upper() + name[1:]


def _indented_line(text: str, key: str) -> int | None:
    """The line of a nested `key:` (under `languages:`)."""
    match = re.search(rf"^[ \t]+{re.escape(key)}\s*:", text, re.MULTILINE)
    return text.count("\n", 0, match.start()) + 1 if match else None


def _read_site_yaml(root: Path) -> tuple[str, dict]:
    """site.yaml's text and its parsed mapping."""
    try:
        text = (root / "site.yaml").read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SiteError.at(SHOWN, None, f"no site.yaml in {root}: create one with at least a 'title:' line") from None
    except UnicodeDecodeError:
        raise SiteError.at(SHOWN, None, "is not UTF-8 text: save it as UTF-8") from None
    try:
        raw = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)) or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else None
        raise SiteError.at(SHOWN, line, f"YAML does not parse: {getattr(exc, 'problem', exc)}") from None
    if not isinstance(raw, dict):
        raise SiteError.at(SHOWN, 1, "must be a mapping of 'key: value' lines")
    return text, raw


def _typed_values(raw: dict, text: str) -> tuple[dict[str, Any], list[Problem]]:
    """Every known key with a value of the right type, defaults applied; a problem for the rest."""
    problems: list[Problem] = []
    values: dict[str, Any] = {}
    for key in raw:
        if key not in SCHEMA:
            problems.append(Problem(SHOWN, key_line(text, str(key)),
                                    f"unknown key '{key}'{did_you_mean(str(key), tuple(SCHEMA))}"))
    for key, (types, default) in SCHEMA.items():
        value = raw.get(key, default)
        if value is None:
            problems.append(Problem(SHOWN, None, f"'{key}' is required: add a '{key}:' line"))
        elif not isinstance(value, types) or (isinstance(value, bool) and bool not in types):
            expected = " or ".join(t.__name__ for t in types).replace("str", "text").replace("int", "whole number")
            expected = expected.replace("whole number or float", "a number")
            problems.append(Problem(SHOWN, key_line(text, key), f"{key}: {value!r} should be {expected}"))
        else:
            values[key] = value
    return values, problems


def _check_extensions(values: dict[str, Any], text: str) -> None:
    """Every Markdown extension named must load with its options."""
    import json

    import markdown  # imported here so `check` of a broken config stays cheap

    from .content import _converter

    extensions, configs = values["markdown_extensions"], values["markdown_extension_configs"]
    try:  # the converter the build uses, made once: when it loads, every extension does
        _converter(tuple(extensions), json.dumps(configs, sort_keys=True))
        return
    except Exception as exc:  # any failure here means a bad name or option in site.yaml
        together = exc
    problems = []
    for name in values["markdown_extensions"]:
        try:
            markdown.Markdown(extensions=[name], extension_configs={
                k: v for k, v in values["markdown_extension_configs"].items() if k == name})
        except Exception as exc:  # any failure here means a bad name or option in site.yaml
            problems.append(Problem(SHOWN, key_line(text, "markdown_extensions"),
                                    f"markdown extension '{name}' cannot be loaded: {exc}"))
    raise SiteError(problems or [Problem(SHOWN, key_line(text, "markdown_extensions"),
                                         f"the markdown extensions cannot be loaded together: {together}")])
