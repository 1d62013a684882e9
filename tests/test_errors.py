"""Each bad input gives one clear line naming the file, exit 1, and leaves output/ as it was."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import NOW, REPO, SITE_YAML, snapshot, write_site

GOOD = "---\ntitle: A synthetic article\ndate: 2024-05-01\n---\nSynthetic text.\n"


def article(front: str, body: str = "Synthetic text.\n") -> str:
    return f"---\n{front}---\n{body}"


# name -> (files to write over the good site, expected error lines, exact or as a pattern)
CASES: dict[str, tuple[dict[str, str | bytes], list[str | re.Pattern]]] = {
    "yaml does not parse": (
        {"content/bad.md": article("title: [unclosed\ndate: 2024-05-01\n")},
        ["content/bad.md:3: front matter is not valid YAML: did not find expected ',' or ']'"]),
    "no front matter": (
        {"content/bad.md": "Just text.\n"},
        ["content/bad.md:1: has no front matter: start the file with a '---' line, then 'title:' and "
         "'date:' lines, then another '---' line"]),
    "unclosed front matter": (
        {"content/bad.md": "---\ntitle: Synthetic\ndate: 2024-05-01\nText.\n"},
        ["content/bad.md:1: front matter is not closed: add a '---' line after its last 'key: value' line"]),
    "missing title": (
        {"content/bad.md": article("date: 2024-05-01\n")},
        ["content/bad.md: missing title: add a 'title:' line to the front matter"]),
    "missing date": (
        {"content/bad.md": article("title: Synthetic\n")},
        ["content/bad.md: missing date: add a 'date:' line to the front matter"]),
    "impossible date": (
        {"content/bad.md": article("title: Synthetic\ndate: 2024-13-01\n")},
        ["content/bad.md:3: date: '2024-13-01' is not a valid date (month must be in 1..12)"]),
    "tags of the wrong type": (
        {"content/bad.md": article("title: Synthetic\ndate: 2024-05-01\ntags: {a: 1}\n")},
        ["content/bad.md:4: tags: {'a': 1} should be a list of names, like [legal aid, consulates]"]),
    "source_url not http": (
        {"content/bad.md": article("title: Synthetic\ndate: 2024-05-01\nsource_url: ftp://example.org/x\n")},
        ["content/bad.md:4: source_url: 'ftp://example.org/x' must be an http:// or https:// address"]),
    "slug outside output": (
        {"content/bad.md": article("title: Synthetic\ndate: 2024-05-01\nslug: ../../etc\n")},
        ["content/bad.md:4: slug: '../../etc' cannot be an address: a slug has no spaces, '/', '..', '?', '#', "
         "'%' or quotes (letters, digits, '-', '_' and '.' are safe)"]),
    "permalink outside output": (
        {"site.yaml": SITE_YAML + "permalink: /../{slug}/\n"},
        ["site.yaml:12: permalink: '/../{slug}/' must start and end with '/', contain {slug}, use only "
         "{year}, {month}, {day}, {slug}, and never '..'"]),
    "two articles at one URL": (
        {"content/a.md": GOOD, "content/b.md": GOOD},
        ["content/b.md: writes 2024/05/a-synthetic-article/index.html, which content/a.md writes too: "
         "change the slug or date of one of them"]),
    "not UTF-8": (
        {"content/bad.md": "---\ntitle: Caf\xe9\ndate: 2024-05-01\n---\n".encode("latin-1")},
        ["content/bad.md:2: is not UTF-8 text: save it as UTF-8 (most editors have an 'encoding' choice)"]),
    "template syntax error": (
        {"layouts/page.html": "{% extends 'base.html' %}\n{% block main %}\n{% if %}\n{% endblock %}\n"},
        ["layouts/page.html:3: template syntax error: Expected an expression, got 'end of statement block'"]),
    "undefined variable": (
        {"layouts/page.html": "{% extends 'base.html' %}\n{% block main %}\n{{ page.subtitle }}\n{% endblock %}\n"},
        ["layouts/page.html:3: UndefinedError: 'digest.content.Article object' has no attribute 'subtitle'"]),
    "site.yaml unknown key": (
        {"site.yaml": SITE_YAML + "page_sise: 5\n"},
        ["site.yaml:12: unknown key 'page_sise' (did you mean 'page_size'?)"]),
    "site.yaml wrong type": (
        {"site.yaml": SITE_YAML.replace("\npage_size: 2", "\npage_size: two")},
        ["site.yaml:6: page_size: 'two' should be whole number"]),
    "site.yaml output limit not a size": (
        {"site.yaml": SITE_YAML + "output_limit_mb: -5\n"},
        ["site.yaml:12: output_limit_mb: -5 must be more than 0 (GitHub Pages publishes at most 1024)"]),
    "broken link in an article": (
        {"content/bad.md": article("title: Linker\ndate: 2024-05-02\n", "See [this](../../missing-page/).\n")},
        ["content/bad.md:5: links to /digest/2024/missing-page/, which is not part of the site (in "
         "output/2024/05/linker/index.html): fix the link, or add what it points to"]),
    "link to a missing part of its own page": (  # #main (the skip link's) and #hours (a heading's) are there
        {"content/bad.md": article("title: Fragments\ndate: 2024-05-02\n",
                                   "See [the hours](#hours), [the top](#main) and [this](#nowhere).\n\n## Hours\n")},
        ["output/2024/05/fragments/index.html: broken link to '#nowhere': no element with id 'nowhere'"]),
    "page over the weight budget": (
        {"content/bad.md": article("title: Heavy\ndate: 2024-05-02\n", "Synthetic words. " * 4000),
         "site.yaml": SITE_YAML + "page_budget_kb: 60\n"},
        [re.compile(r"content/bad\.md: output/2024/05/heavy/index\.html weighs 7\d\.\d KB with its styles and "
                    r"images, over the 60 KB budget \(page_budget_kb in site\.yaml\)")]),
    "several problems at once": (
        {"content/bad.md": article("date: 2024-05-01\n"), "content/worse.md": article("title: X\ndate: soon\n")},
        ["content/bad.md: missing title: add a 'title:' line to the front matter",
         "content/worse.md:3: date: 'soon' is not a valid date (use 2024-12-18, 2024-12-18 09:30 or "
         "2024-12-18T09:30:00+02:00)"]),
}


def run_cli(site: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(REPO / "build.py"), "--root", str(site), *args],
                          capture_output=True, text=True,
                          env={"SOURCE_DATE_EPOCH": str(int(NOW.timestamp())), "PATH": "/usr/bin:/bin"})


@pytest.mark.parametrize("name", list(CASES))
def test_bad_input_fails_clearly_and_keeps_output(tmp_path: Path, name: str) -> None:
    site = write_site(tmp_path / "site", {"content/good.md": GOOD.replace("A synthetic article", "Good"),
                                          "content/pages/about.md": GOOD.replace("A synthetic article", "About")})
    first = run_cli(site)
    assert first.returncode == 0, first.stderr
    before = snapshot(site / "output")
    changes, expected = CASES[name]
    for path, content in changes.items():
        target = site / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content if isinstance(content, bytes) else content.encode())
    result = run_cli(site)
    assert result.returncode == 1
    lines = result.stderr.splitlines()
    assert len(lines) == len(expected) + 1, result.stderr
    for line, want in zip(lines, expected):
        if isinstance(want, str):
            assert line == f"error: {want}"
        else:
            assert want.fullmatch(line.removeprefix("error: ")), line
    assert lines[-1].endswith("output/ was left as it was")
    assert "Traceback" not in result.stderr
    assert snapshot(site / "output") == before
    assert not list(site.glob(".output.staging*"))
    check = run_cli(site, "check")
    assert check.returncode == 1 and check.stderr.splitlines()[:-1] == lines[:-1]


def test_empty_content_is_an_error_not_an_empty_site(tmp_path: Path) -> None:
    site = write_site(tmp_path / "site", {})
    result = run_cli(site)
    assert result.returncode == 1
    assert result.stderr.splitlines()[0] == (
        "error: content: has no articles: add a Markdown file such as content/2024/first-article.md "
        "with 'title:' and 'date:' front matter")
    assert not (site / "output").exists()


def test_typo_of_a_known_key_is_a_warning_and_kept_as_extra(tmp_path: Path) -> None:
    site = write_site(tmp_path / "site", {"content/a.md": article("title: T\ndate: 2024-05-01\ntag: [x]\n"
                                                                  "mood: calm\n")})
    result = run_cli(site)
    assert result.returncode == 0
    assert "warning: content/a.md:4: unknown key 'tag' (did you mean 'tags'?)" in result.stderr
    assert "mood" not in result.stderr
    from digest.pipeline import BuildOptions, check

    report = check(site, BuildOptions(now=NOW))
    assert report.site.articles[0].extra == {"tag": ["x"], "mood": "calm"}


def test_output_folder_cannot_be_the_site_itself(tmp_path: Path) -> None:
    site = write_site(tmp_path / "site", {"content/a.md": GOOD})
    result = run_cli(site, "--output", str(site / "content"))
    assert result.returncode == 1
    assert "would overwrite the site's own files" in result.stderr
