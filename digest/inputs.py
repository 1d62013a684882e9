"""What a build takes besides articles: 'now', the files under static/, and the files beside
an article written as a folder."""

from __future__ import annotations

import os
from datetime import datetime, timezone

from .config import Config
from .content import Article
from .encode import COPIED, RASTER
from .errors import Problem, SiteError
from .metadata import IMAGE_SUFFIXES as METADATA_SUFFIXES, strip_metadata

IMAGE_SUFFIXES = RASTER + COPIED  # encoded by images.py, or copied by it: not bundle files


def build_time(now: datetime | None = None) -> datetime:
    """'Now' for the build: given, else SOURCE_DATE_EPOCH for reproducible builds, else the clock."""
    if now is not None:
        return now if now.tzinfo else now.replace(tzinfo=timezone.utc)
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        try:
            return datetime.fromtimestamp(int(epoch), tz=timezone.utc)
        except ValueError:
            raise SiteError.at("SOURCE_DATE_EPOCH", None, f"'{epoch}' is not a whole number of seconds") from None
    return datetime.now(timezone.utc)


def static_files(config: Config) -> dict[str, bytes]:
    """Every file under static/, by its path in the output; images without their metadata
    (EXIF, XMP, GPS), every image that cannot be cleaned named in one error."""
    root = config.static_dir
    if not root.is_dir():
        return {}
    files: dict[str, bytes] = {}
    problems: list[Problem] = []
    for path in sorted(root.rglob("*")):
        if not path.is_file() or path.name.startswith(".#"):
            continue
        name, data = path.relative_to(root).as_posix(), path.read_bytes()
        if path.suffix.lower() in METADATA_SUFFIXES:
            try:
                data = strip_metadata(data, path.suffix)
            except ValueError as exc:
                problems.append(Problem(path.relative_to(config.root).as_posix(), None, str(exc)))
        files[name] = data
    if problems:
        raise SiteError(problems)
    return files


def bundle_files(config: Config, articles: tuple[Article, ...]) -> dict[str, dict[str, bytes]]:
    """For each article written as a folder (`content/2024/x/index.md`), the other files in that
    folder, by their path inside it. Images are left to the images step, which writes them
    encoded and without their metadata, never as they are."""
    found: dict[str, dict[str, bytes]] = {}
    for article in articles:
        if not article.source.endswith("/index.md"):
            continue
        folder = config.root / article.source.removesuffix("index.md")
        files = {p.relative_to(folder).as_posix(): p for p in sorted(folder.rglob("*"))
                 if p.is_file() and p.suffix != ".md" and p.suffix.lower() not in IMAGE_SUFFIXES
                 and not any(part.startswith((".", "_")) for part in p.relative_to(folder).parts)}
        if files:
            found[article.source] = {name: path.read_bytes() for name, path in files.items()}
    return found
