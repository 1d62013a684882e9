"""Addresses: where the build will put a migrated post, when two addresses are the same, and the
link from one page to another."""

from __future__ import annotations

import hashlib
import re
from datetime import datetime
from typing import Any, Mapping
from urllib.parse import unquote

from ..config import Config
from ..content import FIELDS, language_from_name, output_path, parse_date
from ..slugs import slugify
from .records import PAGE, Post

_PLACEHOLDER = re.compile(r":([a-z_]+)")


def our_path(config: Config, post: Post, slug: str = "") -> str | None:
    """The folder the build will write a post's page to (e.g. '2014/09/a-title/'), computed by the
    engine's own rules; None when the build could not read its date or slug."""
    values = post.front.values
    try:
        when = parse_date(post.date, config.tz) if post.date is not None else None
        given = slug or values.get("slug") or post.added.get("slug")
        chosen = FIELDS["slug"](given) if given else slugify(str(post.title).strip())
    except (ValueError, TypeError):
        return None
    if when is None:
        return None
    if not chosen:  # a title with no ASCII letters: the build names it after its file (model.py)
        chosen = "article-" + hashlib.blake2b(post.target.encode(), digest_size=4).hexdigest()
    return output_path(config, when, chosen, post.kind == PAGE, _language(config, post))


def _language(config: Config, post: Post) -> str:
    """The post's language as the build reads it: `lang:`, else its file name's, when the site has it."""
    lang = str(post.front.values.get("lang") or language_from_name(post.target))
    return lang if lang in config.language_codes and lang != config.language else ""


def address_key(address: str) -> str:
    """An address as compared: no leading slash, no 'index.html', no %-escapes ('/a/index.html' -> 'a/')."""
    key = unquote(address.split("#")[0].split("?")[0]).lstrip("/")
    return key.removesuffix("index.html")


def page_link(page: str, target: str, fragment: str = "") -> str:
    """A link from the page in folder `page` ('2014/09/x/') to `target` (from the site root), relative
    to the page, so that it works under any base path: '../../../assets/a.png'."""
    link = "../" * page.count("/") + target.lstrip("/")
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
