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
}


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

    def markdown_fingerprint(self) -> str:
        """A digest of every setting that changes how an article file is read."""
        settings = [self.markdown_extensions, self.markdown_extension_configs,
                    self.timezone, self.permalink]
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


def load_config(root: Path, base_url: str | None = None) -> Config:
    """Read root/site.yaml, report every bad key or value at once, and apply defaults."""
    path = root / "site.yaml"
    shown = "site.yaml"
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SiteError.at(shown, None, f"no site.yaml in {root}: create one with at least a 'title:' line") from None
    except UnicodeDecodeError:
        raise SiteError.at(shown, None, "is not UTF-8 text: save it as UTF-8") from None
    try:
        raw = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)) or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else None
        raise SiteError.at(shown, line, f"YAML does not parse: {getattr(exc, 'problem', exc)}") from None
    if not isinstance(raw, dict):
        raise SiteError.at(shown, 1, "must be a mapping of 'key: value' lines")

    problems: list[Problem] = []
    values: dict[str, Any] = {}
    for key in raw:
        if key not in SCHEMA:
            problems.append(Problem(shown, key_line(text, str(key)),
                                    f"unknown key '{key}'{did_you_mean(str(key), tuple(SCHEMA))}"))
    for key, (types, default) in SCHEMA.items():
        value = raw.get(key, default)
        if value is None:
            problems.append(Problem(shown, None, f"'{key}' is required: add a '{key}:' line"))
            continue
        if not isinstance(value, types) or (isinstance(value, bool) and bool not in types):
            expected = " or ".join(t.__name__ for t in types).replace("str", "text").replace("int", "whole number")
            problems.append(Problem(shown, key_line(text, key),
                                    f"{key}: {value!r} should be {expected}"))
            continue
        values[key] = value

    def check(key: str, ok: bool, message: str) -> None:
        if key in values and not ok:
            problems.append(Problem(shown, key_line(text, key), f"{key}: {message}"))
            values.pop(key)

    if base_url is not None:
        values["base_url"] = base_url
    if "base_url" in values:
        try:
            values["base_url"] = normalise_base_url(values["base_url"])
        except ValueError as exc:
            where = ("--base-url", None) if base_url is not None else (shown, key_line(text, "base_url"))
            problems.append(Problem(where[0], where[1], f"base_url: {exc}"))
            values.pop("base_url")
    for key in ("page_size", "archive_page_size", "feed_size", "page_budget_kb"):
        check(key, values.get(key, 1) >= 1, f"{values.get(key)} must be 1 or more")
    check("related_count", values.get("related_count", 0) >= 0, "must be 0 or more")
    tz = None
    if "timezone" in values:
        try:
            tz = ZoneInfo(values["timezone"])
        except (ZoneInfoNotFoundError, ValueError):
            check("timezone", False, f"'{values['timezone']}' is not a time zone name like 'America/Denver' or 'UTC'")
    if "permalink" in values:
        pattern = values["permalink"]
        names = set(re.findall(r"{(\w*)}", pattern))
        check("permalink", names <= PERMALINK_FIELDS and "slug" in names and pattern.startswith("/")
              and pattern.endswith("/") and ".." not in pattern and "\\" not in pattern,
              f"'{pattern}' must start and end with '/', contain {{slug}}, use only "
              "{year}, {month}, {day}, {slug}, and never '..'")
    check("markdown_extensions", all(isinstance(x, str) for x in values.get("markdown_extensions", [])),
          "must be a list of extension names")
    check("cname", "/" not in values.get("cname", "") and " " not in values.get("cname", ""),
          "must be a bare domain name like news.example.org")
    vocabulary = values.get("tag_vocabulary", {})
    check("tag_vocabulary", all(isinstance(k, str) and isinstance(v, list) and all(isinstance(w, str) for w in v)
                                for k, v in vocabulary.items()),
          "must map each tag to a list of words and phrases")
    if problems:
        raise SiteError(problems)

    import markdown  # imported here so `check` of config stays cheap when it fails

    for name in values["markdown_extensions"]:
        try:
            markdown.Markdown(extensions=[name], extension_configs={
                k: v for k, v in values["markdown_extension_configs"].items() if k == name})
        except Exception as exc:  # any failure here means a bad name or option in site.yaml
            problems.append(Problem(shown, key_line(text, "markdown_extensions"),
                                    f"markdown extension '{name}' cannot be loaded: {exc}"))
    if problems:
        raise SiteError(problems)

    values["markdown_extensions"] = tuple(values["markdown_extensions"])
    values["tag_vocabulary"] = {k: tuple(v) for k, v in values["tag_vocabulary"].items()}
    return Config(root=root, tz=tz, **values)
