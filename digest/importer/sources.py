"""Which raw files a run reads, how imported_from names them, and which articles record them."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Mapping, Sequence

import yaml

from ..config import Config
from ..errors import Problem
from ..frontmatter import split_front_matter

_IMPORTED_FROM = re.compile(r"^imported_from:[ \t]*(.*?)[ \t]*$", re.MULTILINE)


def raw_files(folder: Path) -> list[Path]:
    """Every .txt file under a folder, skipping hidden ones."""
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.rglob("*.txt")
                  if p.is_file() and not any(part.startswith(".") for part in p.relative_to(folder).parts))


def expand_paths(paths: Sequence[Path], failed: list[Problem],
                 warnings: list[Problem]) -> list[tuple[Path, str]]:
    """(file, name as given) for each path: files as they are, folders as their .txt files."""
    found: dict[Path, str] = {}
    for path in paths:
        if path.is_dir():
            files = raw_files(path)
            if not files:
                warnings.append(Problem(str(path), None, "has no .txt files"))
            for file in files:
                found.setdefault(file.resolve(), str(path / file.relative_to(path)))
        elif path.is_file():
            found.setdefault(path.resolve(), str(path))
        else:
            failed.append(Problem(str(path), None, "no such file or folder"))
    return [(Path(resolved), shown) for resolved, shown in found.items()]


def new_sources(config: Config, root: Path, by_source: Mapping[str, Path]) -> list[tuple[Path, str]]:
    """(file, name from the site root) for each .txt in sources/ that no article records yet."""
    found = [(p, p.relative_to(config.root).as_posix()) for p in raw_files(config.root / "sources")]
    return [(p, shown) for p, shown in found if provenance(root, p) not in by_source]


def provenance(root: Path, raw: Path) -> str:
    """How imported_from names a raw file: relative to the (resolved) site root, or its name when outside."""
    resolved = raw.resolve()
    return resolved.relative_to(root).as_posix() if resolved.is_relative_to(root) else raw.name


def imported_from(text: str) -> str | None:
    """The imported_from an article file's front matter records, or None."""
    if not text.startswith("---\n"):
        return None
    split = split_front_matter(text)
    # Only that one line is read as YAML. A block that is never closed is searched to the end.
    match = _IMPORTED_FROM.search(split[0] if split else text[4:])
    if not match:
        return None
    try:
        value = yaml.safe_load(match.group(1)) if match.group(1) else None
    except yaml.YAMLError:  # the build reports that article's front matter; here it records nothing
        return None
    return str(value) if value is not None else None


def imported_articles(config: Config) -> dict[str, Path]:
    """imported_from -> article file, for every article under content/ that records one."""
    found: dict[str, Path] = {}
    if not config.content_dir.is_dir():
        return found
    for path in sorted(config.content_dir.rglob("*.md")):
        try:
            source = imported_from(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError):
            continue  # the build reports unreadable articles; here they just record nothing
        if source:
            found.setdefault(source, path)
    return found
