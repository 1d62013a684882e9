"""digest.lean_steps: the toc extension's heading ids and tokens as before, the table of contents
where the marker is, and no walk for the marker in a document without it; attr_list, raw HTML
and fenced code as before, and not run on a document without the characters they need."""

from __future__ import annotations

import random

import markdown
import pytest
from markdown.extensions import fenced_code
from markdown.extensions.attr_list import AttrListTreeprocessor
from markdown.extensions.toc import TocTreeprocessor

from digest.content import _converter
from digest.lean_steps import LeanAttrList, LeanFenced, LeanHtmlBlock, LeanHtmlBlockInHtml, LeanToc, install

PIECES = [
    "# Title", "## Section *two*", "### Third & `code`", "#### Deep", "Intro with [TOC] inside.", "[TOC]",
    "%%CONTENTS%%", "Plain words.", "- item\n- [TOC]", "> [TOC]", "```\n[TOC]\n```", "    [TOC] as code",
    "## Same\n\n## Same", "## Heading {#own-id}", "Setext\n------", "A\\[TOC\\] escaped", "*[TOC]*",
    "Para\n{: .lead }", "*em*{: .c } after", "- item {: .x }\n- two", "Term\n:   def {: #d }", "{not an attr list}",
    "| a {: .c } | b |\n|---|---|\n| 1 | 2 |", "`{: .code }`", "> quote\n> {: .q }", "## Title {: data-x=\"1\" }",
]
SETTINGS = [{}, {"permalink": True}, {"marker": "%%CONTENTS%%", "toc_depth": "2-3"}, {"marker": ""},
            {"title": "Contents", "anchorlink": True}]


def documents(count: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    return ["\n\n".join(rng.choice(PIECES) for _ in range(rng.randint(1, 6))) for _ in range(count)]


@pytest.mark.parametrize("settings", SETTINGS, ids=lambda s: ",".join(s) or "defaults")
def test_same_html_ids_and_tokens(settings: dict) -> None:
    stock = markdown.Markdown(extensions=["extra", "toc"], extension_configs={"toc": settings})
    lean = install(markdown.Markdown(extensions=["extra", "toc"], extension_configs={"toc": settings}))
    assert type(lean.treeprocessors["toc"]) is LeanToc and type(lean.treeprocessors["attr_list"]) is LeanAttrList
    shown = 0
    for text in PIECES + documents(400, seed=len(settings)):
        assert lean.reset().convert(text) == stock.reset().convert(text), text
        assert lean.toc_tokens == stock.toc_tokens, text
        if lean.treeprocessors["toc"].shown:
            shown += 1
            assert lean.toc == stock.toc, text
    assert shown > 30 or not settings.get("marker", True)


def test_the_marker_is_replaced_where_it_is() -> None:
    md = install(markdown.Markdown(extensions=["toc"]))
    html = md.reset().convert("# One\n\n[TOC]\n\n## Two")
    assert '<div class="toc">' in html and '<a href="#two">Two</a>' in html


def test_no_walk_and_no_contents_without_the_marker(monkeypatch: pytest.MonkeyPatch) -> None:
    md = install(markdown.Markdown(extensions=["toc"]))
    walked = []
    original = TocTreeprocessor.iterparent

    def spy(self: TocTreeprocessor, node: object) -> object:
        walked.append(node)
        return original(self, node)

    monkeypatch.setattr(TocTreeprocessor, "iterparent", spy)
    html = md.reset().convert("# One\n\nText about a TOC.\n\n## Two")
    assert (html, md.toc, walked) == ('<h1 id="one">One</h1>\n<p>Text about a TOC.</p>\n<h2 id="two">Two</h2>',
                                      "<div></div>", [])
    assert [t["id"] for t in md.toc_tokens] == ["one"] and md.toc_tokens[0]["children"][0]["id"] == "two"
    md.reset().convert("# One\n\n[TOC]")
    assert walked and '<a href="#one">One</a>' in md.toc


def test_attr_list_runs_only_where_a_brace_is(monkeypatch: pytest.MonkeyPatch) -> None:
    md = install(markdown.Markdown(extensions=["attr_list"]))
    ran = []
    original = AttrListTreeprocessor.run
    monkeypatch.setattr(AttrListTreeprocessor, "run", lambda self, doc: ran.append(1) or original(self, doc))
    assert md.reset().convert("# Title\n\nText *em*.") == '<h1>Title</h1>\n<p>Text <em>em</em>.</p>' and not ran
    assert md.reset().convert("# Title {#t}\n\nText *em*{: .c }.") == \
        '<h1 id="t">Title</h1>\n<p>Text <em class="c">em</em>.</p>' and ran == [1]


def test_the_site_converter_is_lean_and_an_own_toc_is_left_alone() -> None:
    site = _converter(("extra", "digest.typography", "toc", "sane_lists"), "{}")
    assert type(site.treeprocessors["toc"]) is LeanToc and type(site.treeprocessors["attr_list"]) is LeanAttrList

    class Own(TocTreeprocessor):
        pass

    md = markdown.Markdown(extensions=["toc"])
    md.treeprocessors["toc"].__class__ = Own
    assert type(install(md).treeprocessors["toc"]) is Own
    plain = markdown.Markdown()  # no toc, no attr_list: only the two lean stock steps change
    steps = [type(step).__name__ for step in install(plain).treeprocessors]
    assert steps == ["InlineProcessor", "LeanPrettify", "LeanUnescape"]

    class OwnPrettify(markdown.treeprocessors.PrettifyTreeprocessor):
        pass

    md = markdown.Markdown()
    md.treeprocessors["prettify"].__class__ = OwnPrettify
    assert type(install(md).treeprocessors["prettify"]) is OwnPrettify


RAW = [
    "Plain words.", "<div>\nA block\n</div>", "Inline <b>bold</b> and <br> a break", "AT&T and Q&A", "&amp; &copy; &#169;",
    "a < b and c > d", "```\ncode & <b>\n```", "~~~ python\nx = 1\n~~~", "``` {: .lang }\nx\n```", "`` ` `` tick",
    "<!-- a comment -->", "<?php echo 1; ?>", "<div markdown=\"1\">\n*inside*\n</div>", "    indented <code>",
    "<p>unclosed", "</span> stray", "&unknown; &", "```\nno close", "~~", "Title\n---", "tab\there", "<https://example.org>",
    "ends in spaces   ", "   \nafter a line of spaces", "crlf\r\nline", "cr\ronly", "stx\x02 alone", "etx\x03 alone", "  ",
    "line  \n  \nnext", "    \n    code after a blank", "- item\n   \n- item",
]
RAW_SETS = [[], ["extra"], ["fenced_code"], ["md_in_html", "attr_list"], ["extra", "toc", "codehilite"]]


@pytest.mark.parametrize("extensions", RAW_SETS, ids=lambda e: ",".join(e) or "none")
def test_same_html_with_raw_html_entities_and_fences(extensions: list[str]) -> None:
    stock = markdown.Markdown(extensions=extensions)
    lean = install(markdown.Markdown(extensions=extensions))
    assert type(lean.preprocessors["html_block"]) in (LeanHtmlBlock, LeanHtmlBlockInHtml)
    assert "fenced_code_block" not in lean.preprocessors or type(lean.preprocessors["fenced_code_block"]) is LeanFenced
    rng = random.Random(len(extensions))
    for text in RAW + ["\n\n".join(rng.choice(RAW + PIECES) for _ in range(rng.randint(1, 6))) for _ in range(500)]:
        assert lean.reset().convert(text) == stock.reset().convert(text), text


def test_whitespace_is_normalized_only_where_there_is_some(monkeypatch: pytest.MonkeyPatch) -> None:
    from markdown.preprocessors import NormalizeWhitespace

    md = install(markdown.Markdown())
    ran = []
    original = NormalizeWhitespace.run
    monkeypatch.setattr(NormalizeWhitespace, "run", lambda self, lines: ran.append(1) or original(self, lines))
    assert md.reset().convert("Plain words.\n\nMore.") == "<p>Plain words.</p>\n<p>More.</p>" and ran == []
    for text, html in (("a\tb", "<p>a   b</p>"), ("a\n   \n    code", "<p>a</p>\n<pre><code>code\n</code></pre>"),
                       ("x\n   ", "<p>x</p>"), ("a\r\nb", "<p>a\nb</p>")):
        ran.clear()
        assert md.reset().convert(text) == html and ran == [1], text


def test_the_raw_html_and_fence_steps_run_only_where_they_can_act(monkeypatch: pytest.MonkeyPatch) -> None:
    from markdown.extensions import md_in_html

    md = install(markdown.Markdown(extensions=["extra"]))
    ran: list[str] = []
    for kind in (md_in_html.HtmlBlockPreprocessor, fenced_code.FencedBlockPreprocessor):
        original = kind.run
        monkeypatch.setattr(kind, "run", lambda self, lines, _o=original, _k=kind.__name__: ran.append(_k) or _o(self, lines))
    assert md.reset().convert("Plain *words*\n\nand more.") == "<p>Plain <em>words</em></p>\n<p>and more.</p>"
    assert ran == []
    assert md.reset().convert("A & B") == "<p>A &amp; B</p>" and ran == ["HtmlBlockPreprocessor"]
    assert md.reset().convert("~~~\nx\n~~~") == "<pre><code>x\n</code></pre>"
    assert ran == ["HtmlBlockPreprocessor", "FencedBlockPreprocessor"]


class _Types(markdown.treeprocessors.Treeprocessor):
    """A tree step after the unescape step: what kind of string each text is."""

    seen: list[str] = []

    def run(self, root: object) -> None:
        self.seen[:] = [type(t).__name__ for e in root.iter() for t in (e.text, e.tail, *e.attrib.values()) if t]


@pytest.mark.parametrize("after", [False, True], ids=["last", "a step after it"])
def test_escapes_and_line_breaks_as_before(after: bool) -> None:
    """The same HTML with and without escapes, block-level tags and raw HTML; a step registered
    after the unescape step sees the texts as the stock step leaves them (plain strings)."""
    stock = markdown.Markdown(extensions=["extra", "toc"])
    lean = install(markdown.Markdown(extensions=["extra", "toc"]))
    assert type(lean.treeprocessors["unescape"]).__name__ == "LeanUnescape"
    if after:
        for md in (stock, lean):
            md.treeprocessors.register(_Types(md), "types", -1)
    rng = random.Random(3)
    texts = ["A \\*literal\\* star and `code \\*`", "[a \\[b\\]](/x \"t\\\"\")", "<div>raw</div>\n\nPara",
             "- item\n\n    > quote\n\n1. one", "Line  \nbreak", "![alt \\_x](/i.png)", "## Head \\#1"] + PIECES
    for text in texts + ["\n\n".join(rng.choice(texts + RAW) for _ in range(rng.randint(1, 5))) for _ in range(300)]:
        assert lean.reset().convert(text) == stock.reset().convert(text), text
        if after:
            stock.reset().convert(text)
            seen = list(_Types.seen)
            lean.reset().convert(text)
            assert _Types.seen == seen, text


def test_the_unescape_walk_is_skipped_only_without_escapes(monkeypatch: pytest.MonkeyPatch) -> None:
    from markdown.treeprocessors import UnescapeTreeprocessor

    md = install(markdown.Markdown(extensions=["extra"]))
    ran = []
    original = UnescapeTreeprocessor.run
    monkeypatch.setattr(UnescapeTreeprocessor, "run", lambda self, root: ran.append(1) or original(self, root))
    assert md.reset().convert("Plain *words*.") == "<p>Plain <em>words</em>.</p>" and ran == []
    assert md.reset().convert("A \\*star\\*.") == "<p>A *star*.</p>" and ran == [1]
    assert md.reset().convert("*a* \\*b\\*") == "<p><em>a</em> *b*</p>" and ran == [1, 1]  # in a tail only
    assert md.reset().convert('<a href="x">\\*</a> [l](/a\\_b "t\\_")') == \
        '<p><a href="x">*</a> <a href="/a_b" title="t_">l</a></p>' and ran == [1, 1, 1]


def test_a_block_level_test_of_ones_own_is_asked() -> None:
    md = install(markdown.Markdown())
    md.is_block_level = lambda tag: tag == "p"  # type: ignore[method-assign]
    assert md.reset().convert("- a\n- b") == "<ul><li>a</li><li>b</li></ul>"   # no line breaks in the list
    assert install(markdown.Markdown()).reset().convert("- a\n- b") == "<ul>\n<li>a</li>\n<li>b</li>\n</ul>"


def test_a_comment_in_the_tree_is_not_block_level() -> None:
    import xml.etree.ElementTree as etree

    class Note(markdown.treeprocessors.Treeprocessor):
        def run(self, root: etree.Element) -> None:
            root.insert(0, etree.Comment(" a note "))

    stock, lean = markdown.Markdown(), install(markdown.Markdown())
    for md in (stock, lean):
        md.treeprocessors.register(Note(md), "note", 15)  # before the line breaks
    assert lean.reset().convert("Para") == stock.reset().convert("Para") == "<!-- a note --><p>Para</p>"
