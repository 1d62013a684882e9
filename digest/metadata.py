"""Metadata in published images: no image the build writes may carry EXIF, XMP or GPS data.

Files under static/ are published under their own names, so their metadata is taken out
without touching the pixels: JPEG segments, PNG chunks and WebP chunks that hold EXIF, XMP,
IPTC, comments or text are dropped, the rest is copied byte for byte. Only a file whose EXIF
turns it (an orientation other than 1) is encoded again, upright, since dropping the tag alone
would show it on its side. Other formats (AVIF, TIFF, GIF, SVG) are published only when they
carry none. Every image a build writes passes `checked_images` on its way to the output."""

from __future__ import annotations

import io
import struct
from typing import Any, Iterable, Iterator, Mapping

from .errors import Problem, SiteError
from .parallel import close_source
from .render import OutputFile

STRIPPED = (".jpg", ".jpeg", ".png", ".webp")        # metadata taken out losslessly
IMAGE_SUFFIXES = STRIPPED + (".avif", ".tif", ".tiff", ".bmp", ".gif", ".svg", ".heic", ".heif")
ORIENTATION, GPS_IFD = 0x0112, 0x8825

# APP0 (JFIF), APP2 colour profiles and APP14 (Adobe's colour transform) stay: they change how
# the pixels look. APP1 holds EXIF and XMP, APP2 also multi-picture data, APP13 IPTC.
_JPEG_KEPT_APPS = (0xE0, 0xEE)
_PNG_DROPPED = {b"eXIf": "EXIF", b"iTXt": "text", b"tEXt": "text", b"zTXt": "text", b"tIME": "time"}
_WEBP_DROPPED = {b"EXIF": "EXIF", b"XMP ": "XMP"}
_SVG_MARKERS = (b"xmpmeta", b"xmlns:exif", b"exif:GPS", b"<exif:")


def suffix_of(path: str) -> str:
    """The lower-case suffix of an output path ('.jpg'), '' when it has none."""
    name = path.rsplit("/", 1)[-1]
    return "." + name.rsplit(".", 1)[-1].lower() if "." in name else ""


def metadata_left(data: bytes, suffix: str) -> str:
    """What metadata an image file carries ('' when none): EXIF, GPS, XMP and the like."""
    suffix = suffix.lower()
    found: dict[str, None] = {}
    if suffix == ".svg":
        return "XMP/EXIF" if any(marker in data for marker in _SVG_MARKERS) else ""
    if suffix == ".gif" and b"XMP DataXMP" in data:  # XMP's application extension; GIF has no EXIF
        found["XMP"] = None
    try:
        if suffix in (".jpg", ".jpeg"):
            end = 0
            for marker, start, end in _jpeg_walk(data):
                if kind := _jpeg_dropped(data, marker, start):
                    found[kind] = None
            if data[end:].strip(b"\0"):
                found["data after the image"] = None
        elif suffix == ".png":
            found.update((_PNG_DROPPED[kind], None) for kind, _, _ in _png_chunks(data) if kind in _PNG_DROPPED)
        elif suffix == ".webp":
            found.update((_WEBP_DROPPED[kind], None) for kind, _, _ in _webp_chunks(data) if kind in _WEBP_DROPPED)
        if suffix in STRIPPED and not found:
            return ""  # every place these formats keep metadata in was looked at
    except ValueError:
        pass  # not laid out as its suffix says: Pillow below still looks
    exif, xmp = _pillow_metadata(data)
    if exif:
        found["EXIF"] = None
    if GPS_IFD in exif:
        found["GPS"] = None
    if xmp:
        found["XMP"] = None
    return ", ".join(found)


def strip_metadata(data: bytes, suffix: str) -> bytes:
    """The same image without its metadata: losslessly for JPEG, PNG and WebP (an image that
    EXIF turns is encoded again, upright). ValueError saying why when it cannot be done."""
    suffix = suffix.lower()
    if suffix not in STRIPPED:
        left = metadata_left(data, suffix)
        if left:
            raise ValueError(f"carries metadata ({left}) that would be published with it, and the build takes "
                             "it out only of JPEG, PNG and WebP files: remove it (exiftool -all=) or export the "
                             "image again without it")
        return data
    left = metadata_left(data, suffix)
    if not left:
        return data
    try:
        exif, _ = _pillow_metadata(data)
        if exif.get(ORIENTATION, 1) not in (0, 1):
            data = _upright(data, suffix)
        clean = _without_metadata(data, suffix)
    except _Animated:
        raise ValueError("is an animation that its EXIF turns: export it upright, without metadata") from None
    except (ValueError, OSError, SyntaxError, IndexError, struct.error) as exc:
        raise ValueError(f"carries metadata ({left}) that the build cannot take out ({exc}): export the image "
                         "again without it") from None
    if metadata_left(clean, suffix):
        raise ValueError(f"carries metadata ({left}) that the build cannot take out: export the image again "
                         "without it")
    return clean


def _without_metadata(data: bytes, suffix: str) -> bytes:
    """A JPEG, PNG or WebP file without the segments or chunks that hold metadata."""
    if suffix in (".jpg", ".jpeg"):
        kept = [data[start:stop] for m, start, stop in _jpeg_walk(data) if not _jpeg_dropped(data, m, start)]
        return data[:2] + b"".join(kept)
    if suffix == ".png":
        return data[:8] + b"".join(data[start:stop] for kind, start, stop in _png_chunks(data)
                                   if kind not in _PNG_DROPPED)
    chunks = [(kind, start, stop) for kind, start, stop in _webp_chunks(data) if kind not in _WEBP_DROPPED]
    body = b"".join(_vp8x_without_metadata(data[start:stop]) if kind == b"VP8X" else data[start:stop]
                    for kind, start, stop in chunks)
    return b"RIFF" + struct.pack("<I", len(body) + 4) + b"WEBP" + body


def checked_images(files: Iterable[OutputFile], origins: Mapping[str, str]) -> Iterator[OutputFile]:
    """Every file passed on as it is; each image written is looked at first, and any that still
    carries EXIF, XMP or GPS data stops the build once the last file has passed."""
    problems: list[Problem] = []
    try:
        for f in files:
            if f.content is not None and suffix_of(f.path) in IMAGE_SUFFIXES:
                left = metadata_left(f.content, suffix_of(f.path))
                if left:
                    problems.append(Problem(origins.get(f.path, f.path), None,
                                            f"{f.path} would be published with metadata ({left}): a bug in the build"))
            yield f
    finally:
        close_source(files)
    if problems:
        raise SiteError(problems)


# ---------------------------------------------------------------------------- formats

class _Animated(Exception):
    """An animation that EXIF turns: turning every frame is left to the editor."""


def _pillow_metadata(data: bytes) -> tuple[Any, bool]:
    """(EXIF, whether XMP is there) as Pillow reads them; empty when Pillow cannot open the file."""
    from PIL import Image

    try:
        with Image.open(io.BytesIO(data)) as image:
            return image.getexif(), bool(image.info.get("xmp") or image.info.get("XML:com.adobe.xmp"))
    except Exception:  # a file Pillow cannot read has nothing Pillow would show
        return {}, False


def _upright(data: bytes, suffix: str) -> bytes:
    """An image that EXIF turns, encoded again with its pixels turned: JPEG at its own
    quantization tables, PNG and lossless WebP without loss."""
    from PIL import Image, ImageOps, JpegImagePlugin

    with Image.open(io.BytesIO(data)) as source:
        if getattr(source, "n_frames", 1) > 1:
            raise _Animated()
        icc = source.info.get("icc_profile")
        options: dict[str, Any] = {"icc_profile": icc} if icc else {}
        if suffix in (".jpg", ".jpeg"):
            options.update(qtables=source.quantization, optimize=True)
            sampling = JpegImagePlugin.get_sampling(source)
            if sampling != -1:
                options["subsampling"] = sampling
            fmt = "JPEG"
        elif suffix == ".png":
            fmt, options["optimize"] = "PNG", True
        else:
            fmt = "WEBP"
            options.update(lossless=True) if b"VP8L" in data[12:64] else options.update(quality=90)
        image = ImageOps.exif_transpose(source)
        image.info = {}
        out = io.BytesIO()
        image.save(out, fmt, **options)
    return out.getvalue()


def _jpeg_walk(data: bytes) -> Iterator[tuple[int, int, int]]:
    """(marker, start, end) of each marker segment with its entropy-coded data, up to EOI (what
    follows it is not part of the image); ValueError where the file stops making sense, after
    the segments before that point."""
    if data[:2] != b"\xff\xd8":
        raise ValueError("not a JPEG")
    at, size = 2, len(data)
    while at + 1 < size:
        if data[at] != 0xFF:
            raise ValueError("broken JPEG")
        marker = data[at + 1]
        if marker == 0xFF:                 # fill byte
            at += 1
            continue
        if marker == 0xD9:                 # EOI
            yield marker, at, at + 2
            return
        if 0xD0 <= marker <= 0xD7 or marker == 0x01:
            end = at + 2
        elif at + 4 <= size:
            end = at + 2 + struct.unpack(">H", data[at + 2:at + 4])[0]
        else:
            break
        if marker == 0xDA:                 # SOS: the scan's data runs to the next real marker
            end = _scan_end(data, end)
        yield marker, at, min(end, size)
        at = end
    raise ValueError("JPEG without an end")


def _scan_end(data: bytes, at: int) -> int:
    """Where a scan's entropy-coded data ends: the first 0xFF not followed by 0x00 or a restart."""
    while True:
        at = data.find(b"\xff", at)
        if at < 0 or at + 1 >= len(data):
            raise ValueError("JPEG without an end")
        following = data[at + 1]
        if following == 0x00 or 0xD0 <= following <= 0xD7 or following == 0xFF:
            at += 1 if following == 0xFF else 2
            continue
        return at


def _jpeg_dropped(data: bytes, marker: int, start: int) -> str:
    """What a JPEG segment holds when it is metadata to drop ('EXIF', 'XMP', ...), else ''."""
    if marker == 0xFE:
        return "comment"
    if not 0xE0 <= marker <= 0xEF or marker in _JPEG_KEPT_APPS:
        return ""
    label = data[start + 4:start + 16]
    if marker == 0xE1:
        return "EXIF" if label.startswith(b"Exif\0") else "XMP"
    if marker == 0xE2:
        return "" if label.startswith(b"ICC_PROFILE") else "multi-picture data"
    return "IPTC" if marker == 0xED else f"APP{marker - 0xE0}"


def _png_chunks(data: bytes) -> list[tuple[bytes, int, int]]:
    """(type, start, end) of each PNG chunk."""
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("not a PNG")
    chunks, at = [], 8
    while at + 8 <= len(data):
        length = struct.unpack(">I", data[at:at + 4])[0]
        kind, end = data[at + 4:at + 8], at + 12 + length
        chunks.append((kind, at, end))
        at = end
        if kind == b"IEND":
            break
    return chunks


def _webp_chunks(data: bytes) -> list[tuple[bytes, int, int]]:
    """(fourcc, start, end) of each chunk of a WebP file, padding included."""
    if data[:4] != b"RIFF" or data[8:12] != b"WEBP":
        raise ValueError("not a WebP")
    chunks, at, end_of_riff = [], 12, min(len(data), 8 + struct.unpack("<I", data[4:8])[0])
    while at + 8 <= end_of_riff:
        kind, length = data[at:at + 4], struct.unpack("<I", data[at + 4:at + 8])[0]
        end = at + 8 + length + (length & 1)
        chunks.append((kind, at, end))
        at = end
    return chunks


def _vp8x_without_metadata(chunk: bytes) -> bytes:
    """The VP8X header chunk with its EXIF and XMP flags cleared."""
    return chunk[:8] + bytes([chunk[8] & ~0x0C]) + chunk[9:]
