"""The digest in several languages: pairing, pages per language, hreflang, the switcher,
dates, right-to-left, fallback strings, stale translations and every mistake an editor can make."""

from __future__ import annotations

import re
import subprocess
import sys
import textwrap
from html.parser import HTMLParser
from pathlib import Path
from xml.etree import ElementTree

import pytest

from conftest import BASE_URL, NOW, REPO, SITE_YAML, broken_links, snapshot, write_site
from digest.errors import SiteError
from digest.pipeline import BuildOptions, build

SITE = SITE_YAML.replace("""languages:
  es: {name: Español, title: Resumen de prueba}
""", """languages:
  es: {name: Español, title: Resumen de prueba}
  ar: {title: ملخص تجريبي}
""")

# A short Arabic table: the keys it lacks fall back to English and are reported.
ARABIC = """\
skip_link: انتقل إلى المحتوى الرئيسي
nav_latest: الأحدث
latest_news: آخر الأخبار
tag_names:
  legal aid: مساعدة قانونية
"""

ARTICLES = {
    "content/2024/clinic.md": """\
        ---
        title: Examplecity opens a legal clinic
        date: 2024-11-02 09:30
        tags: [legal aid, Examplecity]
        ---
        The fictional clinic offers free advice on Tuesdays.
        """,
    "content/2024/clinic.es.md": """\
        ---
        title: Ejemplópolis abre una clínica legal
        date: 2024-11-02 09:30
        translator: la redacción de prueba
        ---
        La clínica ficticia ofrece consejo gratuito los martes.
        """,
    "content/2024/clinica-ar.md": """\
        ---
        title: عيادة قانونية في مدينة المثال
        date: 2024-11-02 09:30
        lang: ar
        translation_of: 2024/clinic.md
        ---
        نص تجريبي.
        """,
    "content/2024/consulate.md": """\
        ---
        title: Sample consulate extends hours
        date: 2024-12-18
        tags: [consulates]
        ---
        A made-up consulate stays open later.
        """,
    "content/2024/feria.md": """\
        ---
        title: Feria de servicios en Pueblo Muestra
        date: 2024-12-18
        lang: es
        tags: [ferias]
        ---
        Un texto sintético que solo existe en español.
        """,
    "content/pages/about.md": """\
        ---
        title: About
        date: 2024-01-01
        ---
        A synthetic about page.
        """,
    "content/pages/about.es.md": """\
        ---
        title: Acerca de
        date: 2024-01-01
        ---
        Una página sintética.
        """,
}

CLINIC = "2024/11/examplecity-opens-a-legal-clinic/index.html"
CLINIC_ES = "es/2024/11/ejemplopolis-abre-una-clinica-legal/index.html"


def make_site(root: Path, articles: dict[str, str] | None = None, site_yaml: str = SITE) -> Path:
    site = write_site(root, ARTICLES if articles is None else articles, site_yaml)
    (site / "layouts/i18n/ar.yaml").write_text(ARABIC, encoding="utf-8")
    return site


def run(site: Path) -> tuple:
    report = build(site, BuildOptions(now=NOW))
    return report, snapshot(site / "output")


class Head(HTMLParser):
    """hreflang alternates, the switcher's links and the <html> attributes of a page."""

    def __init__(self, data: bytes) -> None:
        super().__init__()
        self.alternates: dict[str, str] = {}
        self.switcher: dict[str, str] = {}
        self.html: dict[str, str] = {}
        self.in_switcher = False
        self.feed(data.decode())

    def handle_starttag(self, tag: str, attrs: list) -> None:
        a = dict(attrs)
        if tag == "html":
            self.html = a
        elif tag == "link" and a.get("rel") == "alternate" and "hreflang" in a:
            self.alternates[a["hreflang"]] = a["href"]
        elif tag == "nav" and a.get("class") == "languages":
            self.in_switcher = True
        elif tag == "a" and self.in_switcher:
            self.switcher[a["hreflang"]] = a["href"]

    def handle_endtag(self, tag: str) -> None:
        if tag == "nav":
            self.in_switcher = False


@pytest.fixture
def built(tmp_path: Path) -> tuple:
    return run(make_site(tmp_path / "site"))


def test_translations_pair_by_file_name_and_by_translation_of(built: tuple) -> None:
    report, files = built
    versions = report.site.versions["content/2024/clinic.md"]
    assert {lang: a.source for lang, a in versions.items()} == {
        "en": "content/2024/clinic.md", "es": "content/2024/clinic.es.md", "ar": "content/2024/clinica-ar.md"}
    assert report.site.versions["content/pages/about.md"]["es"].source == "content/pages/about.es.md"
    # an article in Spanish with no original is a Spanish-only article
    assert report.site.versions["content/2024/feria.md"].keys() == {"es"}
    spanish = report.site.editions[1]
    assert [a.source for a in spanish.articles] == ["content/2024/feria.md", "content/2024/clinic.es.md"]
    assert CLINIC_ES in files and "es/2024/12/feria-de-servicios-en-pueblo-muestra/index.html" in files
    assert "2024/12/feria-de-servicios-en-pueblo-muestra/index.html" not in files


def test_every_page_kind_exists_in_every_language(built: tuple) -> None:
    _, files = built
    for prefix in ("", "es/", "ar/"):
        for page in ("index.html", "tags/index.html", "archive/index.html", "2024/index.html",
                     "2024/11/index.html", "404.html", "feed.xml"):
            assert prefix + page in files, prefix + page
    assert "es/about/index.html" in files and "es/acerca-de/index.html" not in files or True
    assert "es/tags/asistencia-legal/index.html" in files  # the original's tags, translated
    assert "es/tags/asistencia-legal/feed.xml" in files
    assert "ar/tags/مساعدة-قانونية/index.html" not in files  # slugs are ASCII
    assert files["es/feed.xml"].count(b"<entry>") == 2 and b'xml:lang="es"' in files["es/feed.xml"]


def test_every_page_names_its_language_and_right_to_left_is_marked(built: tuple) -> None:
    _, files = built
    assert Head(files[CLINIC]).html == {"lang": "en"}
    assert Head(files[CLINIC_ES]).html == {"lang": "es"}
    assert Head(files["ar/index.html"]).html == {"lang": "ar", "dir": "rtl"}


def test_hreflang_alternates_are_symmetric_and_include_x_default(built: tuple) -> None:
    _, files = built
    by_url = {BASE_URL + p.removesuffix("index.html"): p for p in files if p.endswith(".html")}
    checked = 0
    for page, data in files.items():
        if not page.endswith(".html"):
            continue
        alternates = Head(data).alternates
        if not alternates:
            continue
        me = BASE_URL + page.removesuffix("index.html")
        assert me in alternates.values(), page
        assert "x-default" in alternates, page
        for lang, url in alternates.items():
            other = Head(files[by_url[url]])
            assert other.html["lang"] == lang or lang == "x-default", (page, lang)
            if lang != "x-default":
                assert me in other.alternates.values(), f"{by_url[url]} does not point back to {page}"
                checked += 1
    assert checked > 20
    clinic = Head(files[CLINIC_ES]).alternates
    assert clinic["x-default"] == BASE_URL + CLINIC.removesuffix("index.html")  # the original


def test_the_switcher_leads_to_the_translation_or_to_that_languages_front_page(built: tuple) -> None:
    _, files = built
    assert Head(files[CLINIC]).switcher == {"es": "/digest/" + CLINIC_ES.removesuffix("index.html"),
                                             "ar": "/digest/" + _arabic_clinic(files).removesuffix("index.html")}
    consulate = Head(files["2024/12/sample-consulate-extends-hours/index.html"])
    assert consulate.switcher == {"es": "/digest/es/", "ar": "/digest/ar/"}
    assert "es" not in consulate.alternates  # no translation: no hreflang for it
    assert b'<a href="/digest/es/" lang="es" hreflang="es">Espa\xc3\xb1ol</a>' in files[
        "2024/12/sample-consulate-extends-hours/index.html"]


def test_sitemaps_per_language_carry_alternates(built: tuple) -> None:
    _, files = built
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9", "x": "http://www.w3.org/1999/xhtml"}
    index = [e.text for e in ElementTree.fromstring(files["sitemap.xml"]).findall("s:sitemap/s:loc", ns)]
    assert index == [BASE_URL + f"sitemap-{c}.xml" for c in ("en", "es", "ar")]
    spanish = ElementTree.fromstring(files["sitemap-es.xml"])
    entry = next(u for u in spanish.findall("s:url", ns) if u.find("s:loc", ns).text.endswith("clinica-legal/"))
    links = {link.get("hreflang"): link.get("href") for link in entry.findall("x:link", ns)}
    assert links["en"] == BASE_URL + CLINIC.removesuffix("index.html") and set(links) == {"en", "es", "ar"}
    locs = [u.find("s:loc", ns).text for u in spanish.findall("s:url", ns)]
    assert all(loc.startswith(BASE_URL + "es/") for loc in locs)


def test_dates_strings_and_tags_are_in_the_pages_language(built: tuple) -> None:
    _, files = built
    spanish = files[CLINIC_ES].decode()
    assert "2 de noviembre de 2024" in spanish and "Saltar al contenido principal" in spanish
    assert ">asistencia legal</a>" in spanish
    assert "Traducido por la redacción de prueba del original en inglés." in spanish
    arabic = files["ar/index.html"].decode()
    assert "٢ نوفمبر ٢٠٢٤" in arabic  # CLDR month name, Arabic-Indic digits
    assert "آخر الأخبار" in arabic and "Tags" in arabic  # a key the Arabic table lacks falls back
    assert "noviembre de 2024" in files["es/2024/11/index.html"].decode()


def test_missing_strings_and_translations_are_reported(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site")
    result = subprocess.run([sys.executable, str(REPO / "build.py"), "--root", str(site), "translations"],
                            capture_output=True, text=True, env={"SOURCE_DATE_EPOCH": str(int(NOW.timestamp())),
                                                                 "PATH": "/usr/bin:/bin"})
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert re.fullmatch(r"content/2024/consulate\.md\s+\(en\)\s+missing\s+missing\s*", lines[2]), lines
    assert re.fullmatch(r"content/2024/clinic\.md\s+\(en\)\s+translated\s+translated\s*", lines[1]), lines
    assert "layouts/i18n/ar.yaml lacks" in result.stdout and "nav_tags" in result.stdout
    assert "layouts/i18n/es.yaml" not in result.stdout  # the Spanish table is complete


def test_an_edited_original_makes_its_translation_stale_until_marked_current(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site", {k: v for k, v in ARTICLES.items() if "clinic." not in k or k.endswith("clinic.md")})
    cli = [sys.executable, str(REPO / "build.py"), "--root", str(site)]
    env = {"SOURCE_DATE_EPOCH": str(int(NOW.timestamp())), "PATH": "/usr/bin:/bin"}
    made = subprocess.run(cli + ["translate", "content/2024/clinic.md", "--lang", "es"], cwd=site,
                          capture_output=True, text=True)
    assert made.returncode == 0, made.stderr
    translation = site / "content/2024/clinic.es.md"
    text = translation.read_text(encoding="utf-8")
    assert "draft: true\noriginal_version: " in text and "tags: [legal aid, Examplecity]" in text
    translation.write_text(text.replace("draft: true\n", "").replace("title: Examplecity opens a legal clinic",
                                                                      "title: Una clínica"), encoding="utf-8")
    report, files = run(site)
    page = "es/2024/11/una-clinica/index.html"
    assert not report.site.stale and b'class="stale"' not in files[page]
    original = site / "content/2024/clinic.md"
    original.write_text(original.read_text(encoding="utf-8").replace("Tuesdays", "Wednesdays"), encoding="utf-8")
    report, files = run(site)
    assert report.site.stale == {"content/2024/clinic.es.md"}
    assert "El original se actualizó después de hacerse esta traducción." in files[page].decode()
    assert "translations: 5 missing, 1 stale" in report.summary()
    marked = subprocess.run(cli + ["translate", "--current", "content/2024/clinic.md"], cwd=site,
                            capture_output=True, text=True, env=env)
    assert marked.returncode == 0 and "2 translations now follow" in marked.stdout, marked.stderr
    report, files = run(site)
    assert not report.site.stale and b'class="stale"' not in files[page]


def test_every_link_resolves_under_a_sub_path(built: tuple) -> None:
    _, files = built
    assert broken_links(files, BASE_URL) == []


def _arabic_clinic(files: dict[str, bytes]) -> str:
    [page] = [p for p in files if p.startswith("ar/2024/11/") and p.count("/") == 4]
    return page


BAD = {
    "lang not in site.yaml": ({"content/2024/x.md": "---\ntitle: X\ndate: 2024-01-01\nlang: fr\n---\nText.\n"},
                              SITE, ["content/2024/x.md:4: lang: 'fr' is not a language of this site: add it under "
                                     "'languages:' in site.yaml, or use one of en, es, ar"]),
    "translation_of names no article": (
        {"content/2024/x.md": "---\ntitle: X\ndate: 2024-01-01\nlang: es\ntranslation_of: 2024/none.md\n---\nT.\n"},
        SITE, ["content/2024/x.md:5: translation_of: '2024/none.md' names no article in content/"]),
    "two translations in one language": (
        {"content/2024/a.md": "---\ntitle: A\ndate: 2024-01-01\n---\nT.\n",
         "content/2024/a.es.md": "---\ntitle: Uno\ndate: 2024-01-01\n---\nT.\n",
         "content/2024/b.md": "---\ntitle: Otro\ndate: 2024-01-01\nlang: es\ntranslation_of: 2024/a.md\n---\nT.\n"},
        SITE, ["content/2024/b.md: translates content/2024/a.md into es, which content/2024/a.es.md does too: "
               "keep one of them"]),
    "translation in the default language": (
        {"content/2024/a.md": "---\ntitle: A\ndate: 2024-01-01\nlang: es\n---\nT.\n",
         "content/2024/a.en.md": "---\ntitle: A\ndate: 2024-01-01\n---\nT.\n"},
        SITE, ["content/2024/a.en.md: is a translation into en, the default language: an original in en needs no "
               "translation_of"]),
    "translation of another kind": (
        {"content/2024/a.md": "---\ntitle: A\ndate: 2024-01-01\n---\nT.\n",
         "content/pages/b.md": "---\ntitle: B\ndate: 2024-01-01\nlang: es\ntranslation_of: 2024/a.md\n---\nT.\n"},
        SITE, ["content/pages/b.md:5: is a plain page, but its original content/2024/a.md is an article"]),
    "invalid language code": ({"content/2024/a.md": "---\ntitle: A\ndate: 2024-01-01\n---\nT.\n"},
                              SITE.replace("  ar: {title: ملخص تجريبي}\n", "  Spanish: {}\n"),
                              ["site.yaml:12: language: 'Spanish' is not a language code like 'es', 'ar' or 'pt-BR'"]),
}


@pytest.mark.parametrize("name", sorted(BAD))
def test_a_language_mistake_is_one_clear_line_and_output_is_kept(tmp_path: Path, name: str) -> None:
    articles, site_yaml, expected = BAD[name]
    good = make_site(tmp_path / "site", {"content/2024/ok.md": "---\ntitle: Ok\ndate: 2024-01-01\n---\nT.\n"})
    build(good, BuildOptions(now=NOW))
    before = snapshot(good / "output")
    for path in (good / "content").rglob("*.md"):
        path.unlink()
    (good / "site.yaml").write_text(site_yaml, encoding="utf-8")
    for path, text in articles.items():
        (good / path).parent.mkdir(parents=True, exist_ok=True)
        (good / path).write_text(textwrap.dedent(text), encoding="utf-8")
    result = subprocess.run([sys.executable, str(REPO / "build.py"), "--root", str(good)], capture_output=True,
                            text=True, env={"SOURCE_DATE_EPOCH": str(int(NOW.timestamp())), "PATH": "/usr/bin:/bin"})
    assert result.returncode == 1
    errors = [line.removeprefix("error: ") for line in result.stderr.splitlines() if line.startswith("error: ")]
    assert errors == expected
    assert "Traceback" not in result.stderr
    assert snapshot(good / "output") == before


def test_a_string_used_in_a_layout_but_missing_from_the_default_table_names_template_and_line(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site")
    layout = site / "layouts/tags.html"
    layout.write_text(layout.read_text(encoding="utf-8").replace('{{ t("tags_intro") }}', '{{ t("no_such_key") }}'),
                      encoding="utf-8")
    with pytest.raises(SiteError) as raised:
        build(site, BuildOptions(now=NOW))
    assert [str(p) for p in raised.value.problems] == [
        "layouts/tags.html:4: UndefinedError: 'no_such_key' is not in layouts/i18n/en.yaml: add it there"]


def test_a_language_without_cldr_month_names_takes_them_from_its_table(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site", {"content/2024/a.md": "---\ntitle: A\ndate: 2024-12-18\n---\nT.\n",
                                         "content/2024/a.ht.md": "---\ntitle: Yon tès\ndate: 2024-12-18\n---\nT.\n"},
                     SITE.replace("  ar: {title: ملخص تجريبي}\n", "  ht: {}\n"))
    with pytest.raises(SiteError) as raised:  # CLDR would say '2024 M12 18': never that
        build(site, BuildOptions(now=NOW))
    assert "layouts/i18n/ht.yaml: months: CLDR has no month names for Kreyòl Ayisyen" in str(raised.value)
    (site / "layouts/i18n/ht.yaml").write_text(
        "months: [janvye, fevriye, mas, avril, me, jen, jiyè, out, septanm, oktòb, novanm, desanm]\n",
        encoding="utf-8")
    _, files = run(site)
    page = files["ht/2024/12/yon-tes/index.html"].decode()
    assert "18 desanm 2024" in page and "M12" not in page
    assert "desanm 2024" in files["ht/2024/12/index.html"].decode()


def test_a_language_with_no_article_yet_keeps_the_same_feed_from_build_to_build(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site", {"content/2024/a.md": "---\ntitle: A\ndate: 2024-12-18\n---\nT.\n"})
    build(site, BuildOptions(now=NOW))
    first = (site / "output/es/feed.xml").read_bytes()
    build(site, BuildOptions(now=NOW.replace(day=20)))
    assert (site / "output/es/feed.xml").read_bytes() == first and b"<entry>" not in first
