"""Inline patterns that cannot match an article are not tried on it.

Python-Markdown's inline step tries every inline pattern (15 with `extra`) on every run of text
in a document, one Python call each, whether or not the text holds the character the pattern
starts with: a fifth of an article's conversion goes to patterns that cannot match it (a
backtick, a '<' or an '&' the article does not have). Just before that step, `InlineFilter`
reads the document's text once and hands the step a registry without those patterns, as
Python-Markdown's own smarty extension hands its inline step a registry of its own. It also makes
each run of text that holds nothing any kept pattern needs (a heading, a list item without a
link) an AtomicString, which the step passes over. Right after the step, `_Restore` hands the
whole registry back and makes those runs plain strings again. The HTML is the same: a regex finds
nothing in text that lacks a character every one of its matches holds.

The filter leaves a pattern out only when
- every inline pattern is one `NEEDS` knows, by its compiled regex, character for character: an
  extension's own pattern could write text (a '*', say) that any pattern, before or after it,
  would then match, as the inline step goes over the elements patterns make from the first
  pattern again; and
- no pattern that writes text of its own will run: the footnote mark's text is a setting
  (`SUPERSCRIPT_TEXT`, which could be '*{}*'); and
- the document's text holds none of the strings `NEEDS` lists for the pattern, or the pattern is
  one of Python-Markdown's four reference patterns (`[text][id]`, `[id]`, `![alt][id]`, `![id]`)
  and the document defines no reference (`md.references` is empty once its blocks are parsed):
  each of them gives nothing for an id it does not find, and the step then goes on as if it had
  not matched. They need the same '[' as inline links, and looking up every link's text as an id
  was a tenth of an article's conversion."""

from __future__ import annotations

import functools
import xml.etree.ElementTree as etree
from typing import Any

from markdown import Markdown
from markdown.inlinepatterns import (HTML_RE, ImageReferenceInlineProcessor, ReferenceInlineProcessor,
                                     ShortImageReferenceInlineProcessor, ShortReferenceInlineProcessor)
from markdown.treeprocessors import Treeprocessor
from markdown.util import AtomicString, Registry

# regex -> what every match of it contains (any one of these strings); Markdown 3.6 to 3.11.
NEEDS: dict[str, tuple[str, ...]] = {
    r"(?:(?<!\\)((?:\\{2})+)(?=`+)|(?<!\\)`)": ("`",),                              # backtick 3.11
    r"(?:(?<!\\)((?:\\{2})+)(?=`+)|(?<!\\)(`+)(.+?)(?<!`)\2(?!`))": ("`",),           # backtick 3.6
    r"\\(.)": ("\\",),                                                               # escape
    r"\[\^([^\]]*)\]": ("[^",),                                                      # footnote
    r"(?<!\!)\[": ("[",),                                                            # links, references
    r"\!\[": ("![",),                                                                # images
    r"<([A-Za-z][A-Za-z0-9+.-]*://[^<>]*)>": ("<",),                                 # autolink 3.11
    r"<((?:[Ff]|[Hh][Tt])[Tt][Pp][Ss]?://[^<>]*)>": ("<",),                          # autolink 3.6
    r"<([^<> !]+@[^@<> ]+)>": ("<",),                                                # automail
    r"  \n": ("  \n",),                                                              # linebreak
    r"(<(\/?[a-zA-Z][^<>@ ]*( [^<>]*)?|!--(?:(?!<!--|-->).)*--)>)": ("<",),          # html 3.6
    HTML_RE: ("<",),                                                                 # html, this Markdown
    r"(&(?:\#[0-9]+|\#x[0-9a-fA-F]+|[a-zA-Z0-9]+);)": ("&",),                        # entity
    r"\*|_": ("*", "_"),                                                             # em_strong 3.11
    r"\*": ("*",),                                                                   # em_strong 3.6
    r"_": ("_",),                                                                    # em_strong2 3.6
    r"((^|(?<=\s))(\*{1,3}|_{1,3})(?=\s|$))": ("*", "_"),                            # not_strong 3.6
    r"\[\[([\w0-9_ -]+)\]\]": ("[[",),                                               # wikilinks
    r"\n": ("\n",),                                                                  # nl2br
}
# Patterns that write text of their own into the elements they make (the footnote mark's)
WRITES = frozenset({r"\[\^([^\]]*)\]"})
# Patterns that change nothing in a document that defines no reference (by exact class)
REFERENCES = frozenset({ReferenceInlineProcessor, ShortReferenceInlineProcessor, ImageReferenceInlineProcessor,
                        ShortImageReferenceInlineProcessor})


def _regex(pattern: Any) -> str | None:
    """The regex the inline step matches with."""
    try:
        compiled = pattern.getCompiledRegExp()
    except AttributeError:
        return None
    return compiled.pattern if isinstance(compiled.pattern, str) else None


@functools.lru_cache(maxsize=256)
def _reading(pattern: Any) -> tuple[tuple[str, ...] | None, bool]:
    """What every match of an inline pattern contains (None when this module cannot tell), and
    whether it writes text of its own: read once per pattern, not once per document."""
    regex = _regex(pattern)
    return (NEEDS.get(regex) if regex is not None else None), regex in WRITES


def needs(pattern: Any) -> tuple[str, ...] | None:
    """What every match of this inline pattern contains, or None when this module cannot tell."""
    return _reading(pattern)[0]


class InlineFilter(Treeprocessor):
    """Give the inline step, for this document, only the patterns its text could match."""

    def __init__(self, md: Markdown, inline: Treeprocessor):
        super().__init__(md)
        self.inline = inline
        self.everything = inline.inlinePatterns  # md.inlinePatterns
        # kept patterns -> their registry, and every string one of them needs
        self._made: dict[tuple[Any, ...], tuple[Registry, tuple[str, ...]]] = {}
        self.chosen: Registry = self.everything  # for the last document
        self.marked: list[tuple[etree.Element, bool, AtomicString]] = []

    def run(self, root: etree.Element) -> None:
        kept = self._kept("".join(root.itertext()))
        if len(kept) == len(self.everything):
            self.chosen = self.everything
        else:
            self.chosen, wanted = self._registry(kept)
            self.marked = _mark(root, wanted)
        self.inline.inlinePatterns = self.chosen

    def restore(self) -> None:
        """After the inline step: every pattern again, and the marked runs plain text again."""
        self.inline.inlinePatterns = self.everything
        for element, is_text, value in self.marked:
            # The inline step passes a marked text over as it is, but gives a marked tail back as
            # a new AtomicString with the same text: either is still ours to make plain
            run = element.text if is_text else element.tail
            if type(run) is AtomicString and run == value:
                if is_text:
                    element.text = str(value)
                else:
                    element.tail = str(value)
        self.marked = []

    def _kept(self, text: str) -> tuple[Any, ...]:
        patterns = tuple(self.everything)  # highest priority first
        no_references = not self.md.references
        kept = []
        for pattern in patterns:
            wanted, writes = _reading(pattern)
            if wanted is None:
                return patterns  # an extension's own pattern: every pattern is tried
            if no_references and type(pattern) in REFERENCES:
                continue
            if any(s in text for s in wanted):
                if writes:
                    return patterns
                kept.append(pattern)
        return tuple(kept)

    def _registry(self, kept: tuple[Any, ...]) -> tuple[Registry, tuple[str, ...]]:
        if kept not in self._made:
            registry: Registry = Registry()
            for n, pattern in enumerate(kept):  # the inline step reads them by index, in this order
                registry.register(pattern, str(n), len(kept) - n)
            self._made[kept] = registry, tuple({s for pattern in kept for s in needs(pattern) or ()})
        return self._made[kept]


def install(md: Markdown) -> Markdown:
    """Add the filter just before the inline step, when that step reads md.inlinePatterns; the
    same HTML, sooner."""
    inline = md.treeprocessors["inline"] if "inline" in md.treeprocessors else None
    if inline is not None and getattr(inline, "inlinePatterns", None) is md.inlinePatterns:
        chooser = InlineFilter(md, inline)
        md.treeprocessors.register(chooser, "inline-filter", 20.5)
        md.treeprocessors.register(_Restore(md, chooser), "inline-restore", 19.99)
    return md


class _Restore(Treeprocessor):
    """Right after the inline step, every pattern again (an extension's treeprocessor may run
    that step on text of its own: pymdownx.magiclink does), and plain strings again where the
    filter set AtomicString (the typography extension leaves AtomicString alone)."""

    def __init__(self, md: Markdown, chooser: InlineFilter):
        super().__init__(md)
        self.chooser = chooser

    def run(self, root: etree.Element) -> None:
        self.chooser.restore()


def _mark(root: etree.Element, wanted: tuple[str, ...]) -> list[tuple[etree.Element, bool, AtomicString]]:
    """Make each run of text in which no kept pattern could match an AtomicString, which the inline
    step passes over: it would try every kept pattern on it and find nothing. Runs holding a
    placeholder (STX) are left as they are."""
    def passed_over(text: str | None) -> bool:
        return bool(text) and type(text) is str and "\x02" not in text and not any(s in text for s in wanted)

    marked = []
    for element in root.iter():
        if passed_over(element.text):
            element.text = value = AtomicString(element.text)
            marked.append((element, True, value))
        if passed_over(element.tail):
            element.tail = value = AtomicString(element.tail)
            marked.append((element, False, value))
    return marked
