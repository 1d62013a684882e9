"""Every internal link and asset reference must resolve, and every page must fit its budget."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Mapping
from urllib.parse import unquote, urljoin, urlsplit

from .errors import Problem, SiteError

_REFERENCE = re.compile(r"""(?:href|src|HREF|SRC)\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_ID = re.compile(r"""\sid\s*=\s*(?:"([^"]*)"|'([^']*)')""", re.IGNORECASE)
ASSET_SUFFIXES = (".css", ".js", ".mjs", ".png", ".jpg", ".jpeg", ".gif", ".webp", ".avif", ".svg",
                  ".ico", ".woff", ".woff2", ".ttf", ".otf", ".mp3", ".mp4", ".webm")
OUTSIDE = "\0outside:"  # prefix of a target on this host but outside the site's base path


def references(html: str) -> list[str]:
    """The href and src values of a page, as written."""
    return [a or b for a, b in _REFERENCE.findall(html)]


def resolve(base_url: str, page: str, link: str) -> tuple[str, str] | None:
    """(target file relative to the output root, fragment) for an internal link, else None."""
    if link.startswith(("data:", "mailto:", "tel:", "javascript:")):
        return None
    if link.startswith("#"):
        return "", link[1:]
    if link.startswith(("http://", "https://", "//")) and not link.startswith(base_url[:base_url.index("/", 8)]):
        return None  # another host: not ours to check
    base = urlsplit(base_url)
    target = urlsplit(urljoin(base_url + page.removesuffix("index.html"), link))
    if target.scheme not in ("http", "https") or target.netloc != base.netloc:
        return None
    path = unquote(target.path)
    if not path.startswith(base.path):
        # A full address elsewhere on the host is another site; a relative one is a base-path slip.
        return None if urlsplit(link).netloc else (OUTSIDE + path, target.fragment)
    relative = path[len(base.path):]
    if relative == "" or relative.endswith("/"):
        relative += "index.html"
    return relative, target.fragment


@dataclass
class LinkChecker:
    """Finds the internal targets of each page as it is written, then checks them all at once."""

    base_url: str
    budget_kb: int
    problems: list[Problem] = field(default_factory=list)
    checked: int = 0
    heaviest: list[tuple[float, str]] = field(default_factory=list)
    _memo: dict[str, tuple[str, str] | None] = field(default_factory=dict)

    def targets(self, page: str, content: bytes) -> tuple[str, ...]:
        """The files an HTML page links to; a missing #fragment on the page itself is noted now."""
        if not page.endswith(".html"):
            return ()
        html = content.decode("utf-8", "replace")
        found: dict[str, None] = {}
        ids: set[str] | None = None
        folder = page.rpartition("/")[0]
        memo = self._memo
        for link in dict.fromkeys(references(html)):
            # Most links are the same on every page ('/digest/tags/'): resolve each once.
            if link.startswith(("http:", "https:")):
                resolved = resolve(self.base_url, page, link)  # cheap for another host; not memoised
            else:
                key = link if link.startswith("/") else f"{folder}\0{link}"
                resolved = memo.get(key, False)
                if resolved is False:
                    resolved = memo[key] = resolve(self.base_url, page, link)
            if resolved is None:
                continue
            target, fragment = resolved
            if not target:  # '#fragment' alone: this page
                target = page
            if fragment and target == page:
                if ids is None:
                    ids = {a or b for a, b in _ID.findall(html)}
                if fragment not in ids:
                    self.problems.append(Problem(f"output/{page}", None,
                                                 f"broken link to '{link}': no element with id '{fragment}'"))
            found[target] = None
        return tuple(found)

    def verify(self, facts: Mapping[str, tuple[int, tuple[str, ...]]], origins: Mapping[str, str]) -> None:
        """Raise one SiteError for every broken link and every page over the weight budget."""
        problems = list(self.problems)
        sizes = {path: size for path, (size, _) in facts.items()}
        weights = []
        for page, (size, targets) in facts.items():
            if not page.endswith(".html"):
                continue
            where = origins.get(page, f"output/{page}")
            weight = size
            for target in targets:
                self.checked += 1
                if target not in sizes and target + "/index.html" not in sizes:
                    shown = (target.removeprefix(OUTSIDE) if target.startswith(OUTSIDE)
                             else urlsplit(self.base_url).path + target.removesuffix("index.html"))
                    problems.append(Problem(where, None, f"output/{page} links to {shown}, which is not "
                                                         "part of the site"))
                elif target.endswith(ASSET_SUFFIXES):
                    weight += sizes[target]
            weights.append((weight / 1024, page))
            if weight > self.budget_kb * 1024:
                problems.append(Problem(where, None, f"output/{page} weighs {weight / 1024:.1f} KB with its "
                                                     f"styles and images, over the {self.budget_kb} KB budget "
                                                     "(page_budget_kb in site.yaml)"))
        self.heaviest = sorted(weights, reverse=True)[:5]
        if problems:
            raise SiteError(problems)
