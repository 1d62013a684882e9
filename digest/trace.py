"""What a rendered page read: the texts of which articles, and its context, kept (in a file of
contexts) so that a later build can render that page again alone when only those texts changed
(quick.py).

An article in a kept context is its digest, as the read step made it (the article cache holds
it by that digest); an article the site model or the images step made a copy of is kept whole,
and its source is named in `own`: such an article's edits always take a full build."""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import io
import operator
import os
import pickle
from pathlib import Path
from typing import Any, BinaryIO, Callable, Mapping, NamedTuple

from .content import Article
from .files import replacing
from .fingerprint import field_names


class Trace(NamedTuple):
    reads: tuple[str, ...]       # the sources whose text (body) the page read, each once
    context: bytes = b""         # the page's context, articles by digest; empty when it read none
    own: tuple[str, ...] = ()    # sources of articles the context holds as copies of their own


def trace(context: Any, reads: list[str], read: Mapping[str, Article]) -> Trace:
    """A page's trace, from the sources it read (content.text_reads) and its context; `read` is
    every article as read, by digest."""
    if not reads:
        return Trace(())
    buffer = io.BytesIO()
    pickler = _Pickler(buffer, read)
    pickler.dump(context)
    return Trace(tuple(dict.fromkeys(reads)), buffer.getvalue(), tuple(dict.fromkeys(pickler.own)))


def load_context(blob: bytes, article: Callable[[str], Article]) -> Any:
    """A kept context, each article by digest given by `article` (which raises KeyError when it
    has none)."""
    return _Unpickler(io.BytesIO(blob), article).load()


def _article(digest: str) -> Article:
    raise RuntimeError("an article by digest is given by load_context")


@functools.cache
def _fields(kind: type) -> Callable[[Any], tuple] | None:
    """For a dataclass made from its fields alone, what gives them as a tuple in order."""
    if not dataclasses.is_dataclass(kind) or hasattr(kind, "__post_init__"):
        return None
    names = field_names(kind)
    if not names or not all(f.init for f in dataclasses.fields(kind)):
        return None
    getter = operator.attrgetter(*names)
    return getter if len(names) > 1 else lambda obj: (getter(obj),)


class _Pickler(pickle.Pickler):
    """Records as their class and fields (a third of the generic way's time), articles read as
    their digest."""

    def __init__(self, file: io.BytesIO, read: Mapping[str, Article]):
        super().__init__(file, protocol=pickle.HIGHEST_PROTOCOL)
        self.read = read
        self.own: list[str] = []

    def reducer_override(self, obj: Any) -> Any:
        kind = type(obj)
        if kind is Article:
            if self.read.get(obj.digest) is obj:
                return _article, (obj.digest,)
            self.own.append(obj.source)
            return NotImplemented
        fields = _fields(kind)
        return NotImplemented if fields is None else (kind, fields(obj))


class _Unpickler(pickle.Unpickler):
    def __init__(self, file: io.BytesIO, article: Callable[[str], Article]):
        super().__init__(file)
        self.article = article

    def find_class(self, module: str, name: str) -> Any:
        if module == __name__ and name == "_article":
            return self.article
        return super().find_class(module, name)


class Page(NamedTuple):
    key: str                     # its fingerprint, as in the manifest
    template: str
    origin: str                  # the source that asked for it, for messages
    reads: tuple[str, ...]       # the sources whose text it read
    own: tuple[str, ...] = ()    # the sources of the articles its context holds copies of (Trace.own)
    at: int = 0                  # where its context is in the contexts file, when it read any text
    size: int = 0
    check: bytes = b""           # and the context's checksum


class Contexts:
    """The file of kept contexts, beside the store: appended to, never changed in place, so an
    older store still finds its own in it. It starts with a token the store names; a file
    written anew (`compact`) has a new one."""

    def __init__(self, path: Path, token: bytes | None):
        """Continue the file at path when it starts with `token`; else a new one is started at
        the first `add`."""
        self.path = path
        self.token = token if token is not None and _token_of(path) == token else None
        self.end = path.stat().st_size if self.token is not None else 0
        self.file: BinaryIO | None = None

    def add(self, blob: bytes) -> tuple[int, int, bytes]:
        """Append a context: where it is, and its checksum."""
        if self.file is None:
            if self.token is None:
                self.token = os.urandom(16)
                self.path.parent.mkdir(parents=True, exist_ok=True)
                with replacing(self.path) as f:
                    f.write(self.token)
                self.end = len(self.token)
            self.file = self.path.open("ab")
        at = self.end
        self.file.write(blob)
        self.end += len(blob)
        return at, len(blob), _checksum(blob)

    def close(self) -> None:
        if self.file is not None:
            self.file.close()
            self.file = None

    def read(self, page: Page) -> bytes:
        with self.path.open("rb") as f:
            f.seek(page.at)
            blob = f.read(page.size)
        if _checksum(blob) != page.check:
            raise ValueError("a context is not as it was kept")
        return blob

    def compact(self, pages: dict[str, Page]) -> dict[str, Page]:
        """Write the file anew with only these pages' contexts, when it holds mostly others: the pages, moved."""
        self.close()
        live = sum(page.size for page in pages.values())
        if self.token is None or self.end <= 2 * live + (1 << 20):
            return pages
        moved = {}
        token = os.urandom(16)
        with self.path.open("rb") as old, replacing(self.path) as new:
            new.write(token)
            end = len(token)
            for name, page in pages.items():
                if page.size:
                    old.seek(page.at)
                    new.write(old.read(page.size))
                    page = page._replace(at=end)
                    end += page.size
                moved[name] = page
        self.token, self.end = token, end
        return moved


def _checksum(blob: bytes) -> bytes:
    return hashlib.blake2b(blob, digest_size=16).digest()


def _token_of(path: Path) -> bytes | None:
    try:
        with path.open("rb") as f:
            return f.read(16)
    except OSError:
        return None
