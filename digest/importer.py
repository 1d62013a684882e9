"""The importer: raw article text -> Draft -> Markdown with front matter, written to content/."""

from __future__ import annotations

import os
import re
from collections import Counter
from dataclasses import dataclass, replace
from datetime import date, datetime
from pathlib import Path
from types import MappingProxyType
from typing import Iterable, Mapping, Sequence
from urllib.parse import urlsplit

from .config import Config
from .errors import Problem, SiteError, did_you_mean
from .slugs import slugify

HEADLINE_MAX = 90          # a headline guessed from the lede is cut to about this many characters
HEADLINE_LINE_MAX = 150    # a first line longer than this is a paragraph, not a headline
SUMMARY_MAX = 200
MAX_SUGGESTED_TAGS = 10    # suggestions are reviewed: a missing tag is harder to notice than an extra one
WRAP_WIDTH = 80            # blank-line separated text with every line this short is hard-wrapped

REVIEW_HEADLINE = "headline derived from the first sentence"
REVIEW_TAGS = "tags suggested from the vocabulary"
REVIEW_PARAGRAPHS = "paragraph breaks guessed from hard-wrapped lines"
REVIEW_ENCODING = "the raw text was not UTF-8: check accents and quotes"

# --- regular expressions, compiled once -------------------------------------------------

# English names, not calendar.month_name: that follows the locale.
_MONTH_NAMES = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
                "October", "November", "December")
_MONTHS = MappingProxyType({
    **{name[:3].lower(): number for number, name in enumerate(_MONTH_NAMES, 1)},
    **{name.lower(): number for number, name in enumerate(_MONTH_NAMES, 1)},
    "sept": 9,
})
_MONTH = r"(?:January|February|March|April|May|June|July|August|September|October|November|December" \
         r"|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)\.?"
_LETTERS = r"[^\W\d_]"
_PLACE_WORD = rf"{_LETTERS}(?:{_LETTERS}|['’.\-](?={_LETTERS})|\.)*"
_DASH = r"(?:--|[-–—])"
# CITY[, State][, Month Day[, Year] | , Day Month [Year]][ (Publication)] dash
_DATELINE = re.compile(
    rf"""(?P<city>{_PLACE_WORD}(?:[ ]{_PLACE_WORD}){{0,4}})
    (?:,[ ]*(?!{_MONTH}[ ]+\d)(?P<state>{_PLACE_WORD}(?:[ ]{_PLACE_WORD}){{0,3}}))?
    (?:,[ ]*(?:(?P<month>{_MONTH})[ ]+(?P<day>\d{{1,2}})(?:,?[ ]+(?P<year>\d{{4}}))?
             |(?P<day2>\d{{1,2}})[ ]+(?P<month2>{_MONTH})(?:[ ]+(?P<year2>\d{{4}}))?))?
    (?:[ ]*\((?P<source>[^()\n]{{1,60}})\))?
    [ ]*{_DASH}(?:[ ]+|$)""",
    re.VERBOSE)
_OPTION_DATE = re.compile(r"\d{4}-\d{2}-\d{2}(?: \d{2}:\d{2})?")
_LANG = re.compile(r"[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8})*")
_SPACES = re.compile(r"[ \t]+")
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")
_SENTENCE_END = re.compile(r"[.!?…]+[\"”’»)\]]*(?=\s+[\"“‘«(\[]?[A-Z0-9À-Þ])")
_INITIALS = re.compile(r"(?:\b[A-Za-z]\.)+$")
_ABBREVIATIONS = frozenset(
    "mr mrs ms dr prof st sr jr gov sen rep gen lt col sgt capt no vs etc inc co corp ltd dept "
    "jan feb mar apr jun jul aug sep sept oct nov dec ave blvd mt ft approx".split())
_PARTICLES = frozenset("de del la las los el y da do dos van von of the".split())  # lower case inside a place name
_CLAUSE_BREAK = re.compile(r"[,;:]\s|\s[–—-]\s")
_TERMINAL = (".", "!", "?", "…", ":", ";", '"', "”", "’", "'", ")", "»", "]")
_CLOSERS = "\"”’')]»"
_FRONT_END = re.compile(r"^(?:---|\.\.\.)[ \t]*$", re.MULTILINE)
_IMPORTED_FROM = re.compile(r"^imported_from:[ \t]*(.*?)[ \t]*$", re.MULTILINE)

# Markdown escaping: one pass over the text, so nothing is escaped twice. Runs of -- and ...
# are always escaped (\- and \. work in any Markdown); quotes only when a typographic
# extension (smarty, digest.typography) would curl them, in the form that extension undoes.
QUOTES_KEPT, QUOTES_BACKSLASH, QUOTES_ENTITY = "kept", "backslash", "entity"
# Same as `[chars]|-{2,}|\.{3,}`, written to start with one character class: five times faster.
_ESCAPE_WITHOUT_QUOTES = re.compile(r"[-.\\`*_\[\]{}&<>](?:(?<=-)-+|(?<=\.)\.\.+|(?<=[^-.]))")
_ESCAPE_WITH_QUOTES = re.compile(r"[-.\\`*_\[\]{}&<>\"'](?:(?<=-)-+|(?<=\.)\.\.+|(?<=[^-.]))")
_ENTITIES = MappingProxyType({"&": "&amp;", "<": "&lt;", ">": "&gt;"})
_QUOTE_ENTITIES = MappingProxyType({'"': "&quot;", "'": "&#39;"})
_QUOTE_PROBE = "\"Sample\" 'probe' it's"
_ORDERED_ITEM = re.compile(r"^(\d+)\.(?=\s|$)")

# YAML scalars: characters that must be written as escapes inside double quotes.
_YAML_UNSAFE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\ufeff\ud800-\udfff\ufffe\uffff\"\\]")
_YAML_WORDS = frozenset("y n yes no on off true false null".split())


class RawTextError(ValueError):
    """A raw article that cannot be imported; the message says what to do."""


# --- data ----------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class ImportOptions:
    """What the command line says about the articles being imported."""

    date: str | None = None
    title: str | None = None
    tags: tuple[str, ...] = ()
    source_url: str | None = None
    author: str | None = None
    lang: str | None = None
    force: bool = False
    dry_run: bool = False


@dataclass(frozen=True, slots=True)
class ImportReport:
    """What one import run did to each raw file."""

    imported: tuple[Path, ...] = ()
    unchanged: tuple[Path, ...] = ()
    skipped: tuple[Path, ...] = ()
    failed: tuple[Problem, ...] = ()
    warnings: tuple[Problem, ...] = ()
    previews: tuple[tuple[Path, str], ...] = ()

    def summary(self) -> str:
        """One line counting each outcome."""
        return (f"imported {len(self.imported)}, unchanged {len(self.unchanged)}, "
                f"skipped {len(self.skipped)}, failed {len(self.failed)}")


@dataclass(frozen=True, slots=True)
class Draft:
    """One article as read from raw text, before it is written as Markdown."""

    title: str
    date: str
    paragraphs: tuple[str, ...]
    title_guessed: bool = False
    dateline: str = ""
    source: str = ""
    tags: tuple[str, ...] = ()
    tags_guessed: bool = False
    summary: str = ""
    source_url: str = ""
    author: str = ""
    lang: str = ""
    imported_from: str = ""
    notes: tuple[str, ...] = ()     # anything else a person should check before publishing

    @property
    def review(self) -> str:
        """What was guessed, for the editor; empty when nothing was."""
        guessed = ((REVIEW_HEADLINE,) if self.title_guessed else ()) \
            + ((REVIEW_TAGS,) if self.tags_guessed else ()) + self.notes
        return "; ".join(guessed)

    @property
    def is_draft(self) -> bool:
        """True when something was guessed, so the article waits for review."""
        return bool(self.review)

    @property
    def year(self) -> str:
        """The year folder the article goes in."""
        return self.date[:4]


@dataclass(frozen=True, slots=True)
class TagMatcher:
    """The tag vocabulary as one compiled regex, and each lower-cased phrase's tags."""

    pattern: re.Pattern[str] | None
    tags_of: Mapping[str, tuple[str, ...]]
    order: Mapping[str, int]

    @classmethod
    def from_vocabulary(cls, vocabulary: Mapping[str, Sequence[str]]) -> "TagMatcher":
        """Compile the vocabulary once per run: whole words and phrases, any case."""
        tags_of: dict[str, list[str]] = {}
        for tag, phrases in vocabulary.items():
            for phrase in phrases:
                key = _phrase_key(phrase)
                if key and tag not in tags_of.setdefault(key, []):
                    tags_of[key].append(tag)
        if not tags_of:
            return cls(None, {}, {})
        pattern = re.compile(rf"(?<!\w){_trie_regex(tags_of)}(?!\w)", re.IGNORECASE)
        return cls(pattern, {k: tuple(v) for k, v in tags_of.items()},
                   {tag: i for i, tag in enumerate(vocabulary)})

    def suggest(self, text: str, limit: int = MAX_SUGGESTED_TAGS) -> tuple[str, ...]:
        """Tags whose words occur in the text, most mentioned first, at most `limit`."""
        if self.pattern is None:
            return ()
        counts: Counter[str] = Counter()
        for found, times in Counter(self.pattern.findall(text)).items():
            for tag in self.tags_of.get(_phrase_key(found), ()):
                counts[tag] += times
        ranked = sorted(counts, key=lambda tag: (-counts[tag], self.order.get(tag, 0)))
        return tuple(ranked[:limit])


def _phrase_key(phrase: str) -> str:
    return " ".join(phrase.split()).lower()


def _trie_regex(phrases: Iterable[str]) -> str:
    """One regex for many phrases, shared prefixes factored out: a plain alternation is several times slower."""
    trie: dict = {}
    for phrase in phrases:
        node = trie
        for ch in phrase:
            node = node.setdefault(ch, {})
        node[""] = {}

    def emit(node: dict) -> str:
        branches = [(r"\s+" if ch == " " else re.escape(ch)) + emit(child)
                    for ch, child in sorted(node.items()) if ch]
        if not branches:
            return ""
        if "" in node:  # a phrase ends here; a longer one may go on (greedy: longest first)
            return f"(?:{'|'.join(branches)})?"
        return branches[0] if len(branches) == 1 else f"(?:{'|'.join(branches)})"

    return emit(trie)


# --- stage 1: bytes -> text ------------------------------------------------------------------

def read_raw(path: Path, shown: str | None = None) -> tuple[str, tuple[Problem, ...]]:
    """A raw file's text with newlines normalised, and warnings about how it was decoded."""
    shown = shown or str(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise RawTextError(f"cannot be read: {exc.strerror or exc}") from None
    warnings: tuple[Problem, ...]
    binary = RawTextError("contains NUL bytes, so it is not text: save the article as a plain .txt file")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError:
            raise binary from None
        warnings = (Problem(shown, None, "is not UTF-8: read as UTF-16 (save sources as UTF-8)"),)
    elif b"\x00" in data:
        raise binary
    else:
        text, warnings = _decode(data, shown)
    text = text.removeprefix("\ufeff")
    if not text.strip():
        raise RawTextError("is empty: there is no article text to import")
    return "\n".join(text.splitlines()), warnings


def _decode(data: bytes, shown: str) -> tuple[str, tuple[Problem, ...]]:
    try:
        return data.decode("utf-8"), ()
    except UnicodeDecodeError:
        pass
    for encoding, name in (("cp1252", "Windows-1252"), ("latin-1", "Latin-1")):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        return text, (Problem(shown, None, f"is not UTF-8: read as {name}; check its accents and "
                                           "quotes (save sources as UTF-8 to avoid this)"),)
    raise AssertionError("Latin-1 decodes every byte")  # pragma: no cover


# --- stage 2: text -> Draft ------------------------------------------------------------------

def parse_raw(text: str, options: ImportOptions, config: Config,
              matcher: TagMatcher | None = None) -> Draft:
    """Read headline, dateline, date, paragraphs, tags and summary from raw article text."""
    text = _SPACES.sub(" ", _CONTROL.sub(" ", text.removeprefix("\ufeff")))
    lines = [line.strip() for line in text.splitlines()]
    while lines and not lines[0]:
        lines.pop(0)
    headline, body_lines = _split_headline(lines)
    paragraphs, wrapped_guess = _split_paragraphs(body_lines)
    if not paragraphs:
        raise RawTextError("is empty: there is no article text to import")

    dateline = source = ""
    stated_date: str | None = None
    date_problem = ""
    match = _match_dateline(paragraphs[0])
    if match:
        dateline, source = _dateline_text(match), (match.group("source") or "").strip()
        stated_date, date_problem = _dateline_date(match)
        lede = paragraphs[0][match.end():].strip()
        paragraphs = ((lede,) if lede else ()) + paragraphs[1:]
        if not paragraphs:
            raise RawTextError("has a dateline but no article text after it")

    when = _validated_date(options.date) if options.date else stated_date
    if when is None:
        raise RawTextError(date_problem or "states no date in a dateline: pass --date YYYY-MM-DD")

    title_guessed = False
    if options.title and options.title.strip():
        title = " ".join(options.title.split())
    elif headline:
        title = headline
    else:
        title, title_guessed = _headline_from(paragraphs[0]), True

    matcher = matcher or TagMatcher.from_vocabulary(config.tag_vocabulary)
    given = _unique_tags(options.tags)
    suggested = matcher.suggest("\n".join((title,) + paragraphs))
    tags = _unique_tags(given + suggested)
    return Draft(
        title=title, date=when, paragraphs=paragraphs, title_guessed=title_guessed,
        dateline=dateline, source=source, tags=tags, tags_guessed=len(tags) > len(given),
        summary=_summary_from(paragraphs[0]), source_url=(options.source_url or "").strip(),
        author=" ".join((options.author or "").split()), lang=(options.lang or "").strip(),
        notes=(REVIEW_PARAGRAPHS,) if wrapped_guess else (),
    )


def _ends_sentence(line: str) -> bool:
    return line.endswith(_TERMINAL)


def _next_word_fits(line: str, next_line: str, width: int) -> bool:
    """True when the next line's first word would have fitted: the writer broke here on purpose."""
    return len(line) + 1 + len(next_line.split(" ", 1)[0]) <= width


def _reads_as_headline(line: str) -> bool:
    if not 3 <= len(line) <= HEADLINE_LINE_MAX or len(line.split()) > 25:
        return False
    if not any(ch.isalpha() for ch in line) or _match_dateline(line):
        return False
    return not line.rstrip(_CLOSERS).endswith((".", ",", ";", ":", "…", "-", "–", "—"))


def _split_headline(lines: list[str]) -> tuple[str, list[str]]:
    """The first line when it reads as a headline followed by body text, and the rest."""
    if len(lines) < 2 or not _reads_as_headline(lines[0]):
        return "", lines
    rest = lines[1:]
    if not any(rest):
        return "", lines
    if rest[0]:  # no blank line after it: a headline only if the next word would have fitted
        block = lines[:lines.index("")] if "" in lines else lines
        if not _next_word_fits(lines[0], rest[0], max(len(line) for line in block)):
            return "", lines
    while rest and not rest[0]:
        rest.pop(0)
    return lines[0], rest


def _blocks(lines: list[str]) -> list[list[str]]:
    blocks: list[list[str]] = [[]]
    for line in lines:
        if line:
            blocks[-1].append(line)
        elif blocks[-1]:
            blocks.append([])
    return [block for block in blocks if block]


def _split_paragraphs(lines: list[str]) -> tuple[tuple[str, ...], bool]:
    """Paragraphs from body lines, and whether their breaks had to be guessed."""
    blocks = _blocks(lines)
    if len(blocks) == 1 and _wrapped_without_blank_lines(blocks[0]):
        return _reflow(blocks[0]), True
    if len(blocks) == 1:
        return tuple(blocks[0]), False
    paragraphs: list[str] = []
    for block in blocks:
        paragraphs.extend([" ".join(block)] if _looks_wrapped(block) else block)
    return tuple(paragraphs), False


def _looks_wrapped(block: list[str]) -> bool:
    """A blank-line separated block is one paragraph when its lines are short or broken mid-sentence."""
    if len(block) < 2 or max(len(line) for line in block) <= WRAP_WIDTH:
        return True
    inner = block[:-1]
    return sum(not _ends_sentence(line) for line in inner) * 2 > len(inner)


def _wrapped_without_blank_lines(block: list[str]) -> bool:
    """Lines that mostly stop mid-sentence and fill a fixed width were wrapped by a tool."""
    if len(block) < 3:
        return False
    width = max(len(line) for line in block)
    inner = block[:-1]
    mid_sentence = sum(not _ends_sentence(line) for line in inner)
    full = sum(len(line) >= 0.7 * width for line in block)
    return mid_sentence * 2 > len(inner) and full * 10 >= 6 * len(block)


def _reflow(block: list[str]) -> tuple[str, ...]:
    """Join wrapped lines, breaking a paragraph where the next word would have fitted."""
    width = max(len(line) for line in block)
    paragraphs: list[list[str]] = [[block[0]]]
    for previous, line in zip(block, block[1:]):
        if _next_word_fits(previous, line, width):
            paragraphs.append([line])
        else:
            paragraphs[-1].append(line)
    return tuple(" ".join(lines) for lines in paragraphs)


def _match_dateline(paragraph: str) -> re.Match[str] | None:
    """A news-agency dateline at the start of the lede, when it is one."""
    match = _DATELINE.match(paragraph)
    if not match:
        return None
    city = match.group("city")
    has_date = bool(match.group("month") or match.group("month2"))
    if match.group("source") or has_date or (match.group("state") and city.upper() == city):
        return match
    return None


def _normal_case(place: str) -> str:
    """'EL PASO' -> 'El Paso', 'CIUDAD DE MEXICO' -> 'Ciudad de Mexico'; mixed case is kept."""
    if place.upper() != place:
        return place
    words = []
    for i, word in enumerate(place.lower().split(" ")):
        if i and word in _PARTICLES:
            words.append(word)
            continue
        # capitalise each letter run: d'alene -> D'Alene, winston-salem -> Winston-Salem
        word = re.sub(rf"{_LETTERS}+", lambda m: m.group().capitalize(), word)
        words.append(re.sub(r"(['’])S\b", r"\1s", word))
    return " ".join(words)


def _dateline_text(match: re.Match[str]) -> str:
    city = _normal_case(match.group("city"))
    state = match.group("state")
    return f"{city}, {state}" if state else city


def _dateline_date(match: re.Match[str]) -> tuple[str | None, str]:
    """(date, '') from a dateline stating a full date, else (None, why not and what to do)."""
    month_name = match.group("month") or match.group("month2")
    if not month_name:
        return None, "states no date in its dateline: pass --date YYYY-MM-DD"
    month = _MONTHS[month_name.rstrip(".").lower()]
    day = int(match.group("day") or match.group("day2"))
    year = match.group("year") or match.group("year2")
    stated = f"{_MONTH_NAMES[month - 1]} {day}"
    if not year:
        return None, (f"its dateline gives {stated} but no year: pass --date YYYY-{month:02d}-{day:02d} "
                      "with the right year")
    try:
        return date(int(year), month, day).isoformat(), ""
    except ValueError:
        return None, f"its dateline date {stated}, {year} does not exist: pass --date YYYY-MM-DD"


def _validated_date(value: str) -> str:
    text = value.strip()
    if _OPTION_DATE.fullmatch(text):
        try:
            datetime.fromisoformat(text)
            return text
        except ValueError:
            pass
    raise SiteError.at("--date", None, f"'{value}' is not a date: use YYYY-MM-DD, like 2024-12-18")


def _sentences(text: str) -> list[str]:
    """Split at sentence ends, not after abbreviations (U.S., Dr., Jan.) or initials."""
    sentences, start = [], 0
    for match in _SENTENCE_END.finditer(text):
        before = text[start:match.start() + 1]
        last_word = before.rsplit(" ", 1)[-1]
        if text[match.start()] == "." and (
                last_word.rstrip(".").lower() in _ABBREVIATIONS or _INITIALS.search(last_word)):
            continue
        sentences.append(text[start:match.end()].strip())
        start = match.end()
    tail = text[start:].strip()
    return sentences + [tail] if tail else sentences


def _cut(text: str, limit: int) -> str:
    """Cut at the last word boundary within `limit` characters, ending with an ellipsis."""
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0].rstrip(" ,;:–—-")
    return cut + "…"


def _headline_from(lede: str) -> str:
    """The lede's first sentence, shortened at a clause break or word boundary."""
    sentence = _sentences(lede)[0]
    if sentence.endswith(".") and not sentence.endswith("..."):
        sentence = sentence[:-1]
    if len(sentence) <= HEADLINE_MAX:
        return sentence
    breaks = [m.start() for m in _CLAUSE_BREAK.finditer(sentence, 0, HEADLINE_MAX + 20) if m.start() >= 30]
    if breaks:
        return sentence[:breaks[-1]].rstrip()
    return _cut(sentence, HEADLINE_MAX - 1)


def _summary_from(lede: str) -> str:
    """The lede's first sentence, or two when both are short, at most SUMMARY_MAX characters."""
    sentences = _sentences(lede)
    summary = sentences[0]
    if len(sentences) > 1 and len(summary) < 120 and len(summary) + 1 + len(sentences[1]) <= SUMMARY_MAX:
        summary = f"{summary} {sentences[1]}"
    return _cut(summary, SUMMARY_MAX - 1)


def _unique_tags(tags: Sequence[str]) -> tuple[str, ...]:
    """Tags in order, split at commas, without blanks or duplicates (by slug)."""
    seen: dict[str, str] = {}
    for tag in (part.strip() for item in tags for part in item.split(",")):
        if tag and slugify(tag) and slugify(tag) not in seen:
            seen[slugify(tag)] = " ".join(tag.split())
    return tuple(seen.values())


# --- stage 3: Draft -> Markdown ----------------------------------------------------------------

def escape_markdown(paragraph: str, quotes: str = QUOTES_BACKSLASH) -> str:
    """Escape a plain-text paragraph so Markdown renders exactly these characters."""
    pattern = _ESCAPE_WITHOUT_QUOTES if quotes == QUOTES_KEPT else _ESCAPE_WITH_QUOTES

    def escape(match: re.Match[str]) -> str:
        found = match.group()
        if found in _ENTITIES:
            return _ENTITIES[found]
        if quotes == QUOTES_ENTITY and found in _QUOTE_ENTITIES:
            return _QUOTE_ENTITIES[found]
        return "".join("\\" + ch for ch in found)  # a run of -- or ... is escaped char by char

    text = pattern.sub(escape, paragraph)
    # Block syntax only matters at the start of a paragraph.
    if text.startswith(("#", "+", "-")):
        text = "\\" + text
    elif text.startswith(":"):
        text = "&#58;" + text[1:]          # a definition list (extra) has no backslash escape
    elif text.startswith("~~~"):
        text = "&#126;" + text[1:]         # a fenced code block (extra)
    else:
        text = _ORDERED_ITEM.sub(r"\1\\.", text, count=1)
    return text


def yaml_scalar(value: str, in_flow: bool = False) -> str:
    """A YAML scalar that loads back as exactly `value`: plain when safe, else double-quoted."""
    if _plain_is_safe(value, in_flow):
        return value
    escaped = _YAML_UNSAFE.sub(_yaml_escape, value)
    return f'"{escaped}"'


def _yaml_escape(match: re.Match[str]) -> str:
    ch = match.group()
    if ch in '"\\':
        return "\\" + ch
    return f"\\u{ord(ch):04x}"


def _plain_is_safe(value: str, in_flow: bool) -> bool:
    if not value or not value[0].isalpha() or value != value.strip() or _YAML_UNSAFE.search(value):
        return False
    if value.lower() in _YAML_WORDS or ": " in value or " #" in value or value.endswith(":"):
        return False
    if not value.isprintable():
        return False
    return not (in_flow and any(ch in value for ch in ",[]{}:?#"))


def quote_escaping(config: Config) -> str:
    """How the site's Markdown extensions need straight quotes escaped: try them on a sample."""
    import html

    import markdown

    md = markdown.Markdown(extensions=list(config.markdown_extensions),
                           extension_configs=dict(config.markdown_extension_configs))

    def renders_as_probe(source: str) -> bool:
        return html.unescape(re.sub(r"<[^>]+>", "", md.reset().convert(source))).strip() == _QUOTE_PROBE

    if renders_as_probe(_QUOTE_PROBE):
        return QUOTES_KEPT
    if renders_as_probe(escape_markdown(_QUOTE_PROBE, QUOTES_BACKSLASH)):
        return QUOTES_BACKSLASH
    return QUOTES_ENTITY    # entities are stashed before any typographer sees the text


def to_markdown(draft: Draft, quotes: str = QUOTES_BACKSLASH) -> str:
    """The article file: front matter the build reads, then the escaped paragraphs."""
    lines = ["---", f"title: {yaml_scalar(draft.title)}", f"date: {draft.date}"]
    for key, value in (("dateline", draft.dateline), ("source", draft.source),
                       ("source_url", draft.source_url), ("author", draft.author), ("lang", draft.lang)):
        if value:
            lines.append(f"{key}: {yaml_scalar(value)}")
    if draft.tags:
        lines.append(f"tags: [{', '.join(yaml_scalar(tag, in_flow=True) for tag in draft.tags)}]")
    if draft.summary:
        lines.append(f"summary: {yaml_scalar(draft.summary)}")
    if draft.is_draft:
        lines += ["draft: true", f"review: {yaml_scalar(draft.review)}"]
    if draft.imported_from:
        lines.append(f"imported_from: {yaml_scalar(draft.imported_from)}")
    lines.append("---")
    body = "\n\n".join(escape_markdown(paragraph, quotes) for paragraph in draft.paragraphs)
    return "\n".join(lines) + "\n" + body + "\n"


# --- the run -------------------------------------------------------------------------------------

def import_articles(config: Config, paths: Sequence[Path], options: ImportOptions) -> ImportReport:
    """Import raw articles (files or folders of .txt; none means new ones in sources/)."""
    options = _checked_options(options)
    warnings: list[Problem] = []
    failed: list[Problem] = []
    imported: list[Path] = []
    unchanged: list[Path] = []
    skipped: list[Path] = []
    previews: list[tuple[Path, str]] = []

    by_source = _imported_articles(config)
    root = config.root.resolve()
    if paths:
        raw_files = _expand(paths, failed, warnings)
    else:
        raw_files = [(p, p.relative_to(config.root).as_posix()) for p in _raw_files(config.root / "sources")]
        raw_files = [(p, shown) for p, shown in raw_files if _provenance(root, p) not in by_source]
    for option, value in (("--title", options.title), ("--source-url", options.source_url)):
        if value and len(raw_files) > 1:
            raise SiteError.at(option, None, f"names one article but {len(raw_files)} files are being "
                                             "imported: import one file at a time")
    warnings += _unknown_tag_warnings(options.tags, config)

    matcher = TagMatcher.from_vocabulary(config.tag_vocabulary)
    quotes = quote_escaping(config)
    claimed: dict[Path, str] = {}
    for raw, shown in raw_files:
        try:
            text, read_warnings = read_raw(raw, shown)
            warnings += read_warnings
            draft = parse_raw(text, options, config, matcher)
        except RawTextError as exc:
            failed.append(Problem(shown, None, str(exc)))
            continue
        provenance = _provenance(root, raw)
        notes = (REVIEW_ENCODING,) if read_warnings else ()
        draft = replace(draft, imported_from=provenance, notes=draft.notes + notes)
        target = _target(config, draft)
        earlier = by_source.get(provenance)
        if earlier is not None and earlier != target:
            target = earlier   # this source was imported before and the article was renamed since
        if target in claimed:
            failed.append(Problem(shown, None, f"would write {_rel(config, target)}, as {claimed[target]} "
                                               "does: import it on its own with --title to name it"))
            continue
        claimed[target] = shown
        markdown_text = to_markdown(draft, quotes)
        existing = _read_existing(target)
        if existing == markdown_text:
            unchanged.append(target)
            continue
        if existing is not None:
            owner = _front_matter_imported_from(existing)
            if owner is not None and owner != provenance:  # --force is for edits, not for another article
                failed.append(Problem(shown, None, f"would write {_rel(config, target)}, imported from "
                                                   f"{owner}: import it on its own with --title to name it"))
                continue
            if not paths:
                continue  # the target exists: this source counts as imported already
            if not options.force:
                skipped.append(target)
                continue
        if options.dry_run:
            previews.append((target, markdown_text))
        else:
            _write_atomic(target, markdown_text)
        imported.append(target)
    return ImportReport(tuple(imported), tuple(unchanged), tuple(skipped), tuple(failed),
                        tuple(warnings), tuple(previews))


def _checked_options(options: ImportOptions) -> ImportOptions:
    """Validate the command-line values once, before any file is read."""
    problems: list[Problem] = []
    if options.date is not None:
        try:
            _validated_date(options.date)
        except SiteError as exc:
            problems += exc.problems
    if options.title is not None and not options.title.strip():
        problems.append(Problem("--title", None, "is empty: give the headline in quotes"))
    if options.source_url:
        parts = urlsplit(options.source_url.strip())
        if parts.scheme not in ("http", "https") or not parts.netloc:
            problems.append(Problem("--source-url", None,
                                    f"'{options.source_url}' must be an http:// or https:// address"))
    if options.lang and not _LANG.fullmatch(options.lang.strip()):
        problems.append(Problem("--lang", None, f"'{options.lang}' is not a language code like 'es' or 'pt-BR'"))
    if problems:
        raise SiteError(problems)
    return replace(options, date=options.date.strip() if options.date else None,
                   tags=_unique_tags(options.tags))


def _unknown_tag_warnings(tags: Sequence[str], config: Config) -> list[Problem]:
    known = tuple(config.tag_vocabulary)
    if not known:
        return []
    folded = {tag.casefold() for tag in known}
    return [Problem("--tags", None, f"'{tag}' is not in tag_vocabulary{did_you_mean(tag, known)}")
            for tag in _unique_tags(tags) if tag.casefold() not in folded and did_you_mean(tag, known)]


def _raw_files(folder: Path) -> list[Path]:
    """Every .txt file under a folder, skipping hidden ones."""
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.rglob("*.txt")
                  if p.is_file() and not any(part.startswith(".") for part in p.relative_to(folder).parts))


def _expand(paths: Sequence[Path], failed: list[Problem], warnings: list[Problem]) -> list[tuple[Path, str]]:
    """(file, name as given) for each path: files as they are, folders as their .txt files."""
    found: dict[Path, str] = {}
    for path in paths:
        if path.is_dir():
            files = _raw_files(path)
            if not files:
                warnings.append(Problem(str(path), None, "has no .txt files"))
            for file in files:
                found.setdefault(file.resolve(), str(path / file.relative_to(path)))
        elif path.is_file():
            found.setdefault(path.resolve(), str(path))
        else:
            failed.append(Problem(str(path), None, "no such file or folder"))
    return [(Path(resolved), shown) for resolved, shown in found.items()]


def _provenance(root: Path, raw: Path) -> str:
    """How imported_from names a raw file: relative to the (resolved) site root, or its name when outside."""
    resolved = raw.resolve()
    return resolved.relative_to(root).as_posix() if resolved.is_relative_to(root) else raw.name


def _front_matter_imported_from(text: str) -> str | None:
    if not text.startswith("---\n"):
        return None
    end = _FRONT_END.search(text, 4)
    match = _IMPORTED_FROM.search(text, 4, end.start() if end else len(text))
    if not match:
        return None
    import yaml

    value = yaml.safe_load(match.group(1)) if match.group(1) else None
    return str(value) if value is not None else None


def _imported_articles(config: Config) -> dict[str, Path]:
    """imported_from -> article file, for every article under content/ that records one."""
    found: dict[str, Path] = {}
    if not config.content_dir.is_dir():
        return found
    for path in sorted(config.content_dir.rglob("*.md")):
        try:
            source = _front_matter_imported_from(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError):
            continue  # the build reports unreadable articles; here they just record nothing
        if source:
            found.setdefault(source, path)
    return found


def _target(config: Config, draft: Draft) -> Path:
    return config.content_dir / draft.year / f"{slugify(draft.title) or 'article'}.md"


def _rel(config: Config, path: Path) -> str:
    return path.relative_to(config.root).as_posix() if path.is_relative_to(config.root) else str(path)


def _read_existing(path: Path) -> str | None:
    try:
        return path.read_bytes().decode("utf-8", errors="replace").replace("\r\n", "\n")
    except FileNotFoundError:
        return None


def _write_atomic(path: Path, text: str) -> None:
    """Write to a temporary file beside the target, then rename: never half an article."""
    path.parent.mkdir(parents=True, exist_ok=True)
    # A hidden name (the build skips it) and plain open(): mkstemp would make the article 0600.
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with tmp.open("w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def new_article(config: Config, title: str, now: datetime) -> Path:
    """Scaffold a draft article dated `now` (site time zone, to the minute); never overwrites."""
    headline = " ".join(title.split())
    slug = slugify(headline)
    if not slug:
        raise SiteError.at("new", None, f"'{title}' needs letters or digits: give the headline in quotes")
    local = now.astimezone(config.tz) if now.tzinfo else now.replace(tzinfo=config.tz)
    path = config.content_dir / f"{local.year:04d}" / f"{slug}.md"
    text = (f"---\ntitle: {yaml_scalar(headline)}\ndate: {local:%Y-%m-%d %H:%M}\ndraft: true\n---\n"
            "\n")
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        with path.open("x", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
    except FileExistsError:
        raise SiteError.at(_rel(config, path), None,
                           "already exists: edit that article, or choose another headline") from None
    return path
