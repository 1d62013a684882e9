"""Inline patterns that cannot match an article are not tried on it.

Python-Markdown's inline step tries every inline pattern (15 with `extra`) on every run of text
in a document, one Python call each, whether or not the text holds the character the pattern
starts with: a fifth of an article's conversion goes to patterns that cannot match it (a
backtick, a '<' or an '&' the article does not have). Just before that step, `InlineFilter`
reads the document's text once and hands the step a registry without those patterns, as
Python-Markdown's own smarty extension hands its inline step a registry of its own. The HTML is
the same: a regex finds nothing in text that lacks a character every one of its matches holds.

A pattern is left out only when its regex is one `NEEDS` knows, character for character, and
the text holds none of what it lists. A pattern `NEEDS` does not know is always tried, and so is
every pattern after it: it could write into the text a character a later pattern matches."""

from __future__ import annotations

import xml.etree.ElementTree as etree
from typing import Any

from markdown import Markdown
from markdown.treeprocessors import Treeprocessor
from markdown.util import Registry

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
    r"(&(?:\#[0-9]+|\#x[0-9a-fA-F]+|[a-zA-Z0-9]+);)": ("&",),                        # entity
    r"\*|_": ("*", "_"),                                                             # em_strong 3.11
    r"\*": ("*",),                                                                   # em_strong 3.6
    r"_": ("_",),                                                                    # em_strong2 3.6
    r"((^|(?<=\s))(\*{1,3}|_{1,3})(?=\s|$))": ("*", "_"),                            # not_strong 3.6
}
# html 3.7 and later: a long regex, known by its opening
_HTML_OPENING = r"(<(\/?+[a-zA-Z]"


def needs(pattern: Any) -> tuple[str, ...] | None:
    """What every match of this inline pattern contains, or None when this module cannot tell."""
    regex = getattr(pattern, "pattern", None)
    if not isinstance(regex, str):
        return None
    if regex.startswith(_HTML_OPENING):
        return ("<",)
    return NEEDS.get(regex)


class InlineFilter(Treeprocessor):
    """Give the inline step, for this document, only the patterns its text could match."""

    def __init__(self, md: Markdown):
        super().__init__(md)
        self._made: dict[tuple[Any, ...], Registry] = {}

    def run(self, root: etree.Element) -> None:
        text = "".join(root.itertext())
        kept = []
        patterns = list(self.md.inlinePatterns)  # highest priority first
        for n, pattern in enumerate(patterns):
            wanted = needs(pattern)
            if wanted is None:
                kept.extend(patterns[n:])  # unknown: it and everything after it stay
                break
            if any(s in text for s in wanted):
                kept.append(pattern)
        key = tuple(kept)
        if key not in self._made:
            registry: Registry = Registry()
            for n, pattern in enumerate(kept):  # the inline step reads them by index, in this order
                registry.register(pattern, str(n), len(kept) - n)
            self._made[key] = registry
        if "inline" in self.md.treeprocessors:
            self.md.treeprocessors["inline"].inlinePatterns = self._made[key]


def install(md: Markdown) -> Markdown:
    """Add the filter just before the inline step; the same HTML, sooner."""
    md.treeprocessors.register(InlineFilter(md), "inline-filter", 20.5)
    return md
