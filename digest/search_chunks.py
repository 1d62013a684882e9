"""Smaller word chunks for a Pagefind bundle, so a query downloads less of the index.

Pagefind cuts each language's word index in chunks of about 20,000 word positions (it has no
option for it), about 25 KB gzipped: a query loads one chunk per word, so two words cost 50 KB
on top of the 95 KB of script and wasm a first query loads anyway. `split_chunks` cuts the same
words again in chunks of at most CHUNK_BYTES (one word stays whole), and rewrites the language's
metadata file, which lists the chunks' first and last words, and the entry file that names it.

The format (Pagefind 1.5): every `.pf_*` file is gzip of b"pagefind_dcd" + CBOR. A word chunk is
[[word, word, ...]], each word an array whose first item is the word; the metadata is
[version, pages, chunks, filters, sorts], each chunk [from, to, hash]. A searcher's wasm loads,
for each query word, the first chunk with from <= word <= to (and looser bounds only when no
word of the query found a chunk). Pagefind shortens both bounds to prefixes, so a chunk's last
word is outside its own bounds: with its 47 chunks that is rare, with hundreds it would not be.
Here `to` is the chunk's last word itself and `from` the shortest prefix of its first word that
sorts after the previous chunk: every word is found in its chunk. Words are copied as their
CBOR bytes, never decoded."""

from __future__ import annotations

import functools
import gzip
import hashlib
import json
import math
import re
import zlib
from concurrent.futures import ThreadPoolExecutor
from typing import Callable, Mapping

MAGIC = b"pagefind_dcd"
CHUNK_BYTES = 6000       # CBOR bytes before gzip, 2-4 KB over the wire (Pagefind's: ~50,000)
META_BYTES = 25          # what one more chunk adds to the metadata every first query loads
ENTRY = "pagefind-entry.json"


def split_chunks(files: Mapping[str, bytes], chunk_bytes: int | None = None, workers: int = 1,
                 last: Callable[[str], bytes | None] = lambda name: None) -> dict[str, bytes]:
    """The bundle (file name -> bytes) with every language's word index cut in smaller chunks.

    Smaller chunks cost a longer chunk list in the metadata; a two-word first query loads
    both, and is smallest around sqrt(index bytes * META_BYTES / 2) per chunk: CHUNK_BYTES
    for 1,000 articles, more for a bigger site. A file is named by its content, so one the last
    bundle had (`last`, by name) is taken as it is once its content is checked: after an edit,
    most chunks are. The others are compressed (level 9, a few ms each) in `workers` threads."""
    entry = json.loads(files[ENTRY])
    out = dict(files)
    made: list[str] = []   # files written here, packed at the end
    for language, info in entry["languages"].items():
        meta_name = f"pagefind.{info['hash']}.pf_meta"
        meta = _unpack(files[meta_name])
        start, end = _field_span(meta, 2)
        old = [_strings(meta, i, 3) for i in _items(meta, start)]
        words: list[tuple[str, bytes]] = []
        for _, _, chunk_hash in old:
            name = f"index/{chunk_hash}.pf_index"
            words += _words(_unpack(out.pop(name)))
        total = sum(len(data) for _, data in words)
        chunks = _cut(words, chunk_bytes or max(CHUNK_BYTES, math.isqrt(total * META_BYTES // 2)))
        listed = []
        for chunk in chunks:
            body = _head(4, 1) + _head(4, len(chunk)) + b"".join(data for _, data in chunk)
            chunk_hash = _name(language, body, 7, out)
            out[f"index/{chunk_hash}.pf_index"] = body
            made.append(f"index/{chunk_hash}.pf_index")
            listed.append([chunk[0][0], chunk[-1][0], chunk_hash])
        for before, after in zip(listed, listed[1:]):
            after[0] = _start(before[1], after[0])
        table = _head(4, len(listed)) + b"".join(
            _head(4, 3) + b"".join(_text(s) for s in row) for row in listed)
        new_meta = meta[:start] + table + meta[end:]
        del out[meta_name]
        info["hash"] = _name(language, new_meta, 10, {})
        out[f"pagefind.{info['hash']}.pf_meta"] = new_meta
        made.append(f"pagefind.{info['hash']}.pf_meta")
    kept = {name: data for name, data in ((name, last(name)) for name in made)
            if data is not None and _holds(data, out[name])}
    fresh = [name for name in made if name not in kept]
    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:  # zlib lets go of the GIL
        out.update(zip(fresh, pool.map(_pack, [out[name] for name in fresh])))
    out.update(kept)
    out[ENTRY] = json.dumps(entry, ensure_ascii=False, separators=(",", ":")).encode()
    return out


def _cut(words: list[tuple[str, bytes]], limit: int) -> list[list[tuple[str, bytes]]]:
    """Words in order, grouped while a group stays under `limit` bytes (a bigger word alone)."""
    chunks: list[list[tuple[str, bytes]]] = []
    size = limit
    for word in words:
        if size + len(word[1]) > limit:
            chunks.append([])
            size = 0
        chunks[-1].append(word)
        size += len(word[1])
    return chunks


def _start(a: str, b: str) -> str:
    """The `from` bound of a chunk starting with `b` after one ending with `a`: the shortest
    prefix of `b` that sorts after `a`, as Pagefind cuts it."""
    common = 0
    for x, y in zip(a, b):
        if x != y:
            break
        common += 1
    return b[:common + 1]


def _name(language: str, data: bytes, length: int, taken: Mapping[str, bytes]) -> str:
    """A content-hash name, as Pagefind names its files: language_hexdigits."""
    digest = hashlib.sha256(data).hexdigest()
    while f"index/{language}_{digest[:length]}.pf_index" in taken and length < len(digest):
        length += 1
    return f"{language}_{digest[:length]}"


# ------------------------------------------------------------------ just enough CBOR

def _unpack(data: bytes) -> bytes:
    raw = gzip.decompress(data)
    if not raw.startswith(MAGIC):
        raise ValueError("not a Pagefind index file")
    return raw[len(MAGIC):]


def _pack(raw: bytes) -> bytes:
    return gzip.compress(MAGIC + raw, 9, mtime=0)


def _holds(data: bytes, raw: bytes) -> bool:
    """Whether a packed file (perhaps damaged) holds exactly `raw`, as the search page reads it:
    one gzip member, its checksum and length right, nothing after it (gzip.decompress would
    skip trailing zeros and join members; pagefind.js reads the first member only)."""
    inflate = zlib.decompressobj(wbits=31)
    try:
        content = inflate.decompress(data)
    except zlib.error:
        return False
    return inflate.eof and not inflate.unused_data and content == MAGIC + raw


def _read_head(data: bytes, i: int) -> tuple[int, int, int]:
    """(major type, argument, index after the head) of the CBOR item at i."""
    first = data[i]
    info = first & 31
    if info < 24:
        return first >> 5, info, i + 1
    width = {24: 1, 25: 2, 26: 4, 27: 8}.get(info)
    if width is None:
        raise ValueError("indefinite-length CBOR is not expected in a Pagefind index")
    return first >> 5, int.from_bytes(data[i + 1:i + 1 + width], "big"), i + 1 + width


_INT = rb"(?:[\x00-\x17\x20-\x37]|[\x18\x38][\s\S]|[\x19\x39][\s\S]{2}|[\x1a\x3a][\s\S]{4})"
_INTS = rb"(?:" + b"|".join(bytes([0x80 | n]) + _INT + b"{%d}" % n for n in range(24)) + rb")"  # [int, ...]
# A word's entry for one page, [page, [positions], [meta positions]], up to 23 of each: most entries.
_ENTRY = rb"\x83" + _INT + _INTS + _INTS
_ITEM = rb"(?:" + _INT + rb"|" + _ENTRY + rb")"
_RUNS = (64, 8)


@functools.lru_cache(maxsize=128)
def _run(count: int) -> re.Pattern[bytes]:
    """`count` items in a row, each an integer (up to 32 bits) or a plain page entry: a word's
    positions or pages matched in C, so an index's millions of items cost thousands of calls."""
    return re.compile(b"(?:" + _ITEM + b"){%d}+" % count)


def _skip(data: bytes, i: int) -> int:
    """The index just after the CBOR item at i."""
    major, arg, i = _read_head(data, i)
    if major < 2 or major == 7:
        return i
    if major < 4:
        return i + arg
    if major == 6:
        return _skip(data, i)
    left = arg if major == 4 else 2 * arg
    while left:  # runs of plain items at once; an item of another shape on its own
        for size in _RUNS:
            if left >= size:
                found = _run(size).match(data, i)
                if found is not None:
                    i, left = found.end(), left - size
                    break
        else:
            i, left = _skip(data, i), left - 1
    return i


def _items(data: bytes, i: int) -> list[int]:
    """Where each item of the array at i starts."""
    major, count, i = _read_head(data, i)
    assert major == 4
    starts = []
    for _ in range(count):
        starts.append(i)
        i = _skip(data, i)
    return starts


def _field_span(data: bytes, field: int) -> tuple[int, int]:
    """Start and end of one item of the top-level array."""
    start = _items(data, 0)[field]
    return start, _skip(data, start)


def _strings(data: bytes, i: int, count: int) -> list[str]:
    """The first `count` text items of the array at i."""
    out = []
    for start in _items(data, i)[:count]:
        major, length, j = _read_head(data, start)
        assert major == 3
        out.append(data[j:j + length].decode())
    return out


def _words(chunk: bytes) -> list[tuple[str, bytes]]:
    """A word chunk's words: (word, its CBOR bytes)."""
    _, _, i = _read_head(chunk, 0)          # [ words ]
    _, count, i = _read_head(chunk, i)      # words
    out = []
    for _ in range(count):
        end = _skip(chunk, i)
        _, _, j = _read_head(chunk, i)      # [word, pages, ...]
        _, length, j = _read_head(chunk, j)
        out.append((chunk[j:j + length].decode(), chunk[i:end]))
        i = end
    return out


def _head(major: int, arg: int) -> bytes:
    """A CBOR head in its shortest form, as Pagefind (minicbor) writes it."""
    if arg < 24:
        return bytes([major << 5 | arg])
    for info, width in ((24, 1), (25, 2), (26, 4), (27, 8)):
        if arg < 1 << (8 * width):
            return bytes([major << 5 | info]) + arg.to_bytes(width, "big")
    raise ValueError(arg)


def _text(value: str) -> bytes:
    data = value.encode()
    return _head(3, len(data)) + data
