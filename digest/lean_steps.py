"""Seven of Python-Markdown's steps skipped, or made cheaper, where that changes nothing.

**toc.** For each document, Python-Markdown's `toc` extension gives every heading an id (what this site
uses it for, for links to a section), lists the headings (`md.toc_tokens`), and then builds the
table of contents as HTML, prettifies it, serializes it and runs every postprocessor over it
(`md.toc`), and walks the whole tree, joining the text of every element, to put that HTML where
the text holds its marker (`[TOC]`). An article without the marker shows no table of contents,
and the build reads neither `md.toc` nor the tokens: the walk and the HTML are 40% of the
extension's time (0.05 ms an article).

`LeanToc` looks once for the marker in the document's text; when no text holds it, no element's
text can be the marker, so it skips the walk, and gives `md.toc` an empty `<div></div>`. The
heading ids and `md.toc_tokens` are the extension's own, and a document with the marker gets the
table of contents as before.

**attr_list.** The `attr_list` extension visits every element of every document, block and
inline, for an attribute list (`{: .class }`, `{#id}`) at the end of its text or the start of its
tail: 0.03 ms an article. Each list starts with '{': when no text in the document holds one,
`LeanAttrList` does nothing; otherwise the extension runs as it is.

**Raw HTML and fenced code.** Before the blocks are parsed, one step runs Python's HTMLParser
over the whole text to take out raw HTML blocks (0.03 ms an article), and `fenced_code` searches
it for fences (0.02 ms). HTMLParser acts only on a '<' or an '&' (it passes any other text on as
data, which the step gives back as it came), and every fence starts with three '`' or '~': a
text without them gets its lines back, split as the steps split them.

**Whitespace.** The first step removes STX and ETX, turns CR LF and CR into LF, expands tabs,
and empties lines of spaces with a regex that looks behind every character of the text (0.03
ms an article). A text without those characters, without a space before a line end and not
ending in a space gets only the two line ends the step adds (0.015 ms).

**Line breaks and escapes.** The prettify step asks, three times an element, whether its tag is
block-level: Markdown lower-cases the tag and looks for it in a list of 60 names. `LeanPrettify`
answers each tag once per document, from a set of those names (0.036 -> 0.022 ms an article).
The unescape step runs a regex over every text, tail and attribute for the escapes (STX) the
inline step left; in a document that holds none, the only thing it does is to make each
AtomicString a plain string. When it is the last tree step, no step sees that: `LeanUnescape`
then looks for STX and does nothing when there is none (0.023 -> 0.009 ms)."""

from __future__ import annotations

import xml.etree.ElementTree as etree

from markdown import Markdown, preprocessors, treeprocessors
from markdown.extensions import fenced_code, md_in_html
from markdown.extensions.attr_list import AttrListTreeprocessor
from markdown.extensions.toc import TocTreeprocessor


class LeanToc(TocTreeprocessor):
    """TocTreeprocessor that builds the table of contents only for a document that shows it."""

    shown = True  # for the document being converted: its text holds the marker

    def run(self, doc: etree.Element) -> None:
        self.shown = bool(self.marker) and self.marker in "".join(doc.itertext())
        super().run(doc)

    def build_toc_div(self, toc_list: list) -> etree.Element:
        return super().build_toc_div(toc_list) if self.shown else etree.Element("div")

    def replace_marker(self, root: etree.Element, elem: etree.Element) -> None:
        if self.shown:
            super().replace_marker(root, elem)


class LeanPrettify(treeprocessors.PrettifyTreeprocessor):
    """The line breaks as before, each tag's block-level answer found once per document: the
    stock test lower-cases the tag and looks for it in a list of 60 names, three times an element."""

    def run(self, root: etree.Element) -> None:
        md = self.md
        if "is_block_level" in vars(md) or type(md).is_block_level is not Markdown.is_block_level:
            return super().run(root)  # someone else's test: theirs
        names = frozenset(md.block_level_elements)
        known: dict[str, bool] = {}

        def is_block_level(tag: object) -> bool:
            if not isinstance(tag, str):
                return False  # as Markdown's own test
            answer = known.get(tag)
            if answer is None:
                answer = known[tag] = tag.lower().rstrip("/") in names
            return answer

        md.is_block_level = is_block_level  # type: ignore[method-assign]
        try:
            super().run(root)
        finally:
            del md.is_block_level


class LeanUnescape(treeprocessors.UnescapeTreeprocessor):
    """Backslash escapes restored as before, and nothing done in a document that holds none (no
    STX in any text, tail or attribute; an attribute that is not a string is left to the stock
    step), when this is the last tree step: the stock step would only make each AtomicString a
    plain string, which no step after it then sees."""

    def run(self, root: etree.Element) -> None:
        steps = self.md.treeprocessors
        if steps and steps[len(steps) - 1] is self:
            for element in root.iter():
                text, tail = element.text, element.tail
                if (text and "\x02" in text or tail and "\x02" in tail
                        or element.attrib and any(value is not None and (type(value) is not str or "\x02" in value)
                                                  for value in element.attrib.values())):
                    break
            else:
                return
        super().run(root)


class LeanAttrList(AttrListTreeprocessor):
    """AttrListTreeprocessor that runs only on a document whose text holds a '{'."""

    def run(self, doc: etree.Element) -> None:
        if "{" in "".join(doc.itertext()):
            super().run(doc)


class _Needs:
    """A preprocessor run only on a text that holds one of `needs`; any other text gets its
    lines back, split as the step splits them."""

    needs: tuple[str, ...] = ()

    def run(self, lines: list[str]) -> list[str]:
        source = "\n".join(lines)
        return super().run(lines) if any(s in source for s in self.needs) else source.split("\n")  # type: ignore[misc]


class LeanHtmlBlock(_Needs, preprocessors.HtmlBlockPreprocessor):
    needs = ("<", "&")


class LeanHtmlBlockInHtml(_Needs, md_in_html.HtmlBlockPreprocessor):  # md_in_html's (`extra`)
    needs = ("<", "&")


class LeanFenced(_Needs, fenced_code.FencedBlockPreprocessor):
    needs = ("```", "~~~")


class LeanWhitespace(preprocessors.NormalizeWhitespace):
    """Whitespace normalized in a text that has some to normalize; each of the step's changes
    needs one of these, and its regex a space before a line end (or at the end, before the two
    line ends it adds)."""

    def run(self, lines: list[str]) -> list[str]:
        source = "\n".join(lines)
        if any(s in source for s in ("\t", "\r", "\x02", "\x03", " \n")) or source.endswith(" "):
            return super().run(lines)
        return (source + "\n\n").split("\n")


# registry, step name, the extension's own class, its lean subclass
_LEAN = (("treeprocessors", "toc", TocTreeprocessor, LeanToc),
         ("treeprocessors", "attr_list", AttrListTreeprocessor, LeanAttrList),
         ("preprocessors", "html_block", preprocessors.HtmlBlockPreprocessor, LeanHtmlBlock),
         ("preprocessors", "html_block", md_in_html.HtmlBlockPreprocessor, LeanHtmlBlockInHtml),
         ("preprocessors", "fenced_code_block", fenced_code.FencedBlockPreprocessor, LeanFenced),
         ("preprocessors", "normalize_whitespace", preprocessors.NormalizeWhitespace, LeanWhitespace),
         ("treeprocessors", "prettify", treeprocessors.PrettifyTreeprocessor, LeanPrettify),
         ("treeprocessors", "unescape", treeprocessors.UnescapeTreeprocessor, LeanUnescape))


def install(md: Markdown) -> Markdown:
    """Make md's steps lean where they are Python-Markdown's own."""
    for registry, name, stock, lean in _LEAN:
        steps = getattr(md, registry)
        step = steps[name] if name in steps else None
        if type(step) is stock:
            step.__class__ = lean  # the same object and settings, with methods that look first
    return md
