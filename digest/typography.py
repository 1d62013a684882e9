"""A Python-Markdown extension for smart quotes, dashes and ellipses, at a fraction of smarty's cost.

`smarty` adds a dozen inline patterns that every piece of text is matched against, which
doubles the time Markdown takes per article. This does the same job in one pass over the
finished text nodes, writing the characters themselves (“ ” ‘ ’ – — …) instead of entities.
Code, preformatted text and backslash-escaped characters are left as written.
Use it in site.yaml as `markdown_extensions: [..., digest.typography]`."""

from __future__ import annotations

import re
import xml.etree.ElementTree as etree
from typing import Any

from markdown import Markdown
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor
from markdown.util import AtomicString

_VERBATIM = frozenset({"code", "pre", "kbd", "samp", "script", "style", "math"})
_QUOTE = re.compile(r"['\"]")
_OPENERS = frozenset("([{<\u2014\u2013-/\u201c\u2018\u00a0")


def _opens(prev: str | None) -> bool:
    return prev is None or prev.isspace() or prev in _OPENERS


def educate(text: str, prev: str | None, nxt: str | None) -> str:
    """Curl the quotes of one text run, given the characters just before and after it."""
    if "--" in text:
        text = text.replace("---", "\u2014").replace("--", "\u2013")
    if "..." in text:
        text = text.replace("...", "\u2026")
    if '"' not in text and "'" not in text:
        return text
    out = []
    last = 0
    for match in _QUOTE.finditer(text):
        i = match.start()
        before = text[i - 1] if i else prev
        after = text[i + 1] if i + 1 < len(text) else nxt
        starts = _opens(before) and after is not None and not after.isspace()
        if match.group() == '"':
            curly = "\u201c" if starts else "\u201d"
        elif before is not None and before.isalnum():
            curly = "\u2019"                       # it's, the '80s of words, closing
        elif starts and not after.isdigit():      # type: ignore[union-attr]
            curly = "\u2018"
        else:
            curly = "\u2019"                       # '80s, or a quote that closes
        out.append(text[last:i])
        out.append(curly)
        last = i + 1
    out.append(text[last:])
    return "".join(out)


class TypographyTreeprocessor(Treeprocessor):
    """Curl quotes and set dashes in every text run outside code, in document order."""

    def run(self, root: etree.Element) -> None:
        runs: list[tuple[etree.Element, str, bool]] = []  # (element, 'text' or 'tail', verbatim)

        def collect(element: etree.Element, verbatim: bool) -> None:
            inside = verbatim or element.tag in _VERBATIM
            if element.text:
                runs.append((element, "text", inside or isinstance(element.text, AtomicString)))
            for child in element:
                collect(child, inside)
                if child.tail:
                    runs.append((child, "tail", verbatim or isinstance(child.tail, AtomicString)))

        collect(root, False)
        texts = [getattr(element, attr) for element, attr, _ in runs]
        for n, (element, attr, verbatim) in enumerate(runs):
            text = texts[n]
            if verbatim or not ('"' in text or "'" in text or "--" in text or "..." in text):
                continue  # nothing to set (educate would give the text back)
            prev = texts[n - 1][-1] if n else None
            nxt = texts[n + 1][0] if n + 1 < len(texts) else None
            new = educate(text, prev, nxt)
            if new is not text:
                setattr(element, attr, new)


class TypographyExtension(Extension):
    """Register the tree processor after inline patterns, before escapes are restored."""

    def extendMarkdown(self, md: Markdown) -> None:
        md.treeprocessors.register(TypographyTreeprocessor(md), "typography", 6)
        # As with smarty, \" and \' keep a straight quote.
        md.ESCAPED_CHARS.extend(c for c in "\"'" if c not in md.ESCAPED_CHARS)


def makeExtension(**kwargs: Any) -> TypographyExtension:
    """Python-Markdown's entry point for `digest.typography`."""
    return TypographyExtension(**kwargs)
