"""Who answers at each address once migrated: posts our build would put at one address, pages that
would take an address the build makes itself, and which old addresses each post keeps as aliases."""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from typing import Mapping

from ..config import Config
from ..errors import Problem
from .records import Post
from .urls import address_key, our_path

# Addresses the build writes for itself (plan.py): the front page, lists, feeds, 404.
_BUILT = frozenset({"", "404.html", "feed.xml", "sitemap.xml", "robots.txt", "CNAME"})
_BUILT_FOLDERS = frozenset({"tags", "archive", "page"})
_ARCHIVE = re.compile(r"\d{4}/(?:\d{2}/)?")
_DATE_PREFIX = re.compile(r"^\d{4}-\d{1,2}-\d{1,2}-")


@dataclass(frozen=True, slots=True)
class Placed:
    """A post with the folder our build will write it to, and the aliases it keeps."""

    post: Post
    path: str | None                 # None when the build cannot read its date
    aliases: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()      # for its review: aliases left out, and why


def built_by_us(key: str) -> bool:
    """Whether the build writes this address itself (an address_key): front page, lists, archives, feeds."""
    return key in _BUILT or key.split("/", 1)[0] in _BUILT_FOLDERS or bool(_ARCHIVE.fullmatch(key)) \
        or (key.startswith("sitemap-") and key.endswith(".xml"))


def place(config: Config, posts: tuple[Post, ...], warnings: list[Problem]) -> list[Placed]:
    """Each post with its folder; a page at an address the build makes itself is left out, and posts
    at one address get the old file's slug (said in a warning)."""
    placed: list[Placed] = []
    taken: dict[str, str] = {}
    for post in posts:
        path, problems = our_path(config, post)
        warnings += [Problem(p.path, p.line, f"{p.message} (the build will stop here: fix it after migrating)")
                     for p in problems]
        if path is not None and built_by_us(address_key(path)):
            warnings.append(Problem(post.source, None, f"would be served at /{path}, which our build makes itself: "
                                                       "not migrated"))
            continue
        if path is not None and address_key(path) in taken:
            path, post = _own_slug(config, post, path, taken, warnings)
        if path is not None:
            taken[address_key(path)] = post.target
        placed.append(Placed(post, path))
    return placed


def _own_slug(config: Config, post: Post, path: str, taken: Mapping[str, str],
              warnings: list[Problem]) -> tuple[str | None, Post]:
    """A post whose title gives another post's address: the slug its old file name gives, made unique."""
    name = post.target.rsplit("/", 2)[-2] if post.target.endswith(("/index.md",)) or post.bundle \
        else post.target.rsplit("/", 1)[-1].split(".", 1)[0]
    base = _DATE_PREFIX.sub("", name)
    for n in range(1, 100):
        slug = base if n == 1 else f"{base}-{n}"
        candidate, _ = our_path(config, post, slug)
        if candidate is not None and address_key(candidate) not in taken:
            warnings.append(Problem(post.source, None, f"its title gives /{path}, as {taken[address_key(path)]}'s "
                                                       f"does: written with 'slug: {slug}'"))
            return candidate, dataclasses.replace(post, added={**post.added, "slug": slug})
    return path, post


def keep_aliases(placed: list[Placed]) -> list[Placed]:
    """Each post's aliases: those written, and its old address when ours differs; one that is
    another post's address or alias, or one the build makes itself, is left out with a note."""
    owner: dict[str, str] = {address_key(p.path): p.post.target for p in placed if p.path is not None}
    result = []
    for item in placed:
        own = address_key(item.path) if item.path is not None else None
        wanted = list(item.post.aliases)
        if item.post.old_url:
            wanted.append(item.post.old_url)
        kept: dict[str, str] = {}
        notes: list[str] = []
        for alias in wanted:
            key = address_key(alias)
            if key == own or key in kept:
                continue
            other = owner.get(key)
            if other is not None and other != item.post.target:
                notes.append(f"alias {alias} not kept: it is also {other}'s")
            elif built_by_us(key):
                notes.append(f"alias {alias} not kept: our build makes that page itself")
            else:
                kept[key] = alias
                owner[key] = item.post.target
        result.append(dataclasses.replace(item, aliases=tuple(kept.values()), notes=tuple(notes)))
    return result
