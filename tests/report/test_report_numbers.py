"""The report's numbers: headline equals plan.json, tables add up, hand-worked shadow-price sentences."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from planner.report import document, scorecard, tables, worth
from planner.report.tables import make_view, num, pct, year_span
from planner.results.plan_folder import read_plan_folder
from tests.conftest import TinyCase, approx, set_rows
from tests.report.conftest import solve_with_report


def headline_rows(md: str) -> dict[str, str]:
    """The (what, value) rows of the Markdown headline table."""
    section = md.split("## 概览 Headline numbers")[1].split("**总成本构成")[0]
    rows = [line.strip("|").split("|") for line in section.splitlines() if line.startswith("| ") and "---" not in line]
    return {what.strip(): value.strip() for what, value in rows[1:]}


def number(text: str) -> float:
    return float(text.replace(",", "").replace("%", "").strip())


def check_headline(folder: Path) -> None:
    """Every headline number in report.md equals plan.json's to the precision shown."""
    plan = json.loads((folder / "plan.json").read_text(encoding="utf-8"))
    rows = headline_rows((folder / "report.md").read_text(encoding="utf-8"))
    first, last = plan["years"]
    span = f"{first}–{last}"
    assert rows["Status"].startswith(plan["status"])
    assert number(rows[f"Total cost, discounted to {first} (亿元)"]) == pytest.approx(
        plan["objective_yi_yuan"], abs=0.005
    )
    assert number(rows[f"Investment {span}, undiscounted (亿元)"]) == pytest.approx(
        plan["investment_total_yi_yuan"], abs=0.005
    )
    assert number(rows[f"New racks {span} (racks)"]) == pytest.approx(plan["new_racks_total"], abs=0.5)
    east, west = rows["New racks east / west (racks)"].split(" / ")
    assert number(east) == pytest.approx(plan["new_racks_east"], abs=0.5)
    assert number(west) == pytest.approx(plan["new_racks_west"], abs=0.5)
    assert number(rows["West share of new racks"]) == pytest.approx(100 * plan["west_share_of_new_racks"], abs=0.05)
    assert number(rows["Green-power share of facility energy"]) == pytest.approx(100 * plan["green_share"], abs=0.05)
    assert number(rows[f"Grid emissions {span} (Mt CO2)"]) == pytest.approx(plan["emissions_mt_co2"], abs=0.005)
    assert number(rows[f"Unmet demand {span} (rack-years)"]) == pytest.approx(plan["unmet_rack_years"], abs=0.5)
    assert number(rows["Average PUE"]) == pytest.approx(plan["average_pue"], abs=0.0005)


def budget_case(tiny: TinyCase) -> TinyCase:
    # 3 亿元 buys 6,000 west racks; 4,000 racks unmet in both years; one more 亿元 saves 6 亿元 (see
    # test_budget_total_leaves_a_known_shortfall).
    return tiny.set(budget={"total_yi_yuan": 3})


def test_formats_are_hand_checked() -> None:
    assert num(1462366.7) == "1,462,367"
    assert num(-0.0001, 2) == "0.00"
    assert pct(0.7779) == "77.8 %"
    assert year_span([2026, 2027, 2028, 2030]) == "2026–2028, 2030"
    assert year_span([2029]) == "2029"
    assert worth.sig(0.0869471) == "0.0869"
    assert worth.sig(-4.531555) == "4.53"
    assert worth.sig(2997.98) == "2,998"


def test_tiny_report_headline_budget_worth_and_unmet(tiny: TinyCase) -> None:
    outcome = solve_with_report(budget_case(tiny))
    check_headline(outcome.out_dir)
    md = (outcome.out_dir / "report.md").read_text(encoding="utf-8")
    rows = headline_rows(md)
    assert rows["Total cost, discounted to 2026 (亿元)"] == "22.00"
    assert rows["Unmet demand 2026–2027 (rack-years)"] == "8,000"
    assert binding_sentence(outcome.out_dir, "budget_total") == [
        "One more 亿元 of the 2026–2027 investment budget lowers total cost by 6.00 亿元."
    ]
    assert "One more 亿元 of the 2026–2027 investment budget lowers total cost by 6.00 亿元." in md
    v = make_view(read_plan_folder(outcome.out_dir))
    assert worth.unmet(v).to_dict("records") == [
        {
            "国家枢纽节点 Hub": "东一 East One",
            "业务类型 Class": "批处理 Batch",
            "Unmet (rack-years)": "8,000",
            "Years": "2026–2027",
            "Stopped by": "total budget",
        }
    ]
    assert "| 东一 East One | 批处理 Batch | 8,000 | 2026–2027 | total budget |" in md


@pytest.mark.slow
def test_headline_of_the_default_plan_equals_plan_json(default_plan: Path) -> None:
    check_headline(default_plan)


@pytest.mark.slow
def test_report_tables_add_up_to_plan_json(default_plan: Path) -> None:
    v = make_view(read_plan_folder(default_plan))
    new = tables.new_racks_by_cluster_year(v).sum(axis=1)
    for cluster, racks in v.plan["new_racks_by_cluster"].items():
        assert new[cluster] == approx(racks, abs_=0.1)
    investment = tables.investment_by_hub_year(v).sum(axis=0)
    for year, total in v.plan["investment_by_year_yi_yuan"].items():
        assert investment[int(year)] == approx(total, abs_=1e-5)
    breakdown = tables.cost_breakdown(v)
    assert float(breakdown.iloc[-1, 1].replace(",", "")) == approx(v.plan["objective_yi_yuan"], abs_=0.005)
    mix = tables.energy_mix(v)
    # the stacked bars (grid less certificates, certified grid, renewables) add up to the energy the
    # plan bought, read from energy.csv (every slice) rather than the summary the bars are drawn from
    energy = (
        pd.read_csv(default_plan / "energy.csv", dtype={"cluster": str})
        .groupby("cluster")[["grid_gwh", "renewable_gwh"]]
        .sum()
    )
    bought = (energy["grid_gwh"] + energy["renewable_gwh"]).reindex(mix.index, fill_value=0.0)
    bars = mix[["grid_gwh", "certified_grid_gwh", "renewable_gwh"]].sum(axis=1)
    assert bars.to_numpy() == pytest.approx(bought.to_numpy(), rel=1e-6, abs=1e-3)
    assert (
        mix["certified_grid_gwh"] <= energy["grid_gwh"].reindex(mix.index, fill_value=0.0) + 1e-6
    ).all()  # the clip hides nothing
    green = (mix["renewable_gwh"] + mix["certified_grid_gwh"]).sum() / mix["facility_gwh"].sum()
    assert green == approx(v.plan["green_share"], abs_=1e-6)


def binding_sentence(outcome_dir: Path, family: str) -> list[str]:
    v = make_view(read_plan_folder(outcome_dir))
    rows = worth.binding(v)
    return rows.loc[rows["family"] == family, "sentence"].to_list()


def test_link_shadow_price_sentence(tiny: TinyCase) -> None:
    # 60 Gbps at 0.01 Gbps/rack carries 6,000 racks west; one more Gbps moves 100 racks west,
    # saving 100 x 100k yuan = 1,000 万元 (see test_link_bandwidth_limits_remote_service).
    set_rows(tiny.tables["workloads"], {"workload_id": "batch"}, gbps_per_rack=0.01)
    set_rows(tiny.tables["links"], {"hub_id": "h1", "cluster_id": "west1"}, bandwidth_existing_gbps=60)
    outcome = tiny.solve()
    sentences = binding_sentence(outcome.out_dir, "link_bandwidth")
    assert (
        sentences[0]
        == "The link 东一 East One → 西集群 West cluster is full in 2026; each extra Gbps is worth 1,000 万元."
    )


def test_utilisation_floor_worth_per_percentage_point(tiny: TinyCase) -> None:
    # One year. east1 has 10,000 racks whose power costs 5 yuan/kWh x 8,760 kWh = 43,800 yuan per
    # rack-year; a west1 rack costs 20,000. The 65 % floor forces 6,500 racks of use at east1:
    # each forced rack-year costs 43,800 - 20,000 = 23,800 yuan, and a percentage point of the
    # floor on 10,000 racks is 100 rack-years: 2,380,000 yuan = 238 万元.
    tiny.set(years={"first": 2026, "last": 2026}, policy={"utilisation_min": 0.65})
    tiny.tables["demand"] = [row for row in tiny.tables["demand"] if row["year"] == 2026]
    tiny.cluster("east1", racks_existing=10000, power_price_yuan_per_kwh=5.0, ppa_price_yuan_per_kwh=5.0).cluster(
        "west1", capex_yuan_per_rack=20000
    )
    outcome = tiny.solve()
    assert outcome.plan["objective_yi_yuan"] == approx((6500 * 43800 + 3500 * 20000) / 1e8)
    assert binding_sentence(outcome.out_dir, "utilisation_floor") == [
        "The 65 % 上架率 floor at 东集群 East cluster in 2026 costs 23,800 元 per rack-year it forces into use "
        "(about 238 万元 per percentage point of the floor on 10,000 racks)."
    ]
    v = make_view(read_plan_folder(outcome.out_dir))
    row = v.t["duals"].set_index(["family", "key"]).loc[("utilisation_floor", "east1/2026")]
    assert row["dual"] == approx(23800.0)


def test_green_floor_worth_per_mwh(tiny: TinyCase) -> None:
    # 10,000 new racks at west1 use 87,600 MWh a year; half must be green, bought as certificates
    # at 30 yuan/MWh: each MWh of the floor costs 30 yuan; a percentage point is 876 MWh x 30 yuan
    # = 26,280 yuan = 2.63 万元. No discounting, so 2027 money equals present value.
    tiny.set(policy={"green_share_min_new": 0.5}).cluster(
        "west1", certificate_price_yuan_per_mwh=30, ppa_price_yuan_per_kwh=1.0
    )
    outcome = tiny.solve()
    assert binding_sentence(outcome.out_dir, "green_share") == [
        f"The 50 % green-power floor for new racks at 西集群 West cluster in {y} costs 30.0 "
        f"元{' (30.0 元 in 2027 money)' if y == 2027 else ''} "
        "per MWh of green power it requires (about 2.63 万元 per percentage point on 88 GWh)."
        for y in (2026, 2027)
    ]


@pytest.mark.slow
def test_default_report_names_what_binds(default_plan: Path) -> None:
    v = make_view(read_plan_folder(default_plan))
    rows = worth.binding(v)
    duals = v.t["duals"]
    listed = duals[duals["binding"] & duals["family"].isin(list(worth.FAMILIES))]
    assert len(rows) == len(listed)
    top, rest, degenerate = worth.ranked(rows)
    assert len(top) + len(rest) + len(degenerate) == len(rows)
    assert len(top) == min(10, len(rows) - len(degenerate))
    md = (default_plan / "report.md").read_text(encoding="utf-8")
    for sentence in top["sentence"]:
        assert sentence.replace("|", "\\|") in md
    assert list(top["relax_yi"].fillna(-1)) == sorted(top["relax_yi"].fillna(-1), reverse=True)
    assert (top["relax_yi"].fillna(0) >= rest["relax_yi"].fillna(0).max() - 1e-12).all() if len(rest) else True
    for _, group in rows.groupby("family"):
        assert list(group["value"]) == sorted(group["value"], reverse=True)


def test_scorecard_rows_are_hand_checked(tiny: TinyCase) -> None:
    # Budget case: 3 亿元 total spent in full, binding; a 30 % share of new racks for hub h1 puts
    # 30 % of the racks at east1 (4,615 racks for 3 亿元, 1,385 of them east); a loose 1 Mt carbon cap.
    budget_case(tiny).set(policy={"carbon_cap_mt": 1.0})
    set_rows(tiny.tables["hubs"], {"hub_id": "h1"}, new_racks_share_min=0.3)
    outcome = tiny.solve()
    v = make_view(read_plan_folder(outcome.out_dir))
    rows = scorecard.programme_targets(v).set_index("Target")
    total = rows.loc["Investment budget 2026–2027"]
    assert list(total) == [
        "≤ 3.00 亿元",
        "3.00 亿元",
        "✓",
        "binds (saves "
        f"{num(abs(outcome.results.duals.set_index(['family', 'key']).loc[('budget_total', 'total'), 'dual']), 3)} "
        "亿元/亿元)",
    ]
    share = rows.loc["Share of new racks at 东一 East One"]
    assert list(share[:3]) == ["≥ 30.0 %", "30.0 %", "✓"]
    assert share["Binds?"].startswith("binds (")
    assert list(rows.loc["Carbon cap 2026"]) == ["≤ 1.000 Mt CO2", "0.000 Mt CO2", "✓", "no"]
    assert "Investment budget 2026" not in rows.index  # no yearly budget set


def test_hub_share_worth_per_percentage_point(tiny: TinyCase) -> None:
    # A 30 % share of new racks for hub h1 moves racks from west1 (2 x 50k) to east1 (2 x 100k):
    # each rack costs 100,000 yuan more; a percentage point of 10,000 racks is 100 racks = 0.1 亿元.
    set_rows(tiny.tables["hubs"], {"hub_id": "h1"}, new_racks_share_min=0.3)
    outcome = tiny.solve()
    assert binding_sentence(outcome.out_dir, "hub_share") == [
        "The 30 % floor on 东一 East One's share of new racks costs 100,000 元 per rack (about 0.100 亿元 per "
        "percentage point)."
    ]
    v = make_view(read_plan_folder(outcome.out_dir))
    cards = scorecard.cluster_targets(v).set_index("数据中心集群 Cluster")
    assert cards.loc["东集群 East cluster", "上架率 lowest year (floor)"] == "100.0 % in 2026 (≥ 0 %) ✓"
    assert cards.loc["西集群 West cluster", "Green floor binds in"] == "–"


def test_milp_report_says_where_duals_come_from(tiny: TinyCase) -> None:
    outcome = tiny.set(build_module_racks=1000).solve()
    v = make_view(read_plan_folder(outcome.out_dir))
    rows = worth.binding(v)
    top, _, degenerate = worth.ranked(rows)
    section = document._findings(v, top, degenerate)
    notes = [block.text for block in section.blocks if isinstance(block, document.Para)]
    assert any(
        "mixed-integer plan: shadow prices come from the LP with the module counts fixed" in text for text in notes
    )
    assert tables.headline(v).set_index("What").loc["Status", "Value"].startswith("optimal (mixed-integer")


@pytest.mark.slow
def test_long_families_are_cut_to_their_most_valuable_rows(default_plan: Path) -> None:
    v = make_view(read_plan_folder(default_plan))
    full, cut = worth.binding(v), worth.binding(v, most=3)
    capacity_full, capacity_cut = (
        full[full["family"] == "capacity"],
        cut[cut["family"] == "capacity"],
    )
    assert len(capacity_full) == int(capacity_full["binding_rows"].iloc[0]) > 3
    assert capacity_cut["sentence"].to_list() == capacity_full["sentence"].to_list()[:3]
    assert set(capacity_cut["binding_rows"]) == {len(capacity_full)}
