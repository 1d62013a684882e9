"""Every internal link and asset reference must resolve, and every page must fit its budget."""

from __future__ import annotations

import heapq
import re
from dataclasses import dataclass, field
from typing import Callable, Mapping
from html import unescape
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

from .errors import Problem

# An href or src attribute as a browser reads it: after HTML's whitespace, with only HTML's
# whitespace around its '=', quoted (Python's \s, which had more, read a name after a no-break
# space or a vertical tab as an attribute, which a browser does not). Found in the page's bytes
# by one regex for each way of writing the name, each of which starts with the name and is found
# as fast as a plain search for it; `_REFERENCE`, all of them in one pass, when more than one of
# them is on the page. Code samples are cut out as before, by `_CODE` over the decoded text.
_WORDS = (b"href", b"src", b"HREF", b"SRC")
_ATTRIBUTES = tuple(re.compile(rb"""%s(?<=[\t\n\f\r ]%s)[\t\n\f\r ]*=[\t\n\f\r ]*(?:"([^"]*)"|'([^']*)')""" % (w, w))
                    for w in _WORDS)
_REFERENCE = re.compile(rb"""[\t\n\f\r ](?:href|src|HREF|SRC)[\t\n\f\r ]*=[\t\n\f\r ]*(?:"([^"]*)"|'([^']*)')""")
_CODE = re.compile(r"<(pre|code)\b[^>]*>.*?</\1\s*>", re.DOTALL | re.IGNORECASE)
_CODE_START = re.compile(rb"<(?:pre|code)")  # the same as looking for either, in a third of the time
_ID = re.compile(r"""\sid\s*=\s*(?:"([^"]*)"|'([^']*)')""", re.IGNORECASE)
ASSET_SUFFIXES = (".css", ".js", ".mjs", ".png", ".jpg", ".jpeg", ".gif", ".webp", ".avif", ".svg",
                  ".ico", ".woff", ".woff2", ".ttf", ".otf", ".mp3", ".mp4", ".webm")
OUTSIDE = "\0outside:"  # prefix of a target on this host but outside the site's base path
_PICTURE = re.compile(r"<picture>(.*?)</picture>", re.DOTALL)
_SRCSET = re.compile(r'<(source|img)\b[^>]*?\ssrcset="([^"]*)"')
_TYPE = re.compile(r'\stype="image/(\w+)"')
_IMG_SRC = re.compile(r'<img\b[^>]*?\ssrc="([^"]*)"')
PHONE_PIXELS = 656  # a 360 px phone at device pixel ratio 2: the layout's 328 px slot, in device pixels


def phone_choice(picture: str) -> str | None:
    """The file a 360 px phone at device pixel ratio 2 loads from a <picture>: the first format it
    offers (AVIF before WebP), the smallest candidate at least 656 device pixels wide (720 px)."""
    offered = _SRCSET.findall(picture)
    if not offered:
        return None
    srcset = offered[0][1]
    candidates = []
    for item in srcset.split(","):
        parts = item.split()
        if len(parts) == 2 and parts[1].endswith("w") and parts[1][:-1].isdigit():
            candidates.append((int(parts[1][:-1]), parts[0]))
    if not candidates:
        return None
    wide = [c for c in sorted(candidates) if c[0] >= PHONE_PIXELS]
    return (wide[0] if wide else max(candidates))[1]


def references(page: bytes) -> list[str]:
    """The href and src values of a page (its UTF-8 bytes) as a browser reads them (entities
    decoded), leaving out what code samples show: a link written inside <pre> or <code> is text,
    not a link."""
    if _CODE_START.search(page):
        page = _CODE.sub("", page.decode("utf-8", "replace")).encode()
    found = None
    for attribute in _ATTRIBUTES:
        values = attribute.findall(page)
        if values:
            if found is not None:  # hrefs and srcs: in the order they come, as one regex finds them
                found = _REFERENCE.findall(page)
                break
            found = values
    return [_value(a or b) for a, b in found or ()]


def _value(raw: bytes) -> str:
    text = raw.decode("utf-8", "replace")
    return unescape(text) if "&" in text else text


def link_line(markdown: str, shown: str) -> int | None:
    """The line of a Markdown file where a link to `shown` (a site path) was most likely written."""
    last = [part for part in shown.split("/") if part]
    if not last:
        return None
    for number, line in enumerate(markdown.split("\n"), 1):
        if last[-1] in line and ("](" in line or "href" in line or "src" in line or "]:" in line):
            return number
    return None


def source_line(root: Path, origin: str, shown: str) -> int | None:
    """The line of an article's Markdown file (`origin`, under `root`) that a broken link to
    `shown` is written on."""
    if not origin.startswith("content/"):
        return None
    try:
        return link_line((root / origin).read_text(encoding="utf-8"), shown)
    except (OSError, UnicodeDecodeError):
        return None


def origin(base_url: str) -> str:
    """'https://example.org' of 'https://example.org/digest/'."""
    return base_url[:base_url.index("/", 8)]


def resolve(base_url: str, page: str, link: str) -> tuple[str, str] | None:
    """(target file relative to the output root, fragment) for an internal link, else None."""
    if link.startswith(("data:", "mailto:", "tel:", "javascript:")):
        return None
    if link.startswith("#"):
        return "", link[1:]
    if link.startswith(("http://", "https://", "//")) and not link.startswith(origin(base_url)):
        return None  # another host: not ours to check
    plain = _plain_path(base_url, link)
    if plain is not None:  # no urljoin needed: the same answer, a tenth of the time
        path, fragment, elsewhere = plain, "", link[0] != "/"
    else:
        target = urlsplit(urljoin(base_url + page.removesuffix("index.html"), link))
        if target.scheme not in ("http", "https") or target.netloc != urlsplit(base_url).netloc:
            return None
        path, fragment, elsewhere = unquote(target.path), target.fragment, bool(urlsplit(link).netloc)
    base_path = base_url[len(origin(base_url)):]
    if not path.startswith(base_path):
        # A full address elsewhere on the host is another site; a relative one is a base-path slip.
        return None if elsewhere else (OUTSIDE + path, fragment)
    relative = path[len(base_path):]
    if relative == "" or relative.endswith("/"):
        relative += "index.html"
    return relative, fragment


def _plain_path(base_url: str, link: str) -> str | None:
    """The path of a link from the root ('/digest/x/') or on this site's origin
    ('https://example.org/digest/x/') that needs no resolving: no dot segment, query, fragment,
    parameters, escape, backslash, tab or newline; else None."""
    if link.startswith(("http://", "https://")):
        host = origin(base_url)
        if not link.startswith(host) or link[len(host):len(host) + 1] != "/":
            return None
        link = link[len(host):]
    elif not link.startswith("/") or link.startswith("//"):
        return None
    # urlsplit drops tabs and newlines anywhere, and urlparse an empty ';' parameter: leave them to it
    if any(c in link for c in "?#%;\\\t\r\n") or "/." in link or "//" in link:
        return None
    return link


@dataclass(frozen=True, slots=True)
class LinkFacts:
    """What one output file weighs and links to, found when it was rendered."""

    size: int
    targets: tuple[str, ...] = ()          # files it links to, relative to the output root
    problems: tuple[Problem, ...] = ()     # '#fragment' links to an id the page itself lacks
    images: tuple[str, ...] = ()           # what a phone loads of each <picture> (counted in the weight)
    unweighed: tuple[str, ...] = ()        # a <picture>'s fallback <img src>, which that phone never loads


@dataclass(frozen=True, slots=True)
class Verdict:
    """What verify() found over the whole site."""

    problems: tuple[Problem, ...]
    checked: int                                 # links followed
    heaviest: tuple[tuple[float, str], ...]      # (KB with assets, page), heaviest first
    images: Mapping[str, tuple[tuple[float, str], ...]] = field(default_factory=dict)  # heaviest pages' images (KB, file)


class LinkFinder:
    """Finds each page's link facts; resolves a link shared by many pages ('/digest/tags/') once."""

    def __init__(self, base_url: str):
        self.base_url = base_url
        self._origin = origin(base_url)
        self._anywhere: dict[str, tuple[str, str] | None] = {}              # by link
        self._relative: dict[tuple[str, str], tuple[str, str] | None] = {}  # by the page's folder (or page) and link

    def facts(self, page: str, content: bytes) -> LinkFacts:
        """The size and internal targets of one output file; a missing #fragment on itself is a problem."""
        if not page.endswith(".html"):
            return LinkFacts(len(content))
        found: dict[str, None] = {}
        problems: list[Problem] = []
        ids: set[str] | None = None
        anywhere = self._anywhere
        for link in dict.fromkeys(references(content)):
            resolved = anywhere.get(link, False)  # most links, met before: _resolve's first look, inlined
            if resolved is False:
                resolved = self._resolve(page, link)
            if resolved is None:
                continue
            target, fragment = resolved
            target = target or page  # '#fragment' alone: this page
            if fragment and target == page and not fragment.startswith("fnref"):  # a footnote's way back
                # Written as the layouts write the skip link's target, it is there: no need to list every id
                if ids is None and f' id="{fragment}"'.encode() not in content:
                    ids = {a or b for a, b in _ID.findall(content.decode("utf-8", "replace"))}
                if ids is not None and fragment not in ids:
                    problems.append(Problem(f"output/{page}", None,
                                            f"broken link to '{link}': no element with id '{fragment}'"))
            found[target] = None
        images, unweighed = (self._pictures(page, content.decode("utf-8", "replace")) if b"<picture>" in content
                             else ((), ()))
        for target in images:
            found[target] = None
        return LinkFacts(len(content), tuple(found), tuple(problems), images, unweighed)

    def _pictures(self, page: str, html: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """(what a phone loads of each <picture>, the fallbacks it does not), as output files."""
        images: list[str] = []
        unweighed: list[str] = []
        for picture in _PICTURE.findall(html):
            chosen = phone_choice(picture)
            resolved = self._resolve(page, unescape(chosen)) if chosen else None
            if resolved is None:
                continue
            images.append(resolved[0])
            unweighed += (r[0] for src in _IMG_SRC.findall(picture) if (r := self._resolve(page, unescape(src))))
        return tuple(images), tuple(t for t in unweighed if t not in images)

    def _resolve(self, page: str, link: str) -> tuple[str, str] | None:
        resolved = self._anywhere.get(link, False)
        if resolved is not False:
            return resolved  # type: ignore[return-value]
        if link.startswith(("http:", "https:")) and not link.startswith(self._origin):
            return resolve(self.base_url, page, link)  # another host: cheap, and not memoised
        if link.startswith(("/", "#", "http:", "https:")):
            # An address on this host, full or from the root, or a fragment, means the same from every page
            resolved = self._anywhere[link] = resolve(self.base_url, page, link)
            return resolved
        # Relative to the page's folder; '' and '?query' to the page itself (found in review)
        key = (page if not link or link[0] == "?" else page.rpartition("/")[0], link)
        resolved = self._relative.get(key, False)
        if resolved is False:
            resolved = self._relative[key] = resolve(self.base_url, page, link)
        return resolved  # type: ignore[return-value]


def verify(facts: Mapping[str, LinkFacts], base_url: str, budget_kb: int, origins: Mapping[str, str],
           locate: Callable[[str, str], int | None] = lambda origin, shown: None) -> Verdict:
    """Every broken internal link and every page over the weight budget, over the whole site.
    `locate(origin, shown)` gives the line of the origin's source a broken link is written on."""
    problems = [p for f in facts.values() for p in f.problems]
    checked = 0
    weights = []
    base_path = urlsplit(base_url).path
    # Most targets (the stylesheet, the menu, the tags) are linked from thousands of pages: each
    # is looked up once, with the bytes it adds to a page that loads it (an asset's size, else 0)
    looked_up: dict[str, tuple[LinkFacts | None, int]] = {}
    for page, fact in facts.items():
        if not page.endswith(".html"):
            continue
        weight = fact.size
        for target in fact.targets:
            checked += 1
            known = looked_up.get(target)
            if known is None:
                found = facts.get(target) or facts.get(target + "/index.html")
                known = looked_up[target] = (found, found.size if found and target.endswith(ASSET_SUFFIXES) else 0)
            found, adds = known
            if found is not None:
                if not (fact.unweighed and target in fact.unweighed):
                    weight += adds  # a fallback a phone does not load is checked, not weighed
                continue
            where = origins.get(page, f"output/{page}")
            shown = (target.removeprefix(OUTSIDE) if target.startswith(OUTSIDE)
                     else base_path + target.removesuffix("index.html"))
            problems.append(Problem(where, locate(where, shown), f"links to {shown}, which is not part of the site "
                                                 f"(in output/{page}): fix the link, or add what it points to",
                                    kind="broken link"))
        weights.append((weight / 1024, page))
        if weight > budget_kb * 1024:
            problems.append(Problem(origins.get(page, f"output/{page}"), None,
                                    f"output/{page} weighs {weight / 1024:.1f} KB with its styles and images, "
                                    f"over the {budget_kb} KB budget (page_budget_kb in site.yaml)"))
    heaviest = tuple(heapq.nlargest(5, weights))
    shown = {page: tuple(sorted(((facts[t].size / 1024, t) for t in facts[page].images if t in facts), reverse=True))
             for _, page in heaviest}
    return Verdict(tuple(problems), checked, heaviest, {page: found for page, found in shown.items() if found})
