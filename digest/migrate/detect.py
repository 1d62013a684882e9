"""Which generator made the site at a path: Jekyll (_config.yml) or Hugo (hugo.toml, config.*)."""

from __future__ import annotations

from pathlib import Path

from ..errors import SiteError
from .records import HUGO, JEKYLL

JEKYLL_CONFIGS = ("_config.yml", "_config.yaml")
HUGO_CONFIGS = tuple(f"{stem}.{ext}" for stem in ("hugo", "config") for ext in ("toml", "yaml", "yml", "json"))
HUGO_CONFIG_DIR = Path("config") / "_default"


def detect(path: Path) -> tuple[str, Path]:
    """(JEKYLL or HUGO, the site's main configuration file); a one-line SiteError when it is neither."""
    shown = str(path)
    if not path.is_dir():
        raise SiteError.at(shown, None, "is not a folder: point migrate at the folder of a Jekyll or Hugo site")
    for name in JEKYLL_CONFIGS:
        if (path / name).is_file():
            return JEKYLL, path / name
    for config in hugo_configs(path):
        return HUGO, config
    if (path / "_posts").is_dir():
        return JEKYLL, path / "_posts"     # a Jekyll site may run with no _config.yml at all
    raise SiteError.at(shown, None, "is neither a Jekyll site (no _config.yml or _posts/) nor a Hugo site (no "
                                    "hugo.toml, config.toml or config/_default/): point migrate at the folder "
                                    "that holds one")


def hugo_configs(path: Path) -> list[Path]:
    """Hugo's configuration files at a site root, the main one first: hugo.*, config.*, config/_default/*."""
    found = [path / name for name in HUGO_CONFIGS if (path / name).is_file()]
    folder = path / HUGO_CONFIG_DIR
    if folder.is_dir():
        found += sorted(p for p in folder.iterdir() if p.suffix in (".toml", ".yaml", ".yml", ".json"))
    return found
