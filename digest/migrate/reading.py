"""Small rules both readers share: a post file's text, which files are Markdown, which are the
project's own (not the site's), a title from a file name, a date when none is written."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Any

from .front import FrontMatterError
from .urls import date_text

MARKDOWN_SUFFIXES = (".md", ".markdown", ".mkd", ".mkdn", ".mdown", ".mdwn", ".mkdown")
# Files a site's repository holds for its tools, not its readers: never copied to static/.
PROJECT_FILES = frozenset({
    "CNAME", "Gemfile", "Gemfile.lock", "Rakefile", "Makefile", "Dockerfile", "docker-compose.yml",
    "package.json", "package-lock.json", "yarn.lock", "pnpm-lock.yaml", "netlify.toml", "vercel.json",
    "_config.yml", "hugo.toml", "config.toml", "go.mod", "go.sum", ".gitignore", ".nojekyll",
})
_PROJECT_STEMS = ("README", "LICENSE", "LICENCE", "CHANGELOG", "CONTRIBUTING", "CODE_OF_CONDUCT")


def read_post_text(path: Path) -> str:
    """A post file's text; FrontMatterError with the line of the first byte that is not UTF-8."""
    data = path.read_bytes()
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise FrontMatterError(data.count(b"\n", 0, exc.start) + 1, "is not UTF-8 text: save it as UTF-8") \
            from None


def is_markdown(suffix: str) -> bool:
    """Whether a file suffix ('.markdown') is one of Markdown's."""
    return suffix.lower() in MARKDOWN_SUFFIXES


def is_project_file(rel: str) -> bool:
    """Whether a file is the repository's (README, Gemfile, a .gemspec), not something the site serves."""
    name = rel.rsplit("/", 1)[-1]
    stem = name.split(".", 1)[0].upper()
    return name in PROJECT_FILES or name.endswith(".gemspec") or ("/" not in rel and stem in _PROJECT_STEMS)


def mtime_date(path: Path) -> date:
    """The day a file was last changed: the date Jekyll gives a draft, and ours a file that states none."""
    return date.fromtimestamp(path.stat().st_mtime)


def year_of(when: Any, path: Path) -> str:
    """The year folder a post goes in: its date's year, else its file's."""
    text = date_text(when)[:4]
    return text if text.isdigit() and len(text) == 4 else f"{mtime_date(path).year:04d}"


def titled(name: str) -> str:
    """A title made from a file name, as Jekyll makes one: 'my-first-post' -> 'My First Post'."""
    words = [word for word in re.split(r"[-_\s]+", name) if word]
    return " ".join(word[:1].upper() + word[1:] for word in words) or name


def root_relative(address: str) -> str:
    """An old address from the site root: a leading '/', no host."""
    address = address.strip()
    if "://" in address:
        address = "/" + address.split("://", 1)[1].partition("/")[2]
    return "/" + address.lstrip("/")
