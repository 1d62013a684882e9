"""The `toc` extension's heading ids, without the table of contents no page shows.

For each document, Python-Markdown's `toc` extension gives every heading an id (what this site
uses it for, for links to a section), lists the headings (`md.toc_tokens`), and then builds the
table of contents as HTML, prettifies it, serializes it and runs every postprocessor over it
(`md.toc`), and walks the whole tree, joining the text of every element, to put that HTML where
the text holds its marker (`[TOC]`). An article without the marker shows no table of contents,
and the build reads neither `md.toc` nor the tokens: the walk and the HTML are 40% of the
extension's time (0.05 ms an article).

`LeanToc` looks once for the marker in the document's text; when no text holds it, no element's
text can be the marker, so it skips the walk, and gives `md.toc` an empty `<div></div>`. The
heading ids and `md.toc_tokens` are the extension's own, and a document with the marker gets the
table of contents as before."""

from __future__ import annotations

import xml.etree.ElementTree as etree

from markdown import Markdown
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


def install(md: Markdown) -> Markdown:
    """Make md's toc step lean when it is the extension's own."""
    toc = md.treeprocessors["toc"] if "toc" in md.treeprocessors else None
    if type(toc) is TocTreeprocessor:
        toc.__class__ = LeanToc  # the same object and settings; two methods that look first
    return md
