"""migrate: a Jekyll or Hugo site -> articles in content/, assets in static/, one command.

    detect    which generator made the site: Jekyll (_config.yml) or Hugo (hugo.toml, config.*)
    jekyll    _config.yml, _posts/, _drafts/, pages, static files -> Posts with their old addresses
    hugo      the configuration, content/ with its page bundles, static/ -> Posts with their old addresses
    reading   what both readers share: a file's text, Markdown suffixes, a title from a file name
    front     old front matter (YAML, TOML, JSON) read, then edited as text
    urls      our address for a post (the engine's rules), address keys, links between pages
    aliases   posts at one address, pages the build makes itself, which old addresses each post keeps
    links     a body's base-URL idioms and old-site links rewritten; what cannot be, left and listed
    convert   one post's new file: front matter normalised, body rewritten, review note
    write     every file staged inside the site, then moved into content/ and static/, or nothing
    run       migrate: all of the above, and the report
    records   MigrateOptions, Post, OldSite, Leftover, Review, MigrateReport
"""

from .detect import detect
from .records import HUGO, JEKYLL, Leftover, MigrateOptions, MigrateReport, Review
from .run import migrate

__all__ = ["HUGO", "JEKYLL", "Leftover", "MigrateOptions", "MigrateReport", "Review", "detect", "migrate"]
