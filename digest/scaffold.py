"""The `new` command: a dated draft article to start writing in."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from .config import Config
from .errors import SiteError
from .importer.write import yaml_scalar
from .slugs import slugify


def new_article(config: Config, title: str, now: datetime) -> Path:
    """Scaffold a draft article dated `now` (site time zone, to the minute); never overwrites."""
    headline = " ".join(title.split())
    slug = slugify(headline)
    if not slug:
        raise SiteError.at("new", None, f"'{title}' needs letters or digits: give the headline in quotes")
    local = now.astimezone(config.tz) if now.tzinfo else now.replace(tzinfo=config.tz)
    path = config.content_dir / f"{local.year:04d}" / f"{slug}.md"
    text = (f"---\ntitle: {yaml_scalar(headline)}\ndate: {local:%Y-%m-%d %H:%M}\ndraft: true\n---\n"
            "\n")
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        with path.open("x", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
    except FileExistsError:
        # content_dir is root/content, so the path is always inside the site root
        raise SiteError.at(path.relative_to(config.root).as_posix(), None,
                           "already exists: edit that article, or choose another headline") from None
    return path
