"""Tiny sample sites built into tmp_path, with 'now' frozen."""

from __future__ import annotations

import os
import shutil
import textwrap
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, NoReturn

import pytest

REPO = Path(__file__).resolve().parent.parent
NOW = datetime(2025, 1, 15, 12, 0, tzinfo=timezone.utc)
BASE_URL = "https://example.org/digest/"

SITE_YAML = """\
title: Sample Digest
description: A synthetic digest used by the tests.
base_url: https://example.org/digest/
language: en
timezone: America/Denver
page_size: 2
archive_page_size: 2
feed_size: 3
related_count: 2
languages:
  es: {name: Español, title: Resumen de prueba}
"""

# Clearly synthetic articles: path -> text.
ARTICLES = {
    "content/2024/alpha.md": """\
        ---
        title: Examplecity opens a legal clinic
        date: 2024-11-02 09:30
        tags: [legal aid, Examplecity]
        dateline: Examplecity
        source: Sample Gazette
        source_url: https://example.com/alpha
        author: Test Writer
        ---
        The fictional clinic in Examplecity offers free advice on Tuesdays.

        ## Opening hours

        - Tuesday mornings
        - Thursday evenings

        See also [the beta article](../../../2024/12/sample-consulate-extends-hours/).
        """,
    "content/2024/beta.md": """\
        ---
        title: Sample consulate extends hours
        date: 2024-12-18
        tags: [consulates, legal aid]
        summary: A made-up consulate stays open later.
        ---
        A made-up consulate stays open until "late" on weekdays -- a test of smart quotes.
        """,
    "content/2025/gamma.md": """\
        ---
        title: Migración services fair in Sampletown
        date: 2025-01-10T08:00:00+01:00
        tags: Migración
        ---
        A synthetic text for the test, with an accented tag.
        """,
    "content/2024/beta.es.md": """\
        ---
        title: Un consulado de ejemplo amplía su horario
        date: 2024-12-18
        translator: la redacción de prueba
        ---
        Un consulado inventado abre hasta "tarde" entre semana: una prueba de comillas.
        """,
    "content/2023/delta.md": """\
        ---
        title: Older synthetic note
        date: 2023-05-05
        tags: [legal aid]
        updated: 2023-06-01
        ---
        An older synthetic paragraph.
        """,
    "content/2025/draft.md": """\
        ---
        title: Unfinished synthetic draft
        date: 2024-10-01
        draft: true
        ---
        Not ready.
        """,
    "content/2025/future.md": """\
        ---
        title: Synthetic future notice
        date: 2025-02-01
        ---
        Not yet.
        """,
    "content/pages/about.md": """\
        ---
        title: About
        date: 2024-01-01
        ---
        A synthetic about page.
        """,
}


def many_notes(count: int = 80) -> dict[str, str]:
    """Synthetic articles enough for the renderer to fork (render.PARALLEL_MIN pages)."""
    return {f"content/2024/n{i:03d}.md": f"---\ntitle: Synthetic note {i}\ndate: 2024-03-{1 + i % 28:02d}\n"
                                         f"tags: [t{i % 5}]\n---\nSynthetic body {i} with *emphasis*.\n"
            for i in range(count)}


def write_site(root: Path, articles: dict[str, str] | None = None, site_yaml: str = SITE_YAML) -> Path:
    """A site folder with the repo's layouts and static files and the given articles."""
    root.mkdir(parents=True, exist_ok=True)
    shutil.copytree(REPO / "layouts", root / "layouts")
    shutil.copytree(REPO / "static", root / "static")
    (root / "site.yaml").write_text(site_yaml, encoding="utf-8")
    for path, text in (ARTICLES if articles is None else articles).items():
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(textwrap.dedent(text), encoding="utf-8")
    return root


@pytest.fixture
def site(tmp_path: Path) -> Path:
    return write_site(tmp_path / "site")


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under folder by relative path, but the search index: Pagefind names and orders
    its filter chunks through a hash map, so two builds of one site differ there
    (tests/test_search.py checks the index by what it finds)."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file() and not p.relative_to(folder).as_posix().startswith("pagefind/")}


def broken_links(files: dict[str, bytes], base_url: str) -> list[str]:
    """Links in HTML pages that no file answers, found independently of the engine's checker."""
    from html.parser import HTMLParser
    from urllib.parse import urljoin, urlsplit

    class Links(HTMLParser):
        def __init__(self) -> None:
            super().__init__()
            self.found: list[str] = []

        def handle_starttag(self, tag: str, attrs: list) -> None:
            self.found += [v for k, v in attrs if k in ("href", "src") and v]

    base = urlsplit(base_url)
    broken = []
    for page, data in files.items():
        if not page.endswith(".html"):
            continue
        parser = Links()
        parser.feed(data.decode())
        for link in parser.found:
            url = urlsplit(urljoin(base_url + page.removesuffix("index.html"), link))
            if url.netloc != base.netloc or url.scheme not in ("http", "https"):
                continue
            path = url.path[len(base.path):] if url.path.startswith(base.path) else None
            if path is None or (path + "index.html" if path.endswith("/") or not path else path) not in files:
                broken.append(f"{page} -> {link}")
    return broken


# ---------------------------------------------------------------------------- the browser

from chromium import CHROMIUM, CHROMIUM_ARGS, launch_chromium  # noqa: E402,F401  (bench/ uses it too)


def unavailable(reason: str) -> NoReturn:
    """Skip a check whose tool is missing here; under CI the tool must be there, so fail."""
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason} (CI=true: this check must run)")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Chromium with Playwright and axe available, once per test module."""
    try:
        import axe_playwright_python  # noqa: F401
        from playwright.sync_api import sync_playwright
    except ImportError:
        unavailable("playwright or axe-playwright-python is not installed (pip install -r requirements-dev.txt)")
    if not CHROMIUM.exists():
        unavailable(f"{CHROMIUM} is missing (apt-get install chromium)")
    with sync_playwright() as playwright:
        chromium = launch_chromium(playwright)
        yield chromium
        chromium.close()


def cli_build(site: Path, **options: Any) -> Any:
    """One build as the command line runs it: a new builder, unless nothing changed."""
    from digest.pipeline import Builder, BuildOptions

    return Builder(site, BuildOptions(**{"now": NOW, **options})).build_unless_unchanged()


@pytest.fixture
def settled_site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The sample site without search; files written a moment ago count as settled."""
    from digest import files

    monkeypatch.setattr(files, "RACY_SECONDS", 0.0)
    return write_site(tmp_path / "site", site_yaml=SITE_YAML + "search: false\n")
