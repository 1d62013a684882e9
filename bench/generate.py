#!/usr/bin/env python3
"""Deterministic synthetic corpus for benchmarks:
`python bench/generate.py N DEST [--seed S] [--translations es]`.

Every article is clearly made up: fictional places ("Examplecity"), fictional public services,
no real people, no real news and no quotation attributed to anyone. The same N and seed give
byte-identical files. Only the standard library is used, so the corpus can be made anywhere.

With `--translations es`, every article also gets a Spanish version `name.es.md` beside it
(made-up Spanish sentences of about the same length, no tags line, so it carries the
original's tags) and site.yaml lists Spanish under `languages:`.
"""

from __future__ import annotations

import argparse
import random
import re
import shutil
import sys
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
MARKER = ".bench-site"  # written into every generated site; only such a folder is ever rewritten
FIRST_DAY = datetime(2020, 1, 1)
LAST_DAY = datetime(2024, 12, 31)

PLACES = ("Examplecity", "Sampletown", "North Testford", "Demoville", "Mockport",
          "Placeholder Valley", "Lorem Heights", "Fictiva Bay", "San Ejemplo", "Musterstadt-Süd",
          "Villa Muestra", "Testbourg")
SERVICES = ("legal clinic", "community library", "health centre", "language school", "housing office",
            "job centre", "family help desk", "consular office", "transit service", "food bank",
            "tenant union", "school board", "youth club", "adult learning centre", "civic helpline",
            "welcome centre")
ACTIONS = ("extends", "updates", "reviews", "publishes", "simplifies", "expands", "moves", "renames",
           "pilots", "pauses", "restores", "shares", "opens", "schedules", "improves", "translates",
           "reorganises", "announces", "tests", "closes")
DETAILS = ("its evening hours", "the appointment form", "weekend drop-in sessions", "a guide to its forms",
           "the waiting-room layout", "its phone menu", "a new sign-up page", "the annual service report",
           "its mobile visits", "the interpreter rota", "a checklist for first visits",
           "its opening calendar", "the document scanner", "a plain-language glossary")
# About sixty tags; a third carry accents or letters that slugs must fold.
TAGS = ("legal aid", "housing", "health", "education", "work", "family", "transport", "libraries",
        "language classes", "food support", "youth", "seniors", "childcare", "disability access",
        "digital skills", "consulates", "documents", "interpreters", "volunteering", "community events",
        "public transit", "tenants", "employment", "training", "culture", "sports", "parks", "safety",
        "weather notices", "opening hours",
        "Migración", "Asistencia jurídica", "Zürich services", "Educación", "Vivienda", "Salud pública",
        "Información", "Orientación laboral", "Atención al público", "Guía práctica", "Señalización",
        "Niñez", "Café comunitario", "Sécurité", "Santé", "Éducation populaire", "Bibliothèque",
        "Médiation", "Intégration", "Égalité", "Ausländerbehörde", "Beratung für Familien",
        "Straßenbahn", "Gemeindezentrum", "Öffnungszeiten", "Übersetzung", "Bürgerbüro",
        "São Exemplo services", "Kraków desk", "Århus hub")
HEADINGS = ("What changes", "Who can use the service", "How to book", "Opening hours",
            "Documents to bring", "Where to find help", "Background", "Next steps", "Accessibility",
            "Questions people ask", "Costs", "Languages offered")
DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday")
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
          "October", "November", "December")
DOCUMENTS = ("proof of address", "library card", "appointment letter", "residence card", "tenancy agreement",
             "school report", "bank statement", "health card")
TERMS = ("preferred language", "first visit", "quick question", "call me back", "bring a friend",
         "easy read", "walk-in", "paper copy")
ITEMS = ("reception desk", "booking page", "printed leaflet", "waiting list", "help line", "reading room",
         "notice board", "evening session")
DOINGS = ("book an appointment", "ask for an interpreter", "renew a card", "change a booking",
          "collect a letter", "join the waiting list", "leave a message", "print a form")

# Sentence templates: straight quotes, apostrophes, -- and ... give the typographer work; links
# point to example.org outside the benchmark site's base path, so the link checker skips them.
SENTENCES = (
    "The {service} in {place} is open from {hour} to {hour2} on {day}s.",
    "The {service}'s {item} now lists every step in plain language.",
    "People who want to {doing} can do it at the {item} or on [the service page]({link}).",
    "Nobody needs a {document} for a first conversation, and it's free.",
    "The form has a new \"{term}\" box, which the team added after a round of feedback.",
    "The change is small -- one line on the {item} -- but it saves a second visit.",
    "From {month}, the {service} will let people {doing} on {day} evenings as well.",
    "A short guide explains what to bring: a {document}, a pen and *some patience*.",
    "The {item} at the {service} is **step-free**, and the lift works again.",
    "Staff say the \"{term}\" option is the one most visitors pick.",
    "There's no need to call ahead; the {item} takes names until {hour2}.",
    "The {place} {service} doesn't share anyone's details with other offices.",
    "Opening times for {month} are on [the calendar]({link}), which is updated each week.",
    "Visitors can {doing}, ask about the {item}, or simply wait... the queue moves quickly.",
    "The council's notice calls this a \"{term}\" arrangement, meant for short visits.",
    "A volunteer at the {item} can help people {doing} in about ten minutes.",
    "The {service} keeps a paper copy of the guide for those who don't use the web.",
    "Each {day}, the {service} runs a *quiet hour* with fewer people and softer lights.",
    "Prices stay the same: the {service}'s basic advice costs nothing.",
    "The {item} moves to the ground floor of the {place} town hall in {month}.",
)
LIST_ITEMS = (
    "Bring a {document} if you have one.",
    "Tick the \"{term}\" box on the form.",
    "Ask at the {item} if you're not sure where to go.",
    "Check [the {service} page]({link}) before you travel.",
    "Arrive ten minutes early on {day}s -- the queue is longer.",
    "Use the {item} to {doing}.",
    "Write down your question; it's quicker that way.",
    "Keep the *reference number* from your letter.",
    "Come back on {day} if the {item} is full.",
    "Call the help line between {hour} and {hour2}.",
)


@dataclass(frozen=True, slots=True)
class SyntheticArticle:
    """One generated article: its front matter values and its Markdown body."""

    slug: str
    title: str
    when: datetime  # naive: the site's time zone
    tags: tuple[str, ...]
    summary: str
    body: str
    # What the title was made of, for its translations: place, service, action, detail,
    # 'possessive' or '', and the notice number added to a title that repeated (0: none).
    parts: tuple[str, str, str, str, str, int] = ("", "", "", "", "", 0)

    @property
    def source(self) -> str:
        """The file's path relative to the site root."""
        return f"content/{self.when.year:04d}/{self.slug}.md"


def slug_of(text: str, max_length: int = 80) -> str:
    """An ASCII slug the way the engine makes one (accents folded, cut at a word boundary)."""
    folded = "".join(c for c in unicodedata.normalize("NFKD", text.replace("ß", "ss"))
                     if not unicodedata.combining(c))
    slug = re.sub(r"[^a-z0-9]+", "-", folded.lower()).strip("-")
    if len(slug) > max_length:
        slug = slug[:max_length].rsplit("-", 1)[0]
    return slug


def _fill(template: str, rng: random.Random, place: str, service: str) -> str:
    hour = rng.randint(7, 11)
    return template.format(
        place=place, service=service, day=rng.choice(DAYS), month=rng.choice(MONTHS),
        hour=f"{hour}:00", hour2=f"{hour + rng.randint(6, 9)}:30", item=rng.choice(ITEMS),
        doing=rng.choice(DOINGS), document=rng.choice(DOCUMENTS),
        term=rng.choice(TERMS),
        link=f"https://example.org/{slug_of(place)}/{slug_of(service)}/{rng.randint(1, 400)}/")


def _paragraph(rng: random.Random, place: str, service: str, sentences: int) -> str:
    return " ".join(_fill(rng.choice(SENTENCES), rng, place, service) for _ in range(sentences))


def _list(rng: random.Random, place: str, service: str, numbered: bool) -> str:
    items = rng.sample(LIST_ITEMS, rng.randint(3, 5))
    return "\n".join(f"{f'{i}.' if numbered else '-'} {_fill(item, rng, place, service)}"
                     for i, item in enumerate(items, 1))


def _body(rng: random.Random, place: str, service: str) -> str:
    """About 600 words: an introduction, then three or four sections with lists."""
    target = rng.randint(570, 630)
    headings = rng.sample(HEADINGS, rng.randint(3, 4))
    blocks = [_paragraph(rng, place, service, rng.randint(3, 5))]
    for number, heading in enumerate(headings):
        blocks.append(f"## {heading}")
        blocks.append(_paragraph(rng, place, service, rng.randint(2, 4)))
        if number == 0 or (number > 1 and rng.random() < 0.4):
            blocks.append(_list(rng, place, service, numbered=False))
        elif number == 1:
            blocks.append(_list(rng, place, service, numbered=True))
    # Top up the last section until the article reaches its length.
    while sum(len(block.split()) for block in blocks) < target:
        blocks.append(_paragraph(rng, place, service, rng.randint(3, 5)))
    return "\n\n".join(blocks) + "\n"


def make_articles(count: int, seed: int = 1) -> list[SyntheticArticle]:
    """`count` synthetic articles, the same for the same count and seed."""
    rng = random.Random(seed)
    span = (LAST_DAY - FIRST_DAY).days
    used: set[str] = set()
    articles: list[SyntheticArticle] = []
    for _ in range(count):
        for attempt in range(50):
            place, service = rng.choice(PLACES), rng.choice(SERVICES)
            possessive = rng.random() < 0.3
            owner = f"{place}'s {service}" if possessive else f"{place} {service}"
            action, detail = rng.choice(ACTIONS), rng.choice(DETAILS)
            title = f"{owner} {action} {detail}"
            notice = len(articles) + 1 if attempt == 49 else 0
            if notice:
                title += f" (notice {notice})"
            slug = slug_of(title)
            if slug not in used:
                break
        used.add(slug)
        # Hours 6-21 avoid the night hours a daylight-saving change skips or repeats.
        when = FIRST_DAY + timedelta(days=rng.randint(0, span), hours=rng.randint(6, 21),
                                     minutes=rng.randint(0, 59))
        tags = tuple(rng.sample(TAGS, rng.randint(1, 4)))
        summary = f"{title}: what visitors need to know."
        parts = (place, service, action, detail, "possessive" if possessive else "", notice)
        articles.append(SyntheticArticle(slug, title, when, tags, summary, _body(rng, place, service), parts))
    return articles


def yaml_string(text: str) -> str:
    """A double-quoted YAML scalar."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def article_text(article: SyntheticArticle) -> str:
    """The article as a file of the digest: front matter between '---' lines, then Markdown."""
    return (f"---\ntitle: {yaml_string(article.title)}\n"
            f"date: {article.when:%Y-%m-%d %H:%M}\n"
            f"tags: [{', '.join(article.tags)}]\n"
            f"summary: {yaml_string(article.summary)}\n---\n{article.body}")


# ---------------------------------------------------------------- Spanish versions

LANGUAGES = {"es": "  es: {name: Español, title: Resumen sintético de servicios, "
                   "description: Noticias inventadas sobre servicios ficticios para medir el generador.}\n"}
# The article ("el"/"la") is part of each Spanish noun, so "de el" can become "del".
SERVICES_ES = {
    "legal clinic": "la clínica jurídica", "community library": "la biblioteca comunitaria",
    "health centre": "el centro de salud", "language school": "la escuela de idiomas",
    "housing office": "la oficina de vivienda", "job centre": "la oficina de empleo",
    "family help desk": "el punto de ayuda a familias", "consular office": "la oficina consular",
    "transit service": "el servicio de transporte", "food bank": "el banco de alimentos",
    "tenant union": "el sindicato de inquilinos", "school board": "el consejo escolar",
    "youth club": "el club juvenil", "adult learning centre": "el centro de formación de adultos",
    "civic helpline": "la línea de atención ciudadana", "welcome centre": "el centro de acogida"}
ACTIONS_ES = {
    "extends": "amplía", "updates": "actualiza", "reviews": "revisa", "publishes": "publica",
    "simplifies": "simplifica", "expands": "extiende", "moves": "traslada", "renames": "renombra",
    "pilots": "pone a prueba", "pauses": "suspende", "restores": "restablece", "shares": "comparte",
    "opens": "abre", "schedules": "programa", "improves": "mejora", "translates": "traduce",
    "reorganises": "reorganiza", "announces": "anuncia", "tests": "ensaya", "closes": "cierra"}
DETAILS_ES = {
    "its evening hours": "su horario de tarde", "the appointment form": "el formulario de citas",
    "weekend drop-in sessions": "las sesiones sin cita del fin de semana",
    "a guide to its forms": "una guía de sus formularios",
    "the waiting-room layout": "la distribución de la sala de espera", "its phone menu": "su menú telefónico",
    "a new sign-up page": "una nueva página de inscripción",
    "the annual service report": "el informe anual del servicio", "its mobile visits": "sus visitas móviles",
    "the interpreter rota": "el turno de intérpretes",
    "a checklist for first visits": "una lista de comprobación para primeras visitas",
    "its opening calendar": "su calendario de apertura", "the document scanner": "el escáner de documentos",
    "a plain-language glossary": "un glosario en lenguaje claro"}
HEADINGS_ES = ("Qué cambia", "Quién puede usar el servicio", "Cómo reservar", "Horario", "Documentos que llevar",
               "Dónde encontrar ayuda", "Contexto", "Próximos pasos", "Accesibilidad", "Preguntas frecuentes",
               "Costes", "Idiomas disponibles")
DAYS_ES = ("lunes", "martes", "miércoles", "jueves", "viernes", "sábado")
MONTHS_ES = ("enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre", "octubre",
             "noviembre", "diciembre")
DOCUMENTS_ES = ("un justificante de domicilio", "un carné de biblioteca", "una carta de cita",
                "una tarjeta de residencia", "un contrato de alquiler", "un informe escolar", "un extracto bancario",
                "una tarjeta sanitaria")
TERMS_ES = ("idioma preferido", "primera visita", "pregunta rápida", "llámenme", "vengo acompañado", "lectura fácil",
            "sin cita", "copia en papel")
ITEMS_ES = ("el mostrador de recepción", "la página de reservas", "el folleto impreso", "la lista de espera",
            "la línea de ayuda", "la sala de lectura", "el tablón de anuncios", "la sesión de tarde")
DOINGS_ES = ("pedir una cita", "solicitar un intérprete", "renovar una tarjeta", "cambiar una reserva",
             "recoger una carta", "apuntarse a la lista de espera", "dejar un mensaje", "imprimir un formulario")
SENTENCES_ES = (
    "{Service} de {place} abre de {hour} a {hour2} cada {day}.",
    "{Item} {de_service} explica ahora cada paso en lenguaje claro.",
    "Quien quiera {doing} puede hacerlo en {item} o en [la página del servicio]({link}).",
    "Nadie necesita {document} para una primera conversación, y es gratis.",
    "El formulario tiene una nueva casilla \"{term}\", que el equipo añadió tras una ronda de comentarios.",
    "El cambio es pequeño -- una línea en {item} -- pero ahorra una segunda visita.",
    "Desde {month}, {service} permitirá {doing} también la tarde del {day}.",
    "Una guía breve explica qué llevar: {document}, un bolígrafo y *algo de paciencia*.",
    "{Item} {de_service} es **accesible sin escalones**, y el ascensor vuelve a funcionar.",
    "El personal dice que la opción \"{term}\" es la que más eligen quienes visitan el servicio.",
    "No hace falta llamar antes; {item} apunta nombres hasta las {hour2}.",
    "{Service} de {place} no comparte los datos de nadie con otras oficinas.",
    "El horario de {month} está en [el calendario]({link}), que se actualiza cada semana.",
    "Se puede {doing}, preguntar por {item} o simplemente esperar... la cola avanza rápido.",
    "El aviso municipal llama a esto un acuerdo \"{term}\", pensado para visitas cortas.",
    "Una persona voluntaria en {item} ayuda a {doing} en unos diez minutos.",
    "{Service} guarda una copia en papel de la guía para quien no usa la web.",
    "Cada {day}, {service} ofrece una *hora tranquila* con menos gente y luces más suaves.",
    "Los precios no cambian: el asesoramiento básico {de_service} no cuesta nada.",
    "{Item} se traslada a la planta baja del ayuntamiento de {place} en {month}.",
)
LIST_ITEMS_ES = (
    "Lleve {document}, si es posible.",
    "Marque la casilla \"{term}\" en el formulario.",
    "Pregunte en {item} si no sabe adónde ir.",
    "Consulte [la página {de_service}]({link}) antes de desplazarse.",
    "Llegue diez minutos antes el {day} -- la cola es más larga.",
    "Use {item} para {doing}.",
    "Escriba su pregunta; así es más rápido.",
    "Guarde el *número de referencia* de su carta.",
    "Vuelva el {day} si no queda sitio en {item}.",
    "Llame a la línea de ayuda entre las {hour} y las {hour2}.",
)


@dataclass(frozen=True, slots=True)
class SyntheticTranslation:
    """The version of a synthetic article in another language, beside it as `name.<lang>.md`."""

    original: SyntheticArticle
    lang: str
    title: str
    slug: str      # '' when the engine's slug of the title is unique; else written as `slug:`
    summary: str
    body: str

    @property
    def source(self) -> str:
        return self.original.source.removesuffix(".md") + f".{self.lang}.md"


def _of(noun: str) -> str:
    """'de' before a Spanish noun with its article: 'del centro', 'de la clínica'."""
    return "del " + noun[3:] if noun.startswith("el ") else "de " + noun


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _fill_es(template: str, rng: random.Random, place: str, service: str) -> str:
    hour = rng.randint(7, 11)
    item = rng.choice(ITEMS_ES)
    return template.format(
        place=place, service=service, Service=_capital(service), de_service=_of(service),
        day=rng.choice(DAYS_ES), month=rng.choice(MONTHS_ES), hour=f"{hour}:00",
        hour2=f"{hour + rng.randint(6, 9)}:30", item=item, Item=_capital(item), doing=rng.choice(DOINGS_ES),
        document=rng.choice(DOCUMENTS_ES), term=rng.choice(TERMS_ES),
        link=f"https://example.org/es/{slug_of(place)}/{slug_of(service)}/{rng.randint(1, 400)}/")


def _body_es(rng: random.Random, place: str, service: str) -> str:
    """About 600 words, shaped like _body: an introduction, then sections with lists."""
    def paragraph(sentences: int) -> str:
        return " ".join(_fill_es(rng.choice(SENTENCES_ES), rng, place, service) for _ in range(sentences))

    def bullets(numbered: bool) -> str:
        items = rng.sample(LIST_ITEMS_ES, rng.randint(3, 5))
        return "\n".join(f"{f'{i}.' if numbered else '-'} {_fill_es(item, rng, place, service)}"
                         for i, item in enumerate(items, 1))

    target = rng.randint(570, 630)
    blocks = [paragraph(rng.randint(3, 5))]
    for number, heading in enumerate(rng.sample(HEADINGS_ES, rng.randint(3, 4))):
        blocks.append(f"## {heading}")
        blocks.append(paragraph(rng.randint(2, 4)))
        if number == 0 or (number > 1 and rng.random() < 0.4):
            blocks.append(bullets(numbered=False))
        elif number == 1:
            blocks.append(bullets(numbered=True))
    while sum(len(block.split()) for block in blocks) < target:
        blocks.append(paragraph(rng.randint(3, 5)))
    return "\n\n".join(blocks) + "\n"


def make_translations(articles: list[SyntheticArticle], lang: str = "es", seed: int = 1
                      ) -> list[SyntheticTranslation]:
    """A Spanish version of every article, the same for the same articles and seed."""
    if lang != "es":
        raise ValueError(f"no synthetic text for '{lang}': only 'es' is available")
    used: set[str] = set()
    translations = []
    for index, article in enumerate(articles):
        place, service, action, detail, possessive, notice = article.parts
        # One generator per article, seeded by text (stable across Python runs and versions).
        rng = random.Random(f"{seed}/{lang}/{index}")
        service_es = SERVICES_ES[service]
        what = f"{ACTIONS_ES[action]} {DETAILS_ES[detail]}"
        title = f"En {place}, {service_es} {what}" if possessive else f"{_capital(service_es)} de {place} {what}"
        if notice:
            title += f" (aviso {notice})"
        slug = slug_of(title)
        if slug in used:  # two titles the same up to the slug's cut: number the second
            slug = f"{slug}-{index + 1}"
        used.add(slug)
        translations.append(SyntheticTranslation(
            article, lang, title, "" if slug == slug_of(title) else slug,
            f"{title}: lo que conviene saber antes de ir.", _body_es(rng, place, service_es)))
    return translations


def translation_text(translation: SyntheticTranslation) -> str:
    """A translation's file: no tags line (it carries its original's) and no original_version."""
    slug = f"slug: {translation.slug}\n" if translation.slug else ""
    return (f"---\ntitle: {yaml_string(translation.title)}\n"
            f"date: {translation.original.when:%Y-%m-%d %H:%M}\n{slug}"
            f"summary: {yaml_string(translation.summary)}\n---\n{translation.body}")


def prepare_folder(dest: Path) -> None:
    """Make dest ready for a generated site, refusing any non-empty folder we did not make."""
    if dest.exists() and any(dest.iterdir()) and not (dest / MARKER).is_file():
        raise SystemExit(f"{dest} is not empty and was not made by bench/generate.py: choose another folder")
    dest.mkdir(parents=True, exist_ok=True)
    (dest / MARKER).write_text("made by bench/generate.py; rewritten on every run\n", encoding="utf-8")


def without_languages(settings: str) -> str:
    """The repo's site.yaml without its `languages:` block: a corpus is monolingual unless
    --translations says otherwise, whatever languages the digest itself is published in."""
    return re.sub(r"^languages\s*:.*\n(?:(?:[ \t]+.*|[ \t]*)\n)*", "", settings, flags=re.MULTILINE)


def write_site(articles: list[SyntheticArticle], dest: Path, repo: Path = REPO,
               translations: list[SyntheticTranslation] = ()) -> None:
    """Write a buildable site: site.yaml, layouts/ (with their i18n tables) and static/ from the
    repo, and content/; with translations, site.yaml lists their languages."""
    prepare_folder(dest)
    for folder in ("content", "layouts", "static", "output", ".cache"):
        shutil.rmtree(dest / folder, ignore_errors=True)
    settings = without_languages((repo / "site.yaml").read_text(encoding="utf-8"))
    languages = sorted({t.lang for t in translations})
    if languages:
        settings = settings.rstrip("\n") + "\n# Added by bench/generate.py --translations\nlanguages:\n" + \
            "".join(LANGUAGES[code] for code in languages)
    (dest / "site.yaml").write_text(settings, encoding="utf-8", newline="\n")
    shutil.copytree(repo / "layouts", dest / "layouts")
    shutil.copytree(repo / "static", dest / "static")
    files = [(a.source, article_text(a)) for a in articles]
    files += [(t.source, translation_text(t)) for t in translations]
    for source, text in files:
        path = dest / source
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("w", encoding="utf-8", newline="\n") as f:
            f.write(text)


def edit_article(path: Path, number: int) -> str:
    """Append one sentence to an article's body, as an editor would; returns the sentence."""
    sentence = f"Benchmark edit {number} adds this line about the Examplecity help desk."
    with path.open("a", encoding="utf-8", newline="\n") as f:
        f.write(f"\n{sentence}\n")
    return sentence


def edit_summary(path: Path, number: int) -> str:
    """Rewrite an article's front matter summary, which its lists, feeds and head show; returns it."""
    summary = f"Benchmark summary {number} of this synthetic article."
    lines = path.read_text(encoding="utf-8").split("\n")
    at = next(i for i, line in enumerate(lines) if line.startswith("summary:"))
    lines[at] = f"summary: {yaml_string(summary)}"
    path.write_text("\n".join(lines), encoding="utf-8", newline="\n")
    return summary


def main(argv: list[str] | None = None) -> int:
    """Generate N articles into DEST."""
    parser = argparse.ArgumentParser(description="Write a synthetic benchmark site.")
    parser.add_argument("count", type=int, help="number of articles")
    parser.add_argument("dest", type=Path, help="site folder to (re)write")
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    parser.add_argument("--translations", choices=sorted(LANGUAGES), default=None, metavar="LANG",
                        help="also write a version of every article in LANG (only 'es'), as name.LANG.md, "
                             "and list LANG under languages: in site.yaml")
    args = parser.parse_args(argv)
    if args.count < 1:
        parser.error("N must be at least 1")
    articles = make_articles(args.count, args.seed)
    translations = make_translations(articles, args.translations, args.seed) if args.translations else []
    write_site(articles, args.dest, translations=translations)
    also = f" and {len(translations)} translations into {args.translations}" if translations else ""
    print(f"wrote {args.count} articles{also} to {args.dest / 'content'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
