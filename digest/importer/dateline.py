"""Datelines ('EL PASO, Texas, Dec. 18, 2024 (Wire) –', 'CIUDAD JUÁREZ, 17 de diciembre (Wire) —')
and the dates the importer accepts."""

from __future__ import annotations

import functools
import re
from datetime import date, datetime
from typing import Sequence

from ..errors import SiteError
from ..text import MONTH_NAMES
from .months import MonthNames

_LETTERS = r"[^\W\d_]"
_PLACE_WORD = rf"{_LETTERS}(?:{_LETTERS}|['’.\-](?={_LETTERS})|\.)*"
_DASH = r"(?:--|[-–—])"
_ORDINAL = r"(?:\.?º|°|(?i:er))"           # 1.º de enero, 1º de janeiro, 1er décembre
_OPTION_DATE = re.compile(r"\d{4}-\d{2}-\d{2}(?: \d{2}:\d{2})?")
_PARTICLES = frozenset("de del la las los el y da do dos van von of the".split())  # lower case inside a place name


@functools.lru_cache(maxsize=16)
def _dateline_pattern(month_names: str) -> re.Pattern[str]:
    """The dateline regex for one alternation of month names (see months.py)."""
    month = rf"(?i:{month_names})\.?"
    # CITY[, State][, Month Day[, Year] | , Day [de] Month [[de] Year]][ (Publication)] dash
    return re.compile(
        rf"""(?P<city>{_PLACE_WORD}(?:[ ]{_PLACE_WORD}){{0,4}})
        (?:,[ ]*(?!{month}[ ]+\d)(?P<state>{_PLACE_WORD}(?:[ ]{_PLACE_WORD}){{0,3}}))?
        (?:,[ ]*(?:(?P<month>{month})[ ]+(?P<day>\d{{1,2}})(?:,?(?:[ ]+(?i:de))?[ ]+(?P<year>\d{{4}}))?
                 |(?P<day2>\d{{1,2}}){_ORDINAL}?(?:[ ]+(?i:de))?[ ]+(?P<month2>{month})
                  (?:,?(?:[ ]+(?i:del?))?[ ]+(?P<year2>\d{{4}}))?))?
        (?:[ ]*\((?P<source>[^()\n]{{1,60}})\))?
        [ ]*{_DASH}(?:[ ]+|$)""",
        re.VERBOSE)


def match_dateline(paragraph: str, months: MonthNames) -> re.Match[str] | None:
    """A news-agency dateline at the start of the lede, when it is one."""
    match = _dateline_pattern(months.pattern).match(paragraph)
    if not match:
        return None
    city = match.group("city")
    if match.group("source") or month_stated(match) or (match.group("state") and city.upper() == city):
        return match
    return None


def month_stated(match: re.Match[str]) -> str:
    """The dateline's month name as published ('diciembre', 'Dec.'), or ''."""
    return match.group("month") or match.group("month2") or ""


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


def dateline_text(match: re.Match[str]) -> str:
    """The dateline's place as the article shows it: 'El Paso, Texas'."""
    city = _normal_case(match.group("city"))
    state = match.group("state")
    return f"{city}, {state}" if state else city


def dateline_date(match: re.Match[str], months: MonthNames,
                  preferred: Sequence[str] = ()) -> tuple[str | None, str]:
    """(date, '') from a dateline stating a full date, else (None, why not and what to do).
    A month name that means different months in different languages is read in the first
    preferred language that uses it."""
    month_name = month_stated(match)
    if not month_name:
        return None, "states no date in its dateline: pass --date YYYY-MM-DD"
    month = months.number(month_name, preferred)
    if month is None:
        return None, (f"its dateline month '{month_name}' is a different month in "
                      f"{', '.join(sorted(months.languages(month_name)))}: pass --lang or --date YYYY-MM-DD")
    day = int(match.group("day") or match.group("day2"))
    year = match.group("year") or match.group("year2")
    stated = f"{MONTH_NAMES[month - 1]} {day}"
    if not year:
        return None, (f"its dateline gives {stated} but no year: pass --date YYYY-{month:02d}-{day:02d} "
                      "with the right year")
    try:
        return date(int(year), month, day).isoformat(), ""
    except ValueError:
        return None, f"its dateline date {stated}, {year} does not exist: pass --date YYYY-MM-DD"


def validated_date(value: str) -> str:
    """The --date value stripped, when it is YYYY-MM-DD[ HH:MM] and exists; else a SiteError."""
    text = value.strip()
    if _OPTION_DATE.fullmatch(text):
        try:
            datetime.fromisoformat(text)
            return text
        except ValueError:
            pass
    raise SiteError.at("--date", None, f"'{value}' is not a date: use YYYY-MM-DD, like 2024-12-18")
