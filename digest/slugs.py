"""ASCII slugs, stable across builds: accents folded, everything else a hyphen."""

from __future__ import annotations

import functools
import re
import unicodedata

_NON_WORD = re.compile(r"[^a-z0-9]+")
# Letters that NFKD does not split into a base letter and an accent.
_FOLD = str.maketrans({"ß": "ss", "æ": "ae", "Æ": "AE", "ø": "o", "Ø": "O", "œ": "oe",
                       "Œ": "OE", "đ": "d", "Đ": "D", "ł": "l", "Ł": "L", "þ": "th", "ı": "i"})


def fold_accents(text: str) -> str:
    """'Migración' -> 'Migracion': drop combining marks, keep the base letters."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_FOLD))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@functools.lru_cache(maxsize=4096)
def slugify(text: str, max_length: int = 80) -> str:
    """A lower-case ASCII slug of words joined by hyphens, cut at a word boundary."""
    slug = _NON_WORD.sub("-", fold_accents(text).lower()).strip("-")
    if len(slug) > max_length:
        slug = slug[:max_length].rsplit("-", 1)[0]
    return slug
