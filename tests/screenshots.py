"""Pictures for people: the real site's front page and seed article on a phone and a desktop,
and the seed article's Spanish translation on a phone.

Run as `python tests/screenshots.py`: builds the repository's site into a temporary folder,
serves it under /digest/, and saves PNGs into tests/screenshots/ with Debian's Chromium.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent), str(HERE)]

from conftest import NOW, REPO  # noqa: E402
from digest.pipeline import BuildOptions, build  # noqa: E402
from test_quality import VIEWPORTS, SiteServer, launch_chromium  # noqa: E402

OUT = HERE / "screenshots"
SEED_SOURCE = "Border Report"
# Translations of the seed article to photograph, language -> viewports.
TRANSLATIONS = {"es": ("phone",)}


def main() -> int:
    """Build, serve and photograph; print the path of each picture."""
    from playwright.sync_api import sync_playwright

    OUT.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        server = SiteServer(Path(tmp) / "out")
        try:
            report = build(REPO, BuildOptions(output=server.folder, now=NOW, base_url=server.base_url,
                                              use_cache=False, workers=1))
            seed = next(a for a in report.site.editions[0].articles if a.source_name == SEED_SOURCE)
            pages = {"front": "", "article": seed.path}
            translated = {f"article-{lang}": (report.site.versions[seed.key][lang].path, viewports)
                          for lang, viewports in TRANSLATIONS.items()}
            with sync_playwright() as playwright:
                browser = launch_chromium(playwright)
                for viewport, size in VIEWPORTS.items():
                    context = browser.new_context(viewport=size, color_scheme="light")
                    page = context.new_page()
                    shots = {**pages, **{name: path for name, (path, viewports) in translated.items()
                                         if viewport in viewports}}
                    for name, path in shots.items():
                        page.goto(server.base_url + path)
                        target = OUT / f"{name}-{viewport}.png"
                        # The phone picture shows the whole page, as a reader scrolls it.
                        page.screenshot(path=str(target), full_page=viewport == "phone")
                        print(target.relative_to(REPO))
                    context.close()
                browser.close()
        finally:
            server.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
