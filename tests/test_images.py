"""Images: <picture> markup, encoding without metadata, the cache, alt text, bad inputs, share cards.

Every image here is generated: flat shapes, clearly synthetic."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from PIL import Image, ImageDraw, PngImagePlugin
from PIL.ExifTags import IFD

from digest.pipeline import BuildOptions, build

from conftest import NOW, snapshot, write_site
from test_errors import run_cli

STORY = """\
---
title: Synthetic photo story
date: 2024-11-20
tags: [legal aid]
image: lead.jpg
image_alt: Illustration of overlapping circles, not a news photo
image_credit: "Illustration: generated shapes"
---
A synthetic paragraph about a made-up clinic.

![A transparent badge with a circle](badge.png "The badge, as a caption")

![A simple map drawing](/map.svg)

![decorative](rule.jpg)
"""
PLAIN = "---\ntitle: Plain synthetic note\ndate: 2024-11-21\n---\nNo pictures here.\n"
SVG = b'<svg xmlns="http://www.w3.org/2000/svg" width="40" height="20"><rect width="40" height="20"/></svg>'


def photo(width: int = 1600, height: int = 1000, orientation: int = 6, gps: bool = True) -> bytes:
    """A synthetic JPEG with an EXIF orientation and GPS position set."""
    image = Image.new("RGB", (width, height), (30, 80, 130))
    draw = ImageDraw.Draw(image)
    for i in range(8):
        draw.ellipse((i * 150, 80 + i * 50, i * 150 + 400, 480 + i * 50), fill=(200 - i * 15, 100 + i * 15, 60))
    exif = image.getexif()
    exif[0x0112] = orientation
    exif[0x010F] = "Synthetic camera"
    if gps:
        exif.get_ifd(IFD.GPSInfo).update({1: "N", 2: (40.0, 26.0, 46.0), 3: "W", 4: (79.0, 58.0, 56.0)})
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif, quality=85)
    return out.getvalue()


def badge() -> bytes:
    """A PNG with transparency."""
    image = Image.new("RGBA", (500, 500), (0, 0, 0, 0))
    ImageDraw.Draw(image).ellipse((50, 50, 450, 450), fill=(220, 40, 40, 255))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def photo_site(root: Path, story: str = STORY, site_yaml_extra: str = "") -> Path:
    """A site with a photo story (a bundle), a plain article and an SVG under static/."""
    from conftest import SITE_YAML

    site = write_site(root, {"content/2024/story/index.md": story, "content/2024/plain.md": PLAIN,
                             "content/pages/about.md": "---\ntitle: About\ndate: 2024-01-01\n---\nSynthetic.\n"},
                      SITE_YAML + site_yaml_extra)
    (site / "content/2024/story/lead.jpg").write_bytes(photo())
    (site / "content/2024/story/badge.png").write_bytes(badge())
    (site / "content/2024/story/rule.jpg").write_bytes(photo(800, 40, 1, gps=True))
    (site / "static/map.svg").write_bytes(SVG)
    (site / "static/photos/holiday.jpg").parent.mkdir(parents=True, exist_ok=True)
    (site / "static/photos/holiday.jpg").write_bytes(photo(640, 400, 1, gps=True))  # no article uses it
    return site


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    site = photo_site(tmp_path_factory.mktemp("photos") / "site")
    report = build(site, BuildOptions(now=NOW))
    return site, report.summary()


def story_html(site: Path) -> str:
    return (site / "output/2024/11/synthetic-photo-story/index.html").read_text(encoding="utf-8")


def test_lead_photo_is_a_picture_with_every_width_and_format(built: tuple[Path, str]) -> None:
    site, _ = built
    html = story_html(site)
    lead = re.search(r'<figure class="lead"><picture>(.*?)</picture><figcaption>(.*?)</figcaption>', html).groups()
    assert '<source type="image/avif" srcset="/digest/images/lead-' in lead[0]
    assert '<source type="image/webp"' in lead[0]
    assert re.search(r'<img src="/digest/images/lead-[0-9a-f]{10}-720\.jpg"', lead[0])
    for width in (360, 480, 720, 1000):  # the original is 1000 wide once turned upright: never wider
        assert f"-{width}.avif {width}w" in lead[0]
    assert "1080w" not in lead[0]
    assert 'width="1000" height="1600"' in lead[0]  # orientation applied: portrait
    assert 'fetchpriority="high"' in lead[0] and 'loading="lazy"' not in lead[0]
    assert 'sizes="(min-width: 42rem) 40rem, calc(100vw - 2rem)"' in lead[0]
    assert "Illustration: generated shapes" in lead[1]


def test_body_images_transparent_png_svg_and_decorative(built: tuple[Path, str]) -> None:
    site, _ = built
    html = story_html(site)
    badge_figure = re.search(r"<figure><picture>.*?badge.*?</figure>", html).group(0)
    assert re.search(r'<img src="/digest/images/badge-[0-9a-f]{10}-500\.png"', badge_figure)
    assert 'loading="lazy" decoding="async"' in badge_figure
    assert "<figcaption>The badge, as a caption</figcaption>" in badge_figure
    assert ".jpg" not in badge_figure
    svg = re.search(r'<img src="/digest/(images/map-[0-9a-f]{10}\.svg)" alt="A simple map drawing"', html)
    assert svg and (site / "output" / svg.group(1)).read_bytes() == SVG
    assert re.search(r'<img src="/digest/images/rule-[^"]+" srcset="[^"]+" sizes="[^"]+" width="800" '
                     r'height="40" alt="" loading="lazy"', html)


def test_no_output_image_keeps_exif_or_gps_and_originals_are_not_copied(built: tuple[Path, str]) -> None:
    site, _ = built
    images = [p for p in (site / "output").rglob("*") if p.suffix in (".jpg", ".png", ".webp", ".avif")]
    assert len(images) > 20
    for path in images:
        with Image.open(path) as image:
            assert len(image.getexif()) == 0, path
            assert "xmp" not in image.info and "exif" not in image.info, path
    assert not (site / "output/2024/11/synthetic-photo-story/lead.jpg").exists()
    assert (site / "output/photos/holiday.jpg").is_file()  # copied from static/, its GPS position taken out
    with Image.open(next((site / "output/images").glob("lead-*-360.jpg"))) as small:
        assert small.size == (360, 576)


def pixels(data: bytes) -> tuple[tuple[int, int], bytes]:
    with Image.open(io.BytesIO(data)) as image:
        return image.size, image.convert("RGBA").tobytes()


def test_static_images_lose_their_metadata_and_keep_their_pixels(tmp_path: Path) -> None:
    site = write_site(tmp_path / "site", {"content/2024/plain.md": PLAIN})
    static = site / "static"
    clean = io.BytesIO()
    Image.new("RGB", (64, 32), (10, 120, 200)).save(clean, "JPEG")
    exif = Image.Exif()
    exif[0x010F] = "Synthetic camera"
    exif.get_ifd(IFD.GPSInfo).update({1: "N", 2: (40.0, 26.0, 46.0)})
    png, webp = io.BytesIO(), io.BytesIO()
    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", "taken at home")
    badge_image = Image.open(io.BytesIO(badge()))
    badge_image.save(png, "PNG", exif=exif, pnginfo=info)
    Image.open(io.BytesIO(photo(320, 200, 1))).save(webp, "WEBP", exif=exif, xmp=b"<x:xmpmeta/>", quality=80)
    sources = {"gps.jpg": photo(640, 400, 1), "turned.jpg": photo(640, 400, 6), "clean.jpg": clean.getvalue(),
               "badge.png": png.getvalue(), "photo.webp": webp.getvalue()}
    for name, data in sources.items():
        (static / "pictures").mkdir(parents=True, exist_ok=True)
        (static / "pictures" / name).write_bytes(data)
    build(site, BuildOptions(now=NOW))
    out = {name: (site / "output/pictures" / name).read_bytes() for name in sources}
    for name, data in out.items():
        with Image.open(io.BytesIO(data)) as image:
            assert len(image.getexif()) == 0 and not {"exif", "xmp", "Comment"} & image.info.keys(), name
    assert out["clean.jpg"] == sources["clean.jpg"]  # nothing to take out: the same bytes
    for name in ("gps.jpg", "badge.png", "photo.webp"):  # taken out without encoding again
        assert pixels(out[name]) == pixels(sources[name]), name
        assert len(out[name]) < len(sources[name]), name
    assert pixels(out["turned.jpg"])[0] == (400, 640)  # EXIF turned it: published upright


def test_static_image_whose_metadata_cannot_be_taken_out_stops_the_build(tmp_path: Path) -> None:
    site = photo_site(tmp_path / "site")
    assert run_cli(site).returncode == 0
    before = snapshot(site / "output")
    scan = io.BytesIO()
    Image.open(io.BytesIO(photo(200, 100, 1))).save(scan, "TIFF", exif=Image.open(io.BytesIO(photo(8, 8, 1))).getexif())
    (site / "static/scan.tif").write_bytes(scan.getvalue())
    result = run_cli(site)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stderr.splitlines()[0] == (
        "error: static/scan.tif: carries metadata (EXIF, GPS) that would be published with it, and the build "
        "takes it out only of JPEG, PNG and WebP files: remove it (exiftool -all=) or export the image again "
        "without it")
    assert snapshot(site / "output") == before


def test_the_output_check_stops_any_image_written_with_metadata() -> None:
    from digest.errors import SiteError
    from digest.metadata import checked_images
    from digest.render import OutputFile

    files = [OutputFile("index.html", "k", b"<p>"), OutputFile("images/x-1.jpg", "k", photo(64, 64, 1))]
    passed = []
    with pytest.raises(SiteError) as caught:
        for f in checked_images(files, {"images/x-1.jpg": "content/2024/x.jpg"}):
            passed.append(f.path)
    assert passed == ["index.html", "images/x-1.jpg"]
    assert str(caught.value.problems[0]).startswith(
        "content/2024/x.jpg: images/x-1.jpg would be published with metadata (EXIF, GPS)")


def test_warm_build_encodes_nothing_and_says_what_it_reused(built: tuple[Path, str]) -> None:
    site, first = built
    assert "images: 3 encoded, 0 reused" in first
    before = snapshot(site / "output")
    report = build(site, BuildOptions(now=NOW))
    assert "images: 0 encoded, 3 reused" in report.summary()
    assert report.write is not None and report.write.written == 0
    assert snapshot(site / "output") == before


def test_replaced_image_changes_the_page(tmp_path: Path) -> None:
    site = photo_site(tmp_path / "site")
    build(site, BuildOptions(now=NOW))
    old = story_html(site)
    (site / "content/2024/story/lead.jpg").write_bytes(photo(1200, 900, 1))
    report = build(site, BuildOptions(now=NOW))
    assert "images: 1 encoded, 2 reused" in report.summary()
    new = story_html(site)
    assert new != old and 'width="1080" height="810"' in new


def test_pages_are_swapped_in_after_the_images_they_show(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import digest.output

    site = photo_site(tmp_path / "site")
    build(site, BuildOptions(now=NOW))
    (site / "content/2024/story/lead.jpg").write_bytes(photo(1200, 900, 1))
    moved: list[str] = []
    replace = digest.output.os.replace

    def recording(source: object, target: object) -> None:
        moved.append(Path(str(target)).name)
        replace(source, target)

    monkeypatch.setattr(digest.output.os, "replace", recording)
    build(site, BuildOptions(now=NOW))
    pages = [i for i, name in enumerate(moved) if name.endswith(".html")]
    images = [i for i, name in enumerate(moved) if name.startswith("lead-")]
    assert pages and images and max(images) < min(pages)  # a served page never names a missing file


def test_every_page_has_a_share_card(built: tuple[Path, str]) -> None:
    site, _ = built
    pages = [p for p in (site / "output").rglob("*.html") if "noindex" not in p.read_text(encoding="utf-8")[:3000]]
    assert len(pages) > 10
    for page in pages:
        html = page.read_text(encoding="utf-8")
        card = re.search(r'<meta property="og:image" content="https://example.org/digest/([^"]+)">', html)
        assert card, page
        assert '<meta name="twitter:card" content="summary_large_image">' in html
        assert '<meta property="og:image:alt" content="' in html
        data = (site / "output" / card.group(1)).read_bytes()
        assert len(data) < 100 * 1024
        drawn = "/synthetic-photo-story-" not in card.group(1)   # the lead photo, cropped, is a JPEG
        assert f'<meta property="og:image:type" content="image/{"png" if drawn else "jpeg"}">' in html
        with Image.open(io.BytesIO(data)) as image:
            assert image.format == ("PNG" if drawn else "JPEG") and image.size == (1200, 630)
    story = story_html(site)
    assert '"image": {"@type": "ImageObject"' in story
    assert 'og:image:alt" content="Illustration of overlapping circles, not a news photo"' in story


def test_a_photo_card_is_cropped_when_the_site_is_planned_and_drawn_cards_wait(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A lead photo's card is named by the photo's digest, so it is cropped from the photo as it
    was read, before the pages render; only drawn cards (texts alone) are left for after them."""
    import digest.pipeline

    waiting: list = []
    real = digest.pipeline.make_cards

    def make_cards(*args: object, **kwargs: object) -> object:
        cards = real(*args, **kwargs)  # type: ignore[arg-type]
        waiting.extend(cards.unmade.jobs if cards.unmade else [])
        return cards

    monkeypatch.setattr(digest.pipeline, "make_cards", make_cards)
    site = photo_site(tmp_path / "site", site_yaml_extra="search: false\n")
    build(site, BuildOptions(now=NOW))
    assert waiting and not [job for job in waiting if job.photo]
    card = re.search(r'og:image" content="https://example.org/digest/([^"]+)"', story_html(site)).group(1)
    assert card.endswith(".jpg") and (site / "output" / card).is_file()


def test_avif_can_be_turned_off(tmp_path: Path) -> None:
    site = photo_site(tmp_path / "site", site_yaml_extra="images: {avif: false, quality: {webp: 60}}\n")
    build(site, BuildOptions(now=NOW))
    assert "image/avif" not in story_html(site)
    assert not list((site / "output/images").glob("*.avif"))


BAD = {
    "missing file": (STORY.replace("image: lead.jpg", "image: gone.jpg"), {},
                     "content/2024/story/index.md:5: image: 'gone.jpg' does not exist (looked for "
                     "content/2024/story/gone.jpg)"),
    "not an image": (STORY, {"content/2024/story/badge.png": b"this is text, not a picture"},
                     "content/2024/story/index.md:11: image 'badge.png' is not an image Pillow can read "
                     "(JPEG, PNG, WebP, AVIF, GIF, TIFF)"),
    "truncated": (STORY, {"content/2024/story/lead.jpg": photo()[:3000]},
                  re.compile(r"content/2024/story/index\.md:5: image 'lead\.jpg' cannot be read \(.*\): the file "
                             r"may be truncated; export it again")),
    "decompression bomb": (STORY, {"content/2024/story/rule.jpg": "bomb"},
                           "content/2024/story/index.md:15: image 'rule.jpg' is 8000×7000 pixels, over the 50 "
                           "megapixel limit: resize it before adding it"),
    "escapes the site": (STORY.replace("(rule.jpg)", "(../../../../outside.jpg)"), {},
                         "content/2024/story/index.md:15: image '../../../../outside.jpg' is outside the site's "
                         "content/ and static/ folders"),
    "svg with XMP": (STORY, {"static/map.svg": SVG.replace(b"<rect", b'<metadata><x:xmpmeta xmlns:x="adobe:ns:meta/"/>'
                                                                   b'</metadata><rect')},
                     "content/2024/story/index.md:13: image '/map.svg' carries metadata (XMP/EXIF) that would be "
                     "published with it: remove it (exiftool -all=) or export the image again without it"),
    "no alt text": (STORY.replace("![decorative](rule.jpg)", "![](rule.jpg)"), {},
                    "content/2024/story/index.md:15: image 'rule.jpg' has no alt text: describe it "
                    "(![what it shows](rule.jpg)), or write 'decorative' as its alt text if it says nothing"),
    "no lead alt text": (STORY.replace("image_alt: Illustration of overlapping circles, not a news photo\n", ""), {},
                         "content/2024/story/index.md:5: image: has no alt text: describe it (image_alt: ...), "
                         "or write 'decorative' as its alt text if it says nothing"),
}


@pytest.mark.parametrize("name", list(BAD))
def test_bad_image_is_one_line_with_file_and_line_and_output_untouched(tmp_path: Path, name: str) -> None:
    site = photo_site(tmp_path / "site")
    (tmp_path / "outside.jpg").write_bytes(photo(400, 300, 1))
    assert run_cli(site).returncode == 0
    before = snapshot(site / "output")
    story, files, expected = BAD[name]
    (site / "content/2024/story/index.md").write_text(story, encoding="utf-8")
    for path, data in files.items():
        if data == "bomb":
            out = io.BytesIO()
            Image.new("L", (8000, 7000)).save(out, "PNG")
            data = out.getvalue()
        (site / path).write_bytes(data)
    result = run_cli(site)
    assert result.returncode == 1
    lines = result.stderr.splitlines()
    assert len(lines) == 2, result.stderr
    got = lines[0].removeprefix("error: ")
    assert expected.fullmatch(got) if isinstance(expected, re.Pattern) else got == expected, got
    assert "Traceback" not in result.stderr
    assert snapshot(site / "output") == before


def test_page_weight_counts_what_a_phone_loads(tmp_path: Path) -> None:
    site = photo_site(tmp_path / "site")
    report = build(site, BuildOptions(now=NOW))
    page = "2024/11/synthetic-photo-story/index.html"
    chosen = sorted(name.rsplit("/", 1)[1].split("-", 1)[0] + "-" + name.rsplit("-", 1)[1]
                    for _, name in report.verdict.images[page])
    assert chosen == ["badge-500.avif", "lead-720.avif", "rule-720.avif"]  # the 500 px badge has no wider one
    output = site / "output"
    html = (output / page).stat().st_size + (output / "style.css").stat().st_size
    phone = sum((output / name).stat().st_size for _, name in report.verdict.images[page])
    svg = len(SVG)
    weight = dict((p, kb) for kb, p in report.verdict.heaviest)[page]
    assert abs(weight * 1024 - (html + phone + svg)) < 1
    assert "images" in report.summary() and "as a phone loads them" in report.summary()


def test_no_font_is_a_clear_error(tmp_path: Path) -> None:
    from digest.fonts import find_fonts
    from digest.errors import SiteError

    with pytest.raises(SiteError) as failed:
        find_fonts(tmp_path, ("fonts",))
    assert str(failed.value.problems[0]) == (
        "share cards: no font found: install DejaVu Sans (Debian: apt-get install fonts-dejavu-core), or put "
        "DejaVuSans.ttf and DejaVuSans-Bold.ttf in fonts/")


def test_arabic_card_is_drawn_right_to_left(tmp_path: Path) -> None:
    from digest.cards import CardJob, draw
    from digest.fonts import find_fonts

    data = draw(CardJob("x.jpg", "k", headline="عيادة قانونية في مدينة المثال", site="ملخص تجريبي",
                        date="١٨ ديسمبر ٢٠٢٤", rtl=True, lang="ar"), find_fonts(tmp_path))
    with Image.open(io.BytesIO(data)) as image:
        assert image.size == (1200, 630) and len(data) < 100 * 1024
        ink = image.convert("L").crop((0, 80, 1200, 150)).point(lambda v: 255 if v > 200 else 0).getbbox()
    assert ink is not None and ink[2] > 1100 and ink[0] > 150  # set against the right margin, not the left (72)


def test_bad_images_setting_is_an_error_with_its_line(tmp_path: Path) -> None:
    site = photo_site(tmp_path / "site", site_yaml_extra="images: {avif: maybe}\n")
    result = run_cli(site)
    assert result.returncode == 1
    assert result.stderr.splitlines()[0] == (
        "error: site.yaml:12: images: must be like {avif: true, quality: {avif: 50, webp: 70, jpeg: 75}} "
        "(qualities 1 to 100)")


def test_a_translation_without_image_shows_its_originals(tmp_path: Path) -> None:
    site = photo_site(tmp_path / "site")
    (site / "content/2024/story/index.es.md").write_text(
        "---\ntitle: Reportaje sintético con foto\ndate: 2024-11-20\n---\nUn párrafo inventado.\n", encoding="utf-8")
    build(site, BuildOptions(now=NOW))
    spanish = (site / "output/es/2024/11/reportaje-sintetico-con-foto/index.html").read_text(encoding="utf-8")
    assert re.search(r'<figure class="lead"><picture><source type="image/avif" srcset="/digest/images/lead-', spanish)
    assert 'og:image:alt" content="Illustration of overlapping circles, not a news photo"' in spanish
