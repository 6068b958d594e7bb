"""`planner compare` on two tiny plans whose differences are worked out by hand.

Plan `cheap_west`: the tiny case; 10,000 racks at west1 (50,000 yuan/rack, paid in 2026 and 2027) =
10 亿元. Plan `slow_west`: west1 may build only 6,000 racks a year, so 2026 needs 4,000 racks at
east1 (100,000 yuan/rack): 6,000 x 50,000 x 2 + 4,000 x 100,000 x 2 = 14 亿元. Its west1/2026
build-rate row starts binding, with shadow price -(100,000 - 50,000) x 2 years = -100,000 元/rack.
Investment: h2 (west1's hub) 5 -> 3 亿元, h1 (east1's hub) 0 -> 4 亿元.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from planner.cli import app
from planner.errors import PlanFolderError
from planner.scenarios.compare import compare, default_out_dir, render_html, render_markdown, write_comparison
from tests.conftest import TinyCase

runner = CliRunner()


@pytest.fixture(scope="module")
def plans(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("compare")
    tiny = TinyCase(root)
    cheap = tiny.solve(output_dir=root / "cheap_west").out_dir
    tiny.cluster("west1", build_max_racks_per_year=6000)
    slow = tiny.solve(output_dir=root / "slow_west").out_dir
    return cheap, slow


def test_kpis_racks_and_investment_by_hand(plans: tuple[Path, Path]) -> None:
    c = compare(plans)
    assert c.names == ["cheap_west", "slow_west"]
    assert c.kpis.loc["total discounted cost (亿元)"].tolist() == pytest.approx([10.0, 14.0])
    assert c.kpis.loc["new racks east (racks)"].tolist() == pytest.approx([0.0, 4000.0])
    assert c.kpis.loc["new racks west (racks)"].tolist() == pytest.approx([10000.0, 6000.0])
    assert c.racks_by_cluster.to_dict() == {
        "cheap_west": {"east1": 0.0, "west1": 10000.0},
        "slow_west": {"east1": 4000.0, "west1": 6000.0},
    }
    assert c.investment_by_hub["cheap_west"].to_dict() == pytest.approx({"h1": 0.0, "h2": 5.0})
    assert c.investment_by_hub["slow_west"].to_dict() == pytest.approx({"h1": 4.0, "h2": 3.0})
    assert c.costs.loc["capex"].tolist() == pytest.approx([10.0, 14.0])


def test_the_build_rate_row_starts_binding_with_its_shadow_price(plans: tuple[Path, Path]) -> None:
    c = compare(plans)
    rows = c.binding.set_index(["plan", "family", "key"])
    row = rows.loc[("slow_west", "build_rate", "west1/2026")]
    assert row["change"] == "started binding"
    assert row["dual_reference"] == 0.0
    assert row["dual_plan"] == pytest.approx(-100000.0)
    assert row["unit"] == "元/rack"
    assert not (c.binding["family"] == "build_rate").sum() > 1
    # the same plans the other way round: the row stops binding
    back = compare(plans[::-1]).binding.set_index(["plan", "family", "key"])
    assert back.loc[("cheap_west", "build_rate", "west1/2026"), "change"] == "stopped binding"


def test_markdown_and_html_carry_the_tables_and_a_chart(plans: tuple[Path, Path], tmp_path: Path) -> None:
    c = compare(plans)
    md = render_markdown(c)
    assert "| total discounted cost (亿元) | 10.0 | 14.0 | 4.0 |" in md
    assert (
        "| green-power share (of facility energy) | 0.0 % | 0.0 % | 0.0 % |" in md
    )  # shares as `planner solve` prints them
    assert "| west1 | 10,000 | 6,000 | -4,000 |" in md
    assert "| slow_west | build_rate | west1/2026 | started binding | 0 | -100,000 | 元/rack |" in md
    page = render_html(c)
    assert page.count('<svg class="chart"') == 4
    assert ">-100,000</td>" in page
    assert 'charset="utf-8"' in page
    assert page.index("What changed") < page.index("Headline numbers")  # what changed comes first
    assert render_html(c) == page  # deterministic
    written = write_comparison(c, tmp_path / "cmp")
    assert sorted(p.name for p in written) == ["compare.html", "compare.md"]
    assert default_out_dir(list(plans)) == plans[0].parent / "compare_cheap_west_vs_slow_west"


def test_cli_compare_writes_next_to_the_first_plan(plans: tuple[Path, Path]) -> None:
    result = runner.invoke(app, ["compare", str(plans[0]), str(plans[1])])
    assert result.exit_code == 0, result.output
    assert "build_rate" in result.output
    assert "started binding" in result.output
    folder = plans[0].parent / "compare_cheap_west_vs_slow_west"
    assert (folder / "compare.md").is_file()
    assert (folder / "compare.html").is_file()


def test_a_folder_without_a_plan_is_an_error_naming_the_missing_files(plans: tuple[Path, Path], tmp_path: Path) -> None:
    with pytest.raises(PlanFolderError, match=r"plan\.json: missing"):
        compare([plans[0], tmp_path])
    result = runner.invoke(app, ["compare", str(plans[0]), str(tmp_path)])
    assert result.exit_code == 2
    assert f"{tmp_path / 'plan.json'}: missing; the folder is not a complete plan" in result.output
    assert runner.invoke(app, ["compare", str(plans[0])]).exit_code == 2
