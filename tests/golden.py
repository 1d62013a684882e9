#!/usr/bin/env python3
"""The golden output: the fixture site of conftest.py built with 'now' frozen, checked in under
tests/golden/output/ (all but the search index, which Pagefind does not write byte for byte
the same twice). Regenerate after an intended change to the output, and review the diff:

    python3 tests/golden.py
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
GOLDEN = HERE / "golden" / "output"
sys.path[:0] = [str(HERE.parent), str(HERE)]

from conftest import NOW, write_site  # noqa: E402
from digest.pipeline import BuildOptions, build  # noqa: E402


def build_fixture(folder: Path) -> Path:
    """Build the fixture site under folder; the output folder."""
    site = write_site(folder / "site")
    build(site, BuildOptions(now=NOW, output=folder / "output", use_cache=False, workers=1))
    return folder / "output"


def main() -> int:
    with tempfile.TemporaryDirectory() as folder:
        output = build_fixture(Path(folder))
        shutil.rmtree(GOLDEN, ignore_errors=True)
        shutil.copytree(output, GOLDEN, ignore=lambda folder, names: ["pagefind"] if Path(folder) == output else [])
    print(f"wrote {sum(1 for p in GOLDEN.rglob('*') if p.is_file())} files to {GOLDEN.relative_to(HERE.parent)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
