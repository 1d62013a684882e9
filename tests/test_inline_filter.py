"""digest.inline_filter: the inline patterns a document cannot match are left out, and the HTML
is the same as Python-Markdown's own, whatever the text and the extensions."""

from __future__ import annotations

import random
import xml.etree.ElementTree as etree

import markdown
import pytest
from markdown.extensions import Extension
from markdown.inlinepatterns import InlineProcessor
from markdown.treeprocessors import Treeprocessor
from markdown.util import AtomicString

from digest.content import _converter
from digest.inline_filter import install, needs

DEFAULT = ["extra", "digest.typography", "toc", "sane_lists"]
EXTENSION_SETS = [[], DEFAULT, ["extra", "smarty", "nl2br", "wikilinks", "legacy_em", "admonition", "toc"]]

# Every piece of inline and block syntax the patterns look for, and text around it
PIECES = [
    "plain words", "`code`", "``two `ticks``", "\\*not em\\*", "\\\\", "\\`", "[link](https://example.org/a_b)",
    "[ref][r]", "[r]", "![alt](pic.png)", "![ref][r]", "[^1]", "<https://example.org>", "<a@example.org>",
    "<span>html</span>", "&amp;", "&#123;", "&copy;", "a & b", "*em*", "**strong**", "_em_", "__strong__",
    "snake_case_word", "2 * 3", "end  \nbreak", "tab\t\nline", "[[Wiki Link]]", "\"quoted\"", "it's", "--", "...",
    "<!-- note -->", "*[HTML]: Hyper Text", "HTML", "{: .lead }", "\\[", "!", "[", "<", "_", "*",
]
BLOCKS = [
    "# Heading {#id}", "## Second", "- item\n- *other*", "1. one\n2. two", "> quoted `x`",
    "| a | b |\n|---|---|\n| `1` | [2](x) |", "```\ncode [not](a link)\n```", "    indented <code>",
    "[r]: https://example.org/ref", "[^1]: The note, with *emphasis*.", "Term\n:   Definition & more",
    "<div markdown=\"1\">\n*inside*\n</div>", "!!! note\n    Admonition [x](y)", "---",
    "- # Heading\n  it's -- a tail", "- ***\n  \"quoted\" tail", "- Term\n\n    : def\n  'tail' -- here",
]


def documents(count: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    out = []
    for _ in range(count):
        paragraphs = []
        for _ in range(rng.randint(1, 5)):
            if rng.random() < 0.3:
                paragraphs.append(rng.choice(BLOCKS))
            else:
                paragraphs.append(" ".join(rng.choice(PIECES) for _ in range(rng.randint(1, 6))))
        out.append("\n\n".join(paragraphs))
    return out


@pytest.mark.parametrize("extensions", EXTENSION_SETS, ids=["none", "defaults", "others"])
def test_same_html_as_markdown(extensions: list[str]) -> None:
    stock = markdown.Markdown(extensions=extensions)
    filtered = install(markdown.Markdown(extensions=extensions))
    chooser = filtered.treeprocessors["inline-filter"]
    fewer = 0
    for text in documents(1500, seed=len(extensions)):
        assert filtered.reset().convert(text) == stock.reset().convert(text), text
        fewer += len(chooser.chosen) < len(filtered.inlinePatterns)
    assert fewer > 100  # the filter did leave patterns out


def test_plain_text_tries_only_what_it_can_match() -> None:
    md = install(markdown.Markdown(extensions=DEFAULT))
    md.convert("Words with a [link](https://example.org/) and nothing else.")
    tried = list(md.treeprocessors["inline-filter"].chosen)
    assert tried and all("[" in needs(p) for p in tried)


def test_reference_patterns_only_where_a_reference_is_defined() -> None:
    md = install(markdown.Markdown(extensions=DEFAULT))
    text = "A [link](https://example.org/), [text][r], [r] and ![alt][r]."
    stock = markdown.Markdown(extensions=DEFAULT)
    assert md.convert(text) == stock.convert(text) == \
        "<p>A <a href=\"https://example.org/\">link</a>, [text][r], [r] and ![alt][r].</p>"
    tried = {type(p).__name__ for p in md.treeprocessors["inline-filter"].chosen}
    assert "LinkInlineProcessor" in tried and not tried & {"ReferenceInlineProcessor", "ShortReferenceInlineProcessor"}
    defined = text + "\n\n[r]: https://example.org/r"
    assert md.reset().convert(defined) == stock.reset().convert(defined)
    assert md.convert(defined).count('href="https://example.org/r"') == 2
    tried = {type(p).__name__ for p in md.treeprocessors["inline-filter"].chosen}
    assert {"ReferenceInlineProcessor", "ShortReferenceInlineProcessor", "ImageReferenceInlineProcessor"} <= tried


class _Probe(Treeprocessor):
    """Between the filter and the inline step: which runs the inline step will pass over."""

    def run(self, root):
        self.skipped = {el.text: isinstance(el.text, AtomicString) for el in root.iter() if el.text}


def test_runs_with_nothing_to_match_are_passed_over() -> None:
    md = install(markdown.Markdown(extensions=DEFAULT))
    probe = _Probe(md)
    md.treeprocessors.register(probe, "probe", 20.2)
    html = md.convert('# A plain "heading"\n\nA [link](https://example.org/) here.')
    assert probe.skipped == {'A plain "heading"': True, "A [link](https://example.org/) here.": False}
    assert "<h1 id=\"a-plain-heading\">A plain \u201cheading\u201d</h1>" in html  # curled: plain text again


@pytest.mark.parametrize("text", ["- # Heading\n  it's -- here", "- ***\n  it's", '- ***\n  "HTML"\n\n*[HTML]: Hyper'])
def test_a_marked_tail_is_plain_text_again_for_the_steps_after(text: str) -> None:
    """Text after a block inside a list item is a tail; the inline step gives a marked tail back
    as a new AtomicString, which typography, smarty and abbr would pass over (found in review)."""
    for extensions in (DEFAULT, ["abbr", "smarty"]):
        stock = markdown.Markdown(extensions=extensions).convert(text)
        assert install(markdown.Markdown(extensions=extensions)).convert(text) == stock
        assert "it\u2019s" in stock or "&rsquo;" in stock or "<abbr" in stock


def test_every_pattern_again_after_the_inline_step() -> None:
    """An extension's treeprocessor may run the inline step on text of its own."""
    md = install(markdown.Markdown(extensions=DEFAULT))
    md.convert("Plain words.")
    assert md.treeprocessors["inline"].inlinePatterns is md.inlinePatterns


def test_the_build_converts_with_the_filter() -> None:
    md = _converter(tuple(DEFAULT), "{}")
    assert "inline-filter" in md.treeprocessors


class _Badge(InlineProcessor):
    """An extension's pattern the filter does not know: it makes a span whose text holds
    Markdown that other patterns, before or after it, must still see."""

    def handleMatch(self, m, data):  # noqa: N802 (Markdown's name)
        el = etree.Element("span")
        el.text = "`code` and *em* & [l](u)"
        return el, m.start(0), m.end(0)


def _badge(priority: int) -> Extension:
    class BadgeExtension(Extension):
        def extendMarkdown(self, md):  # noqa: N802
            md.inlinePatterns.register(_Badge(r":new:", md), "badge", priority)
    return BadgeExtension()


@pytest.mark.parametrize("priority", [200, 5])
def test_an_unknown_pattern_keeps_every_pattern(priority: int) -> None:
    text = "- item :new:\n    - sub"  # the list item is gone over again from the first pattern
    stock = markdown.Markdown(extensions=[_badge(priority)]).convert(text)
    ours = install(markdown.Markdown(extensions=[_badge(priority)])).convert(text)
    assert "<em>em</em>" in stock
    assert ours == stock


@pytest.mark.parametrize("mark", ["*{}*", "`{}`", "<b>{}</b>", "&#91;{}&#93;"])
def test_a_footnote_mark_written_as_markdown(mark: str) -> None:
    """The footnote pattern writes its mark's text from a setting, which other patterns read."""
    text = "Text[^1].\n\n[^1]: Note."
    configs = {"footnotes": {"SUPERSCRIPT_TEXT": mark}}
    stock = markdown.Markdown(extensions=["footnotes"], extension_configs=configs).convert(text)
    ours = install(markdown.Markdown(extensions=["footnotes"], extension_configs=configs)).convert(text)
    assert ours == stock
