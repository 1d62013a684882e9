"""A long-lived builder's shortcut (the preview's): when all that changed since the last build is
the text of articles, and nothing but their own pages and feeds shows that text, the last plan
stands. The pages that show those articles get the new articles swapped in and are fingerprinted
again; every other page keeps its fingerprint. The result is the plan a full build would make.

Text only means: the same file, every front matter field and derived value the same (title,
date, summary, tags, images ...), no image in the old or new text (the images step rewrites
such bodies), and no translation of it or by it (a translation's staleness follows the text)."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any, Callable, Mapping, Sequence

from .content import Article
from .fingerprint import field_names
from .model import Site
from .plan import PageSpec

TEXT_FIELDS = frozenset({"packed_body", "digest", "text_version"})
_OTHER_FIELDS = tuple(f.name for f in fields(Article) if f.name not in TEXT_FIELDS)

Swaps = Mapping[int, tuple[Article, Article]]   # id(old article) -> (old, new)


def text_edits(before: Sequence[Article], after: Sequence[Article],
               versions: Mapping[str, Mapping[str, Article]]) -> dict[int, tuple[Article, Article]] | None:
    """The articles whose text alone changed, by the old one's identity; None when anything else
    changed. `before` and `after` are the articles read, in source order; `versions` every
    article read by the key its translations share."""
    if len(before) != len(after):
        return None
    found = {}
    for old, new in zip(before, after):
        if old is new:
            continue
        if not _text_only(old, new) or old.translation_of or len(versions.get(old.key, {})) != 1:
            return None
        found[id(old)] = (old, new)
    return found


def _text_only(old: Article, new: Article) -> bool:
    if old.has_images or new.has_images or old.image or new.image:
        return False
    return all(getattr(old, name) == getattr(new, name) for name in _OTHER_FIELDS)


def swap(value: Any, swaps: Swaps) -> Any:
    """The value with each old article replaced by its new one, rebuilt only where one was found."""
    kind = type(value)
    if kind is Article:
        found = swaps.get(id(value))
        return found[1] if found is not None and found[0] is value else value
    if kind is tuple or kind is list:
        items = [swap(item, swaps) for item in value]
        return value if all(a is b for a, b in zip(items, value)) else kind(items)
    if kind is dict:
        mapped = {key: swap(item, swaps) for key, item in value.items()}
        return value if all(mapped[k] is v for k, v in value.items()) else mapped
    if dataclasses.is_dataclass(value):
        changes = {}
        for name in field_names(kind):
            old = getattr(value, name)
            new = swap(old, swaps)
            if new is not old:
                changes[name] = new
        return dataclasses.replace(value, **changes) if changes else value
    return value


@dataclass(frozen=True, slots=True)
class Replanned:
    """The last plan with text edits swapped in: its files, their fingerprints, who shows what."""

    articles: tuple[Article, ...]       # the planned articles (after the images step), swapped
    specs: tuple[PageSpec, ...]
    keys: tuple[str, ...]
    shows: dict[int, list[int]]         # id(article) -> indexes of the files that show it


def replan(read_before: Sequence[Article], read_now: Sequence[Article], site: Site, planned: Sequence[Article],
           specs: Sequence[PageSpec], keys: Sequence[str], shows: Mapping[int, list[int]], now: datetime,
           rekey: Callable[[list[PageSpec]], list[str]]) -> Replanned | None:
    """The plan after text edits, or None when something else changed (then plan again). Only
    the files that show an edited article are fingerprinted again, by `rekey`."""
    if any(site.now < a.date <= now for a in read_now):
        return None  # an article came of age since: the lists change
    swaps = text_edits(read_before, read_now, site.read)
    if swaps is None:
        return None
    specs, keys, shows = list(specs), list(keys), dict(shows)
    touched = sorted({i for key in swaps for i in shows.get(key, ())})
    for i in touched:
        specs[i] = swap(specs[i], swaps)
    for i, key in zip(touched, rekey([specs[i] for i in touched])):
        keys[i] = key
    for key, (old, new) in swaps.items():
        if key in shows:
            shows[id(new)] = shows.pop(key)
    return Replanned(tuple(swap(list(planned), swaps)), tuple(specs), tuple(keys), shows)
