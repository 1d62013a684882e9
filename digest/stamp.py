"""A build's stamp: what the last good build read and wrote, so that a build which would read
the same inputs into the same output does nothing at all (`make`'s rule, kept strict).

Nothing changed means: every file under content/, layouts/, static/ and fonts/, site.yaml, the
engine's own files, its libraries' and the time zone's rules have the paths, sizes, times and
inodes they had when the last build began; the options and the Python are the same; 'now' has
not moved past an article's date (either way); and output/ holds the files that build wrote,
with their sizes and times. Any doubt means a full build: a stamp is saved only after a good
build, and never when an input changed so close to the build's start that its time could hide
an edit."""

from __future__ import annotations

import hashlib
import json
import os
import sys
import time
import zoneinfo
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Iterable, Mapping

from .config import Config
from . import files
from .files import stat_line, write_atomic
from .steps import Timings

FORMAT = 2
LIBRARIES = ("markdown", "jinja2", "markupsafe", "yaml", "babel", "PIL", "pagefind", "pagefind_bin", "tzdata",
             "pygments")  # codehilite's
ENVIRONMENT = ("PAGEFIND_BINARY_PATH",)


@dataclass(frozen=True, slots=True)
class Inputs:
    """A digest of everything a build reads, and whether it can be trusted next time."""

    digest: str
    racy: bool           # some file's times could hide a later write (files.settled)
    rest: str = ""       # the digest of every input but the files under content/
    rest_racy: bool = False
    content: Mapping[str, bytes] = field(default_factory=dict)   # each file under content/: its line
    unsettled: frozenset[str] = frozenset()                      # those of them whose times prove nothing yet


@dataclass(frozen=True, slots=True)
class Record:
    """The last good build into one output folder: its inputs, its output, and what it printed."""

    inputs: str
    output: dict[str, list[int]]    # path -> [size, mtime_ns] of each file the build left in output/
    valid_from: float | None        # the latest date of an article it published, as a timestamp
    valid_until: float | None       # the earliest date of an article still to come: before 'now' moves
                                    # past either, a build would publish other articles
    notes: list[str] = field(default_factory=list)
    facts: str = ""                 # the summary's first part: pages, articles, links, ...
    weights: list[str] = field(default_factory=list)
    sizes: list[str] = field(default_factory=list)


def inputs(config: Config, options: Iterable[object], fonts: Iterable[Path] = ()) -> Inputs:
    """The digest of a build's inputs, taken before any of them is read."""
    started = time.time()
    h = hashlib.blake2b(f"{FORMAT}\0{sys.version}\0{options!r}".encode(), digest_size=16)
    h.update(repr([os.environ.get(name) for name in ENVIRONMENT]).encode())
    rest = h.copy()  # the same but for content/, whose files quick.py compares one by one
    content: dict[str, bytes] = {}
    unsettled = set()
    h.update(b"\1" + str(config.content_dir).encode())
    for line, ok in _tree(config.content_dir, started):
        h.update(line)
        name = line[:line.index(b"\0")].decode()
        content[name] = line
        if not ok:
            unsettled.add(name)
    settled = True
    folders = [config.layouts_dir, config.static_dir, config.root / "fonts",
               Path(__file__).parent] + [_package(name) for name in _libraries(config)]
    for folder in folders:
        h.update(b"\1" + str(folder).encode())
        rest.update(b"\1" + str(folder).encode())
        for line, ok in _tree(folder, started):
            h.update(line)
            rest.update(line)
            settled = settled and ok
    zones = [Path(folder) / config.timezone for folder in zoneinfo.TZPATH]  # the rules dates are shown by
    pagefind = [Path(os.environ["PAGEFIND_BINARY_PATH"])] if os.environ.get("PAGEFIND_BINARY_PATH") else []
    for path in [config.root / "site.yaml", *fonts, *zones, *pagefind]:
        line, ok = _file(path, started)
        h.update(line)
        rest.update(line)
        settled = settled and ok
    return Inputs(h.hexdigest(), bool(unsettled) or not settled, rest.hexdigest(), not settled, content,
                  frozenset(unsettled))


def output_intact(folder: Path, left: dict[str, list[int]]) -> bool:
    """Whether each file the last build left in folder is there with its size and time. Files
    put there by hand are no concern of ours: a build would leave them too."""
    root = str(folder) + os.sep
    return bool(left) and all(files.as_left(root + path, size, mtime) for path, (size, mtime) in left.items())


def window(dates: Iterable[datetime], now: datetime) -> tuple[float | None, float | None]:
    """(the latest of these dates not after now, the earliest after it), as timestamps: while
    'now' stays between them, the same articles are published (None: no such date)."""
    stamp = now.timestamp()
    times = [d.timestamp() for d in dates]
    return max((t for t in times if t <= stamp), default=None), min((t for t in times if t > stamp), default=None)


def load(path: Path | None) -> Record | None:
    """The stamp stored at path, or None."""
    if path is None:
        return None
    try:
        stored = json.loads(path.read_text(encoding="utf-8"))
        if stored.pop("format", None) != FORMAT:
            return None
        return Record(**stored)
    except (OSError, ValueError, TypeError):
        return None


def save(path: Path | None, record: Record) -> None:
    """Store the stamp of a good build."""
    if path is not None:
        fields = {name: getattr(record, name) for name in Record.__dataclass_fields__}  # asdict() copies deeply
        write_atomic(path, json.dumps({"format": FORMAT, **fields}))


def holds(record: Record | None, now_inputs: Inputs, output_dir: Path, now: datetime) -> bool:
    """Whether the last good build's stamp still describes the site and its output folder."""
    if record is None or now_inputs.racy or record.inputs != now_inputs.digest:
        return False
    moment = now.timestamp()
    if (record.valid_from is not None and moment < record.valid_from
            or record.valid_until is not None and moment >= record.valid_until):
        return False  # 'now' moved past an article's date (or back before one: SOURCE_DATE_EPOCH)
    return output_intact(output_dir, record.output)


def _libraries(config: Config) -> list[str]:
    """The libraries whose files decide the bytes: ours, and the packages of the Markdown
    extensions named ('pymdownx.superfences', 'my_extension:Extension'); a name Markdown
    resolves itself ('extra') is found as no package and counts as Markdown's."""
    named = {name.split(":")[0].split(".")[0] for name in config.markdown_extensions}
    return list(LIBRARIES) + sorted(named - {"markdown", "digest"})


def _package(name: str) -> Path:
    """Where an importable package's files are (its folder, or a module's one file)."""
    origin = files.module_file(name)
    if origin is None:
        return Path("/nonexistent") / name
    return origin.parent if origin.name == "__init__.py" else origin


def _tree(folder: Path, started: float) -> Iterable[tuple[bytes, bool]]:
    """(line, settled) for every file under folder (or folder itself, a file), in a fixed order."""
    if folder.is_file():
        yield _file(folder, started)
        return
    stack = [str(folder)]
    while stack:
        base = stack.pop()
        try:
            entries = sorted(os.scandir(base), key=lambda e: e.name)
        except OSError:
            continue
        for entry in entries:
            if entry.is_symlink() and entry.is_dir():
                yield f"{entry.path}\0linked folder\n".encode(), False  # not followed: never settled
                continue
            if entry.is_dir(follow_symlinks=False):
                if entry.name != "__pycache__":
                    stack.append(entry.path)
                continue
            try:
                st = entry.stat()
            except OSError:
                continue
            yield stat_line(entry.path, st).encode(), files.settled(st, started)


def _file(path: Path, started: float) -> tuple[bytes, bool]:
    """(line, settled) for one file, a missing file included."""
    try:
        st = os.stat(path)
    except OSError:
        return f"{path}\0missing\n".encode(), True
    return stat_line(str(path), st).encode(), files.settled(st, started)


@dataclass(frozen=True, slots=True)
class Unchanged:
    """The report of a build that found nothing changed: the last good build's, replayed."""

    record: Record
    timings: Timings

    def notes(self) -> list[str]:
        return self.record.notes

    def summary(self) -> str:
        return f"{self.record.facts}; nothing changed since the last build in {sum(self.timings.values()):.2f} s"

    def weights(self) -> list[str]:
        return self.record.weights

    def sizes(self) -> list[str]:
        return self.record.sizes
