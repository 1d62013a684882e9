"""The repository's own site builds, and the seed article keeps every word as published."""

from __future__ import annotations

import html
import re
from pathlib import Path

from conftest import NOW, REPO, snapshot
from digest.pipeline import BuildOptions, build

SEED = REPO / "sources" / "000_c5e03bb07128a13d.txt"


def test_seed_article_keeps_every_paragraph_as_published(tmp_path: Path) -> None:
    report = build(REPO, BuildOptions(output=tmp_path / "out", now=NOW, use_cache=False,
                                      base_url="https://example.org/digest/"))
    files = snapshot(tmp_path / "out")
    seed = next(a for a in report.site.articles if a.source_name == "Border Report")
    assert seed.dateline == "El Paso, Texas" and seed.date.date().isoformat() == "2024-12-18"
    page = files[seed.path + "index.html"].decode()
    body = page.split('<div class="body">')[1].split("</div>")[0]
    rendered = [html.unescape(re.sub(r"<[^>]+>", "", p)) for p in re.findall(r"<p>(.*?)</p>", body, re.S)]
    raw = [line.strip() for line in SEED.read_text(encoding="utf-8").splitlines() if line.strip()]
    raw[0] = raw[0].removeprefix("EL PASO, Texas (Border Report) – ")
    assert rendered == raw
    assert {"legal aid", "consulates", "remittances", "deportation", "Mexico"} <= set(seed.tags)
