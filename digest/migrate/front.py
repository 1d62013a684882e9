"""Old front matter: YAML between '---', TOML between '+++' or JSON in braces; read, then edited as
text so that everything the editor wrote stays as it was (order, comments, quoting)."""

from __future__ import annotations

import json
import re
import tomllib
from datetime import date
from typing import Any, Iterable

import yaml

from ..frontmatter import load_yaml, split_front_matter
from ..importer.write import yaml_scalar
from .records import TOML, YAML, FrontMatter

_LEADING = re.compile(r"\ufeff?(?:[ \t]*\n)*")
_TOML_CLOSE = re.compile(r"^\+\+\+[ \t]*$", re.MULTILINE)
_TOML_LINE = re.compile(r"line (\d+)")


class FrontMatterError(ValueError):
    """Front matter that cannot be read: the line and what is wrong."""

    def __init__(self, line: int, message: str):
        super().__init__(message)
        self.line = line


def read_front(text: str) -> FrontMatter:
    """An old file's front matter, values and body; raises FrontMatterError naming the line."""
    text = text.replace("\r\n", "\n")
    prefix = _LEADING.match(text).group()  # type: ignore[union-attr]
    rest = text[len(prefix):]
    before = prefix.count("\n")             # lines above the opening fence
    if rest.startswith("---"):
        return _yaml_front(prefix, rest, before)
    if rest.startswith("+++"):
        return _toml_front(prefix, rest, before)
    if rest.startswith("{"):
        return _json_front(prefix, rest, before)
    return FrontMatter(YAML, "", "", {}, text, 1)


def _yaml_front(prefix: str, rest: str, before: int) -> FrontMatter:
    """Front matter between '---' lines."""
    split = split_front_matter(rest)
    if split is None:
        raise FrontMatterError(before + 1, "front matter is not closed: add a '---' line after its last line")
    front, body = split
    try:
        values = load_yaml(front) or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = before + 2 + mark.line if mark else before + 1
        raise FrontMatterError(line, f"front matter is not valid YAML: {getattr(exc, 'problem', None) or exc}") \
            from None
    if not isinstance(values, dict):
        raise FrontMatterError(before + 2, "front matter is not 'key: value' lines")
    return FrontMatter(YAML, prefix, front, values, body, before + 3 + front.count("\n"))


def _toml_front(prefix: str, rest: str, before: int) -> FrontMatter:
    """Front matter between '+++' lines."""
    first_end = rest.find("\n")
    close = _TOML_CLOSE.search(rest, first_end + 1) if first_end >= 0 else None
    if close is None or rest[:first_end].strip() != "+++":
        raise FrontMatterError(before + 1, "front matter is not closed: add a '+++' line after its last line")
    front, body = rest[first_end + 1:close.start()], rest[close.end() + 1:]
    try:
        values = tomllib.loads(front)
    except tomllib.TOMLDecodeError as exc:
        found = _TOML_LINE.search(str(exc))
        line = before + 1 + int(found.group(1)) if found else before + 1
        raise FrontMatterError(line, f"front matter is not valid TOML: {str(exc).split(' (at ')[0]}") from None
    return FrontMatter(TOML, prefix, front, values, body, before + 3 + front.count("\n"))


def _json_front(prefix: str, rest: str, before: int) -> FrontMatter:
    """Front matter as a JSON object, rewritten as YAML: our build reads no JSON."""
    try:
        values, end = json.JSONDecoder().raw_decode(rest)
    except json.JSONDecodeError as exc:
        raise FrontMatterError(before + exc.lineno, f"front matter is not valid JSON: {exc.msg}") from None
    if not isinstance(values, dict):
        raise FrontMatterError(before + 1, "front matter is not a JSON object")
    body = rest[end:].removeprefix("\n")
    text = yaml.safe_dump(values, sort_keys=False, allow_unicode=True, width=1000)
    return FrontMatter(YAML, prefix, text, values, body, before + 1 + rest[:end].count("\n") + 1)


def render(front: FrontMatter, text: str, body: str) -> str:
    """The whole file again: what came before the fence, the edited front matter, the body."""
    fence = "+++" if front.syntax == TOML else "---"
    return f"{front.prefix}{fence}\n{text}{fence}\n{body}"


# --- edits, each on the front matter's text ------------------------------------------------------

def rename_key(text: str, old: str, new: str, syntax: str) -> str:
    """The top-level key `old` spelt `new`, its value untouched."""
    lines = text.splitlines(keepends=True)
    span = _key_span(lines, old, syntax)
    if span is None:
        return text
    start = span[0]
    lines[start] = re.sub(rf"^(\s*){re.escape(old)}", rf"\g<1>{new}", lines[start], count=1)
    return "".join(lines)


def drop_keys(text: str, keys: Iterable[str], syntax: str) -> str:
    """The text without these top-level keys and their values."""
    lines = text.splitlines(keepends=True)
    for key in keys:
        while (span := _key_span(lines, key, syntax)) is not None:
            del lines[span[0]:span[1]]
    return "".join(lines)


def add_entries(text: str, entries: Iterable[tuple[str, Any]], syntax: str) -> str:
    """The text with these keys written at the end of its top level."""
    added = "".join(_entry(key, value, syntax) for key, value in entries)
    if not added:
        return text
    if text and not text.endswith("\n"):
        text += "\n"
    if syntax != TOML:
        return text + added
    lines = text.splitlines(keepends=True)
    end = _toml_top_end(lines)  # keys after a [table] header would belong to that table
    while end > 0 and not lines[end - 1].strip():
        end -= 1                # beside the other keys, before the blank line that sets the table apart
    return "".join(lines[:end]) + added + "".join(lines[end:])


def _entry(key: str, value: Any, syntax: str) -> str:
    """One key and its value, as YAML or TOML lines."""
    if syntax == TOML:
        return f"{key} = {_toml_value(value)}\n"
    if isinstance(value, (list, tuple)):
        return f"{key}:\n" + "".join(f"- {yaml_scalar(str(item))}\n" for item in value)
    return f"{key}: {_yaml_value(value)}\n"


def _yaml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, date):
        return value.isoformat()
    return yaml_scalar(str(value))


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, date):
        return value.isoformat()          # a TOML local date or date-time, not a string
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_toml_value(item) for item in value) + "]"
    return json.dumps(str(value), ensure_ascii=False)   # a JSON string is a TOML basic string


def _key_span(lines: list[str], key: str, syntax: str) -> tuple[int, int] | None:
    """(first line, line after the last) of a top-level key and its value, or None."""
    if syntax == TOML:
        return _toml_key_span(lines, key)
    pattern = re.compile(rf"^['\"]?{re.escape(key)}['\"]?[ \t]*:(?:[ \t]|$)")
    for i, line in enumerate(lines):
        if pattern.match(line):
            end = i + 1
            while end < len(lines) and (lines[end][:1] in (" ", "\t", "-") or not lines[end].strip()):
                end += 1
            while end > i + 1 and not lines[end - 1].strip():
                end -= 1                    # blank lines before the next key are not this value's
            return i, end
    return None


def _toml_key_span(lines: list[str], key: str) -> tuple[int, int] | None:
    """A top-level TOML key's lines: its value may be an array or a string over several lines."""
    pattern = re.compile(rf"^\s*['\"]?{re.escape(key)}['\"]?\s*=\s*(.*)$", re.DOTALL)
    for i in range(_toml_top_end(lines)):
        match = pattern.match(lines[i])
        if not match:
            continue
        value, end = match.group(1), i + 1
        for fence in ('"""', "'''"):
            if value.startswith(fence) and value.count(fence) == 1:
                while end < len(lines) and fence not in lines[end]:
                    end += 1
                return i, min(end + 1, len(lines))
        depth = value.count("[") - value.count("]")
        while depth > 0 and end < len(lines):
            depth += lines[end].count("[") - lines[end].count("]")
            end += 1
        return i, end
    return None


def _toml_top_end(lines: list[str]) -> int:
    """The index of the first [table] header, where the top-level keys end."""
    depth = 0
    for i, line in enumerate(lines):
        stripped = line.strip()
        if depth == 0 and stripped.startswith("["):
            return i
        if "=" in stripped or depth:
            depth = max(0, depth + stripped.count("[") - stripped.count("]"))
    return len(lines)
