"""Every example overlay solves on the default case and changes the plan the way its question says."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from planner.pipeline import RunOutcome, run_case

ROOT = Path(__file__).resolve().parent.parent
DEFAULT = ROOT / "inputs" / "default"
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def solved(tmp_path_factory: pytest.TempPathFactory) -> dict[str, RunOutcome]:
    out = tmp_path_factory.mktemp("examples")
    cache: dict[str, RunOutcome] = {}

    def get(name: str) -> RunOutcome:
        if name not in cache:
            cache[name] = run_case(DEFAULT, [ROOT / "examples" / f"{name}.yaml"], {"output_dir": out / name})
        return cache[name]

    return get  # type: ignore[return-value]


def plan(solved: Any, name: str) -> dict[str, Any]:
    return solved(name).plan


def test_baseline_is_the_default_case(solved: Any) -> None:
    p = plan(solved, "baseline")
    assert p["case"] == "baseline"
    assert p["status"] == "optimal"
    assert not p["mip"]
    assert p["unmet_rack_years"] == 0


def test_budget_cut_keeps_investment_within_430_and_leaves_demand_unmet(solved: Any) -> None:
    base, cut = plan(solved, "baseline"), plan(solved, "budget_cut")
    assert base["investment_total_yi_yuan"] > 430
    assert cut["investment_total_yi_yuan"] <= 430 + 1e-6
    assert max(cut["investment_by_year_yi_yuan"].values()) <= 230 + 1e-6
    assert cut["unmet_rack_years"] > 0
    assert cut["objective_yi_yuan"] > base["objective_yi_yuan"]


def test_green_100_caps_certificates_at_half_of_green_power(solved: Any) -> None:
    outcome = solved("green_100")
    base = plan(solved, "baseline")
    energy = pd.read_csv(outcome.out_dir / "energy_summary.csv")
    assert (energy["certificates_gwh"] <= energy["renewable_gwh"] + 1e-6).all()  # share 0.5: cert <= renewables
    assert outcome.plan["green_share"] > base["green_share"]
    assert outcome.plan["objective_yi_yuan"] >= base["objective_yi_yuan"] - 1e-6


def test_strict_latency_serves_near_realtime_within_5_ms_and_builds_east(solved: Any) -> None:
    outcome = solved("strict_latency")
    load = pd.read_csv(outcome.out_dir / "load.csv")
    links = pd.read_csv(DEFAULT / "links.csv")
    near = load[(load["workload"] == "near_realtime") & (load["load_racks"] > 1e-6)]
    one_way = near.merge(links, left_on=["hub", "cluster"], right_on=["hub_id", "cluster_id"])["one_way_ms"]
    assert len(one_way) == len(near)
    assert (one_way <= 5.0).all()
    # 长三角's near-real-time load can no longer go west (every western cluster is > 5 ms one-way away):
    # it builds at home
    assert (
        outcome.plan["new_racks_by_hub"]["yangtze_delta"]
        > plan(solved, "baseline")["new_racks_by_hub"]["yangtze_delta"] + 1000
    )


def test_carbon_price_cuts_emissions(solved: Any) -> None:
    base, carbon = plan(solved, "baseline"), plan(solved, "carbon_price")
    assert carbon["emissions_mt_co2"] < base["emissions_mt_co2"]
    assert carbon["green_share"] > base["green_share"]


def test_congested_link_keeps_yangtze_remote_traffic_within_100_gbps(solved: Any) -> None:
    outcome = solved("congested_link")
    bw = pd.read_csv(outcome.out_dir / "bandwidth.csv")
    remote = bw[(bw["hub"] == "yangtze_delta") & ~bw["cluster"].isin(["yangtze_demo_zone", "wuhu"])]
    assert len(remote) == 8 * 5
    assert (remote["traffic_gbps"] <= 100 + 1e-6).all()
    assert (remote["bandwidth_new_gbps"] == 0).all()
    assert (
        outcome.plan["new_racks_by_hub"]["yangtze_delta"]
        > plan(solved, "baseline")["new_racks_by_hub"]["yangtze_delta"]
    )


def test_modular_builds_come_in_whole_5000_rack_modules(solved: Any) -> None:
    outcome = solved("modular_builds")
    assert outcome.plan["mip"]
    assert outcome.plan["gap"] <= 1e-3
    built = pd.read_csv(outcome.out_dir / "racks_new.csv")["new_racks"]
    assert ((built / 5000).round() * 5000 - built).abs().max() < 1e-3
    # the LP is a relaxation of the MILP: its optimum is a lower bound
    assert outcome.plan["objective_yi_yuan"] >= plan(solved, "baseline")["objective_yi_yuan"] - 1e-6


def test_outside_hubs_adds_city_sites_and_keeps_the_60_percent_rule(solved: Any) -> None:
    outcome = solved("outside_hubs")
    racks = pd.read_csv(outcome.out_dir / "racks_new.csv").groupby("cluster")["new_racks"].sum()
    city = racks[racks.index.str.endswith("_city")]
    assert len(city) == 4
    assert city.sum() <= 0.4 * racks.sum() + 1e-6
    duals = pd.read_csv(outcome.out_dir / "duals.csv")
    assert (duals["family"] == "national_hubs_share").sum() == 1
    # at the estimated city costs the western clusters stay cheaper: the rule is slack, the plan the default's
    assert outcome.plan["objective_yi_yuan"] == pytest.approx(plan(solved, "baseline")["objective_yi_yuan"], rel=1e-9)


def test_site_modules_build_whole_phases_only_where_a_site_has_one(solved: Any) -> None:
    outcome = solved("site_modules")
    modules = pd.read_csv(outcome.out_dir / "modules.csv")
    assert set(modules["cluster"]) == {"horinger", "zhongwei", "qingyang", "guian"}
    racks = pd.read_csv(outcome.out_dir / "racks_new.csv").merge(modules, on=["cluster", "year"])
    size = racks["cluster"].map({"horinger": 20000, "zhongwei": 20000, "qingyang": 10000, "guian": 10000})
    assert (racks["new_racks"] - size * racks["modules"]).abs().max() < 1e-3
    assert outcome.plan["mip"] is True
    assert outcome.plan["objective_yi_yuan"] >= plan(solved, "baseline")["objective_yi_yuan"] * (1 - 1e-3)


def test_ai_boom_reports_compute_and_puts_training_racks_west(solved: Any) -> None:
    outcome = solved("ai_boom")
    p, base = outcome.plan, plan(solved, "baseline")
    assert p["unmet_rack_years"] == 0
    assert p["objective_yi_yuan"] > base["objective_yi_yuan"]
    assert p["compute_eflops_by_year"]["2030"] > p["compute_eflops_by_year"]["2026"]
    assert all(share >= 0.35 - 1e-6 for share in p["intelligent_share_of_compute_by_year"].values())
    load = pd.read_csv(outcome.out_dir / "load.csv")
    training = load[load["workload"] == "ai_training"].groupby("cluster")["load_racks"].sum()
    west = {"horinger", "guian", "qingyang", "zhongwei"}
    assert training[training.index.isin(west)].sum() > 0.5 * training.sum()
