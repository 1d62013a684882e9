"""One migration: detect the old generator, read its site, place and convert every post, then write
it all (or show it, with --dry-run) and report."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from urllib.parse import urlsplit

from ..config import Config
from ..errors import Problem, SiteError
from .aliases import Placed, built_by_us, keep_aliases, place
from .convert import convert
from .detect import detect
from .hugo import read_hugo
from .jekyll import read_jekyll
from .links import LinkMap
from .records import ARTICLE, JEKYLL, PAGE, Asset, MigrateOptions, MigrateReport, OldSite, Review
from .urls import address_key
from .write import Planned, settle, write_all

# Old-site hosts that are no real host (RFC 2606 names, this machine): links are never sent there.
PLACEHOLDER_HOSTS = ("localhost", "127.0.0.1", "0.0.0.0", "example.com", "example.org", "example.net")


def migrate(config: Config, path: Path, options: MigrateOptions) -> MigrateReport:
    """Migrate the Jekyll or Hugo site at `path` into this site's content/ and static/."""
    root = path.resolve()
    generator, config_file = detect(root)
    old = (read_jekyll if generator == JEKYLL else read_hugo)(root, config_file)
    warnings = list(old.warnings)
    old = dataclasses.replace(old, assets=_own_files_left_out(old, warnings))
    placed = keep_aliases(place(config, old.posts, warnings))
    links = link_map(old, placed)
    planned: list[Planned] = []
    reviews: list[Review] = []
    for item in placed:
        text, review = convert(item, links)
        planned.append(Planned(item.post.target, text=text))
        planned += [Planned(target, copy=source) for source, target in item.post.bundle]
        if review is not None:
            reviews.append(review)
    planned += [Planned(asset.target, copy=asset.path) for asset in old.assets]
    _check_targets(planned, root, {p.post.target: p.post.source for p in placed})
    to_write, unchanged = settle(config.root, planned, options.force)
    if not options.dry_run:
        write_all(config.root, to_write)
    bundled = sum(len(p.post.bundle) for p in placed)
    return MigrateReport(
        generator=generator,
        articles=tuple(p.post.target for p in placed if p.post.kind == ARTICLE),
        pages=tuple(p.post.target for p in placed if p.post.kind == PAGE),
        assets=len(old.assets) + bundled, aliases=sum(len(p.aliases) for p in placed), review=tuple(reviews),
        written=tuple(p.target for p in to_write), unchanged=tuple(unchanged), failed=old.failed,
        warnings=tuple(warnings), dry_run=options.dry_run)


def link_map(old: OldSite, placed: list[Placed]) -> LinkMap:
    """Every old address and name of a migrated post, with the folder our build gives it."""
    by_address: dict[str, str] = {}
    by_name: dict[str, str] = {}
    shared: set[str] = set()
    for item in placed:
        if item.path is None:
            continue
        for address in (item.post.old_url, *item.aliases):
            if address:
                by_address.setdefault(address_key(address), item.path)
        for name in item.post.names:
            if name in by_name and by_name[name] != item.path:
                shared.add(name)
            by_name[name] = item.path
        old_folder = item.post.old_url.rsplit("/", 1)[0]
        for _, target in item.post.bundle:      # a bundle's image, by the address it had beside its page
            name = target.removeprefix(item.post.target.rsplit("/", 1)[0] + "/")
            by_address.setdefault(address_key(f"{old_folder}/{name}"), item.path + name)
    for name in shared:       # a name two pages share ('ref:base:index') says nothing
        del by_name[name]
    host = urlsplit(old.url).hostname or ""
    placeholder = not host or any(host == name or host.endswith("." + name) for name in PLACEHOLDER_HOSTS)
    url = "" if placeholder else old.url
    files = frozenset(asset.target.removeprefix("static/") for asset in old.assets)
    return LinkMap(old.generator, old.base_path, url, by_address, by_name, files)


def _own_files_left_out(old: OldSite, warnings: list[Problem]) -> tuple[Asset, ...]:
    """The old site's static files, but those our build writes itself (robots.txt, 404.html)."""
    kept = []
    for asset in old.assets:
        served = asset.target.removeprefix("static/")
        if built_by_us(address_key(served)):
            warnings.append(Problem(asset.path.relative_to(old.root).as_posix(), None,
                                    f"not migrated: our build writes its own /{served}"))
        else:
            kept.append(asset)
    return tuple(kept)


def _check_targets(planned: list[Planned], root: Path, sources: dict[str, str]) -> None:
    """Two old files must not write one new file: a SiteError naming both."""
    seen: dict[str, str] = {}
    problems: list[Problem] = []
    for item in planned:
        copied = item.copy.relative_to(root).as_posix() if item.copy and item.copy.is_relative_to(root) else ""
        origin = copied or sources.get(item.target, item.target)
        if item.target in seen and seen[item.target] != origin:
            problems.append(Problem(item.target, None, f"would be written from both {seen[item.target]} and "
                                                       f"{origin}: rename one of them in the old site"))
        seen.setdefault(item.target, origin)
    if problems:
        raise SiteError(problems)
