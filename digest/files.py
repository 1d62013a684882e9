"""Writing a file whole or not at all (a hidden temporary file beside it, then a rename), and
when a file's times can be trusted to show that it changed."""

from __future__ import annotations

import contextlib
import importlib.util
import os
import threading
from pathlib import Path
from typing import IO, Iterator

# A file modified this close to the moment its times were read may be written again in the same
# clock tick, leaving its size (possibly) and times as they were: such times prove nothing (git
# calls it "racily clean"). Most file systems tick every few milliseconds; FAT keeps 2 s.
RACY_SECONDS = 2.0


@contextlib.contextmanager
def replacing(path: Path, mode: str = "wb") -> Iterator[IO]:
    """A file to write that replaces `path` only when the block ends without an error.

    The temporary name is hidden (the build and the watcher skip it) and made with open(), not
    mkstemp, so the file gets the usual permissions rather than 0600."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}-{threading.get_ident()}.tmp")
    try:
        kwargs = {} if "b" in mode else {"encoding": "utf-8", "newline": "\n"}
        with open(tmp, mode, **kwargs) as handle:
            yield handle
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_atomic(path: Path, data: bytes | str) -> None:
    """Replace `path` with `data` (text is written as UTF-8 with '\\n' line ends)."""
    with replacing(path, "wb" if isinstance(data, bytes) else "w") as handle:
        handle.write(data)


def settled(stat: os.stat_result, looked_at: float) -> bool:
    """Whether a file's times, read at `looked_at` (time.time()), would show any later write."""
    return stat.st_mtime_ns / 1e9 < looked_at - RACY_SECONDS


def stat_line(path: str, stat: os.stat_result) -> str:
    """A file's path, size, times and inode: what any write or replacement of it changes."""
    return f"{path}\0{stat.st_size}\0{stat.st_mtime_ns}\0{stat.st_ctime_ns}\0{stat.st_ino}\n"


def as_left(path: str, size: int, mtime_ns: int) -> bool:
    """Whether a file is still there with the size and modification time a build left it with."""
    try:
        st = os.stat(path)
    except OSError:
        return False
    return st.st_size == size and st.st_mtime_ns == mtime_ns


def module_file(name: str) -> Path | None:
    """The file of an importable module ('markdown', 'pymdownx.superfences'), found without
    importing it (but for its parent package); None when there is none."""
    try:
        spec = importlib.util.find_spec(name)
    except (ImportError, ValueError):
        return None
    return Path(spec.origin) if spec is not None and spec.origin is not None and os.path.isfile(spec.origin) else None
