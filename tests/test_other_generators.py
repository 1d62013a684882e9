"""The build reads what Jekyll and Hugo write, keeps old addresses alive with redirect pages,
copies a page bundle's images, and says what readers would see as leftover template text."""

from __future__ import annotations

import re

import subprocess
import sys
from pathlib import Path

import pytest

from conftest import BASE_URL, NOW, REPO, SITE_YAML, broken_links, snapshot, write_site
from digest.errors import SiteError
from digest.pipeline import BuildOptions, build

LONG_SLUG = "a-very-long-explicit-slug-that-an-old-blog-used-for-years-and-that-must-never-be-cut-short"

ARTICLES = {
    # Jekyll: blank line and byte-order mark before the front matter, date from the file name
    "content/_posts/2014-09-08-jekyll-post.md": "\ufeff\n\n---\ntitle: A synthetic Jekyll post\n"
                                                 "categories: [legal aid]\nauthor: [Test Writer, Second Writer]\n"
                                                 "redirect_from: [/2014/09/08/jekyll-post.html]\n---\nJekyll text.\n",
    # Hugo: TOML front matter, aliases, authors, an explicit long slug used as written
    "content/posts/hugo-post.md": f'+++\ntitle = "A synthetic Hugo post"\ndate = 2015-03-04T10:00:00Z\n'
                                  f'slug = "{LONG_SLUG}"\naliases = ["/posts/old-hugo-post/"]\n'
                                  'authors = ["Hugo Writer"]\ncategories = ["consulates"]\n+++\nHugo text.\n',
    "content/posts/unpublished.md": "---\ntitle: Not out yet\ndate: 2015-01-01\npublished: false\n---\nDraft.\n",
    "content/posts/own-address.md": "---\ntitle: Own address\ndate: 2015-02-02\npermalink: /about-the-clinic/\n"
                                    "---\nText.\n",
    "content/posts/hugo-url.md": "---\ntitle: Hugo url\ndate: 2015-02-03\nurl: /old/hugo-url.html\n---\nText.\n",
    # a page bundle: the article and its image in one folder
    "content/2016/bundle/index.md": "---\ntitle: A bundle\ndate: 2016-05-05\n---\n![A synthetic dot](dot.png)\n",
}
def _dot() -> bytes:
    """A 1×1 transparent PNG, made with Pillow."""
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGBA", (1, 1), (0, 0, 0, 0)).save(out, "PNG")
    return out.getvalue()


DOT = _dot()


def make_site(root: Path, articles: dict[str, str] | None = None, site_yaml: str = SITE_YAML) -> Path:
    site = write_site(root, ARTICLES if articles is None else articles, site_yaml)
    if articles is None:
        (site / "content/2016/bundle/dot.png").write_bytes(DOT)
    return site


@pytest.fixture
def built(tmp_path: Path) -> tuple:
    site = make_site(tmp_path / "site")
    report = build(site, BuildOptions(now=NOW))
    return report, snapshot(site / "output")


def test_jekyll_and_hugo_front_matter_are_read_as_written(built: tuple) -> None:
    report, _ = built
    by_title = {a.title: a for a in report.site.articles}
    jekyll = by_title["A synthetic Jekyll post"]
    assert jekyll.date.date().isoformat() == "2014-09-08"  # from the file name
    assert jekyll.tags == ("legal aid",) and jekyll.author == "Test Writer, Second Writer"
    hugo = by_title["A synthetic Hugo post"]
    assert hugo.slug == LONG_SLUG and hugo.path == f"2015/03/{LONG_SLUG}/"  # never cut
    assert hugo.tags == ("consulates",) and hugo.author == "Hugo Writer"
    assert "Not out yet" not in by_title  # published: false is a draft
    assert [x.reason.split(" ")[0] for x in report.site.left_out if "unpublished" in x.source] == ["draft"]


def test_categories_can_be_kept_apart_from_tags(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site", site_yaml=SITE_YAML + "categories_as_tags: false\n")
    (site / "content/2016/bundle/dot.png").write_bytes(DOT)
    report = build(site, BuildOptions(now=NOW))
    jekyll = next(a for a in report.site.articles if a.title == "A synthetic Jekyll post")
    assert jekyll.tags == () and jekyll.extra == {}


def test_old_addresses_answer_with_a_redirect_page_never_listed(built: tuple) -> None:
    _, files = built
    article = f"{BASE_URL}2015/03/{LONG_SLUG}/"
    for alias in ("posts/old-hugo-post/index.html",):
        page = files[alias].decode()
        assert f'<meta http-equiv="refresh" content="0; url=/digest/2015/03/{LONG_SLUG}/">' in page
        assert f'<link rel="canonical" href="{article}">' in page and 'content="noindex"' in page
        assert f'<a href="/digest/2015/03/{LONG_SLUG}/">A synthetic Hugo post</a>' in page
    assert "2014/09/08/jekyll-post.html" in files  # Jekyll's redirect_from, a file address
    listed = b"".join(files[p] for p in files if p.endswith(".xml"))
    assert b"old-hugo-post" not in listed and b"jekyll-post.html" not in listed
    assert broken_links(files, BASE_URL) == []


def test_a_per_post_address_is_kept(built: tuple) -> None:
    _, files = built
    assert "about-the-clinic/index.html" in files and "old/hugo-url.html" in files
    assert b'href="/digest/old/hugo-url.html"' in files["index.html"] + files["page/2/index.html"] + \
        files["page/3/index.html"]


def test_a_bundles_image_is_encoded_for_its_page(built: tuple) -> None:
    _, files = built
    assert "2016/05/a-bundle/dot.png" not in files  # the original, metadata and all, is never published
    assert [p for p in files if p.startswith("images/dot-")] and b"<picture>" in files["2016/05/a-bundle/index.html"]
    assert re.search(rb'<img src="/digest/images/dot-[0-9a-f]{10}-1\.png"', files["2016/05/a-bundle/index.html"])


@pytest.mark.parametrize("aliases, clash", [
    ("[/tags/]", "writes tags/index.html, which content/2024/x.md (aliases: /tags/) writes too"),
    ("[/2015/03/other/]", "writes 2015/03/other/index.html, which content/2024/x.md (aliases: /2015/03/other/) "
                          "writes too"),
])
def test_an_alias_that_clashes_names_both(tmp_path: Path, aliases: str, clash: str) -> None:
    site = make_site(tmp_path / "site", {
        "content/2024/x.md": f"---\ntitle: X\ndate: 2024-01-01\naliases: {aliases}\n---\nT.\n",
        "content/2024/y.md": "---\ntitle: Y\ndate: 2024-01-02\naliases: [/2015/03/other/]\n---\nT.\n"})
    with pytest.raises(SiteError) as raised:
        build(site, BuildOptions(now=NOW))
    [problem] = raised.value.problems
    assert clash in problem.message and problem.message.endswith("remove one of the aliases")


def test_an_unsafe_slug_is_refused_with_a_message(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site", {"content/2024/x.md": "---\ntitle: X\ndate: 2024-01-01\nslug: a b?\n---\nT.\n"})
    with pytest.raises(SiteError) as raised:
        build(site, BuildOptions(now=NOW))
    assert str(raised.value.problems[0]).startswith("content/2024/x.md:4: slug: 'a b?' cannot be an address")


def test_toml_that_does_not_parse_names_the_line(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site", {"content/2024/x.md": '\n+++\ntitle = "X"\ndate = \n+++\nT.\n'})
    with pytest.raises(SiteError) as raised:
        build(site, BuildOptions(now=NOW))
    assert str(raised.value.problems[0]).startswith("content/2024/x.md:4: front matter is not valid TOML")


def test_leftover_template_syntax_is_a_warning_with_its_line_capped_and_shown_on_failure(tmp_path: Path) -> None:
    articles = {f"content/2024/p{n:02d}.md": f"---\ntitle: Post {n}\ndate: 2024-01-01\n---\nText.\n\n"
                                             "{% include synthetic.html %}\n\n    {% in a code block %}\n"
                for n in range(60)}
    articles["content/2024/bad.md"] = "---\ntitle: Bad\ndate: 2024-13-01\n---\n{{< synthetic-shortcode >}}\n"
    site = make_site(tmp_path / "site", articles)
    result = subprocess.run([sys.executable, str(REPO / "build.py"), "--root", str(site)], capture_output=True,
                            text=True, env={"SOURCE_DATE_EPOCH": str(int(NOW.timestamp())), "PATH": "/usr/bin:/bin"})
    assert result.returncode == 1
    lines = result.stderr.splitlines()
    warnings = [line for line in lines if line.startswith("warning: ")]
    assert len(warnings) == 50
    assert warnings[0].startswith("warning: content/2024/bad.md:5: template syntax from another generator reaches "
                                  "readers as text: '{{< synthetic-shortcode >}}'")
    assert "warning: content/2024/p00.md:7: template syntax" in warnings[1]
    assert "... and 11 more warnings (11 template syntax)" in lines
    assert "error: content/2024/bad.md:3: date: '2024-13-01' is not a valid date" in result.stderr[0:100000]
    assert not (site / "output").exists()
