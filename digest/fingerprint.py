"""A page's fingerprint: a digest of its template closure and its context, so a build renders
only pages whose inputs changed. An article counts as its content digest, which keeps it cheap."""

from __future__ import annotations

import dataclasses
import functools
import hashlib
from datetime import datetime
from typing import Any, Iterable

import jinja2
import jinja2.meta

from .content import Article
from .model import SiteInfo, TagLink
from .sources import ENGINE_VERSION

RENDER_VERSION = "1"  # bump when a filter or context change alters rendered bytes


def template_keys(env: jinja2.Environment, names: Iterable[str]) -> dict[str, str]:
    """Per template, a digest of its source and every template it extends, includes or imports."""
    sources: dict[str, tuple[str, tuple[str, ...]]] = {}

    def visit(name: str) -> None:
        if name in sources:
            return
        source, filename, _ = env.loader.get_source(env, name)  # type: ignore[union-attr]
        refs = tuple(sorted(r for r in jinja2.meta.find_referenced_templates(env.parse(source, name, filename))
                            if r))
        sources[name] = (source, refs)
        for ref in refs:
            visit(ref)

    def closure(name: str, seen: set[str]) -> set[str]:
        if name not in seen:
            seen.add(name)
            for ref in sources[name][1]:
                closure(ref, seen)
        return seen

    result = {}
    for name in names:
        visit(name)
        h = hashlib.blake2b(f"{ENGINE_VERSION}/{RENDER_VERSION}".encode(), digest_size=16)
        for part in sorted(closure(name, set())):
            h.update(part.encode() + b"\0" + sources[part][0].encode() + b"\0")
        result[name] = h.hexdigest()
    return result


# What changes with an article's text besides its body: a layout that reaches one counts as
# reading the text, as reading `body` does (render._Environment, content.text_reads)
TEXT_FIELDS = frozenset({"packed_body", "digest", "text_version"})


def data_key(data: bytes) -> str:
    """The fingerprint of a file given as bytes."""
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def page_key(template_key: str, context: Any, shared: dict[int, str], shown: list[Article] | None = None) -> str:
    """A digest of everything a rendered page's bytes depend on.

    `shared` memoises, by identity, the records that many pages show (site info, tag links);
    `shown`, when given, receives every article the page shows."""
    out = [template_key]
    _walk(context, out, shared, shown)
    return hashlib.blake2b("\x1f".join(out).encode(), digest_size=16).hexdigest()


@functools.cache
def field_names(kind: type) -> tuple[str, ...]:
    """The fields of a dataclass, in order."""
    return tuple(f.name for f in dataclasses.fields(kind))


def _walk(value: Any, out: list[str], shared: dict[int, str], shown: list[Article] | None) -> None:
    """Flatten a context into text."""
    kind = type(value)
    if kind is Article:
        out.append(value.digest)
        if shown is not None:
            shown.append(value)
    elif kind is str:
        out.append(value)
    elif kind is tuple or kind is list:
        out.append("[")
        for item in value:
            _walk(item, out, shared, shown)
        out.append("]")
    elif kind is dict:
        out.append("{")
        for key in sorted(value):
            out.append(str(key))
            _walk(value[key], out, shared, shown)
        out.append("}")
    elif kind is int or kind is bool or kind is float or value is None:
        out.append(repr(value))
    elif kind is datetime:
        out.append(value.isoformat())
    elif kind in _RECORDS or _is_record(kind):
        out.append(_record(value, kind, shared, shown))
    else:
        raise TypeError(f"cannot fingerprint {kind.__name__} in a page context")


_RECORDS: set[type] = set()  # the dataclasses met so far


def _is_record(kind: type) -> bool:
    if dataclasses.is_dataclass(kind):
        _RECORDS.add(kind)
        return True
    return False


def _record(value: Any, kind: type, shared: dict[int, str], shown: list[Article] | None) -> str:
    text = shared.get(id(value))
    if text is None:
        inner: list[str] = [kind.__name__, "("]
        for name in field_names(kind):
            _walk(getattr(value, name), inner, shared, shown)
        inner.append(")")
        text = "\x1e".join(inner)
        if kind is SiteInfo or kind is TagLink:
            shared[id(value)] = text
    return text

