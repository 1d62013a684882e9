"""Related articles kept between builds. Finding them is the model's one step that grows faster
than the site (about 1 s at 100,000 articles); they change only when an article's date, tags or
presence does, so a warm build, or a preview rebuild after an edit of an article's text, finds
them here by the signature of the lists they come from (model.related_signature)."""

from __future__ import annotations

import pickle
from pathlib import Path
from typing import Mapping

from .files import write_atomic

FORMAT = 1
Related = Mapping[str, tuple[str, ...]]   # article source -> its related articles' sources


class RelatedMemo:
    """The related articles of the last build, by signature; what this build used is kept."""

    def __init__(self, path: Path | None, known: Mapping[str, Related] | None = None):
        self.path = path
        self.known: Mapping[str, Related] = known if known is not None else _load(path)
        self.used: dict[str, Related] = {}

    def get(self, signature: str) -> Related | None:
        found = self.known.get(signature)
        if found is not None:
            self.used[signature] = found
        return found

    def put(self, signature: str, related: Related) -> None:
        self.used[signature] = related

    def next(self) -> "RelatedMemo":
        """The memo for the next build: this build's entries; saved first when they changed."""
        if self.path is not None and set(self.used) != set(self.known):
            write_atomic(self.path, pickle.dumps((FORMAT, self.used), protocol=pickle.HIGHEST_PROTOCOL))
        return RelatedMemo(self.path, self.used)


def _load(path: Path | None) -> Mapping[str, Related]:
    if path is None:
        return {}
    try:
        form, known = pickle.loads(path.read_bytes())
        return known if form == FORMAT and isinstance(known, dict) else {}
    except (OSError, ValueError, TypeError, EOFError, pickle.UnpicklingError, AttributeError, ImportError):
        return {}
