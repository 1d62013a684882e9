"""Search: the Pagefind index the build makes, and the search page in a real browser.

The sample site (English and Spanish) is built under /digest/ and searched in Debian's
Chromium; the 1,000-article benchmark corpus is built too, to hold the first and repeat query
of one word and of two words to their byte budgets. Browser checks skip where Chromium or
Playwright is missing, but fail under CI=true."""

from __future__ import annotations

import gzip
import json
import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from conftest import ARTICLES, NOW, REPO, many_notes, snapshot, write_site
from digest.errors import SiteError
from digest.pipeline import Builder, BuildOptions, build
from digest.preview import quick_update
from digest.search import Cancelled, _run, run_pagefind
from digest.search_chunks import _field_span, _items, _skip, _strings, _unpack, _words, split_chunks
from test_quality import AXE_LEVEL_AA, axe_violations

sys.path.insert(0, str(REPO / "bench"))
from search_bytes import QUERIES, PagesServer, describe_kinds, measure_kinds  # noqa: E402

FIRST_QUERY_KB = 130
REPEAT_QUERY_KB = 40
ALPHA = "2024/11/examplecity-opens-a-legal-clinic/"
SEARCH_ARTICLES = {
    **ARTICLES,
    "content/2024/remit.md": """\
        ---
        title: Sample remittance office cuts its fees
        date: 2024-12-10
        tags: [remittances]
        ---
        Remittances sent from the fictional office now cost less.
        """,
    "content/2024/remit.es.md": """\
        ---
        title: Una oficina de ejemplo abarata las remesas
        date: 2024-12-10
        tags: [remesas]
        ---
        Las remesas enviadas desde la oficina ficticia cuestan menos. Sin riesgo de deportación.
        """,
}


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PagesServer]:
    """The sample site, built for and served at http://127.0.0.1:PORT/digest/."""
    tmp = tmp_path_factory.mktemp("search")
    site = write_site(tmp / "site", SEARCH_ARTICLES)
    server = PagesServer(tmp / "out")
    build(site, BuildOptions(output=tmp / "out", now=NOW, base_url=server.base_url, use_cache=False, workers=1))
    yield server
    server.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 360, "height": 740})
    yield context.new_page()
    context.close()


def titles(page: Any) -> list[str]:
    return page.eval_on_selector_all("#search-results .item-title a", "links => links.map(a => a.textContent)")


# ---------------------------------------------------------------------------- the build

def test_the_index_is_built_per_language_and_reused_when_nothing_changed(site: Path) -> None:
    build(site, BuildOptions(now=NOW))
    entry = (site / "output" / "pagefind" / "pagefind-entry.json").read_text(encoding="utf-8")
    assert '"en"' in entry and '"es"' in entry
    assert not (site / "output" / "pagefind" / "pagefind-ui.js").exists()  # only what our page loads
    again = build(site, BuildOptions(now=NOW))
    assert again.write.written == 0 and again.timings["search"] < 0.5


def bundle_files(site: Path) -> dict[str, int]:
    """The search bundle's files and their modification times."""
    folder = site / "output" / "pagefind"
    return {p.relative_to(folder).as_posix(): p.stat().st_mtime_ns for p in folder.rglob("*") if p.is_file()}


def test_an_english_edit_re_indexes_english_only(site: Path) -> None:
    """Even the edit of an article that has a Spanish translation (whose page's key changes with
    its original's text, its bytes do not)."""
    build(site, BuildOptions(now=NOW))
    before = bundle_files(site)
    source = site / "content/2024/beta.md"
    source.write_text(source.read_text(encoding="utf-8") + "\nA zebracrossing was painted.\n", encoding="utf-8")
    build(site, BuildOptions(now=NOW))
    after = bundle_files(site)
    spanish = {name: time for name, time in before.items() if "es_" in name or name == "wasm.es.pagefind"}
    assert spanish and all(after.get(name) == time for name, time in spanish.items())   # untouched
    english = {name for name in before if "en_" in name}
    assert english - set(after)                                    # the English index was made again
    entry = (site / "output" / "pagefind" / "pagefind-entry.json").read_text(encoding="utf-8")
    for language in ("en", "es"):                                  # the entry names the files on disk
        meta = f"pagefind.{json_hash(entry, language)}.pf_meta"
        assert meta in after
    words = {word for name, data in read_bundle(site).items() if name.startswith("index/en_")
             for word, _ in _words(_unpack(data))}
    assert "zebracross" in words or "zebracrossing" in words       # never a stale index


def test_pages_staged_by_the_workers_that_rendered_them_are_indexed_again(tmp_path: Path) -> None:
    """A forked build's workers stage the pages they render; the index still sees each of them
    as rendered again, and is made again from the new bytes."""
    site = write_site(tmp_path / "site", many_notes())
    build(site, BuildOptions(now=NOW, workers=2))
    note = site / "content/2024/n007.md"
    note.write_text(note.read_text(encoding="utf-8").replace("title:", "dateline: Zebracrossingville\ntitle:"),
                    encoding="utf-8")
    report = build(site, BuildOptions(now=NOW, workers=2))
    assert "2024/03/synthetic-note-7/index.html" in report.write.touched
    words = {word for name, data in read_bundle(site).items() if name.startswith("index/en_")
             for word, _ in _words(_unpack(data))}
    assert any(word.startswith("zebracross") for word in words)   # never a stale index


def test_a_lost_entry_file_is_made_again_with_every_language(site: Path) -> None:
    """The kept languages are named in the entry file: without it, every language is indexed again."""
    build(site, BuildOptions(now=NOW))
    entry = site / "output" / "pagefind" / "pagefind-entry.json"
    entry.unlink()
    build(site, BuildOptions(now=NOW))
    assert set(json.loads(entry.read_text(encoding="utf-8"))["languages"]) == {"en", "es"}


def json_hash(entry: str, language: str) -> str:
    """The name of a language's metadata file, as the entry file gives it."""
    return json.loads(entry)["languages"][language]["hash"]


def read_bundle(site: Path) -> dict[str, bytes]:
    """The search bundle's files by name."""
    return read_bundle_at(site / "output" / "pagefind")


def read_bundle_at(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def words_by_language(bundle: dict[str, bytes]) -> dict[str, dict[str, bytes]]:
    """language -> word -> its CBOR bytes, from every word chunk (index/en_1234567.pf_index)."""
    found: dict[str, dict[str, bytes]] = {}
    for name, data in bundle.items():
        if name.endswith(".pf_index"):
            found.setdefault(name[len("index/"):].split("_")[0], {}).update(_words(_unpack(data)))
    return found


def test_split_chunks_keeps_every_word_where_the_searcher_looks(site: Path) -> None:
    """Each word of Pagefind's own chunks is, unchanged, in the one chunk the wasm loads for it:
    the first whose bounds hold it (pagefind_web's try_request_indexes)."""
    build(site, BuildOptions(now=NOW))
    pages = {p.relative_to(site / "output").as_posix(): p.read_bytes()
             for p in (site / "output").rglob("index.html") if b"data-pagefind-body" in p.read_bytes()}
    original = run_pagefind(pages)
    split = split_chunks(original, chunk_bytes=300)
    assert sum(n.endswith(".pf_index") for n in split) > 2 * sum(n.endswith(".pf_index") for n in original)
    assert words_by_language(split) == words_by_language(original)
    for language, info in json.loads(split["pagefind-entry.json"])["languages"].items():
        meta = _unpack(split[f"pagefind.{info['hash']}.pf_meta"])
        start, _ = _field_span(meta, 2)
        chunks = [_strings(meta, i, 3) for i in _items(meta, start)]
        for low, high, chunk_hash in chunks:
            for word, _ in _words(_unpack(split[f"index/{chunk_hash}.pf_index"])):
                assert next(h for low, high, h in chunks if low <= word <= high) == chunk_hash, (language, word)


def test_split_chunks_takes_the_last_bundles_files_only_when_they_hold_the_same_bytes(
        site: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An index file named like one of the last bundle's is taken from it, not compressed again
    (level 9: most of the re-cut's time), once its content is checked: a damaged file, or
    another file under that name, is made afresh. The bundle's bytes are the same either way."""
    import digest.search_chunks

    build(site, BuildOptions(now=NOW))
    pages = {p.relative_to(site / "output").as_posix(): p.read_bytes()
             for p in (site / "output").rglob("index.html") if b"data-pagefind-body" in p.read_bytes()}
    original = run_pagefind(pages)
    first = split_chunks(original, chunk_bytes=300)
    packed: list[bytes] = []
    real = digest.search_chunks._pack
    monkeypatch.setattr(digest.search_chunks, "_pack", lambda raw: packed.append(raw) or real(raw))
    assert split_chunks(original, chunk_bytes=300, last=first.get) == first and packed == []
    chunks = sorted(name for name in first if name.endswith(".pf_index"))
    raw = [digest.search_chunks._unpack(first[name]) for name in chunks[:7]]
    half = len(raw[5]) // 2
    same_length = bytearray(raw[6])
    same_length[-1] ^= 1
    damaged = {
        chunks[0]: first[chunks[0]][:-9],                                   # cut short
        chunks[1]: first[chunks[2]],                                        # another chunk's file
        chunks[2]: first[chunks[2]] + bytes(16),                            # zeros after it
        chunks[3]: gzip.compress(raw[3], 9, mtime=0),                       # no Pagefind signature
        chunks[4]: first[chunks[4]][:10] + bytes(len(first[chunks[4]]) - 10),  # not deflate
        chunks[5]: real(raw[5][:half]) + gzip.compress(raw[5][half:], 9, mtime=0),  # two members
        chunks[6]: real(bytes(same_length)),                                # same length, other bytes
    }
    assert split_chunks(original, chunk_bytes=300, last={**first, **damaged}.get) == first
    assert len(packed) == len(damaged)


def test_an_edit_re_cuts_the_index_compressing_only_the_chunks_it_changed(
        site: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The build hands split_chunks the bundle in output/pagefind/, and an unchanged chunk is
    taken from there. Chunks are cut in word order, so an article of made-up words that sort
    last ('zz...'), edited, changes only the last chunks (of 300 bytes here, to have many)."""
    import digest.search_chunks

    monkeypatch.setattr(digest.search_chunks, "CHUNK_BYTES", 300)
    words = " ".join(f"zz{a}{b}" for a in "bcdfgh" for b in "klmnprst")
    made_up = site / "content/2024/zz.md"
    made_up.write_text(f"---\ntitle: Made-up words\ndate: 2024-03-01\n---\n{words}.\n", encoding="utf-8")
    build(site, BuildOptions(now=NOW))
    before = {p.name for p in (site / "output/pagefind/index").iterdir()}
    packed: list[bytes] = []
    real = digest.search_chunks._pack
    monkeypatch.setattr(digest.search_chunks, "_pack", lambda raw: packed.append(raw) or real(raw))
    made_up.write_text(made_up.read_text(encoding="utf-8") + "zzzz\n", encoding="utf-8")
    build(site, BuildOptions(now=NOW))
    after = {p.name for p in (site / "output/pagefind/index").iterdir()}
    made = len([raw for raw in packed if raw[:1] == b"\x81"])   # word chunks ([[words]]), not the metadata
    assert len([name for name in before & after if name.startswith("en_")]) > 3
    assert made == len(after - before) < len(after)


def cbor(value: Any) -> bytes:
    """Plain CBOR, shortest heads, as minicbor writes Pagefind's index (a reference for _skip)."""
    def head(major: int, arg: int) -> bytes:
        if arg < 24:
            return bytes([major << 5 | arg])
        width = next(w for w in (1, 2, 4, 8) if arg < 1 << (8 * w))
        return bytes([major << 5 | {1: 24, 2: 25, 4: 26, 8: 27}[width]]) + arg.to_bytes(width, "big")
    if value is None or isinstance(value, bool):
        return head(7, {False: 20, True: 21, None: 22}[value])
    if isinstance(value, int):
        return head(0, value) if value >= 0 else head(1, -1 - value)
    if isinstance(value, str):
        return head(3, len(value.encode())) + value.encode()
    if isinstance(value, dict):
        return head(5, len(value)) + b"".join(cbor(k) + cbor(v) for k, v in value.items())
    return head(4, len(value)) + b"".join(cbor(item) for item in value)


def test_skip_finds_the_end_of_every_shape_of_word_entry() -> None:
    """Word entries as Pagefind writes them: runs of plain page entries (matched many at once)
    broken by entries too long for the run (24+ positions), ints of every width, negative
    weights, meta positions, maps, nested arrays and simple values; each item's end is where its bytes end."""
    plain = [[n % 7, [-25, n, 300 + n], []] for n in range(150)]
    odd = [[70_000, list(range(30)), [-2, 3]], [5, [2**31], [1]], [6, [[1, 2]], []], {"w": [1, -300]}]
    pages = plain[:70] + odd[:2] + plain[70:140] + odd[2:] + plain[140:]
    items = [["word", pages, 0], list(range(-30, 100)), pages[:64], pages[:8], [], [[]], "ñandú", 2**40,
             [True, None, [False]]]
    for item in items:
        data = cbor(item) + b"\xff"
        assert _skip(data, 0) == len(data) - 1, item
    chunk = cbor([[["alpha", plain[:65], 0], ["beta", pages, 1]]])
    assert [(word, cbor(entry)) for word, entry in zip(["alpha", "beta"], [["alpha", plain[:65], 0], ["beta", pages, 1]])] \
        == _words(chunk)


@pytest.mark.parametrize("command", ["build", "check"])
def test_a_missing_binary_stops_build_and_check_with_one_line(site: Path, command: str) -> None:
    env = {**os.environ, "PAGEFIND_BINARY_PATH": str(site / "no-such-pagefind")}
    run = subprocess.run([sys.executable, str(REPO / "build.py"), "--root", str(site),
                          *(["check"] if command == "check" else [])], capture_output=True, text=True, env=env)
    assert run.returncode != 0
    assert run.stderr.splitlines() == [
        f"error: site.yaml: search: the Pagefind binary is missing ({site / 'no-such-pagefind'}, from "
        "PAGEFIND_BINARY_PATH): run `python3 -m pip install 'pagefind[bin]'` (requirements.txt), "
        "or set 'search: false'",
        "1 error; output/ was left as it was"]
    assert not (site / "output").exists()


def test_search_false_writes_no_index_and_no_form(site: Path) -> None:
    yaml = site / "site.yaml"
    yaml.write_text(yaml.read_text(encoding="utf-8") + "search: false\n", encoding="utf-8")
    build(site, BuildOptions(now=NOW))
    assert not (site / "output" / "pagefind").exists() and not (site / "output" / "search").exists()
    assert "site-search" not in (site / "output" / "index.html").read_text(encoding="utf-8")


def test_an_index_too_big_for_memory_is_a_warning(site: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import digest.search

    report = build(site, BuildOptions(now=NOW))
    assert not [w for w in report.warnings if w.kind == "search memory"]
    monkeypatch.setattr(digest.search, "PAGEFIND_KB_PER_PAGE", 3 * 1024 * 1024)  # 3 GB a page
    report = build(site, BuildOptions(now=NOW))
    found = [str(w) for w in report.warnings if w.kind == "search memory"]
    pages = sum(1 for s in report.specs if s.template in ("article.html", "page.html") and not s.path.startswith("es/"))
    assert found[0] == (f"site.yaml: search: Pagefind holds about {3 * pages:.1f} GB of memory while it indexes the "
                        f"{pages:,} 'en' pages (about 3145728 KB a page); a machine with less free memory fails the "
                        "build (GitHub's hosted runners have 7 to 16 GB): set 'search: false' if it does")
    assert len(found) == 2 and "'es' pages" in found[1]


def test_a_missing_binary_is_one_clear_line(site: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import pagefind.service

    monkeypatch.setattr(pagefind.service, "get_executable", lambda: None)
    with pytest.raises(SiteError) as caught:
        build(site, BuildOptions(now=NOW, use_cache=False))
    assert [str(p) for p in caught.value.problems] == [
        "site.yaml: search: the Pagefind binary is missing: run `python3 -m pip install 'pagefind[bin]'` "
        "(requirements.txt), or set 'search: false'"]
    assert not (site / "output").exists()


def test_the_preview_indexes_after_the_pages_when_idle_and_stops_for_a_save(site: Path, tmp_path: Path) -> None:
    """`serve`: the edited page is written alone first, then the whole site with the last index;
    the index is made again afterwards (Preview does it when no save is waiting), and stops when
    one comes, leaving the last index in place."""
    builder = Builder(site, BuildOptions(now=NOW, output=tmp_path / "preview"), preview=True)
    builder.build()
    bundle = tmp_path / "preview" / "pagefind"
    assert not bundle.exists() and builder.kept.search_behind  # the first pages come before the first index
    assert builder.refresh_search().written > 0
    before = {p.name for p in bundle.rglob("*")}
    source = site / "content/2024/alpha.md"
    source.write_text(source.read_text(encoding="utf-8").replace("free advice", "free advice on zebracrossings")
                      .replace("tags: [legal aid,", "tags: [legal aid, consulates,"),  # not text alone: a quick update
                      encoding="utf-8")
    assert quick_update(builder, ["content/2024/alpha.md"]) == [ALPHA + "index.html"]
    assert {p.name for p in bundle.rglob("*")} == before
    builder.build(changed=frozenset({"content/2024/alpha.md"}))
    assert {p.name for p in bundle.rglob("*")} == before and builder.kept.search_behind
    with pytest.raises(Cancelled):
        builder.refresh_search(lambda: True)
    assert {p.name for p in bundle.rglob("*")} == before
    assert not list(tmp_path.glob(".preview.staging-*")) and not list(tmp_path.glob(".digest-search-*"))
    assert builder.refresh_search().written > 0 and not builder.kept.search_behind
    assert {p.name for p in bundle.rglob("*")} != before
    words = {word for data in words_by_language(read_bundle_at(bundle)).values() for word in data}
    assert "zebracross" in words or "zebracrossing" in words
    assert builder.refresh_search() is None  # nothing more to do


def test_every_header_has_a_plain_get_form(site: Path) -> None:
    build(site, BuildOptions(now=NOW))
    for path, action in (("index.html", "/digest/search/"), ("es/index.html", "/digest/es/search/")):
        html = (site / "output" / path).read_text(encoding="utf-8")
        assert f'<form class="site-search" role="search" action="{action}"' in html
        assert '<input id="site-search-q" name="q" type="search"' in html
        assert "<script" not in html.replace('<script type="application/ld+json">', "")


# ---------------------------------------------------------------------------- the browser

def test_english_search_finds_the_article_with_the_match_marked(page: Any, served: PagesServer) -> None:
    page.goto(served.base_url + "search/?q=remittances")
    page.wait_for_function("document.getElementById('search-status').textContent.includes(':')")
    assert titles(page) == ["Sample remittance office cuts its fees"]
    assert page.inner_text("#search-status") == "Results: 1"
    assert page.get_attribute("#search-status", "aria-live") == "polite"
    assert page.inner_text("#search-results mark").lower().startswith("remittance")
    assert page.inner_text("#search-results .meta") == "10 December 2024"
    assert page.get_attribute("#search-results a", "href") == "/digest/2024/12/sample-remittance-office-cuts-its-fees/"
    assert page.is_hidden("#search-nojs") and page.input_value("#search-q") == "remittances"
    assert axe_violations(page, AXE_LEVEL_AA) == []


@pytest.mark.parametrize("query", ["remitt", "fictional office", "office remit"])
def test_word_beginnings_and_two_words_find_the_article(page: Any, served: PagesServer, query: str) -> None:
    """A word's beginning, and two words in either order (test_split_chunks_* checks the bounds)."""
    page.goto(served.base_url + f"search/?q={query}")
    page.wait_for_function("document.getElementById('search-status').textContent.includes(':')")
    assert titles(page) == ["Sample remittance office cuts its fees"]


@pytest.mark.parametrize("query", ["remesa", "REMESAS", "deportacion"])
def test_spanish_search_stems_and_folds_accents_and_case(page: Any, served: PagesServer, query: str) -> None:
    page.goto(served.base_url + f"es/search/?q={query}")
    page.wait_for_function("document.getElementById('search-status').textContent.includes(':')")
    assert titles(page) == ["Una oficina de ejemplo abarata las remesas"]
    assert page.inner_text("#search-status") == "Resultados: 1"


def test_the_tag_filter_narrows_the_results(page: Any, served: PagesServer) -> None:
    page.goto(served.base_url + "search/?q=hours&tag=consulates")
    page.wait_for_function("document.getElementById('search-status').textContent.includes(':')")
    assert titles(page) == ["Sample consulate extends hours"]
    assert page.input_value("#search-tag") == "consulates"
    page.goto(served.base_url + "search/?q=hours")
    page.wait_for_function("document.getElementById('search-status').textContent.includes(':')")
    assert len(titles(page)) == 2


def test_no_result_says_so_and_offers_the_tags(page: Any, served: PagesServer) -> None:
    page.goto(served.base_url + "search/?q=zzqxj")
    page.wait_for_function("document.getElementById('search-status').textContent.includes(':')")
    assert page.inner_text("#search-status") == "Results: 0"
    assert page.is_visible("#search-none")
    assert page.get_attribute("#search-none a", "href") == "/digest/tags/"


def test_without_javascript_the_form_still_leads_to_the_search_page(browser: Any, served: PagesServer) -> None:
    context = browser.new_context(java_script_enabled=False, viewport={"width": 360, "height": 740})
    page = context.new_page()
    page.goto(served.base_url + ALPHA)
    page.fill("#site-search-q", "remittances")
    page.press("#site-search-q", "Enter")
    page.wait_for_url("**/digest/search/?q=remittances")
    assert page.is_visible("#search-nojs")
    links = page.eval_on_selector_all("#search-nojs a", "links => links.map(a => a.getAttribute('href'))")
    assert links == ["/digest/tags/", "/digest/archive/"]
    context.close()


def test_an_article_page_loads_nothing_of_the_index(page: Any, served: PagesServer) -> None:
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto(served.base_url + ALPHA)
    page.wait_for_load_state("networkidle")
    assert requests and not [r for r in requests if "/pagefind/" in r or r.endswith(".js")]


@pytest.fixture(scope="module")
def benchmark_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PagesServer]:
    """The 1,000-article benchmark corpus, built and served."""
    tmp = tmp_path_factory.mktemp("bench")
    subprocess.run([sys.executable, str(REPO / "bench" / "generate.py"), "1000", str(tmp / "site")], check=True,
                   capture_output=True)
    server = PagesServer(tmp / "out")
    build(tmp / "site", BuildOptions(output=tmp / "out", now=NOW, base_url=server.base_url, use_cache=False))
    yield server
    server.close()


def test_query_bytes_stay_within_budget_on_the_benchmark_site(browser: Any, benchmark_site: PagesServer) -> None:
    """One-word and two-word queries, each first on a fresh phone and then repeated."""
    kinds = measure_kinds(browser, benchmark_site.base_url + "search/")
    print(f"\nsearch on 1,000 articles, KB first / repeat: {describe_kinds(kinds)}")
    assert set(kinds) == set(QUERIES) == {"one word", "two words"}
    for kind, (first, repeat) in kinds.items():
        assert first.results > 0 and repeat.results > 0, kind
        assert first.total <= FIRST_QUERY_KB * 1024, (kind, first.files)
        assert repeat.total <= REPEAT_QUERY_KB * 1024, (kind, repeat.files)
        assert not [url for url in {**first.files, **repeat.files} if url.endswith(".pf_filter")]  # no filter asked


def test_a_cancelled_run_stops_its_process_at_once(tmp_path: Path) -> None:
    start = time.monotonic()
    with pytest.raises(Cancelled):
        _run([sys.executable, "-c", "import time; time.sleep(30)"], tmp_path / "log",
             lambda: time.monotonic() - start > 0.3)
    assert time.monotonic() - start < 5


def test_work_while_pagefind_runs_is_asked_for_until_there_is_none_and_a_failure_stops_it(tmp_path: Path) -> None:
    """`meanwhile` (a share card drawn) is called again at once while it has work, then every
    tenth of a second; when it fails, the process is stopped, not waited for."""
    calls = []

    def five_cards() -> bool:
        calls.append(time.monotonic())
        return len(calls) <= 5

    code, _ = _run([sys.executable, "-c", "import time; time.sleep(0.6)"], tmp_path / "log", lambda: False, five_cards)
    assert code == 0 and len(calls) >= 7   # five at once, then a few while it sleeps
    assert calls[4] - calls[0] < 0.05

    def failing() -> bool:
        raise RuntimeError("a card could not be drawn")

    start = time.monotonic()
    with pytest.raises(RuntimeError, match="card"):
        _run([sys.executable, "-c", "import time; time.sleep(30)"], tmp_path / "log", lambda: False, failing)
    assert time.monotonic() - start < 5


def test_share_cards_are_drawn_while_pagefind_runs_and_a_failed_card_leaves_the_output(
        site: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A build names its cards when it plans and draws them after its pages, the first ones
    while Pagefind indexes (a core it leaves idle; with --jobs 1, after it); every page's card is
    then in the output. A card that cannot be drawn fails the build, and the output stays as
    the last build left it."""
    import digest.cards
    import digest.search

    running, drawn = [], []
    real_run, real_draw_one = digest.search._run, digest.cards.Unmade.draw_one

    def run(*args: Any, **kwargs: Any) -> Any:
        running.append(True)
        try:
            return real_run(*args, **kwargs)
        finally:
            running.pop()

    def draw_one(self: Any) -> bool:
        did = real_draw_one(self)
        drawn.append((did, bool(running)))
        return did

    monkeypatch.setattr(digest.search, "_run", run)
    monkeypatch.setattr(digest.cards.Unmade, "draw_one", draw_one)
    build(site, BuildOptions(now=NOW, workers=1, output=site / "one-core"))  # --jobs 1: one thing at a time
    assert drawn == [] and (site / "one-core/pagefind").is_dir()
    report = build(site, BuildOptions(now=NOW, workers=2, use_cache=False))
    assert (True, True) in drawn
    assert "cards" in report.timings
    named = set()
    for page in (site / "output").rglob("*.html"):
        found = re.search(r'<meta property="og:image" content="https://example.org/digest/([^"]+)"',
                          page.read_text(encoding="utf-8"))
        if found:
            named.add(found.group(1))
    assert len(named) > 3 and all((site / "output" / name).read_bytes().startswith(b"\x89PNG") for name in named)

    before = snapshot(site / "output")
    article = site / "content/2024/alpha.md"
    article.write_text(article.read_text(encoding="utf-8").replace("title: ", "title: Retitled ", 1), encoding="utf-8")

    def broken(job: Any, fonts: Any) -> bytes:
        raise SiteError.at("share cards", None, "this card cannot be drawn")

    monkeypatch.setattr(digest.cards, "draw", broken)
    with pytest.raises(SiteError, match="this card cannot be drawn"):
        build(site, BuildOptions(now=NOW))
    assert snapshot(site / "output") == before
    assert not list(site.glob(".output.staging-*"))


def test_the_preview_makes_no_index_once_search_is_turned_off(site: Path, tmp_path: Path) -> None:
    builder = Builder(site, BuildOptions(now=NOW, output=tmp_path / "preview"), preview=True)
    builder.build()
    assert builder.kept.search_behind
    (site / "site.yaml").write_text((site / "site.yaml").read_text(encoding="utf-8") + "search: false\n",
                                    encoding="utf-8")
    builder.build(changed=frozenset({"site.yaml"}))
    assert builder.refresh_search() is None and not (tmp_path / "preview" / "pagefind").exists()
