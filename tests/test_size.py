"""The site's size per kind of file, the warning near the published-site limit, and the
settings that cut the heaviest kinds (share_cards, tag_feeds)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from digest.config import load_config
from digest.errors import SiteError
from digest.pipeline import BuildOptions, build
from digest.size import MB

from conftest import NOW, SITE_YAML, write_site
from test_errors import run_cli
from test_images import photo_site, story_html


def size_warnings(report) -> list[str]:
    return [w.message for w in report.warnings if w.kind == "site size"]


def on_disk(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def test_below_the_limit_no_warning_and_sizes_match_the_disk(site: Path) -> None:
    report = build(site, BuildOptions(now=NOW))
    assert report.size is not None and report.size.limit == 1024 * MB
    assert size_warnings(report) == []
    # the sizes come from what the build staged, not from a walk of output/; they must agree with it
    assert report.size.size == on_disk(site / "output")
    assert report.size.files == sum(1 for p in (site / "output").rglob("*") if p.is_file())
    by_kind = {k.kind: k for k in report.size.kinds}
    assert by_kind["article"].files == len(report.site.articles)
    assert by_kind["card"].files == len(list((site / "output/images/cards").iterdir()))
    assert by_kind["search_index"].files == len([p for p in (site / "output/pagefind").rglob("*") if p.is_file()])
    assert "other" in by_kind and "static" in by_kind
    assert [k.size for k in report.size.kinds] == sorted((k.size for k in report.size.kinds), reverse=True)
    warm = build(site, BuildOptions(now=NOW))   # nothing rendered or written: sizes from the manifest
    assert warm.write.written == 0 and warm.size == report.size


def test_over_a_tiny_limit_warns_with_the_heaviest_kinds_and_their_settings(tmp_path: Path) -> None:
    site = write_site(tmp_path / "site", site_yaml=SITE_YAML + "output_limit_mb: 0.1\n")
    report = build(site, BuildOptions(now=NOW))
    first, *kinds = size_warnings(report)
    assert re.fullmatch(r"\d+\.\d KB in \d+ files is over the 102\.4 KB limit \(\d+%; output_limit_mb in site\.yaml, "
                        r"default 1024: GitHub Pages publishes at most 1 GB\); the heaviest kinds and the settings "
                        r"that cut them follow", first), first
    assert len(kinds) == 4
    heaviest = report.size.kinds[0]
    assert kinds[0].startswith(f"{heaviest.label}: ")
    shown = "\n".join(kinds)
    # the fixture's heaviest files are the share cards and the search index, each with the setting that cuts it
    assert "share cards: " in shown and "share_cards: photos" in shown
    assert "search index: " in shown and "search: false" in shown
    assert all(w.path == "output" for w in report.warnings if w.kind == "site size")
    result = run_cli(site)
    assert result.returncode == 0
    assert "warning: output: share cards: " in result.stderr


def test_approaching_the_limit_warns_too(tmp_path: Path) -> None:
    site = write_site(tmp_path / "site")
    size = build(site, BuildOptions(now=NOW)).size.size
    (site / "site.yaml").write_text(SITE_YAML + f"output_limit_mb: {size / 0.9 / MB:.6f}\n", encoding="utf-8")
    warnings = size_warnings(build(site, BuildOptions(now=NOW)))
    assert " is approaching the " in warnings[0] and "(90%;" in warnings[0]


def test_weights_prints_the_size_per_kind(site: Path) -> None:
    result = run_cli(site, "--weights")
    assert result.returncode == 0, result.stderr
    table = result.stdout.split("the site by kind of file:\n", 1)[1].splitlines()
    rows = [re.fullmatch(r" +[\d,]+\.\d KB +[\d,]+ files?  (.+)", line) for line in table[:-1]]
    assert all(rows) and {"share cards", "article pages", "search index", "tag feeds"} <= {r.group(1) for r in rows}
    assert re.fullmatch(r" +\d+\.\d KB +\d+ files  in all, 0% of the 1,024 MB limit \(output_limit_mb\)", table[-1])


@pytest.mark.parametrize("line, message", [
    ("output_limit_mb: 0", "site.yaml:12: output_limit_mb: 0 must be more than 0 (GitHub Pages publishes at most "
                           "1024)"),
    ("output_limit_mb: lots", "site.yaml:12: output_limit_mb: 'lots' should be a number"),
    ("share_cards: none", "site.yaml:12: share_cards: 'none' should be one of articles, photos, site"),
    ("tag_feeds: 0", "site.yaml:12: tag_feeds: 0 should be true (a feed for every tag), false (none) or a number "
                     "of articles, 1 or more"),
])
def test_a_bad_size_setting_is_one_line_with_the_file(tmp_path: Path, line: str, message: str) -> None:
    site = write_site(tmp_path / "site", {}, SITE_YAML + line + "\n")
    with pytest.raises(SiteError) as caught:
        load_config(site)
    assert [str(p) for p in caught.value.problems] == [message]


def test_share_cards_site_gives_every_page_its_languages_card(tmp_path: Path) -> None:
    site = write_site(tmp_path / "site", site_yaml=SITE_YAML + "share_cards: site\n")
    report = build(site, BuildOptions(now=NOW))
    cards = sorted(p.name for p in (site / "output/images/cards").iterdir())
    assert [name.split("-")[:2] for name in cards] == [["site", "en"], ["site", "es"]]
    article = (site / "output/2024/11/examplecity-opens-a-legal-clinic/index.html").read_text(encoding="utf-8")
    assert f'<meta property="og:image" content="https://example.org/digest/images/cards/{cards[0]}">' in article
    assert '<meta property="og:image:alt" content="Sample Digest">' in article
    assert '"image": {"@type": "ImageObject"' in article
    assert {k.kind: k.files for k in report.size.kinds}["card"] == 2


def test_share_cards_photos_keeps_only_the_lead_photos_card(tmp_path: Path) -> None:
    site = photo_site(tmp_path / "site", site_yaml_extra="share_cards: photos\n")
    build(site, BuildOptions(now=NOW))
    cards = sorted(p.name for p in (site / "output/images/cards").iterdir())
    assert [name for name in cards if not name.startswith("site-")] == [
        next(name for name in cards if name.startswith("synthetic-photo-story-"))]
    assert 'og:image:alt" content="Illustration of overlapping circles, not a news photo"' in story_html(site)
    plain = (site / "output/2024/11/plain-synthetic-note/index.html").read_text(encoding="utf-8")
    assert "/images/cards/site-en-" in plain


@pytest.mark.parametrize("setting, feeds", [("false", set()), ("2", {"legal-aid"}), ("true", None)])
def test_tag_feeds_for_every_tag_none_or_the_larger_ones(tmp_path: Path, setting: str, feeds: set | None) -> None:
    site = write_site(tmp_path / "site", site_yaml=SITE_YAML + f"tag_feeds: {setting}\n")
    report = build(site, BuildOptions(now=NOW))
    english = {t.slug for t in report.site.editions[0].tags}
    found = {p.parent.name for p in (site / "output/tags").glob("*/feed.xml")}
    assert found == (english if feeds is None else feeds)
    for tag in english:
        page = (site / f"output/tags/{tag}/index.html").read_text(encoding="utf-8")
        assert (f"/digest/tags/{tag}/feed.xml" in page) == (tag in found)
