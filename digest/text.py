"""Small text rules that several stages share, each written once."""

from __future__ import annotations

import re
from typing import Iterable
from urllib.parse import urlsplit

from .slugs import slugify

# English names, not calendar.month_name: that follows the machine's locale.
MONTH_NAMES = ("January", "February", "March", "April", "May", "June", "July", "August",
               "September", "October", "November", "December")


def month_name(number: int) -> str:
    """'January' for 1 ... 'December' for 12."""
    return MONTH_NAMES[number - 1]


def cut_at_word(text: str, limit: int) -> str:
    """The text, or when longer than `limit` its last whole words within it and an ellipsis."""
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0].rstrip(" ,;:–—-") + "…"


def unique_tags(tags: Iterable[str]) -> tuple[str, ...]:
    """Tags in order, blanks dropped, inner spaces collapsed, one per slug (the first spelling)."""
    seen: dict[str, str] = {}
    for tag in tags:
        name = " ".join(tag.split())
        slug = slugify(name)
        if slug and slug not in seen:
            seen[slug] = name
    return tuple(seen.values())


def is_http_url(url: str) -> bool:
    """Whether a string is an absolute http:// or https:// address with a host."""
    parts = urlsplit(url)
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def key_line(text: str, key: str, first_line: int = 1) -> int | None:
    """The line of a top-level `key:` (YAML) or `key =` (TOML) in text whose first line is `first_line`."""
    match = re.search(rf"^{re.escape(key)}\s*[:=]", text, re.MULTILINE)
    return text.count("\n", 0, match.start()) + first_line if match else None
