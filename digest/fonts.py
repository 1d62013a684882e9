"""Where the share cards' font is: DejaVu Sans from the site's fonts/ folder or the system's
(found before a build reads anything: the stamp counts the font among its inputs)."""

from __future__ import annotations

from pathlib import Path

from .errors import SiteError

FONT_NAMES = ("DejaVuSans-Bold.ttf", "DejaVuSans.ttf")
FONT_FOLDERS = ("fonts", "/usr/share/fonts/truetype/dejavu", "/usr/share/fonts/TTF",
                "/usr/local/share/fonts", "/Library/Fonts")


def find_fonts(root: Path, folders: tuple[str, ...] = FONT_FOLDERS) -> tuple[Path, Path]:
    """(bold, regular) DejaVu Sans, from the repository's fonts/ or the system; a clear error if none."""
    for folder in folders:
        base = root / folder if not folder.startswith("/") else Path(folder)
        paths = tuple(base / name for name in FONT_NAMES)
        if all(p.is_file() for p in paths):
            return paths  # type: ignore[return-value]
    raise SiteError.at("share cards", None, "no font found: install DejaVu Sans (Debian: apt-get install "
                                            "fonts-dejavu-core), or put DejaVuSans.ttf and DejaVuSans-Bold.ttf "
                                            "in fonts/")
