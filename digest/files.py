"""Writing a file whole or not at all: a hidden temporary file beside it, then a rename."""

from __future__ import annotations

import contextlib
import os
import threading
from pathlib import Path
from typing import IO, Iterator


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
