"""The build cache: what reading an article file gave, keyed by the file's digest."""

from __future__ import annotations

import hashlib
import os
import pickle
import tempfile
from pathlib import Path
from typing import Any

from .content import ENGINE_VERSION, ReadResult

FORMAT = f"digest-cache-{ENGINE_VERSION}-1"


class ArticleCache:
    """Read results by digest; each entry carries a checksum so a damaged entry is a miss."""

    def __init__(self, path: Path | None):
        self.path = path
        self.entries: dict[str, tuple[bytes, bytes]] = {}
        self.used: set[str] = set()
        self.added = 0
        if path is not None:
            self.entries = _load(path)

    def get(self, digest: str) -> ReadResult | None:
        """The cached result for a digest, or None when absent or damaged."""
        entry = self.entries.get(digest)
        if entry is None:
            return None
        checksum, blob = entry
        if hashlib.blake2b(blob, digest_size=16).digest() != checksum:
            return None
        try:
            result = pickle.loads(blob)
        except Exception:  # a damaged entry is simply converted again
            return None
        if not isinstance(result, ReadResult):
            return None
        self.used.add(digest)
        return result

    def put(self, digest: str, result: ReadResult) -> None:
        """Remember a result; only articles without problems are worth keeping."""
        blob = pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL)
        self.entries[digest] = (hashlib.blake2b(blob, digest_size=16).digest(), blob)
        self.used.add(digest)
        self.added += 1

    def save(self) -> None:
        """Write the entries used by this build (dropping stale ones) when anything changed."""
        if self.path is None:
            return
        stale = len(self.entries) - len(self.used)
        if not self.added and not stale:
            return
        kept = {d: self.entries[d] for d in sorted(self.used)}
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".tmp-cache-")
        try:
            with os.fdopen(fd, "wb") as f:
                pickle.dump((FORMAT, kept), f, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, self.path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise


def _load(path: Path) -> dict[str, tuple[bytes, bytes]]:
    """The stored entries, or none when the file is missing, damaged or from another version."""
    try:
        with open(path, "rb") as f:
            stored: Any = pickle.load(f)
    except Exception:  # missing, truncated or foreign: start empty, never fail the build
        return {}
    if not (isinstance(stored, tuple) and len(stored) == 2 and stored[0] == FORMAT
            and isinstance(stored[1], dict)):
        return {}
    return stored[1]
