"""Lead photos for the benchmark corpus: one article in `every` gets a synthetic 2000×1333 JPEG
beside its file (flat shapes, clearly not a photograph of anything) and `image:` lines.

`python bench/photos.py SITE [--every 10]` adds them to a generated site."""

from __future__ import annotations

import argparse
import random
import sys
from pathlib import Path

SIZE = (2000, 1333)


def synthetic_photo(number: int) -> bytes:
    """A JPEG of about 2000×1333 with shapes that differ per number (so no two are the same file)."""
    import io

    from PIL import Image, ImageDraw, ImageFilter

    rng = random.Random(number)
    image = Image.new("RGB", SIZE, tuple(rng.randrange(60, 200) for _ in range(3)))
    draw = ImageDraw.Draw(image)
    for _ in range(30):
        x, y, r = rng.randrange(SIZE[0]), rng.randrange(SIZE[1]), rng.randrange(40, 400)
        draw.ellipse((x - r, y - r, x + r, y + r), fill=tuple(rng.randrange(256) for _ in range(3)))
    image = image.filter(ImageFilter.GaussianBlur(2))
    noise = Image.effect_noise(SIZE, 24).convert("RGB")  # some texture, as a photo has
    image = Image.blend(image, noise, 0.12)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    return out.getvalue()


def add_photos(site: Path, every: int = 10) -> int:
    """Give every `every`-th article (in path order) a lead photo; returns how many."""
    sources = sorted((site / "content").rglob("*.md"))
    count = 0
    for number, path in enumerate(sources):
        if number % every:
            continue
        photo = path.with_name(path.stem + "-photo.jpg")
        photo.write_bytes(synthetic_photo(number))
        text = path.read_text(encoding="utf-8")
        head = (f"---\nimage: {photo.name}\nimage_alt: Synthetic illustration of coloured circles\n"
                "image_credit: 'Illustration: generated for the benchmark'\n")
        path.write_text(head + text.removeprefix("---\n"), encoding="utf-8")
        count += 1
    return count


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("site", type=Path)
    parser.add_argument("--every", type=int, default=10)
    args = parser.parse_args(argv)
    print(f"added {add_photos(args.site, args.every)} photos")
    return 0


if __name__ == "__main__":
    sys.exit(main())
