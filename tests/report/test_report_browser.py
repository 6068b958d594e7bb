"""report.html as a person sees it: opened offline in headless Chromium (Debian's `chromium`).

Fails, never skips, without Chromium: `.ci/run` installs it (`apt-get install chromium fonts-noto-cjk`).
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"

# Draws a string on a canvas in a given font and returns its pixels: characters a font lacks all
# render as the same box ("tofu"), so real glyphs differ from each other and from U+10FFFD.
GLYPHS_JS = """
async ([family, text]) => {
  await document.fonts.ready;
  const canvas = document.createElement('canvas');
  canvas.width = 96; canvas.height = 64;
  const g = canvas.getContext('2d', {willReadFrequently: true});
  const draw = (s) => {
    g.clearRect(0, 0, 96, 64); g.font = `48px ${family}`; g.fillStyle = '#000'; g.textBaseline = 'top';
    g.fillText(s, 4, 4);
    const data = g.getImageData(0, 0, 96, 64).data;
    let ink = 0, hash = 0;
    for (let i = 3; i < data.length; i += 4) { if (data[i] > 0) { ink++; hash = (hash * 31 + i * data[i]) % 1000000007; } }
    return [ink, hash];
  };
  return { chars: Array.from(text).map(draw), tofu: draw(String.fromCodePoint(0x10FFFD)) };
}
"""


@pytest.mark.slow
def test_report_in_headless_chromium(default_plan: Path, tmp_path: Path) -> None:
    assert Path(CHROMIUM).exists(), "headless Chromium is required: apt-get install -y chromium fonts-noto-cjk"
    from playwright.sync_api import sync_playwright

    html = default_plan / "report.html"
    messages: list[str] = []
    requests: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.on(
            "console",
            lambda m: messages.append(f"{m.type}: {m.text}") if m.type in ("error", "warning") else None,
        )
        page.on("pageerror", lambda e: messages.append(f"pageerror: {e}"))
        page.on("request", lambda r: requests.append(r.url))
        page.goto(html.as_uri())
        page.wait_for_load_state("load")
        page.evaluate("document.fonts.ready.then(() => true)")
        from_report = list(messages)
        figures: list[dict[str, Any]] = page.eval_on_selector_all(
            "figure > svg",
            "els => els.map(e => { const r = e.getBoundingClientRect(); return {cls: e.getAttribute('class'), w: r.width, h: r.height}; })",
        )
        font_stack = page.evaluate("getComputedStyle(document.querySelector('svg.map text')).fontFamily")
        page_font = page.evaluate("getComputedStyle(document.body).fontFamily")
        body = page.evaluate("[document.body.scrollWidth, document.documentElement.clientWidth]")
        system = page.evaluate(GLYPHS_JS, [page_font, "中卫京津冀"])
        embedded_loaded = page.evaluate(
            """async () => { await document.fonts.load('48px "Planner CJK"', '中卫'); return document.fonts.check('48px "Planner CJK"', '中卫'); }"""
        )
        page.screenshot(path=str(tmp_path / "report.png"), full_page=True)
        browser.close()
    assert from_report == []
    assert messages == []
    assert all(url.startswith(("file:", "data:")) for url in requests), requests
    kinds = [f["cls"] for f in figures]
    assert kinds.count("chart") == 5
    assert kinds.count("map") == 1
    assert all(f["w"] > 600 and f["h"] > 200 for f in figures), figures
    assert body[0] <= body[1], "the page scrolls sideways at laptop width"
    assert "Noto Sans CJK SC" in font_stack
    assert "Planner CJK" in font_stack
    inks = [ink for ink, _ in system["chars"]]
    hashes = [h for _, h in system["chars"]]
    assert min(inks) > 100, "a Chinese character rendered blank"
    assert len(set(hashes)) == len(hashes), "different Chinese characters rendered alike: boxes, not glyphs"
    assert system["tofu"][1] not in hashes, "Chinese characters rendered as the missing-glyph box"
    assert embedded_loaded, "the embedded Chinese font subset did not load"
    assert (tmp_path / "report.png").stat().st_size > 100_000
