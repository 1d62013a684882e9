"""The front matter of an article file: where it is, and its keys read without surprises.

Read as other generators write it: YAML between `---` lines (Jekyll, Hugo, ours) or TOML
between `+++` lines (Hugo), after any blank lines or byte-order mark."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import yaml

_CLOSING = {"---": re.compile(r"^(?:---|\.\.\.)[ \t]*$", re.MULTILINE),
            "+++": re.compile(r"^\+\+\+[ \t]*$", re.MULTILINE)}
FIRST_LINE = 2  # front matter text starts on the file's second line, after '---'


class _Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """Safe YAML without the timestamp resolver: dates stay text so we can validate them."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


@dataclass(frozen=True, slots=True)
class FrontMatter:
    """Where a file's front matter is and what language it is written in."""

    fence: str          # '---' (YAML) or '+++' (TOML)
    text: str           # between the fences
    body: str           # after the closing fence
    first_line: int     # the file's line number of the first line of `text`


def find_front_matter(text: str) -> FrontMatter | None:
    """The front matter after any blank lines and byte-order mark, or None when the text does
    not open with a closed '---' or '+++' block."""
    text = text.removeprefix("\ufeff")
    stripped = text.lstrip("\n\r\t \ufeff")
    skipped = text[:len(text) - len(stripped)].count("\n")
    fence = stripped[:3]
    if fence not in _CLOSING:
        return None
    first_end = stripped.find("\n")
    if first_end < 0 or stripped[:first_end].strip() != fence:
        return None
    match = _CLOSING[fence].search(stripped, first_end + 1)
    if not match:
        return None
    return FrontMatter(fence, stripped[first_end + 1:match.start()], stripped[match.end() + 1:], skipped + 2)


def split_front_matter(text: str) -> tuple[str, str] | None:
    """(front matter, body) of a file with YAML front matter, or None."""
    found = find_front_matter(text)
    return (found.text, found.body) if found is not None and found.fence == "---" else None


def opens_front_matter(text: str) -> bool:
    """Whether the text starts a front matter block (closed or not), after any blank lines."""
    return text.removeprefix("\ufeff").lstrip("\n\r\t \ufeff")[:3] in _CLOSING


def load_yaml(front: str) -> Any:
    """Parse YAML front matter; raises yaml.YAMLError as PyYAML does."""
    simple = _plain_mapping(front)
    return simple if simple is not None else yaml.load(front, Loader=_Loader)


# Front matter as editors and importers write it, read without PyYAML, whose constructor is
# Python and takes a tenth of an article's read (0.02 ms): one `key: value` a line, the value
# a plain word or sentence, a quoted one without escapes, a [list, of, words] or a list of
# `- item` lines. Anything else, or any doubt, is PyYAML's, and what this gives is what PyYAML
# gives (tests/test_frontmatter.py compares the two on generated front matter).
_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")
_PLAIN_START = frozenset("-?:,[]{}#&*!|>'\"%@` ")   # a plain scalar starting with one is not simple


def _plain_mapping(front: str) -> dict[str, Any] | None:
    """The mapping PyYAML reads from `front`, when every line is simple; else None."""
    found: dict[str, Any] = {}
    lines = front.split("\n")
    at = 0
    while at < len(lines):
        line = lines[at]
        at += 1
        if not line.strip(" "):
            continue
        if not line.isprintable():   # a tab, a control or a line or paragraph separator
            return None
        key, colon, rest = line.partition(":")
        if not colon or len(key) > 1024 or not _KEY.fullmatch(key) or not _is_text(key):  # YAML: keys up to 1024
            return None
        value = rest.strip(" ")
        if not value:  # a list of `- item` lines, each as far in as the first
            items: list[str | None] = []
            margin = None
            while at < len(lines) and (item := lines[at].lstrip(" ")).startswith("- "):
                if margin is None:
                    margin = len(lines[at]) - len(item)
                if len(lines[at]) - len(item) != margin or not item.isprintable():
                    return None
                items.append(_item(item[2:].strip(" ")))
                at += 1
            if not items or None in items:
                return None
            found[key] = items
            continue
        if rest[:1] != " ":
            return None
        scalar = _scalar(value)
        if scalar is None:
            if value[0] != "[" or value[-1] != "]":
                return None
            inner = value[1:-1].strip(" ")
            items = [_word(item.strip(" ")) for item in inner.split(",")] if inner else []
            if None in items:
                return None
            scalar = items
        found[key] = scalar
    return found or None


def _scalar(value: str) -> str | None:
    """A quoted string without escapes, or a plain one that PyYAML reads as text."""
    if value[0] == '"':
        inner = value[1:-1]
        return inner if len(value) > 1 and value[-1] == '"' and '"' not in inner and "\\" not in inner else None
    if value[0] == "'":
        inner = value[1:-1]
        return (inner.replace("''", "'") if len(value) > 1 and value[-1] == "'" and "'" not in inner.replace("''", "")
                else None)
    if value[0] in _PLAIN_START or ": " in value or " #" in value or value.endswith(":") or not _is_text(value):
        return None
    return value


def _item(value: str) -> str | None:
    """An item of a block list: a quoted or plain scalar."""
    return _scalar(value) if value else None


def _word(value: str) -> str | None:
    """An item of a [flow, list]: a plain scalar without the marks that end or question one there
    (libyaml refuses ':?' in a list, PyYAML's own parser any '?')."""
    if not value or any(mark in value for mark in ",[]{}:?"):
        return None
    return _scalar(value)


def _is_text(value: str) -> bool:
    """Whether PyYAML reads this plain scalar as a string (no implicit resolver claims it)."""
    resolvers = _Loader.yaml_implicit_resolvers
    return not any(regexp.match(value) for _, regexp in resolvers.get(value[0], []) + resolvers.get(None, []))


def load_toml(front: str) -> Any:
    """Parse TOML front matter; raises tomllib.TOMLDecodeError."""
    import tomllib

    return tomllib.loads(front)
