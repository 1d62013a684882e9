"""Reading one article file into a validated Article: front matter fields, Markdown body."""

from __future__ import annotations

import functools
import html
import re
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any, Callable, Mapping
from zoneinfo import ZoneInfo

import yaml

from .config import Config
from .errors import Problem, did_you_mean
from .frontmatter import FIRST_LINE, load_yaml, split_front_matter
from .slugs import slugify
from .text import cut_at_word, is_http_url, key_line, unique_tags


_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_DATETIME = re.compile(
    r"(\d{4}-\d{2}-\d{2})[T ](\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)\s*(Z|[+-]\d{2}:?\d{2})?")
_FIRST_PARAGRAPH = re.compile(r"<p>(.*?)</p>", re.DOTALL)
_TAG = re.compile(r"<[^>]+>")


@dataclass(frozen=True, slots=True)
class Article:
    """One article or plain page, with every derived value computed at read time."""

    source: str                     # path relative to the site root, e.g. content/2024/x.md
    digest: str                     # fingerprint of the file and the settings that read it
    title: str
    date: datetime
    slug: str
    path: str                       # output path relative to the site root, e.g. 2024/12/x/
    body: str                       # HTML converted from Markdown
    summary: str                    # plain text
    tags: tuple[str, ...] = ()
    updated: datetime | None = None
    author: str = ""
    source_name: str = ""
    source_url: str = ""
    dateline: str = ""
    lang: str = ""                  # a configured language code; the default language when not set
    draft: bool = False
    review: str = ""
    is_page: bool = False
    extra: Mapping[str, Any] = field(default_factory=dict)
    translation_of: str = ""        # the original's source when this is a translation
    translation_line: int | None = None   # where translation_of is set, for messages
    text_version: str = ""          # digest of this file's title and text, for stale translations
    original_version: str = ""      # the original's text_version this translation was made from
    translator: str = ""

    @property
    def key(self) -> str:
        """What every version of this article shares: the original's source."""
        return self.translation_of or self.source


@dataclass(frozen=True, slots=True)
class ReadResult:
    """What reading one file gave: an article, or the problems that stop it, plus warnings."""

    article: Article | None
    problems: tuple[Problem, ...] = ()
    warnings: tuple[Problem, ...] = ()


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
    text = _text(value)
    if "/" in text or "\\" in text or ".." in text:
        raise ValueError("would write outside output/: a slug is one word-like name, no '/' or '..'")
    slug = slugify(text)
    if not slug:
        raise ValueError("needs letters or digits")
    return slug


# Front matter key -> converter; a converter raises ValueError with what is wrong.
FIELDS: dict[str, Callable[[Any], Any]] = {
    "title": _text, "date": str, "updated": str, "tags": _tags, "summary": _text,
    "slug": _slug, "draft": _flag, "author": _text, "source": _text,
    "source_url": _http_url, "dateline": _text, "lang": _text, "review": _text,
    "imported_from": _text, "translation_of": _text, "original_version": _text, "translator": _text,
}
# Keys that other tools commonly use for the same thing, for a better hint than spelling alone.
SYNONYMS = {"tag": "tags", "category": "tags", "categories": "tags", "keywords": "tags",
            "description": "summary", "excerpt": "summary", "url": "source_url",
            "link": "source_url", "published": "date", "modified": "updated",
            "lastmod": "updated", "language": "lang", "publication": "source", "authors": "author",
            "translationKey": "translation_of", "translation_key": "translation_of"}
_LANGUAGE_SUFFIX = re.compile(r"\.([a-z]{2,3}(?:-[A-Za-z0-9]{2,8})*)\.md$")


@functools.lru_cache(maxsize=4)
def _converter(extensions: tuple[str, ...], configs_json: str) -> Any:
    """One Markdown instance per process and settings: building one costs more than a page."""
    import json

    import markdown

    return markdown.Markdown(extensions=list(extensions), extension_configs=json.loads(configs_json),
                             output_format="html")


def markdown_to_html(body: str, config: Config) -> str:
    """Convert an article body with the site's Markdown extensions."""
    import json

    md = _converter(config.markdown_extensions, json.dumps(config.markdown_extension_configs, sort_keys=True))
    return md.reset().convert(body)


def plain_summary(body_html: str, limit: int = 300) -> str:
    """The first paragraph as plain text, cut at a word boundary when longer than `limit`."""
    match = _FIRST_PARAGRAPH.search(body_html)
    text = " ".join(html.unescape(_TAG.sub("", match.group(1))).split()) if match else ""
    if len(text) > limit:
        text = cut_at_word(text, limit)
    return text


def output_path(config: Config, when: datetime, slug: str, is_page: bool, lang: str = "") -> str:
    """The article's folder relative to the output root, from the permalink pattern, under its
    language's folder (none for the default language)."""
    prefix = config.language_of(lang).prefix if lang else ""
    if is_page:
        return f"{prefix}{slug}/"
    return prefix + config.permalink.format(year=f"{when.year:04d}", month=f"{when.month:02d}",
                                            day=f"{when.day:02d}", slug=slug).lstrip("/")


def text_version(title: str, body: str) -> str:
    """A short digest of what a translator translates: the title and the Markdown text."""
    import hashlib

    text = title.strip() + "\n" + "\n".join(line.rstrip() for line in body.strip().splitlines())
    return hashlib.blake2b(text.encode(), digest_size=6).hexdigest()


def language_from_name(source: str) -> str:
    """The language code a file name carries ('about.es.md' -> 'es'), or ''."""
    match = _LANGUAGE_SUFFIX.search(source)
    return match.group(1) if match else ""


def read_article(source: str, data: bytes, config: Config, digest: str) -> ReadResult:
    """Parse one file's bytes: front matter, fields, Markdown body. Never raises on bad input."""
    parsed = _front_matter(source, data)
    if isinstance(parsed, Problem):
        return ReadResult(None, (parsed,))
    meta, front, body = parsed
    values, extra, problems, warnings = _fields(source, meta, front, config)
    _language(source, values, front, config, problems, warnings)
    if problems:
        return ReadResult(None, tuple(problems), tuple(warnings))
    is_page = source.split("/")[1:2] == ["pages"]
    slug = values.get("slug") or slugify(values["title"])  # none: the model gives one (pair_translations)
    body_html = markdown_to_html(body, config)
    article = Article(
        source=source, digest=digest, title=values["title"], date=values["date"], slug=slug,
        path=output_path(config, values["date"], slug, is_page, values["lang"]), body=body_html,
        summary=values.get("summary") or plain_summary(body_html), tags=values.get("tags", ()),
        updated=values.get("updated"), author=values.get("author", ""),
        source_name=values.get("source", ""), source_url=values.get("source_url", ""),
        dateline=values.get("dateline", ""), lang=values.get("lang", ""),
        draft=values.get("draft", False), review=values.get("review", ""), is_page=is_page,
        extra=extra, translation_of=values.get("translation_of", ""),
        translation_line=key_line(front, "translation_of", FIRST_LINE), text_version=text_version(values["title"], body),
        original_version=values.get("original_version", ""), translator=values.get("translator", ""),
    )
    return ReadResult(article, (), tuple(warnings))


def _language(source: str, values: dict[str, Any], front: str, config: Config, problems: list[Problem],
              warnings: list[Problem]) -> None:
    """Settle the file's language and original: from `lang:` and `translation_of:`, or from a
    name like 'about.es.md' beside 'about.md'."""
    default, codes = config.language, config.language_codes
    named = language_from_name(source)
    if named and named not in codes:
        if len(named) == 2:
            warnings.append(Problem(source, None, f"the file name reads as a translation into '{named}', which "
                                                  "site.yaml does not list under languages: (the article is "
                                                  f"read as {default})"))
        named = ""
    lang = values.get("lang") or named or default
    if "lang" in values and lang not in codes:
        problems.append(Problem(source, key_line(front, "lang", FIRST_LINE),
                                f"lang: '{lang}' is not a language of this site: add it under 'languages:' in "
                                f"site.yaml, or use one of {', '.join(codes)}"))
        return
    if named and lang != named:
        problems.append(Problem(source, key_line(front, "lang", FIRST_LINE),
                                f"lang: '{lang}' disagrees with the file name, which says '{named}'"))
        return
    values["lang"] = lang
    original = values.get("translation_of")
    if original:
        values["translation_of"] = "content/" + original.strip().lstrip("/").removeprefix("content/")
    elif named:
        values["translation_of"] = source[:-len(f".{named}.md")] + ".md"
    if values.get("translation_of") and lang == default:
        problems.append(Problem(source, key_line(front, "translation_of", FIRST_LINE) or key_line(front, "lang", FIRST_LINE),
                                f"is a translation into {default}, the default language: an original in "
                                f"{default} needs no translation_of"))


def _front_matter(source: str, data: bytes) -> tuple[dict, str, str] | Problem:
    """(parsed front matter, its text, the body), or the problem that stops the file."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        return Problem(source, line, "is not UTF-8 text: save it as UTF-8 (most editors have an 'encoding' choice)")
    text = text.removeprefix("\ufeff").replace("\r\n", "\n")
    split = split_front_matter(text)
    if split is None and text.startswith("---"):
        return Problem(source, 1, "front matter is not closed: add a '---' line after its last 'key: value' line")
    if split is None:
        return Problem(source, 1, "has no front matter: start the file with a '---' line, then 'title:' and "
                                  "'date:' lines, then another '---' line")
    front, body = split
    try:
        meta = load_yaml(front) or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc)
        return Problem(source, mark.line + FIRST_LINE if mark else 1, f"front matter is not valid YAML: {problem}")
    if not isinstance(meta, dict):
        return Problem(source, FIRST_LINE, "front matter must be 'key: value' lines")
    return meta, front, body


def _fields(source: str, meta: dict, front: str, config: Config
            ) -> tuple[dict[str, Any], dict[str, Any], list[Problem], list[Problem]]:
    """(known values converted, unknown keys kept as extra, problems, warnings)."""
    values: dict[str, Any] = {}
    extra: dict[str, Any] = {}
    problems: list[Problem] = []
    warnings: list[Problem] = []
    for key, value in meta.items():
        key = str(key)
        if key not in FIELDS:
            extra[key] = value
            hint = f" (did you mean '{SYNONYMS[key]}'?)" if key in SYNONYMS else did_you_mean(key, tuple(FIELDS))
            if hint:
                warnings.append(Problem(source, key_line(front, key, FIRST_LINE), f"unknown key '{key}'{hint}"))
            continue
        if value is None:
            continue
        try:
            values[key] = FIELDS[key](value)
        except ValueError as exc:
            problems.append(Problem(source, key_line(front, key, FIRST_LINE), f"{key}: {value!r} {exc}"))
    for key in ("title", "date"):
        if key not in meta or meta[key] is None or (key == "title" and key in values and not values[key]):
            problems.append(Problem(source, None, f"missing {key}: add a '{key}:' line to the front matter"))
    for key in ("date", "updated"):
        if key in values:
            try:
                values[key] = parse_date(values[key], config.tz)
            except ValueError as exc:
                problems.append(Problem(source, key_line(front, key, FIRST_LINE),
                                        f"{key}: '{values[key]}' is not a valid date ({exc})"))
    return values, extra, problems, warnings
