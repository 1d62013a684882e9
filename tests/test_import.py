"""The importer: raw text -> Draft -> Markdown with front matter, on tiny sites in tmp_path."""

from __future__ import annotations

import html
import re
import shutil
from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path

import markdown
import pytest
import yaml

from digest.config import Config, load_config
from digest.errors import SiteError
from digest.importer import (
    QUOTES_BACKSLASH, QUOTES_ENTITY, QUOTES_KEPT, REVIEW_HEADLINE, REVIEW_PARAGRAPHS, REVIEW_TAGS, Draft,
    ImportOptions, TagMatcher, escape_markdown, import_articles, parse_raw, quote_escaping, read_raw, to_markdown,
    yaml_scalar,
)
from digest.scaffold import new_article

FIXTURES = Path(__file__).parent / "fixtures" / "raw"
REPO = Path(__file__).resolve().parents[1]
SEED = "000_c5e03bb07128a13d.txt"

SITE_YAML = """\
title: Sample Digest
timezone: America/Denver
languages:
  es: {}
tag_vocabulary:
  health: [clinic, clinics, vaccine, nurse]
  work: [work permit, work permits, workers, shifts]
  legal aid: [legal aid, lawyer, lawyers]
  housing: [rent, shelter]
  remittances: [send money, money transfers]
  United States: [U.S.]
"""


class _NoTimestampLoader(yaml.SafeLoader):
    """Reads front matter the way the build does: dates stay text."""


_NoTimestampLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


@pytest.fixture
def site(tmp_path: Path) -> Config:
    (tmp_path / "site.yaml").write_text(SITE_YAML, encoding="utf-8")
    (tmp_path / "sources").mkdir()
    return load_config(tmp_path)


def add_source(config: Config, fixture: str, name: str | None = None) -> Path:
    """Copy a fixture into the site's sources/ folder."""
    target = config.root / "sources" / (name or fixture)
    shutil.copyfile(FIXTURES / fixture, target)
    return target


def split(text: str) -> tuple[dict, list[str]]:
    """(front matter, body paragraphs) of an article file, read as the build reads it."""
    assert text.startswith("---\n")
    front, body = text[4:].split("\n---\n", 1)
    return yaml.load(front, Loader=_NoTimestampLoader), body.strip("\n").split("\n\n")


def draft_of(config: Config, fixture: str, **options) -> Draft:
    text, _ = read_raw(FIXTURES / fixture)
    return parse_raw(text, ImportOptions(**options), config)


# --- dateline, source, date ------------------------------------------------------------------

@pytest.mark.parametrize("lede, dateline, source, date", [
    ("EL PASO, Texas (Border Report) – The clinic opened.", "El Paso, Texas", "Border Report", None),
    ("SAMPLETOWN (Sample Wire) - The clinic opened.", "Sampletown", "Sample Wire", None),
    ("Examplecity (Sample Publication) — The clinic opened.", "Examplecity", "Sample Publication", None),
    ("NORTH EXAMPLEVILLE, March 3, 2023 — The clinic opened.", "North Exampleville", "", "2023-03-03"),
    ("EXAMPLECITY, Dec. 5, 2022 (Sample Wire) -- The clinic opened.", "Examplecity", "Sample Wire", "2022-12-05"),
    ("SAMPLETON, 7 June 2021 – The clinic opened.", "Sampleton", "", "2021-06-07"),
    ("CIUDAD DE EJEMPLO, Examplestate (Sample Wire) – The clinic opened.", "Ciudad de Ejemplo, Examplestate",
     "Sample Wire", None),
    ("ST. EXAMPLE'S, Examplestate — The clinic opened.", "St. Example's, Examplestate", "", None),
    ("WINSTON-EXAMPLE, Examplestate (Sample Wire) – The clinic opened.", "Winston-Example, Examplestate",
     "Sample Wire", None),
])
def test_dateline_and_source_are_taken_from_the_lede(site: Config, lede: str, dateline: str,
                                                      source: str, date: str | None) -> None:
    draft = parse_raw(lede + "\nA second paragraph.", ImportOptions(date=None if date else "2024-01-02"), site)
    assert (draft.dateline, draft.source) == (dateline, source)
    assert draft.date == (date or "2024-01-02")
    assert draft.paragraphs[0] == "The clinic opened."


@pytest.mark.parametrize("lede", [
    "The new clinic – opened on Monday – serves families.",
    "Examplecity - a small town - opened a clinic.",
    "Sample Publication said on Monday - after a vote - that the clinic opens.",
])
def test_a_lede_without_a_dateline_is_kept_whole(site: Config, lede: str) -> None:
    draft = parse_raw(lede + "\nA second paragraph.", ImportOptions(date="2024-01-02"), site)
    assert (draft.dateline, draft.source) == ("", "")
    assert draft.paragraphs[0] == lede


def test_dateline_with_month_and_day_but_no_year_asks_for_date(site: Config) -> None:
    path = add_source(site, "month_day_no_year.txt")
    report = import_articles(site, [path], ImportOptions())
    assert report.summary() == "imported 0, unchanged 0, skipped 0, failed 1"
    [problem] = report.failed
    assert problem.path == str(path)
    assert problem.message == ("its dateline gives December 5 but no year: "
                               "pass --date YYYY-12-05 with the right year")
    assert not site.content_dir.exists()


def test_text_without_a_dated_dateline_asks_for_date(site: Config) -> None:
    report = import_articles(site, [add_source(site, "no_dateline.txt"), add_source(site, "hard_wrapped.txt")],
                             ImportOptions())
    assert [p.message for p in report.failed] == [
        "states no date in a dateline: pass --date YYYY-MM-DD",
        "states no date in its dateline: pass --date YYYY-MM-DD",
    ]
    assert not site.content_dir.exists()  # never today's date by accident


def test_date_option_is_used_and_validated(site: Config) -> None:
    path = add_source(site, "month_day_no_year.txt")
    report = import_articles(site, [path], ImportOptions(date="2023-12-05"))
    [target] = report.imported
    assert target == site.content_dir / "2023" / "example-county-food-bank-extends-opening-hours.md"
    front, _ = split(target.read_text(encoding="utf-8"))
    assert front["date"] == "2023-12-05"
    assert (front["dateline"], front["source"]) == ("Example County", "Sample Wire")
    for bad in ("2024-13-01", "18/12/2024", "2024-02-30", "tomorrow"):
        with pytest.raises(SiteError) as caught:
            import_articles(site, [path], ImportOptions(date=bad))
        [problem] = caught.value.problems
        assert problem.path == "--date"
        assert f"'{bad}' is not a date: use YYYY-MM-DD" in problem.message


def test_date_stated_with_a_year_needs_no_option(site: Config) -> None:
    report = import_articles(site, [add_source(site, "one_line_per_paragraph.txt")], ImportOptions())
    [target] = report.imported
    assert target.parent.name == "2023"
    front, _ = split(target.read_text(encoding="utf-8"))
    assert front["date"] == "2023-03-03"
    assert front["dateline"] == "North Exampleville"
    assert "source" not in front


# --- headline -------------------------------------------------------------------------------------

def test_first_line_that_reads_as_a_headline_is_the_title(site: Config) -> None:
    draft = draft_of(site, "headline_blank_lines.txt", date="2024-01-02")
    assert draft.title == "Examplecity opens a help desk for new arrivals"
    assert not draft.title_guessed
    assert REVIEW_HEADLINE not in draft.review
    assert draft.paragraphs[0].startswith("The Examplecity town hall opened")


def test_headline_is_derived_from_the_lede_and_flagged(site: Config) -> None:
    report = import_articles(site, [add_source(site, "one_line_per_paragraph.txt")], ImportOptions())
    [target] = report.imported
    front, body = split(target.read_text(encoding="utf-8"))
    assert front["title"] == ("The North Exampleville library started a free conversation group for adult "
                              "learners on Tuesday evenings")
    assert front["draft"] is True
    assert REVIEW_HEADLINE in front["review"]
    assert body[0].startswith("The North Exampleville library started")  # the lede stays in the body


def test_long_lede_headline_is_cut_at_a_word_boundary(site: Config) -> None:
    lede = ("The Examplecity council agreed on Monday to fund interpreters at every public counter in the "
            "town hall and the library and the clinic for the next three years without a vote.")
    draft = parse_raw(lede, ImportOptions(date="2024-01-02"), site)
    assert draft.title_guessed
    assert len(draft.title) <= 90 and draft.title.endswith("…")
    assert lede.startswith(draft.title[:-1])


def test_title_option_overrides_and_is_not_flagged(site: Config) -> None:
    draft = draft_of(site, "one_line_per_paragraph.txt", title="  Library  starts a conversation group ")
    assert draft.title == "Library starts a conversation group"
    assert not draft.title_guessed


def test_title_option_names_one_article(site: Config) -> None:
    paths = [add_source(site, "hard_wrapped.txt"), add_source(site, "no_dateline.txt")]
    with pytest.raises(SiteError) as caught:
        import_articles(site, paths, ImportOptions(title="One headline", date="2024-01-02"))
    assert caught.value.problems[0].path == "--title"
    with pytest.raises(SiteError) as caught:
        import_articles(site, paths, ImportOptions(source_url="https://example.org/1", date="2024-01-02"))
    assert caught.value.problems[0].path == "--source-url"


# --- layouts ----------------------------------------------------------------------------------------

def test_hard_wrapped_paragraphs_are_rejoined(site: Config) -> None:
    draft = draft_of(site, "hard_wrapped.txt", date="2024-01-02")
    assert draft.title == "Sampletown clinic adds Saturday hours for workers"
    assert draft.paragraphs == (
        "The Sampletown community clinic will open on Saturdays from next month, staff said, so that workers "
        "who cannot visit during the week can see a nurse or get a vaccine.",
        "The clinic is run by volunteers from the Sample Nursing School. It offers appointments in three "
        "languages, and an interpreter can join by phone when needed.",
        "Families can book a slot at the front desk or by phone. Walk-in visits are also welcome in the morning.",
    )
    assert REVIEW_PARAGRAPHS not in draft.review


def test_without_blank_lines_each_line_is_a_paragraph(site: Config) -> None:
    draft = draft_of(site, "one_line_per_paragraph.txt")
    raw = (FIXTURES / "one_line_per_paragraph.txt").read_text(encoding="utf-8").splitlines()
    assert draft.paragraphs[1:] == tuple(raw[1:])
    assert len(draft.paragraphs) == 4


def test_wrapped_lines_without_blank_lines_are_reflowed_and_flagged(site: Config) -> None:
    draft = draft_of(site, "wrapped_no_blank_lines.txt", date="2024-01-02")
    assert draft.title == "Sampleton adds evening hours at its health clinic"
    assert (draft.dateline, draft.source) == ("Sampleton, Examplestate", "Sample Publication")
    assert draft.paragraphs == (
        "The Sampleton health clinic will stay open until 8 p.m. on weekdays from next month, the director said.",
        "Appointments are free for children and for adults without insurance, and no one is asked about their "
        "papers at the front desk.",
        "The clinic also offers vaccines on the first Saturday of every month, and staff can help families fill "
        "in the registration form in several languages.",
        "Parking is free at the back of the building.",
    )
    assert REVIEW_PARAGRAPHS in draft.review and draft.is_draft


# --- tags and summary ------------------------------------------------------------------------------------

def test_tags_are_suggested_on_whole_words_in_any_case(site: Config) -> None:
    matcher = TagMatcher.from_vocabulary(site.tag_vocabulary)
    text = ("The CLINIC hired a nurse; a second Clinic opens soon. Lawyers help workers in the U.S. with "
            "a work   permit. Current clinical trials and parental leave are not tags.")
    assert matcher.suggest(text) == ("health", "work", "legal aid", "United States")
    assert matcher.suggest(text, limit=2) == ("health", "work")
    assert matcher.suggest("The currency and the renters.") == ()
    assert TagMatcher.from_vocabulary({}).suggest(text) == ()


def test_given_tags_come_first_and_suggestions_are_flagged(site: Config) -> None:
    draft = draft_of(site, "headline_blank_lines.txt", date="2024-01-02", tags=("arrivals, legal aid", "Arrivals"))
    assert draft.tags == ("arrivals", "legal aid", "remittances", "health", "work")
    assert draft.tags_guessed and REVIEW_TAGS in draft.review


def test_nothing_guessed_means_no_draft(tmp_path: Path) -> None:
    (tmp_path / "site.yaml").write_text("title: Sample Digest\n", encoding="utf-8")
    config = load_config(tmp_path)
    report = import_articles(config, [FIXTURES / "headline_blank_lines.txt"],
                             ImportOptions(date="2024-01-02", tags=("legal aid",)))
    front, _ = split(report.imported[0].read_text(encoding="utf-8"))
    assert front["tags"] == ["legal aid"]
    assert "draft" not in front and "review" not in front
    assert front["imported_from"] == "headline_blank_lines.txt"  # a file outside the site: its name only


def test_summary_is_the_first_sentence_or_two_within_200_characters(site: Config) -> None:
    short = parse_raw("The clinic opened. It is free. Bring your card.", ImportOptions(date="2024-01-02"), site)
    assert short.summary == "The clinic opened. It is free."
    long_lede = "The Examplecity clinic " + "opened a new room for families and " * 10 + "workers."
    long = parse_raw(long_lede, ImportOptions(date="2024-01-02"), site)
    assert len(long.summary) <= 200 and long.summary.endswith("…")
    assert long_lede.startswith(long.summary[:-1].rstrip())
    abbreviations = parse_raw("Dr. Sample met U.S. officials on Monday. They agreed.",
                              ImportOptions(date="2024-01-02"), site)
    assert abbreviations.summary == "Dr. Sample met U.S. officials on Monday. They agreed."
    seed = parse_raw((REPO / "sources" / SEED).read_text(encoding="utf-8"), ImportOptions(date="2024-12-18"), site)
    assert seed.summary.startswith("The government of Mexico is strengthening bonds") and len(seed.summary) <= 200


# --- encodings and bad files ------------------------------------------------------------------------

def test_windows_1252_file_is_read_with_a_warning(site: Config) -> None:
    path = add_source(site, "windows_1252.txt")
    report = import_articles(site, [path], ImportOptions(date="2024-01-02"))
    [warning] = report.warnings
    assert warning.path == str(path) and "not UTF-8: read as Windows-1252" in warning.message
    front, body = split(report.imported[0].read_text(encoding="utf-8"))
    assert front["title"] == "Examplecity café lowers its fees"
    assert "£2" in body[0] and "“nobody will be turned away.”" in body[0]
    assert body[1] == "The café’s owner said the offer runs all winter."
    assert "not UTF-8" in front["review"] and front["draft"] is True


def test_bytes_that_are_not_windows_1252_fall_back_to_latin_1(tmp_path: Path) -> None:
    path = tmp_path / "latin.txt"
    path.write_bytes("Examplecity caf\xe9 \x81 opens\n\nText.".encode("latin-1"))
    text, [warning] = read_raw(path)
    assert text == "Examplecity caf\xe9 \x81 opens\n\nText." and "Latin-1" in warning.message


def test_utf16_is_read_with_a_warning_and_a_truncated_one_is_binary(tmp_path: Path) -> None:
    path = tmp_path / "utf16.txt"
    path.write_bytes("Examplecity café\r\n\r\nText.".encode("utf-16"))
    text, [warning] = read_raw(path)
    assert text == "Examplecity café\n\nText." and "UTF-16" in warning.message
    path.write_bytes("Examplecity".encode("utf-16")[:-1])
    with pytest.raises(ValueError, match="NUL bytes"):
        read_raw(path)


def test_a_misspelt_tag_option_gets_a_hint(site: Config) -> None:
    report = import_articles(site, [add_source(site, "hard_wrapped.txt")],
                             ImportOptions(date="2024-01-02", tags=("legal aids", "local news"), dry_run=True))
    assert [(w.path, w.message) for w in report.warnings] == [
        ("--tags", "'legal aids' is not in tag_vocabulary (did you mean 'legal aid'?)")]


def test_one_bad_file_does_not_stop_the_others(site: Config) -> None:
    folder = site.root / "sources"
    for name in ("empty.txt", "binary.txt", "headline_blank_lines.txt", "month_day_no_year.txt"):
        add_source(site, name)
    (folder / ".hidden.txt").write_text("ignored", encoding="utf-8")
    report = import_articles(site, [folder, site.root / "missing.txt"], ImportOptions(date="2024-01-02"))
    assert report.summary() == "imported 2, unchanged 0, skipped 0, failed 3"
    messages = {Path(p.path).name: p.message for p in report.failed}
    assert messages == {
        "binary.txt": "contains NUL bytes, so it is not text: save the article as a plain .txt file",
        "empty.txt": "is empty: there is no article text to import",
        "missing.txt": "no such file or folder",
    }
    assert len(list(site.content_dir.rglob("*.md"))) == 2


# --- writing: no overwrite, force, unchanged, dry run ------------------------------------------------

def test_reimport_is_unchanged_edits_are_kept_and_force_overwrites(site: Config) -> None:
    path = add_source(site, "hard_wrapped.txt")
    options = ImportOptions(date="2024-01-02")
    [target] = import_articles(site, [path], options).imported
    first = target.read_text(encoding="utf-8")
    first_mode = (site.root / "sources" / "hard_wrapped.txt").stat().st_mode
    assert import_articles(site, [path], options).unchanged == (target,)

    edited = first.replace("title: Sampletown clinic", "title: Sampletown's clinic")
    target.write_text(edited, encoding="utf-8")
    report = import_articles(site, [path], options)
    assert report.skipped == (target,) and report.summary() == "imported 0, unchanged 0, skipped 1, failed 0"
    assert target.read_text(encoding="utf-8") == edited

    report = import_articles(site, [path], ImportOptions(date="2024-01-02", force=True))
    assert report.imported == (target,)
    assert target.read_text(encoding="utf-8") == first
    assert [p.name for p in target.parent.iterdir()] == [target.name]  # no temporary files left
    assert target.stat().st_mode & 0o044 == first_mode & 0o044  # readable as any new file is


def test_dry_run_writes_nothing_and_returns_previews(site: Config) -> None:
    path = add_source(site, "headline_blank_lines.txt")
    report = import_articles(site, [path], ImportOptions(date="2024-01-02", dry_run=True))
    [(target, text)] = report.previews
    assert report.imported == (target,)
    assert not site.content_dir.exists()
    draft = parse_raw(path.read_text(encoding="utf-8"), ImportOptions(date="2024-01-02"), site)
    assert text == to_markdown(replace(draft, imported_from="sources/headline_blank_lines.txt"))


def test_two_sources_with_one_headline_do_not_overwrite_each_other(site: Config) -> None:
    first = add_source(site, "hard_wrapped.txt", "a.txt")
    second = add_source(site, "hard_wrapped.txt", "b.txt")
    report = import_articles(site, [first, second], ImportOptions(date="2024-01-02"))
    assert len(report.imported) == 1
    [problem] = report.failed
    assert problem.path == str(second) and "--title" in problem.message
    report = import_articles(site, [second], ImportOptions(date="2024-01-02", force=True))
    assert "imported from sources/a.txt" in report.failed[0].message


def test_without_paths_only_new_sources_are_imported(site: Config) -> None:
    add_source(site, "one_line_per_paragraph.txt", "first.txt")
    report = import_articles(site, [], ImportOptions())
    [target] = report.imported
    front, _ = split(target.read_text(encoding="utf-8"))
    assert front["imported_from"] == "sources/first.txt"

    # renamed by an editor: still recorded as imported through imported_from
    renamed = target.with_name("library-group.md")
    target.rename(renamed)
    # a hand-made article at the target of a second source counts as imported too
    add_source(site, "no_dateline.txt", "second.txt")
    hand_made = site.content_dir / "2024" / "sample-publication-launches-a-guide-to-local-services.md"
    hand_made.parent.mkdir(parents=True)
    hand_made.write_text("---\ntitle: Edited by hand\ndate: 2024-01-02\n---\nText.\n", encoding="utf-8")
    add_source(site, "hard_wrapped.txt", "third.txt")

    report = import_articles(site, [], ImportOptions(date="2024-01-02"))
    assert report.summary() == "imported 1, unchanged 0, skipped 0, failed 0"
    assert report.imported[0].name == "sampletown-clinic-adds-saturday-hours-for-workers.md"
    assert hand_made.read_text(encoding="utf-8").startswith("---\ntitle: Edited by hand")
    assert import_articles(site, [], ImportOptions(date="2024-01-02")).summary() == \
        "imported 0, unchanged 0, skipped 0, failed 0"


def test_an_article_with_a_broken_imported_from_line_records_nothing(site: Config) -> None:
    broken = site.content_dir / "2024" / "broken.md"
    broken.parent.mkdir(parents=True)
    broken.write_text("---\ntitle: Synthetic\ndate: 2024-01-02\nimported_from: 'sources/first.txt\n---\n",
                      encoding="utf-8")
    add_source(site, "one_line_per_paragraph.txt", "first.txt")
    assert import_articles(site, [], ImportOptions()).summary() == "imported 1, unchanged 0, skipped 0, failed 0"


def test_options_are_written_and_checked(site: Config) -> None:
    path = add_source(site, "hard_wrapped.txt")
    report = import_articles(site, [path], ImportOptions(
        date="2024-01-02 09:30", source_url="https://example.org/news/1", author="Sample Reporter", lang="es"))
    text = report.imported[0].read_text(encoding="utf-8")
    front, _ = split(text)
    assert front["date"] == "2024-01-02 09:30"
    assert (front["source_url"], front["author"], front["lang"]) == ("https://example.org/news/1",
                                                                     "Sample Reporter", "es")
    keys = [line.split(":")[0] for line in text.split("\n---\n")[0].splitlines()[1:]]
    assert keys == ["title", "date", "dateline", "source", "source_url", "author", "lang", "tags", "summary",
                    "draft", "review", "imported_from"]
    for options, where in ((ImportOptions(source_url="ftp://example.org/x"), "--source-url"),
                           (ImportOptions(source_url="javascript:alert(1)"), "--source-url"),
                           (ImportOptions(lang="not a language"), "--lang"),
                           (ImportOptions(title="  "), "--title")):
        with pytest.raises(SiteError) as caught:
            import_articles(site, [path], options)
        assert caught.value.problems[0].path == where


# --- Markdown escaping and YAML quoting -------------------------------------------------------------

SMARTY = ["extra", "smarty", "toc", "sane_lists"]
TYPOGRAPHY = ["extra", "digest.typography", "toc", "sane_lists"]   # the site's default
PLAIN = ["extra", "toc", "sane_lists"]
# (extensions, how quotes must be escaped for them)
ESCAPINGS = [(SMARTY, QUOTES_BACKSLASH), (SMARTY, QUOTES_ENTITY), (TYPOGRAPHY, QUOTES_BACKSLASH),
             (TYPOGRAPHY, QUOTES_ENTITY), (PLAIN, QUOTES_KEPT), (PLAIN, QUOTES_ENTITY)]


@pytest.mark.parametrize("extensions, quotes", [(SMARTY, QUOTES_BACKSLASH), (TYPOGRAPHY, QUOTES_BACKSLASH),
                                                (PLAIN, QUOTES_KEPT)])
def test_quote_escaping_follows_the_sites_extensions(tmp_path: Path, extensions: list[str], quotes: str) -> None:
    (tmp_path / "site.yaml").write_text(f"title: Sample\nmarkdown_extensions: [{', '.join(extensions)}]\n",
                                        encoding="utf-8")
    assert quote_escaping(load_config(tmp_path)) == quotes


@pytest.mark.parametrize("extensions, quotes", ESCAPINGS)
def test_markdown_looking_text_renders_exactly_as_typed(site: Config, extensions: list[str], quotes: str) -> None:
    draft = draft_of(site, "markdown_looking.txt", date="2024-01-02")
    body = to_markdown(draft, quotes).split("\n---\n", 1)[1]
    rendered = markdown.markdown(body, extensions=extensions)
    assert set(re.findall(r"<(\w+)", rendered)) == {"p"}  # no heading, list, quote, code, link, table...
    paragraphs = [html.unescape(p) for p in re.findall(r"<p>(.*?)</p>", rendered, re.DOTALL)]
    assert paragraphs == list(draft.paragraphs)
    text = html.unescape(re.sub(r"<[^>]+>", "", rendered))
    raw = (FIXTURES / "markdown_looking.txt").read_text(encoding="utf-8")
    for block in raw.split("\n\n")[2:]:
        assert block.strip() in text
    assert "—" in text and "“curly quotes”" in text and "£12" in text and "5%" in text


@pytest.mark.parametrize("paragraph", [
    "# not a heading", "#hashtag", "- not a list", "+ not a list", "* not a list", "1. not a list",
    "10. not a list", "> not a quote", "<b>not html</b>", "*not emphasis*", "_not emphasis_",
    "snake_case_words", "say \"hello\" and 'bye'", "one -- two --- three ---- four", "wait... and ....",
    "`code`", "[a](b)", "[TOC]", "&copy; &amp; &#169;", "a \\ backslash \\*", ": def", "~~~ fence",
    "```", "---", "***", "___", "- - -", "{: #id}", "<<quotes>>", "[^1]: note", "*[HTML]: abbr",
    "2024. a year", "Examplecity's clinic", "a|b|c", "x<y>z", "=== not a heading", "!\\[x]",
    "'90s \"quoted\"", "\"\"", "'",
])
def test_escaped_paragraph_renders_as_the_raw_text(paragraph: str) -> None:
    for extensions, quotes in ESCAPINGS:
        rendered = markdown.markdown("Lead.\n\n" + escape_markdown(paragraph, quotes), extensions=extensions)
        assert re.findall(r"<(\w+)", rendered) == ["p", "p"], rendered
        assert html.unescape(re.findall(r"<p>(.*?)</p>", rendered)[1]) == paragraph, (extensions, quotes)


@pytest.mark.parametrize("value", [
    "Plain headline", "Mexico’s plan", "Title: with a colon", "yes", "No", "null", "2024-12-18", "123",
    "- dash first", "# hash first", "with # hash", '"quoted"', "'single'", "it's fine", "trailing:",
    "tab\there", "line\u2028separator", "nbsp\u00a0inside", "back\\slash", "{braces}", "[brackets]",
    "ends with space ", "@at", "`tick", "!bang", "%percent", "&amp", "*star", "|pipe", ">gt", "?q",
    "Émigré café", "emoji 🙂", "\ufeffbom", "ctrl\x07char", "a, b", "tag: x",
])
def test_yaml_scalars_round_trip(value: str) -> None:
    for in_flow in (False, True):
        line = f"key: [{yaml_scalar(value, in_flow=True)}]" if in_flow else f"key: {yaml_scalar(value)}"
        loaded = yaml.load(line, Loader=_NoTimestampLoader)["key"]
        assert (loaded[0] if in_flow else loaded) == value
        assert yaml.safe_load(line)["key"] == ([value] if in_flow else value)


def test_front_matter_round_trips(site: Config) -> None:
    draft = Draft(title='Examplecity: "yes" # or no?', date="2024-01-02", paragraphs=("Body.",),
                  dateline="El Paso, Texas", source="Sample: Wire", tags=("legal aid", "a, b", "no"),
                  summary="- starts like a list, ends: ", author="O'Sample", lang="es",
                  imported_from="sources/x.txt", title_guessed=True)
    front, body = split(to_markdown(draft))
    assert front == {"title": draft.title, "date": "2024-01-02", "dateline": "El Paso, Texas",
                     "source": "Sample: Wire", "author": "O'Sample", "lang": "es",
                     "tags": ["legal aid", "a, b", "no"], "summary": draft.summary, "draft": True,
                     "review": REVIEW_HEADLINE, "imported_from": "sources/x.txt"}
    assert body == ["Body."]


# --- the seed article ---------------------------------------------------------------------------------

def test_seed_article_imports_like_the_hand_made_one(tmp_path: Path) -> None:
    shutil.copyfile(REPO / "site.yaml", tmp_path / "site.yaml")
    (tmp_path / "sources").mkdir()
    shutil.copyfile(REPO / "sources" / SEED, tmp_path / "sources" / SEED)
    config = load_config(tmp_path)
    report = import_articles(config, [tmp_path / "sources" / SEED], ImportOptions(date="2024-12-18"))
    assert report.summary() == "imported 1, unchanged 0, skipped 0, failed 0" and not report.warnings
    front, body = split(report.imported[0].read_text(encoding="utf-8"))
    assert (front["dateline"], front["source"], front["date"]) == ("El Paso, Texas", "Border Report", "2024-12-18")
    assert {"legal aid", "consulates", "remittances", "deportation", "Mexico"} <= set(front["tags"])
    assert front["draft"] is True and front["imported_from"] == f"sources/{SEED}"
    hand_made = next((REPO / "content" / "2024").glob("mexico-pledges-*.md")).read_text(encoding="utf-8")
    _, hand_body = split(hand_made)
    assert body == hand_body
    assert not report.imported[0].is_relative_to(REPO)


def test_seed_without_date_asks_for_it(tmp_path: Path) -> None:
    shutil.copyfile(REPO / "site.yaml", tmp_path / "site.yaml")
    config = load_config(tmp_path)
    report = import_articles(config, [REPO / "sources" / SEED], ImportOptions(dry_run=True))
    assert report.failed[0].message == "states no date in its dateline: pass --date YYYY-MM-DD"


# --- new -------------------------------------------------------------------------------------------------

def test_new_article_is_a_dated_draft_in_the_site_time_zone(site: Config) -> None:
    now = datetime(2025, 1, 1, 5, 7, 42, tzinfo=timezone.utc)  # still 2024 in America/Denver
    path = new_article(site, "  Examplecity: a new   clinic ", now)
    assert path == site.content_dir / "2024" / "examplecity-a-new-clinic.md"
    front, _ = split(path.read_text(encoding="utf-8"))
    assert front == {"title": "Examplecity: a new clinic", "date": "2024-12-31 22:07", "draft": True}
    with pytest.raises(SiteError) as caught:
        new_article(site, "Examplecity: a new clinic", now)
    assert caught.value.problems[0].path == "content/2024/examplecity-a-new-clinic.md"
    assert "already exists" in caught.value.problems[0].message
    with pytest.raises(SiteError):
        new_article(site, "?!", now)
    naive = new_article(site, "Sample clinic", datetime(2024, 6, 1, 8, 5, 59))  # already site time
    assert split(naive.read_text(encoding="utf-8"))[0]["date"] == "2024-06-01 08:05"
