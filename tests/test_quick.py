"""A build after text edits alone renders the pages that read those texts from what the last
build kept (digest/quick.py), and leaves the output folder exactly as a full build would."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from conftest import cli_build as run  # one build as the command line runs it
from conftest import NOW, SITE_YAML, snapshot, write_site
from digest import files, pipeline, quick
from digest.errors import SiteError
from digest.pipeline import Builder, BuildOptions, BuildReport
from digest.stamp import Unchanged

ALPHA = "content/2024/alpha.md"
ALPHA_PAGE = "2024/11/examplecity-opens-a-legal-clinic/index.html"
DELTA = "content/2023/delta.md"
BETA = "content/2024/beta.md"


@pytest.fixture
def site(settled_site: Path) -> Path:
    return settled_site


def full(site: Path, out: Path) -> BuildReport:
    """What a full build without any cache makes of the site as it is now."""
    builder = Builder(site, BuildOptions(now=NOW, output=out, use_cache=False))
    try:
        return builder.build()
    finally:
        builder.close()


def edit(site: Path, source: str, old: str, new: str) -> None:
    path = site / source
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def same_as_full(site: Path, tmp_path: Path, report) -> None:
    """The output folder and the report are what a full build makes of the site now."""
    expected = full(site, tmp_path / "expected")
    assert snapshot(site / "output") == snapshot(tmp_path / "expected")
    assert report.facts() == expected.facts()
    assert report.notes() == expected.notes() and report.weights() == expected.weights()
    assert report.sizes() == expected.sizes()


def test_a_text_edit_renders_only_the_pages_that_read_the_text(site: Path, tmp_path: Path) -> None:
    assert isinstance(run(site), BuildReport)
    before = snapshot(site / "output")
    edit(site, ALPHA, "- Thursday evenings", "- Friday evenings")  # not the first paragraph: the summary stays
    report = run(site)
    assert isinstance(report, quick.QuickReport)
    changed = {path for path, data in snapshot(site / "output").items() if before.get(path) != data}
    # its page and the feeds that carry its text; not the lists that show its title and summary
    assert ALPHA_PAGE in changed and "feed.xml" in changed
    assert all(path == ALPHA_PAGE or path.endswith(".xml") for path in changed), changed
    assert "Friday evenings" in (site / "output" / ALPHA_PAGE).read_text(encoding="utf-8")
    assert report.write.written == len(changed)
    same_as_full(site, tmp_path, report)
    assert isinstance(run(site), Unchanged)  # and the stamp holds again


def test_edits_in_a_row_and_two_files_at_once_stay_as_a_full_build_makes_them(site: Path, tmp_path: Path) -> None:
    run(site)
    for day in ("Friday", "Saturday", "Sunday"):
        edit(site, ALPHA, "evenings", f"evenings and {day}")
        report = run(site)
        assert isinstance(report, quick.QuickReport)
    edit(site, ALPHA, "## Opening hours", "## Hours")
    edit(site, DELTA, "An older synthetic paragraph.", "An older synthetic paragraph.\n\nAnd a second one.")
    report = run(site)
    assert isinstance(report, quick.QuickReport)
    same_as_full(site, tmp_path, report)
    # a full build after the shortcut finds every page as it would have made it
    edit(site, ALPHA, "title: Examplecity opens a legal clinic", "title: Examplecity opens a legal clinic today")
    report = run(site)
    assert isinstance(report, BuildReport)
    same_as_full(site, tmp_path, report)
    edit(site, ALPHA, "## Hours", "## Opening hours")
    assert isinstance(run(site), quick.QuickReport)


@pytest.mark.parametrize("change", ["title", "summary", "tags", "date", "image in the text",
                                    "original of a translation", "new article", "deleted article", "layout",
                                    "static file", "link to nowhere fixed"])
def test_anything_but_a_text_edit_is_a_full_build(site: Path, tmp_path: Path, change: str) -> None:
    run(site)
    if change == "title":
        edit(site, ALPHA, "title: Examplecity opens a legal clinic", "title: Examplecity opens a legal clinic now")
    elif change == "summary":  # alpha has none: its first paragraph is its summary
        edit(site, ALPHA, "free advice on Tuesdays", "free advice on Mondays")
    elif change == "tags":
        edit(site, ALPHA, "tags: [legal aid, Examplecity]", "tags: [legal aid]")
    elif change == "date":
        edit(site, ALPHA, "date: 2024-11-02 09:30", "date: 2024-11-03 09:30")
    elif change == "image in the text":
        edit(site, ALPHA, "- Thursday evenings", "- Thursday evenings\n\n![A synthetic sign](/images/sign.png)")
    elif change == "original of a translation":
        edit(site, BETA, "on weekdays", "on weekdays and Saturdays")
    elif change == "new article":
        (site / "content/2024/epsilon.md").write_text("---\ntitle: Epsilon synthetic note\ndate: 2024-10-10\n---\n"
                                                      "Synthetic text.\n", encoding="utf-8")
    elif change == "deleted article":
        (site / DELTA).unlink()
    elif change == "layout":
        edit(site, "layouts/article.html", "</article>", "</article>\n<!-- synthetic -->")
    elif change == "static file":
        (site / "static" / "extra.txt").write_text("synthetic", encoding="utf-8")
    elif change == "link to nowhere fixed":
        edit(site, ALPHA, "- Thursday evenings", "- Thursday [evenings](../../../nowhere/)")
        with pytest.raises(SiteError):
            run(site)  # a shortcut that fails leaves the output folder and the store as they were
        edit(site, ALPHA, "- Thursday [evenings](../../../nowhere/)", "- Thursday afternoons")
        report = run(site)
        assert isinstance(report, quick.QuickReport)
        same_as_full(site, tmp_path, report)
        return
    if change == "image in the text":
        (site / "static" / "images").mkdir(parents=True, exist_ok=True)
        from PIL import Image
        Image.new("RGB", (40, 30), (200, 120, 40)).save(site / "static" / "images" / "sign.png")
    report = run(site)
    assert isinstance(report, BuildReport), change
    same_as_full(site, tmp_path, report)


def test_a_text_read_before_rendering_takes_a_full_build(site: Path, tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """A step that puts something of a text in a page's context (a word count, say) is seen."""
    plan_site = pipeline.plan_site

    def reading(site_model, *args, **kwargs):
        for edition in site_model.editions:
            for article in edition.articles:
                assert article.body
        return plan_site(site_model, *args, **kwargs)

    monkeypatch.setattr(pipeline, "plan_site", reading)
    run(site)
    edit(site, ALPHA, "- Thursday evenings", "- Friday evenings")
    assert isinstance(run(site), BuildReport)


@pytest.mark.parametrize("layout", ["{{ item.text_version }}", "{{ item|attr('text_' ~ 'version') }}",
                                    "{{ item['dig' ~ 'est'] }}", "{{ [item]|map(attribute='digest')|first }}",
                                    "{{ item.__reduce__()[1][1] }}"])
def test_a_layout_that_reaches_a_text_field_reads_the_text(site: Path, tmp_path: Path, layout: str) -> None:
    """By any name: the lists that show one are rendered again when the text changes."""
    edit(site, "layouts/_item.html", "</li>", f"<!-- {layout} --></li>")
    run(site)
    edit(site, ALPHA, "- Thursday evenings", "- Friday evenings")
    report = run(site)
    assert isinstance(report, quick.QuickReport) and report.write.written > 4
    same_as_full(site, tmp_path, report)


def test_a_neighbour_edited_by_an_earlier_shortcut_is_shown_as_it_is_now(site: Path, tmp_path: Path) -> None:
    """A page that shows its neighbour's text only now and then keeps, from a build when it did
    not, the neighbour as it was; it must show the neighbour as it is."""
    edit(site, "layouts/article.html", "{{ article.body|safe }}", "{{ article.body|safe }}\n"
         "{% if 'MAGIC' in article.body and older %}<aside>{{ older.body|safe }}</aside>{% endif %}")
    run(site)
    edit(site, DELTA, "An older synthetic paragraph.", "An older synthetic paragraph.\n\nDelta version two.")
    assert isinstance(run(site), quick.QuickReport)  # alpha's page does not read delta's text: not rendered
    edit(site, ALPHA, "- Thursday evenings", "- Thursday evenings MAGIC")
    report = run(site)
    assert isinstance(report, quick.QuickReport)
    assert "Delta version two" in (site / "output" / ALPHA_PAGE).read_text(encoding="utf-8")
    same_as_full(site, tmp_path, report)


@pytest.mark.parametrize("damage", ["store", "contexts", "output page"])
def test_a_damaged_store_or_output_is_a_full_build(site: Path, tmp_path: Path, damage: str) -> None:
    run(site)
    if damage == "store":
        next((site / ".cache").glob("quick-*.pickle")).write_bytes(b"not a store")
    elif damage == "contexts":
        next((site / ".cache").glob("quick-*.contexts")).write_bytes(os.urandom(64))
    else:
        (site / "output" / "2023" / "05").rename(site / "output" / "moved")
    edit(site, ALPHA, "- Thursday evenings", "- Friday evenings")
    report = run(site)
    assert isinstance(report, BuildReport)
    if damage == "output page":  # the full build put the page back; what was moved by hand it leaves alone
        assert (site / "output" / "2023" / "05").is_dir()
        shutil.rmtree(site / "output" / "moved")
    same_as_full(site, tmp_path, report)
    edit(site, ALPHA, "- Friday evenings", "- Saturday evenings")
    assert isinstance(run(site), quick.QuickReport)  # the full build kept a store again


def test_an_edit_made_as_the_build_began_is_read_again_next_time(site: Path, tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    run(site)
    edit(site, ALPHA, "- Thursday evenings", "- Friday evenings")
    soon = NOW.timestamp() + 10 ** 9  # a time the build cannot see past: its times prove nothing yet
    os.utime(site / ALPHA, (soon, soon))
    report = run(site)
    assert isinstance(report, quick.QuickReport)
    assert report.store.content[str(site / ALPHA)] == b""  # so the next build reads it again
    again = run(site)  # no stamp was kept either: the file is read again, found the same, nothing written
    assert isinstance(again, quick.QuickReport) and again.write.written == 0
    edit(site, ALPHA, "- Friday evenings", "- Fridays evenings")
    os.utime(site / ALPHA, (soon, soon))  # the same times as before: only the store's b"" tells
    report = run(site)
    assert isinstance(report, quick.QuickReport)
    same_as_full(site, tmp_path, report)


def test_beside_photos_the_report_is_a_cached_full_builds(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The images part of the summary says what a full build with the cache would: all reused."""
    from test_images import photo_site

    monkeypatch.setattr(files, "RACY_SECONDS", 0.0)
    site = photo_site(tmp_path / "site", site_yaml_extra="search: false\n")
    run(site)
    edit(site, "content/2024/plain.md", "No pictures here.", "No pictures here.\n\nStill none.")
    report = run(site)
    assert isinstance(report, quick.QuickReport)
    shutil.copytree(site, tmp_path / "again")
    builder = Builder(tmp_path / "again", BuildOptions(now=NOW))
    expected = builder.build()
    assert "images: 0 encoded, 3 reused" in expected.facts()
    assert report.facts() == expected.facts() and report.notes() == expected.notes()
    assert snapshot(site / "output") == snapshot(tmp_path / "again" / "output")


# A review's cases (each made a quick build differ from a full one before its fix)

@pytest.mark.parametrize("cut", ["shortcut's store", "full build's store", "a cached build without a store"])
def test_a_store_never_outlives_the_output_it_describes(site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                       cut: str) -> None:
    """The output committed, the store not written (Ctrl-C, a full disk, a build by the API):
    the edit undone must not pass for 'nothing to render' against the older store."""
    run(site)
    original = (site / ALPHA).read_text(encoding="utf-8")
    if cut == "full build's store":
        edit(site, ALPHA, "title: Examplecity opens a legal clinic", "title: Examplecity opens a legal clinic today")
    else:
        edit(site, ALPHA, "- Thursday evenings", "- Friday evenings")

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    if cut == "a cached build without a store":
        pipeline.build(site, BuildOptions(now=NOW))
    else:
        monkeypatch.setattr(quick, "save" if cut == "shortcut's store" else "remember", interrupted)
        with pytest.raises(KeyboardInterrupt):
            run(site)
        monkeypatch.undo()
        monkeypatch.setattr(files, "RACY_SECONDS", 0.0)
    (site / ALPHA).write_text(original, encoding="utf-8")
    same_as_full(site, tmp_path, run(site))


def test_a_store_record_cut_short_is_a_damaged_store(site: Path, tmp_path: Path) -> None:
    run(site)
    with next((site / ".cache").glob("quick-*.pickle")).open("ab") as f:
        f.write(b"\x80\x05\x95")  # an append cut short by a crash
    edit(site, ALPHA, "- Thursday evenings", "- Friday evenings")
    assert isinstance(run(site), BuildReport)  # and the store written anew, not appended to after the cut
    edit(site, ALPHA, "- Friday evenings", "- Thursday evenings")
    report = run(site)
    assert isinstance(report, quick.QuickReport)
    same_as_full(site, tmp_path, report)


def test_a_context_changed_on_disk_is_not_used(site: Path, tmp_path: Path) -> None:
    run(site)
    contexts = next((site / ".cache").glob("quick-*.contexts"))
    contexts.write_bytes(contexts.read_bytes().replace(b"Sample Digest", b"Sample Digesu"))  # same length
    edit(site, ALPHA, "- Thursday evenings", "- Friday evenings")
    report = run(site)
    assert isinstance(report, BuildReport)
    same_as_full(site, tmp_path, report)


@pytest.mark.parametrize("forgotten", [False, True])
def test_an_article_the_model_copies_stays_out_of_the_shortcut(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                               forgotten: bool) -> None:
    """A title with no ASCII slug: the pages hold the model's copy, whose text the shortcut cannot
    swap, even after a full build that did not render those pages again."""
    from conftest import ARTICLES

    monkeypatch.setattr(files, "RACY_SECONDS", 0.0)
    zh = "content/2024/zh.md"
    text = "---\ntitle: 法律援助诊所开放\ndate: 2024-11-20\ntags: [legal aid]\n---\n第一段。\n\n第二段文字。\n"
    site = write_site(tmp_path / "site", {**ARTICLES, zh: text}, site_yaml=SITE_YAML + "search: false\n")
    run(site)
    edit(site, "content/2025/draft.md", "title: Unfinished synthetic draft", "title: Unfinished synthetic draft 2")
    assert isinstance(run(site), BuildReport)
    kept = next((site / ".cache").glob("quick-*.pickle"))
    store = quick.load(kept)
    assert store is not None and zh in store.fixed
    if forgotten:  # and were the store to forget it, the page read its text from no new article
        store.fixed = frozenset()
        quick.save(kept, store, None)
    edit(site, zh, "第二段文字。", "第二段新文字。")
    report = run(site)
    assert isinstance(report, BuildReport)
    same_as_full(site, tmp_path, report)


@pytest.mark.parametrize("layout", ["{% include '_' ~ 'version.html' %}", "<!-- {{ item }} -->"])
def test_a_layout_that_could_show_a_text_field_unseen(site: Path, tmp_path: Path, layout: str) -> None:
    """An include by a computed name is taken as naming a text field; an article printed whole
    does not show the fields that change with its text."""
    (site / "layouts/_version.html").write_text("<!-- v{{ item.text_version }} -->\n", encoding="utf-8")
    edit(site, "layouts/_item.html", "</li>", layout + "</li>")
    run(site)
    edit(site, ALPHA, "- Thursday evenings", "- Friday evenings")
    same_as_full(site, tmp_path, run(site))


def test_a_failing_shortcut_says_the_warnings_a_full_build_says(site: Path, tmp_path: Path) -> None:
    (site / "content/2024/note.fr.md").write_text("---\ntitle: Note synthétique\ndate: 2024-10-05\n---\nTexte.\n",
                                                  encoding="utf-8")  # a warning on every build
    run(site)
    edit(site, ALPHA, "- Thursday evenings", "- Thursday [evenings](../../../nowhere/)")
    with pytest.raises(SiteError) as got:
        run(site)
    with pytest.raises(SiteError) as want:
        full(site, tmp_path / "expected")
    assert [str(p) for p in got.value.problems] == [str(p) for p in want.value.problems]
    assert got.value.warnings == want.value.warnings and got.value.warnings


def test_the_attr_filter_counts_a_text_field_as_read_whatever_jinja2_does(site: Path) -> None:
    """Jinja2 before 3.1.5 reached `attr`'s attribute without the environment's getattr: with a
    plain environment, whose getattr notes nothing, the filter must note the read itself."""
    import jinja2

    from digest.content import text_reads
    from digest.render import _attr

    env = jinja2.Environment()
    report = run(site)
    article = next(a for a in report.planned.read if a.source == ALPHA)
    with text_reads() as reads:
        assert _attr(env, article, "title") == article.title
    assert reads == []
    with text_reads() as reads:
        assert _attr(env, article, "digest") == article.digest
    assert set(reads) == {ALPHA}
