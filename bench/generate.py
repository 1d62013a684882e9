#!/usr/bin/env python3
"""Deterministic synthetic corpus for benchmarks: `python bench/generate.py N DEST [--seed S]`.

Every article is clearly made up: fictional places ("Examplecity"), fictional public services,
no real people, no real news and no quotation attributed to anyone. The same N and seed give
byte-identical files. Only the standard library is used, so the corpus can be made anywhere.
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
            owner = f"{place}'s {service}" if rng.random() < 0.3 else f"{place} {service}"
            title = f"{owner} {rng.choice(ACTIONS)} {rng.choice(DETAILS)}"
            if attempt == 49:
                title += f" (notice {len(articles) + 1})"
            slug = slug_of(title)
            if slug not in used:
                break
        used.add(slug)
        # Hours 6-21 avoid the night hours a daylight-saving change skips or repeats.
        when = FIRST_DAY + timedelta(days=rng.randint(0, span), hours=rng.randint(6, 21),
                                     minutes=rng.randint(0, 59))
        tags = tuple(rng.sample(TAGS, rng.randint(1, 4)))
        summary = f"{title}: what visitors need to know."
        articles.append(SyntheticArticle(slug, title, when, tags, summary, _body(rng, place, service)))
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


def prepare_folder(dest: Path) -> None:
    """Make dest ready for a generated site, refusing any non-empty folder we did not make."""
    if dest.exists() and any(dest.iterdir()) and not (dest / MARKER).is_file():
        raise SystemExit(f"{dest} is not empty and was not made by bench/generate.py: choose another folder")
    dest.mkdir(parents=True, exist_ok=True)
    (dest / MARKER).write_text("made by bench/generate.py; rewritten on every run\n", encoding="utf-8")


def write_site(articles: list[SyntheticArticle], dest: Path, repo: Path = REPO) -> None:
    """Write a buildable site: site.yaml, layouts/ and static/ from the repo, and content/."""
    prepare_folder(dest)
    for folder in ("content", "layouts", "static", "output", ".cache"):
        shutil.rmtree(dest / folder, ignore_errors=True)
    shutil.copyfile(repo / "site.yaml", dest / "site.yaml")
    shutil.copytree(repo / "layouts", dest / "layouts")
    shutil.copytree(repo / "static", dest / "static")
    for article in articles:
        path = dest / article.source
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("w", encoding="utf-8", newline="\n") as f:
            f.write(article_text(article))


def edit_article(path: Path, number: int) -> str:
    """Append one sentence to an article's body, as an editor would; returns the sentence."""
    sentence = f"Benchmark edit {number} adds this line about the Examplecity help desk."
    with path.open("a", encoding="utf-8", newline="\n") as f:
        f.write(f"\n{sentence}\n")
    return sentence


def main(argv: list[str] | None = None) -> int:
    """Generate N articles into DEST."""
    parser = argparse.ArgumentParser(description="Write a synthetic benchmark site.")
    parser.add_argument("count", type=int, help="number of articles")
    parser.add_argument("dest", type=Path, help="site folder to (re)write")
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    args = parser.parse_args(argv)
    if args.count < 1:
        parser.error("N must be at least 1")
    write_site(make_articles(args.count, args.seed), args.dest)
    print(f"wrote {args.count} articles to {args.dest / 'content'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
