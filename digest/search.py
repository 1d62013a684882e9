"""Stage 6b: the search index. Pagefind reads the new site's article and plain pages (those this
build rendered, and the unchanged ones from the output folder) and gives back its bundle: one
index per `<html lang>`, split in small chunks the search page loads only when a reader searches.

The bundle's files go through `stage` like every page, so they are in the manifest, the link and
weight checks and the atomic swap. When no indexed page changed, the bundle is reused as it is."""

from __future__ import annotations

import hashlib
import importlib.metadata
import posixpath
import subprocess
import tempfile
from pathlib import Path
from typing import Iterable, Iterator, Mapping

from .errors import SiteError
from .links import LinkFacts
from .output import Staged
from .plan import SEARCH_BUNDLE, PageSpec
from .render import OutputFile

INDEXED_TEMPLATES = frozenset({"article.html", "page.html"})
# What the search page's script needs from the bundle; Pagefind's own UIs and its worker stay out.
KEPT_FILES = ("pagefind.js", "pagefind-entry.json")
KEPT_SUFFIXES = (".pagefind", ".pf_meta", ".pf_index", ".pf_fragment", ".pf_filter")


class PageTap:
    """Passes rendered files on to `stage` and notes the keys of the pages to index (their
    bytes are read back from the staging or output folder: at 100,000 articles, keeping them in
    memory would take 1.5 GB)."""

    def __init__(self, specs: Iterable[PageSpec]):
        self.wanted = frozenset(s.path for s in specs if s.template in INDEXED_TEMPLATES)
        self.keys: dict[str, str] = {}

    def tap(self, files: Iterable[OutputFile]) -> Iterator[OutputFile]:
        """Every file, unchanged; the indexed ones are noted on the way."""
        for f in files:
            if f.path in self.wanted:
                self.keys[f.path] = f.key
            yield f


def bundle_key(tap: PageTap, base_url: str) -> str:
    """One fingerprint for the whole bundle: every indexed page's key, the address, Pagefind's version."""
    digest = hashlib.blake2b(digest_size=12)
    for path in sorted(tap.keys):
        digest.update(f"{path}\0{tap.keys[path]}\n".encode())
    digest.update(f"{base_url}\0{pagefind_version()}".encode())
    return "search:" + digest.hexdigest()


def pagefind_version() -> str:
    """The installed Pagefind's version, or '' when the package is missing."""
    try:
        return importlib.metadata.version("pagefind")
    except importlib.metadata.PackageNotFoundError:
        return ""


def search_files(tap: PageTap, staged: Staged, base_path: str, previous: Mapping[str, str]) -> list[OutputFile]:
    """The bundle's files: reused (content None) when the last bundle was made from the same
    pages, else made again from every indexed page of the new site (as staged)."""
    key = bundle_key(tap, base_path)
    kept = [path for path in previous if path.startswith(SEARCH_BUNDLE)]
    if kept and all(previous[path] == key for path in kept):
        return [OutputFile(path, key, None) for path in sorted(kept)]
    pages = {}
    for path in sorted(tap.keys):
        pages[path] = ((staged.folder if path in staged.changed else staged.output_dir) / path).read_bytes()
    return [OutputFile(SEARCH_BUNDLE + name, key, data, LinkFacts(len(data)))
            for name, data in sorted(run_pagefind(pages).items())]


def run_pagefind(pages: Mapping[str, bytes]) -> dict[str, bytes]:
    """Index these pages (output path -> HTML) with the packaged Pagefind binary; its bundle's
    files by name. The binary reads a folder in one run: its Python API answers one page per
    tenth of a second, a minute and a half for a thousand articles."""
    binary = pagefind_binary()
    with tempfile.TemporaryDirectory(prefix="digest-search-") as folder:
        site, bundle = Path(folder) / "site", Path(folder) / "bundle"
        for path, content in pages.items():
            target = site / posixpath.normpath(path)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(content)
        run = subprocess.run([str(binary), "--site", str(site), "--output-path", str(bundle), "--silent"],
                             capture_output=True, text=True, timeout=600)
        if run.returncode != 0:
            detail = (run.stderr or run.stdout).strip().splitlines()[-1:] or ["no output"]
            raise SiteError.at("site.yaml", None, f"search: Pagefind failed (exit {run.returncode}: {detail[0]}); "
                                                  "set 'search: false' to build without search")
        return {p.relative_to(bundle).as_posix(): p.read_bytes() for p in sorted(bundle.rglob("*"))
                if p.is_file() and _kept(p.relative_to(bundle).as_posix())}


def pagefind_binary() -> Path:
    """The Pagefind binary that `pagefind[bin]` installs, or a clear error naming the fix."""
    try:
        from pagefind.service import get_executable
    except ImportError:
        get_executable = None
    binary = get_executable() if get_executable is not None else None
    if binary is None:
        raise SiteError.at("site.yaml", None, "search: the Pagefind binary is missing: run "
                                              "`python3 -m pip install 'pagefind[bin]'` (requirements.txt), "
                                              "or set 'search: false'")
    return Path(binary)


def _kept(name: str) -> bool:
    """Whether a bundle file is one the search page may load."""
    return name in KEPT_FILES or name.endswith(KEPT_SUFFIXES)
