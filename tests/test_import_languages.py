"""The importer in the site's other languages: Spanish, French, Portuguese and table-only datelines,
--lang, and the language a dateline's month name tells. Every text here is synthetic."""

from __future__ import annotations

import html
import re
import subprocess
import sys
import unicodedata
from pathlib import Path

import markdown
import pytest

from conftest import NOW, REPO, snapshot, write_site
from digest.config import Config, load_config
from digest.errors import SiteError
from digest.frontmatter import load_yaml, split_front_matter
from digest.importer import Draft, ImportOptions, RawTextError, import_articles, parse_raw

SITE_YAML = """\
title: Sample Digest
timezone: America/Denver
languages: {es: {}}
"""
MANY_YAML = SITE_YAML.replace("{es: {}}", "{es: {}, pt: {}, fr: {}}")

HEADLINE = "Ejemplópolis abre una clínica legal de muestra"
DATELINE = "EJEMPLÓPOLIS, 17 de diciembre de 2024 (Gaceta de Muestra) —"
LEDE = ("La clínica inventada de Ejemplópolis ofrece asesoría gratuita los martes. "
        "¿Quién puede ir? Cualquier familia de la ciudad ficticia.")
SECOND = ('Según la "Gaceta de Muestra", los abogados de prueba atienden en EE. UU. y en México -- '
          "sin cita previa... y con «intérprete».")
SPANISH = f"{HEADLINE}\n\n{DATELINE} {LEDE}\n\n{SECOND}\n"
NOTICE = "its dateline month 'diciembre' is Español: written with lang: es (pass --lang to choose another)"


@pytest.fixture
def site(tmp_path: Path) -> Config:
    return load_config(write_site(tmp_path / "site", {}, SITE_YAML))


@pytest.fixture
def many(tmp_path: Path) -> Config:
    return load_config(write_site(tmp_path / "many", {}, MANY_YAML))


def raw_file(config: Config, text: str, name: str = "raw.txt") -> Path:
    """A raw article in the site's sources/ folder."""
    path = config.root / "sources" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def parse(config: Config, dateline: str, **options: str) -> Draft:
    """The Draft of a one-line lede under this dateline, and a second paragraph."""
    return parse_raw(f"{dateline} {LEDE}\nSegundo párrafo.", ImportOptions(**options), config)


def split(text: str) -> tuple[dict, list[str]]:
    """(front matter, body paragraphs) of an article file, read as the build reads it."""
    parts = split_front_matter(text)
    assert parts is not None
    return load_yaml(parts[0]), parts[1].strip("\n").split("\n\n")


def rendered_paragraphs(article: str, config: Config) -> list[str]:
    """An article file's body as the site's Markdown shows it, as plain text."""
    body = article.split("\n---\n", 1)[1]
    rendered = markdown.markdown(body, extensions=list(config.markdown_extensions))
    return [html.unescape(p) for p in re.findall(r"<p>(.*?)</p>", rendered, re.DOTALL)]


# --- Spanish datelines --------------------------------------------------------------------------

@pytest.mark.parametrize("dateline, place, date", [
    ("EJEMPLÓPOLIS, 17 de diciembre de 2024 (Gaceta de Muestra) —", "Ejemplópolis", "2024-12-17"),
    ("EJEMPLÓPOLIS, 17 de diciembre del 2024 (Gaceta de Muestra) –", "Ejemplópolis", "2024-12-17"),
    ("EJEMPLÓPOLIS, 17 dic. 2024 (Gaceta de Muestra) -", "Ejemplópolis", "2024-12-17"),
    ("EJEMPLÓPOLIS, 17 Dic 2024 (Gaceta de Muestra) --", "Ejemplópolis", "2024-12-17"),
    ("EJEMPLÓPOLIS, 17 DE DICIEMBRE DE 2024 (Gaceta de Muestra) —", "Ejemplópolis", "2024-12-17"),
    ("EJEMPLÓPOLIS, 1.º de diciembre de 2024 (Gaceta de Muestra) —", "Ejemplópolis", "2024-12-01"),
    ("EJEMPLÓPOLIS, diciembre 17 de 2024 (Gaceta de Muestra) —", "Ejemplópolis", "2024-12-17"),
    ("CIUDAD DE EJEMPLO, Estado de Prueba, 9 de ene. de 2025 (Gaceta de Muestra) —",
     "Ciudad de Ejemplo, Estado de Prueba", "2025-01-09"),
])
def test_spanish_dateline_gives_place_date_source_and_language(site: Config, dateline: str, place: str,
                                                               date: str) -> None:
    draft = parse(site, dateline)
    assert (draft.dateline, draft.source, draft.date, draft.lang) == (place, "Gaceta de Muestra", date, "es")
    assert draft.paragraphs == (LEDE, "Segundo párrafo.")
    assert len(draft.notices) == 1 and "written with lang: es" in draft.notices[0]


def test_spanish_article_is_imported_as_published_with_its_language(site: Config) -> None:
    report = import_articles(site, [raw_file(site, SPANISH)], ImportOptions())
    assert report.summary() == "imported 1, unchanged 0, skipped 0, failed 0"
    assert [(w.path, w.message) for w in report.warnings] == [(str(site.root / "sources" / "raw.txt"), NOTICE)]
    [target] = report.imported
    text = target.read_text(encoding="utf-8")
    front, _ = split(text)
    assert (front["title"], front["date"], front["dateline"], front["source"], front["lang"]) == (
        HEADLINE, "2024-12-17", "Ejemplópolis", "Gaceta de Muestra", "es")
    assert front["summary"] == "La clínica inventada de Ejemplópolis ofrece asesoría gratuita los martes. " \
                               "¿Quién puede ir?"
    assert rendered_paragraphs(text, site) == [LEDE, SECOND]   # every word, quote and dash as published


def test_spanish_dateline_without_a_year_asks_for_the_date(site: Config) -> None:
    dateline = "CIUDAD DE EJEMPLO, 17 de diciembre (Gaceta de Muestra) —"
    with pytest.raises(RawTextError) as caught:
        parse(site, dateline)
    assert str(caught.value) == ("its dateline gives December 17 but no year: "
                                 "pass --date YYYY-12-17 with the right year")
    draft = parse(site, dateline, date="2024-12-17")
    assert (draft.dateline, draft.date, draft.lang) == ("Ciudad de Ejemplo", "2024-12-17", "es")


def test_a_month_the_default_language_shares_keeps_the_default(site: Config) -> None:
    shared = parse(site, "EJEMPLÓPOLIS, 17 de feb. de 2024 (Gaceta de Muestra) —")  # 'feb' is English too
    english = parse(site, "EL PASO, Texas, Dec. 18, 2024 (Border Report) –")
    assert (shared.date, shared.lang, shared.notices) == ("2024-02-17", "", ())
    assert (english.dateline, english.date, english.lang, english.notices) == (
        "El Paso, Texas", "2024-12-18", "", ())


# --- --lang -----------------------------------------------------------------------------------------

def test_lang_option_is_written_and_wins_over_the_month(site: Config) -> None:
    spanish = parse(site, DATELINE, lang="en")
    assert (spanish.date, spanish.lang, spanish.notices) == ("2024-12-17", "en", ())
    path = raw_file(site, "SAMPLETOWN, March 3, 2024 (Sample Wire) – Texto de muestra.\n")
    report = import_articles(site, [path], ImportOptions(lang="ES"))
    assert not report.warnings
    front, body = split(report.imported[0].read_text(encoding="utf-8"))
    assert (front["lang"], front["date"], body) == ("es", "2024-03-03", ["Texto de muestra."])


def test_unknown_lang_is_one_error_naming_the_sites_languages(site: Config) -> None:
    path = raw_file(site, SPANISH)
    with pytest.raises(SiteError) as caught:
        import_articles(site, [path], ImportOptions(lang="fr"))
    assert [(p.path, p.message) for p in caught.value.problems] == [
        ("--lang", "'fr' is not a language of this site: add it under 'languages:' in site.yaml "
                   "(languages now: en, es)")]
    assert not site.content_dir.exists()


# --- French, Portuguese, and months from layouts/i18n -------------------------------------------

@pytest.mark.parametrize("dateline, place, date, lang", [
    ("VILLE-EXEMPLE, 17 décembre 2024 (Journal Exemple) —", "Ville-Exemple", "2024-12-17", "fr"),
    ("VILLE-EXEMPLE, 1er déc. 2024 (Journal Exemple) —", "Ville-Exemple", "2024-12-01", "fr"),
    ("VILLE-EXEMPLE, 17 decembre 2024 (Journal Exemple) —", "Ville-Exemple", "2024-12-17", "fr"),
    (unicodedata.normalize("NFD", "VILLE-EXEMPLE, 17 DÉCEMBRE 2024 (Journal Exemple) —"), "Ville-Exemple",
     "2024-12-17", "fr"),                                                      # accents as combining marks
    ("CIDADE EXEMPLO, 17 de março de 2024 (Jornal Exemplo) —", "Cidade Exemplo", "2024-03-17", "pt"),
    ("CIDADE EXEMPLO, 17 de marco de 2024 (Jornal Exemplo) —", "Cidade Exemplo", "2024-03-17", "pt"),
    ("CIDADE EXEMPLO, 5 de dez. de 2024 (Jornal Exemplo) —", "Cidade Exemplo", "2024-12-05", "pt"),
    ("EJEMPLÓPOLIS, 17 de diciembre de 2024 (Jornal Exemplo) —", "Ejemplópolis", "2024-12-17", "es"),
])
def test_french_and_portuguese_datelines(many: Config, dateline: str, place: str, date: str, lang: str) -> None:
    draft = parse(many, dateline)
    assert (draft.dateline, draft.date, draft.lang, draft.paragraphs[0]) == (place, date, lang, LEDE)


def test_a_month_two_other_languages_share_keeps_the_default_and_says_so(many: Config) -> None:
    dateline = "CIDADE EXEMPLO, 17 de abril de 2024 (Jornal Exemplo) —"
    draft = parse(many, dateline)
    assert (draft.date, draft.lang) == ("2024-04-17", "")
    assert draft.notices == ("its dateline month 'abril' could be es or pt: written in the default language, en "
                             "(pass --lang to choose)",)
    assert (parse(many, dateline, lang="pt").lang, parse(many, dateline, lang="pt").notices) == ("pt", ())


def test_months_listed_in_layouts_i18n_are_read(tmp_path: Path) -> None:
    root = write_site(tmp_path / "site", {}, SITE_YAML.replace("{es: {}}", "{ht: {}}"))
    (root / "layouts" / "i18n" / "ht.yaml").write_text(
        "months: [janvye, fevriye, mas, avril, me, jen, jiyè, out, septanm, oktòb, novanm, desanm]\n",
        encoding="utf-8")
    draft = parse(load_config(root), "VIL EGZANP, 17 desanm 2024 (Jounal Egzanp) —")
    assert (draft.dateline, draft.source, draft.date, draft.lang) == ("Vil Egzanp", "Jounal Egzanp",
                                                                      "2024-12-17", "ht")


def test_a_name_that_is_a_different_month_in_two_languages_needs_lang(tmp_path: Path) -> None:
    config = load_config(write_site(tmp_path / "site", {}, SITE_YAML.replace("{es: {}}", "{cs: {}, hr: {}}")))
    dateline = "MESTO, 5 listopad 2024 (Vzorovy list) —"       # November in Czech, October in Croatian
    with pytest.raises(RawTextError) as caught:
        parse(config, dateline)
    assert str(caught.value) == ("its dateline month 'listopad' is a different month in cs, hr: "
                                 "pass --lang or --date YYYY-MM-DD")
    assert (parse(config, dateline, lang="hr").date, parse(config, dateline, lang="cs").date) == (
        "2024-10-05", "2024-11-05")


# --- the command line, and the build --------------------------------------------------------------

def test_import_command_reads_the_language_and_the_page_is_built_under_it(site: Config) -> None:
    path = raw_file(site, SPANISH)
    env = {"SOURCE_DATE_EPOCH": str(int(NOW.timestamp())), "PATH": "/usr/bin:/bin"}
    command = [sys.executable, str(REPO / "build.py"), "--root", str(site.root)]
    wrong = subprocess.run(command + ["import", str(path), "--lang", "fr"], capture_output=True, text=True, env=env)
    assert wrong.returncode == 1
    assert wrong.stderr.splitlines()[0] == ("error: --lang: 'fr' is not a language of this site: add it under "
                                            "'languages:' in site.yaml (languages now: en, es)")
    imported = subprocess.run(command + ["import", str(path)], capture_output=True, text=True, env=env)
    assert imported.returncode == 0, imported.stderr
    assert imported.stderr.splitlines() == [f"warning: {path}: {NOTICE}"]
    built = subprocess.run(command, capture_output=True, text=True, env=env)
    assert built.returncode == 0, built.stderr
    pages = [k for k in snapshot(site.root / "output") if k.startswith("es/2024/12/") and k.count("/") == 4]
    assert pages == ["es/2024/12/ejemplopolis-abre-una-clinica-legal-de-muestra/index.html"]
