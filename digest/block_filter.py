"""Block processors that cannot take a block are not tried on it.

Python-Markdown's block parser offers every block to every block processor in turn (17 with
`extra` and `sane_lists`) until one takes it, one or two Python calls each: a plain paragraph,
most of an article, is tested for a table, a heading, a rule, two kinds of list, a quote, a
definition, a footnote, an abbreviation and a link reference before the paragraph processor
takes it. That is a fifth of an article's conversion. `BlockFilter` looks at each block once
(which of a few signs it holds, and what kind of character it starts with) and offers it only
to the processors that could take a block like that; the blocks' order, the processors' order
and what each does are Python-Markdown's own, so the HTML is the same.

A processor is passed over only when
- it is one `_rules` knows, by its exact class (a subclass may test otherwise, and is always
  tried), read in Markdown 3.6 to 3.11, and what its test needs is a sign that every block it
  takes holds (a table's '|', a heading's '#', a setext heading's line starting with '=' or '-',
  a rule's line starting with two of its marks, a definition's line starting with ': ', a
  reference's ']:') or a kind of first character (a list item's digit, '*', '+', '-' or space);
  a hyphen, a colon or a link in a paragraph is not such a sign; and
- the block holds none of those signs, or starts with another kind.
An extension's own processor is tried on every block, as before."""

from __future__ import annotations

import re
import xml.etree.ElementTree as etree
from typing import Any, Callable

from markdown import Markdown
from markdown import blockprocessors as bp
from markdown.blockparser import BlockParser
from markdown.util import STX

# What a rule below can ask a block for: a character, or a sign built of a few (see _signs)
Key = tuple[frozenset[str], str]
Rule = Callable[[Key], bool]
_RULE = re.compile(r"(?:^|\n)[ ]{0,3}([-_*])[ ]{0,2}\1")   # a rule's line starts with two of its three
_DEFINITION = re.compile(r"(?:^|\n)[ ]{0,3}:[ ]")          # a definition's line starts with ': '


def _signs(block: str) -> frozenset[str]:
    """What the block holds of what a processor's test needs."""
    signs = [c for c in ("|", "#", ">", STX) if c in block]
    if ("-" in block or "_" in block or "*" in block) and _RULE.search(block):
        signs.append("rule")
    if "\n=" in block or "\n-" in block:
        signs.append("underline")               # a setext heading's
    if ":" in block:
        if _DEFINITION.search(block):
            signs.append("definition")
        if "]:" in block:
            signs.append("]:")                  # a link reference's, a footnote's
    if "[^" in block:
        signs.append("[^")
    if "*[" in block:
        signs.append("*[")                      # an abbreviation's
    return frozenset(signs)


def _kind(block: str) -> str:
    """The kind of the block's first character, as the list and indent processors tell them."""
    first = block[:1]
    if first in ("", "\n", " ", "*", "+", "-"):
        return first
    return "digit" if first.isdecimal() else "other"  # re's \d is Unicode's Nd: str.isdecimal


def _holds(*chars: str) -> Rule:
    wanted = frozenset(chars)
    return lambda key: not wanted.isdisjoint(key[0])


def _starts(*kinds: str) -> Rule:
    wanted = frozenset(kinds)
    return lambda key: key[1] in wanted


def _rules(md: Markdown) -> dict[type, Rule]:
    """Exact class -> what a block must have for the class's test to take it (Markdown 3.6-3.11)."""
    from markdown.extensions import abbr, def_list, footnotes, md_in_html, sane_lists, tables

    rules: dict[type, Rule] = {
        bp.EmptyBlockProcessor: _starts("", "\n"),                # not block or startswith('\n')
        tables.TableProcessor: _holds("|"),                       # a row split on '|' into cells
        bp.HashHeaderProcessor: _holds("#"),
        bp.SetextHeaderProcessor: _holds("underline"),            # ^.*?\n[=-]+ (3.11: =+|-+)
        bp.HRProcessor: _holds("rule"),                           # ^[ ]{0,3} three of -, _ or *, [ ]{0,2} apart
        bp.OListProcessor: _starts(" ", "digit"),                 # ^[ ]{0,3}\d+\.
        sane_lists.SaneOListProcessor: _starts(" ", "digit"),
        bp.UListProcessor: _starts(" ", "*", "+", "-"),           # ^[ ]{0,3}[*+-]
        sane_lists.SaneUListProcessor: _starts(" ", "*", "+", "-"),
        def_list.DefListProcessor: _holds("definition"),          # (^|\n)[ ]{0,3}:[ ]{1,3}
        bp.BlockQuoteProcessor: _holds(">"),                      # (^|\n)[ ]{0,3}>
        footnotes.FootnoteBlockProcessor: _holds("[^"),           # ^[ ]{0,3}\[\^[^\]]*\]: (run says no)
        bp.ReferenceProcessor: _holds("]:"),                      # ^[ ]{0,3}\[[^\[\]]*\]: (run says no)
        md_in_html.MarkdownInHtmlProcessor: _holds(STX),          # a stashed HTML block (run says no)
    }
    for name in ("AbbrBlockprocessor", "AbbrPreprocessor"):      # 3.7+ / 3.6: ^[*]\[ (run says no)
        found = getattr(abbr, name, None)
        if isinstance(found, type) and issubclass(found, bp.BlockProcessor) and found not in rules:
            rules[found] = _holds("*[")
    if md.tab_length >= 1:  # block.startswith(' ' * tab_length)
        for indented in (bp.ListIndentProcessor, def_list.DefListIndentProcessor, bp.CodeBlockProcessor):
            rules[indented] = _starts(" ")
    return rules


class BlockFilter:
    """BlockParser.parseBlocks, offering each block only to the processors that could take it."""

    def __init__(self, md: Markdown):
        self.parser = md.parser
        self.rules = _rules(md)
        self._processors: list[Any] = []
        self._tried: dict[Key, list[Any]] = {}

    def parse_blocks(self, parent: etree.Element, blocks: list[str]) -> None:
        processors = list(self.parser.blockprocessors)  # as BlockParser reads them, every call
        if processors != self._processors:
            self._processors, self._tried = processors, {}
        while blocks:
            block = blocks[0]
            for processor in self._for(block):
                if processor.test(parent, block):
                    if processor.run(parent, blocks) is not False:
                        break
                    if not blocks or blocks[0] is not block:  # it said no but changed the blocks
                        self._offer_after(processor, parent, blocks)
                        break

    def _for(self, block: str) -> list[Any]:
        key = (_signs(block), _kind(block))
        tried = self._tried.get(key)
        if tried is None:
            if len(self._tried) > 4096:
                self._tried.clear()
            tried = self._tried[key] = [p for p in self._processors
                                        if (rule := self.rules.get(type(p))) is None or rule(key)]
        return tried

    def _offer_after(self, said_no: Any, parent: etree.Element, blocks: list[str]) -> None:
        """The stock loop, from the processor after `said_no`, for one changed block."""
        rest = self._processors[self._processors.index(said_no) + 1:]
        for processor in rest:
            if processor.test(parent, blocks[0]):
                if processor.run(parent, blocks) is not False:
                    break


def install(md: Markdown) -> Markdown:
    """Parse md's blocks through the filter when its parser is Python-Markdown's own; the same
    HTML, sooner."""
    if type(md.parser).parseBlocks is BlockParser.parseBlocks and "parseBlocks" not in vars(md.parser):
        md.parser.parseBlocks = BlockFilter(md).parse_blocks  # type: ignore[method-assign]
    return md
