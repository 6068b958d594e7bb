"""report.html, compare.html and sweep.html as a person sees them: headless Chromium (Debian's `chromium`).

At 1400 px (a laptop) and 390 px (a phone): no sideways scrolling, map labels that do not overlap,
the brief on one A4 page in print. Screenshots go to outputs/screens/ (git-ignored) to be looked at.

Fails, never skips, without Chromium: `.ci/run` installs it (`apt-get install chromium fonts-noto-cjk`).
"""

from __future__ import annotations

import re
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
    for (let i = 3; i < data.length; i += 4) {
      if (data[i] > 0) { ink++; hash = (hash * 31 + i * data[i]) % 1000000007; }
    }
    return [ink, hash];
  };
  return { chars: Array.from(text).map(draw), tofu: draw(String.fromCodePoint(0x10FFFD)) };
}
"""


SCREENS = Path(__file__).resolve().parents[2] / "outputs" / "screens"
WIDTHS = (1400, 390)

LABEL_BOXES_JS = """
() => Array.from(document.querySelectorAll('svg.map text.label')).map(t => {
  const r = t.getBoundingClientRect(); return [r.left, r.top, r.width, r.height, t.textContent];
})
"""


def _overlap(a: list[float], b: list[float]) -> float:
    dx = min(a[0] + a[2], b[0] + b[2]) - max(a[0], b[0])
    dy = min(a[1] + a[3], b[1] + b[3]) - max(a[1], b[1])
    return max(dx, 0.0) * max(dy, 0.0)


def _browser(p: Any) -> Any:
    assert Path(CHROMIUM).exists(), "headless Chromium is required: apt-get install -y chromium fonts-noto-cjk"
    return p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])


def _open(browser: Any, html: Path, width: int, messages: list[str] | None = None) -> Any:
    page = browser.new_page(viewport={"width": width, "height": 900})
    if messages is not None:
        page.on("console", lambda m: messages.append(f"{m.type}: {m.text}") if m.type in ("error", "warning") else None)
        page.on("pageerror", lambda e: messages.append(f"pageerror: {e}"))
    page.goto(html.as_uri())
    page.wait_for_load_state("load")
    page.evaluate("document.fonts.ready.then(() => true)")
    return page


def check_page(browser: Any, html: Path, name: str) -> None:
    """No sideways scrolling at either width; full-page screenshots saved."""
    SCREENS.mkdir(parents=True, exist_ok=True)
    for width in WIDTHS:
        page = _open(browser, html, width)
        body = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
        assert body[0] <= body[1], f"{name} scrolls sideways at {width} px: {body}"
        page.screenshot(path=str(SCREENS / f"{name}_{width}.png"), full_page=True)
        page.close()


def brief_pages(browser: Any, html: Path) -> int:
    """Pages the header and the brief take when printed on A4 (everything after the brief removed)."""
    page = _open(browser, html, 1400)
    # the brief ends with a page break before the next section: drop it with the sections after it
    page.evaluate(
        "document.querySelectorAll('main > section:not(.brief), footer').forEach(e => e.remove()); "
        "document.querySelector('section.brief').style.breakAfter = 'auto'"
    )
    pdf = page.pdf(format="A4", print_background=True, prefer_css_page_size=True)
    page.close()
    return len(re.findall(rb"/Type\s*/Page[^s]", pdf))


@pytest.mark.slow
def test_report_in_headless_chromium(default_plan: Path, tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    html = default_plan / "report.html"
    messages: list[str] = []
    requests: list[str] = []
    with sync_playwright() as p:
        browser = _browser(p)
        page = _open(browser, html, 1400, messages)
        page.on("request", lambda r: requests.append(r.url))
        page.reload()
        page.wait_for_load_state("load")
        figures: list[dict[str, Any]] = page.eval_on_selector_all(
            "figure > svg",
            "els => els.map(e => { const r = e.getBoundingClientRect(); return {cls: e.getAttribute('class'), w: "
            "r.width, h: r.height}; })",
        )
        font_stack = page.evaluate("getComputedStyle(document.querySelector('svg.map text')).fontFamily")
        page_font = page.evaluate("getComputedStyle(document.body).fontFamily")
        system = page.evaluate(GLYPHS_JS, [page_font, "中卫京津冀"])
        embedded_loaded = page.evaluate(
            """async () => {
                await document.fonts.load('48px "Planner CJK"', '中卫');
                return document.fonts.check('48px "Planner CJK"', '中卫');
            }"""
        )
        labels = page.evaluate(LABEL_BOXES_JS)
        SCREENS.mkdir(parents=True, exist_ok=True)
        page.locator("section.brief").screenshot(path=str(SCREENS / "brief_1400.png"))
        page.locator("figure.map svg").screenshot(path=str(SCREENS / "map_1400.png"))
        page.close()
        check_page(browser, html, "report")
        pages = brief_pages(browser, html)
        browser.close()
    assert messages == []
    assert all(url.startswith(("file:", "data:")) for url in requests), requests
    kinds = [f["cls"] for f in figures]
    assert kinds.count("chart") == 5
    assert kinds.count("map") == 1
    assert all(f["w"] > 300 and f["h"] > 150 for f in figures), figures
    assert len(labels) == 18  # 8 hubs and 10 clusters, each labelled once
    clashes = [(a[4], b[4]) for i, a in enumerate(labels) for b in labels[i + 1 :] if _overlap(a, b) > 1.0]
    assert clashes == [], f"map labels overlap: {clashes}"
    assert pages == 1, f"the brief takes {pages} A4 pages in print"
    assert "Noto Sans CJK SC" in font_stack
    assert "Planner CJK" in font_stack
    inks = [ink for ink, _ in system["chars"]]
    hashes = [h for _, h in system["chars"]]
    assert min(inks) > 100, "a Chinese character rendered blank"
    assert len(set(hashes)) == len(hashes), "different Chinese characters rendered alike: boxes, not glyphs"
    assert system["tofu"][1] not in hashes, "Chinese characters rendered as the missing-glyph box"
    assert embedded_loaded, "the embedded Chinese font subset did not load"


@pytest.mark.slow
def test_compare_and_sweep_pages_in_headless_chromium(tiny: Any, tmp_path: Path) -> None:
    import pandas as pd
    from playwright.sync_api import sync_playwright

    from planner.scenarios.compare import compare, render_html
    from planner.scenarios.spec import load_sweep
    from planner.scenarios.sweep_page import render_sweep

    cheap = tiny.solve(output_dir=tmp_path / "cheap").out_dir
    tiny.cluster("west1", build_max_racks_per_year=6000)
    slow = tiny.solve(output_dir=tmp_path / "slow").out_dir
    (tmp_path / "compare.html").write_text(render_html(compare([cheap, slow])), encoding="utf-8")
    sweep = load_sweep(Path(__file__).resolve().parents[2] / "examples" / "sweep_budget_green.yaml")
    rows = []
    for i, (budget, floor) in enumerate((b, f) for b in (500, 800, 1100) for f in (0.6, 0.8, 1.0)):
        short = max(0.0, 800 - budget) * 1500.0
        rows.append(
            {
                "scenario": i,
                "scenario_id": f"s{i}",
                "budget_yi_yuan": budget,
                "green_floor": floor,
                "status": "optimal",
                "reason": "",
                "objective_yi_yuan": 1300 + short / 1000 + 40 * floor,
                "investment_total_yi_yuan": min(budget, 770.0),
                "green_share": 0.6 + 0.2 * floor,
                "emissions_mt_co2": 30 - 6 * floor,
                "unmet_rack_years": short,
                "new_racks_west": 1.3e6 - short,
                "cost_breakdown_yi_yuan.unmet_penalty": short * 2e-3,
            }
        )
    rows.append(
        {**rows[0], "scenario": 9, "scenario_id": "s9", "status": "infeasible", "reason": "green floor cannot be met"}
    )
    (tmp_path / "sweep.html").write_text(render_sweep(sweep, pd.DataFrame(rows)), encoding="utf-8")
    with sync_playwright() as p:
        browser = _browser(p)
        check_page(browser, tmp_path / "compare.html", "compare")
        check_page(browser, tmp_path / "sweep.html", "sweep")
        browser.close()


@pytest.mark.slow
def test_report_pdf_is_printed_by_chromium(tiny: Any) -> None:
    from typer.testing import CliRunner

    from planner.cli import app

    outcome = tiny.solve(report=True)
    result = CliRunner().invoke(app, ["report", str(outcome.out_dir), "--pdf"])
    assert result.exit_code == 0, result.output
    pdf = (outcome.out_dir / "report.pdf").read_bytes()
    assert pdf.startswith(b"%PDF")
    assert len(re.findall(rb"/Type\s*/Page[^s]", pdf)) >= 4  # the brief, then a page per section


@pytest.mark.slow
def test_brief_with_unmet_demand_still_fits_one_page(tiny: Any) -> None:
    from playwright.sync_api import sync_playwright

    outcome = tiny.set(budget={"total_yi_yuan": 3}).solve(
        report=True
    )  # 8,000 rack-years unmet: banner and one more finding
    with sync_playwright() as p:
        browser = _browser(p)
        pages = brief_pages(browser, outcome.out_dir / "report.html")
        browser.close()
    assert pages == 1
