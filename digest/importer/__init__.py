"""The importer: raw article text -> Draft -> Markdown with front matter, written to content/.

    decode    bytes -> text: UTF-8, else UTF-16 by its mark, else Windows-1252 or Latin-1
    parse     text -> Draft: headline, paragraphs, summary (dateline: place, date, agency), language
    dateline  the dateline's place, date and source, in English or a configured language
    months    month names: English, and each configured language's from CLDR and layouts/i18n
    tags      the vocabulary as one matcher; tag lists split at commas
    write     Draft -> front matter and escaped Markdown
    sources   which raw files to read, and which articles record them as imported_from
    run       import_articles: all of the above for each file, and the report
    records   ImportOptions, Draft and RawTextError, which the stages pass along
"""

from .decode import read_raw
from .parse import HEADLINE_LINE_MAX, HEADLINE_MAX, SUMMARY_MAX, WRAP_WIDTH, parse_raw
from .records import (
    REVIEW_ENCODING, REVIEW_HEADLINE, REVIEW_PARAGRAPHS, REVIEW_TAGS, Draft, ImportOptions, RawTextError,
)
from .run import ImportReport, import_articles
from .tags import MAX_SUGGESTED_TAGS, TagMatcher
from .write import (
    QUOTES_BACKSLASH, QUOTES_ENTITY, QUOTES_KEPT, escape_markdown, quote_escaping, to_markdown, yaml_scalar,
)

__all__ = [
    "HEADLINE_LINE_MAX", "HEADLINE_MAX", "MAX_SUGGESTED_TAGS", "QUOTES_BACKSLASH", "QUOTES_ENTITY", "QUOTES_KEPT",
    "REVIEW_ENCODING", "REVIEW_HEADLINE", "REVIEW_PARAGRAPHS", "REVIEW_TAGS", "SUMMARY_MAX", "WRAP_WIDTH",
    "Draft", "ImportOptions", "ImportReport", "RawTextError", "TagMatcher",
    "escape_markdown", "import_articles", "parse_raw", "quote_escaping", "read_raw", "to_markdown", "yaml_scalar",
]
