#!/usr/bin/env python3
"""Prove a reshaping changed no output: build the tests' fixture site and a synthetic corpus
with the engine at a git revision and with the working tree, and compare every byte.

    python3 bench/same_output.py [REVISION] [--articles 1000]     (REVISION defaults to HEAD)
"""

from __future__ import annotations

import argparse
import filecmp
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

# Run inside a checkout: the fixture site and the corpus built with that checkout's engine,
# layouts and generator, with 'now' frozen and no cache.
BUILD = """
import sys
from pathlib import Path
sys.path[:0] = ['.', 'tests', 'bench']
from conftest import NOW, write_site
from digest.pipeline import BuildOptions, build
import generate
dest, count = Path(sys.argv[1]), int(sys.argv[2])
build(write_site(dest / 'fixture-src'), BuildOptions(now=NOW, output=dest / 'fixture', use_cache=False))
generate.write_site(generate.make_articles(count, 1), dest / 'corpus-src')
build(dest / 'corpus-src', BuildOptions(now=NOW.replace(year=2026), output=dest / 'corpus', use_cache=False))
"""


def build_with(checkout: Path, dest: Path, articles: int) -> None:
    """Build both sites with the engine in `checkout` into dest/fixture and dest/corpus."""
    subprocess.run([sys.executable, "-c", BUILD, str(dest), str(articles)], cwd=checkout, check=True)


def differences(a: Path, b: Path) -> tuple[list[str], int]:
    """Relative paths that differ or exist on one side only, and how many files were compared."""
    # Pagefind does not write its index byte for byte the same twice: pagefind/ is left out.
    files_a = {p.relative_to(a) for p in a.rglob("*") if p.is_file() and "pagefind" not in p.relative_to(a).parts}
    files_b = {p.relative_to(b) for p in b.rglob("*") if p.is_file() and "pagefind" not in p.relative_to(b).parts}
    differ = sorted(str(p) for p in files_a ^ files_b)
    differ += sorted(str(p) for p in files_a & files_b if not filecmp.cmp(a / p, b / p, shallow=False))
    return differ, len(files_a | files_b)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("revision", nargs="?", default="HEAD")
    parser.add_argument("--articles", type=int, default=1000)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="same-output-") as folder:
        tmp = Path(folder)
        subprocess.run(["git", "worktree", "add", "--detach", "-q", str(tmp / "base"), args.revision],
                       cwd=REPO, check=True)
        try:
            build_with(tmp / "base", tmp / "before", args.articles)
            build_with(REPO, tmp / "after", args.articles)
        finally:
            subprocess.run(["git", "worktree", "remove", "--force", str(tmp / "base")], cwd=REPO, check=False)
        failed = False
        for name in ("fixture", "corpus"):
            differ, total = differences(tmp / "before" / name, tmp / "after" / name)
            print(f"{name}: {total} files, {len(differ)} differ" + "".join(f"\n  {p}" for p in differ[:20]))
            failed = failed or bool(differ)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
