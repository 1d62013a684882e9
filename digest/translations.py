"""Translations as an editor sees them: start one (`translate`), see which are missing or stale
(`translations`), and say that an edit to an original needs no new translation (`--current`).

A translation records `original_version:`, a digest of its original's title and text when the
translation was started. When the original's text changes, the digest no longer matches and
the translation is *stale*: its page says so in its own language, linking to the original.
A fixed typo need not make translations stale: `python3 build.py translate --current
content/2024/x.md` records the original's present version in every translation of it."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from .config import Config
from .content import language_from_name, read_article
from .errors import SiteError
from .files import write_atomic
from .frontmatter import load_yaml, split_front_matter
from .model import Site

COPIED = ("title", "date", "updated", "tags", "summary", "author", "source", "source_url", "dateline")
_TOP_KEY = re.compile(r"^([A-Za-z_][\w-]*)\s*:")
_VERSION_LINE = re.compile(r"^original_version:.*$", re.MULTILINE)
STATES = ("translated", "stale", "draft", "missing")


@dataclass(frozen=True, slots=True)
class Row:
    """One original and the state of its translation into each other language."""

    source: str
    title: str
    lang: str
    states: dict[str, str]     # language -> translated, stale, draft or missing ('' for its own)


def start_translation(config: Config, original: Path, lang: str) -> Path:
    """Write `name.<lang>.md` beside an original: its front matter to translate, `draft: true`,
    its text, and the original's version; never overwrites."""
    source = _relative(config, original)
    article, front, body = _read_original(config, original, source)
    if lang not in config.language_codes:
        raise SiteError.at("--lang", None, f"'{lang}' is not a language of this site: add it under 'languages:' "
                                           f"in site.yaml (languages now: {', '.join(config.language_codes)})")
    if lang == config.language or lang == article.lang:
        raise SiteError.at("--lang", None, f"{source} is in {article.lang} and the default language is "
                                           f"{config.language}: a translation goes into another language")
    target = original.with_name(f"{original.name.removesuffix('.md')}.{lang}.md")
    if target.exists():
        raise SiteError.at(_relative(config, target), None, "already exists: edit that translation")
    kept = "".join(_copied_lines(front))
    write_atomic(target, f"---\n{kept}draft: true\noriginal_version: {article.text_version}\n---\n{body}")
    return target


def mark_current(config: Config, original: Path) -> list[Path]:
    """Record the original's present version in each of its translations (after a fix that
    changes nothing a translator must redo); the translations changed."""
    source = _relative(config, original)
    article, _, _ = _read_original(config, original, source)
    changed = []
    for path in _translations_of(config, source):
        text = path.read_text(encoding="utf-8")
        line = f"original_version: {article.text_version}"
        updated = _VERSION_LINE.sub(line, text, count=1) if _VERSION_LINE.search(text) else \
            text.replace("---\n", f"---\n{line}\n", 1)
        if updated != text:
            write_atomic(path, updated)
            changed.append(path)
    return changed


def table(site: Site) -> list[Row]:
    """Every original (article or page) with the state of each translation of it."""
    codes = [e.language.code for e in site.editions]
    rows = []
    for key, versions in sorted(site.read.items()):
        original = next((a for a in versions.values() if a.source == key), None)
        if original is None:
            continue
        states = {}
        for code in codes:
            version = versions.get(code)
            if code == original.lang:
                states[code] = ""
            elif version is None:
                states[code] = "missing"
            elif version.draft:
                states[code] = "draft"
            else:
                states[code] = "stale" if version.source in site.stale else "translated"
        rows.append(Row(key, original.title, original.lang, states))
    return rows


def counts(rows: list[Row]) -> dict[str, int]:
    """How many translations are in each state."""
    found = dict.fromkeys(STATES, 0)
    for row in rows:
        for state in row.states.values():
            if state:
                found[state] += 1
    return found


def _read_original(config: Config, path: Path, source: str) -> tuple:
    """(article, front matter text, body) of an original, or a SiteError saying what is wrong."""
    try:
        data = path.read_bytes()
    except OSError:
        raise SiteError.at(source, None, "no such article") from None
    result = read_article(source, data, config, "")
    if result.article is None:
        raise SiteError(result.problems)
    if result.article.translation_of:
        raise SiteError.at(source, None, f"is a translation of {result.article.translation_of}: "
                                         "translate the original")
    split = split_front_matter(data.decode("utf-8").removeprefix("\ufeff").replace("\r\n", "\n"))
    assert split is not None  # read_article accepted it
    return result.article, split[0], split[1]


def _copied_lines(front: str) -> list[str]:
    """The front matter lines of the keys a translation starts from, as the editor wrote them."""
    lines, keep = [], False
    for line in front.splitlines(keepends=True):
        match = _TOP_KEY.match(line)
        if match:
            keep = match.group(1) in COPIED
        if keep:
            lines.append(line if line.endswith("\n") else line + "\n")
    return lines


def _translations_of(config: Config, source: str) -> list[Path]:
    """Files that translate `source`: named after it ('x.es.md') or saying translation_of."""
    stem = source.removesuffix(".md")
    found = []
    for path in sorted(config.content_dir.rglob("*.md")):
        relative = _relative(config, path)
        named = language_from_name(relative)
        if named in config.language_codes and relative == f"{stem}.{named}.md":
            found.append(path)
            continue
        split = split_front_matter(path.read_text(encoding="utf-8", errors="replace"))
        try:
            meta = load_yaml(split[0]) if split else None
        except Exception:  # a broken file is the build's to report
            continue
        target = str(meta.get("translation_of", "")) if isinstance(meta, dict) else ""
        if target and "content/" + target.strip().lstrip("/").removeprefix("content/") == source:
            found.append(path)
    return found


def _relative(config: Config, path: Path) -> str:
    resolved = path.resolve()
    root = config.root.resolve()
    if not resolved.is_relative_to(root / "content"):
        raise SiteError.at(str(path), None, "is not under content/")
    return resolved.relative_to(root).as_posix()
