"""Addresses: where the build will put a migrated post, when two addresses are the same, and the
link from one page to another."""

from __future__ import annotations

import dataclasses
import hashlib
import re
from datetime import datetime
from typing import Any, Mapping
from urllib.parse import unquote

from ..config import Config
from ..content import output_path, read_article
from ..errors import Problem
from .normalise import file_text
from .records import Post

_PLACEHOLDER = re.compile(r":([a-z_]+)")


def our_path(config: Config, post: Post, slug: str = "") -> tuple[str | None, tuple[Problem, ...]]:
    """The folder (or .html file) the build will write a post's page to, '2014/09/a-title/', found by
    the engine's own reader; None, with the reader's problems, when the build could not read it."""
    if slug:
        post = dataclasses.replace(post, added={**post.added, "slug": slug})
    text = file_text(post, (), "", "")   # the address depends on the front matter alone
    result = read_article(post.target, text.encode("utf-8"), config, "")
    article = result.article
    if article is None:
        return None, result.problems
    if not article.slug:  # a title with no ASCII letters: the build names it after its file (model.py)
        named = "article-" + hashlib.blake2b(post.target.encode(), digest_size=4).hexdigest()
        return output_path(config, article.date, named, article.is_page, _language(config, article.lang)), ()
    return article.path, ()


def _language(config: Config, lang: str) -> str:
    """A language code as output_path takes it: '' for the default language."""
    return lang if lang in config.language_codes and lang != config.language else ""


def address_key(address: str) -> str:
    """An address as compared: no leading slash, no 'index.html', no %-escapes, a folder's final '/'
    ('/a/index.html' and '/a' -> 'a/'), as the build reads aliases."""
    key = unquote(address.split("#")[0].split("?")[0]).strip().lstrip("/").removesuffix("index.html")
    if key and not key.endswith("/") and "." not in key.rsplit("/", 1)[-1]:
        key += "/"
    return key


def page_link(page: str, target: str, fragment: str = "") -> str:
    """A link from the page in folder `page` ('2014/09/x/') to `target` (from the site root), relative
    to the page, so that it works under any base path: '../../../assets/a.png', or 'a.png' beside it."""
    target = target.lstrip("/")
    if page and target.startswith(page) and target != page:
        link = target[len(page):]             # a file beside the page, such as a bundle's image
    else:
        link = "../" * page.count("/") + target
    return (link or "./") + (f"#{fragment}" if fragment else "")


def date_text(value: Any) -> str:
    """A front-matter date as 'YYYY-MM-DD...' text, whatever YAML or TOML made of it."""
    return value.isoformat() if hasattr(value, "isoformat") else str(value or "").strip()


def address_date(value: Any, zone: Any) -> datetime:
    """A date as an old generator formats it into addresses: in `zone` when given, else as written."""
    text = date_text(value)
    try:
        found = datetime.fromisoformat(re.sub(r"\s+([+-]\d\d):?(\d\d)$", r"\1:\2", text.replace("Z", "+00:00")))
    except ValueError:
        found = datetime.fromisoformat(text[:10]) if re.match(r"\d{4}-\d\d-\d\d", text) else datetime(1970, 1, 1)
    return found.astimezone(zone) if found.tzinfo and zone else found


def expand(template: str, holders: Mapping[str, str]) -> str:
    """A permalink template with its placeholders filled in, '//' collapsed, a leading '/'."""
    url = _PLACEHOLDER.sub(lambda m: _longest(m.group(1), holders), template)
    return "/" + re.sub(r"/{2,}", "/", url).lstrip("/")


def _longest(name: str, holders: Mapping[str, str]) -> str:
    """The value of the longest placeholder `name` starts with (':titlefoo' is ':title' and 'foo')."""
    for end in range(len(name), 0, -1):
        if name[:end] in holders:
            return holders[name[:end]] + name[end:]
    return ":" + name
