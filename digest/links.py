"""Every internal link and asset reference in the generated pages must resolve to a file."""

from __future__ import annotations

import re
from typing import Iterable, Mapping
from urllib.parse import unquote, urljoin, urlsplit

from .errors import Problem

_REFERENCE = re.compile(r"""\s(?:href|src)\s*=\s*(?:"([^"]*)"|'([^']*)')""", re.IGNORECASE)
_ID = re.compile(r"""\sid\s*=\s*(?:"([^"]*)"|'([^']*)')""", re.IGNORECASE)


def references(html: str) -> list[str]:
    """The href and src values of a page, as written."""
    return [a or b for a, b in _REFERENCE.findall(html)]


def resolve(base_url: str, page: str, link: str) -> tuple[str, str] | None:
    """(target file path relative to the output root, fragment) for an internal link, else None."""
    if link.startswith(("data:", "mailto:", "tel:", "javascript:")):
        return None
    base = urlsplit(base_url)
    page_url = base_url + page.removesuffix("index.html")
    target = urlsplit(urljoin(page_url, link))
    if target.scheme not in ("http", "https", "") or target.netloc != base.netloc:
        return None
    path = unquote(target.path)
    if not path.startswith(base.path):
        return (path, target.fragment)  # on this host but outside the site: always broken
    relative = path[len(base.path):]
    if relative == "" or relative.endswith("/"):
        relative += "index.html"
    return relative, target.fragment


def check_links(pages: Mapping[str, str], files: Iterable[str], base_url: str) -> tuple[list[Problem], int]:
    """Problems for links in `pages` (path -> html) that no file in `files` answers; and links checked."""
    existing = set(files)
    ids: dict[str, set[str]] = {}
    problems = []
    checked = 0
    for page, html in pages.items():
        for link in dict.fromkeys(references(html)):
            target = resolve(base_url, page, link)
            if target is None:
                continue
            checked += 1
            path, fragment = target
            if path not in existing and path + "/index.html" in existing:
                path += "/index.html"
            if path not in existing:
                problems.append(Problem(f"output/{page}", None, f"broken link to '{link}': no page or file at "
                                                                 f"that address"))
            elif fragment and path in pages:
                if path not in ids:
                    ids[path] = {a or b for a, b in _ID.findall(pages[path])}
                if fragment not in ids[path]:
                    problems.append(Problem(f"output/{page}", None, f"broken link to '{link}': "
                                                                     f"no element with id '{fragment}'"))
    return problems, checked
