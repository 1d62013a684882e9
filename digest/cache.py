"""The build cache: what reading an article file gave, keyed by the file's digest."""

from __future__ import annotations

import hashlib
import pickle
from pathlib import Path

from .files import replacing
from .content import ENGINE_VERSION, ReadResult

FORMAT = f"digest-cache-{ENGINE_VERSION}-1"


class ArticleCache:
    """Read results by digest; each stored entry carries a checksum so a damaged entry is a miss.

    Entries loaded from disk stay pickled until asked for; new ones are pickled only when saved,
    one at a time, so the cache never doubles the memory a large site takes."""

    def __init__(self, path: Path | None):
        self.path = path
        self.stored: dict[str, tuple[bytes, bytes]] = _load(path) if path is not None else {}
        self.on_disk: set[str] = set(self.stored)
        self.fresh: dict[str, ReadResult] = {}
        self.used: set[str] = set()

    def get(self, digest: str) -> ReadResult | None:
        """The cached result for a digest, or None when absent or damaged."""
        result = self.fresh.get(digest)
        if result is None:
            result = _unpickle(self.stored.get(digest))
        if result is not None:
            self.used.add(digest)
        return result

    def keep(self, digest: str) -> None:
        """Mark an entry as still used, without reading it."""
        if digest in self.fresh or digest in self.stored:
            self.used.add(digest)

    def put(self, digest: str, result: ReadResult) -> None:
        """Remember a result for this and later builds."""
        self.fresh[digest] = result
        self.used.add(digest)

    def save(self) -> None:
        """Write the entries this build used, dropping stale ones, when they differ from the file's."""
        used, self.used = self.used, set()
        self.stored = {d: e for d, e in self.stored.items() if d in used}
        self.fresh = {d: r for d, r in self.fresh.items() if d in used}
        if self.path is None or used == self.on_disk:
            return
        with replacing(self.path) as f:
            pickler = pickle.Pickler(f, protocol=pickle.HIGHEST_PROTOCOL)
            pickler.dump(FORMAT)
            for digest in sorted(used):
                entry = self.stored.get(digest)
                if entry is None:
                    blob = pickle.dumps(self.fresh[digest], protocol=pickle.HIGHEST_PROTOCOL)
                    entry = (hashlib.blake2b(blob, digest_size=16).digest(), blob)
                pickler.dump((digest, *entry))
                pickler.clear_memo()
        self.on_disk = used


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


def _load(path: Path) -> dict[str, tuple[bytes, bytes]]:
    """The stored entries, or none when the file is missing, damaged or from another version."""
    entries: dict[str, tuple[bytes, bytes]] = {}
    try:
        with open(path, "rb") as f:
            unpickler = pickle.Unpickler(f)
            if unpickler.load() != FORMAT:
                return {}
            while True:
                try:
                    digest, checksum, blob = unpickler.load()
                except EOFError:
                    break
                entries[digest] = (checksum, blob)
    except Exception:  # missing, truncated or foreign: keep what was read, never fail the build
        return entries
    return entries
