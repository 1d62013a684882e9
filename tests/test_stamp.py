"""A build that finds every input and the output folder as the last good build left them does
nothing; any change at all, or an article coming of age, means a full build."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest

from conftest import cli_build as run  # one build as the command line runs it
from conftest import NOW, REPO, SITE_YAML, snapshot
from digest import files
from digest.pipeline import BuildReport
from digest.stamp import Unchanged

ALPHA_SOURCE = "content/2024/alpha.md"
ALPHA_PAGE = "2024/11/examplecity-opens-a-legal-clinic/index.html"
FUTURE_PAGE = "2025/02/a-scheduled-synthetic-note/index.html"


@pytest.fixture
def site(settled_site: Path) -> Path:
    return settled_site


def test_nothing_changed_means_nothing_done_and_the_same_report(site: Path) -> None:
    first = run(site)
    assert isinstance(first, BuildReport)
    before = snapshot(site / "output")
    second = run(site)
    assert isinstance(second, Unchanged)
    assert second.summary().startswith(first.facts() + "; nothing changed since the last build in ")
    assert second.notes() == first.notes() and any("left out" in n for n in second.notes())
    assert second.sizes() == first.sizes() and second.weights() == first.weights()
    assert snapshot(site / "output") == before


@pytest.mark.parametrize("change", ["same-size edit", "new layout", "static file", "site.yaml", "deleted page",
                                    "page edited by hand", "other base url", "drafts"])
def test_any_change_means_a_full_build(site: Path, change: str) -> None:
    run(site)
    options = {}
    if change == "same-size edit":
        source = site / ALPHA_SOURCE
        source.write_text(source.read_text(encoding="utf-8").replace("Tuesdays", "Mondays."), encoding="utf-8")
    elif change == "new layout":
        (site / "layouts" / "unused.html").write_text("{{ 1 }}", encoding="utf-8")
    elif change == "static file":
        (site / "static" / "extra.txt").write_text("synthetic", encoding="utf-8")
    elif change == "site.yaml":
        (site / "site.yaml").write_text(SITE_YAML.replace("Sample Digest", "Sample Digests") + "search: false\n",
                                        encoding="utf-8")
    elif change == "deleted page":
        (site / "output" / ALPHA_PAGE).unlink()
    elif change == "page edited by hand":
        (site / "output" / ALPHA_PAGE).write_text("tampered", encoding="utf-8")
    elif change == "other base url":
        options["base_url"] = "https://example.org/other/"
    elif change == "drafts":
        options["drafts"] = True
    report = run(site, **options)
    assert isinstance(report, BuildReport)
    assert isinstance(run(site, **options), Unchanged)  # and the build after it has nothing to do
    page = (site / "output" / ALPHA_PAGE).read_text(encoding="utf-8")
    assert ("Mondays." in page) == (change == "same-size edit") and "tampered" not in page


def test_a_file_put_in_output_by_hand_is_left_alone_as_a_build_would(site: Path) -> None:
    run(site)
    (site / "output" / ".git").mkdir()
    (site / "output" / ".git" / "HEAD").write_text("synthetic", encoding="utf-8")
    assert isinstance(run(site), Unchanged)
    assert (site / "output" / ".git" / "HEAD").is_file()


def test_an_article_coming_of_age_means_a_full_build(site: Path) -> None:
    (site / "content/2025").mkdir(exist_ok=True)
    (site / "content/2025/scheduled.md").write_text(
        "---\ntitle: A scheduled synthetic note\ndate: 2025-02-02 08:00\n---\nSynthetic text.\n", encoding="utf-8")
    run(site)
    assert isinstance(run(site, now=NOW + timedelta(days=10)), Unchanged)
    assert not (site / "output" / FUTURE_PAGE).exists()
    report = run(site, now=NOW + timedelta(days=30))
    assert isinstance(report, BuildReport) and (site / "output" / FUTURE_PAGE).is_file()
    assert isinstance(run(site, now=NOW + timedelta(days=31)), Unchanged)
    report = run(site, now=NOW)  # back before its date (SOURCE_DATE_EPOCH): it is left out again
    assert isinstance(report, BuildReport) and not (site / "output" / FUTURE_PAGE).exists()


def test_an_input_changed_as_the_build_began_is_never_trusted(site: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(files, "RACY_SECONDS", 2.0)
    source = site / ALPHA_SOURCE
    source.write_text(source.read_text(encoding="utf-8") + "\nOne more synthetic line.\n", encoding="utf-8")
    assert isinstance(run(site), BuildReport)
    assert isinstance(run(site), BuildReport)  # no stamp was saved: a same-tick edit could hide in it


def test_the_command_line_says_nothing_changed(site: Path) -> None:
    hour_ago = NOW.timestamp()  # any time well before this build starts
    for path in site.rglob("*"):
        os.utime(path, (hour_ago, hour_ago))  # settled files: the command line's own margin applies
    lines = []
    for _ in range(2):
        done = subprocess.run([sys.executable, str(REPO / "build.py"), "--root", str(site)], capture_output=True,
                              text=True, env={**os.environ, "SOURCE_DATE_EPOCH": str(int(NOW.timestamp()))})
        assert done.returncode == 0, done.stderr
        lines.append(done.stdout)
    assert "wrote" in lines[0] and "nothing changed since the last build" not in lines[0]
    assert "nothing changed since the last build" in lines[1] and "wrote" not in lines[1]


def test_an_edit_that_restores_its_file_time_is_still_read(site: Path) -> None:
    run(site)
    source = site / ALPHA_SOURCE
    before = source.stat()
    source.write_text(source.read_text(encoding="utf-8").replace("Tuesdays", "Mondays."), encoding="utf-8")
    os.utime(source, ns=(before.st_atime_ns, before.st_mtime_ns))  # same size, same time: only ctime moved
    report = run(site)
    assert isinstance(report, BuildReport) and report.converted == 1
    assert "Mondays." in (site / "output" / ALPHA_PAGE).read_text(encoding="utf-8")


EXTENSION = '''\
from markdown.extensions import Extension
from markdown.postprocessors import Postprocessor


class Shout(Postprocessor):
    def run(self, text):
        return text.replace("Tuesdays", "TUESDAYS")


class ShoutExtension(Extension):
    def extendMarkdown(self, md):
        md.postprocessors.register(Shout(md), "shout", 1)


def makeExtension(**kwargs):
    return ShoutExtension(**kwargs)
'''


def test_a_changed_markdown_extension_converts_again(site: Path, tmp_path: Path) -> None:
    """A site's own extension, named without a package: a new version of it is an input of the
    build (no stamp holds) and of every cached article (none is reused)."""
    modules = tmp_path / "modules"
    modules.mkdir()
    (modules / "synthetic_shout.py").write_text(EXTENSION, encoding="utf-8")
    (site / "site.yaml").write_text(SITE_YAML + "search: false\nmarkdown_extensions: [extra, digest.typography, toc, "
                                    "sane_lists, synthetic_shout]\n", encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(modules), "SOURCE_DATE_EPOCH": str(int(NOW.timestamp()))}

    def cli(*args: str) -> str:
        long_ago = NOW.timestamp()
        for path in [*site.rglob("*"), *modules.rglob("*.py")]:
            os.utime(path, (long_ago, long_ago))  # settled files: the command line's own margin applies
        done = subprocess.run([sys.executable, str(REPO / "build.py"), "--root", str(site), *args],
                              capture_output=True, text=True, env=env)
        assert done.returncode == 0, done.stderr
        return done.stdout

    cli()
    assert b"TUESDAYS" in (site / "output" / ALPHA_PAGE).read_bytes()
    (modules / "synthetic_shout.py").write_text(EXTENSION.replace('"TUESDAYS"', '"on Tuesdays, loudly"'),
                                                encoding="utf-8")
    assert "nothing changed" not in cli()
    assert b"on Tuesdays, loudly" in (site / "output" / ALPHA_PAGE).read_bytes()
    (modules / "synthetic_shout.py").write_text(EXTENSION.replace('"TUESDAYS"', '"tUeSdAyS"'), encoding="utf-8")
    for stamp in (site / ".cache").glob("stamp-*.json"):
        stamp.unlink()  # the article cache alone must not serve the old conversion either
    cli()
    assert b"tUeSdAyS" in (site / "output" / ALPHA_PAGE).read_bytes()


def test_an_extension_reinstalled_as_it_was_keeps_the_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A CI runner installs every package afresh: same bytes, new times. Converted articles stay
    valid; new bytes make them invalid."""
    from digest.sources import _library_key

    monkeypatch.syspath_prepend(str(tmp_path))
    module = tmp_path / "synthetic_reinstalled.py"
    names = ("extra", "synthetic_reinstalled")
    module.write_text(EXTENSION, encoding="utf-8")
    _library_key.cache_clear()
    first = _library_key(names)
    module.unlink()
    module.write_text(EXTENSION, encoding="utf-8")  # reinstalled: a new file, the same bytes
    _library_key.cache_clear()
    assert _library_key(names) == first
    module.write_text(EXTENSION.replace("TUESDAYS", "tUeSdAyS"), encoding="utf-8")
    _library_key.cache_clear()
    assert _library_key(names) != first
