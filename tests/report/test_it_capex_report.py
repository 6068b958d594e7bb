"""IT-equipment capex in the report: its own lines beside the facility capex, in both languages."""

from __future__ import annotations

import csv

from planner.report import brief
from planner.report.glossary import Lang
from planner.report.tables import cost_breakdown, headline, hub_table, make_view
from planner.results.plan_folder import read_plan_folder
from tests.conftest import TinyCase, approx, set_rows
from tests.report.conftest import solve_with_report


def test_report_shows_it_capex_apart_from_facility_capex(tiny: TinyCase) -> None:
    # 10,000 racks at west1 (hub h2) both years; servers 30,000 yuan a rack over 1 year, no discounting:
    # facility capex 10 亿元 (50,000 x 10,000 x 2), IT capex 6 亿元 (30,000 x 10,000 x 2), 3 亿元 a year.
    set_rows(tiny.tables["workloads"], {"workload_id": "batch"}, it_capex_yuan_per_rack=30000, it_lifetime_years=1)
    outcome = solve_with_report(tiny.set(it_capex=True))
    v = make_view(read_plan_folder(outcome.out_dir), Lang("en"))
    lines = dict(headline(v).itertuples(index=False, name=None))
    assert lines["Facility capex, annualised, discounted to 2026 (亿元)"] == "10.00"
    assert lines["IT capex, annualised, discounted to 2026 (亿元)"] == "6.00"
    costs = cost_breakdown(v).set_index("Cost term")
    label = "IT equipment (servers, accelerators), annualised IT设备（服务器、加速卡）年化投资"
    assert costs.loc[label].iloc[0] == "6.00"
    hubs = hub_table(v).set_index("国家枢纽节点 Hub")
    assert hubs["IT capex (亿元)"].tolist() == ["0.00", "6.00"]  # h1 has no cluster serving; west1 is h2's
    with (outcome.out_dir / "investment.csv").open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert sum(float(r["it_capex_yi_yuan"]) for r in rows if r["year"] == "2027") == approx(3.0)
    assert sum(float(r["total_yi_yuan"]) for r in rows) == approx(5.0)  # overnight facility investment only
    scope_en = dict(brief.scope(v).itertuples(index=False, name=None))["Rack investment"]
    assert "IT equipment (servers, accelerators) counted apart" in scope_en
    zh = make_view(read_plan_folder(outcome.out_dir), Lang("zh"))
    assert "IT 设备（服务器、加速卡）另列" in dict(brief.scope(zh).itertuples(index=False, name=None))["机架投资"]


def test_without_it_capex_the_report_has_no_it_lines(tiny: TinyCase) -> None:
    outcome = solve_with_report(tiny)
    v = make_view(read_plan_folder(outcome.out_dir), Lang("en"))
    assert not any("IT capex" in what for what in headline(v)["What"])
    assert "IT capex (亿元)" not in hub_table(v).columns
    with (outcome.out_dir / "investment.csv").open(encoding="utf-8") as f:
        assert "it_capex_yi_yuan" not in f.readline()
