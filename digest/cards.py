"""Share cards: the 1200×630 image that og:image names, for every article, plain page and
language. An article with a lead photo shares that photo cropped (a JPEG); any other gets a card
drawn with Pillow (headline, site name, date) in its language and script, right to left
included, saved as a 16-colour PNG: flat colours and text are a third of the JPEG's bytes
(about 15 KB against 48 KB) and stay sharp. Cards are kept in .cache/images/cards/ by
everything they show, under 100 KB each."""

from __future__ import annotations

import functools
import hashlib
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping

from .config import Config
from .content import Article
from .encode import Generated
from .errors import SiteError
from .files import write_atomic
from .fonts import find_fonts
from .i18n import Strings
from .parallel import parallel_map

CARD_VERSION = "3"
WIDTH, HEIGHT = 1200, 630
MAX_BYTES = 100 * 1024
DRAWN_COLOURS = 16    # paper, ink, accent and the anti-aliased edges between them
ACCENT_HEIGHT = 14    # the accent bar along the top
FOLDER = "images/cards/"
INK, PAPER, ACCENT = (255, 255, 255), (23, 55, 94), (242, 183, 5)


@dataclass(frozen=True, slots=True)
class CardJob:
    """What one card shows: a photo to crop, or the texts to draw."""

    name: str                 # output path
    key: str
    photo: str = ""           # the lead photo's source file
    headline: str = ""
    site: str = ""
    date: str = ""
    rtl: bool = False
    lang: str = "en"


class Unmade:
    """Drawn cards named in the plan whose files are not made yet (make_cards(later=True)): a
    build draws them after its pages, one at a time while Pagefind leaves a core idle, then the
    rest on every core. Each is written into the cache, where the plan's Generated file points."""

    def __init__(self, jobs: list[CardJob], fonts: tuple[Path, Path], cache: Path):
        self.jobs, self.fonts, self.cache = jobs, fonts, cache
        self.names = frozenset(job.name for job in jobs)   # their output paths

    def draw_one(self) -> bool:
        """Draw one card, if any is left; whether one was."""
        if not self.jobs:
            return False
        self._write(self.jobs.pop())
        return True

    def draw(self, workers: int) -> None:
        """Draw every card left, on every core."""
        jobs, self.jobs = self.jobs, []
        # Each worker writes its cards into the cache itself: only names come back, so no card's
        # bytes wait in a pipe or in this process.
        for _ in parallel_map(self._write, jobs, workers, 8):
            pass

    def _write(self, job: CardJob) -> None:
        write_atomic(self.cache / _cached(job), draw(job, self.fonts))


@dataclass(frozen=True, slots=True)
class Cards:
    """The share cards of a site: per article source and per language, and their files."""

    articles: Mapping[str, tuple[str, str]]      # article source -> (card's output path, alt text)
    site_cards: Mapping[str, str]                # language code -> its site card's output path
    files: Mapping[str, Generated]
    unmade: Unmade | None = None                 # cards not drawn yet (make_cards(later=True))

    def articles_files(self, source: str) -> dict[str, Generated]:
        """The card file of one article."""
        name = self.articles.get(source, ("", ""))[0]
        return {name: self.files[name]} if name in self.files else {}

    def head_image(self, article: Article) -> tuple[str, str]:
        """(og:image path, alt text) for an article's page."""
        return self.articles.get(article.source, ("", ""))

    def with_card(self, made: "Cards", source: str) -> "Cards | None":
        """These cards with one article's card made again (`made`, by make_cards), its new file in
        place of its old one; None when another page also shows the old file or already has the new one."""
        old, new = self.articles.get(source, ("", ""))[0], made.articles[source][0]
        if old != new and (old in self.site_cards.values() or new in self.files
                           or any(name == old for s, (name, _) in self.articles.items() if s != source)):
            return None
        files = {(new if name == old else name): (made.files[new] if name == old else file)
                 for name, file in self.files.items()}
        if new not in files:
            files[new] = made.files[new]
        return Cards({**self.articles, source: made.articles[source]}, self.site_cards, files)


def make_cards(config: Config, strings: Strings, articles: tuple[Article, ...], workers: int,
               cache: Path | None = None, later: bool = False) -> Cards:
    """A card for every published article and plain page and one per language for the other
    pages; only what the cache lacks is made, on every core, but with `later` the drawn ones
    (texts, no photo) are left in Cards.unmade for the caller to draw.
    `share_cards: photos` gives a card of its own only to an article with a lead photo, `site`
    to none: the others share their language's card."""
    fonts = find_fonts(config.root)
    if any(language.rtl for language in config.languages):
        _check_rtl_layout()
    font_key = hashlib.blake2b(b"".join(p.read_bytes()[:4096] for p in fonts), digest_size=8).hexdigest()
    jobs: dict[str, CardJob] = {}
    named: dict[str, tuple[str, str]] = {}
    site_jobs = {language.code: _job(f"site-{language.code}", font_key, "", "", language.title,
                                     language.description, "", language.rtl, language.code)
                 for language in config.languages}
    for article in articles:
        language = config.language_of(article.lang or config.language)
        if config.share_cards == "site" or (config.share_cards == "photos" and not article.lead_key):
            named[article.source] = (site_jobs[language.code].name, language.title)
            continue
        date = "" if article.is_page else strings.long_date(language.code, article.date)
        job = _job(article.slug, font_key, article.lead_key, article.lead_file, article.title, language.title,
                   date, language.rtl, language.code)
        jobs[job.name] = job
        named[article.source] = (job.name, article.lead_alt or article.title)
    jobs.update((job.name, job) for job in site_jobs.values())
    site_cards = {code: job.name for code, job in site_jobs.items()}
    cache = (cache or config.cache_dir / "images") / "cards"
    todo = [j for j in jobs.values() if not (cache / _cached(j)).is_file()]
    # A photo's card is cropped now, from the photo whose digest names it (an editor may save
    # the photo again while the pages render); a drawn card shows only texts, and may wait.
    now = Unmade([j for j in todo if j.photo or not later], fonts, cache)
    now.draw(workers)
    unmade = Unmade([j for j in todo if not j.photo and later], fonts, cache)
    files = {name: Generated("share card", None, str(cache / _cached(job)), f"card-{job.key}")
             for name, job in jobs.items()}
    return Cards(named, site_cards, files, unmade if unmade.jobs else None)


def _check_rtl_layout() -> None:
    """Right-to-left cards need Pillow's complex text layout (libraqm, which loads FriBiDi)."""
    from PIL import features

    if not features.check("raqm"):
        raise SiteError.at("share cards", None, "Pillow cannot lay out right-to-left text here: install FriBiDi "
                                                "(Debian: apt-get install libfribidi0)")


def _job(slug: str, font_key: str, lead_key: str, photo: str, headline: str, site: str, date: str, rtl: bool,
         lang: str) -> CardJob:
    text = "\0".join([CARD_VERSION, font_key, lead_key, headline, site, date, str(rtl), lang])
    key = hashlib.blake2b(text.encode(), digest_size=16).hexdigest()
    suffix = ".jpg" if lead_key else ".png"
    return CardJob(f"{FOLDER}{slug}-{key[:10]}{suffix}", key, photo if lead_key else "", headline, site, date, rtl,
                   lang)


def _cached(job: CardJob) -> str:
    """The card's file name in the cache: its key, and its output file's suffix."""
    return job.key + Path(job.name).suffix


def draw(job: CardJob, fonts: tuple[Path, Path]) -> bytes:
    """One card's bytes: the photo cropped (JPEG), or the texts on a plain background (PNG)."""
    from PIL import Image, ImageOps

    if job.photo:
        with Image.open(job.photo) as source:
            image = ImageOps.fit(ImageOps.exif_transpose(source).convert("RGB"), (WIDTH, HEIGHT), method=3)
        image.info = {}
        return _jpeg_under(image, MAX_BYTES)
    # The text is drawn as coverage on a grey mask, which then picks one of DRAWN_COLOURS - 1
    # blends of paper and ink; the accent bar is the last colour. The same picture as quantizing
    # an RGB card, at a twentieth of the time (a 10,000-article site draws 10,000).
    mask = Image.new("L", (WIDTH, HEIGHT), 0)
    _texts(mask, job, fonts, 255)
    steps = DRAWN_COLOURS - 2
    levels = mask.point([(v * steps + 127) // 255 for v in range(256)])
    levels.paste(steps + 1, (0, 0, WIDTH, ACCENT_HEIGHT))
    card = levels.convert("P")  # the same levels, as palette indexes: no copy through bytes
    card.putpalette(_palette())
    out = io.BytesIO()
    # zlib's run-length strategy (3, Z_RLE) suits rows of flat colour: with Pillow 13's zlib-ng,
    # 1.3 ms a card and 4.6% more bytes than the default strategy's 3.1 ms (level 1: 1.5 ms, 22%
    # more); older zlib-ng made such cards 41% larger, hence Pillow>=13 in requirements.txt
    card.save(out, "PNG", compress_type=3)
    return out.getvalue()


@functools.cache
def _palette() -> list[int]:
    """Paper, the blends towards ink, ink, then the accent."""
    steps = DRAWN_COLOURS - 2
    colours = [tuple(round(p + (i - p) * n / steps) for p, i in zip(PAPER, INK)) for n in range(steps + 1)]
    return [c for colour in [*colours, ACCENT] for c in colour]


def _texts(image: Any, job: CardJob, fonts: tuple[Path, Path], ink: Any = INK) -> None:
    """Headline (up to four lines), then site name and date, aligned to the script's start."""
    from PIL import ImageDraw, ImageFont, features

    draw = ImageDraw.Draw(image)
    raqm = features.check("raqm")
    bold, regular = _font(fonts[0], 64, raqm), _font(fonts[1], 34, raqm)
    margin = 72
    options: dict[str, Any] = {"direction": "rtl", "language": job.lang} if job.rtl and raqm else {}
    x, anchor = (WIDTH - margin, "ra") if job.rtl else (margin, "la")
    y = 80
    for line in _wrap(job.headline, bold, WIDTH - 2 * margin, options)[:4]:
        draw.text((x, y), line, font=bold, fill=ink, anchor=anchor, **options)
        y += 80
    footer = " – ".join(part for part in (job.site, job.date) if part)  # a dot reads as an Arabic zero
    for line in _wrap(footer, regular, WIDTH - 2 * margin, options)[:2]:
        draw.text((x, max(y + 20, HEIGHT - 140)), line, font=regular, fill=ink, anchor=anchor, **options)
        y += 48


@functools.cache
def _font(path: Path, size: int, raqm: bool) -> Any:
    """A font at a size, loaded once per process (each worker draws thousands of cards)."""
    from PIL import ImageFont

    layout = ImageFont.Layout.RAQM if raqm else ImageFont.Layout.BASIC
    return ImageFont.truetype(str(path), size, layout_engine=layout)


def _wrap(text: str, font: Any, width: int, options: Mapping[str, Any]) -> list[str]:
    """Words into lines no wider than `width`; the last shown line ends in '…' when cut."""
    lines: list[str] = []
    for word in text.split():
        if lines and font.getlength(f"{lines[-1]} {word}", **options) <= width:
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(word)
    if len(lines) > 4:
        lines = lines[:3] + [lines[3] + " …"]
    return lines


def _jpeg_under(image: Any, limit: int) -> bytes:
    """The best JPEG quality that stays under `limit` bytes. Baseline, without Huffman
    optimisation: a third of the time of a progressive optimised JPEG, for ~10% more bytes on a
    card of flat colour and text (a 10,000-article cold build draws 10,000 of them)."""
    for quality in (82, 72, 62, 50, 40, 30):
        out = io.BytesIO()
        image.save(out, "JPEG", quality=quality)
        if out.tell() < limit:
            break
    return out.getvalue()
