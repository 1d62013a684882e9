"""Stage 5: put the rendered files in place: staged first, swapped in, unchanged bytes untouched."""

from __future__ import annotations

import hashlib
import json
import os
import posixpath
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping, Sequence

from .errors import SiteError
from .render import OutputFile


@dataclass(frozen=True, slots=True)
class WriteReport:
    written: int
    unchanged: int
    deleted: int


def safe_join(root: Path, relative: str) -> Path:
    """root/relative, refusing any path that would land outside root."""
    normal = posixpath.normpath(relative)
    if normal.startswith(("../", "/")) or normal == ".." or "\\" in relative or "\0" in relative:
        raise SiteError.at(relative, None, "would write outside the output folder")
    return root / normal


class Manifest:
    """What the previous build into one output folder wrote: path -> (key, size, mtime_ns)."""

    def __init__(self, cache_dir: Path, output_dir: Path):
        name = hashlib.blake2b(str(output_dir.resolve()).encode(), digest_size=8).hexdigest()
        self.path = cache_dir / f"manifest-{name}.json"
        self.output_dir = output_dir
        try:
            self.entries: dict[str, list] = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            self.entries = {}
        if not isinstance(self.entries, dict):
            self.entries = {}

    def still_valid(self) -> dict[str, str]:
        """path -> key for files that are on disk exactly as the previous build left them."""
        valid = {}
        for path, entry in self.entries.items():
            try:
                key, size, mtime = entry
                st = os.stat(self.output_dir / path)
            except (OSError, ValueError, TypeError):
                continue
            if st.st_size == size and st.st_mtime_ns == mtime:
                valid[path] = key
        return valid

    def save(self, entries: dict[str, list]) -> None:
        """Store the new entries atomically."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(f".tmp{os.getpid()}")
        tmp.write_text(json.dumps(entries, separators=(",", ":"), sort_keys=True), encoding="utf-8")
        os.replace(tmp, self.path)


def check_output_dir(output_dir: Path, root: Path) -> None:
    """Refuse an output folder that would overwrite the site's own sources."""
    out, site = output_dir.resolve(), root.resolve()
    protected = [site / name for name in ("content", "layouts", "static", "sources", "tests", ".git")]
    if out == site or out in site.parents or any(out == p or p in out.parents for p in protected):
        raise SiteError.at("--output", None, f"{output_dir} would overwrite the site's own files: "
                                             "choose an empty or generated folder such as output/")


def write_output(files: Sequence[OutputFile], output_dir: Path, manifest: Manifest) -> WriteReport:
    """Stage every changed file beside output_dir, then move them in and remove stale files.

    A failed build never reaches this stage, so output_dir keeps the last good site until a
    good build replaces it; unchanged files keep their bytes and times."""
    wanted = {f.path for f in files}
    targets = {f.path: safe_join(output_dir, f.path) for f in files}
    changed = [f for f in files if f.content is not None]
    if output_dir.exists():
        on_disk = set(manifest.entries) if manifest.entries else _walk_files(output_dir)
    else:
        on_disk = set()
    stale = sorted(p for p in on_disk - wanted if (output_dir / p).is_file() or (output_dir / p).is_symlink())

    staging = output_dir.parent / f".{output_dir.name}.staging-{os.getpid()}"
    if staging.exists():
        shutil.rmtree(staging)
    try:
        staging.mkdir(parents=True)
        made: set[Path] = set()
        for f in changed:
            staged = staging / posixpath.normpath(f.path)
            if staged.parent not in made:
                staged.parent.mkdir(parents=True, exist_ok=True)
                made.add(staged.parent)
            staged.write_bytes(f.content)  # type: ignore[arg-type]
        if not output_dir.exists():
            os.replace(staging, output_dir)
        else:
            made = set()
            for f in changed:
                target = targets[f.path]
                if target.parent not in made:
                    if target.parent.is_file():
                        target.parent.unlink()
                    target.parent.mkdir(parents=True, exist_ok=True)
                    made.add(target.parent)
                if target.is_dir():
                    shutil.rmtree(target)
                os.replace(staging / posixpath.normpath(f.path), target)
            for path in stale:
                (output_dir / path).unlink(missing_ok=True)
            _prune_empty_dirs(output_dir, {(output_dir / p).parent for p in stale})
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)

    entries = {}
    previous = manifest.entries
    changed_paths = {f.path for f in changed}
    for f in files:
        if f.path in changed_paths or f.path not in previous:
            st = os.stat(targets[f.path])
            entries[f.path] = [f.key, st.st_size, st.st_mtime_ns]
        else:
            entries[f.path] = previous[f.path]
    if entries != previous:
        manifest.save(entries)
    return WriteReport(written=len(changed), unchanged=len(files) - len(changed), deleted=len(stale))


def _walk_files(root: Path) -> set[str]:
    found = set()
    for folder, _, names in os.walk(root):
        for name in names:
            found.add((Path(folder) / name).relative_to(root).as_posix())
    return found


def _prune_empty_dirs(root: Path, folders: set[Path]) -> None:
    """Remove folders emptied by deleting stale files, deepest first, never root itself."""
    for folder in sorted(folders, key=lambda p: len(p.parts), reverse=True):
        while folder != root and root in folder.parents:
            try:
                folder.rmdir()
            except OSError:
                break
            folder = folder.parent
