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
    plain = markdown.Markdown()  # no toc, no attr_list: its tree steps are left as they are
    steps = [type(step) for step in plain.treeprocessors]
    assert [type(step) for step in install(plain).treeprocessors] == steps


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
