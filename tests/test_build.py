"""The fixture site builds into every page kind, with links, feeds and sitemap right."""

from __future__ import annotations

import re
import shutil
from collections import Counter
import subprocess
import sys
import textwrap
from pathlib import Path
from xml.etree import ElementTree

import feedparser
import pytest

from conftest import BASE_URL, NOW, REPO, broken_links, many_notes, snapshot, write_site
from digest.pipeline import BuildOptions, build
from digest.render import PARALLEL_MIN

ALPHA = "2024/11/examplecity-opens-a-legal-clinic/index.html"
BETA = "2024/12/sample-consulate-extends-hours/index.html"
GAMMA = "2025/01/migracion-services-fair-in-sampletown/index.html"
BETA_ES = "es/2024/12/un-consulado-de-ejemplo-amplia-su-horario/index.html"


def run(site: Path, **options) -> tuple:
    report = build(site, BuildOptions(now=NOW, **options))
    return report, snapshot(site / "output")


def text(files: dict[str, bytes], path: str) -> str:
    return files[path].decode("utf-8")


def test_every_page_kind_exists(site: Path) -> None:
    report, files = run(site)
    expected = [
        "index.html", "page/2/index.html", ALPHA, BETA, GAMMA, "about/index.html",
        "tags/index.html", "tags/legal-aid/index.html", "tags/legal-aid/page/2/index.html",
        "tags/legal-aid/feed.xml", "tags/migracion/index.html", "archive/index.html",
        "2024/index.html", "2024/12/index.html", "2023/05/index.html", "feed.xml", "sitemap.xml",
        "robots.txt", "404.html", ".nojekyll", "style.css", "sitemap-en.xml", "sitemap-es.xml",
        # every page kind in Spanish too, under /es/
        "es/index.html", BETA_ES, "es/tags/index.html", "es/tags/asistencia-legal/index.html",
        "es/tags/asistencia-legal/feed.xml", "es/archive/index.html", "es/2024/index.html",
        "es/2024/12/index.html", "es/feed.xml", "es/404.html",
    ]
    assert [p for p in expected if p not in files] == []
    assert "CNAME" not in files
    english, spanish = report.site.editions
    assert len(english.articles) == 4 and len(english.pages) == 1
    assert [a.source for a in spanish.articles] == ["content/2024/beta.es.md"] and spanish.pages == ()


def test_article_page_shows_its_parts(site: Path) -> None:
    _, files = run(site)
    page = text(files, ALPHA)
    assert "<h1>Examplecity opens a legal clinic</h1>" in page
    assert '<time datetime="2024-11-02T09:30:00-06:00">2 November 2024</time>' in page
    assert '<span class="dateline">Examplecity</span>' in page
    assert '<a href="https://example.com/alpha">Sample Gazette</a>' in page
    assert "by Test Writer" in page
    assert '<h2 id="opening-hours">Opening hours</h2>' in page
    assert '<a href="/digest/tags/legal-aid/" rel="tag">legal aid</a>' in page
    assert 'rel="next" href="/digest/2024/12/sample-consulate-extends-hours/"' in page
    assert 'rel="prev" href="/digest/2023/05/older-synthetic-note/"' in page
    related = page.split('id="related-heading"')[1]
    assert "Sample consulate extends hours" in related and "Older synthetic note" in related
    ld = re.search(r'<script type="application/ld\+json">(.*?)</script>', page).group(1)
    assert '"@type": "NewsArticle"' in ld and '"isBasedOn": "https://example.com/alpha"' in ld
    assert '<link rel="canonical" href="https://example.org/digest/2024/11/examplecity-opens-a-legal-clinic/">' in page
    assert '<meta property="og:type" content="article">' in page
    beta = text(files, BETA)
    assert "“late” on weekdays – a test" in beta  # smart quotes and dashes
    assert '<html lang="es">' in text(files, BETA_ES) and "18 de diciembre de 2024" in text(files, BETA_ES)


def test_a_date_without_offset_is_in_the_site_time_zone(site: Path) -> None:
    report, _ = run(site)
    beta = next(a for a in report.site.articles if a.title.startswith("Sample consulate"))
    assert beta.date.isoformat() == "2024-12-18T00:00:00-07:00"
    gamma = next(a for a in report.site.articles if a.title.startswith("Migración"))
    # 08:00 in Paris is still 9 January in Denver: the archive follows the site's zone.
    assert gamma.date.isoformat() == "2025-01-10T08:00:00+01:00"
    english = report.site.editions[0]
    assert [m.path for y in english.years for m in y.months] == ["2025/01/", "2024/12/", "2024/11/", "2023/05/"]


def test_front_page_and_tags_are_paginated_newest_first(site: Path) -> None:
    _, files = run(site)
    front = text(files, "index.html")
    assert front.index("Migración services fair") < front.index("Sample consulate")
    assert "Page 1 of 2" in front and 'href="/digest/page/2/"' in front
    assert "Older synthetic note" in text(files, "page/2/index.html")
    assert "page/1/" not in "".join(files)
    tags = text(files, "tags/index.html")
    assert re.search(r'href="/digest/tags/legal-aid/">legal aid</a> <span class="count">\(3\)', tags)
    assert "Page 2 of 2" in text(files, "tags/legal-aid/page/2/index.html")


def test_archives_list_years_and_months(site: Path) -> None:
    _, files = run(site)
    archive = text(files, "archive/index.html")
    assert 'href="/digest/2024/12/">December</a> <span class="count">(1)' in archive
    assert 'href="/digest/2024/">2024</a> <span class="count">(2)' in archive
    assert "Sample consulate extends hours" in text(files, "2024/12/index.html")


def test_every_internal_link_resolves_under_a_sub_path(site: Path) -> None:
    report, files = run(site)
    pages = {p: b.decode() for p, b in files.items() if p.endswith(".html")}
    assert broken_links(files, BASE_URL) == []
    assert report.verdict.checked > 200
    assert all('href="/' not in html or 'href="/digest/' in html for html in pages.values())
    # The 404 page is served from any missing path, so its links must not be relative.
    assert not re.search(r'(href|src)="(?!/digest/|https?:|#|data:)', text(files, "404.html"))


def test_base_url_option_moves_every_link(site: Path) -> None:
    _, files = run(site, base_url="https://org.github.io/other")
    front = text(files, "index.html")
    assert 'href="/other/style.css"' in front and "/digest/" not in front
    assert "https://org.github.io/other/sitemap.xml" in text(files, "robots.txt")
    assert broken_links(files, "https://org.github.io/other/") == []


def test_feeds_parse_and_hold_the_newest_articles(site: Path) -> None:
    _, files = run(site)
    feed = feedparser.parse(files["feed.xml"])
    assert not feed.bozo, feed.bozo_exception
    assert [e.title for e in feed.entries] == [
        "Migración services fair in Sampletown", "Sample consulate extends hours", "Examplecity opens a legal clinic"]
    assert feed.entries[2].link == "https://example.org/digest/2024/11/examplecity-opens-a-legal-clinic/"
    assert "free advice" in feed.entries[2].content[0].value
    tag_feed = feedparser.parse(files["tags/legal-aid/feed.xml"])
    assert not tag_feed.bozo and len(tag_feed.entries) == 3
    assert all("About" != e.title for e in feed.entries)
    assert '<link rel="alternate" type="application/atom+xml" title="Sample Digest: legal aid" ' \
           'href="/digest/tags/legal-aid/feed.xml">' in text(files, "tags/legal-aid/index.html")


def test_sitemap_lists_every_page(site: Path) -> None:
    _, files = run(site)
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    index = ElementTree.fromstring(files["sitemap.xml"])
    sitemaps = [e.text for e in index.findall("s:sitemap/s:loc", ns)]
    assert sitemaps == [BASE_URL + "sitemap-en.xml", BASE_URL + "sitemap-es.xml"]
    locs = {e.text for name in ("sitemap-en.xml", "sitemap-es.xml")
            for e in ElementTree.fromstring(files[name]).findall("s:url/s:loc", ns)}
    pages = {BASE_URL + p.removesuffix("index.html") for p in files
             if p.endswith("index.html") and not p.endswith("search/index.html")}  # noindex: it shows a query
    assert locs == pages
    assert "Sitemap: https://example.org/digest/sitemap.xml" in text(files, "robots.txt")


def test_drafts_and_future_articles_are_left_out_and_reported(site: Path) -> None:
    report, files = run(site)
    assert not any("unfinished" in p or "future-notice" in p for p in files)
    reasons = {l.source: l.reason for l in report.site.left_out}
    assert reasons["content/2025/draft.md"].startswith("draft")
    assert reasons["content/2025/future.md"].startswith("dated in the future: 2025-02-01T00:00:00-07:00")
    report, files = run(site, drafts=True, future=True)
    assert "2024/10/unfinished-synthetic-draft/index.html" in files
    assert "2025/02/synthetic-future-notice/index.html" in files


def test_pages_are_linked_in_navigation_and_kept_out_of_lists(site: Path) -> None:
    _, files = run(site)
    assert '<a href="/digest/about/">About</a>' in text(files, "index.html")
    assert "A synthetic about page" not in text(files, "feed.xml")
    assert "about" not in text(files, "archive/index.html").split("<main")[1]


def test_cname_written_when_site_names_a_domain(tmp_path: Path) -> None:
    from conftest import SITE_YAML

    site = write_site(tmp_path / "s", site_yaml=SITE_YAML + "cname: news.example.org\n")
    _, files = run(site)
    assert files["CNAME"] == b"news.example.org\n"


def test_second_build_is_identical_and_writes_nothing(site: Path) -> None:
    _, first = run(site)
    times = {p.relative_to(site / "output"): p.stat().st_mtime_ns for p in (site / "output").rglob("*") if p.is_file()}
    report, second = run(site)
    assert second == first
    assert report.write.written == 0 and report.write.deleted == 0
    assert times == {p.relative_to(site / "output"): p.stat().st_mtime_ns
                     for p in (site / "output").rglob("*") if p.is_file()}


def test_a_fresh_build_without_cache_gives_the_same_bytes(site: Path, tmp_path: Path) -> None:
    _, cached = run(site)
    other = write_site(tmp_path / "again")
    _, fresh = run(other, use_cache=False, workers=1)
    assert fresh == cached


def test_removed_article_disappears(site: Path) -> None:
    _, files = run(site)
    assert GAMMA in files
    (site / "content/2025/gamma.md").unlink()
    report, files = run(site)
    assert GAMMA not in files and "tags/migracion/index.html" not in files
    assert not (site / "output/2025").exists()
    assert report.write.deleted > 0


def test_command_line_builds_and_prints_one_summary_line(site: Path) -> None:
    result = subprocess.run([sys.executable, str(REPO / "build.py"), "--root", str(site), "--base-url",
                             "https://example.org/digest/"], capture_output=True, text=True,
                            env={"SOURCE_DATE_EPOCH": str(int(NOW.timestamp())), "PATH": "/usr/bin:/bin"})
    assert result.returncode == 0, result.stderr
    assert re.fullmatch(r"built \S+/output: \d+ pages, 5 articles, 6 tags; \d+ links checked, heaviest page \d+\.\d KB \(\S+\); translations: 6 missing, 0 stale; "
                        r"wrote \d+, kept 0, removed 0 "
                        r"in \d+\.\d\d s\n", result.stdout)
    assert "left out: content/2025/draft.md: draft" in result.stderr
    check = subprocess.run([sys.executable, str(REPO / "build.py"), "--root", str(site), "check"],
                           capture_output=True, text=True)
    assert check.returncode == 0 and check.stdout.startswith("ok: ")


def staged_by_workers(monkeypatch: pytest.MonkeyPatch) -> Counter:
    """How the files a build stages came to it: 'staged' or 'same' when the worker that rendered
    a page staged it (or found its bytes in output/), '' when this process did."""
    from digest import pipeline

    seen: Counter = Counter()
    stage_more = pipeline.stage_more

    def noted(staged, files, manifest):  # type: ignore[no-untyped-def]
        return stage_more(staged, (seen.update([f.staged]) or f for f in files), manifest)

    monkeypatch.setattr(pipeline, "stage_more", noted)
    return seen


@pytest.mark.parametrize("workers", [1, 2])
def test_parallel_and_single_process_builds_are_identical(tmp_path: Path, workers: int,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """Forked workers render the pages and stage them themselves: the same files."""
    one = write_site(tmp_path / "one", many_notes())
    two = write_site(tmp_path / "two", many_notes())
    build(one, BuildOptions(now=NOW, workers=1, use_cache=False))
    how = staged_by_workers(monkeypatch)
    report = build(two, BuildOptions(now=NOW, workers=workers, use_cache=False))
    assert report.pages >= PARALLEL_MIN  # enough pages for the renderer to fork too
    assert snapshot(one / "output") == snapshot(two / "output")
    assert how["staged"] >= report.pages - 1 if workers > 1 else how["staged"] == 0  # all but 404.html: data


def test_a_first_build_finds_page_keys_while_its_workers_render_and_they_hold(tmp_path: Path) -> None:
    """With nothing to keep, the workers start before the page keys are found: the keys written
    are the ones a build with an output folder finds, so the next build renders only what changed."""
    from digest.output import Manifest
    from digest.pipeline import Builder
    from digest.render import page_keys
    from digest.steps import Timings

    site = write_site(tmp_path / "site", many_notes())
    first = build(site, BuildOptions(now=NOW, workers=2))
    assert first.pages >= PARALLEL_MIN and first.write.unchanged == 0
    planner = Builder(site, BuildOptions(now=NOW, workers=1))
    planned = planner._plan(Timings())
    keys = page_keys(planned.specs, planner.layouts(planned.loaded.config, planned.strings))
    kept = Manifest(planned.loaded.config.cache_dir, site / "output").keys()
    assert {spec.path: kept[spec.path] for spec in planned.specs} == dict(zip((s.path for s in planned.specs), keys))
    before = snapshot(site / "output")
    note = site / "content/2024/n007.md"
    note.write_text(note.read_text(encoding="utf-8").replace("Synthetic note 7", "Synthetic note seven"),
                    encoding="utf-8")
    report = build(site, BuildOptions(now=NOW, workers=2))
    after = snapshot(site / "output")
    changed = {p for p in after if before.get(p) != after[p]}
    assert "2024/03/synthetic-note-seven/index.html" in changed and "index.html" not in changed
    rewritten = {p for p in report.write.touched if p in after}  # written, not removed
    assert {p for p in rewritten if not p.startswith("pagefind/")} == {p for p in changed if not p.startswith("pagefind/")}


@pytest.mark.parametrize("layout, message", [("{{ no_such_name }}", "'no_such_name' is undefined"),
                                             ("{% if %}", "template syntax error")])
def test_a_layout_error_in_a_first_forked_build_is_one_problem_and_no_worker_is_left(
        tmp_path: Path, layout: str, message: str) -> None:
    import multiprocessing

    from digest.errors import SiteError

    site = write_site(tmp_path / "site", many_notes())
    article = site / "layouts/article.html"
    article.write_text(article.read_text(encoding="utf-8").replace("{% block main %}", "{% block main %}" + layout),
                       encoding="utf-8")
    with pytest.raises(SiteError) as caught:
        build(site, BuildOptions(now=NOW, workers=2))
    assert [p.path for p in caught.value.problems] == ["layouts/article.html"]
    assert message in caught.value.problems[0].message
    assert multiprocessing.active_children() == []
    assert not (site / "output").exists() and not list(site.glob(".output.staging-*"))


def test_workers_started_before_the_page_keys_stop_when_finding_them_fails(tmp_path: Path,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    import multiprocessing

    from digest import render

    def fails(*args: object, **kwargs: object) -> list[str]:
        raise TypeError("cannot fingerprint this in a page context")

    site = write_site(tmp_path / "site", many_notes())
    monkeypatch.setattr(render, "page_keys", fails)
    with pytest.raises(TypeError, match="cannot fingerprint"):
        build(site, BuildOptions(now=NOW, workers=2))
    assert multiprocessing.active_children() == []


def test_pages_a_worker_renders_to_the_same_bytes_are_left_as_they_are(tmp_path: Path,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """A layout edit that changes no page: every page is rendered again by the workers, which
    find the bytes already in output/ and stage nothing."""
    site = write_site(tmp_path / "site", many_notes())
    build(site, BuildOptions(now=NOW, workers=2))
    times = {p: (site / "output" / p).stat().st_mtime_ns for p in snapshot(site / "output")}
    layout = site / "layouts/base.html"
    layout.write_text(layout.read_text(encoding="utf-8") + "{# a comment changes the key, not the page #}\n",
                      encoding="utf-8")
    how = staged_by_workers(monkeypatch)
    report = build(site, BuildOptions(now=NOW, workers=2))
    assert report.write.written == 0 and how["same"] >= PARALLEL_MIN and how["staged"] == 0
    assert {p: (site / "output" / p).stat().st_mtime_ns for p in times} == times


def test_a_failure_while_workers_stage_pages_stops_them_and_leaves_output_as_it_was(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import multiprocessing

    from digest import output
    from digest.errors import SiteError

    site = write_site(tmp_path / "site", many_notes())
    build(site, BuildOptions(now=NOW, workers=2))
    before = snapshot(site / "output")
    refused = "2024/03/synthetic-note-9/index.html"
    check = output.check_relative

    def refuse(path: str) -> None:
        if path == refused:
            raise SiteError.at(path, None, "refused by the test")
        check(path)

    monkeypatch.setattr(output, "check_relative", refuse)
    for note in (site / "content/2024").glob("n*.md"):  # every page is rendered again
        note.write_text(note.read_text(encoding="utf-8").replace("Synthetic body", "Changed synthetic body"),
                        encoding="utf-8")
    with pytest.raises(SiteError, match="refused by the test"):
        build(site, BuildOptions(now=NOW, workers=2))
    assert multiprocessing.active_children() == []
    assert not list(site.glob(".output.staging-*")) and snapshot(site / "output") == before


def test_an_error_after_the_renderer_stops_its_workers_before_the_staging_folder_goes(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A step between the renderer and the stager fails (the shortcut's notes: a full disk): the
    workers stop, and none makes the staging folder again after it was removed (found in review)."""
    import multiprocessing
    import time

    from conftest import SITE_YAML
    from digest import quick
    from digest.pipeline import Builder

    site = write_site(tmp_path / "site", many_notes(), SITE_YAML + "search: false\n")
    calls, page_of = [0], quick.page_of

    def failing(*args: object, **kwargs: object) -> object:
        calls[0] += 1
        if calls[0] == 5:
            raise OSError(28, "No space left on device (test)")
        return page_of(*args, **kwargs)

    monkeypatch.setattr(quick, "page_of", failing)
    with pytest.raises(OSError, match="No space left"):
        Builder(site, BuildOptions(now=NOW, workers=2)).build_unless_unchanged()
    assert multiprocessing.active_children() == []
    time.sleep(0.5)
    assert not list(site.glob(".output.staging-*")) and not (site / "output").exists()


def test_a_worker_that_cannot_be_started_stops_the_others(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import multiprocessing
    import time

    from digest import render

    site = write_site(tmp_path / "site", many_notes())
    start, calls, rendering = multiprocessing.process.BaseProcess.start, [0], [False]
    original = render.StartedMap

    def started(*args: object, **kwargs: object) -> object:
        rendering[0] = True
        return original(*args, **kwargs)

    def second_fails(self: multiprocessing.process.BaseProcess) -> None:
        calls[0] += rendering[0]
        if calls[0] == 2:  # the renderer's second worker: fork says EAGAIN
            raise BlockingIOError(11, "Resource temporarily unavailable (test)")
        start(self)

    monkeypatch.setattr(render, "StartedMap", started)
    monkeypatch.setattr(multiprocessing.process.BaseProcess, "start", second_fails)
    with pytest.raises(BlockingIOError):
        build(site, BuildOptions(now=NOW, workers=2))
    assert multiprocessing.active_children() == []
    time.sleep(0.5)
    assert not list(site.glob(".output.staging-*"))


def test_a_forked_read_caches_what_its_workers_sent(tmp_path: Path) -> None:
    """Workers send each article pickled; the cache stores those bytes, and they read back."""
    from digest.sources import ArticleCache

    many = {f"content/2024/n{i:03d}.md": f"---\ntitle: Synthetic note {i}\ndate: 2024-03-{1 + i % 28:02d}\n---\n"
                                         f"Synthetic body {i}.\n" for i in range(80)}
    site = write_site(tmp_path / "site", many)
    assert build(site, BuildOptions(now=NOW, workers=2)).converted == 80
    first = snapshot(site / "output")
    cache = ArticleCache(site / ".cache" / "articles.pickle")
    read = [cache.get(digest) for digest in list(cache.stored)]
    assert len(read) == 80 and all(r is not None and r.article is not None for r in read)
    assert "<p>Synthetic body 7.</p>" in {r.article.body for r in read}
    shutil.rmtree(site / "output")
    assert build(site, BuildOptions(now=NOW, workers=2)).converted == 0
    assert snapshot(site / "output") == first


def test_a_cold_read_remembers_each_settled_file_and_names_one_it_cannot_read(settled_site: Path,
                                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """With nothing cached, each file is read where it is converted; the cache still learns each
    settled file's digest, so the next build reads none of them."""
    from digest import sources
    from digest.errors import SiteError

    build(settled_site, BuildOptions(now=NOW, workers=1))
    cache = sources.ArticleCache(settled_site / ".cache" / "articles.pickle")
    assert sorted(cache.stats) == sorted(str(p.relative_to(settled_site)) for p in (settled_site / "content").rglob("*.md"))
    assert {digest for _, digest in cache.stats.values()} == set(cache.stored)
    read, original = [], sources.Path.read_bytes

    def counted(self: Path) -> bytes:
        if self.suffix == ".md":
            read.append(self.name)
        return original(self)

    monkeypatch.setattr(sources.Path, "read_bytes", counted)
    assert build(settled_site, BuildOptions(now=NOW, workers=1)).converted == 0 and read == []
    monkeypatch.undo()
    found = sources.find_sources

    def with_a_ghost(config):  # listed, then gone before it is read
        ghost = settled_site / "content" / "ghost.md"
        return found(config) + [(str(ghost), "content/ghost.md", (settled_site / "site.yaml").stat())]

    monkeypatch.setattr(sources, "find_sources", with_a_ghost)
    for cached in (False, True):  # read where it is converted (nothing cached), or first, for its digest
        with pytest.raises(SiteError, match="content/ghost.md: cannot be read: No such file or directory"):
            build(settled_site, BuildOptions(now=NOW, workers=1, use_cache=cached))


def test_a_file_gone_before_its_cache_miss_is_read_is_named(settled_site: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Its stat line is known but its cache entry is damaged, so it must be read again, and it
    is gone: the build names it, and the files after it keep their own results (found in review)."""
    import pickle

    from digest import sources
    from digest.errors import SiteError

    build(settled_site, BuildOptions(now=NOW, workers=1))
    path = settled_site / ".cache" / "articles.pickle"
    cache = sources.ArticleCache(path)
    first = sorted(cache.stats)[0]
    damaged = cache.stats[first][1]
    records = []
    with open(path, "rb") as f:
        unpickler = pickle.Unpickler(f)
        records.append(unpickler.load())
        while True:
            try:
                record = unpickler.load()
            except EOFError:
                break
            records.append((record[0], b"\0" * 16, record[2]) if record[0] == damaged else record)
    with open(path, "wb") as f:
        for record in records:
            pickle.dump(record, f)
    last = settled_site / sorted(cache.stats)[-1]
    last.write_text(last.read_text(encoding="utf-8") + "\nOne more synthetic line.\n", encoding="utf-8")
    found = sources.find_sources

    def listed_then_gone(config):  # type: ignore[no-untyped-def]
        listed = found(config)
        (settled_site / first).unlink()
        return listed

    monkeypatch.setattr(sources, "find_sources", listed_then_gone)
    with pytest.raises(SiteError, match=f"{first}: cannot be read"):
        build(settled_site, BuildOptions(now=NOW, workers=1))


def test_a_build_stopped_by_a_bad_file_keeps_what_it_converted(tmp_path: Path) -> None:
    from digest.errors import SiteError

    site = write_site(tmp_path / "site")
    bad = site / "content" / "2024" / "bad.md"
    bad.write_text("---\ntitle: [unclosed\n---\nSynthetic.\n", encoding="utf-8")
    with pytest.raises(SiteError, match="bad.md"):
        build(site, BuildOptions(now=NOW))
    bad.write_text("---\ntitle: Fixed synthetic note\ndate: 2024-06-01\n---\nSynthetic.\n", encoding="utf-8")
    assert build(site, BuildOptions(now=NOW)).converted == 1


def test_the_link_check_reads_links_as_a_browser_does(tmp_path: Path) -> None:
    body = textwrap.dedent("""\
        Write to <someone@example.org> or call [the desk](tel:+15550100).

        A code sample is text, not a link: `<a href="/nowhere/">` and

            <img src="missing.png" alt="in a code block">

        An unused footnote still has its way back.

        [^unused]: A synthetic footnote nobody cites.
        """)
    site = write_site(tmp_path / "site", {"content/2024/x.md": "---\ntitle: Links\ndate: 2024-05-02\n---\n" + body})
    report = build(site, BuildOptions(now=NOW))
    page = (site / "output/2024/05/links/index.html").read_text(encoding="utf-8")
    assert "&#109;&#97;&#105;&#108;&#116;&#111;&#58;" in page  # Markdown writes mailto: as entities
    assert "/nowhere/" in page and "missing.png" in page and 'class="footnote-backref"' in page
    assert report.verdict.problems == () and report.verdict.checked > 0


def test_link_facts_come_in_the_order_links_are_written_whatever_their_spelling() -> None:
    """Each spelling of href and src is looked for on its own; together they come in the order
    they are written. Only HTML's whitespace opens an attribute (a no-break space or a vertical
    tab does not), a link in code is text, and a relative link from a page in another folder is
    another file."""
    from digest.links import LinkFinder

    page = (b'<link rel="stylesheet" href="/digest/style.css"><img src="/digest/a.png" alt="">\n'
            b"<a HREF='/digest/b/'>b</a> <IMG SRC=\"/digest/c.png\" alt=\"\"><a\thref = \"x/\">x</a>"
            b'<pre><a href="/digest/in-code/">no</a></pre><code> src="/digest/in-code.png"</code>'
            b'<a\xc2\xa0href="/digest/not-an-attribute/">nbsp</a><a\x0bhref="/digest/nor-this/">vt</a>'
            b'<a href="#top" id="top">&amp;</a>')
    finder = LinkFinder("https://example.org/digest/")
    for folder in ("2024", "tags"):
        assert finder.facts(f"{folder}/index.html", page).targets == (
            "style.css", "a.png", "b/index.html", "c.png", f"{folder}/x/index.html", f"{folder}/index.html")
    only_hrefs = (b'<a\x0bhref="/digest/nor-this/">vt</a><p><a href="/digest/a/">a</a></p>'
                  b'<a href\xc2\xa0="/digest/nor/">nbsp</a><a href=\xe2\x80\x83"/digest/nor-that/">em space</a>')
    assert finder.facts("index.html", only_hrefs).targets == ("a/index.html",)
    # Code is cut out as before, Unicode's rules for where a tag name ends (found in review)
    coded = (b'<code\xc3\xa9><a href="/digest/b/">b</a></code><pre>x</pre\xc2\xa0>'
             b'<a href="/digest/c/">c</a></pre><a href="/digest/d/">d</a>')
    assert finder.facts("index.html", coded).targets == ("b/index.html", "c/index.html", "d/index.html")
    # '' and '?query' are the page itself, not its folder's index (found in review)
    for page in ("a/b.html", "a/index.html", "a/b.html"):
        assert finder.facts(page, b'<a href="">me</a> <a href="?page=2">me too</a>').targets == (page,)


@pytest.mark.parametrize("base_url", ["https://example.org/digest/", "https://example.org/", "http://localhost:8000/x/y/"])
def test_plain_links_resolve_as_urljoin_resolves_them(base_url: str) -> None:
    """links.resolve answers links from the root and on the site's own origin without urljoin;
    the answer is the one urljoin gives, for every kind of link it might be tempted by."""
    from urllib.parse import unquote, urljoin, urlsplit

    from digest.links import OUTSIDE, origin, resolve

    def by_urljoin(page: str, link: str) -> tuple[str, str] | None:
        if link.startswith(("http://", "https://", "//")) and not link.startswith(origin(base_url)):
            return None
        base, target = urlsplit(base_url), urlsplit(urljoin(base_url + page.removesuffix("index.html"), link))
        if target.netloc != base.netloc:
            return None
        path = unquote(target.path)
        if not path.startswith(base.path):
            return None if urlsplit(link).netloc else (OUTSIDE + path, target.fragment)
        relative = path[len(base.path):]
        return (relative + "index.html" if relative == "" or relative.endswith("/") else relative), target.fragment

    host = origin(base_url)
    links = ["/", "/digest", "/digest/", "/digest/tags/", "/digest/a.css", "/other/x/", "/digest/a b/", "/x/y/",
             "/x/y", "/x/y/../z/", "/digest/./a/", "/digest/a?b", "/digest/a#c", "/digest/%41/", "/digest//a/",
             "/digest/a.", "/digest/.well-known/x", "/x/y/z.html", "//example.org/digest/", host, host + "/",
             host + "/digest/x/", host + "/demoville/a/1/", host + "x/y/", host + ":8080/digest/", host + "/x/y/z/",
             "/digest/2024/\n12/x/", "/digest/\ttags/", "/digest/a\r/", "/digest/tags/;", "/x/y;z/", host + "/a;/"]
    for page in ["index.html", "2024/01/x/index.html", "tags/a/page/2/index.html"]:
        for link in links:
            assert resolve(base_url, page, link) == by_urljoin(page, link), (page, link)
