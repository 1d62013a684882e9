"""Reading one article file into a validated Article: front matter fields, Markdown body."""

from __future__ import annotations

import contextlib
import contextvars
import functools
import html
import re
import zlib
from dataclasses import dataclass, field, fields
from datetime import datetime
from typing import Any, Iterator, Mapping

import yaml

from .config import Config
from .errors import Problem
from .fields import convert_fields, template_leftovers
from .frontmatter import find_front_matter, load_toml, load_yaml, opens_front_matter
from .slugs import slugify
from .text import cut_at_word, key_line

_LANGUAGE_SUFFIX = re.compile(r"\.([a-z]{2,3}(?:-[A-Za-z0-9]{2,8})*)\.md$")
_FIRST_PARAGRAPH = re.compile(r"<p>(.*?)</p>", re.DOTALL)
_TAG = re.compile(r"<[^>]+>")


@dataclass(frozen=True, slots=True)
class Article:
    """One article or plain page, with every derived value computed at read time."""

    source: str                     # path relative to the site root, e.g. content/2024/x.md
    # What changes with the text but its body is left out of repr(), which a layout could print
    # ({{ item }}): quick.py sees a layout read the text by `body` and fingerprint.TEXT_FIELDS
    digest: str = field(repr=False)  # fingerprint of the file and the settings that read it
    title: str
    date: datetime
    slug: str
    path: str                       # output path relative to the site root, e.g. 2024/12/x/
    packed_body: bytes = field(repr=False)   # the HTML converted from Markdown, packed (pack_html; read `body`)
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
    text_version: str = field(default="", repr=False)   # digest of this file's title and text, for stale translations
    original_version: str = ""      # the original's text_version this translation was made from
    translator: str = ""
    aliases: tuple[str, ...] = ()   # old addresses that redirect here, as output files
    image: str = ""                 # the lead photo as written (`image:`), its alt text and credit
    image_alt: str = ""
    image_credit: str = ""
    lead: str = ""                  # the lead photo's <figure>, made by the images step
    lead_file: str = ""             # the lead photo's source file and its encoded key, for the share card
    lead_key: str = ""
    lead_alt: str = ""
    has_images: bool = False        # the body has an <img>

    def __reduce__(self) -> tuple:
        """Pickled as its fields in order (the cache holds one per article): a third of the time
        of the generated __setstate__ of a slotted dataclass."""
        return Article, tuple(getattr(self, name) for name in _ARTICLE_FIELDS)

    @property
    def body(self) -> str:
        """The HTML converted from Markdown (pack_html). Noted while `text_reads` is open: which
        pages read which texts (quick.py)."""
        note_text_read(self.source)
        packed = self.packed_body
        if squeezed(packed):
            return zlib.decompress(packed).decode("utf-8")
        return str(memoryview(packed)[1:], "utf-8")

    @property
    def output_file(self) -> str:
        """The page's file relative to the output root: 'x/' -> 'x/index.html'; 'x.html' as is."""
        return self.path if self.path.endswith(".html") else self.path + "index.html"

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

    def __reduce__(self) -> tuple:
        return ReadResult, (self.article, self.problems, self.warnings)


_ARTICLE_FIELDS = tuple(f.name for f in fields(Article))


# The sources whose body is read while text_reads() is open: a template reads `article.body`
# deep inside Jinja2, where nothing of ours is passed along, so the list rides in the context
_READS: contextvars.ContextVar[list[str] | None] = contextvars.ContextVar("text_reads", default=None)


def note_text_read(source: str) -> None:
    """Note that the text of the article from `source` was read, when text_reads() is open."""
    reads = _READS.get()
    if reads is not None:
        reads.append(source)


@contextlib.contextmanager
def text_reads() -> Iterator[list[str]]:
    """The sources of the articles whose body is read inside the block, in the order read."""
    outer, found = _READS.get(), []
    token = _READS.set(found)
    try:
        yield found
    finally:
        _READS.reset(token)
        if outer is not None:
            outer.extend(found)


@functools.lru_cache(maxsize=4)
def _converter(extensions: tuple[str, ...], configs_json: str) -> Any:
    """One Markdown instance per process and settings: building one costs more than a page."""
    import json

    import markdown

    from . import block_filter, inline_filter, lean_steps

    md = markdown.Markdown(extensions=list(extensions), extension_configs=json.loads(configs_json),
                           output_format="html")
    return lean_steps.install(block_filter.install(inline_filter.install(md)))


def markdown_to_html(body: str, config: Config) -> str:
    """Convert an article body with the site's Markdown extensions."""
    import json

    md = _converter(config.markdown_extensions, json.dumps(config.markdown_extension_configs, sort_keys=True))
    return md.reset().convert(body)


# Bodies are kept squeezed by zlib on sites with more articles than this. As text, with their
# curly quotes (two bytes a character in a str), 100,000 bodies take 1.2 GB; squeezed, about a
# sixth of that, but squeezing and unsqueezing cost 0.08 ms an article (0.4 s of a cold build
# at 10,000 on two cores), so a smaller site keeps its bodies as UTF-8 (60 MB at 10,000).
SQUEEZE_ABOVE = 20_000
_PLAIN = b"="  # leads a body kept as UTF-8: no zlib stream starts with it (its method is 8)


def squeezed(packed: bytes) -> bool:
    """Whether a packed body is zlib's (else `_PLAIN` and the UTF-8): a body packed again, by
    the images step or the quick shortcut, keeps the form the build gave the others."""
    return packed[:1] != _PLAIN


def pack_html(html: str, squeeze: bool = True) -> bytes:
    """An article body as Article keeps it: zlib's fastest level (~40 µs for a 600-word article),
    or `_PLAIN` and the UTF-8."""
    data = html.encode("utf-8")
    return zlib.compress(data, 1) if squeeze else _PLAIN + data


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


def read_article(source: str, data: bytes, config: Config, digest: str, squeeze: bool = True) -> ReadResult:
    """Parse one file's bytes: front matter, fields, Markdown body (packed as `squeeze` says).
    Never raises on bad input."""
    parsed = _front_matter(source, data)
    if isinstance(parsed, Problem):
        return ReadResult(None, (parsed,))
    meta, front, body, first = parsed

    def line_of(key: str) -> int | None:
        return key_line(front, key, first)

    values, extra, problems, warnings = convert_fields(source, meta, line_of, config)
    warnings += template_leftovers(source, body, first + front.count("\n") + 1)
    _language(source, values, line_of, config, problems, warnings)
    if problems:
        return ReadResult(None, tuple(problems), tuple(warnings))
    is_page = source.split("/")[1:2] == ["pages"]
    slug = values.get("slug") or slugify(values["title"])  # none: the model gives one (pair_translations)
    body_html = markdown_to_html(body, config)
    article = Article(
        source=source, digest=digest, title=values["title"], date=values["date"], slug=slug,
        path=values.get("permalink") or output_path(config, values["date"], slug, is_page, values["lang"]),
        packed_body=pack_html(body_html, squeeze), has_images="<img" in body_html,
        summary=values.get("summary") or plain_summary(body_html), tags=values.get("tags", ()),
        updated=values.get("updated"), author=values.get("author", ""),
        source_name=values.get("source", ""), source_url=values.get("source_url", ""),
        dateline=values.get("dateline", ""), lang=values.get("lang", ""),
        draft=values.get("draft", False), review=values.get("review", ""), is_page=is_page,
        extra=extra, translation_of=values.get("translation_of", ""),
        translation_line=line_of("translation_of"), text_version=text_version(values["title"], body),
        original_version=values.get("original_version", ""), translator=values.get("translator", ""),
        aliases=values.get("aliases", ()), image=values.get("image", ""),
        image_alt=values.get("image_alt", ""), image_credit=values.get("image_credit", ""),
    )
    return ReadResult(article, (), tuple(warnings))


def _language(source: str, values: dict[str, Any], line_of: Any, config: Config, problems: list[Problem],
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
        problems.append(Problem(source, line_of("lang"),
                                f"lang: '{lang}' is not a language of this site: add it under 'languages:' in "
                                f"site.yaml, or use one of {', '.join(codes)}"))
        return
    if named and lang != named:
        problems.append(Problem(source, line_of("lang"),
                                f"lang: '{lang}' disagrees with the file name, which says '{named}'"))
        return
    values["lang"] = lang
    original = values.get("translation_of")
    if original:
        values["translation_of"] = "content/" + original.strip().lstrip("/").removeprefix("content/")
    elif named:
        values["translation_of"] = source[:-len(f".{named}.md")] + ".md"
    if values.get("translation_of") and lang == default:
        problems.append(Problem(source, line_of("translation_of") or line_of("lang"),
                                f"is a translation into {default}, the default language: an original in "
                                f"{default} needs no translation_of"))


def _front_matter(source: str, data: bytes) -> tuple[dict, str, str, int] | Problem:
    """(parsed front matter, its text, the body, the line it starts on), or the problem that
    stops the file. YAML between '---' lines or TOML between '+++' lines, after blank lines."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        return Problem(source, line, "is not UTF-8 text: save it as UTF-8 (most editors have an 'encoding' choice)")
    text = text.replace("\r\n", "\n")
    found = find_front_matter(text)
    if found is None and opens_front_matter(text):
        return Problem(source, 1, "front matter is not closed: add a '---' line after its last 'key: value' line")
    if found is None:
        return Problem(source, 1, "has no front matter: start the file with a '---' line, then 'title:' and "
                                  "'date:' lines, then another '---' line")
    try:
        meta = (load_yaml(found.text) if found.fence == "---" else load_toml(found.text)) or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc)
        return Problem(source, mark.line + found.first_line if mark else 1, f"front matter is not valid YAML: {problem}")
    except ValueError as exc:  # tomllib.TOMLDecodeError: '... (at line 3, column 7)'
        where = re.search(r"at line (\d+)", str(exc))
        return Problem(source, int(where.group(1)) + found.first_line - 1 if where else 1,
                       f"front matter is not valid TOML: {str(exc).split(' (at line')[0]}")
    if not isinstance(meta, dict):
        return Problem(source, found.first_line, "front matter must be 'key: value' lines")
    return meta, found.text, found.body, found.first_line
