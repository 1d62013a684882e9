"""digest.typography curls quotes and sets dashes like smarty, leaving code and escapes alone."""

from __future__ import annotations

import html
import re

import markdown
import pytest

CASES = [
    ('He said "hello" -- then left.', "He said “hello” – then left."),
    ("It's the '80s... rock'n'roll", "It’s the ’80s… rock’n’roll"),
    ("'Single' (\"in parens\") --- done", "‘Single’ (“in parens”) — done"),
    ('"*Quoted emphasis*" ends', "“Quoted emphasis” ends"),
    ('Keep `"code" -- here` as is', 'Keep "code" -- here as is'),
    (r'Escaped \"quotes\" and \'these\' and -\- stay', "Escaped \"quotes\" and 'these' and -- stay"),
    ("Already “curly” and ‘single’", "Already “curly” and ‘single’"),
]


@pytest.mark.parametrize("source, expected", CASES)
def test_typography_text(source: str, expected: str) -> None:
    out = markdown.markdown(source, extensions=["extra", "digest.typography"])
    assert html.unescape(re.sub(r"<[^>]+>", "", out)) == expected


@pytest.mark.parametrize("source", [c[0] for c in CASES])
def test_typography_reads_like_smarty(source: str) -> None:
    ours = markdown.markdown(source, extensions=["extra", "digest.typography"])
    theirs = markdown.markdown(source, extensions=["extra", "smarty"])
    assert html.unescape(ours) == html.unescape(theirs)


def test_code_blocks_are_left_alone() -> None:
    out = markdown.markdown('    "x" -- y\n', extensions=["extra", "digest.typography"])
    assert out == '<pre><code>"x" -- y\n</code></pre>'
