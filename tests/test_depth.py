"""Every page is at most 4 clicks from the front page, however many pages a list has."""

from __future__ import annotations

import importlib.util
import math
import re
import sys
from collections import deque
from pathlib import Path

import pytest

from conftest import NOW, REPO, write_site
from digest.model import page_jumps
from digest.pipeline import BuildOptions, build

MAX_CLICKS = 4
ENGLISH = 260      # 130 front pages at 2 a page: the old pager put the last 129 clicks deep
SPANISH = ENGLISH  # each translated: /es/ has lists as long, one click further from the front page
TAGS = ("legal aid", "consulates", "health", "work")   # 65 articles each: 33 pages
MONTHS = 4         # 65 articles a month: 22 pages of 3

DEPTH_YAML = """\
title: Synthetic Depth Digest
description: Hundreds of tiny synthetic articles, to measure how deep the lists go.
base_url: https://example.org/digest/
language: en
timezone: America/Denver
page_size: 2
archive_page_size: 3
feed_size: 3
related_count: 0
search: false
languages:
  es: {name: Español, title: Resumen sintético}
"""


def load_depth_tool():
    """bench/depth.py, the crawler the benchmark uses, as a module."""
    if "bench_depth" not in sys.modules:  # its dataclass looks its own module up while being defined
        spec = importlib.util.spec_from_file_location("bench_depth", REPO / "bench" / "depth.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules["bench_depth"] = module
        spec.loader.exec_module(module)  # type: ignore[union-attr]
    return sys.modules["bench_depth"]


def depth_articles() -> dict[str, str]:
    """Clearly synthetic one-line articles, spread over tags and months, translated."""
    articles = {}
    for i in range(ENGLISH):
        date = f"2024-{1 + i % MONTHS:02d}-{1 + i % 28:02d} {i % 24:02d}:{i % 60:02d}"
        articles[f"content/2024/note-{i:03d}.md"] = (
            f"---\ntitle: Synthetic depth note {i}\ndate: {date}\ntags: [{TAGS[i % len(TAGS)]}]\n---\n"
            f"Synthetic text number {i}, made for the click-depth test.\n")
        if i < SPANISH:
            articles[f"content/2024/note-{i:03d}.es.md"] = (
                f"---\ntitle: Nota sintética de profundidad {i}\ndate: {date}\n---\n"
                f"Texto sintético número {i}, hecho para la prueba de profundidad.\n")
    return articles


@pytest.fixture(scope="module")
def deep_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = write_site(tmp_path_factory.mktemp("depth") / "site", depth_articles(), DEPTH_YAML)
    build(root, BuildOptions(now=NOW, use_cache=False))
    return root / "output"


def test_every_page_is_at_most_four_clicks_from_the_front_page(deep_site: Path) -> None:
    found = load_depth_tool().crawl(deep_site)
    for page in ("page/130/", "tags/health/page/33/", "2024/03/page/22/", "es/page/130/", "es/tags/salud/page/33/"):
        assert (deep_site / page / "index.html").is_file()
    assert found.unreachable == ()
    assert found.deeper_than(MAX_CLICKS) == [], f"max depth {found.max_depth}"
    assert len(found.depths) > 1200


def test_the_crawler_follows_links_under_the_base_path_only(tmp_path: Path) -> None:
    site = tmp_path / "out"
    pages = {"index.html": '<a href="a/">a</a> <a href="/elsewhere/">x</a> <a href="https://example.com/">y</a>',
             "a/index.html": '<a href="../b/">b</a> <a href="/digest/a/#top">self</a>',
             "b/index.html": '<a href="/digest/c/">c</a>', "c/index.html": "",
             "lost/index.html": "", "404.html": '<meta name="robots" content="noindex">'}
    for path, body in pages.items():
        (site / path).parent.mkdir(parents=True, exist_ok=True)
        (site / path).write_text(f'<link rel="canonical" href="https://example.org/digest/">{body}')
    found = load_depth_tool().crawl(site)
    assert found.depths == {"index.html": 0, "a/index.html": 1, "b/index.html": 2, "c/index.html": 3}
    assert found.unreachable == ("lost/index.html",) and found.hidden == ("404.html",)
    assert found.deeper_than(2) == [("c/index.html", 3)]


@pytest.mark.parametrize("count", [*range(1, 130), 999, 1000, 1001, 1234])
def test_a_list_of_n_pages_is_one_click_per_digit_deep(count: int) -> None:
    clicks = {1: 0}
    queue = deque([1])
    while queue:
        page = queue.popleft()
        jumps = page_jumps(page, count)
        assert page in jumps and all(0 <= n <= count for n in jumps)
        assert all(not (a == 0 and b == 0) for a, b in zip(jumps, jumps[1:]))   # one gap mark at a time
        for n in jumps:
            if n and n not in clicks:
                clicks[n] = clicks[page] + 1
                queue.append(n)
    assert sorted(clicks) == list(range(1, count + 1))
    assert max(clicks.values()) <= (1 if count <= 10 else math.ceil(math.log10(count)))
    links = max(len([j for j in page_jumps(n, count) if j]) for n in range(1, count + 1))
    assert links <= 10 * len(str(count)) + 2   # about 9 a digit: a few rows on a phone


def test_the_pager_links_first_last_and_spread_pages_and_marks_the_current_one(deep_site: Path) -> None:
    page = (deep_site / "page/57/index.html").read_text(encoding="utf-8")
    pager = page[page.index('<nav class="pager"'):]
    pager = pager[:pager.index("</nav>")]
    shown = [int(n) for n in re.findall(r">(\d+)</a></li>", pager)]
    assert shown == [1, 10, 20, 30, 40, 50, 51, 52, 53, 54, 55, 56, 57, 58, 59, 60, 70, 80, 90, 100, 130]
    assert '<a href="/digest/page/57/" aria-current="page">57</a>' in pager
    assert 'rel="prev" href="/digest/page/56/"' in pager and 'rel="next" href="/digest/page/58/"' in pager
    assert pager.count('<li class="gap" aria-hidden="true">…</li>') == 10
    spanish = (deep_site / "es/page/130/index.html").read_text(encoding="utf-8")
    assert 'aria-label="Páginas"' in spanish and "Página 130 de 130" in spanish


@pytest.mark.parametrize("listing", ["2024/index.html", "archive/index.html"])
def test_the_year_and_archive_pages_link_every_page_of_every_month(deep_site: Path, listing: str) -> None:
    html = (deep_site / listing).read_text(encoding="utf-8")
    for month in range(1, MONTHS + 1):
        first = deep_site / f"2024/{month:02d}"
        pages = [first, *(first / "page").iterdir()]
        assert len(pages) == 22
        for folder in pages:
            assert f'href="/digest/{folder.relative_to(deep_site).as_posix()}/"' in html


def test_the_tags_page_links_every_tenth_page_of_a_tag(deep_site: Path) -> None:
    html = (deep_site / "es/tags/index.html").read_text(encoding="utf-8")
    assert '<span class="count">(65)</span> <a href="/digest/es/tags/salud/page/10/">10</a>' in html
    assert [n for n in range(2, 34) if f'href="/digest/es/tags/salud/page/{n}/"' in html] == [10, 20, 30]


@pytest.mark.parametrize("count, numbers", [(9, []), (17, [10]), (100, list(range(10, 101, 10))),
                                            (170, [100]), (1000, list(range(100, 1001, 100))), (1001, [1000])])
def test_the_tags_page_links_tens_up_to_100_pages_then_hundreds(count: int, numbers: list[int]) -> None:
    """At most nine or ten links a tag, however long its list: at 100,000 articles its tens made
    the tags page 142 KB, over the page budget."""
    from digest.model import Pager
    from digest.plan import _every

    pagers = [Pager(number=n, count=count, path=f"t/page/{n}/", items=(), prev_path=None, next_path=None,
                    total=count, base="t/", jumps=()) for n in range(1, count + 1)]
    assert [number for number, _ in _every(pagers)] == numbers


def test_a_long_archive_links_each_months_first_page_and_the_year_every_page(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Beyond ARCHIVE_LINKS_UP_TO month pages (2,000 at 100,000 articles: a 94 KB archive page),
    the archive links each month's first page; the year's page still links every one."""
    from digest import plan

    articles = {f"content/2024/m{i:02d}.md": f"---\ntitle: Synthetic month note {i}\ndate: 2024-0{1 + i % 2}-0{1 + i % 9}\n"
                                             f"---\nSynthetic text {i}.\n" for i in range(24)}
    site = write_site(tmp_path / "site", articles, DEPTH_YAML.replace("languages:\n  es: {name: Español, title: Resumen sintético}\n", ""))
    monkeypatch.setattr(plan, "ARCHIVE_LINKS_UP_TO", 7)   # 8 month pages: 4 in January, 4 in February
    build(site, BuildOptions(now=NOW, use_cache=False))
    archive = (site / "output/archive/index.html").read_text(encoding="utf-8")
    year = (site / "output/2024/index.html").read_text(encoding="utf-8")
    assert 'href="/digest/2024/01/"' in archive and "/digest/2024/01/page/2/" not in archive
    assert all(f'href="/digest/2024/0{m}/page/{n}/"' in year for m in (1, 2) for n in (2, 3, 4))
