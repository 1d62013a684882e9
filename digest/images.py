"""The images step, between reading and planning: find the images each article uses (its
`image:` lead photo and the Markdown images of its body), check them, encode what the cache
lacks on every core, and turn each reference into `<picture>` markup.

An image's alt text is required; alt text exactly `decorative` (`![decorative](rule.png)`,
`image_alt: decorative`) marks an image that says nothing and gives it `alt=""`."""

from __future__ import annotations

import dataclasses
import hashlib
import html
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping

from .config import Config
from .content import Article, pack_html, squeezed
from .encode import (COPIED, RASTER, Encoded, Generated, ImageSettings, cached, encode, image_key,
                     open_checked)
from .errors import Problem, SiteError
from .files import write_atomic
from .metadata import metadata_left
from .parallel import parallel_map

DECORATIVE = "decorative"
SIZES = "(min-width: 42rem) 40rem, calc(100vw - 2rem)"  # main is 42rem wide with 1rem padding each side
PHONE_WIDTH = 720   # what a 360 px phone at device pixel ratio 2 picks
OUTPUT_FOLDER = "images/"
_IMG = re.compile(r"(<p>)?(<img\b[^>]*>)(</p>)?")
_ATTR = re.compile(r'([a-zA-Z-]+)="([^"]*)"')


@dataclass(frozen=True, slots=True)
class ImageUse:
    """One image an article shows: where it is written, the file it names and its texts."""

    source: str             # the article's file
    line: int | None
    written: str            # the path as the editor wrote it
    path: Path | None       # the file it names; None when that is not ours (http...)
    alt: str
    caption: str = ""
    credit: str = ""
    lead: bool = False


@dataclass(frozen=True, slots=True)
class Prepared:
    """A source file ready for markup: its encoded record, or its copied file's output path."""

    encoded: Encoded | None
    copied: str = ""
    size: tuple[int, int] | None = None


@dataclass(frozen=True, slots=True)
class ImagesDone:
    """What the images step gives: articles with their markup, the files to write, counts."""

    articles: tuple[Article, ...]
    files: Mapping[str, Generated]            # output path -> its bytes or cached file
    encoded: int
    reused: int
    owners: Mapping[str, frozenset[str]] = dataclasses.field(default_factory=dict)  # output path -> article sources

    def published(self, sources: set[str]) -> dict[str, Generated]:
        """The files of the images these articles show: a draft's photo is never published."""
        return {path: value for path, value in self.files.items() if self.owners.get(path, frozenset()) & sources}


def find_uses(config: Config, article: Article, original: Article | None) -> list[ImageUse | Problem]:
    """Every image an article uses, or the problem with each reference."""
    found: list[ImageUse | Problem] = []
    if not article.image and (original is None or not original.image) and not article.has_images:
        return found
    text = _source_text(config, article.source)
    lead_from = article if article.image or original is None else original
    if lead_from.image:
        line = _key_line(_source_text(config, lead_from.source), "image")
        found.append(_use(config, lead_from.source, lead_from.path, line, lead_from.image, lead_from.image_alt,
                          "", lead_from.image_credit, True, article.source))
    for match in _IMG.finditer(article.body):
        attrs = _attrs(match.group(2))
        src = attrs.get("src", "")
        found.append(_use(config, article.source, article.path, _image_line(text, src), src, attrs.get("alt", ""),
                          attrs.get("title", ""), "", False, article.source))
    return found


def _use(config: Config, source: str, page: str, line: int | None, written: str, alt: str, caption: str,
         credit: str, lead: bool, shown_in: str) -> ImageUse | Problem:
    """One reference checked: its alt text and where its file is."""
    what = "image:" if lead else f"image '{written}'"
    named = f"image: '{written}'" if lead else what
    if written.startswith(("http://", "https://", "//", "data:")):
        return ImageUse(shown_in, line, written, None, alt, caption, credit, lead)
    if not alt.strip():
        hint = "image_alt: ..." if lead else f"![what it shows]({written})"
        return Problem(source, line, f"{what} has no alt text: describe it ({hint}), or write "
                                     f"'{DECORATIVE}' as its alt text if it says nothing")
    path = _locate(config, source, page, written)
    if path is None:
        return Problem(source, line, f"{named} is outside the site's content/ and static/ folders")
    if not path.is_file():
        return Problem(source, line, f"{named} does not exist (looked for "
                                     f"{path.relative_to(config.root.resolve()).as_posix()})")
    if not path.suffix.lower() in RASTER + COPIED:
        return Problem(source, line, f"{named} is not an image file this build knows "
                                     "(.jpg, .png, .webp, .avif, .gif, .svg)")
    return ImageUse(shown_in, line, written, path, alt, caption, credit, lead)


def _locate(config: Config, source: str, page: str, written: str) -> Path | None:
    """The file an image path names: beside the Markdown file (a bundle), else under static/ as
    the page's address would read it (`/map.png`, or `../../../assets/map.png` as `migrate`
    writes); None when it is outside content/ and static/."""
    import posixpath

    root, content, static = config.root.resolve(), config.content_dir.resolve(), config.static_dir.resolve()
    clean = written.split("?")[0].split("#")[0]
    beside = None if clean.startswith("/") else ((config.root / source).parent / clean).resolve()
    if beside is not None and beside.is_relative_to(content) and beside.is_file():
        return beside
    address = posixpath.normpath("/site/" + (clean.lstrip("/") if clean.startswith("/") else page + clean))
    address = address.removeprefix("/site/") if address.startswith("/site/") else ""  # '..' above the root: outside
    from_page = (static / address.lstrip("/")).resolve() if address else None
    if from_page is not None and from_page.is_relative_to(static) and from_page.is_relative_to(root):
        if from_page.is_file() or beside is None or not beside.is_relative_to(content):
            return from_page
    return beside if beside is not None and beside.is_relative_to(content) else None


def process_images(config: Config, articles: tuple[Article, ...], workers: int,
                   others: Mapping[str, Article] | None = None, cache: Path | None = None) -> ImagesDone:
    """Check every image, encode what the cache lacks on every core, and rewrite the articles.
    `others` gives originals not among `articles` (the preview's quick update); `cache` is where
    encoded files are kept (default .cache/images/)."""
    settings = ImageSettings.from_config(config.images)
    cache = cache or config.cache_dir / "images"
    by_source = {**(others or {}), **{a.source: a for a in articles}}
    uses: dict[str, list[ImageUse]] = {}
    problems: list[Problem] = []
    for article in articles:
        for use in find_uses(config, article, by_source.get(article.translation_of)):
            if isinstance(use, Problem):
                problems.append(use)
            else:
                uses.setdefault(article.source, []).append(use)
    if problems:
        raise SiteError(problems)
    paths = sorted({u.path for found in uses.values() for u in found if u.path is not None})
    prepared, files, encoded, reused = _prepare(paths, settings, cache, workers, uses)
    rewritten = tuple(_rewrite(config, a, uses.get(a.source, []), prepared) for a in articles)
    by_file: dict[Path, set[str]] = {}
    for source, found in uses.items():
        for use in found:
            if use.path is not None:
                by_file.setdefault(use.path, set()).add(source)
    owners = {name: frozenset(by_file.get(path, ())) for name, (_, path) in files.items()}
    return ImagesDone(rewritten, {name: dataclasses.replace(made, origin=_origin(path))
                                  for name, (made, path) in files.items()}, encoded, reused, owners)


def _prepare(paths: list[Path], settings: ImageSettings, cache: Path, workers: int,
             uses: Mapping[str, list[ImageUse]]
             ) -> tuple[dict[Path, Prepared], dict[str, tuple[Generated, Path]], int, int]:
    """Encode (or find in the cache) every raster file, copy the others; every problem at once."""
    prepared: dict[Path, Prepared] = {}
    files: dict[str, tuple[Generated, Path]] = {}
    todo: list[tuple[Path, str]] = []  # (file, key), one per distinct key: workers read the bytes themselves
    problems: dict[Path, str] = {}
    reused = 0
    same: dict[str, list[Path]] = {}
    stamps = _SourceStamps(cache / "sources.json", settings)
    for path in paths:
        if path.suffix.lower() not in COPIED:
            known = stamps.key(path)
            found = cached(cache, known) if known else None
            if found is not None:  # unchanged since it was encoded: not even read
                prepared[path] = Prepared(found)
                reused += 1
                continue
        data = path.read_bytes()
        if path.suffix.lower() in COPIED:
            copy = _copied(path, data)
            if isinstance(copy, str):
                problems[path] = copy
            else:
                prepared[path], files[copy.copied] = copy, (Generated("", data), path)
            continue
        key = image_key(data, settings)
        stamps.remember(path, key)
        found = cached(cache, key)
        if found is None:
            same.setdefault(key, []).append(path)  # the same bytes under two names: encoded once
            if len(same[key]) == 1:
                todo.append((path, key))
        else:
            prepared[path] = Prepared(found)
            reused += 1

    def work(job: tuple[Path, str]) -> Encoded | str:
        try:
            record = encode(job[0].read_bytes(), settings, cache)
        except ValueError as exc:
            return str(exc)
        except OSError as exc:
            return f"cannot be read ({exc.strerror})"
        return record  # its files are checked for metadata as they are written (metadata.checked_images)

    for (_, key), result in zip(todo, parallel_map(work, todo, workers, 2)):
        for twin in same[key]:
            if isinstance(result, str):
                problems[twin] = result
            else:
                prepared[twin] = Prepared(result)
    if problems:
        raise SiteError([Problem(u.source, u.line, f"image '{u.written}' {problems[u.path]}")
                         for found in uses.values() for u in found if u.path in problems])
    files.update(_encoded_files(prepared, cache))
    stamps.save()
    return prepared, files, len(todo), reused


def _copied(path: Path, data: bytes) -> Prepared | str:
    """An SVG or GIF published as it is, under a name with a content hash; or why it cannot be."""
    size = None
    if path.suffix.lower() == ".gif":
        try:
            size = open_checked(data).size
        except ValueError as exc:
            return str(exc)
    left = metadata_left(data, path.suffix)
    if left:
        return (f"carries metadata ({left}) that would be published with it: remove it (exiftool -all=) or "
                "export the image again without it")
    name = f"{OUTPUT_FOLDER}{path.stem}-{hashlib.blake2b(data, digest_size=5).hexdigest()}{path.suffix.lower()}"
    return Prepared(None, name, size)


class _SourceStamps:
    """Each source image's (mtime, size) when its key was last computed, so an unchanged file is
    not read again; kept beside the encoded files."""

    def __init__(self, path: Path, settings: ImageSettings):
        self.path = path
        self.settings = settings.text()
        try:
            stored = json.loads(path.read_text(encoding="utf-8"))
            self.known = stored["files"] if stored.get("settings") == self.settings else {}
        except (OSError, ValueError, KeyError, TypeError):
            self.known = {}
        self.changed = False

    def key(self, source: Path) -> str:
        """The key last computed for this file, when it has not changed since."""
        found = self.known.get(str(source))
        try:
            st = source.stat()
        except OSError:
            return ""
        return found[2] if found and found[:2] == [st.st_mtime_ns, st.st_size] else ""

    def remember(self, source: Path, key: str) -> None:
        st = source.stat()
        self.known[str(source)] = [st.st_mtime_ns, st.st_size, key]
        self.changed = True

    def save(self) -> None:
        if self.changed:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            write_atomic(self.path, json.dumps({"settings": self.settings, "files": self.known}))


def _encoded_files(prepared: Mapping[Path, Prepared], cache: Path) -> dict[str, tuple[Generated, Path]]:
    """Every encoded file by its output path: the cached file and a key naming its bytes."""
    files = {}
    for path, ready in prepared.items():
        record = ready.encoded
        if record is not None:
            for width in record.widths:
                for fmt in record.formats:
                    made = Generated("", None, str(record.file(cache, width, fmt)), f"{record.key}-{width}.{fmt}")
                    files[output_name(path, record, width, fmt)] = (made, path)
    return files


def output_name(path: Path, record: Encoded, width: int, fmt: str) -> str:
    """An encoded file's path in the output: its name, a content hash and its width."""
    return f"{OUTPUT_FOLDER}{path.stem}-{record.key[:10]}-{width}.{fmt}"


def _origin(path: Path) -> str:
    """A source file as messages name it: 'content/2024/x/photo.jpg'."""
    parts = path.parts
    for marker in ("content", "static"):
        if marker in parts:
            return "/".join(parts[len(parts) - parts[::-1].index(marker) - 1:])
    return path.name


def _rewrite(config: Config, article: Article, uses: list[ImageUse], prepared: Mapping[Path, Prepared]) -> Article:
    """The article with each image as markup; its digest follows the files its page shows."""
    if not uses:
        return article
    base = config.base_path
    body_uses = iter([u for u in uses if not u.lead])

    def replace(match: re.Match) -> str:
        use = next(body_uses)
        if use.path is None:
            return match.group(0)
        markup = picture(base, use, prepared[use.path])
        if match.group(1) and match.group(3):
            return figure(markup, use)
        return (match.group(1) or "") + markup + (match.group(3) or "")

    body = _IMG.sub(replace, article.body)
    lead = next((u for u in uses if u.lead), None)
    lead_html = figure(picture(base, lead, prepared[lead.path]), lead) if lead and lead.path else ""
    lead_file = lead_key = ""
    if lead and lead.path and prepared[lead.path].encoded is not None:
        lead_file, lead_key = str(lead.path), prepared[lead.path].encoded.key  # type: ignore[union-attr]
    digest = hashlib.blake2b((article.digest + body + lead_html).encode(), digest_size=16).hexdigest()
    return dataclasses.replace(article, packed_body=pack_html(body, squeezed(article.packed_body)), lead=lead_html,
                               digest=digest, lead_file=lead_file, lead_key=lead_key,
                               lead_alt="" if not lead or lead.alt == DECORATIVE else lead.alt)


def picture(base: str, use: ImageUse, ready: Prepared) -> str:
    """The <picture> (or, for SVG and GIF, the <img>) for one image."""
    alt = "" if use.alt == DECORATIVE else use.alt
    loading = 'fetchpriority="high"' if use.lead else 'loading="lazy" decoding="async"'
    if ready.encoded is None:
        size = f' width="{ready.size[0]}" height="{ready.size[1]}"' if ready.size else ""
        return f'<img src="{base}{ready.copied}" alt="{html.escape(alt)}"{size} {loading}>'
    record = ready.encoded
    assert use.path is not None

    def srcset(fmt: str) -> str:
        return ", ".join(f"{base}{output_name(use.path, record, w, fmt)} {w}w" for w in record.widths)  # type: ignore[arg-type]

    sources = "".join(f'<source type="image/{fmt}" srcset="{srcset(fmt)}" sizes="{SIZES}">'
                      for fmt in record.formats[:-1])
    fallback = record.formats[-1]
    shown = max([w for w in record.widths if w <= PHONE_WIDTH] or [record.widths[0]])
    height = round(record.height * record.widths[-1] / record.width)
    return (f'<picture>{sources}<img src="{base}{output_name(use.path, record, shown, fallback)}" '
            f'srcset="{srcset(fallback)}" sizes="{SIZES}" width="{record.widths[-1]}" height="{height}" '
            f'alt="{html.escape(alt)}" {loading}></picture>')


def figure(markup: str, use: ImageUse) -> str:
    """An image with its caption and credit, when it has either."""
    if not use.caption and not use.credit:
        return markup if not use.lead else f'<figure class="lead">{markup}</figure>'
    parts = [html.escape(use.caption)] if use.caption else []
    if use.credit:
        parts.append(f'<span class="credit">{html.escape(use.credit)}</span>')
    kind = ' class="lead"' if use.lead else ""
    return f"<figure{kind}>{markup}<figcaption>{' '.join(parts)}</figcaption></figure>"


def _attrs(tag: str) -> dict[str, str]:
    return {k.lower(): html.unescape(v) for k, v in _ATTR.findall(tag)}


def _source_text(config: Config, source: str) -> str:
    try:
        return (config.root / source).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return ""


def _image_line(text: str, src: str) -> int | None:
    """The line of the Markdown file where an image of `src` is written."""
    for number, line in enumerate(text.split("\n"), 1):
        if f"]({src}" in line or f"]( {src}" in line or (src and src in line and "![" in line):
            return number
    return None


def _key_line(text: str, key: str) -> int | None:
    for number, line in enumerate(text.split("\n"), 1):
        if line.startswith(f"{key}:"):
            return number
    return None
