"""digest.frontmatter: simple YAML front matter is read without PyYAML, into exactly what PyYAML
reads from it; anything else is PyYAML's."""

from __future__ import annotations

import random

import pytest
import yaml

from digest.frontmatter import _Loader, _plain_mapping, load_yaml

# Lines as editors, importers and generators write them, and lines that look almost like them
KEYS = ["title", "date", "tags", "summary", "slug", "draft", "author", "source_url", "lang", "image_alt",
        "on", "yes", "null", "True", "x-y", "_private", "2024", "a b", "key ", " key", "-key", "tïtle"]
VALUES = [
    "Examplecity opens a legal clinic", '"Examplecity opens a legal clinic"', "'Quoted, single'",
    "'It''s here'", "'It's here'", '"Say \\"hi\\""', '"a \\u00e9"', '""', "''", '"unclosed', "'unclosed",
    "2024-11-30", "2024-11-30 09:30", "2024-11-30T09:30:00Z", "10:30", "10:30 meeting", "1:20", "12",
    "-5", "3.14", ".inf", ".x", "0x1F", "0o17", "1_000", "true", "False", "on", "No", "null", "~", "Null",
    "[a, b]", "[legal aid, health]", "[]", "[ a , b ]", "[a, b,]", "[a, [b]]", "['a', b]", '["a"]',
    "[yes, no]", "[1, 2]", "[a: b]", "[a:b]", "[a}b]", "[a]b]", "[it's]", '["a" b]', "[a:?b]", "[a?b]", "[b:?]", "[a #b]", "{a: b}", "a: b", "a #comment", "a#b", "a # b", "a:",
    "a:b", "https://example.org/x/", "Café, “quoted” — dash…", "x > y", "- item", "-not", "? q",
    "*alias", "&anchor x", "!tag x", "|", ">", "%pct", "@at", "`tick", ",comma", "=", "<<",
    "trailing spaces   ", "\ttab", "a\tb", "line\u2028sep", "nel\x85x", "bom\ufeffx", "",
]
BLOCK_ITEMS = ["- a", "- legal aid", "  - a", "    - a", '- "quoted"', "- 'single'", "- yes", "- 12", "-",
               "- a: b", "- [x]", "- # c", "-  two spaces", "\t- tab"]


def front_matters(count: int, seed: int) -> list[str]:
    """Front matter of 1 to 6 lines; in half of them, most lines are of the kinds read the fast way."""
    rng = random.Random(seed)
    made = []
    for n in range(count):
        usual = n % 2 == 0
        keys = KEYS[:10] if usual and rng.random() < 0.9 else KEYS
        values = VALUES[:12] if usual and rng.random() < 0.8 else VALUES
        lines = []
        for _ in range(rng.randint(1, 6)):
            roll = rng.random()
            if roll < 0.12:
                lines.append(f"{rng.choice(keys)}:")
                lines += [rng.choice(BLOCK_ITEMS[:6] if usual else BLOCK_ITEMS) for _ in range(rng.randint(0, 3))]
            elif roll < 0.18 and not usual:
                lines.append(rng.choice(["", "   ", "# a comment", "  continued", "key:value", "---"]))
            else:
                lines.append(f"{rng.choice(keys)}:{rng.choice([' ', '  ', ''] if not usual else [' '])}"
                             f"{rng.choice(values)}")
        made.append("\n".join(lines) + rng.choice(["", "\n"]))
    return made


def pyyaml(text: str) -> object:
    try:
        return yaml.load(text, Loader=_Loader)
    except yaml.YAMLError as exc:
        return type(exc)


def ours(text: str) -> object:
    try:
        return load_yaml(text)
    except yaml.YAMLError as exc:
        return type(exc)


def test_the_same_as_pyyaml_whatever_the_lines() -> None:
    simple = 0
    for text in front_matters(20_000, seed=5):
        got = ours(text)
        assert got == pyyaml(text) and repr(got) == repr(pyyaml(text)), text
        simple += _plain_mapping(text) is not None
    assert simple > 1_500  # the fast way is taken, not only the fallback


@pytest.mark.parametrize("text, expected", [
    ('title: "A synthetic note"\ndate: 2020-10-05 17:40\ntags: [work]\nsummary: "Synthetic summary."',
     {"title": "A synthetic note", "date": "2020-10-05 17:40", "tags": ["work"], "summary": "Synthetic summary."}),
    ("title: It's here, plain\ntags:\n  - legal aid\n  - 'health'\nslug: its-here",
     {"title": "It's here, plain", "tags": ["legal aid", "health"], "slug": "its-here"}),
    ("title: Twice\ntitle: Last wins\nlang: es", {"title": "Last wins", "lang": "es"}),
])
def test_common_front_matter_is_read_the_fast_way(text: str, expected: dict) -> None:
    assert _plain_mapping(text) == expected == pyyaml(text)


@pytest.mark.parametrize("text", ["draft: true", "count: 12", "at: 10:30", "title: a # comment", "tags: [a, b,]",
                                  "title: x\n  continued", "on: x", "title:\n- a\n  - b", "title: '", "a:b",
                                  "k" * 1025 + ": v", "t: [a:?b]", "t: [a?b]"])
def test_anything_else_is_left_to_pyyaml(text: str) -> None:
    assert _plain_mapping(text) is None
    assert ours(text) == pyyaml(text)
