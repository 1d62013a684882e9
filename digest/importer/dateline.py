"""Datelines ('EL PASO, Texas, Dec. 18, 2024 (Wire) –') and the dates the importer accepts."""

from __future__ import annotations

import re
from datetime import date, datetime
from types import MappingProxyType

from ..errors import SiteError
from ..text import MONTH_NAMES

_MONTHS = MappingProxyType({
    **{name[:3].lower(): number for number, name in enumerate(MONTH_NAMES, 1)},
    **{name.lower(): number for number, name in enumerate(MONTH_NAMES, 1)},
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
_PARTICLES = frozenset("de del la las los el y da do dos van von of the".split())  # lower case inside a place name


def match_dateline(paragraph: str) -> re.Match[str] | None:
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


def dateline_text(match: re.Match[str]) -> str:
    """The dateline's place as the article shows it: 'El Paso, Texas'."""
    city = _normal_case(match.group("city"))
    state = match.group("state")
    return f"{city}, {state}" if state else city


def dateline_date(match: re.Match[str]) -> tuple[str | None, str]:
    """(date, '') from a dateline stating a full date, else (None, why not and what to do)."""
    month_name = match.group("month") or match.group("month2")
    if not month_name:
        return None, "states no date in its dateline: pass --date YYYY-MM-DD"
    month = _MONTHS[month_name.rstrip(".").lower()]
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
