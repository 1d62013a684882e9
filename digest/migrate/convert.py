"""One post's new file: its front matter normalised with as few edits as possible, its body rewritten."""

from __future__ import annotations

from typing import Any, Mapping

from ..content import FIELDS
from .aliases import Placed
from .front import add_entries, drop_keys, rename_key, render
from .links import LinkMap, rewrite_body
from .records import Review

SUMMARY_KEYS = ("excerpt", "description")     # the first one written becomes `summary`
ALIAS_KEYS = ("redirect_from", "aliases")


def convert(item: Placed, links: LinkMap) -> tuple[str, Review | None]:
    """The file's new text, and what an editor should review in it (None when nothing)."""
    post = item.post
    page = item.path or ""
    body, leftovers = rewrite_body(links, post.source, post.front.body_line, post.front.body, page,
                                   post.old_url, post.folder)
    notes = list(item.notes)
    if item.path is None:
        notes.append("our build cannot read its date or slug, so its links were not made relative to its page")
    shown = ([f"left from {links.generator}: " + "; ".join(str(x) for x in leftovers)] if leftovers else []) + notes
    review = Review(post.target, leftovers, tuple(notes)) if shown else None
    return render(post.front, front_matter(item, "; ".join(shown)), body), review


def front_matter(item: Placed, review: str) -> str:
    """The front matter text with only the edits the build needs: `excerpt`/`description` read as
    `summary`, `redirect_from` and old addresses as `aliases`, missing keys added, the review note."""
    front, post = item.post.front, item.post
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
    if "redirect_from" in spelt or list(item.aliases) != written:
        text = drop_keys(text, [spelt[k] for k in ALIAS_KEYS if k in spelt], syntax)
        if item.aliases:
            entries.append(("aliases", list(item.aliases)))
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
