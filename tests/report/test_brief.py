"""The brief and the ranked findings against plan.json and duals.csv; the glossary; charts and map geometry."""

from __future__ import annotations

import json
import re
from itertools import combinations
from pathlib import Path

import pytest

from planner.report import brief, charts, chinamap, worth
from planner.report.build import render_report
from planner.report.glossary import AVOID, GLOSSARY, Lang, count, thousands, wan
from planner.report.tables import make_view
from planner.results.plan_folder import read_plan_folder
from tests.conftest import TinyCase
from tests.report.conftest import solve_with_report


def test_number_formats_in_each_language() -> None:
    assert wan(1462366.7) == "146.2 万"
    assert wan(3.2e8) == "3.2 亿"
    assert wan(8400) == "8,400"
    assert thousands(1462366.7) == "1.46 million"
    assert thousands(84000) == "84,000"
    assert count(1462366.7, Lang("zh"), "标准机架") == "146.2 万标准机架"
    assert count(1462366.7, Lang("en"), en_unit="racks") == "1.46 million racks"
    assert Lang("both")("Brief", "要点") == "要点 Brief"
    assert (
        Lang("en").short("Yangtze River Delta Eco-Green Integration Demonstration Zone", "长三角")
        == "Yangtze River Delta…"
    )
    with pytest.raises(ValueError, match="zh, en, both"):
        Lang("fr")


def test_pareto_and_ticks_by_hand() -> None:
    # (cost, green): lower cost and higher green are better; (3, 0.5) is beaten by (2, 0.6).
    points = [(1.0, 0.2), (2.0, 0.6), (3.0, 0.5), (4.0, 0.9)]
    assert charts.pareto([(g, c) for c, g in points], ("high", "low")) == [0, 1, 3]
    assert charts.nice_ticks(87.0) == [0, 20, 40, 60, 80, 100]
    assert charts.nice_ticks(1.0) == [0, 0.2, 0.4, 0.6, 0.8, 1.0]


def test_glossary_terms_on_the_page(tiny: TinyCase) -> None:
    outcome = solve_with_report(tiny.set(budget={"total_yi_yuan": 3}))
    html = (outcome.out_dir / "report.html").read_text(encoding="utf-8")
    for en in (
        "national computing hub",
        "data-centre cluster",
        "standard rack",
        "contracted renewables",
        "annualised investment",
        "per rack-year",
    ):
        assert GLOSSARY[en] in html, en
    for wrong in AVOID:
        assert wrong not in html, wrong
    assert "绿电直供" not in html  # only a physical direct line is 绿电直供; this model has none
    zh = render_report(read_plan_folder(outcome.out_dir), "zh")["report.html"]
    en = render_report(read_plan_folder(outcome.out_dir), "en")["report.html"]
    assert re.findall(r"<h2>(.+?)</h2>", zh)[:2] == ["要点", "主要发现"]
    assert re.findall(r"<h2>(.+?)</h2>", en)[:2] == ["Brief", "Ranked findings"]
    assert not any(re.search(r"[\u4e00-\u9fff]", h) for h in re.findall(r"<h2>(.+?)</h2>", en))


def test_unmet_demand_is_shouted_and_targets_say_not_met(tiny: TinyCase) -> None:
    # 3 亿元 buys 6,000 of the 10,000 racks needed: 8,000 rack-years unmet (test_report_numbers).
    outcome = solve_with_report(tiny.set(budget={"total_yi_yuan": 3}))
    html = (outcome.out_dir / "report.html").read_text(encoding="utf-8")
    md = (outcome.out_dir / "report.md").read_text(encoding="utf-8")
    assert '<div class="alert" role="alert">' in html.split('id="findings"')[0]
    assert "> **" in md.split("## 主要发现")[0]
    v = make_view(read_plan_folder(outcome.out_dir), Lang("en"))
    verdicts = brief.targets(v).set_index("Target")["Verdict"]
    assert verdicts["All demand served"] == "✗ not met"
    assert verdicts["Total investment budget"] == "✓ met"
    assert verdicts["Water use (WUE)"] == "– not set"  # water is modelled now; no cap in this case
    assert verdicts["Carbon cap"] == "– not set"
    found = brief.findings(v)
    assert found[0].key == "unmet"
    assert found[0].numbers["unmet_rack_years"] == pytest.approx(8000.0)
    assert "8,000 rack-years" in found[0].en


def check_brief(folder: Path) -> None:
    """The brief's sentences and verdicts against plan.json and duals.csv (whatever today's numbers are)."""
    plan = json.loads((folder / "plan.json").read_text(encoding="utf-8"))
    v = make_view(read_plan_folder(folder), Lang("both"))
    found = {f.key: f for f in brief.findings(v)}
    assert 3 <= len(found) <= 5
    west = found["west"]
    if plan["new_racks_total"] > 0.5:
        assert f"{100 * plan['west_share_of_new_racks']:.0f} %" in west.en
        assert f"新增 {plan['new_racks_total'] / 1e4:,.1f} 万标准机架" in west.zh
        lead = max(plan["new_racks_by_cluster"], key=lambda c: plan["new_racks_by_cluster"][c])
        assert west.numbers["lead_cluster"] == lead
    duals = v.t["duals"]
    yearly = duals[(duals["family"] == "budget_yearly") & duals["binding"].astype(bool)]
    if len(yearly):
        years = sorted(int(k) for k in yearly["key"])
        assert found["budget"].numbers["budget_years"] == years
        assert found["budget"].numbers["budget_worth"] == pytest.approx(yearly["dual"].abs().max())
        said = float(re.search(r"would save ([\d.,]+) 亿元", found["budget"].en).group(1).replace(",", ""))
        assert said == pytest.approx(yearly["dual"].abs().max(), rel=0.02, abs=0.006)
    assert f"{100 * plan['green_share']:.1f} %" in found["green"].en
    if plan["unmet_rack_years"] > 0.5:
        assert next(iter(found)) == "unmet"
    verdicts = brief.targets(v).set_index("目标 Target")["结论 Verdict"]
    assert verdicts["需求全部满足 All demand served"].startswith("✓" if plan["unmet_rack_years"] <= 0.5 else "✗")
    if v.inputs.scenario.budget.total_yi_yuan is not None:
        ok = plan["investment_total_yi_yuan"] <= v.inputs.scenario.budget.total_yi_yuan + 1e-6
        assert verdicts["总投资预算 Total investment budget"].startswith("✓" if ok else "✗")


@pytest.mark.slow
def test_default_brief_against_plan_json(default_plan: Path) -> None:
    check_brief(default_plan)
    md = (default_plan / "report.md").read_text(encoding="utf-8")
    assert md.index("## 要点 Brief") < md.index("**图 Figure 1.**") < md.index("## 主要发现")


@pytest.mark.slow
def test_degenerate_duals_are_not_prices(default_plan: Path) -> None:
    v = make_view(read_plan_folder(default_plan))
    rows = worth.binding(v)
    top, _rest, degenerate = worth.ranked(rows)
    energy = v.t["energy_summary"].set_index(["cluster", "year"])
    for family, where_key in (("certificate_cover", "grid"),):
        for r in degenerate[degenerate["family"] == family]["row"]:
            e = energy.loc[(r.parts[0], int(r.parts[1]))]
            assert e["grid_gwh"] <= 1e-6, where_key
            assert e["certificates_gwh"] <= 1e-6, where_key
    # every certificate_cover row with no grid power and no certificates is degenerate, never ranked
    live = rows[rows["family"] == "certificate_cover"]
    for r, d in zip(live["row"], live["degenerate"], strict=True):
        e = energy.loc[(r.parts[0], int(r.parts[1]))]
        assert (d != "") == (e["grid_gwh"] <= 1e-3 and e["certificates_gwh"] <= 1e-3)
    assert not set(top.index) & set(degenerate.index)
    assert (degenerate["sentence"] == "").all()


def test_map_labels_do_not_overlap(tiny: TinyCase) -> None:
    outcome = solve_with_report(tiny)
    html = (outcome.out_dir / "report.html").read_text(encoding="utf-8")
    check_label_boxes(html)


def check_label_boxes(html: str) -> None:
    boxes = [tuple(map(float, b.split())) for b in re.findall(r'class="halo label[^"]*" data-box="([^"]+)"', html)]
    assert boxes
    for a, b in combinations(boxes, 2):
        assert chinamap._overlap(a, b) < 1.0, (a, b)
