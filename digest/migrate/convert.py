"""One post's new file: its body rewritten, its front matter normalised, and what is left to review."""

from __future__ import annotations

from .aliases import Placed
from .links import LinkMap, rewrite_body
from .normalise import file_text
from .records import Review


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
    return file_text(post, item.aliases, "; ".join(shown), body), review
