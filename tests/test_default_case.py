"""The shipped default case: 8 hubs x 10 clusters, solved end to end, checked for invariants."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from planner.inputs.read import load_inputs
from planner.pipeline import run_case

ROOT = Path(__file__).resolve().parent.parent
DEFAULT = ROOT / "inputs" / "default"


@pytest.fixture(scope="module")
def default_plan(tmp_path_factory: pytest.TempPathFactory):
    return run_case(DEFAULT, overrides={"output_dir": tmp_path_factory.mktemp("default") / "out"})


def test_default_case_is_the_programme() -> None:
    inputs = load_inputs(DEFAULT)
    assert {h.name_zh for h in inputs.hubs} == {
        "京津冀",
        "长三角",
        "粤港澳大湾区",
        "成渝",
        "内蒙古",
        "贵州",
        "甘肃",
        "宁夏",
    }
    assert {c.name_zh for c in inputs.clusters} == {
        "张家口",
        "长三角生态绿色一体化发展示范区",
        "芜湖",
        "韶关",
        "天府",
        "重庆",
        "和林格尔",
        "贵安",
        "庆阳",
        "中卫",
    }
    east = {
        c.cluster_id: c.pue_max
        for c in inputs.clusters
        if c.hub_id in {"jingjinji", "yangtze_delta", "greater_bay", "chengyu"}
    }
    assert max(east.values()) <= 1.25
    assert max(c.pue_max for c in inputs.clusters if c.cluster_id not in east) <= 1.2


def test_default_plan_is_optimal_and_covers_every_hub_and_cluster(default_plan) -> None:
    plan = default_plan.plan
    assert plan["status"] == "optimal"
    assert set(plan["new_racks_by_cluster"]) == {
        "zhangjiakou",
        "yangtze_demo_zone",
        "wuhu",
        "shaoguan",
        "tianfu",
        "chongqing",
        "horinger",
        "guian",
        "qingyang",
        "zhongwei",
    }
    assert len(plan["investment_by_hub_yi_yuan"]) == 8
    load = default_plan.results.load
    served_hubs = set(load.loc[load["load_racks"] > 0, "hub"])
    assert len(served_hubs) == 8


def test_default_plan_invariants(default_plan) -> None:
    plan, results = default_plan.plan, default_plan.results
    assert sum(plan["cost_breakdown_yi_yuan"].values()) == pytest.approx(plan["objective_yi_yuan"], rel=1e-6)
    assert plan["new_racks_east"] + plan["new_racks_west"] == pytest.approx(plan["new_racks_total"], abs=0.2)
    assert plan["served_rack_years"] + plan["unmet_rack_years"] == pytest.approx(plan["demand_rack_years"], rel=1e-9)
    util = pd.read_csv(default_plan.out_dir / "utilisation.csv")
    inputs = load_inputs(DEFAULT)
    floor_from = inputs.scenario.policy.utilisation_min_from_year
    assert util.loc[util["year"] >= floor_from, "utilisation"].min() >= 0.65 - 1e-6
    assert util["utilisation"].max() <= 0.9 + 1e-6
    assert results.racks_new["new_racks"].min() >= -1e-6
    # the base year is the observed state: every cluster carries exactly its tenants in place, nothing is built
    first = inputs.scenario.years.first
    in_use = {c.cluster_id: c.racks_in_use_existing for c in inputs.clusters}
    base = util[util["year"] == first].set_index("cluster")["load_racks"]
    assert base.to_dict() == pytest.approx(in_use, abs=1e-3)
    assert plan["new_racks_by_year"][str(first)] == pytest.approx(0.0, abs=1e-3)
    # and solved at representative days, as the case asks
    assert "representative days" in plan["time_resolution"]


@pytest.mark.slow
def test_a_representative_day_plan_verifies_from_its_folder(tmp_path) -> None:
    """inputs.json carries the run's slices, so verify re-checks every slice of a --days plan."""
    from planner.verify.check import verify_outputs

    outcome = run_case(
        DEFAULT, overrides={"output_dir": tmp_path / "days", "time_resolution": "days:2", "report": False}
    )
    report = verify_outputs(outcome.out_dir)
    assert report.ok, [str(v) for v in report.violations[:5]]
    assert len(load_inputs(DEFAULT).profiles) == 0
    assert outcome.plan["time_resolution"] == "2 representative days (k-medoids), hourly (48 slices per year)"
    assert outcome.results.energy["slice"].nunique() == 48


def test_a_row_that_cannot_be_evaluated_is_a_violation() -> None:
    import numpy as np

    from planner.verify.base import compare

    result = compare("power_balance", pd.Index(["a", "b"]), np.array([1.0, np.nan]), "==", np.array([1.0, 2.0]), "GWh")
    assert [v.key for v in result.violations] == ["b"]
    assert "cannot be checked" in result.violations[0].detail
