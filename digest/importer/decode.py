"""Reading a raw article's bytes as text: UTF-8, else UTF-16 by its mark, else Windows-1252 or Latin-1."""

from __future__ import annotations

from pathlib import Path

from ..errors import Problem
from .records import RawTextError


def read_raw(path: Path, shown: str | None = None) -> tuple[str, tuple[Problem, ...]]:
    """A raw file's text with newlines normalised, and warnings about how it was decoded."""
    shown = shown or str(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise RawTextError(f"cannot be read: {exc.strerror or exc}") from None
    warnings: tuple[Problem, ...]
    binary = RawTextError("contains NUL bytes, so it is not text: save the article as a plain .txt file")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError:
            raise binary from None
        warnings = (Problem(shown, None, "is not UTF-8: read as UTF-16 (save sources as UTF-8)"),)
    elif b"\x00" in data:
        raise binary
    else:
        text, warnings = _decode(data, shown)
    text = text.removeprefix("\ufeff")
    if not text.strip():
        raise RawTextError("is empty: there is no article text to import")
    return "\n".join(text.splitlines()), warnings


def _decode(data: bytes, shown: str) -> tuple[str, tuple[Problem, ...]]:
    """UTF-8 when the bytes are, else the first single-byte encoding that reads them, with a warning."""
    try:
        return data.decode("utf-8"), ()
    except UnicodeDecodeError:
        pass
    for encoding, name in (("cp1252", "Windows-1252"), ("latin-1", "Latin-1")):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        return text, (Problem(shown, None, f"is not UTF-8: read as {name}; check its accents and "
                                           "quotes (save sources as UTF-8 to avoid this)"),)
    raise AssertionError("Latin-1 decodes every byte")  # pragma: no cover
