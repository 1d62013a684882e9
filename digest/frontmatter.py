"""The front matter of an article file: where it is, and YAML read without surprises."""

from __future__ import annotations

import re
from typing import Any

import yaml

_CLOSING_FENCE = re.compile(r"^(?:---|\.\.\.)[ \t]*$", re.MULTILINE)
FIRST_LINE = 2  # front matter text starts on the file's second line, after '---'


class _Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """Safe YAML without the timestamp resolver: dates stay text so we can validate them."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def split_front_matter(text: str) -> tuple[str, str] | None:
    """(front matter, body) or None when the text does not open with a closed '---' block."""
    if not text.startswith("---"):
        return None
    first_end = text.find("\n")
    if first_end < 0 or text[:first_end].strip() != "---":
        return None
    match = _CLOSING_FENCE.search(text, first_end + 1)
    if not match:
        return None
    return text[first_end + 1:match.start()], text[match.end() + 1:]


def load_yaml(front: str) -> Any:
    """Parse front matter text; raises yaml.YAMLError as PyYAML does."""
    return yaml.load(front, Loader=_Loader)
