"""Stage 5: put the rendered files in place: staged first, swapped in, unchanged bytes untouched."""

from __future__ import annotations

import hashlib
import json
import os
import posixpath
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Mapping

from .errors import SiteError
from .files import write_atomic
from .links import LinkChecker
from .render import OutputFile


@dataclass(frozen=True, slots=True)
class WriteReport:
    written: int
    unchanged: int
    deleted: int
    touched: frozenset[str] = frozenset()  # paths written or deleted, for the preview's reloads


def check_relative(relative: str) -> None:
    """Refuse an output path that would land outside the output folder."""
    if relative.startswith("/") or "\\" in relative or "\0" in relative or ".." in relative.split("/"):
        raise SiteError.at(relative, None, "would write outside the output folder")


class Manifest:
    """What the previous build into one output folder wrote: path -> (key, size, mtime_ns, link targets)."""

    FORMAT = 2

    def __init__(self, cache_dir: Path | None, output_dir: Path):
        """With no cache_dir the manifest lives in memory only (a build with --no-cache)."""
        name = hashlib.blake2b(str(output_dir.resolve()).encode(), digest_size=8).hexdigest()
        self.path = cache_dir / f"manifest-{name}.json" if cache_dir is not None else None
        self.output_dir = output_dir
        self.entries: dict[str, tuple[str, int, int, tuple[str, ...]]] = {}
        if self.path is None:
            return
        try:
            stored = json.loads(self.path.read_text(encoding="utf-8"))
            if stored.get("format") == self.FORMAT:
                table = stored["targets"]
                self.entries = {path: (key, size, mtime, tuple(table[i] for i in targets))
                                for path, (key, size, mtime, targets) in stored["files"].items()}
        except (OSError, ValueError, KeyError, TypeError, AttributeError, IndexError):
            self.entries = {}

    def still_valid(self) -> dict[str, str]:
        """path -> key for files that are on disk exactly as the previous build left them."""
        valid = {}
        root = str(self.output_dir) + os.sep
        for path, (key, size, mtime, _) in self.entries.items():
            try:
                st = os.stat(root + path)
            except OSError:
                continue
            if st.st_size == size and st.st_mtime_ns == mtime:
                valid[path] = key
        return valid

    def save(self, entries: dict[str, tuple[str, int, int, tuple[str, ...]]]) -> None:
        """Store the new entries atomically, link targets shared through one table."""
        table: dict[str, int] = {}
        self.entries = entries
        if self.path is None:
            return
        files = {path: [key, size, mtime, [table.setdefault(t, len(table)) for t in targets]]
                 for path, (key, size, mtime, targets) in entries.items()}
        write_atomic(self.path, json.dumps({"format": self.FORMAT, "targets": list(table), "files": files},
                                           separators=(",", ":"), sort_keys=True))


def check_output_dir(output_dir: Path, root: Path) -> None:
    """Refuse an output folder that would overwrite the site's own sources."""
    out, site = output_dir.resolve(), root.resolve()
    protected = [site / name for name in ("content", "layouts", "static", "sources", "tests", ".git")]
    if out == site or out in site.parents or any(out == p or p in out.parents for p in protected):
        raise SiteError.at("--output", None, f"{output_dir} would overwrite the site's own files: "
                                             "choose an empty or generated folder such as output/")


def write_output(files: Iterable[OutputFile], output_dir: Path, manifest: Manifest,
                 checker: LinkChecker, origins: Mapping[str, str]) -> WriteReport:
    """Stage every changed file beside output_dir as it arrives, check links and weights over
    the whole site, then move the changed files in and remove stale ones.

    If producing the files fails (a template error) or a check fails, the staging folder is
    dropped and output_dir keeps the last good site; unchanged files keep their bytes and times."""
    staging = output_dir.parent / f".{output_dir.name}.staging-{os.getpid()}"
    if staging.exists():
        shutil.rmtree(staging)
    facts: dict[str, tuple[int, tuple[str, ...]]] = {}
    changed: dict[str, str] = {}
    same: dict[str, str] = {}
    previous = manifest.entries
    try:
        staging.mkdir(parents=True)
        made: set[Path] = set()
        for f in files:
            check_relative(f.path)
            if f.content is None:
                _, size, _, targets = previous[f.path]
                facts[f.path] = (size, targets)
                continue
            targets = f.targets if f.targets is not None else checker.targets(f.path, f.content)
            facts[f.path] = (len(f.content), targets)
            if f.path in previous and _same_bytes(output_dir / f.path, f.content):
                same[f.path] = f.key  # new inputs, same page: keep the file and its time
                continue
            changed[f.path] = f.key
            staged = staging / posixpath.normpath(f.path)
            if staged.parent not in made:
                staged.parent.mkdir(parents=True, exist_ok=True)
                made.add(staged.parent)
            with open(staged, "wb") as out:
                out.write(f.content)
        checker.verify(facts, origins)
        if output_dir.exists():
            on_disk = set(previous) if previous else _walk_files(output_dir)
        else:
            on_disk = set()
        stale = sorted(p for p in on_disk - facts.keys()
                       if (output_dir / p).is_file() or (output_dir / p).is_symlink())
        if not output_dir.exists():
            os.replace(staging, output_dir)
        else:
            _swap_in(staging, output_dir, list(changed))
            for path in stale:
                (output_dir / path).unlink(missing_ok=True)
            _prune_empty_dirs(output_dir, {(output_dir / p).parent for p in stale})
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)

    root = str(output_dir) + os.sep
    entries = {}
    for path, (size, targets) in facts.items():
        if path in changed or path in same:
            entries[path] = (changed.get(path) or same[path], size, os.stat(root + path).st_mtime_ns, targets)
        else:
            entries[path] = previous[path]
    if entries != previous:
        manifest.save(entries)
    return WriteReport(written=len(changed), unchanged=len(facts) - len(changed), deleted=len(stale),
                       touched=frozenset(changed) | frozenset(stale))


def write_one(file: OutputFile, output_dir: Path, manifest: Manifest) -> None:
    """Replace one file in place (a temp file, then a rename), ahead of a full build.

    Its manifest entry loses its key: the full build renders the page again and checks its
    links, but finds the same bytes on disk and leaves the file alone."""
    check_relative(file.path)
    assert file.content is not None
    target = output_dir / posixpath.normpath(file.path)
    write_atomic(target, file.content)
    _, _, _, targets = manifest.entries.get(file.path, ("", 0, 0, ()))
    manifest.entries = {**manifest.entries, file.path: ("", len(file.content),
                                                         os.stat(target).st_mtime_ns, targets)}


def _swap_in(staging: Path, output_dir: Path, changed: list[str]) -> None:
    """Move each staged file over its place in output_dir: a rename each, no copying."""
    made: set[Path] = set()
    for path in changed:
        target = output_dir / posixpath.normpath(path)
        if target.parent not in made:
            if target.parent.is_file():
                target.parent.unlink()
            target.parent.mkdir(parents=True, exist_ok=True)
            made.add(target.parent)
        if target.is_dir():
            shutil.rmtree(target)
        os.replace(staging / posixpath.normpath(path), target)


def _same_bytes(path: Path, content: bytes) -> bool:
    """Whether the file on disk already holds exactly these bytes."""
    try:
        if os.stat(path).st_size != len(content):
            return False
        with open(path, "rb") as f:
            return f.read() == content
    except OSError:
        return False


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
