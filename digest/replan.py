"""A long-lived builder's shortcut (the preview's): when all that changed since the last build is
the text, title or summary of articles, the last plan stands. The pages that show those
articles get the new articles swapped in and are fingerprinted again; every other page keeps
its fingerprint. The result is the plan a full build would make.

The text, title or summary only means: the same file, every other front matter field and
derived value the same (date, address, tags, images ...), no image in the old or new text (the
images step rewrites such bodies), no translation of it or by it (a translation's staleness
follows the text), no title change of a plain page (its title is in every page's menu), and
the site model holding the article as read (it gives a title with no ASCII slug a copy of its
own, which is what the pages show).
A title or summary is also in strings the plan makes itself, not only in the article shown:
the article's own head, its redirects' heads and its share card. Those are planned again for
that article alone (`own`), the rest of the site as it was."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, fields
from datetime import datetime
from pathlib import Path
from typing import Any, Callable, Mapping, Sequence

from .cards import Cards, make_cards
from .config import Config
from .content import Article
from .fingerprint import TEXT_FIELDS, field_names
from .i18n import Strings
from .model import Site
from .plan import PageSpec, generated_spec, own_specs

HEAD_FIELDS = ("title", "summary")   # shown by the article, and in its head and share card
_OTHER_FIELDS = tuple(f.name for f in fields(Article) if f.name not in TEXT_FIELDS and f.name not in HEAD_FIELDS)

Swaps = Mapping[int, tuple[Article, Article]]   # id(old article) -> (old, new)


def text_edits(before: Sequence[Article], after: Sequence[Article],
               versions: Mapping[str, Mapping[str, Article]]) -> dict[int, tuple[Article, Article]] | None:
    """The articles whose text, title or summary alone changed, by the old one's identity; None
    when anything else changed. `before` and `after` are the articles read, in source order;
    `versions` every article read by the key its translations share."""
    if len(before) != len(after):
        return None
    found = {}
    for old, new in zip(before, after):
        if old is new:
            continue
        if not text_only(old, new) or old.translation_of or len(versions.get(old.key, {})) != 1:
            return None
        found[id(old)] = (old, new)
    return found


def text_only(old: Article, new: Article) -> bool:
    """Whether only the text, title or summary differ, and neither has an image."""
    if old.has_images or new.has_images or old.image or new.image or (old.is_page and old.title != new.title):
        return False
    return all(getattr(old, name) == getattr(new, name) for name in _OTHER_FIELDS)


def heads_changed(old: Article, new: Article) -> bool:
    """Whether the edit changed what the plan itself writes of the article (HEAD_FIELDS)."""
    return any(getattr(old, name) != getattr(new, name) for name in HEAD_FIELDS)


def swap(value: Any, swaps: Swaps) -> Any:
    """The value with each old article replaced by its new one, rebuilt only where one was found."""
    def new_of(article: Article) -> Article:
        found = swaps.get(id(article))
        return found[1] if found is not None and found[0] is article else article

    return replaced(value, new_of)


def replaced(value: Any, new_of: Callable[[Article], Article]) -> Any:
    """The value with each article a replaced by new_of(a), rebuilt only where that differs."""
    kind = type(value)
    if kind is Article:
        return new_of(value)
    if kind is tuple or kind is list:
        items = [replaced(item, new_of) for item in value]
        return value if all(a is b for a, b in zip(items, value)) else kind(items)
    if kind is dict:
        mapped = {key: replaced(item, new_of) for key, item in value.items()}
        return value if all(mapped[k] is v for k, v in value.items()) else mapped
    if dataclasses.is_dataclass(value):
        changes = {}
        for name in field_names(kind):
            old = getattr(value, name)
            new = replaced(old, new_of)
            if new is not old:
                changes[name] = new
        return dataclasses.replace(value, **changes) if changes else value
    return value


def latest(articles: Sequence[Article]) -> Callable[[Article], Article]:
    """For an article of the site model, which holds each as the last full plan made it, its
    latest version among `articles` (the object the pages show), unless the model's is a copy of
    its own, differing from the article read in more than its text, title and summary (the slug
    the model gives a title with no ASCII one)."""
    by_source = {a.source: a for a in articles}

    def latest_of(article: Article) -> Article:
        found = by_source.get(article.source, article)
        return found if all(getattr(found, name) == getattr(article, name) for name in _OTHER_FIELDS) else article

    return latest_of


@dataclass(frozen=True, slots=True)
class Own:
    """An article planned again alone, after an edit of its title or summary."""

    specs: tuple[PageSpec, ...]        # its page and its redirects, planned from the last site model
    files: Mapping[str, PageSpec]      # path -> the file that replaces it (its share card, drawn again)
    cards: Cards | None                # the site's cards with its own


# (the new article, the cards so far) -> its own files, or None when they cannot replace the old ones
PlanOwn = Callable[[Article, "Cards | None"], "Own | None"]


def plan_own(site: Site, strings: Strings, config: Config, cache: Path, article: Article,
             cards: Cards | None) -> Own | None:
    """An article's page, redirects and share card planned again, after its title or summary
    changed: the rest of the site stays as the last plan (of `site`) made it. A PlanOwn, once
    the first four are given; `cache` is where images and cards are kept."""
    files = {}
    if cards is not None:
        made = make_cards(config, strings, (article,), 1, cache)
        before, cards = cards.articles.get(article.source, ("", ""))[0], cards.with_card(made, article.source)
        if cards is None:
            return None
        after = cards.articles[article.source][0]
        if after != before:
            files[before] = generated_spec(after, cards.files[after], "card")
    return Own(tuple(own_specs(site, strings, cards, article)), files, cards)


@dataclass(frozen=True, slots=True)
class Replanned:
    """The last plan with text edits swapped in: its files, their fingerprints, who shows what."""

    articles: tuple[Article, ...]       # the planned articles (after the images step), swapped
    specs: tuple[PageSpec, ...]
    keys: tuple[str, ...]
    shows: dict[int, list[int]]         # id(article) -> indexes of the files that show it
    cards: Cards | None


def replan(read_before: Sequence[Article], read_now: Sequence[Article], site: Site, planned: Sequence[Article],
           specs: Sequence[PageSpec], keys: Sequence[str], shows: Mapping[int, list[int]], now: datetime,
           rekey: Callable[[list[PageSpec]], list[str]], cards: Cards | None, own: PlanOwn) -> Replanned | None:
    """The plan after text, title and summary edits, or None when something else changed (then
    plan again). Only the files that show an edited article are fingerprinted again, by `rekey`."""
    if any(site.now < a.date <= now for a in read_now):
        return None  # an article came of age since: the lists change
    swaps = text_edits(read_before, read_now, site.read)
    if swaps is None:
        return None
    # The site model may hold its own copy of an article, not the one read (a title with no ASCII
    # slug gets one there): the pages show that copy, which a swap by identity would miss
    model = {a.source: a for edition in site.editions for a in edition.articles + edition.pages}
    for old, _ in swaps.values():
        held = model.get(old.source)
        if held is not None and any(getattr(held, name) != getattr(old, name) for name in _OTHER_FIELDS):
            return None
    specs, keys, shows = list(specs), list(keys), dict(shows)
    touched = {i for key in swaps for i in shows.get(key, ())}
    for i in touched:
        specs[i] = swap(specs[i], swaps)
    articles = tuple(swap(list(planned), swaps))
    if any(heads_changed(old, new) for old, new in swaps.values()):
        latest_of = latest(articles)
        at = {spec.path: i for i, spec in enumerate(specs)}
        for key, (old, new) in swaps.items():
            if not heads_changed(old, new) or key not in shows:
                continue  # unchanged for the plan, or shown nowhere (a draft, an article not yet out)
            made = own(new, cards)
            if made is None or any(at.get(s.path) not in shows.get(key, ()) for s in made.specs) \
                    or any(path not in at for path in made.files):
                return None
            cards = made.cards
            for spec in made.specs:
                specs[at[spec.path]] = replaced(spec, latest_of)
            for path, spec in made.files.items():
                specs[at[path]] = spec
                touched.add(at[path])
    todo = sorted(touched)
    for i, key in zip(todo, rekey([specs[i] for i in todo])):
        keys[i] = key
    for key, (old, new) in swaps.items():
        if key in shows:
            shows[id(new)] = shows.pop(key)
    return Replanned(articles, tuple(specs), tuple(keys), shows, cards)
