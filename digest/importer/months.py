"""Month names a dateline may use: English always, and every configured language's from CLDR
(Babel: wide and abbreviated, format and stand-alone) and its layouts/i18n/<code>.yaml `months:`.

Names match in any case and with or without their accents ('diciembre', 'Dic.', 'decembre');
each name knows which languages use it, so a dateline can tell which language an article is in."""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass
from types import MappingProxyType
from typing import Mapping, Sequence

import yaml

from ..config import Config
from ..text import MONTH_NAMES

ENGLISH = "en"
_WIDTHS = ("wide", "abbreviated")
_CONTEXTS = ("format", "stand-alone")
_CLDR_PLACEHOLDER = re.compile(r"M\d+")  # what CLDR gives for a month it has no name for
_DIGIT = re.compile(r"\d")
_COMBINING = "[\u0300-\u036f]"

# (language code, locale, names from layouts/i18n) for each configured language, default first
LanguageMonths = tuple[tuple[str, str, tuple[str, ...]], ...]


def fold(name: str) -> str:
    """A month name as it is looked up: no trailing dot, no accents, case folded ('Déc.' -> 'dec')."""
    decomposed = unicodedata.normalize("NFD", spelled(name))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def spelled(name: str) -> str:
    """A month name with its accents, without its trailing dot, case folded ('Déc.' -> 'déc')."""
    return unicodedata.normalize("NFC", name.strip().rstrip(".")).casefold()


Readings = Mapping[str, tuple[tuple[str, int], ...]]     # name -> (language code, month number) pairs


@dataclass(frozen=True)
class MonthNames:
    """Every month name accepted, as a regex alternation, and what each name means in which language."""

    pattern: str            # matches one name, any case, accents optional
    exact: Readings         # spelled() name -> readings
    folded: Readings        # fold() name -> readings: for names written without their accents

    def readings(self, name: str) -> tuple[tuple[str, int], ...]:
        """(language, month) for a name as written ('déc.' is French only), else without accents
        ('decembre' is French too)."""
        return self.exact.get(spelled(name)) or self.folded.get(fold(name), ())

    def languages(self, name: str) -> frozenset[str]:
        """The language codes that use this month name."""
        return frozenset(code for code, _ in self.readings(name))

    def number(self, name: str, preferred: Sequence[str] = ()) -> int | None:
        """The month a name stands for: in the first preferred language that uses it, else the one
        month all its languages agree on; None when they disagree (or nobody uses the name)."""
        readings = self.readings(name)
        for code in preferred:
            for reading_code, month in readings:
                if reading_code == code:
                    return month
        months = {month for _, month in readings}
        return months.pop() if len(months) == 1 else None


def month_names(config: Config) -> MonthNames:
    """The month names of English and of every language the site is published in."""
    return _month_names(tuple((language.code, language.locale, listed_months(config, language.code))
                              for language in config.languages))


def listed_months(config: Config, code: str) -> tuple[str, ...]:
    """The twelve names under `months:` in layouts/i18n/<code>.yaml, or none; the build reports a bad table."""
    path = config.layouts_dir / "i18n" / f"{code}.yaml"
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return ()
    months = raw.get("months") if isinstance(raw, dict) else None
    if not isinstance(months, list) or len(months) != 12:
        return ()
    return tuple(str(month) for month in months)


@functools.lru_cache(maxsize=16)
def _month_names(languages: LanguageMonths) -> MonthNames:
    """MonthNames for these languages, built once per set of languages."""
    exact: dict[str, set[tuple[str, int]]] = {}
    folded: dict[str, set[tuple[str, int]]] = {}
    written: set[str] = set()
    for code, number, name in _all_names(languages):
        exact.setdefault(spelled(name), set()).add((code, number))
        folded.setdefault(fold(name), set()).add((code, number))
        written.add(unicodedata.normalize("NFC", name.strip().rstrip(".")).lower())
    ordered = sorted(written, key=lambda form: (-len(form), form))  # 'sept' is tried before 'sep'
    return MonthNames(pattern="|".join(_name_pattern(form) for form in ordered),
                      exact=_frozen(exact), folded=_frozen(folded))


def _frozen(readings: dict[str, set[tuple[str, int]]]) -> Readings:
    """Each name's readings in order, read-only."""
    return MappingProxyType({name: tuple(sorted(found)) for name, found in readings.items()})


def _all_names(languages: LanguageMonths) -> list[tuple[str, int, str]]:
    """(language code, month number, name) for English and for each language's every form."""
    found = [(ENGLISH, number, name) for number, name in enumerate(MONTH_NAMES, 1)]
    found += [(ENGLISH, number, name[:3]) for number, name in enumerate(MONTH_NAMES, 1)]
    found.append((ENGLISH, 9, "Sept"))
    for code, locale, listed in languages:
        found += [(code, number, name) for number, name in enumerate(listed, 1)]
        found += [(code, number, name) for number, name in _cldr_names(locale)]
    return [(code, number, name) for code, number, name in found
            if fold(name) and not _DIGIT.search(name) and any(ch.isalpha() for ch in name)]


@functools.lru_cache(maxsize=64)
def _cldr_names(locale: str) -> tuple[tuple[int, str], ...]:
    """(month number, name) in every width and context CLDR has for a locale; none for placeholders."""
    from babel.dates import get_month_names

    names: set[tuple[int, str]] = set()
    for width in _WIDTHS:
        for context in _CONTEXTS:
            names |= set(get_month_names(width, context, locale=locale).items())
    return tuple(sorted((number, name) for number, name in names if not _CLDR_PLACEHOLDER.fullmatch(name)))


def _name_pattern(name: str) -> str:
    """'décembre' -> 'd(?:é|e[combining marks]*)cembre': an accented letter may be written without its
    accent, or as a letter and a combining accent. Spaces become [ ]+, as a VERBOSE regex needs."""
    parts = []
    for ch in name:
        base = fold(ch)
        if ch.isspace():
            parts.append("[ ]+")
        elif len(base) == 1 and base != ch.casefold():
            parts.append(f"(?:{re.escape(ch)}|{re.escape(base)}{_COMBINING}*)")
        else:
            parts.append(re.escape(ch))
    return "".join(parts)
