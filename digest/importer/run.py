"""One import run: check the options, pick the raw files, and write an article for each."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Sequence

from ..config import Config
from ..errors import Problem, SiteError
from ..files import write_atomic
from ..slugs import slugify
from ..text import is_http_url
from .dateline import validated_date
from .decode import read_raw
from .months import MonthNames, month_names
from .parse import parse_raw
from .records import REVIEW_ENCODING, Draft, ImportOptions, RawTextError
from .sources import expand_paths, imported_articles, imported_from, new_sources, provenance
from .tags import TagMatcher, split_tags, unknown_tag_warnings
from .write import quote_escaping, to_markdown

_LANG = re.compile(r"[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8})*")


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


def import_articles(config: Config, paths: Sequence[Path], options: ImportOptions) -> ImportReport:
    """Import raw articles (files or folders of .txt; none means new ones in sources/)."""
    options = _checked_options(options, config)
    failed: list[Problem] = []
    warnings: list[Problem] = []
    by_source = imported_articles(config)
    root = config.root.resolve()
    if paths:
        raw_files = expand_paths(paths, failed, warnings)
    else:
        raw_files = new_sources(config, root, by_source)
    for option, value in (("--title", options.title), ("--source-url", options.source_url)):
        if value and len(raw_files) > 1:
            raise SiteError.at(option, None, f"names one article but {len(raw_files)} files are being "
                                             "imported: import one file at a time")
    warnings += unknown_tag_warnings(options.tags, config.tag_vocabulary)

    run = _Run(config, options, root, by_source, TagMatcher.from_vocabulary(config.tag_vocabulary),
               month_names(config), quote_escaping(config), named=bool(paths), failed=failed, warnings=warnings)
    for raw, shown in raw_files:
        run.import_file(raw, shown)
    return ImportReport(tuple(run.imported), tuple(run.unchanged), tuple(run.skipped), tuple(run.failed),
                        tuple(run.warnings), tuple(run.previews))


def _checked_options(options: ImportOptions, config: Config) -> ImportOptions:
    """Validate the command-line values once, before any file is read."""
    problems: list[Problem] = []
    if options.date is not None:
        try:
            validated_date(options.date)
        except SiteError as exc:
            problems += exc.problems
    if options.title is not None and not options.title.strip():
        problems.append(Problem("--title", None, "is empty: give the headline in quotes"))
    if options.source_url and not is_http_url(options.source_url.strip()):
        problems.append(Problem("--source-url", None,
                                f"'{options.source_url}' must be an http:// or https:// address"))
    lang = options.lang
    if options.lang and not _LANG.fullmatch(options.lang.strip()):
        problems.append(Problem("--lang", None, f"'{options.lang}' is not a language code like 'es' or 'pt-BR'"))
    elif options.lang:
        lang = _site_language(options.lang.strip(), config, problems)
    if problems:
        raise SiteError(problems)
    return replace(options, date=options.date.strip() if options.date else None,
                   tags=split_tags(options.tags), lang=lang)


def _site_language(lang: str, config: Config, problems: list[Problem]) -> str:
    """The configured code a --lang value names, spelt as site.yaml spells it ('pt-br' -> 'pt-BR')."""
    for code in config.language_codes:
        if code.lower() == lang.lower():
            return code
    problems.append(Problem("--lang", None, f"'{lang}' is not a language of this site: add it under "
                                            f"'languages:' in site.yaml (languages now: "
                                            f"{', '.join(config.language_codes)})"))
    return lang


@dataclass(slots=True)
class _Run:
    """What a run knows while it goes through the raw files, and what became of each."""

    config: Config
    options: ImportOptions
    root: Path                      # the site root, resolved: imported_from is relative to it
    by_source: dict[str, Path]      # imported_from -> the article an earlier run wrote
    matcher: TagMatcher
    months: MonthNames
    quotes: str
    named: bool                     # files were named: an existing article is skipped or forced, not passed over
    failed: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    imported: list[Path] = field(default_factory=list)
    unchanged: list[Path] = field(default_factory=list)
    skipped: list[Path] = field(default_factory=list)
    previews: list[tuple[Path, str]] = field(default_factory=list)
    claimed: dict[Path, str] = field(default_factory=dict)    # target -> the raw file writing it

    def import_file(self, raw: Path, shown: str) -> None:
        """Read, parse and write one raw file (or preview it), recording what happened."""
        draft = self._read(raw, shown)
        if draft is None:
            return
        target = self._claim(draft, shown)
        if target is None:
            return
        markdown_text = to_markdown(draft, self.quotes)
        existing = _read_existing(target)
        if existing == markdown_text:
            self.unchanged.append(target)
            return
        if existing is not None and not self._may_replace(existing, target, draft.imported_from, shown):
            return
        if self.options.dry_run:
            self.previews.append((target, markdown_text))
        else:
            write_atomic(target, markdown_text)
        self.imported.append(target)

    def _read(self, raw: Path, shown: str) -> Draft | None:
        """The raw file's Draft, noting where it came from; None when it cannot be imported."""
        try:
            text, read_warnings = read_raw(raw, shown)
            self.warnings += read_warnings
            draft = parse_raw(text, self.options, self.config, self.matcher, self.months)
        except RawTextError as exc:
            self.failed.append(Problem(shown, None, str(exc)))
            return None
        self.warnings += [Problem(shown, None, notice) for notice in draft.notices]
        notes = (REVIEW_ENCODING,) if read_warnings else ()
        return replace(draft, imported_from=provenance(self.root, raw), notes=draft.notes + notes)

    def _claim(self, draft: Draft, shown: str) -> Path | None:
        """The article file to write, unless another raw file in this run writes it."""
        target = self.config.content_dir / draft.year / f"{slugify(draft.title) or 'article'}.md"
        earlier = self.by_source.get(draft.imported_from)
        if earlier is not None and earlier != target:
            target = earlier   # this source was imported before and the article was renamed since
        if target in self.claimed:
            self.failed.append(Problem(shown, None, f"would write {_rel(self.config, target)}, as "
                                                    f"{self.claimed[target]} does: import it on its own "
                                                    "with --title to name it"))
            return None
        self.claimed[target] = shown
        return target

    def _may_replace(self, existing: str, target: Path, source: str, shown: str) -> bool:
        """Whether an existing, different article may be overwritten; records why not."""
        owner = imported_from(existing)
        if owner is not None and owner != source:  # --force is for edits, not for another article
            self.failed.append(Problem(shown, None, f"would write {_rel(self.config, target)}, imported from "
                                                    f"{owner}: import it on its own with --title to name it"))
            return False
        if not self.named:
            return False  # the target exists: this source counts as imported already
        if not self.options.force:
            self.skipped.append(target)
            return False
        return True


def _rel(config: Config, path: Path) -> str:
    """A path as messages show it: from the site root when it is inside."""
    return path.relative_to(config.root).as_posix() if path.is_relative_to(config.root) else str(path)


def _read_existing(path: Path) -> str | None:
    """An article file's text as last written (newlines normalised), or None when there is none."""
    try:
        return path.read_bytes().decode("utf-8", errors="replace").replace("\r\n", "\n")
    except FileNotFoundError:
        return None
