"""The values the importer's stages pass along: the options in, a Draft between, RawTextError out."""

from __future__ import annotations

from dataclasses import dataclass

REVIEW_HEADLINE = "headline derived from the first sentence"
REVIEW_TAGS = "tags suggested from the vocabulary"
REVIEW_PARAGRAPHS = "paragraph breaks guessed from hard-wrapped lines"
REVIEW_ENCODING = "the raw text was not UTF-8: check accents and quotes"


class RawTextError(ValueError):
    """A raw article that cannot be imported; the message says what to do."""


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
    notices: tuple[str, ...] = ()   # told once when importing, not written: e.g. the language read from the dateline

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
