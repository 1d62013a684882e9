"""Stage 2: find the article files, decide which must be converted, and keep what conversion
gave. The one owner of the build cache and of its version."""

from __future__ import annotations

import functools
import hashlib
import importlib.metadata
import os
import pickle
import time
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Mapping, NamedTuple

from .config import Config
from .content import SQUEEZE_ABOVE, ReadResult, read_article
from .errors import Problem
from .files import module_file, replacing, settled, stat_line
from .parallel import forks, parallel_map

ENGINE_VERSION = "5"  # bump when a change in what converts an article (content.py, the filters) alters what it becomes
CACHE_FORMAT = f"digest-cache-{ENGINE_VERSION}-2"
STATS = "stats"  # the first item of a record of file stats


@dataclass(frozen=True, slots=True)
class SeenFile:
    """A content file as a long-lived builder last read it."""

    stamp: tuple[int, int]      # (mtime_ns, size)
    result: ReadResult


@dataclass(frozen=True, slots=True)
class Reading:
    """What reading content/ gave: every file's result in source order, and what to remember."""

    results: tuple[ReadResult, ...]
    converted: int                         # files converted from Markdown this time
    seen: Mapping[str, SeenFile]           # source -> stamp and result, for the next read


def find_sources(config: Config) -> list[tuple[str, str, os.stat_result]]:
    """(path, path relative to the site root, stat) of every article file under content/,
    skipping hidden files and editors' temp files, in order of the relative path."""
    prefix = len(str(config.root)) + 1
    found = []
    folders = [str(config.content_dir)]
    while folders:
        try:
            entries = list(os.scandir(folders.pop()))
        except OSError:
            continue
        for entry in entries:
            name = entry.name
            if entry.is_dir(follow_symlinks=False):  # as os.walk: a linked folder is not entered
                if name == "_posts" or not name.startswith((".", "_", "#")):  # Jekyll's posts: read
                    folders.append(entry.path)
            elif name.endswith(".md") and not name.startswith((".", "_", "#")):
                try:
                    found.append((entry.path, entry.path[prefix:].replace(os.sep, "/"), entry.stat()))
                except OSError:  # gone since the folder was listed
                    continue
    found.sort(key=lambda item: item[1])
    return found


def file_digest(source: str, data: bytes, settings: str) -> str:
    """A key that changes when the file, its place, its settings or this engine change."""
    h = hashlib.blake2b(data, digest_size=16)
    h.update(source.encode())
    h.update(settings.encode())
    h.update(ENGINE_VERSION.encode())
    return h.hexdigest()


def read_source(config: Config, source: str, data: bytes) -> ReadResult:
    """Convert one file's bytes, named by its path relative to the site root."""
    return read_article(source, data, config, file_digest(source, data, reading_settings(config)))


def reading_settings(config: Config) -> str:
    """What converts a file besides its bytes: the settings, Markdown's version and the code of
    the extensions named (a new version of either converts every article again)."""
    return config.markdown_fingerprint() + _library_key(config.markdown_extensions)


@functools.lru_cache(maxsize=8)
def _library_key(extensions: tuple[str, ...]) -> str:
    """A digest of Markdown's version and of the file of each extension module named, by its
    bytes: the same after a reinstall (a CI runner installs afresh every time), another after an
    upgrade. A name Markdown resolves itself ('extra') counts as Markdown's version."""
    try:
        parts = [importlib.metadata.version("markdown")]
    except importlib.metadata.PackageNotFoundError:
        parts = [""]
    for name in extensions:
        module = name.split(":")[0]
        found = module_file(module)
        if found is not None:
            parts.append(module + "\0" + hashlib.blake2b(found.read_bytes(), digest_size=8).hexdigest())
    return hashlib.blake2b("\n".join(parts).encode(), digest_size=6).hexdigest()


def read_articles(config: Config, cache: "ArticleCache", workers: int,
                  seen: Mapping[str, SeenFile]) -> Reading:
    """Read every article file, converting on every core only what neither `seen` (files
    unchanged since the last read) nor the cache already holds."""
    results: list[ReadResult | None] = []
    jobs: list[_Job] = []
    stamps: dict[str, tuple[int, int]] = {}
    settings = reading_settings(config)
    # With nothing cached (a cold build), no digest can find anything: the workers read each
    # file and take its digest themselves, instead of this process reading them all first
    lazy = cache.empty
    looked_at = time.time()
    for path, source, st in find_sources(config):
        stamp = (st.st_mtime_ns, st.st_size)
        if settled(st, looked_at):  # else a second save in the same clock tick would look the same
            stamps[source] = stamp
        known = seen.get(source)
        if known is not None and known.stamp == stamp:
            results.append(known.result)
            if known.result.article is not None:
                cache.keep(known.result.article.digest)
            continue
        line = stat_line(settings, st)  # the settings that read it, the file's size, times and inode
        cached = None
        if lazy:
            jobs.append(_Job(len(results), source, path, None, "", line))
        else:
            digest = cache.digest_of(source, line)  # the file as it was when last read, its times settled
            try:
                data = None
                if digest is None:
                    data = Path(path).read_bytes()
                    digest = file_digest(source, data, settings)
                    if source in stamps:
                        cache.remember(source, line, digest)
                cached = cache.get(digest)
                if cached is None:
                    data = data if data is not None else Path(path).read_bytes()
                    jobs.append(_Job(len(results), source, path, data, digest, ""))
            except OSError as exc:
                cached = _unreadable(source, exc)
        results.append(cached)
    # Forked workers send each result pickled, as the cache stores it: the parent then saves
    # the bytes it was sent instead of pickling 10,000 articles again after reading them
    packed = forks(jobs, workers)
    convert = functools.partial(_convert_one, config=config, settings=settings,
                                squeeze=len(results) > SQUEEZE_ABOVE, packed=packed)
    for job, sent in zip(jobs, parallel_map(convert, jobs, workers)):
        entry = sent if packed else None
        result = results[job.at] = pickle.loads(entry[1]) if entry is not None else sent
        if result.article is not None:
            if job.line and job.source in stamps:
                cache.remember(job.source, job.line, result.article.digest)
            cache.put(result.article.digest, result, entry)
    done = tuple(r for r in results if r is not None)
    remembered = {r.article.source: SeenFile(stamps[r.article.source], r) for r in done
                  if r.article is not None and r.article.source in stamps}
    return Reading(done, len(jobs), remembered)


class _Job(NamedTuple):
    """A file to convert."""

    at: int              # its place among the results
    source: str
    path: str
    data: bytes | None   # None: the worker reads the file and takes its digest
    digest: str
    line: str            # its stat line, remembered with the digest the worker finds ('' when known here)


def _convert_one(job: _Job, config: Config, settings: str, squeeze: bool,
                 packed: bool) -> ReadResult | tuple[bytes, bytes]:
    """Convert one file; its bytes and digest first when the job leaves them to the worker."""
    data, digest = job.data, job.digest
    if data is None:
        try:
            data = Path(job.path).read_bytes()
        except OSError as exc:
            return _packed(_unreadable(job.source, exc), packed)
        digest = file_digest(job.source, data, settings)
    return _packed(read_article(job.source, data, config, digest, squeeze), packed)


def _unreadable(source: str, exc: OSError) -> ReadResult:
    """A file gone or unreadable since the folder was listed."""
    return ReadResult(None, (Problem(source, None, f"cannot be read: {exc.strerror}"),))


def _packed(result: ReadResult, packed: bool) -> ReadResult | tuple[bytes, bytes]:
    return _pickled(result) if packed else result


def _pickled(result: ReadResult) -> tuple[bytes, bytes]:
    """A stored entry: (checksum, pickled result)."""
    blob = pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL)
    return hashlib.blake2b(blob, digest_size=16).digest(), blob


class ArticleCache:
    """Read results by digest; each stored entry carries a checksum so a damaged entry is a miss.

    Entries loaded from disk stay pickled until asked for; new ones are pickled only when saved,
    one at a time, unless they came pickled from a worker (their bytes are let go once saved)."""

    def __init__(self, path: Path | None):
        self.path = path
        self.stats: dict[str, tuple[str, str]] = {}   # source -> (stat_line, digest) of settled files
        self.stored: dict[str, tuple[bytes, bytes]] = {}
        self.identity = _identity(path) if path is not None else None   # the file as read, if read whole
        if path is not None:
            self.stats, self.stored, whole = _load(path)
            self.identity = self.identity if whole else None
        self.stats_on_disk = dict(self.stats)
        self.on_disk: set[str] = set(self.stored)
        self.fresh: dict[str, ReadResult] = {}
        self.used: set[str] = set()

    @property
    def empty(self) -> bool:
        """Holds nothing: no digest can find a result in it."""
        return not (self.stats or self.stored or self.fresh)

    def digest_of(self, source: str, line: str) -> str | None:
        """The digest of a file last read with these settings and exactly these times, size and
        inode (stat_line), or None."""
        known = self.stats.get(source)
        return known[1] if known is not None and known[0] == line else None

    def remember(self, source: str, line: str, digest: str) -> None:
        """Note a file's digest under its settled times, so the next build need not read it."""
        self.stats[source] = (line, digest)

    def get(self, digest: str) -> ReadResult | None:
        """The cached result for a digest, or None when absent or damaged."""
        result = self.fresh.get(digest)
        if result is None:
            entry = self.stored.get(digest)
            result = _unpickle(entry)
            if result is None and entry is not None:  # damaged: converted again, then written again
                del self.stored[digest]
                self.on_disk.discard(digest)
        if result is not None:
            self.used.add(digest)
        return result

    def keep(self, digest: str) -> None:
        """Mark an entry as still used, without reading it."""
        if digest in self.fresh or digest in self.stored:
            self.used.add(digest)

    def put(self, digest: str, result: ReadResult, entry: tuple[bytes, bytes] | None = None) -> None:
        """Remember a result for this and later builds; `entry`, when given, is it pickled."""
        self.fresh[digest] = result
        if entry is not None and self.path is not None:
            self.stored[digest] = entry
        self.used.add(digest)

    def save(self) -> None:
        """Store the entries and file stats this build used. New ones are appended while the file
        is the one this cache last read or wrote and holds few stale entries; else it is written
        anew without them."""
        used, self.used = self.used, set()
        self.stored = {d: e for d, e in self.stored.items() if d in used}
        self.fresh = {d: r for d, r in self.fresh.items() if d in used}
        self.stats = {source: known for source, known in self.stats.items() if known[1] in used}
        if self.path is None:
            return
        new = sorted(used - self.on_disk)
        changed = {source: known for source, known in self.stats.items() if self.stats_on_disk.get(source) != known}
        if not new and not changed:
            return
        if (self.identity is not None and self.identity == _identity(self.path)
                and len(self.on_disk - used) <= max(256, len(used) // 4)):
            with open(self.path, "ab") as f:
                self._dump(f, new, changed)
            self.on_disk |= set(new)
        else:
            with replacing(self.path) as f:
                pickle.dump(CACHE_FORMAT, f, protocol=pickle.HIGHEST_PROTOCOL)
                self._dump(f, sorted(used), self.stats)
            self.on_disk = used
        for digest in new:  # written: the result itself is at hand, its bytes are not needed
            if digest in self.fresh:
                self.stored.pop(digest, None)
        self.stats_on_disk.update(changed)
        self.identity = _identity(self.path)

    def _dump(self, f: IO[bytes], digests: list[str], stats: dict[str, tuple[str, str]]) -> None:
        """Write these entries, then these stats, as records."""
        pickler = pickle.Pickler(f, protocol=pickle.HIGHEST_PROTOCOL)
        for digest in digests:
            entry = self.stored.get(digest)
            pickler.dump((digest, *(entry if entry is not None else _pickled(self.fresh[digest]))))
            pickler.clear_memo()  # cheap while the memo is small: the stats, with their own memo, go last
        if stats:
            pickle.dump((STATS, stats), f, protocol=pickle.HIGHEST_PROTOCOL)


def _identity(path: Path) -> tuple[int, int, int] | None:
    """A file's size, time and inode: whether it is still the one last read or written."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_size, st.st_mtime_ns, st.st_ino


def _unpickle(entry: tuple[bytes, bytes] | None) -> ReadResult | None:
    """The result in a stored entry, or None when it is missing or damaged."""
    if entry is None:
        return None
    checksum, blob = entry
    if hashlib.blake2b(blob, digest_size=16).digest() != checksum:
        return None
    try:
        result = pickle.loads(blob)
    except Exception:  # a damaged entry is simply converted again
        return None
    return result if isinstance(result, ReadResult) else None


def _load(path: Path) -> tuple[dict[str, tuple[str, str]], dict[str, tuple[bytes, bytes]], bool]:
    """The stored stats and entries, or none when the file is missing, damaged or from another
    version; and whether the file was read to its end. Records are entries (digest, checksum, blob) and stats (STATS, {source: known}),
    later stats overriding earlier ones."""
    stats: dict[str, tuple[str, str]] = {}
    entries: dict[str, tuple[bytes, bytes]] = {}
    try:
        with open(path, "rb") as f:
            unpickler = pickle.Unpickler(f)
            if unpickler.load() != CACHE_FORMAT:
                return {}, {}, False
            while True:
                try:
                    record = unpickler.load()
                except EOFError:
                    break
                if len(record) == 2 and record[0] == STATS:
                    stats.update(record[1])
                else:
                    digest, checksum, blob = record
                    entries[digest] = (checksum, blob)
    except Exception:  # missing, truncated or foreign: keep what was read, never fail the build
        return stats, entries, False
    return stats, entries, True
