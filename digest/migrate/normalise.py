"""A post's front matter normalised with as few edits as possible: `excerpt`/`description` read as
`summary`, `redirect_from` and old addresses as `aliases`, what the build needs added, a review note."""

from __future__ import annotations

from typing import Any, Mapping

from ..fields import FIELDS
from .front import add_entries, drop_keys, rename_key, render
from .records import Post

SUMMARY_KEYS = ("excerpt", "description")     # the first one written becomes `summary`
ALIAS_KEYS = ("redirect_from", "aliases")


def file_text(post: Post, aliases: tuple[str, ...], review: str, body: str) -> str:
    """The post's whole new file: normalised front matter, then `body`."""
    return render(post.front, front_matter(post, aliases, review), body)


def front_matter(post: Post, aliases: tuple[str, ...], review: str) -> str:
    """The front matter text with only the edits the build needs: `excerpt`/`description` read as
    `summary`, `redirect_from` and old addresses as `aliases`, missing keys added, the review note."""
    front = post.front
    syntax, text, values = front.syntax, front.text, front.values
    spelt: dict[str, str] = {}                 # lower-case key -> as the text spells it now
    for key in map(str, values):
        if key.lower() in FIELDS and key != key.lower():
            text = rename_key(text, key, key.lower(), syntax)   # Hugo reads 'Title' as 'title'
        spelt.setdefault(key.lower(), key.lower() if key.lower() in FIELDS else key)
    if "summary" not in spelt:
        for key in SUMMARY_KEYS:
            if key in spelt:
                text = rename_key(text, spelt[key], "summary", syntax)
                break
    entries: list[tuple[str, Any]] = [(key, value) for key, value in post.added.items() if key != "title"]
    if "title" in post.added:
        entries.insert(0, ("title", post.added["title"]))
    written = [str(a) for a in _as_list(_value(values, "aliases"))]
    if "redirect_from" in spelt or list(aliases) != written:
        text = drop_keys(text, [spelt[k] for k in ALIAS_KEYS if k in spelt], syntax)
        if aliases:
            entries.append(("aliases", list(aliases)))
    if review:
        if "review" in spelt:
            review = f"{_value(values, 'review')}; {review}"
            text = drop_keys(text, [spelt["review"]], syntax)
        entries.append(("review", review))
    return add_entries(text, entries, syntax)


def _value(values: Mapping[str, Any], key: str) -> Any:
    """A key's value however the file spells it ('Aliases' for 'aliases')."""
    return next((v for k, v in values.items() if str(k).lower() == key), None)


def _as_list(value: Any) -> list:
    """A value that may be one item or a list of them, as a list."""
    if value is None:
        return []
    return [value] if isinstance(value, str) else list(value)
