"""Interface strings, tag names and dates in each of the site's languages.

One table per language, `layouts/i18n/<code>.yaml`: `key: text`, or for words that change
with a number, `key: {one: "{count} article", other: "{count} articles"}` (the forms are
CLDR's plural categories: zero, one, two, few, many, other). Three keys are special:
`tag_names` (default-language tag name -> name in this language), `months` (twelve names, for
languages whose months CLDR lacks) and `date_format` (a CLDR date pattern such as
`d MMMM y`; default: the language's long date). A key missing from a language falls back to
the default language's table and is listed by `python3 build.py translations`."""

from __future__ import annotations

import functools
import hashlib
import re
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any, Mapping

import yaml

from .config import Config, Language
from .errors import Problem, SiteError
from .slugs import slugify

SPECIAL = ("tag_names", "months", "date_format")
PLURAL_FORMS = frozenset({"zero", "one", "two", "few", "many", "other"})
_NO_MONTH_NAMES = re.compile(r"M\d+")  # what CLDR gives for a month it has no name for


class MissingString(KeyError):
    """A key a layout or the engine asked for is not in the default language's table."""


@dataclass(frozen=True, slots=True)
class Table:
    """One language's strings."""

    language: Language
    strings: Mapping[str, Any]
    tags: Mapping[str, str]
    months: tuple[str, ...]
    date_format: str


@dataclass(frozen=True)
class Strings:
    """Every language's table, with the default language's as the fallback."""

    default: str
    tables: Mapping[str, Table]
    version: str                              # digest of every table, part of every page's key
    missing: Mapping[str, tuple[str, ...]]    # language -> keys it lacks, taken from the default

    def text(self, lang: str, key: str, **values: Any) -> str:
        """The string for key in lang (else the default language), with {names} filled in."""
        value = self.tables[lang].strings.get(key)
        if value is None:
            value = self.tables[self.default].strings.get(key)
            if value is None:
                raise MissingString(f"'{key}' is not in layouts/i18n/{self.default}.yaml")
        if isinstance(value, dict):
            count = values.get("count", 0)
            form = _locale(self.tables[lang].language.locale).plural_form(count)
            value = value.get(form, value.get("other", ""))
        return str(value).format_map(values) if values else str(value)

    def tag(self, lang: str, name: str) -> str:
        """A tag's name in lang, given its name in the default language."""
        return self.tables[lang].tags.get(name, name)

    def tag_slug(self, lang: str, name: str) -> str:
        """A tag's ASCII slug: from its name, else from its default-language name (a tag in
        Arabic script), else a short digest of the name, stable across builds."""
        slug = slugify(name)
        if slug:
            return slug
        for original, translated in self.tables[lang].tags.items():
            if translated == name and slugify(original):
                return slugify(original)
        return "tag-" + hashlib.blake2b(name.encode(), digest_size=4).hexdigest()

    def language_name(self, lang: str, code: str) -> str:
        """The name of language `code` as written in `lang` ('en' in Spanish: 'inglés')."""
        locale = _locale(self.tables[lang].language.locale)
        return locale.languages.get(code.replace("-", "_")) or locale.languages.get(code.split("-")[0], code)

    def month_name(self, lang: str, number: int) -> str:
        """The month's name as a list or heading shows it alone ('diciembre')."""
        table = self.tables[lang]
        if table.months:
            return table.months[number - 1]
        from babel.dates import get_month_names

        return get_month_names("wide", "stand-alone", locale=table.language.locale)[number]

    def long_date(self, lang: str, when: datetime) -> str:
        """'18 de diciembre de 2024', in the language's digits."""
        table = self.tables[lang]
        if table.months:
            return f"{when.day} {table.months[when.month - 1]} {when.year}"
        return _babel_date(when.date(), table.date_format or "long", table.language.locale)

    def month_year(self, lang: str, year: int, month: int) -> str:
        """'diciembre de 2024'."""
        table = self.tables[lang]
        if table.months:
            return f"{table.months[month - 1]} {year}"
        from babel.dates import format_skeleton

        return _digits(format_skeleton("yMMMM", datetime(year, month, 1), locale=table.language.locale),
                       table.language.locale)


def load_strings(config: Config) -> Strings:
    """Read layouts/i18n/<code>.yaml for every language; a file that does not parse is an error."""
    folder = config.layouts_dir / "i18n"
    problems: list[Problem] = []
    tables: dict[str, Table] = {}
    digest = hashlib.blake2b(digest_size=12)
    for language in config.languages:
        path = folder / f"{language.code}.yaml"
        raw = _read_table(path, config.root, problems)
        digest.update(language.code.encode() + b"\0" + repr(sorted(raw.items())).encode() + b"\0")
        tables[language.code] = _table(language, raw, path.relative_to(config.root).as_posix(), problems)
    if problems:
        raise SiteError(problems)
    default = tables[config.language]
    missing = {code: tuple(sorted(k for k in default.strings if k not in table.strings))
               for code, table in tables.items() if code != config.language}
    return Strings(config.language, tables, digest.hexdigest(), missing)


def _read_table(path: Path, root: Path, problems: list[Problem]) -> dict[str, Any]:
    shown = path.relative_to(root).as_posix()
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except FileNotFoundError:
        return {}
    except (UnicodeDecodeError, yaml.YAMLError) as exc:
        mark = getattr(exc, "problem_mark", None)
        problems.append(Problem(shown, mark.line + 1 if mark else None,
                                f"does not read as a YAML table of strings: {getattr(exc, 'problem', exc)}"))
        return {}
    if not isinstance(raw, dict):
        problems.append(Problem(shown, 1, "must be 'key: text' lines"))
        return {}
    return {str(k): v for k, v in raw.items()}


def _table(language: Language, raw: dict[str, Any], shown: str, problems: list[Problem]) -> Table:
    """Check one language's table and split off its special keys."""
    strings = {k: v for k, v in raw.items() if k not in SPECIAL}
    for key, value in strings.items():
        if isinstance(value, dict) and not (value.keys() <= PLURAL_FORMS and "other" in value):
            problems.append(Problem(shown, None, f"{key}: plural forms must be among {', '.join(sorted(PLURAL_FORMS))} "
                                                 "and include 'other'"))
        elif not isinstance(value, (str, dict)):
            problems.append(Problem(shown, None, f"{key}: should be text"))
    tags = raw.get("tag_names") or {}
    months = raw.get("months") or []
    if not isinstance(tags, dict) or not all(isinstance(v, str) for v in tags.values()):
        problems.append(Problem(shown, None, "tag_names: should map each tag's default-language name to its name here"))
        tags = {}
    if months and (not isinstance(months, list) or len(months) != 12):
        problems.append(Problem(shown, None, "months: should list the twelve month names, January first"))
        months = []
    if not months and _cldr_lacks_months(language.locale):
        problems.append(Problem(shown, None, f"months: CLDR has no month names for {language.name}: list the twelve "
                                             "names here, January first"))
    return Table(language, strings, {str(k): v for k, v in tags.items()}, tuple(str(m) for m in months),
                 str(raw.get("date_format") or ""))


@functools.lru_cache(maxsize=64)
def _locale(name: str) -> Any:
    from babel import Locale

    return Locale.parse(name)


@functools.lru_cache(maxsize=64)
def _cldr_lacks_months(locale: str) -> bool:
    from babel.dates import get_month_names

    return bool(_NO_MONTH_NAMES.fullmatch(get_month_names("wide", "stand-alone", locale=locale)[1]))


# Where the digits of CLDR's numbering systems start (Babel formats dates with Latin digits only).
DIGIT_ZERO = {"arab": 0x0660, "arabext": 0x06F0, "beng": 0x09E6, "deva": 0x0966, "mymr": 0x1040,
              "tibt": 0x0F20, "khmr": 0x17E0, "laoo": 0x0ED0, "thai": 0x0E50}


@functools.lru_cache(maxsize=64)
def _digit_table(locale: str) -> dict[int, str] | None:
    """Latin digits -> the locale's own digits (Arabic-Indic for Arabic), or None when Latin."""
    zero = DIGIT_ZERO.get(getattr(_locale(locale), "default_numbering_system", "latn"))
    return str.maketrans("0123456789", "".join(chr(zero + d) for d in range(10))) if zero else None


@functools.lru_cache(maxsize=8192)
def _babel_date(day: date, pattern: str, locale: str) -> str:
    """A day in CLDR's pattern for the locale, memoised: a list page shows ten dates, a site of
    10,000 articles about 2,000 distinct days, and Babel takes ~80 µs to format one."""
    from babel.dates import format_date

    return _digits(format_date(day, pattern, locale=locale), locale)


def _digits(text: str, locale: str) -> str:
    table = _digit_table(locale)
    return text.translate(table) if table else text
