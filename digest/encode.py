"""Encoding one source image with Pillow into every width and format, kept in .cache/images/.

Orientation is applied first and nothing of the source's metadata (EXIF, XMP, GPS, ICC text)
is written; `metadata.checked_images` checks every file as the build writes it. A result is
keyed by the source bytes and the settings, so a warm build encodes nothing."""

from __future__ import annotations

import hashlib
import io
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping

from .files import write_atomic

ENCODER_VERSION = "1"  # bump when encoding changes what a key's files hold
WIDTHS = (360, 480, 720, 1080)
MAX_PIXELS = 50_000_000  # larger is refused: a decompression bomb, or a photo far too big to serve
COPIED = (".svg", ".gif")  # copied as they are
RASTER = (".jpg", ".jpeg", ".png", ".webp", ".avif", ".tif", ".tiff", ".bmp")


@dataclass(frozen=True, slots=True)
class Generated:
    """A file the images step made: its bytes, or the cached file holding them and a key naming them."""

    origin: str
    data: bytes | None = None
    file: str = ""
    key: str = ""


@dataclass(frozen=True, slots=True)
class ImageSettings:
    """What site.yaml's `images:` says: AVIF on or off, and each format's quality."""

    avif: bool = True
    avif_quality: int = 50
    webp_quality: int = 70
    jpeg_quality: int = 75

    @classmethod
    def from_config(cls, values: Mapping[str, Any]) -> "ImageSettings":
        """Settings from site.yaml's `images:` mapping (checked by config.py)."""
        quality = values.get("quality", {}) or {}
        return cls(avif=bool(values.get("avif", True)), avif_quality=int(quality.get("avif", 50)),
                   webp_quality=int(quality.get("webp", 70)), jpeg_quality=int(quality.get("jpeg", 75)))

    def formats(self) -> tuple[str, ...]:
        """The <source> formats, best first."""
        return ("avif", "webp") if self.avif else ("webp",)

    def text(self) -> str:
        return json.dumps([ENCODER_VERSION, WIDTHS, self.avif, self.avif_quality, self.webp_quality,
                           self.jpeg_quality])


@dataclass(frozen=True, slots=True)
class Encoded:
    """One source image's encoded files: width and height of the original (oriented), whether
    it keeps transparency (PNG fallback), and the widths made."""

    key: str
    width: int
    height: int
    alpha: bool
    widths: tuple[int, ...]
    formats: tuple[str, ...]    # e.g. ('avif', 'webp', 'jpg')

    def file(self, cache: Path, width: int, fmt: str) -> Path:
        """Where one encoded file is in the cache."""
        return cache / self.key[:2] / self.key / f"{width}.{fmt}"


def image_key(data: bytes, settings: ImageSettings) -> str:
    """A key that changes with the source bytes, the settings or this encoder."""
    h = hashlib.blake2b(data, digest_size=16)
    h.update(settings.text().encode())
    return h.hexdigest()


def cached(cache: Path, key: str) -> Encoded | None:
    """The encoded record for a key, when every file of it is in the cache."""
    meta = cache / key[:2] / key / "meta.json"
    try:
        values = json.loads(meta.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    found = Encoded(key, values["width"], values["height"], values["alpha"], tuple(values["widths"]),
                    tuple(values["formats"]))
    if not all(found.file(cache, w, f).is_file() for w in found.widths for f in found.formats):
        return None
    return found


def open_checked(data: bytes) -> Any:
    """The image in these bytes, fully loaded; ValueError saying why it cannot be used."""
    from PIL import Image, UnidentifiedImageError

    try:
        image = Image.open(io.BytesIO(data))
        if image.width * image.height > MAX_PIXELS:
            raise ValueError(f"is {image.width}×{image.height} pixels, over the {MAX_PIXELS // 1_000_000} "
                             "megapixel limit: resize it before adding it")
        image.load()
    except UnidentifiedImageError:
        raise ValueError("is not an image Pillow can read (JPEG, PNG, WebP, AVIF, GIF, TIFF)") from None
    except Image.DecompressionBombError:
        raise ValueError(f"is over the {MAX_PIXELS // 1_000_000} megapixel limit: resize it") from None
    except (OSError, SyntaxError) as exc:
        raise ValueError(f"cannot be read ({exc}): the file may be truncated; export it again") from None
    return image


def encode(data: bytes, settings: ImageSettings, cache: Path) -> Encoded:
    """Encode one source into every width and format and keep the files in the cache."""
    from PIL import ImageOps

    image = open_checked(data)
    image = ImageOps.exif_transpose(image)
    alpha = image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info)
    image = image.convert("RGBA" if alpha else "RGB")
    image.info = {}
    widths = tuple(w for w in WIDTHS if w < image.width) + (min(image.width, WIDTHS[-1]),)
    widths = tuple(sorted(set(widths)))
    fallback = "png" if alpha else "jpg"
    formats = settings.formats() + (fallback,)
    key = image_key(data, settings)
    record = Encoded(key, image.width, image.height, alpha, widths, formats)
    folder = cache / key[:2] / key
    folder.mkdir(parents=True, exist_ok=True)
    for width in widths:
        height = max(1, round(image.height * width / image.width))
        resized = image if width == image.width else image.resize((width, height), resample=3)  # bicubic
        for fmt in formats:
            _save(resized, fmt, settings, record.file(cache, width, fmt))
    (folder / "meta.json").write_text(json.dumps({"width": image.width, "height": image.height, "alpha": alpha,
                                                  "widths": widths, "formats": formats}), encoding="utf-8")
    return record


def _save(image: Any, fmt: str, settings: ImageSettings, path: Path) -> None:
    """Write one file with no metadata, atomically."""
    out = io.BytesIO()
    if fmt == "avif":
        image.save(out, "AVIF", quality=settings.avif_quality, speed=8)
    elif fmt == "webp":
        image.save(out, "WEBP", quality=settings.webp_quality, method=4)
    elif fmt == "png":
        image.save(out, "PNG", optimize=True)
    else:
        image.save(out, "JPEG", quality=settings.jpeg_quality, optimize=True, progressive=True)
    write_atomic(path, out.getvalue())

