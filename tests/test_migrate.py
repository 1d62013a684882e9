"""migrate: small synthetic Jekyll and Hugo sites, written by the tests, into a tiny site of ours."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import yaml

from conftest import NOW, REPO, snapshot, write_site
from digest.config import load_config
from digest.errors import SiteError
from digest.frontmatter import load_yaml
from digest.migrate import MigrateOptions, migrate
from digest.migrate.front import add_entries, drop_keys, read_front, rename_key
from digest.migrate.jekyll import STYLES
from digest.migrate.urls import expand

def _dot() -> bytes:
    """A 1×1 transparent PNG, made with Pillow."""
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGBA", (1, 1), (0, 0, 0, 0)).save(out, "PNG")
    return out.getvalue()


DOT = _dot()
OUR_YAML = "title: Sample Digest\nbase_url: https://example.org/digest/\ntimezone: America/Denver\n"

JEKYLL = {
    "_config.yml": """\
        title: A fictional old blog
        baseurl: /oldblog
        url: https://old-blog.test
        exclude: [notes.txt]
        """,
    "_posts/2014-09-08-clinic-opens.md": """\
        ---
        layout: post
        title: "Sample clinic opens in Exampleville"
        categories: [News]
        excerpt: A fictional clinic opens its doors.
        redirect_from: /clinic/
        # a comment the editor wrote
        ---
        The made-up clinic in Exampleville opened on Monday.

        ![Map of Exampleville]({{ site.baseurl }}/assets/map.png)
        See [the fair]({% post_url 2014-10-02-fair %}) and [about]({{ "/about/" | relative_url }}).
        {% include note.html %}
        Written for {{ page.title }}.
        {% raw %}{{ shown as written }}{% endraw %}

        {% highlight ruby %}
        puts "sample"
        {% endhighlight %}
        """,
    "_posts/2014-10-02-fair.markdown": """\
        ---
        title: Sample services fair
        description: A fictional fair with free advice.
        ---
        The fair is [linked from the clinic]({{ site.url }}{{ site.baseurl }}{% post_url 2014-09-08-clinic-opens %}).
        An old link: [clinic](/oldblog/news/2014/09/08/clinic-opens.html), and [the shop](/oldblog/shop/).
        """,
    "_posts/2015-01-05-second-clinic.md": """\
        ---
        title: Second sample clinic
        date: 2015-01-06 10:00:00 +0000
        redirect_from:
          - /clinic/
          - /second-clinic/
        ---
        Another fictional clinic.
        """,
    "_posts/2015-02-01-broken.md": """\
        ---
        title: A broken sample
        tags: [one, two
        ---
        Never read.
        """,
    "_drafts/unfinished-idea.md": """\
        ---
        title: An unfinished sample idea
        ---
        Not ready.
        """,
    "about.md": """\
        ---
        layout: page
        title: About the old blog
        permalink: /about/
        ---
        A fictional about page.
        """,
    "contact.md": """\
        ---
        title: Contact
        ---
        Write to the fictional editors.
        """,
    "index.html": "---\nlayout: default\n---\n{% for post in site.posts %}{{ post.title }}{% endfor %}\n",
    "archive.html": "---\nlayout: default\n---\nArchive\n",
    "README.md": "A repository readme, not part of the site.\n",
    "Gemfile": "source 'https://rubygems.org'\n",
    "notes.txt": "excluded in _config.yml\n",
    "assets/css/style.scss": "---\n---\nbody { color: black; }\n",
}

HUGO = {
    "hugo.toml": """\
        baseURL = "https://hugo.example.org/"
        title = "A fictional Hugo site"
        [permalinks]
          posts = "/:year/:month/:slug/"
        """,
    "content/_index.md": "---\ntitle: Home\n---\nWelcome.\n",
    "content/posts/first-note.md": """\
        +++
        title = "First sample note"
        date = 2019-03-10T12:00:00Z
        description = "A fictional first note."
        aliases = ["/old/first/", "first-old"]
        tags = ["legal aid"]

        [params]
        description = "a table key, not the summary"
        +++
        The second note is [here]({{< ref "second-note" >}}), the third [there]({{< relref "/notes/third.md#part" >}}).

        {{< youtube abc123 >}}

        {{< figure src="/images/pic.png" alt="A sample picture" caption="Sample caption" >}}
        """,
    "content/posts/second-note/index.md": """\
        ---
        title: Second sample note
        date: 2019-04-02
        slug: second-note-bundle
        ---
        ![A dot](photo.png)

        Back to the [first]({{< relref "first-note.md" >}}).
        """,
    "content/notes/third.md": """\
        ---
        title: Third sample note
        date: 2020-01-15
        ---
        ## Part

        A third fictional note. {{</* notice */>}} shows how a shortcode is written.
        """,
    "content/about.md": "---\ntitle: About the Hugo site\n---\nA fictional page.\n",
    "content/widgets/index.md": "---\nheadless: true\n---\n",
}


def write_tree(root: Path, files: dict[str, str | bytes]) -> Path:
    """Write an old site's files."""
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(textwrap.dedent(text), encoding="utf-8")
    return root


@pytest.fixture
def ours(tmp_path: Path) -> Path:
    return write_site(tmp_path / "ours", {}, OUR_YAML)


@pytest.fixture
def jekyll(tmp_path: Path) -> Path:
    return write_tree(tmp_path / "jekyll", {**JEKYLL, "assets/map.png": DOT})


@pytest.fixture
def hugo(tmp_path: Path) -> Path:
    return write_tree(tmp_path / "hugo", {**HUGO, "content/posts/second-note/photo.png": DOT,
                                          "static/images/pic.png": DOT, "static/robots.txt": "User-agent: *\n"})


def run(ours: Path, old: Path, *options: str) -> subprocess.CompletedProcess:
    """build.py migrate, as a user runs it."""
    return subprocess.run([sys.executable, str(REPO / "build.py"), "--root", str(ours), "migrate", str(old), *options],
                          capture_output=True, text=True)


def front(path: Path) -> dict:
    """An article's front matter, read as the build reads YAML."""
    text = path.read_text(encoding="utf-8")
    return load_yaml(text.split("---\n")[1])


# --- Jekyll ------------------------------------------------------------------------------------------

def test_jekyll_posts_drafts_pages_and_assets_land_in_content_and_static(ours: Path, jekyll: Path) -> None:
    report = migrate(load_config(ours), jekyll, MigrateOptions())
    files = set(snapshot(ours / "content")) | {f"static/{p}" for p in snapshot(ours / "static")}
    assert {"2014/2014-09-08-clinic-opens.md", "2014/2014-10-02-fair.md", "2015/2015-01-05-second-clinic.md",
            "pages/about.md", "pages/contact.md"} <= files
    draft = next(p for p in files if p.endswith("unfinished-idea.md"))
    assert front(ours / "content" / draft)["draft"] is True and "date" in front(ours / "content" / draft)
    assert "static/assets/map.png" in files and (ours / "static/assets/map.png").read_bytes() == DOT
    assert not any(name in p for p in files for name in ("README", "Gemfile", "notes.txt", "style.scss", "index"))
    assert report.summary() == "migrated from Jekyll: 4 articles, 2 pages, 1 asset, 6 aliases, 2 left for review; " \
                               "1 not migrated (see the errors above)"
    assert [str(w) for w in report.warnings if "HTML page" in w.message] == [
        "archive.html: is an HTML page, not Markdown: not migrated (our build makes its own front page, archives, "
        "tag pages and feeds)"]


def test_jekyll_front_matter_keeps_what_the_editor_wrote(ours: Path, jekyll: Path) -> None:
    migrate(load_config(ours), jekyll, MigrateOptions())
    text = (ours / "content/2014/2014-09-08-clinic-opens.md").read_text(encoding="utf-8")
    assert text.startswith('---\nlayout: post\ntitle: "Sample clinic opens in Exampleville"\ncategories: [News]\n'
                           "summary: A fictional clinic opens its doors.\n# a comment the editor wrote\n")
    values = front(ours / "content/2014/2014-09-08-clinic-opens.md")
    assert "redirect_from" not in values and "excerpt" not in values
    # redirect_from kept, and the address the old permalink setting gave (Jekyll's default, 'date')
    assert values["aliases"] == ["/clinic/", "/news/2014/09/08/clinic-opens.html"]
    fair = front(ours / "content/2014/2014-10-02-fair.md")
    assert fair["summary"] == "A fictional fair with free advice." and "date" not in fair  # the file name has it
    contact = front(ours / "content/pages/contact.md")
    assert contact["aliases"] == ["/contact.html"]
    about = front(ours / "content/pages/about.md")
    assert about["permalink"] == "/about/" and "aliases" not in about   # the build serves it there already


def test_jekyll_base_url_idioms_become_links_relative_to_the_new_page(ours: Path, jekyll: Path) -> None:
    migrate(load_config(ours), jekyll, MigrateOptions())
    clinic = (ours / "content/2014/2014-09-08-clinic-opens.md").read_text(encoding="utf-8")
    assert "![Map of Exampleville](../../../assets/map.png)" in clinic
    assert "[the fair](../../../2014/10/sample-services-fair/)" in clinic
    assert "[about](../../../about/)" in clinic
    assert "{{ shown as written }}" in clinic and "{% raw %}" not in clinic
    assert '```ruby\nputs "sample"\n```' in clinic
    fair = (ours / "content/2014/2014-10-02-fair.md").read_text(encoding="utf-8")
    assert "[linked from the clinic](../../../2014/09/sample-clinic-opens-in-exampleville/)" in fair
    assert "[clinic](../../../2014/09/sample-clinic-opens-in-exampleville/)" in fair  # an old root link
    assert "[the shop](https://old-blog.test/oldblog/shop/)" in fair   # nothing migrated answers there


def test_liquid_left_in_place_is_listed_with_its_file_and_line(ours: Path, jekyll: Path) -> None:
    report = migrate(load_config(ours), jekyll, MigrateOptions())
    text = (ours / "content/2014/2014-09-08-clinic-opens.md").read_text(encoding="utf-8")
    assert "{% include note.html %}" in text and "{{ page.title }}" in text
    assert front(ours / "content/2014/2014-09-08-clinic-opens.md")["review"] == (
        "left from Jekyll: _posts/2014-09-08-clinic-opens.md:13 {% include note.html %}; "
        "_posts/2014-09-08-clinic-opens.md:14 {{ page.title }}")
    lines = (jekyll / "_posts/2014-09-08-clinic-opens.md").read_text().splitlines()
    assert lines[12] == "{% include note.html %}" and "{{ page.title }}" in lines[13]
    reviewed = {r.target: [str(x) for x in r.leftovers] for r in report.review}
    assert reviewed["content/2014/2014-09-08-clinic-opens.md"] == [
        "_posts/2014-09-08-clinic-opens.md:13 {% include note.html %}",
        "_posts/2014-09-08-clinic-opens.md:14 {{ page.title }}"]


def test_an_alias_two_posts_claim_is_kept_once_and_the_clash_noted(ours: Path, jekyll: Path) -> None:
    report = migrate(load_config(ours), jekyll, MigrateOptions())
    second = front(ours / "content/2015/2015-01-05-second-clinic.md")
    # /second-clinic/ is kept; /clinic/ is the first post's; the front-matter date gives the old address
    assert second["aliases"] == ["/second-clinic/", "/2015/01/06/second-clinic.html"]
    assert second["review"] == "alias /clinic/ not kept: it is also content/2014/2014-09-08-clinic-opens.md's"
    notes = {r.target: r.notes for r in report.review}
    assert notes["content/2015/2015-01-05-second-clinic.md"] == (second["review"],)


def test_jekyll_permalink_styles() -> None:
    holders = {"categories": "news", "year": "2014", "month": "09", "day": "08", "title": "x", "y_day": "251",
               "output_ext": ".html", "week": "37", "short_day": "Mon"}
    assert expand(STYLES["date"], holders) == "/news/2014/09/08/x.html"
    assert expand(STYLES["pretty"], holders) == "/news/2014/09/08/x/"
    assert expand(STYLES["ordinal"], holders) == "/news/2014/251/x.html"
    assert expand(STYLES["none"], {**holders, "categories": ""}) == "/x.html"
    assert expand("/blog/:year/:title/", holders) == "/blog/2014/x/"


def test_jekyll_pretty_permalinks_and_a_post_with_its_own(ours: Path, tmp_path: Path) -> None:
    old = write_tree(tmp_path / "pretty", {
        "_config.yml": "permalink: pretty\n",
        "_posts/2016-05-04-own.md": "---\ntitle: Own address\npermalink: /special/own/\n---\nText.\n",
        "_posts/2016-05-05-plain.md": "---\ntitle: A plain sample\ncategories: Alpha beta\n---\nText.\n",
        "team.md": "---\ntitle: The sample team\n---\nPeople.\n",
    })
    migrate(load_config(ours), old, MigrateOptions())
    assert "aliases" not in front(ours / "content/2016/2016-05-04-own.md")   # our build reads permalink too
    assert front(ours / "content/2016/2016-05-05-plain.md")["aliases"] == ["/alpha/beta/2016/05/05/plain/"]
    assert front(ours / "content/pages/team.md")["aliases"] == ["/team/"]


# --- Hugo --------------------------------------------------------------------------------------------

def test_hugo_toml_front_matter_edited_in_place(ours: Path, hugo: Path) -> None:
    report = migrate(load_config(ours), hugo, MigrateOptions())
    text = (ours / "content/2019/first-note.md").read_text(encoding="utf-8")
    # aliases kept (a relative one made root-relative, as Hugo reads it); new keys before [params]
    assert text.startswith('+++\ntitle = "First sample note"\ndate = 2019-03-10T12:00:00Z\n'
                           'summary = "A fictional first note."\ntags = ["legal aid"]\n'
                           'aliases = ["/old/first/", "/2019/03/first-old"]\n'
                           'review = "left from Hugo: content/posts/first-note.md:13 {{< youtube abc123 >}}"\n\n'
                           '[params]\ndescription = "a table key, not the summary"\n+++\n')
    assert report.generator == "Hugo"
    assert [str(w) for w in report.warnings] == [
        "content/_index.md: is a section's list page: not migrated (our build makes its own lists)",
        "content/widgets/index.md: is never published by Hugo (headless, or build.render: never): not migrated",
        "static/robots.txt: not migrated: our build writes its own /robots.txt"]


def test_hugo_bundle_keeps_its_image_beside_it(ours: Path, hugo: Path) -> None:
    migrate(load_config(ours), hugo, MigrateOptions())
    assert (ours / "content/2019/second-note/index.md").is_file()
    assert (ours / "content/2019/second-note/photo.png").read_bytes() == DOT
    assert "![A dot](photo.png)" in (ours / "content/2019/second-note/index.md").read_text(encoding="utf-8")
    assert (ours / "static/images/pic.png").read_bytes() == DOT


def test_hugo_refs_and_figures_rewritten_other_shortcodes_left(ours: Path, hugo: Path) -> None:
    migrate(load_config(ours), hugo, MigrateOptions())
    first = (ours / "content/2019/first-note.md").read_text(encoding="utf-8")
    assert "[here](../../../2019/04/second-note-bundle/)" in first
    assert "[there](../../../2020/01/third-sample-note/#part)" in first
    assert '<figure><img src="../../../images/pic.png" alt="A sample picture"><figcaption>Sample caption' in first
    assert "{{< youtube abc123 >}}" in first
    second = (ours / "content/2019/second-note/index.md").read_text(encoding="utf-8")
    assert "[first](../../../2019/03/first-sample-note/)" in second
    third = (ours / "content/2020/third.md").read_text(encoding="utf-8")
    assert "{{< notice >}} shows how" in third
    assert front(ours / "content/2020/third.md")["aliases"] == ["/notes/third/"]   # Hugo's default address
    assert front(ours / "content/pages/about.md")["aliases"] == ["/about/"]


def test_hugo_yaml_config_ugly_urls_and_json_front_matter(ours: Path, tmp_path: Path) -> None:
    old = write_tree(tmp_path / "hugo-yaml", {
        "config.yaml": "baseURL: https://sample.example.org/\nuglyURLs: true\n",
        "content/blog/json-note.md": '{\n  "title": "A JSON sample",\n  "date": "2018-02-03",\n'
                                     '  "description": "Front matter in braces."\n}\nSee [the other](/blog/other.html).\n',
        "content/blog/other.md": "---\nTitle: Another Sample\nDate: 2018-02-04\n---\nText.\n",
    })
    report = migrate(load_config(ours), old, MigrateOptions())
    assert report.generator == "Hugo" and len(report.articles) == 2
    values = front(ours / "content/2018/json-note.md")           # rewritten as YAML: our build reads no JSON
    assert values["summary"] == "Front matter in braces." and values["aliases"] == ["/blog/json-note.html"]
    assert "[the other](../../../2018/02/another-sample/)" in (ours / "content/2018/json-note.md").read_text()
    other = front(ours / "content/2018/other.md")
    assert other["title"] == "Another Sample" and other["date"] == "2018-02-04"   # Hugo's keys, any case


def test_pages_the_build_makes_itself_and_titles_that_collide(ours: Path, tmp_path: Path) -> None:
    old = write_tree(tmp_path / "collide", {
        "_config.yml": "permalink: /:year/:title/\n",
        "archive.md": "---\ntitle: Archive\n---\n{% for post in site.posts %}{{ post.title }}{% endfor %}\n",
        "_posts/2017-03-01-weekly-one.md": "---\ntitle: Weekly sample\n---\nOne.\n",
        "_posts/2017-03-08-weekly-two.md": "---\ntitle: Weekly sample\n---\nTwo.\n",
    })
    report = migrate(load_config(ours), old, MigrateOptions())
    assert [str(w) for w in report.warnings] == [
        "archive.md: would be served at /archive/, which our build makes itself: not migrated",
        "_posts/2017-03-08-weekly-two.md: its title gives /2017/03/weekly-sample/, as "
        "content/2017/2017-03-01-weekly-one.md's does: written with 'slug: weekly-two'"]
    assert front(ours / "content/2017/2017-03-08-weekly-two.md")["slug"] == "weekly-two"
    assert front(ours / "content/2017/2017-03-08-weekly-two.md")["aliases"] == ["/2017/weekly-two/"]


# --- what goes wrong -------------------------------------------------------------------------------

def test_a_folder_that_is_neither_site_is_one_line(ours: Path, tmp_path: Path) -> None:
    (tmp_path / "plain").mkdir()
    (tmp_path / "plain" / "notes.md").write_text("Just notes.\n")
    result = run(ours, tmp_path / "plain")
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        f"error: {tmp_path / 'plain'}: is neither a Jekyll site (no _config.yml or _posts/) nor a Hugo site (no "
        "hugo.toml, config.toml or config/_default/): point migrate at the folder that holds one",
        "1 error; content/ and static/ were left as they were"]


def test_broken_front_matter_is_listed_and_the_rest_migrated(ours: Path, jekyll: Path) -> None:
    result = run(ours, jekyll)
    assert result.returncode == 1
    assert ("error: _posts/2015-02-01-broken.md:4: front matter is not valid YAML: did not find expected ',' or "
            "']': not migrated") in result.stderr.splitlines()
    assert (ours / "content/2014/2014-09-08-clinic-opens.md").is_file()
    assert not any("broken" in p for p in snapshot(ours / "content"))
    assert result.stdout.splitlines()[-1].startswith("migrated from Jekyll: 4 articles, 2 pages")


def test_left_for_review_is_listed_at_the_end(ours: Path, jekyll: Path) -> None:
    lines = run(ours, jekyll).stdout.splitlines()
    assert lines[-4:] == [
        "left for review: _posts/2014-09-08-clinic-opens.md:13 {% include note.html %} "
        "(in content/2014/2014-09-08-clinic-opens.md)",
        "left for review: _posts/2014-09-08-clinic-opens.md:14 {{ page.title }} "
        "(in content/2014/2014-09-08-clinic-opens.md)",
        "to review: content/2015/2015-01-05-second-clinic.md: alias /clinic/ not kept: it is also "
        "content/2014/2014-09-08-clinic-opens.md's",
        "migrated from Jekyll: 4 articles, 2 pages, 1 asset, 6 aliases, 2 left for review; 1 not migrated "
        "(see the errors above)"]


def test_never_overwrites_without_force(ours: Path, jekyll: Path) -> None:
    config = load_config(ours)
    migrate(config, jekyll, MigrateOptions())
    again = migrate(config, jekyll, MigrateOptions())          # the same again: nothing to write
    assert again.written == () and len(again.unchanged) == 7
    edited = ours / "content/2014/2014-10-02-fair.md"
    edited.write_text(edited.read_text() + "An editor's addition.\n")
    with pytest.raises(SiteError) as caught:
        migrate(config, jekyll, MigrateOptions())
    assert [str(p) for p in caught.value.problems] == [
        "content/2014/2014-10-02-fair.md: exists and differs: migrate with --force to overwrite it"]
    assert "An editor's addition." in edited.read_text()
    forced = migrate(config, jekyll, MigrateOptions(force=True))
    assert forced.written == ("content/2014/2014-10-02-fair.md",)
    assert "An editor's addition." not in edited.read_text()


def test_dry_run_writes_nothing(ours: Path, jekyll: Path) -> None:
    before = snapshot(ours)
    result = run(ours, jekyll, "--dry-run")
    assert snapshot(ours) == before
    assert "would write: content/2014/2014-09-08-clinic-opens.md" in result.stdout.splitlines()
    assert result.stdout.splitlines()[-1].startswith("would migrate from Jekyll: 4 articles, 2 pages, 1 asset")


def test_content_is_untouched_when_the_migration_fails(ours: Path, jekyll: Path) -> None:
    (ours / "content/2015").mkdir(parents=True)
    (ours / "content/2015/2015-01-05-second-clinic.md").write_text("An article of ours.\n")
    before = snapshot(ours)
    result = run(ours, jekyll)
    assert result.returncode == 1 and snapshot(ours) == before
    assert "error: content/2015/2015-01-05-second-clinic.md: exists and differs: migrate with --force to " \
           "overwrite it" in result.stderr.splitlines()


def test_a_failed_move_puts_back_everything_moved_before_it(ours: Path, jekyll: Path) -> None:
    (ours / "static/assets").write_text("a file where a folder must go\n")   # the last file to move fails
    (ours / "content/pages").mkdir(parents=True)
    (ours / "content/pages/contact.md").write_text("Ours, replaced by --force, then put back.\n")
    before = snapshot(ours)
    with pytest.raises(SiteError) as caught:
        migrate(load_config(ours), jekyll, MigrateOptions(force=True))
    assert snapshot(ours) == before
    assert not any(p.name.startswith(".migrate-") for p in ours.iterdir())
    assert str(caught.value.problems[0]).endswith("nothing was changed")


# --- front matter edits -----------------------------------------------------------------------------

def test_front_matter_edits_keep_everything_else() -> None:
    yaml_text = "title: X\nredirect_from:\n  - /a/\n  - /b/\n\n# note\ntags: [a]\n"
    assert drop_keys(yaml_text, ["redirect_from"], "yaml") == "title: X\n\n# note\ntags: [a]\n"
    assert rename_key("excerpt: Hi\n", "excerpt", "summary", "yaml") == "summary: Hi\n"
    toml_text = 'title = "X"\naliases = [\n  "/a/",\n]\n[params]\nkey = 1\n'
    edited = add_entries(drop_keys(toml_text, ["aliases"], "toml"), [("aliases", ["/a/", "/b/"])], "toml")
    assert edited == 'title = "X"\naliases = ["/a/", "/b/"]\n[params]\nkey = 1\n'
    assert yaml.safe_load(add_entries("title: X\n", [("review", 'say "why": here')], "yaml")) == \
        {"title": "X", "review": 'say "why": here'}
    found = read_front("\ufeff\n---\ntitle: X\n---\nBody\n")
    assert found.values == {"title": "X"} and found.body == "Body\n" and found.body_line == 5


# --- end to end ------------------------------------------------------------------------------------

def build(site: Path, base_url: str) -> subprocess.CompletedProcess:
    env = {"SOURCE_DATE_EPOCH": str(int(NOW.timestamp())), "PATH": "/usr/bin:/bin"}
    return subprocess.run([sys.executable, str(REPO / "build.py"), "--root", str(site), "--base-url", base_url],
                          capture_output=True, text=True, env=env)


@pytest.mark.parametrize("old_site", ["jekyll", "hugo"])
def test_migrated_site_builds_and_old_addresses_redirect_under_a_sub_path(
        ours: Path, old_site: str, request: pytest.FixtureRequest) -> None:
    from conftest import broken_links

    old = request.getfixturevalue(old_site)
    migrated = run(ours, old)
    assert "migrated from" in migrated.stdout, migrated.stderr
    built = build(ours, "https://example.org/sub/")
    assert built.returncode == 0, built.stderr
    files = snapshot(ours / "output")
    assert broken_links(files, "https://example.org/sub/") == []
    if old_site == "jekyll":
        old_address, article = "news/2014/09/08/clinic-opens.html", "2014/09/sample-clinic-opens-in-exampleville/"
        assert "to review: content/2014/2014-09-08-clinic-opens.md" in built.stderr
    else:
        old_address, article = "notes/third/index.html", "2020/01/third-sample-note/"
        assert b"<picture>" in files["2019/04/second-note-bundle/index.html"]  # the bundle's photo, encoded
    redirect = files[old_address].decode()
    assert f'href="https://example.org/sub/{article}"' in redirect or f"/sub/{article}" in redirect
    assert f"{article}index.html" in files
