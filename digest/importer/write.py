"""Draft -> the article file: YAML front matter the build reads, then Markdown-escaped paragraphs."""

from __future__ import annotations

import re
from types import MappingProxyType

from ..config import Config
from .records import Draft

# Markdown escaping: one pass over the text, so nothing is escaped twice. Runs of -- and ...
# are always escaped (\- and \. work in any Markdown); quotes only when a typographic
# extension (smarty, digest.typography) would curl them, in the form that extension undoes.
QUOTES_KEPT, QUOTES_BACKSLASH, QUOTES_ENTITY = "kept", "backslash", "entity"
# Same as `[chars]|-{2,}|\.{3,}`, written to start with one character class: five times faster.
_ESCAPE_WITHOUT_QUOTES = re.compile(r"[-.\\`*_\[\]{}&<>](?:(?<=-)-+|(?<=\.)\.\.+|(?<=[^-.]))")
_ESCAPE_WITH_QUOTES = re.compile(r"[-.\\`*_\[\]{}&<>\"'](?:(?<=-)-+|(?<=\.)\.\.+|(?<=[^-.]))")
_ENTITIES = MappingProxyType({"&": "&amp;", "<": "&lt;", ">": "&gt;"})
_QUOTE_ENTITIES = MappingProxyType({'"': "&quot;", "'": "&#39;"})
_QUOTE_PROBE = "\"Sample\" 'probe' it's"
_ORDERED_ITEM = re.compile(r"^(\d+)\.(?=\s|$)")

# YAML scalars: characters that must be written as escapes inside double quotes.
_YAML_UNSAFE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\ufeff\ud800-\udfff\ufffe\uffff\"\\]")
_YAML_WORDS = frozenset("y n yes no on off true false null".split())


def escape_markdown(paragraph: str, quotes: str = QUOTES_BACKSLASH) -> str:
    """Escape a plain-text paragraph so Markdown renders exactly these characters."""
    pattern = _ESCAPE_WITHOUT_QUOTES if quotes == QUOTES_KEPT else _ESCAPE_WITH_QUOTES

    def escape(match: re.Match[str]) -> str:
        found = match.group()
        if found in _ENTITIES:
            return _ENTITIES[found]
        if quotes == QUOTES_ENTITY and found in _QUOTE_ENTITIES:
            return _QUOTE_ENTITIES[found]
        return "".join("\\" + ch for ch in found)  # a run of -- or ... is escaped char by char

    text = pattern.sub(escape, paragraph)
    # Block syntax only matters at the start of a paragraph.
    if text.startswith(("#", "+", "-")):
        text = "\\" + text
    elif text.startswith(":"):
        text = "&#58;" + text[1:]          # a definition list (extra) has no backslash escape
    elif text.startswith("~~~"):
        text = "&#126;" + text[1:]         # a fenced code block (extra)
    else:
        text = _ORDERED_ITEM.sub(r"\1\\.", text, count=1)
    return text


def yaml_scalar(value: str, in_flow: bool = False) -> str:
    """A YAML scalar that loads back as exactly `value`: plain when safe, else double-quoted."""
    if _plain_is_safe(value, in_flow):
        return value
    escaped = _YAML_UNSAFE.sub(_yaml_escape, value)
    return f'"{escaped}"'


def _yaml_escape(match: re.Match[str]) -> str:
    """The double-quoted YAML escape for one unsafe character."""
    ch = match.group()
    if ch in '"\\':
        return "\\" + ch
    return f"\\u{ord(ch):04x}"


def _plain_is_safe(value: str, in_flow: bool) -> bool:
    """Whether the value, unquoted, loads back as the same string."""
    if not value or not value[0].isalpha() or value != value.strip() or _YAML_UNSAFE.search(value):
        return False
    if value.lower() in _YAML_WORDS or ": " in value or " #" in value or value.endswith(":"):
        return False
    if not value.isprintable():
        return False
    return not (in_flow and any(ch in value for ch in ",[]{}:?#"))


def quote_escaping(config: Config) -> str:
    """How the site's Markdown extensions need straight quotes escaped: try them on a sample."""
    import html

    import markdown

    md = markdown.Markdown(extensions=list(config.markdown_extensions),
                           extension_configs=dict(config.markdown_extension_configs))

    def renders_as_probe(source: str) -> bool:
        return html.unescape(re.sub(r"<[^>]+>", "", md.reset().convert(source))).strip() == _QUOTE_PROBE

    if renders_as_probe(_QUOTE_PROBE):
        return QUOTES_KEPT
    if renders_as_probe(escape_markdown(_QUOTE_PROBE, QUOTES_BACKSLASH)):
        return QUOTES_BACKSLASH
    return QUOTES_ENTITY    # entities are stashed before any typographer sees the text


def to_markdown(draft: Draft, quotes: str = QUOTES_BACKSLASH) -> str:
    """The article file: front matter the build reads, then the escaped paragraphs."""
    lines = ["---", f"title: {yaml_scalar(draft.title)}", f"date: {draft.date}"]
    for key, value in (("dateline", draft.dateline), ("source", draft.source),
                       ("source_url", draft.source_url), ("author", draft.author), ("lang", draft.lang)):
        if value:
            lines.append(f"{key}: {yaml_scalar(value)}")
    if draft.tags:
        lines.append(f"tags: [{', '.join(yaml_scalar(tag, in_flow=True) for tag in draft.tags)}]")
    if draft.summary:
        lines.append(f"summary: {yaml_scalar(draft.summary)}")
    if draft.is_draft:
        lines += ["draft: true", f"review: {yaml_scalar(draft.review)}"]
    if draft.imported_from:
        lines.append(f"imported_from: {yaml_scalar(draft.imported_from)}")
    lines.append("---")
    body = "\n\n".join(escape_markdown(paragraph, quotes) for paragraph in draft.paragraphs)
    return "\n".join(lines) + "\n" + body + "\n"
