"""digest.block_filter: a block is offered only to the processors that could take it, and the HTML
is the same as Python-Markdown's own, whatever the text, the extensions and the tab length."""

from __future__ import annotations

import random
import xml.etree.ElementTree as etree

import markdown
import pytest
from markdown.blockprocessors import BlockProcessor, HashHeaderProcessor
from markdown.extensions import Extension

from digest.block_filter import install
from digest.content import _converter

EXTENSION_SETS = [
    [], ["extra", "digest.typography", "toc", "sane_lists"],
    ["extra", "smarty", "nl2br", "wikilinks", "legacy_em", "admonition", "toc"],
]
# Every kind of block the processors take, and blocks that look almost like one
BLOCKS = [
    "Plain words, nothing else.", "# Heading {#id}", "## Second ##", "A # in the middle", "#hashtag",
    "Title\n=====", "Title\n---", "Not a title\n- item", "a = b - c", "---", "* * *", "___", "- - -",
    "- item\n- *other*", "* star\n* two", "+ plus", "-not a list", "1. one\n2. two", "2024. A year",
    "١. Arabic-Indic digit", "3) not sane", "1.no space", "   1. indented three", "    indented code <b>",
    "  - two spaces", "\tTabbed code", "> quoted `x`\ncontinued", "text\n> quote inside", "> - list in quote",
    "| a | b |\n|---|---|\n| `1` | [2](x) |", "| one |\n| --- |\n| cell |", "a | b\n--|--\n1 | 2",
    "a | b", "Term\n:   Definition & more", ": lone colon", "Term\n: one\n: two", "time: 10:30",
    "[r]: https://example.org/ref", "[r]: https://example.org/ref \"Title\"\n[s]: /s", "[not a ref] here",
    "[^1]: The note, with *emphasis*.", "[^n]: Long note\n\n    continued", "*[HTML]: Hyper Text",
    "*[HTML]:\n    Hyper", "Uses HTML and [r] and [^1].", "<div markdown=\"1\">\n*inside*\n</div>",
    "<div>\nraw <b>html</b>\n</div>", "<p>para</p>", "!!! note\n    Admonition [x](y)", "\n", "\n\nlead",
    "trailing  \nbreak", "* [link](x)\n\n    indented continuation", "1. a\n\n    code in item",
    "    - indented list", "word\n    indented line", "***strong em***", "__init__", "x > y", "a|b",
    # next to the signs a rule, an underline, a definition, a reference and an abbreviation need
    "   ---", " - - -", "-  -  -", "--", "word -- dash", "* *", "_ _ _", "__ init", "text\n - - -",
    "text\n   ***", "para\n**bold**", "x\n-", "x\n=== x", "Term\n   : three spaces", "Term\n    : four",
    "a\n:no space", "9:30 and 10:45", "[^a]:\n", "[x]:", "[x]: ", "see [^x] and [y]:", "*[A]:", " *[A]: B",
    "a *[not]* abbr", "[^1] then\n[^1]: note", "[r]:\n  https://example.org/on-the-next-line",
]


def documents(count: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    return ["\n\n".join(rng.choice(BLOCKS) for _ in range(rng.randint(1, 7))) for _ in range(count)]


@pytest.mark.parametrize("tab_length", [4, 2, 1])
@pytest.mark.parametrize("extensions", EXTENSION_SETS, ids=["none", "defaults", "others"])
def test_same_html_as_markdown(extensions: list[str], tab_length: int) -> None:
    stock = markdown.Markdown(extensions=extensions, tab_length=tab_length)
    filtered = install(markdown.Markdown(extensions=extensions, tab_length=tab_length))
    assert "parseBlocks" in vars(filtered.parser)
    for text in BLOCKS + documents(800, seed=len(extensions) * 10 + tab_length):
        assert filtered.reset().convert(text) == stock.reset().convert(text), text


def offered(md: markdown.Markdown, text: str) -> list[str]:
    """The processors whose test a conversion of `text` called, in order."""
    calls: list[str] = []
    for processor in md.parser.blockprocessors:
        def test(parent: etree.Element, block: str, _p: BlockProcessor = processor) -> bool:
            calls.append(type(_p).__name__)
            return type(_p).test(_p, parent, block)
        processor.test = test  # type: ignore[method-assign]
    md.reset().convert(text)
    return calls


def test_a_plain_paragraph_goes_straight_to_the_paragraph_processor() -> None:
    md = install(markdown.Markdown(extensions=["extra", "sane_lists"]))
    # the document's last block is the empty one Markdown adds after the text
    assert offered(md, "Plain words, nothing else.") == ["ParagraphProcessor", "EmptyBlockProcessor"]
    stock = markdown.Markdown(extensions=["extra", "sane_lists"])
    every = [type(p).__name__ for p in stock.parser.blockprocessors]
    assert offered(stock, "Plain words, nothing else.") == every + ["MarkdownInHtmlProcessor", "EmptyBlockProcessor"]
    table = offered(md, "| a | b |\n|---|---|\n| 1 | 2 |")
    assert "TableProcessor" in table and "HashHeaderProcessor" not in table
    assert "SaneOListProcessor" in offered(md, "1. one") and "SaneUListProcessor" not in offered(md, "1. one")


def test_the_site_converter_is_filtered() -> None:
    md = _converter(("extra", "digest.typography", "toc", "sane_lists"), "{}")
    assert "parseBlocks" in vars(md.parser)


class _Shout(BlockProcessor):
    """An extension's processor: a block ending in '!' becomes an <h6>."""

    def test(self, parent: etree.Element, block: str) -> bool:
        return block.endswith("!")

    def run(self, parent: etree.Element, blocks: list[str]) -> None:
        etree.SubElement(parent, "h6").text = blocks.pop(0)


class _Hashless(HashHeaderProcessor):
    """A subclass of a known processor that takes headings without '#'."""

    def test(self, parent: etree.Element, block: str) -> bool:
        return block.startswith("Chapter")

    def run(self, parent: etree.Element, blocks: list[str]) -> None:
        etree.SubElement(parent, "h2").text = blocks.pop(0)


class _Splitter(BlockProcessor):
    """Says no to a block after cutting it in two, the first part made a heading: the processors
    after it see a new block (one an earlier processor would take, with a '#' the old lacked)."""

    def test(self, parent: etree.Element, block: str) -> bool:
        return "~" in block

    def run(self, parent: etree.Element, blocks: list[str]) -> bool:
        head, tail = blocks.pop(0).split("~", 1)
        blocks[:0] = ["# " + head, tail]
        return False


class _Own(Extension):
    def extendMarkdown(self, md: markdown.Markdown) -> None:
        md.parser.blockprocessors.register(_Shout(md.parser), "shout", 200)
        md.parser.blockprocessors.register(_Hashless(md.parser), "hashless", 150)
        md.parser.blockprocessors.register(_Splitter(md.parser), "splitter", 120)


def test_other_processors_are_offered_every_block() -> None:
    text = "Plain!\n\nChapter one\n\nWow!~split | block\n\n- item\n- Loud!"
    stock = markdown.Markdown(extensions=["extra", _Own()])
    filtered = install(markdown.Markdown(extensions=["extra", _Own()]))
    html = filtered.reset().convert(text)
    assert html == stock.reset().convert(text)
    assert "<h6>Plain!</h6>" in html and "<h2>Chapter one</h2>" in html and "<h1>Wow!</h1>" in html
    calls = offered(filtered, "Plain words.")
    own = ["_Shout", "_Hashless", "_Splitter"]
    assert calls == own + ["ParagraphProcessor"] + own + ["EmptyBlockProcessor"]


def test_a_parser_of_its_own_is_left_alone() -> None:
    class Parser(type(markdown.Markdown().parser)):  # type: ignore[misc]
        def parseBlocks(self, parent: etree.Element, blocks: list[str]) -> None:
            super().parseBlocks(parent, blocks)

    md = markdown.Markdown()
    md.parser.__class__ = Parser
    assert "parseBlocks" not in vars(install(md).parser)


def test_a_processor_registered_later_is_offered() -> None:
    md = install(markdown.Markdown())
    assert md.reset().convert("Loud!") == "<p>Loud!</p>"
    md.parser.blockprocessors.register(_Shout(md.parser), "shout", 200)
    assert md.reset().convert("Loud!") == "<h6>Loud!</h6>"
