"""Tags: the vocabulary compiled into one matcher, and tag lists as the command line gives them."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from typing import Iterable, Mapping, Sequence

from ..errors import Problem, did_you_mean
from ..text import unique_tags

MAX_SUGGESTED_TAGS = 10    # suggestions are reviewed: a missing tag is harder to notice than an extra one


@dataclass(frozen=True, slots=True)
class TagMatcher:
    """The tag vocabulary as one compiled regex, and each lower-cased phrase's tags."""

    pattern: re.Pattern[str] | None
    tags_of: Mapping[str, tuple[str, ...]]
    order: Mapping[str, int]

    @classmethod
    def from_vocabulary(cls, vocabulary: Mapping[str, Sequence[str]]) -> "TagMatcher":
        """Compile the vocabulary once per run: whole words and phrases, any case."""
        tags_of: dict[str, list[str]] = {}
        for tag, phrases in vocabulary.items():
            for phrase in phrases:
                key = _phrase_key(phrase)
                if key and tag not in tags_of.setdefault(key, []):
                    tags_of[key].append(tag)
        if not tags_of:
            return cls(None, {}, {})
        pattern = re.compile(rf"(?<!\w){_trie_regex(tags_of)}(?!\w)", re.IGNORECASE)
        return cls(pattern, {k: tuple(v) for k, v in tags_of.items()},
                   {tag: i for i, tag in enumerate(vocabulary)})

    def suggest(self, text: str, limit: int = MAX_SUGGESTED_TAGS) -> tuple[str, ...]:
        """Tags whose words occur in the text, most mentioned first, at most `limit`."""
        if self.pattern is None:
            return ()
        counts: Counter[str] = Counter()
        for found, times in Counter(self.pattern.findall(text)).items():
            for tag in self.tags_of.get(_phrase_key(found), ()):
                counts[tag] += times
        ranked = sorted(counts, key=lambda tag: (-counts[tag], self.order.get(tag, 0)))
        return tuple(ranked[:limit])


def _phrase_key(phrase: str) -> str:
    """A phrase as the matcher keys it: inner spaces collapsed, lower case."""
    return " ".join(phrase.split()).lower()


def _trie_regex(phrases: Iterable[str]) -> str:
    """One regex for many phrases, shared prefixes factored out: a plain alternation is several times slower."""
    trie: dict = {}
    for phrase in phrases:
        node = trie
        for ch in phrase:
            node = node.setdefault(ch, {})
        node[""] = {}

    def emit(node: dict) -> str:
        branches = [(r"\s+" if ch == " " else re.escape(ch)) + emit(child)
                    for ch, child in sorted(node.items()) if ch]
        if not branches:
            return ""
        if "" in node:  # a phrase ends here; a longer one may go on (greedy: longest first)
            return f"(?:{'|'.join(branches)})?"
        return branches[0] if len(branches) == 1 else f"(?:{'|'.join(branches)})"

    return emit(trie)


def split_tags(items: Iterable[str]) -> tuple[str, ...]:
    """Tags in order, each item split at commas, without blanks or duplicates (by slug)."""
    return unique_tags(part for item in items for part in item.split(","))


def unknown_tag_warnings(tags: Sequence[str], vocabulary: Mapping[str, Sequence[str]]) -> list[Problem]:
    """A warning for each given tag that is not in the vocabulary but looks like a misspelling of one."""
    known = tuple(vocabulary)
    if not known:
        return []
    folded = {tag.casefold() for tag in known}
    return [Problem("--tags", None, f"'{tag}' is not in tag_vocabulary{did_you_mean(tag, known)}")
            for tag in split_tags(tags) if tag.casefold() not in folded and did_you_mean(tag, known)]
