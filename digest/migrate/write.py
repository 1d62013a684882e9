"""Writing a migration all or nothing: every file staged in a hidden folder inside the site, then
moved into content/ and static/; a move that fails puts back everything moved before it."""

from __future__ import annotations

import contextlib
import filecmp
import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from ..errors import Problem, SiteError
from ..files import write_atomic


@dataclass(frozen=True, slots=True)
class Planned:
    """One file the migration writes: converted text, or a file copied as it is."""

    target: str                    # from the site root: content/2014/x.md, static/assets/a.png
    text: str | None = None
    copy: Path | None = None


def settle(root: Path, planned: Iterable[Planned], force: bool) -> tuple[list[Planned], list[str]]:
    """(the files to write, the targets already as they would be written). Without --force, a
    target that exists and differs stops the migration: a SiteError names each one."""
    to_write: list[Planned] = []
    unchanged: list[str] = []
    problems: list[Problem] = []
    for item in planned:
        target = root / item.target
        if target.is_dir():
            problems.append(Problem(item.target, None, "is a folder: move it away, then migrate again"))
        elif not target.exists():
            to_write.append(item)
        elif _same(target, item):
            unchanged.append(item.target)
        elif force:
            to_write.append(item)
        else:
            problems.append(Problem(item.target, None, "exists and differs: migrate with --force to overwrite it"))
    if problems:
        raise SiteError(problems)
    return to_write, unchanged


def _same(target: Path, item: Planned) -> bool:
    """Whether the file on disk already holds what would be written."""
    if item.copy is not None:
        return filecmp.cmp(target, item.copy, shallow=False)
    return target.read_bytes() == (item.text or "").encode("utf-8")


def write_all(root: Path, planned: list[Planned]) -> None:
    """Stage every file, then move them all in; on any failure the site is left as it was."""
    staging = root / f".migrate-{os.getpid()}.tmp"
    try:
        for item in planned:
            _stage(staging / item.target, item)
        _move_in(root, staging, planned)
    except OSError as exc:
        raise SiteError.at(getattr(exc, "filename", None) and _shown(root, exc.filename) or str(root), None,
                           f"could not be written ({exc.strerror or exc}): nothing was changed") from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _stage(path: Path, item: Planned) -> None:
    """Write one file into the staging folder."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if item.copy is not None:
        shutil.copyfile(item.copy, path)
    else:
        write_atomic(path, item.text or "")


def _move_in(root: Path, staging: Path, planned: list[Planned]) -> None:
    """Move staged files to their targets; undo every move when one fails, and raise its error."""
    moved: list[tuple[Path, Path | None]] = []      # (target, where the file it replaced was kept)
    made: list[Path] = []                            # folders created, deepest last
    try:
        for item in planned:
            target = root / item.target
            missing = [p for p in target.parents if not p.exists() and p.is_relative_to(root)]
            for folder in reversed(missing):
                folder.mkdir()
                made.append(folder)
            kept = None
            if target.exists():
                kept = staging / ".replaced" / item.target
                kept.parent.mkdir(parents=True, exist_ok=True)
                os.replace(target, kept)
            moved.append((target, kept))
            os.replace(staging / item.target, target)
    except OSError:
        _undo(moved, made)
        raise


def _undo(moved: list[tuple[Path, Path | None]], made: list[Path]) -> None:
    """Put back what _move_in did: each file it replaced, no file it added, no folder it made."""
    for target, kept in reversed(moved):
        with contextlib.suppress(OSError):   # the failed move may have left nothing to take back
            if kept is not None:
                os.replace(kept, target)
            else:
                target.unlink(missing_ok=True)
    for folder in reversed(made):
        with contextlib.suppress(OSError):
            folder.rmdir()


def _shown(root: Path, filename: str) -> str:
    """A path in an error message: from the site root, the staging folder left out."""
    path = Path(filename)
    if not path.is_relative_to(root):
        return filename
    parts = path.relative_to(root).parts
    return "/".join(parts[1:] if parts and parts[0].startswith(".migrate-") else parts)
