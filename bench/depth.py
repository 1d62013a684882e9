#!/usr/bin/env python3
"""How many clicks each page of a built site is from its front page: a breadth-first crawl.

    python3 bench/depth.py OUTPUT [--base-path /digest/] [--max 4] [--show 20]

Follows every <a href> from the front page to pages inside the site (under the base path,
read from the front page's canonical link unless given), over the files in OUTPUT, as a reader
clicking links would. Prints the page count, the deepest page and its depth, the pages deeper
than --max, and the HTML pages no link reaches (pages marked noindex, such as 404.html and
redirects, are expected there). Exits 1 when a page is deeper than --max or unreachable.
Standard library only, so tests import it too.
"""

from __future__ import annotations

import argparse
import html
import re
import sys
from collections import deque
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urljoin, urlsplit

LINK = re.compile(r"<a\s[^>]*?href=\"([^\"]*)\"", re.IGNORECASE)
CANONICAL = re.compile(r"<link rel=\"canonical\" href=\"([^\"]*)\"")
NOINDEX = re.compile(r"<meta name=\"robots\" content=\"[^\"]*noindex")


@dataclass(frozen=True)
class Crawl:
    """Each reachable page's depth in clicks from the front page, and the pages none reaches."""

    depths: dict[str, int]          # page file relative to the output, e.g. 'page/7/index.html' -> clicks
    unreachable: tuple[str, ...]    # HTML pages no link reaches, noindex ones excluded
    hidden: tuple[str, ...]         # noindex pages no link reaches (404, redirects): expected

    @property
    def max_depth(self) -> int:
        return max(self.depths.values(), default=0)

    def deeper_than(self, clicks: int) -> list[tuple[str, int]]:
        """Pages more than `clicks` from the front page, deepest first."""
        return sorted(((p, d) for p, d in self.depths.items() if d > clicks), key=lambda pd: (-pd[1], pd[0]))


def base_path_of(output: Path) -> str:
    """The site's path from its front page's canonical link ('/digest/'), else '/'."""
    found = CANONICAL.search((output / "index.html").read_text(encoding="utf-8"))
    return urlsplit(html.unescape(found.group(1))).path if found else "/"


def page_file(output: Path, path: str) -> str | None:
    """The file an address inside the site names, relative to the output ('' is index.html)."""
    name = path + "index.html" if path.endswith("/") or not path else path
    if (output / name).is_file():
        return name
    if (output / name / "index.html").is_file():  # /2024 without its slash, as a server would redirect
        return name + "/index.html"
    return None


def crawl(output: Path, base_path: str | None = None) -> Crawl:
    """Breadth-first from the front page over the <a href> links of the HTML pages in output."""
    base = base_path if base_path is not None else base_path_of(output)
    origin = "http://site.invalid"
    depths = {"index.html": 0}
    queue = deque(["index.html"])
    while queue:
        page = queue.popleft()
        if not page.endswith(".html"):
            continue
        page_url = origin + base + page.removesuffix("index.html")
        for href in LINK.findall((output / page).read_text(encoding="utf-8")):
            url = urlsplit(urljoin(page_url, html.unescape(href)))
            if url.scheme not in ("http", "https") or f"{url.scheme}://{url.netloc}" != origin \
                    or not url.path.startswith(base):
                continue
            target = page_file(output, url.path[len(base):])
            if target is not None and target not in depths:
                depths[target] = depths[page] + 1
                queue.append(target)
    left = sorted(p.relative_to(output).as_posix() for p in output.rglob("*.html")
                  if p.relative_to(output).as_posix() not in depths)
    noindex = {p for p in left if NOINDEX.search((output / p).read_text(encoding="utf-8"))}
    return Crawl({p: d for p, d in depths.items() if p.endswith(".html")},
                 tuple(p for p in left if p not in noindex), tuple(sorted(noindex)))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("output", type=Path, help="a built site, e.g. output/")
    parser.add_argument("--base-path", help="the site's path, e.g. /digest/ (default: from the front page)")
    parser.add_argument("--max", type=int, default=4, help="the most clicks a page may be from the front page")
    parser.add_argument("--show", type=int, default=20, help="how many deep or unreachable pages to list")
    args = parser.parse_args(argv)
    result = crawl(args.output, args.base_path)
    deep = result.deeper_than(args.max)
    deepest = max(result.depths, key=lambda p: (result.depths[p], p))
    print(f"{len(result.depths)} pages reached from the front page; max depth {result.max_depth} clicks "
          f"({deepest}); {len(deep)} deeper than {args.max}; {len(result.unreachable)} unreachable; "
          f"{len(result.hidden)} noindex pages not linked (404, redirects, search)")
    for page, clicks in deep[:args.show]:
        print(f"  {clicks:4d}  {page}")
    for page in result.unreachable[:args.show]:
        print(f"  unreachable  {page}")
    return 1 if deep or result.unreachable else 0


if __name__ == "__main__":
    sys.exit(main())
