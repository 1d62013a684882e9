"""Raw article text -> Draft: headline, dateline, date, paragraphs, tags and summary, by heuristics."""

from __future__ import annotations

import re

from ..config import Config
from ..text import cut_at_word
from .dateline import dateline_date, dateline_text, match_dateline, month_stated, validated_date
from .months import MonthNames, month_names
from .records import REVIEW_PARAGRAPHS, Draft, ImportOptions, RawTextError
from .tags import TagMatcher, split_tags

HEADLINE_MAX = 90          # a headline guessed from the lede is cut to about this many characters
HEADLINE_LINE_MAX = 150    # a first line longer than this is a paragraph, not a headline
SUMMARY_MAX = 200
WRAP_WIDTH = 80            # blank-line separated text with every line this short is hard-wrapped

_SPACES = re.compile(r"[ \t]+")
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")
_SENTENCE_END = re.compile(r"[.!?…]+[\"”’»)\]]*(?=\s+[\"“‘«(\[¿¡]?[A-Z0-9À-Þ])")
_INITIALS = re.compile(r"(?:\b[A-Za-z]\.)+$")
_ABBREVIATIONS = frozenset(
    "mr mrs ms dr prof st sr jr gov sen rep gen lt col sgt capt no vs etc inc co corp ltd dept "
    "jan feb mar apr jun jul aug sep sept oct nov dec ave blvd mt ft approx "
    "sra srta dra ee uu ee.uu".split())     # Sra. Ejemplo, EE. UU. (Spanish)
_CLAUSE_BREAK = re.compile(r"[,;:]\s|\s[–—-]\s")
_TERMINAL = (".", "!", "?", "…", ":", ";", '"', "”", "’", "'", ")", "»", "]")
_CLOSERS = "\"”’')]»"


def parse_raw(text: str, options: ImportOptions, config: Config,
              matcher: TagMatcher | None = None, months: MonthNames | None = None) -> Draft:
    """Read headline, dateline, date, language, paragraphs, tags and summary from raw article text."""
    months = months or month_names(config)
    text = _SPACES.sub(" ", _CONTROL.sub(" ", text.removeprefix("\ufeff")))
    lines = [line.strip() for line in text.splitlines()]
    while lines and not lines[0]:
        lines.pop(0)
    headline, body_lines = _split_headline(lines, months)
    paragraphs, wrapped_guess = _split_paragraphs(body_lines)
    if not paragraphs:
        raise RawTextError("is empty: there is no article text to import")

    dateline = source = ""
    match = match_dateline(paragraphs[0], months)
    if match:
        dateline, source = dateline_text(match), (match.group("source") or "").strip()
        lede = paragraphs[0][match.end():].strip()
        paragraphs = ((lede,) if lede else ()) + paragraphs[1:]
        if not paragraphs:
            raise RawTextError("has a dateline but no article text after it")
    lang, notices = _language(options, config, months, month_stated(match) if match else "")
    when = _date(options, match, months, (lang or config.language, config.language))

    title_guessed = False
    if options.title and options.title.strip():
        title = " ".join(options.title.split())
    elif headline:
        title = headline
    else:
        title, title_guessed = _headline_from(paragraphs[0]), True

    matcher = matcher or TagMatcher.from_vocabulary(config.tag_vocabulary)
    given = split_tags(options.tags)
    suggested = matcher.suggest("\n".join((title,) + paragraphs))
    tags = split_tags(given + suggested)
    return Draft(
        title=title, date=when, paragraphs=paragraphs, title_guessed=title_guessed,
        dateline=dateline, source=source, tags=tags, tags_guessed=len(tags) > len(given),
        summary=_summary_from(paragraphs[0]), source_url=(options.source_url or "").strip(),
        author=" ".join((options.author or "").split()), lang=lang,
        notes=(REVIEW_PARAGRAPHS,) if wrapped_guess else (), notices=notices,
    )


# --- date and language -------------------------------------------------------------------------

def _date(options: ImportOptions, match: re.Match[str] | None, months: MonthNames,
          preferred: tuple[str, ...]) -> str:
    """--date, else the date the dateline states; when neither, a RawTextError says what to do."""
    if options.date:
        return validated_date(options.date)
    if not match:
        raise RawTextError("states no date in a dateline: pass --date YYYY-MM-DD")
    stated, problem = dateline_date(match, months, preferred)
    if stated is None:
        raise RawTextError(problem)
    return stated


def _language(options: ImportOptions, config: Config, months: MonthNames,
              month: str) -> tuple[str, tuple[str, ...]]:
    """The article's language: --lang, else the one configured language other than the default
    whose month name the dateline uses, else '' (the default); and what to tell the editor."""
    if options.lang and options.lang.strip():
        return options.lang.strip(), ()
    users = months.languages(month) & set(config.language_codes) if month else frozenset()
    if not users or config.language in users:
        return "", ()
    if len(users) == 1:
        [code] = users
        return code, (f"its dateline month '{month}' is {config.language_of(code).name}: written with "
                      f"lang: {code} (pass --lang to choose another)",)
    return "", (f"its dateline month '{month}' could be {' or '.join(sorted(users))}: written in the default "
                f"language, {config.language} (pass --lang to choose)",)


# --- headline and paragraphs ---------------------------------------------------------------------

def _ends_sentence(line: str) -> bool:
    """Whether a line ends as a sentence or a quotation does."""
    return line.endswith(_TERMINAL)


def _next_word_fits(line: str, next_line: str, width: int) -> bool:
    """True when the next line's first word would have fitted: the writer broke here on purpose."""
    return len(line) + 1 + len(next_line.split(" ", 1)[0]) <= width


def _reads_as_headline(line: str, months: MonthNames) -> bool:
    """A short line with letters that is not a dateline and does not stop mid-sentence."""
    if not 3 <= len(line) <= HEADLINE_LINE_MAX or len(line.split()) > 25:
        return False
    if not any(ch.isalpha() for ch in line) or match_dateline(line, months):
        return False
    return not line.rstrip(_CLOSERS).endswith((".", ",", ";", ":", "…", "-", "–", "—"))


def _split_headline(lines: list[str], months: MonthNames) -> tuple[str, list[str]]:
    """The first line when it reads as a headline followed by body text, and the rest."""
    if len(lines) < 2 or not _reads_as_headline(lines[0], months):
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
    """Runs of non-blank lines."""
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


# --- sentences: the guessed headline and the summary -------------------------------------------

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
    return cut_at_word(sentence, HEADLINE_MAX - 1)


def _summary_from(lede: str) -> str:
    """The lede's first sentence, or two when both are short, at most SUMMARY_MAX characters."""
    sentences = _sentences(lede)
    summary = sentences[0]
    if len(sentences) > 1 and len(summary) < 120 and len(summary) + 1 + len(sentences[1]) <= SUMMARY_MAX:
        summary = f"{summary} {sentences[1]}"
    return cut_at_word(summary, SUMMARY_MAX - 1)
