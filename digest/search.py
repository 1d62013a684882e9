"""Stage 6b: the search index. Pagefind reads the new site's article and plain pages (those this
build rendered, and the unchanged ones from the output folder) and gives back its bundle: one
index per `<html lang>`, split in small chunks the search page loads only when a reader searches.

Each language is indexed on its own and fingerprinted on its own: an edit re-indexes only its
language, and a language whose pages did not change keeps its files as they are. The bundle's
files go through `stage` like every page, so they are in the manifest, the link and weight
checks and the atomic swap."""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import os
import posixpath
import shutil
import subprocess
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Callable, Iterable, Iterator, Mapping

from .errors import Problem, SiteError
from .fingerprint import data_key
from .links import LinkFacts
from .output import Staged
from .parallel import close_source
from .plan import SEARCH_BUNDLE, PageSpec
from .render import OutputFile
from .search_chunks import ENTRY, split_chunks

INDEXED_TEMPLATES = frozenset({"article.html", "page.html"})
# What the search page's script needs from the bundle; Pagefind's own UIs and its worker stay out.
KEPT_FILES = ("pagefind.js", ENTRY)
KEPT_SUFFIXES = (".pagefind", ".pf_meta", ".pf_index", ".pf_fragment", ".pf_filter")
# Files every language's run writes alike: they change only with Pagefind's version.
SHARED_FILES = ("pagefind.js", "wasm.unknown.pagefind")
# Pagefind 1.5.2 builds each language's index in memory: it held 1.77–1.92 GB for 10,000
# 600-word article pages (about 190 KB a page), so a large digest can run a runner out of memory.
PAGEFIND_KB_PER_PAGE = 190
MEMORY_WARNING_GB = 2.0
FORMAT = "split-1"  # bumped when what we do to Pagefind's bundle changes (search_chunks)


class PageTap:
    """Passes rendered files on to `stage` and notes the keys of the pages to index (their
    bytes are read back from the staging or output folder: at 100,000 articles, keeping them in
    memory would take 1.5 GB)."""

    def __init__(self, specs: Iterable[PageSpec]):
        self.language = {s.path: s.context.site.language for s in specs  # type: ignore[union-attr]
                         if s.template in INDEXED_TEMPLATES}
        self.keys: dict[str, str] = {}
        self.rendered: set[str] = set()   # rendered by this build (perhaps to the same bytes)

    def tap(self, files: Iterable[OutputFile]) -> Iterator[OutputFile]:
        """Every file, unchanged; the indexed ones are noted on the way."""
        try:
            for f in files:
                if f.path in self.language:
                    self.keys[f.path] = f.key
                    if f.content is not None or f.staged:
                        self.rendered.add(f.path)
                yield f
        finally:
            close_source(files)


def language_keys(tap: PageTap, staged: Staged, base_url: str, previous: Mapping[str, str]) -> dict[str, str]:
    """One fingerprint per language, of what Pagefind reads: its indexed pages' paths and bytes,
    the address and Pagefind's version. A page's key is not enough: a translation's key changes
    with its original's text, its bytes do not. A language none of whose pages was rendered
    again, with the same pages, keeps the last fingerprint without reading a page."""
    found = {key for path, key in previous.items() if path.startswith(SEARCH_BUNDLE)}
    paths: dict[str, list[str]] = {}
    for path in sorted(tap.keys):
        paths.setdefault(tap.language[path], []).append(path)
    keys = {}
    for language, mine in sorted(paths.items()):
        names = hashlib.blake2b("\n".join([*mine, base_url, pagefind_version(), FORMAT]).encode(), digest_size=8)
        prefix = f"search:{language}:{names.hexdigest()}:"
        if not any(path in tap.rendered for path in mine):
            last = next((key for key in found if key.startswith(prefix)), None)
            if last is not None:
                keys[language] = last
                continue
        digest = hashlib.blake2b(digest_size=12)
        for path in mine:
            digest.update(data_key(_page(staged, path).read_bytes()).encode())
        keys[language] = prefix + digest.hexdigest()
    return keys


def memory_warnings(specs: Iterable[PageSpec]) -> tuple[Problem, ...]:
    """A warning for each language whose index Pagefind would need more than MEMORY_WARNING_GB to build."""
    counts = Counter(PageTap(specs).language.values())
    warnings = []
    for language, pages in sorted(counts.items()):
        gb = pages * PAGEFIND_KB_PER_PAGE / 1024 / 1024
        if gb > MEMORY_WARNING_GB:
            warnings.append(Problem("site.yaml", None, (
                f"search: Pagefind holds about {gb:.1f} GB of memory while it indexes the {pages:,} '{language}' "
                f"pages (about {PAGEFIND_KB_PER_PAGE} KB a page); a machine with less free memory fails the build "
                "(GitHub's hosted runners have 7 to 16 GB): set 'search: false' if it does"), kind="search memory"))
    return tuple(warnings)


def pagefind_version() -> str:
    """The installed Pagefind's version, or '' when the package is missing."""
    try:
        return importlib.metadata.version("pagefind")
    except importlib.metadata.PackageNotFoundError:
        return ""


class Cancelled(Exception):
    """The index was no longer wanted (the preview got a new save): Pagefind was stopped."""


def kept_bundle(previous: Mapping[str, str]) -> list[OutputFile]:
    """The last build's bundle, kept as it is (the preview indexes again when it is idle)."""
    return [OutputFile(path, key, None) for path, key in sorted(previous.items()) if path.startswith(SEARCH_BUNDLE)]


def search_files(tap: PageTap, staged: Staged, base_path: str, previous: Mapping[str, str],
                 cancelled: Callable[[], bool] = lambda: False,
                 meanwhile: Callable[[], bool] | None = None, workers: int = 1) -> list[OutputFile]:
    """The bundle's files. A language whose pages are those of the last bundle keeps its files
    (content None); any other is indexed again from its pages. The entry file, which names
    each language's index, is the only file the languages share that changes with them.
    `cancelled` is asked while Pagefind runs: when it says yes, Pagefind is stopped (Cancelled);
    `meanwhile` does a little other work while it runs, saying whether there was any. The index
    is re-cut (search_chunks) in `workers` threads."""
    output_dir = staged.output_dir
    keys = language_keys(tap, staged, base_path, previous)
    entry_path, shared_key = SEARCH_BUNDLE + ENTRY, f"search:{pagefind_version()}:{FORMAT}"
    entry_key = "search:" + hashlib.blake2b("\n".join(keys.values()).encode(), digest_size=12).hexdigest()
    by_key: dict[str, list[str]] = {}
    for path, key in previous.items():
        if path.startswith(SEARCH_BUNDLE):
            by_key.setdefault(key, []).append(path)
    files: list[OutputFile] = []
    kept: set[str] = set()
    fresh = []
    for language, key in keys.items():
        if key in by_key:
            kept.update(by_key[key])
            files += [OutputFile(path, key, None) for path in sorted(by_key[key])]
        else:
            fresh.append(language)
    shared = all(previous.get(SEARCH_BUNDLE + name) == shared_key for name in SHARED_FILES)
    if not fresh and shared and previous.get(entry_path) == entry_key:
        return files + [OutputFile(path, previous[path], None)
                        for path in [entry_path, *(SEARCH_BUNDLE + name for name in SHARED_FILES)]]
    entry = _kept_entry(output_dir, kept) if kept and entry_path in previous else {"languages": {}}
    if len(entry["languages"]) < len(keys) - len(fresh) or not (fresh or shared):
        # a file the kept languages need is gone from the output folder: index everything again
        files, kept, fresh, entry = [], set(), list(keys), {"languages": {}}
    made: dict[str, bytes] = {}
    for language in fresh:
        pages = {path: _page(staged, path) for path in sorted(tap.keys) if tap.language[path] == language}
        bundle = split_chunks(run_pagefind(pages, output_dir.parent, cancelled, meanwhile), workers=workers,
                              last=lambda name: _last(output_dir, name))
        one = json.loads(bundle.pop(ENTRY))
        clash = sorted(set(one["languages"]) & set(entry["languages"]))
        if clash:
            raise SiteError.at("site.yaml", None, f"search: two languages share Pagefind's index '{clash[0]}': "
                                                  "give them distinct language codes")
        entry = {**one, "languages": {**entry["languages"], **one["languages"]}}
        for name in SHARED_FILES:
            if name in bundle:
                made[name] = bundle.pop(name)
        files += [OutputFile(SEARCH_BUNDLE + name, keys[language], data, LinkFacts(len(data)))
                  for name, data in sorted(bundle.items())]
    for name in SHARED_FILES:
        path = SEARCH_BUNDLE + name
        if name in made:
            files.append(OutputFile(path, shared_key, made[name], LinkFacts(len(made[name]))))
        elif previous.get(path) == shared_key:
            files.append(OutputFile(path, shared_key, None))
    entry["languages"] = dict(sorted(entry["languages"].items()))
    data = json.dumps(entry, ensure_ascii=False, separators=(",", ":")).encode()
    return files + [OutputFile(entry_path, entry_key, data, LinkFacts(len(data)))]


def _last(output_dir: Path, name: str) -> bytes | None:
    """A file of the bundle in the output folder (the last good build's), if it is there."""
    try:
        return (output_dir / SEARCH_BUNDLE / name).read_bytes()
    except OSError:
        return None


def _page(staged: Staged, path: str) -> Path:
    """An indexed page's file: in the staging folder when this build wrote it, else in the output folder."""
    return (staged.folder if path in staged.changed else staged.output_dir) / path


def _kept_entry(output_dir: Path, kept: set[str]) -> dict:
    """The last bundle's entry file, naming only the languages whose files are kept."""
    entry = json.loads((output_dir / SEARCH_BUNDLE / ENTRY).read_bytes())
    entry["languages"] = {language: info for language, info in entry["languages"].items()
                          if f"{SEARCH_BUNDLE}pagefind.{info['hash']}.pf_meta" in kept}
    return entry


def run_pagefind(pages: Mapping[str, bytes | Path], near: Path | None = None,
                 cancelled: Callable[[], bool] = lambda: False,
                 meanwhile: Callable[[], bool] | None = None) -> dict[str, bytes]:
    """Index these pages (output path -> HTML, or the file that holds it) with the packaged
    Pagefind binary; its bundle's files by name. The binary reads a folder in one run: its
    Python API answers one page per tenth of a second, a minute and a half for a thousand
    articles. The folder is made `near` the output folder, so unchanged pages are linked, not
    copied. Pagefind keeps about one core busy: `meanwhile` is called while it runs, as long as
    it says it did something (a share card drawn: a few milliseconds)."""
    binary = pagefind_binary()
    with tempfile.TemporaryDirectory(prefix=".digest-search-", dir=near) as folder:
        site, bundle = Path(folder) / "site", Path(folder) / "bundle"
        made: set[Path] = set()
        for path, content in pages.items():
            target = site / posixpath.normpath(path)
            if target.parent not in made:
                target.parent.mkdir(parents=True, exist_ok=True)
                made.add(target.parent)
            if isinstance(content, Path):
                _link_or_copy(content, target)
            else:
                target.write_bytes(content)
        returncode, output = _run([str(binary), "--site", str(site), "--output-path", str(bundle), "--silent"],
                                  Path(folder) / "log", cancelled, meanwhile)
        if returncode != 0:
            detail = output.strip().splitlines()[-1:] or ["no output"]
            raise SiteError.at("site.yaml", None, f"search: Pagefind failed (exit {returncode}: {detail[0]}); "
                                                  "set 'search: false' to build without search")
        return {p.relative_to(bundle).as_posix(): p.read_bytes() for p in sorted(bundle.rglob("*"))
                if p.is_file() and _kept(p.relative_to(bundle).as_posix())}


def _run(command: list[str], log: Path, cancelled: Callable[[], bool],
         meanwhile: Callable[[], bool] | None = None, timeout: float = 600) -> tuple[int, str]:
    """Run a command to its end (exit code and output), unless `cancelled` says stop first;
    `meanwhile` is called while it runs, again at once each time it says it did some work."""
    if cancelled():
        raise Cancelled()
    with open(log, "w+b") as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        deadline = time.monotonic() + timeout
        try:
            while True:
                returncode = process.poll()
                if returncode is not None:
                    break
                if meanwhile is None or not meanwhile():
                    try:
                        returncode = process.wait(timeout=0.1)
                        break
                    except subprocess.TimeoutExpired:
                        pass
                if cancelled():
                    raise Cancelled()
                if time.monotonic() > deadline:
                    raise SiteError.at("site.yaml", None, f"search: Pagefind took more than {timeout:.0f} s; "
                                                          "set 'search: false' to build without search")
        finally:
            if process.poll() is None:  # stopped, or the work done meanwhile failed
                process.kill()
                process.wait()
        out.seek(0)
        return returncode, out.read().decode("utf-8", "replace")


def _link_or_copy(source: Path, target: Path) -> None:
    """A hard link to an unchanged page (Pagefind only reads it), or a copy across file systems."""
    try:
        os.link(source, target)
    except OSError:
        shutil.copyfile(source, target)


def pagefind_binary() -> Path:
    """The Pagefind binary that `pagefind[bin]` installs, or a clear error naming the fix."""
    try:
        from pagefind.service import get_executable
    except ImportError:
        get_executable = None
    binary = get_executable() if get_executable is not None else None
    if binary is None or not os.access(binary, os.X_OK) or not Path(binary).is_file():
        where = f" ({binary}, from PAGEFIND_BINARY_PATH)" if binary is not None and os.environ.get(
            "PAGEFIND_BINARY_PATH") else ""
        raise SiteError.at("site.yaml", None, f"search: the Pagefind binary is missing{where}: run "
                                              "`python3 -m pip install 'pagefind[bin]'` (requirements.txt), "
                                              "or set 'search: false'")
    return Path(binary)


def _kept(name: str) -> bool:
    """Whether a bundle file is one the search page may load."""
    return name in KEPT_FILES or name.endswith(KEPT_SUFFIXES)
