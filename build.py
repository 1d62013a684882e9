#!/usr/bin/env python3
"""Command line for the digest: build, check, serve, import, migrate, new. The only place that prints."""

from __future__ import annotations

import argparse
import os
import sys
from datetime import datetime
from pathlib import Path

from digest.errors import SiteError, error_lines, warning_lines

ROOT = Path(__file__).resolve().parent


def _build_options(args: argparse.Namespace):
    from digest.pipeline import BuildOptions

    return BuildOptions(output=Path(args.output).resolve() if getattr(args, "output", None) else None,
                        base_url=args.base_url, drafts=args.drafts, future=args.future,
                        workers=args.jobs, use_cache=not args.no_cache)


def _print_notes(report) -> None:
    for line in report.notes():
        print(line, file=sys.stderr)


def cmd_build(args: argparse.Namespace) -> int:
    from digest.pipeline import Builder

    builder = Builder(Path(args.root).resolve(), _build_options(args))
    try:
        report = builder.check() if args.command == "check" else builder.build_unless_unchanged()
    finally:
        builder.close()
    _print_notes(report)
    if args.command == "check":
        print(f"ok: {report.summary()} (nothing written)")
    else:
        out = builder.options.output or builder.root / "output"
        print(f"built {out}: {report.summary()}")
    if args.weights:
        print("heaviest pages on a 360 px phone (page, then the images it loads):")
        for line in report.weights():
            print(f"  {line}")
        print("the site by kind of file" + (" (without the search index, which check does not build):"
                                            if args.command == "check" and report.site.config.search else ":"))
        for line in report.sizes():
            print(f"  {line}")
    if args.timings:
        for step, seconds in report.timings.items():
            print(f"  {step:<8} {seconds:8.3f} s   cpu {report.timings.cpu.get(step, 0.0):8.3f} s")
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    from digest.serve import serve

    return serve(Path(args.root).resolve(), _build_options(args), host=args.host, port=args.port,
                 open_browser=args.open, log=print)


def cmd_import(args: argparse.Namespace) -> int:
    from digest.config import load_config
    from digest.importer import ImportOptions, import_articles

    config = load_config(Path(args.root).resolve())
    options = ImportOptions(date=args.date, title=args.title,
                            tags=tuple(t.strip() for t in (args.tags or "").split(",") if t.strip()),
                            source_url=args.source_url, author=args.author, lang=args.lang,
                            force=args.force, dry_run=args.dry_run)
    report = import_articles(config, [Path(p) for p in args.paths], options)
    for warning in report.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    for target, text in report.previews:
        print(f"--- would write {target}\n{text}")
    for path in report.imported:
        print(f"{'would write' if args.dry_run else 'imported'}: {path}")
    for path in report.skipped:
        print(f"skipped (exists and differs; --force to overwrite): {path}")
    for problem in report.failed:
        print(f"error: {problem}", file=sys.stderr)
    print(report.summary())
    return 1 if report.failed else 0


def cmd_migrate(args: argparse.Namespace) -> int:
    from digest.config import load_config
    from digest.migrate import MigrateOptions, migrate

    config = load_config(Path(args.root).resolve())
    report = migrate(config, Path(args.path), MigrateOptions(force=args.force, dry_run=args.dry_run))
    for line in warning_lines(report.warnings) + error_lines(report.failed):
        print(line, file=sys.stderr)
    if args.dry_run:
        for target in report.written:
            print(f"would write: {target}")
    for review in report.review:
        for leftover in review.leftovers:
            print(f"left for review: {leftover} (in {review.target})")
        for note in review.notes:
            print(f"to review: {review.target}: {note}")
    print(report.summary())
    return 1 if report.failed else 0


def cmd_translate(args: argparse.Namespace) -> int:
    from digest.config import load_config
    from digest.translations import mark_current, start_translation

    config = load_config(Path(args.root).resolve())
    if args.current:
        changed = mark_current(config, Path(args.path))
        for path in changed:
            print(f"marked current: {path}")
        count = len(changed)
        print(f"{count} translation{'s now follow' if count != 1 else ' now follows'} the original as it is")
        return 0
    if not args.lang:
        raise SiteError.at("--lang", None, "say which language to translate into, e.g. --lang es")
    path = start_translation(config, Path(args.path), args.lang)
    print(f"created {path}: translate its title, summary and text, then remove 'draft: true'")
    return 0


def cmd_translations(args: argparse.Namespace) -> int:
    from digest.pipeline import Builder
    from digest.translations import counts, table

    builder = Builder(Path(args.root).resolve(), _build_options(args))
    report = builder.check()
    rows = table(report.site)
    codes = [e.language.code for e in report.site.editions]
    width = max([len(r.source) for r in rows] + [8])
    print(f"{'original':<{width}}  " + "  ".join(f"{c:<10}" for c in codes))
    for row in rows:
        print(f"{row.source:<{width}}  " + "  ".join(f"{row.states[c] or '(' + row.lang + ')':<10}" for c in codes))
    found = counts(rows)
    print(", ".join(f"{n} {state}" for state, n in found.items()))
    for code, keys in report.planned.strings.missing.items():
        if keys:
            print(f"layouts/i18n/{code}.yaml lacks {len(keys)} string{'s' if len(keys) != 1 else ''}, shown in "
                  f"{report.site.config.language}: {', '.join(keys)}")
    return 0


def cmd_new(args: argparse.Namespace) -> int:
    from digest.config import load_config
    from digest.scaffold import new_article

    config = load_config(Path(args.root).resolve())
    path = new_article(config, args.title, datetime.now(config.tz))
    print(f"created {path}")
    return 0


def parser() -> argparse.ArgumentParser:
    """The argument parser: `build` is the default command."""
    top = argparse.ArgumentParser(prog="build.py", description="Build the digest from content/ into output/.")
    top.add_argument("--root", default=str(ROOT), help="the site folder (default: this file's folder)")
    commands = top.add_subparsers(dest="command", metavar="COMMAND")

    def site_options(p: argparse.ArgumentParser, output: bool = True) -> None:
        p.add_argument("--base-url", help="the address the site is served from, e.g. "
                                          "https://org.github.io/digest/ (overrides site.yaml)")
        p.add_argument("--drafts", action="store_true", help="include articles marked 'draft: true'")
        p.add_argument("--future", action="store_true", help="include articles dated after now")
        if output:
            p.add_argument("--output", help="write the site here instead of output/")
        p.add_argument("--jobs", type=int, default=None, help="processes for Markdown (default: every core)")
        p.add_argument("--no-cache", action="store_true", help="ignore the build cache in .cache/")
        p.add_argument("--timings", action="store_true", help="print the time each step took")
        p.add_argument("--weights", action="store_true",
                       help="print the heaviest pages with the images a 360 px phone loads for each, "
                            "and the site's size per kind of file")

    site_options(commands.add_parser("build", help="build the site into output/ (the default)"))
    site_options(commands.add_parser("check", help="validate content, layouts and links; write nothing"), False)
    serve = commands.add_parser("serve", help="preview with live reload")
    site_options(serve, False)
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    serve.add_argument("--port", type=int, default=8000, help="port to listen on (default 8000)")
    serve.add_argument("--open", action="store_true", help="open the preview in a browser")
    imp = commands.add_parser("import", help="turn raw published text into articles in content/")
    imp.add_argument("paths", nargs="*", help=".txt files or folders (default: new files in sources/)")
    imp.add_argument("--date", help="publication date, YYYY-MM-DD, when the text does not state it")
    imp.add_argument("--title", help="headline to use instead of the detected one")
    imp.add_argument("--tags", help="comma-separated tags to add")
    imp.add_argument("--source-url", help="address of the original article")
    imp.add_argument("--author", help="author's name")
    imp.add_argument("--lang", help="language code of the article, e.g. es")
    imp.add_argument("--force", action="store_true", help="overwrite articles that exist")
    imp.add_argument("--dry-run", action="store_true", help="show what would be written; write nothing")
    mig = commands.add_parser("migrate", help="turn a Jekyll or Hugo site into articles in content/")
    mig.add_argument("path", help="the old site's folder (with _config.yml, hugo.toml or config.toml)")
    mig.add_argument("--force", action="store_true", help="overwrite files that exist and differ")
    mig.add_argument("--dry-run", action="store_true", help="show what would be written; write nothing")
    translate = commands.add_parser("translate", help="start a translation of an article, beside it")
    translate.add_argument("path", help="the original, e.g. content/2024/x.md")
    translate.add_argument("--lang", help="the language to translate into, e.g. es")
    translate.add_argument("--current", action="store_true",
                           help="the original's last edit needs no new translation: mark its translations current")
    site_options(commands.add_parser("translations", help="list missing, stale and draft translations"), False)
    new = commands.add_parser("new", help="start a new draft article dated now")
    new.add_argument("title", help="the headline")
    # `python build.py --base-url X` means build: accept the build options on the top level too.
    site_options(top)
    return top


def main(argv: list[str] | None = None, *, fast_exit: bool = False) -> int:
    """Run one command; a user's mistake prints one line per problem and exits 1. With
    `fast_exit`, a build or check ends the process at once (see exit_now)."""
    args = parser().parse_args(argv)
    args.command = args.command or "build"
    code = _run(args)
    if fast_exit and args.command in ("build", "check"):
        exit_now(code)
    return code


def _run(args: argparse.Namespace) -> int:
    handlers = {"build": cmd_build, "check": cmd_build, "serve": cmd_serve, "import": cmd_import, "new": cmd_new,
                "translate": cmd_translate, "translations": cmd_translations, "migrate": cmd_migrate}
    try:
        return handlers[args.command](args)
    except SiteError as exc:
        for line in warning_lines(exc.warnings) + error_lines(exc.problems):
            print(line, file=sys.stderr)
        count = len(exc.problems)
        left = ("content/ and static/ were left as they were" if args.command == "migrate"
                else "output/ was left as it was")
        print(f"{count} error{'s' if count != 1 else ''}; {left}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


def exit_now(code: int) -> None:
    """Exit without tearing down the heap object by object: after a build of 100,000 articles
    that takes Python 1.5 s and frees nothing the system would not. Everything the build keeps
    is on disk by then; only the output streams need flushing."""
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


if __name__ == "__main__":
    sys.exit(main(fast_exit=True))
