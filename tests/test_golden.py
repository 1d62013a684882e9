"""The fixture site's whole output, byte for byte, against tests/golden/output/.

A change to any page shows up here as a diff; when the change is intended, regenerate with
`python3 tests/golden.py` and commit the new files with the change that made them."""

from __future__ import annotations

import difflib
from pathlib import Path

from conftest import snapshot
from golden import GOLDEN, build_fixture


def test_the_fixture_site_builds_exactly_the_golden_output(tmp_path: Path) -> None:
    built = snapshot(build_fixture(tmp_path))
    golden = snapshot(GOLDEN)
    assert sorted(built) == sorted(golden), "files differ: run python3 tests/golden.py and review the diff"
    diffs = []
    for path in sorted(p for p in built if built[p] != golden[p]):
        diffs += difflib.unified_diff(golden[path].decode("utf-8", "replace").splitlines(),
                                      built[path].decode("utf-8", "replace").splitlines(),
                                      f"golden/{path}", f"built/{path}", lineterm="", n=1)
    assert not diffs, "\n".join(diffs[:200]) + "\n(intended? run python3 tests/golden.py)"
