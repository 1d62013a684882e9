"""The seed article in a real browser on a phone: it loads the 720 px AVIF of its lead photo and
no other image size, and stays within the page budget counted the same way."""

from __future__ import annotations

from typing import Any, Iterator

import pytest

from conftest import CHROMIUM, NOW, REPO, launch_chromium, unavailable
from digest.pipeline import BuildOptions, build
from test_quality import SiteServer


@pytest.fixture(scope="module")
def seed_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[SiteServer, Any, str]]:
    output = tmp_path_factory.mktemp("seed") / "output"
    server = SiteServer(output)
    report = build(REPO, BuildOptions(output=output, now=NOW, base_url=server.base_url, workers=1))
    seed = next(a for a in report.site.articles if a.source_name == "Border Report" and a.image)
    yield server, report, seed.path
    server.close()


def test_seed_article_is_within_budget_counting_the_phone_avif(seed_site: tuple[SiteServer, Any, str]) -> None:
    _, report, path = seed_site
    weights = dict((page, kb) for kb, page in report.verdict.heaviest)
    page = path + "index.html"
    assert page in weights and weights[page] < 50
    images = report.verdict.images[page]
    assert [name.rsplit("-", 1)[1] for _, name in images] == ["720.avif"]


def test_a_phone_loads_the_720_avif_and_no_other_image(seed_site: tuple[SiteServer, Any, str]) -> None:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        unavailable("playwright is not installed (pip install -r requirements-dev.txt)")
    if not CHROMIUM.exists():
        unavailable(f"{CHROMIUM} is missing (apt-get install chromium)")
    server, _, path = seed_site
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        try:
            context = browser.new_context(viewport={"width": 360, "height": 740}, device_scale_factor=2)
            page = context.new_page()
            loaded: list[str] = []
            page.on("requestfinished", lambda request: loaded.append(request.url)
                    if request.resource_type == "image" else None)
            page.goto(server.base_url + path, wait_until="load")
            page.mouse.wheel(0, 20000)  # lazy images below, if any, would load now
            page.wait_for_load_state("networkidle")
            current = page.eval_on_selector("figure.lead img", "img => img.currentSrc")
        finally:
            browser.close()
    images = [url for url in loaded if "/images/" in url]
    assert len(images) == 1 and images[0].endswith("-720.avif"), loaded
    assert current == images[0]
