"""Warm builds, the cache and a long-lived builder give exactly what a fresh build gives."""

from __future__ import annotations

import dataclasses
import os
import pickle
import shutil
from datetime import timedelta
from pathlib import Path

import pytest

from conftest import ARTICLES, NOW, SITE_YAML, snapshot, write_site
from digest.errors import SiteError
from digest.pipeline import Builder, BuildOptions, build
from digest.preview import quick_update

ALPHA_SOURCE = "content/2024/alpha.md"
ALPHA_PAGE = "2024/11/examplecity-opens-a-legal-clinic/index.html"


def fresh_build(site: Path, tmp_path: Path) -> dict[str, bytes]:
    """The site built from scratch elsewhere: no cache, no previous output, one process."""
    copy = tmp_path / "fresh"
    shutil.rmtree(copy, ignore_errors=True)
    shutil.copytree(site, copy, ignore=shutil.ignore_patterns("output", ".cache"))
    build(copy, BuildOptions(now=NOW, use_cache=False, workers=1))
    return snapshot(copy / "output")


def edit(site: Path, source: str, old: str, new: str) -> None:
    path = site / source
    path.write_text(path.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")


def test_after_one_edit_exactly_the_affected_pages_change(site: Path, tmp_path: Path) -> None:
    build(site, BuildOptions(now=NOW))
    before = snapshot(site / "output")
    edit(site, ALPHA_SOURCE, "Thursday evenings", "Thursday and Friday evenings")
    report = build(site, BuildOptions(now=NOW))
    after = snapshot(site / "output")
    changed = {p for p in after if before.get(p) != after[p]}
    # The article, and the feeds that carry its full text; lists show only the summary.
    assert changed == {ALPHA_PAGE, "feed.xml", "tags/legal-aid/feed.xml", "tags/examplecity/feed.xml"}
    index = {p for p in report.write.touched  # the search index, made again from the new page
             if p.startswith("pagefind/") and (site / "output" / p).exists()}
    assert index and report.converted == 1 and report.write.written == len(changed) + len(index)
    assert after == fresh_build(site, tmp_path)


def test_a_title_edit_reaches_every_list_that_shows_it(site: Path, tmp_path: Path) -> None:
    build(site, BuildOptions(now=NOW))
    edit(site, ALPHA_SOURCE, "title: Examplecity opens a legal clinic", "title: Examplecity opens a legal clinic\nslug: examplecity-opens-a-legal-clinic\nsummary: A new synthetic summary.")
    edit(site, ALPHA_SOURCE, "title: Examplecity opens a legal clinic\n", "title: Examplecity opens a new legal clinic\n")
    build(site, BuildOptions(now=NOW))
    after = snapshot(site / "output")
    assert after == fresh_build(site, tmp_path)
    showing = [p for p, data in after.items() if b"Examplecity opens a new legal clinic" in data]
    assert {"page/2/index.html", "tags/legal-aid/index.html", "2024/11/index.html", "feed.xml", ALPHA_PAGE,
            "2024/12/sample-consulate-extends-hours/index.html"} <= set(showing)


def test_related_articles_follow_a_tag_edit_in_a_new_process_and_a_long_lived_builder(site: Path,
                                                                                      tmp_path: Path) -> None:
    """Related articles are remembered by their lists (.cache/related.pickle): an edit of the
    text keeps them, an edit of the tags finds them again, in both kinds of build."""
    builder = Builder(site, BuildOptions(now=NOW))
    builder.build()
    assert (site / ".cache" / "related.pickle").is_file()
    edit(site, ALPHA_SOURCE, "Thursday evenings", "Thursday and Friday evenings")
    builder.build()
    assert snapshot(site / "output") == fresh_build(site, tmp_path)
    text = (site / ALPHA_SOURCE).read_text(encoding="utf-8")
    tags = next(line for line in text.splitlines() if line.startswith("tags:"))
    edit(site, ALPHA_SOURCE, tags, "tags: [consulates, remittances]")
    builder.build()
    assert snapshot(site / "output") == fresh_build(site, tmp_path)
    edit(site, ALPHA_SOURCE, "tags: [consulates, remittances]", "tags: [family]")
    build(site, BuildOptions(now=NOW))  # a new process: the memo from disk
    assert snapshot(site / "output") == fresh_build(site, tmp_path)


def test_a_corrupted_or_stale_cache_is_rebuilt(site: Path, tmp_path: Path) -> None:
    build(site, BuildOptions(now=NOW))
    expected = snapshot(site / "output")
    cache = site / ".cache" / "articles.pickle"
    data = bytearray(cache.read_bytes())
    at = data.find(b"free advice")
    assert at > 0
    data[at:at + 4] = b"FREE"  # the entry still unpickles, but its checksum no longer matches
    cache.write_bytes(bytes(data))
    shutil.rmtree(site / "output")
    report = build(site, BuildOptions(now=NOW))
    assert report.converted == 1 and snapshot(site / "output") == expected
    shutil.rmtree(site / "output")  # the damaged entry was written again: not converted a third time
    assert build(site, BuildOptions(now=NOW)).converted == 0 and snapshot(site / "output") == expected
    cache.write_bytes(b"not a pickle at all")
    shutil.rmtree(site / "output")
    report = build(site, BuildOptions(now=NOW))
    assert report.converted == len(list((site / "content").rglob("*.md")))
    assert snapshot(site / "output") == expected
    with open(cache, "wb") as f:  # a cache from another engine version is ignored
        pickle.dump("digest-cache-0-1", f)
    assert build(site, BuildOptions(now=NOW)).converted == len(list((site / "content").rglob("*.md")))


def test_an_edit_is_appended_to_the_cache_and_a_cut_off_append_is_mended(site: Path, tmp_path: Path) -> None:
    build(site, BuildOptions(now=NOW))
    cache = site / ".cache" / "articles.pickle"
    before = cache.stat()
    edit(site, ALPHA_SOURCE, "free advice", "free synthetic advice")
    assert build(site, BuildOptions(now=NOW)).converted == 1
    after = cache.stat()
    assert after.st_ino == before.st_ino and after.st_size > before.st_size  # appended, not written anew
    shutil.rmtree(site / "output")
    assert build(site, BuildOptions(now=NOW)).converted == 0  # a new process finds the appended entry
    edit(site, ALPHA_SOURCE, "free synthetic advice", "free synthetic advice again")
    build(site, BuildOptions(now=NOW))
    with open(cache, "r+b") as f:
        f.truncate(cache.stat().st_size - 20)  # the last append was cut off
    shutil.rmtree(site / "output")
    assert build(site, BuildOptions(now=NOW)).converted == 1
    assert cache.stat().st_ino != after.st_ino  # written anew, whole
    assert build(site, BuildOptions(now=NOW)).converted == 0
    assert snapshot(site / "output") == fresh_build(site, tmp_path)


def test_output_edited_by_hand_is_repaired(site: Path) -> None:
    build(site, BuildOptions(now=NOW))
    expected = snapshot(site / "output")
    (site / "output" / ALPHA_PAGE).write_text("tampered", encoding="utf-8")
    (site / "output" / "feed.xml").unlink()
    report = build(site, BuildOptions(now=NOW))
    assert report.write.written == 2 and snapshot(site / "output") == expected


def test_long_lived_builder_follows_edits_additions_and_deletions(site: Path, tmp_path: Path) -> None:
    builder = Builder(site, BuildOptions(now=NOW, output=tmp_path / "preview"))
    builder.build()
    edit(site, ALPHA_SOURCE, "free advice", "quick synthetic advice")
    assert quick_update(builder, [ALPHA_SOURCE]) == [ALPHA_PAGE]
    assert b"quick synthetic advice" in (tmp_path / "preview" / ALPHA_PAGE).read_bytes()
    report = builder.build()
    assert report.converted == 0  # quick_update's conversion went into the cache
    (site / "content/2025/added.md").write_text("---\ntitle: Added synthetic note\ndate: 2024-12-20\n---\nNew.\n",
                                                encoding="utf-8")
    (site / "content/2023/delta.md").unlink()
    builder.build()
    ours = snapshot(tmp_path / "preview")
    shutil.rmtree(site / "output", ignore_errors=True)
    assert ours == fresh_build(site, tmp_path)
    assert "2023/05/older-synthetic-note/index.html" not in ours
    assert "2024/12/added-synthetic-note/index.html" in ours


def test_the_build_after_a_quick_update_still_checks_that_page(site: Path, tmp_path: Path) -> None:
    builder = Builder(site, BuildOptions(now=NOW, output=tmp_path / "preview"))
    builder.build()
    edit(site, ALPHA_SOURCE, "free advice", "free advice, see [this](../../../no-such-page/)")
    assert quick_update(builder, [ALPHA_SOURCE]) == [ALPHA_PAGE]
    with pytest.raises(SiteError) as failed:
        builder.build()
    assert [p.path for p in failed.value.problems] == [ALPHA_SOURCE]
    edit(site, ALPHA_SOURCE, ", see [this](../../../no-such-page/)", " on Mondays")
    assert quick_update(builder, [ALPHA_SOURCE]) == [ALPHA_PAGE]
    report = builder.build()
    assert ALPHA_PAGE not in report.write.touched  # the quick update already wrote these bytes


DELTA_SOURCE = "content/2023/delta.md"


def preview_builder(site: Path, tmp_path: Path) -> Builder:
    builder = Builder(site, BuildOptions(now=NOW, output=tmp_path / "preview"), preview=True)
    builder.build()
    return builder


def append(site: Path, source: str, text: str) -> None:
    with (site / source).open("a", encoding="utf-8") as f:
        f.write(f"\n{text}\n")


def test_a_text_edit_is_planned_quickly_and_built_as_a_fresh_build_would(site: Path, tmp_path: Path) -> None:
    builder = preview_builder(site, tmp_path)
    append(site, ALPHA_SOURCE, "A closing synthetic paragraph about the clinic.")
    append(site, DELTA_SOURCE, "Another synthetic paragraph, for the older note.")
    report = builder.build(changed=frozenset({ALPHA_SOURCE, DELTA_SOURCE}))
    assert "replan" in report.timings and "model" not in report.timings
    ours = snapshot(tmp_path / "preview")
    assert b"A closing synthetic paragraph" in ours[ALPHA_PAGE] and b"A closing synthetic paragraph" in ours["feed.xml"]
    assert ours == fresh_build(site, tmp_path)
    append(site, ALPHA_SOURCE, "And a second closing paragraph.")  # the swapped-in article is edited again
    assert "replan" in builder.build(changed=frozenset({ALPHA_SOURCE})).timings
    assert snapshot(tmp_path / "preview") == fresh_build(site, tmp_path)


def test_a_title_or_summary_edit_is_planned_quickly_and_built_as_a_fresh_build_would(site: Path,
                                                                                        tmp_path: Path) -> None:
    """The title and summary are also in the page's head, its redirects' and its share card, which
    the plan makes: those are planned again for that article alone."""
    edit(site, DELTA_SOURCE, "title: Older synthetic note\n",
         "title: Older synthetic note\nslug: older-synthetic-note\naliases: [/notes/older/]\n")
    builder = preview_builder(site, tmp_path)
    card = next(p for p in snapshot(tmp_path / "preview") if p.startswith("images/cards/older-synthetic-note-"))
    edit(site, DELTA_SOURCE, "title: Older synthetic note\n", "title: Renamed synthetic note\n")
    report = builder.build(changed=frozenset({DELTA_SOURCE}))
    assert "replan" in report.timings and "model" not in report.timings
    ours = snapshot(tmp_path / "preview")
    assert card not in ours  # its card was drawn again, with the new title, under a new name
    assert all(b"Renamed synthetic note" in ours[p] for p in (
        "2023/05/older-synthetic-note/index.html", "notes/older/index.html", "tags/legal-aid/page/2/index.html",
        "2023/index.html", "tags/legal-aid/feed.xml", ALPHA_PAGE, "page/2/index.html"))
    assert ours == fresh_build(site, tmp_path)
    # Its summary (its first paragraph) and its neighbour's title, in one batch
    edit(site, DELTA_SOURCE, "An older synthetic paragraph.", "A renamed synthetic paragraph.")
    edit(site, ALPHA_SOURCE, "title: Examplecity opens a legal clinic\n",
         "title: Examplecity opens a legal clinic\nsummary: A synthetic summary of the clinic.\n")
    report = builder.build(changed=frozenset({DELTA_SOURCE, ALPHA_SOURCE}))
    assert "replan" in report.timings and "model" not in report.timings
    assert snapshot(tmp_path / "preview") == fresh_build(site, tmp_path)
    edit(site, DELTA_SOURCE, "title: Renamed synthetic note\n", "title: Older synthetic note\n")  # and back
    assert "replan" in builder.build(changed=frozenset({DELTA_SOURCE})).timings
    assert snapshot(tmp_path / "preview") == fresh_build(site, tmp_path)


@pytest.mark.parametrize("change", ["tags", "title and address", "page title", "translated", "image", "unknown",
                                    "bundle file"])
def test_an_edit_beyond_the_text_plans_the_site_again(site: Path, tmp_path: Path, change: str) -> None:
    builder = preview_builder(site, tmp_path)
    changed: frozenset[str] | None = frozenset({DELTA_SOURCE})
    if change == "tags":
        edit(site, DELTA_SOURCE, "tags: [legal aid]", "tags: [legal aid, consulates]")
    elif change == "title and address":  # its slug comes from its title
        edit(site, DELTA_SOURCE, "Older synthetic note", "Oldest synthetic note")
    elif change == "page title":  # in every page's menu
        edit(site, "content/pages/about.md", "title: About", "title: About us")
        changed = frozenset({"content/pages/about.md"})
    elif change == "translated":  # its Spanish version's staleness follows its text
        append(site, "content/2024/beta.md", "More synthetic text.")
        changed = frozenset({"content/2024/beta.md"})
    elif change == "image":
        from PIL import Image

        Image.new("RGB", (64, 48), (40, 90, 160)).save(site / "content/2023/photo.png")
        append(site, DELTA_SOURCE, "![A synthetic test image](photo.png)")
    elif change == "unknown":
        append(site, DELTA_SOURCE, "Synthetic text.")
        changed = None
    elif change == "bundle file":
        append(site, DELTA_SOURCE, "Synthetic text.")
        changed = frozenset({DELTA_SOURCE, "content/2023/notes.txt"})
    report = builder.build(changed=changed)
    assert "model" in report.timings
    assert snapshot(tmp_path / "preview") == fresh_build(site, tmp_path)


def test_after_a_failed_text_edit_the_next_one_is_still_right(site: Path, tmp_path: Path) -> None:
    builder = preview_builder(site, tmp_path)
    append(site, DELTA_SOURCE, "See [a missing page](../../../2099/01/nowhere/).")
    with pytest.raises(SiteError):
        builder.build(changed=frozenset({DELTA_SOURCE}))
    edit(site, DELTA_SOURCE, "See [a missing page](../../../2099/01/nowhere/).", "A fixed synthetic line.")
    assert "replan" in builder.build(changed=frozenset({DELTA_SOURCE})).timings
    assert snapshot(tmp_path / "preview") == fresh_build(site, tmp_path)


def test_an_article_coming_of_age_during_a_preview_plans_the_site_again(site: Path, tmp_path: Path) -> None:
    builder = preview_builder(site, tmp_path)
    builder.options = dataclasses.replace(builder.options, now=NOW + timedelta(days=30))
    append(site, DELTA_SOURCE, "Synthetic text.")
    report = builder.build(changed=frozenset({DELTA_SOURCE}))
    assert "model" in report.timings
    assert (tmp_path / "preview" / "2025/02/synthetic-future-notice/index.html").is_file()


def test_the_preview_leaves_a_text_edit_to_its_quick_rebuild(site: Path, tmp_path: Path) -> None:
    builder = preview_builder(site, tmp_path)
    append(site, DELTA_SOURCE, "A synthetic paragraph at the end.")
    assert quick_update(builder, [DELTA_SOURCE]) == []  # the rebuild plans it as quickly, lists and feeds too
    edit(site, DELTA_SOURCE, "An older synthetic paragraph", "An older, synthetic paragraph")  # its summary
    assert quick_update(builder, [DELTA_SOURCE]) == []
    edit(site, DELTA_SOURCE, "tags: [legal aid]", "tags: [legal aid, consulates]")  # the lists it is on change
    assert quick_update(builder, [DELTA_SOURCE]) == ["2023/05/older-synthetic-note/index.html"]


@pytest.mark.parametrize("other", ["static/style.css", "layouts/base.html"])
def test_a_change_saved_with_a_failed_build_is_not_lost_by_the_text_edit_after_it(site: Path, tmp_path: Path,
                                                                                   other: str) -> None:
    builder = preview_builder(site, tmp_path)
    edit(site, other, "</footer>" if other.endswith(".html") else "}", "</footer><!-- a synthetic change -->"
         if other.endswith(".html") else "} /* a synthetic rule */")
    if other.startswith("layouts/"):
        builder.reload_layouts()  # as the preview does for a layout
    append(site, DELTA_SOURCE, "See [a missing page](../../../2099/01/nowhere/).")
    with pytest.raises(SiteError):  # the same save batch: the build fails on the broken link
        builder.build(changed=frozenset({other, DELTA_SOURCE}))
    edit(site, DELTA_SOURCE, "See [a missing page](../../../2099/01/nowhere/).", "A fixed synthetic line.")
    report = builder.build(changed=frozenset({DELTA_SOURCE}))  # its text alone, but the batch before counts
    assert "model" in report.timings
    assert snapshot(tmp_path / "preview") == fresh_build(site, tmp_path)


def test_a_second_save_in_the_same_clock_tick_is_still_read(site: Path, tmp_path: Path) -> None:
    """A long-lived builder trusts an unchanged size and time only for files whose time was
    settled when it read them: a save with the same size and time as the one before is read."""
    builder = preview_builder(site, tmp_path)
    source = site / ALPHA_SOURCE
    edit(site, ALPHA_SOURCE, "Thursday evenings", "Thursday mornings")
    builder.build(changed=frozenset({ALPHA_SOURCE}))
    first = source.stat()
    edit(site, ALPHA_SOURCE, "Thursday mornings", "Thursday midnight")  # the same size
    os.utime(source, ns=(first.st_atime_ns, first.st_mtime_ns))      # and the same time: one clock tick
    assert source.stat().st_size == first.st_size
    builder.build(changed=frozenset({ALPHA_SOURCE}))
    assert b"Thursday midnight" in (tmp_path / "preview" / ALPHA_PAGE).read_bytes()


@pytest.mark.parametrize("damage", [b"", b"not a pickle", pickle.dumps((3, {})), pickle.dumps(["foreign"])])
def test_a_damaged_manifest_renders_every_page_again(site: Path, tmp_path: Path, damage: bytes) -> None:
    build(site, BuildOptions(now=NOW))
    [manifest] = (site / ".cache").glob("manifest-*.pickle")
    manifest.write_bytes(damage)
    append(site, DELTA_SOURCE, "A synthetic paragraph, so that the build runs.")
    report = build(site, BuildOptions(now=NOW))
    assert report.write.unchanged == 0 and report.write.written > len(snapshot(site / "output"))  # all, and the index
    assert snapshot(site / "output") == fresh_build(site, tmp_path)


NO_ASCII_SLUG = {"content/2023/kana.md": """\
---
title: お知らせ
date: 2023-08-01
tags: [legal aid]
---
A synthetic notice whose title gives no ASCII slug: the site model gives it one of its own.
"""}


def replanned(builder: Builder, site: Path, tmp_path: Path, *changed: str) -> bool:
    """Build after an edit; the output must be a fresh build's. Whether the last plan stood."""
    report = builder.build(changed=frozenset(changed))
    assert snapshot(tmp_path / "preview") == fresh_build(site, tmp_path)
    return "model" not in report.timings


def test_head_edits_of_drafts_future_articles_and_plain_pages(site: Path, tmp_path: Path) -> None:
    builder = preview_builder(site, tmp_path)
    edit(site, "content/2025/draft.md", "Not ready.", "Not ready at all.")  # its summary; shown nowhere
    assert replanned(builder, site, tmp_path, "content/2025/draft.md")
    edit(site, "content/2025/future.md", "Not yet.", "Not yet, soon.")
    assert replanned(builder, site, tmp_path, "content/2025/future.md")
    append(site, ALPHA_SOURCE, "A closing synthetic paragraph.")  # and the next edit still plans well
    assert replanned(builder, site, tmp_path, ALPHA_SOURCE)
    edit(site, "content/pages/about.md", "A synthetic about page.", "A synthetic page about us.")  # its summary
    assert replanned(builder, site, tmp_path, "content/pages/about.md")


def test_an_article_the_site_model_gives_a_slug_is_planned_right(tmp_path: Path) -> None:
    """Its neighbour's title edit keeps the model's copy in the neighbour's links; its own edit
    plans the site again (the pages show the model's copy, not the article read)."""
    site = write_site(tmp_path / "site", {**ARTICLES, **NO_ASCII_SLUG})
    edit(site, DELTA_SOURCE, "title: Older synthetic note\n", "title: Older synthetic note\nslug: older-synthetic-note\n")
    builder = preview_builder(site, tmp_path)
    edit(site, DELTA_SOURCE, "title: Older synthetic note\n", "title: Renamed synthetic note\n")
    assert replanned(builder, site, tmp_path, DELTA_SOURCE)
    append(site, "content/2023/kana.md", "A second synthetic paragraph.")
    assert not replanned(builder, site, tmp_path, "content/2023/kana.md")


@pytest.mark.parametrize("cards", ["articles", "photos", "site"])
def test_title_edits_with_every_kind_of_share_card(tmp_path: Path, cards: str) -> None:
    site = write_site(tmp_path / "site", site_yaml=SITE_YAML + f"share_cards: {cards}\n")
    edit(site, DELTA_SOURCE, "title: Older synthetic note\n", "title: Older synthetic note\nslug: older-synthetic-note\n")
    edit(site, ALPHA_SOURCE, "title: Examplecity opens a legal clinic\n",
         "title: Examplecity opens a legal clinic\nslug: examplecity-opens-a-legal-clinic\n")
    builder = preview_builder(site, tmp_path)
    edit(site, DELTA_SOURCE, "title: Older synthetic note\n", "title: Renamed synthetic note\n")
    edit(site, ALPHA_SOURCE, "title: Examplecity opens a legal clinic\n", "title: Examplecity opens a new clinic\n")
    assert replanned(builder, site, tmp_path, DELTA_SOURCE, ALPHA_SOURCE)  # two neighbours in one batch
    edit(site, DELTA_SOURCE, "title: Renamed synthetic note\n", "title: Older synthetic note\n")
    assert replanned(builder, site, tmp_path, DELTA_SOURCE)


def test_a_title_edit_onto_another_articles_card_plans_the_site_again(site: Path, tmp_path: Path) -> None:
    """Two articles with one slug, date and title draw one card: the plan must not list it twice."""
    for name, title in (("x", "Shared synthetic name"), ("y", "Other synthetic name")):
        (site / f"content/2024/{name}.md").write_text(
            f"---\ntitle: {title}\nslug: same\ndate: 2024-06-01\n{'permalink: special/' if name == 'x' else ''}\n"
            f"---\nOne synthetic text.\n", encoding="utf-8")
    builder = preview_builder(site, tmp_path)
    edit(site, "content/2024/y.md", "title: Other synthetic name", "title: Shared synthetic name")
    assert not replanned(builder, site, tmp_path, "content/2024/y.md")


def test_a_neighbours_page_planned_again_follows_later_edits(site: Path, tmp_path: Path) -> None:
    """An undone edit reads the article again as a new object with its old digest: a page
    planned again must show that object, which later edits are swapped into."""
    for source, title in ((DELTA_SOURCE, "Older synthetic note"), (ALPHA_SOURCE, "Examplecity opens a legal clinic")):
        edit(site, source, f"title: {title}\n", f"title: {title}\nslug: {title.lower().replace(' ', '-')}\n")
    builder = preview_builder(site, tmp_path)
    edit(site, DELTA_SOURCE, "title: Older synthetic note\n", "title: Renamed synthetic note\n")
    assert replanned(builder, site, tmp_path, DELTA_SOURCE)
    edit(site, DELTA_SOURCE, "title: Renamed synthetic note\n", "title: Older synthetic note\n")  # undone
    assert replanned(builder, site, tmp_path, DELTA_SOURCE)
    edit(site, ALPHA_SOURCE, "title: Examplecity opens a legal clinic\n", "title: Examplecity opens a new clinic\n")
    assert replanned(builder, site, tmp_path, ALPHA_SOURCE)  # its page, planned again, shows delta
    edit(site, DELTA_SOURCE, "title: Older synthetic note\n", "title: Third synthetic note\n")
    assert replanned(builder, site, tmp_path, DELTA_SOURCE)


def test_a_quick_update_shows_neighbours_as_the_last_build_did(site: Path, tmp_path: Path) -> None:
    edit(site, DELTA_SOURCE, "title: Older synthetic note\n", "title: Older synthetic note\nslug: older-synthetic-note\n")
    builder = preview_builder(site, tmp_path)
    edit(site, DELTA_SOURCE, "title: Older synthetic note\n", "title: Renamed synthetic note\n")
    assert replanned(builder, site, tmp_path, DELTA_SOURCE)  # the site model still holds the old title
    edit(site, ALPHA_SOURCE, "tags: [legal aid, Examplecity]", "tags: [legal aid, Examplecity, consulates]")
    assert quick_update(builder, [ALPHA_SOURCE]) == [ALPHA_PAGE]
    page = (tmp_path / "preview" / ALPHA_PAGE).read_bytes()
    assert b"Renamed synthetic note" in page and b"Older synthetic note" not in page


def test_bodies_are_squeezed_only_on_a_large_site_and_pages_are_the_same(site: Path, tmp_path: Path,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    from digest import sources

    def packed_bodies() -> set[bytes]:
        cache = sources.ArticleCache(site / ".cache" / "articles.pickle")
        return {result.article.packed_body[:1] for digest in list(cache.stored)
                if (result := cache.get(digest)) is not None and result.article is not None}

    build(site, BuildOptions(now=NOW))
    expected = fresh_build(site, tmp_path)
    assert snapshot(site / "output") == expected and packed_bodies() == {b"="}  # kept as UTF-8
    monkeypatch.setattr(sources, "SQUEEZE_ABOVE", 2)  # now a 'large' site: what is read again is squeezed
    edit(site, "content/2024/alpha.md", "free advice", "free legal advice")
    build(site, BuildOptions(now=NOW))
    assert packed_bodies() == {b"=", b"x"}  # one zlib stream (0x78) beside the others as they were
    assert snapshot(site / "output") == fresh_build(site, tmp_path) != expected
    shutil.rmtree(site / ".cache")
    shutil.rmtree(site / "output")
    build(site, BuildOptions(now=NOW, workers=2))
    assert packed_bodies() == {b"x"}
    squeezed = snapshot(site / "output")
    monkeypatch.setattr(sources, "SQUEEZE_ABOVE", 20_000)
    assert squeezed == fresh_build(site, tmp_path)  # built with every body as UTF-8
