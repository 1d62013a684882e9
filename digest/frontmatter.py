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
    return yaml.load(front, Loader=_Loader)


def load_toml(front: str) -> Any:
    """Parse TOML front matter; raises tomllib.TOMLDecodeError."""
    import tomllib

    return tomllib.loads(front)
