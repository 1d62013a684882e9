"""Stage 6: put the rendered files in place. `stage` writes what changed beside the output
folder; `commit` swaps it in once the whole site checked out. Unchanged bytes are never rewritten."""

from __future__ import annotations

import hashlib
import os
import pickle
import posixpath
import queue
import shutil
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

from .errors import SiteError
from .files import as_left, write_atomic
from .links import LinkFacts
from .parallel import close_source
from .render import OutputFile


@dataclass(frozen=True, slots=True)
class ManifestEntry:
    """One file as the previous build left it."""

    key: str                     # the page's fingerprint ('' when it must be rendered again)
    size: int
    mtime_ns: int
    targets: tuple[str, ...]     # what it links to
    images: tuple[str, ...] = ()     # what a phone loads of its pictures, and what it does not
    unweighed: tuple[str, ...] = ()

    @property
    def links(self) -> LinkFacts:
        return LinkFacts(self.size, self.targets, (), self.images, self.unweighed)


@dataclass(frozen=True, slots=True)
class WriteReport:
    written: int
    unchanged: int
    deleted: int
    touched: frozenset[str] = frozenset()  # paths written or deleted, for the preview's reloads


@dataclass
class Staged:
    """Files rendered into a staging folder, not yet in the output folder."""

    folder: Path
    output_dir: Path
    facts: dict[str, LinkFacts] = field(default_factory=dict)   # every file of the new site
    changed: dict[str, str] = field(default_factory=dict)       # path -> key, staged
    same: dict[str, str] = field(default_factory=dict)          # path -> key, new inputs, same bytes
    threads: int = 1                                            # threads that write its files

    def discard(self) -> None:
        """Drop the staging folder; the output folder keeps the last good site."""
        if self.folder.exists():
            shutil.rmtree(self.folder, ignore_errors=True)


class Manifest:
    """What the previous build into one output folder wrote, by path."""

    FORMAT = 5

    def __init__(self, cache_dir: Path | None, output_dir: Path):
        """With no cache_dir the manifest lives in memory only (a build with --no-cache)."""
        self.path = cache_dir / f"manifest-{self.name(output_dir)}.pickle" if cache_dir is not None else None
        self.output_dir = output_dir
        self.entries: dict[str, ManifestEntry] = self._load()

    @staticmethod
    def name(output_dir: Path) -> str:
        """A short name for an output folder, for the files that describe it in the cache."""
        return hashlib.blake2b(str(output_dir.resolve()).encode(), digest_size=8).hexdigest()

    def _load(self) -> dict[str, ManifestEntry]:
        if self.path is None:
            return {}
        try:
            with self.path.open("rb") as f:
                stored = pickle.load(f)
            if type(stored) is not tuple or stored[0] != self.FORMAT:
                return {}
            return {path: ManifestEntry(*fields) for path, fields in stored[1].items()}
        except Exception:  # missing, damaged or foreign: no manifest, so every page is rendered again
            return {}

    def keys(self) -> dict[str, str]:
        """path -> key of every entry, trusted without looking at the disk."""
        return {path: entry.key for path, entry in self.entries.items()}

    def still_valid(self) -> dict[str, str]:
        """path -> key for files that are on disk exactly as the previous build left them."""
        root = str(self.output_dir) + os.sep
        return {path: entry.key for path, entry in self.entries.items()
                if as_left(root + path, entry.size, entry.mtime_ns)}

    def save(self, entries: dict[str, ManifestEntry]) -> None:
        """Store the new entries atomically, as tuples of plain values: pickle stores a link
        target shared by many pages once, and reads the whole table in a third of JSON's time."""
        self.entries = entries
        if self.path is None:
            return
        files = {path: (e.key, e.size, e.mtime_ns, e.targets, e.images, e.unweighed) for path, e in entries.items()}
        write_atomic(self.path, pickle.dumps((self.FORMAT, files), protocol=pickle.HIGHEST_PROTOCOL))


def check_relative(relative: str) -> None:
    """Refuse an output path that would land outside the output folder."""
    if relative.startswith("/") or "\\" in relative or "\0" in relative or ".." in relative.split("/"):
        raise SiteError.at(relative, None, "would write outside the output folder")


def check_output_dir(output_dir: Path, root: Path) -> None:
    """Refuse an output folder that would overwrite the site's own sources."""
    out, site = output_dir.resolve(), root.resolve()
    protected = [site / name for name in ("content", "layouts", "static", "sources", "tests", ".git")]
    if out == site or out in site.parents or any(out == p or p in out.parents for p in protected):
        raise SiteError.at("--output", None, f"{output_dir} would overwrite the site's own files: "
                                             "choose an empty or generated folder such as output/")


def stage(files: Iterable[OutputFile], output_dir: Path, manifest: Manifest, threads: int = 1) -> Staged:
    """Write every changed file into a staging folder beside output_dir as it arrives.

    A file whose bytes equal what is on disk is not staged (its time is kept). If producing
    the files fails, the staging folder is removed and the error goes on. Files are written on
    `threads` threads, here and in stage_more."""
    return stage_more(open_staging(output_dir, threads), files, manifest)


def staging_folder(output_dir: Path) -> Path:
    """Where this process stages a build of output_dir: beside it."""
    return output_dir.parent / f".{output_dir.name}.staging-{os.getpid()}"


def open_staging(output_dir: Path, threads: int = 1) -> Staged:
    """An empty staging folder beside output_dir, for stage_more (and a StagingWriter)."""
    staged = Staged(staging_folder(output_dir), output_dir, threads=threads)
    staged.discard()
    staged.folder.mkdir(parents=True)
    return staged


class StagingWriter:
    """Stages a page where it is rendered, as stage_more would (render_site's `stage`, in a
    forked worker): 'same' when the output folder holds these bytes from the previous build,
    'staged' once written, '' to leave the page to stage_more (a path it refuses, a write that
    failed, a staging folder already gone: it says why, or is failing already)."""

    def __init__(self, output_dir: Path, manifest: Manifest):
        self.root = str(staging_folder(output_dir))
        self.folder, self.output_dir = self.root + os.sep, str(output_dir) + os.sep
        self.previous = manifest.entries
        self.made: set[str] = set()

    def __call__(self, path: str, content: bytes) -> str:
        try:
            check_relative(path)
            if unchanged(self.previous, self.output_dir, path, content):
                return "same"
            target = self.folder + posixpath.normpath(path)
            write_staged(target, os.path.dirname(target), content, self.made, within=self.root)
        except (SiteError, OSError):
            return ""
        return "staged"


def unchanged(previous: dict[str, ManifestEntry], output_dir: str, path: str, content: bytes) -> bool:
    """Whether the previous build wrote this file and it still holds exactly these bytes: new
    inputs, the same page, whose file (and time) is kept."""
    return path in previous and _same_bytes(output_dir + path, content)


def stage_more(staged: Staged, files: Iterable[OutputFile], manifest: Manifest) -> Staged:
    """Add files to a staging folder (the site's, then the search index made from its pages and
    the share cards drawn later); every file is written when this returns. A file a worker
    staged itself comes with its facts only."""
    previous = manifest.entries
    # Plain strings, not Paths: at 13,000 files pathlib's own work is a tenth of a second
    output_dir, folder = str(staged.output_dir) + os.sep, str(staged.folder) + os.sep
    writers = _Writers(staged.threads)
    try:
        for f in files:
            if f.staged:  # by the worker that rendered it, its path checked there
                staged.facts[f.path] = _shared(f.links)  # type: ignore[arg-type]
                (staged.changed if f.staged == "staged" else staged.same)[f.path] = f.key
                continue
            check_relative(f.path)
            if f.content is None:
                staged.facts[f.path] = previous[f.path].links
                continue
            staged.facts[f.path] = _shared(f.links) if f.links else LinkFacts(len(f.content))
            if unchanged(previous, output_dir, f.path, f.content):
                staged.same[f.path] = f.key
                continue
            staged.changed[f.path] = f.key
            writers.write(folder + posixpath.normpath(f.path), f.content)
        writers.close()
    except BaseException:
        try:
            writers.close(failing=True)  # a second Ctrl-C while it waits still removes the folder
        finally:
            try:
                close_source(files)  # a renderer's workers stop before their staging folder goes
            finally:
                staged.discard()
        raise
    return staged


class _Writers:
    """Staged files written on a few threads, each folder's files on one of them.

    Making a file or a folder is the kernel's work, and it can be most of a cold build's: on
    ext4 without a journal, each new inode skips the ones freed in the last minute, so after an
    output folder of 14,000 files is deleted, each file made costs 0.2 to 0.4 ms of system time.
    Threads spread that over the cores while the pages are rendered (the calls release the GIL).
    When the build fails, what is still queued is dropped, and the staging folder is removed only
    once every thread has stopped."""

    def __init__(self, threads: int):
        self.count = max(1, threads)
        self.queues: list[queue.Queue] = []
        self.threads: list[threading.Thread] = []
        self.failed: BaseException | None = None
        self.stopped = False  # the build failed: threads drop what is queued

    def write(self, target: str, content: bytes) -> None:
        if not self.threads:
            # Bounded (about 10 MB of pages a thread): where writing is slower than rendering, the
            # builder waits instead of holding the site in memory
            self.queues = [queue.Queue(maxsize=1024) for _ in range(self.count)]
            for q in self.queues:  # only started threads are joined ("can't start new thread")
                thread = threading.Thread(target=self._run, args=(q,), daemon=True)
                thread.start()
                self.threads.append(thread)
        if self.failed is not None:
            raise self.failed
        parent = os.path.dirname(target)
        # By the folder above the file's: a month's articles, each in its own folder, on one thread
        self.queues[hash(os.path.dirname(parent)) % self.count].put((target, parent, content))

    def close(self, failing: bool = False) -> None:
        """Wait for every file; raise the first error a thread met, unless already failing.
        When failing, queued files are dropped: only the one each thread is writing is waited for,
        and a second Ctrl-C does not stop the wait (the staging folder is removed after it)."""
        if failing:
            self.stopped = True
        for q in self.queues:
            q.put(None)
        interrupted = None
        for thread in self.threads:
            while True:
                try:
                    thread.join()
                    break
                except KeyboardInterrupt as exc:
                    if not failing:
                        raise
                    interrupted = exc
        self.threads = []
        if interrupted is not None:
            raise interrupted
        if self.failed is not None and not failing:
            raise self.failed

    def _run(self, jobs: queue.Queue) -> None:
        made: set[str] = set()
        while (job := jobs.get()) is not None:
            if self.failed is not None or self.stopped:
                continue  # drain: the build stops
            target, parent, content = job
            try:
                write_staged(target, parent, content, made)
            except BaseException as exc:  # noqa: BLE001 (raised again in the builder's thread)
                if self.failed is None:
                    self.failed = exc


def write_staged(target: str, parent: str, content: bytes, made: set[str], within: str | None = None) -> None:
    """Write one staged file; its folder is made the first time this writer meets it (`made`),
    inside `within` when given (make_folder)."""
    if parent not in made:
        make_folder(parent, within)
        made.add(parent)
    with open(target, "wb") as out:
        out.write(content)


def make_folder(path: str, within: str | None = None) -> None:
    """os.makedirs(path, exist_ok=True), in one call when the folder above exists (an article's
    folder in its month's): makedirs looks for that folder first, a second system call for each
    of 10,000 article folders. With `within`, a folder inside it, which is not made again once
    gone (a failed build removed its staging folder): FileNotFoundError then."""
    try:
        os.mkdir(path)
    except FileExistsError:
        if not os.path.isdir(path):
            raise
    except FileNotFoundError:
        if within is not None and not os.path.isdir(within):
            raise
        os.makedirs(path, exist_ok=True)


def commit(staged: Staged, manifest: Manifest) -> WriteReport:
    """Move the staged files in, remove files the new site no longer has, record the manifest."""
    output_dir, previous = staged.output_dir, manifest.entries
    try:
        on_disk = (set(previous) if previous else _walk_files(output_dir)) if output_dir.exists() else set()
        stale = sorted(p for p in on_disk - staged.facts.keys()
                       if (output_dir / p).is_file() or (output_dir / p).is_symlink())
        if not output_dir.exists():
            os.replace(staged.folder, output_dir)
        else:
            _swap_in(staged.folder, output_dir, list(staged.changed))
            for path in stale:
                (output_dir / path).unlink(missing_ok=True)
            _prune_empty_dirs(output_dir, {(output_dir / p).parent for p in stale})
    finally:
        staged.discard()
    entries = _entries(staged, previous)
    if entries != previous:
        manifest.save(entries)
    return WriteReport(written=len(staged.changed), unchanged=len(staged.facts) - len(staged.changed),
                       deleted=len(stale), touched=frozenset(staged.changed) | frozenset(stale))


def _entries(staged: Staged, previous: dict[str, ManifestEntry]) -> dict[str, ManifestEntry]:
    """The manifest of the site just committed."""
    root = str(staged.output_dir) + os.sep
    entries = {}
    for path, facts in staged.facts.items():
        key = staged.changed.get(path) or staged.same.get(path)
        if key is not None:
            entries[path] = ManifestEntry(key, facts.size, os.stat(root + path).st_mtime_ns, facts.targets,
                                          facts.images, facts.unweighed)
        else:
            entries[path] = previous[path]
    return entries


def write_one(file: OutputFile, output_dir: Path, manifest: Manifest) -> None:
    """Replace one file in place (a temp file, then a rename), ahead of a full build.

    Its manifest entry loses its key: the full build renders the page again and checks its
    links, but finds the same bytes on disk and leaves the file alone."""
    check_relative(file.path)
    assert file.content is not None
    target = output_dir / posixpath.normpath(file.path)
    write_atomic(target, file.content)
    old = manifest.entries.get(file.path)
    manifest.entries = {**manifest.entries, file.path: ManifestEntry(
        "", len(file.content), os.stat(target).st_mtime_ns, *((old.targets, old.images, old.unweighed) if old else ()))}


def _swap_in(staging: Path, output_dir: Path, changed: list[str]) -> None:
    """Move each staged file over its place in output_dir: a rename each, no copying. Pages go
    last, so a page being served never names an image or file that is not there yet."""
    made: set[Path] = set()
    for path in sorted(changed, key=lambda name: name.endswith(".html")):
        target = output_dir / posixpath.normpath(path)
        if target.parent not in made:
            if target.parent.is_file():
                target.parent.unlink()
            target.parent.mkdir(parents=True, exist_ok=True)
            made.add(target.parent)
        if target.is_dir():
            shutil.rmtree(target)
        os.replace(staging / posixpath.normpath(path), target)


def _shared(facts: LinkFacts) -> LinkFacts:
    """The facts with each link target as the one string every page shares (sys.intern). A
    worker's facts come through a pipe with copies of their own: at 100,000 articles, 2.2 million
    links to 137,000 files took a million strings in memory and in the manifest."""
    targets = tuple(map(sys.intern, facts.targets))
    if not (facts.images or facts.unweighed):
        return LinkFacts(facts.size, targets, facts.problems)
    return LinkFacts(facts.size, targets, facts.problems, tuple(map(sys.intern, facts.images)),
                     tuple(map(sys.intern, facts.unweighed)))


def _same_bytes(path: str, content: bytes) -> bool:
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
