"""Re-parameterised (warm) solves give the same plans as fresh builds; structure changes rebuild."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from planner.inputs.overlay import apply_patch
from planner.inputs.read import RawCase, load_inputs, read_raw, validate
from planner.inputs.schema import Inputs
from planner.model import build_model
from planner.model.data import build_data
from planner.pipeline import config_for
from planner.results.extract import extract
from planner.results.kpis import plan_summary
from planner.scenarios.resolve import Resolver, changed_fields, structure_key
from planner.solver.solve import Status, solve
from tests.conftest import TinyCase

ROOT = Path(__file__).resolve().parent.parent


def fresh(inputs: Inputs) -> tuple[Status, float | None, dict[str, Any] | None]:
    """The plain path: build, solve, extract, summarise - no model kept between scenarios."""
    data = build_data(inputs)
    built = build_model(data)
    result = solve(built.model, config_for(inputs))
    if result.status not in (Status.OPTIMAL, Status.FEASIBLE):
        return result.status, None, None
    return result.status, result.objective, plan_summary(extract(built, result), data)


def patched(raw: RawCase, change: dict[str, Any]) -> Inputs:
    return validate(apply_patch(raw, change, "test"))


def assert_same_plan(a: dict[str, Any], b: dict[str, Any]) -> None:
    """Every value of plan b (nested dicts and lists included) is in plan a.

    Numbers within 1e-6 relative / 1e-4 absolute.
    """
    assert set(b) <= set(a), set(b) - set(a)
    for key, value in b.items():
        _assert_same(a[key], value, key)


def _assert_same(x: Any, y: Any, where: str) -> None:
    if isinstance(y, dict):
        assert isinstance(x, dict), where
        assert set(x) == set(y), where
        for key in y:
            _assert_same(x[key], y[key], f"{where}.{key}")
    elif isinstance(y, list | tuple):
        assert isinstance(x, list | tuple), where
        assert len(x) == len(y), where
        for i, (p, q) in enumerate(zip(x, y, strict=True)):
            _assert_same(p, q, f"{where}[{i}]")
    elif isinstance(y, float | int) and not isinstance(y, bool) and y is not None:
        assert isinstance(x, float | int), where
        assert not isinstance(x, bool), where
        assert (math.isnan(x) and math.isnan(y)) or x == pytest.approx(y, rel=1e-6, abs=1e-4), where
    else:
        assert x == y, where


def test_assert_same_plan_looks_inside_nested_values() -> None:
    plan = {"objective": 1.0, "status": "optimal", "by_cluster": {"west1": 10.0}, "years": [2026, 2027]}
    assert_same_plan(plan, plan)
    for changed in ({"by_cluster": {"west1": 11.0}}, {"status": "feasible"}, {"years": [2026]}):
        with pytest.raises(AssertionError):
            assert_same_plan({**plan, **changed}, plan)


def tiny_scenarios(raw: RawCase) -> list[dict[str, Any]]:
    return [
        {},
        {"tables": {"clusters": [{"match": {"cluster_id": "west1"}, "set": {"build_max_racks_per_year": 6000}}]}},
        {"tables": {"demand": [{"match": {"hub_id": "h1"}, "scale": {"demand_racks": 1.5}}]}},
        {
            "tables": {
                "clusters": [{"match": {}, "set": {"power_price_yuan_per_kwh": 0.4, "grid_co2_kg_per_kwh": 0.6}}]
            },
            "set": {"policy": {"carbon_price_yuan_per_t": 150}},
        },
        {"tables": {"clusters": [{"match": {"cluster_id": "west1"}, "scale": {"capex_yuan_per_rack": 3}}]}},
        {"set": {"unmet_penalty_yuan_per_rack_year": 60000}},
    ]


@pytest.mark.parametrize("mode", ["highs", "pulp", "pulp_warm"])
def test_warm_solves_match_fresh_builds_on_the_tiny_case(tiny: TinyCase, mode: str) -> None:
    raw = read_raw(tiny.write())
    resolver = Resolver(config_for(validate(raw)), mode=mode)  # type: ignore[arg-type]
    hows = []
    scenarios = tiny_scenarios(raw) if mode == "highs" else tiny_scenarios(raw)[:3]
    for change in scenarios:
        inputs = patched(raw, change)
        solved = resolver.solve(inputs)
        status, objective, plan = fresh(inputs)
        assert solved.status == status
        assert solved.objective == pytest.approx(objective, rel=1e-6)
        assert solved.plan is not None
        assert plan is not None
        assert_same_plan(solved.plan, plan)
        hows.append(solved.how)
    assert hows == ["build"] + ["warm"] * (len(scenarios) - 1)


def test_hand_worked_numbers_after_a_warm_update(tiny: TinyCase) -> None:
    raw = read_raw(tiny.write())
    resolver = Resolver(config_for(validate(raw)))
    assert resolver.solve(patched(raw, {})).objective == pytest.approx(10.0)
    # west1 limited to 6,000 racks a year: 6,000 x 50,000 x 2 + 4,000 x 100,000 x 2 = 14 亿元
    slow = resolver.solve(patched(raw, tiny_scenarios(raw)[1]))
    assert slow.how == "warm"
    assert slow.objective == pytest.approx(14.0)
    assert slow.plan is not None
    assert slow.plan["new_racks_by_cluster"] == {"east1": 4000.0, "west1": 6000.0}
    assert slow.simplex_iterations is not None


def test_a_structure_change_rebuilds_and_the_old_structure_is_kept(tiny: TinyCase) -> None:
    raw = read_raw(tiny.write())
    resolver = Resolver(config_for(validate(raw)))
    latency = {"tables": {"workloads": [{"match": {"workload_id": "batch"}, "set": {"latency_max_rtt_ms": 5}}]}}
    # 5 ms leaves h1 only east1 (1 ms): 10,000 racks x 100,000 yuan x 2 years = 20 亿元; west1 at
    # 3 x 50,000 yuan still undercuts east1 without the limit: 10,000 x 150,000 x 2 = 30 亿元
    dear_west = tiny_scenarios(raw)[4]
    steps = [
        ({}, "build", 10.0),
        (latency, "build", 20.0),
        (dear_west, "warm", 20.0),
        ({**latency, **dear_west}, "warm", 20.0),
    ]
    for change, how, objective in steps:
        solved = resolver.solve(patched(raw, change))
        assert (solved.how, solved.objective) == (how, pytest.approx(objective, rel=1e-6))


def test_a_new_row_family_is_a_structure_change(tiny: TinyCase) -> None:
    raw = read_raw(tiny.write())
    resolver = Resolver(config_for(validate(raw)))
    resolver.solve(patched(raw, {}))
    floor = patched(
        raw, {"tables": {"clusters": [{"match": {"cluster_id": "west1"}, "set": {"utilisation_min": 0.5}}]}}
    )
    old, new = build_data(patched(raw, {})), build_data(floor)
    assert structure_key(old) == structure_key(new)
    assert changed_fields(old, new) == {"utilisation_min"}
    solved = resolver.solve(floor)  # utilisation_floor had no rows before: rebuilt, same optimum
    assert solved.how == "build"
    assert solved.objective == pytest.approx(10.0)


def test_infeasible_scenarios_in_between_do_not_spoil_later_warm_solves(tiny: TinyCase) -> None:
    raw = read_raw(tiny.write())
    resolver = Resolver(config_for(validate(raw)))
    resolver.solve(
        patched(
            raw,
            {
                "tables": {
                    "clusters": [
                        {"match": {"cluster_id": "east1"}, "set": {"racks_existing": 20000, "utilisation_min": 0.65}}
                    ]
                }
            },
        )
    )
    # 20,000 existing racks with a 65 % floor need 13,000 in use; demand 10,000: infeasible
    bad = resolver.solve(
        patched(
            raw,
            {
                "tables": {
                    "clusters": [
                        {"match": {"cluster_id": "east1"}, "set": {"racks_existing": 20000, "utilisation_min": 0.65}}
                    ],
                    "demand": [{"match": {}, "scale": {"demand_racks": 0.9}}],
                }
            },
        )
    )
    assert bad.status == Status.INFEASIBLE
    assert bad.plan is None
    assert bad.how == "warm"
    good = patched(
        raw,
        {
            "tables": {
                "clusters": [
                    {"match": {"cluster_id": "east1"}, "set": {"racks_existing": 20000, "utilisation_min": 0.65}}
                ],
                "demand": [{"match": {}, "scale": {"demand_racks": 1.5}}],
            }
        },
    )
    solved = resolver.solve(good)
    assert solved.status == Status.OPTIMAL
    assert solved.how == "warm"
    assert solved.objective == pytest.approx(fresh(good)[1], rel=1e-6)


def test_modular_builds_warm_milp(tiny: TinyCase) -> None:
    tiny.set(build_module_racks=3000)
    raw = read_raw(tiny.write())
    resolver = Resolver(config_for(validate(raw)))
    for scale in (1.0, 1.2, 0.7):
        inputs = patched(raw, {"tables": {"demand": [{"match": {}, "scale": {"demand_racks": scale}}]}})
        solved = resolver.solve(inputs)
        # whole 3,000-rack modules at west1 (2 x 50,000 yuan per rack): ceil(demand / 3,000) modules
        modules = math.ceil(10000 * scale / 3000)
        assert solved.objective == pytest.approx(modules * 3000 * 100000 / 1e8, rel=1e-6)
        assert solved.objective == pytest.approx(fresh(inputs)[1], rel=1e-6)


@pytest.mark.slow
def test_warm_solves_match_fresh_builds_on_the_default_case() -> None:
    raw = read_raw(ROOT / "inputs" / "default")
    resolver = Resolver(config_for(validate(raw)))
    changes = [
        {},
        {"set": {"policy": {"carbon_price_yuan_per_t": 200}}},
        {"set": {"budget": {"total_yi_yuan": 700, "yearly_yi_yuan": 140}}},
        {"tables": {"demand": [{"match": {"workload_id": "batch"}, "scale": {"demand_racks": 1.25}}]}},
        {
            "tables": {"clusters": [{"match": {}, "scale": {"power_price_yuan_per_kwh": 1.2}}]},
            "set": {"policy": {"green_share_min_new": 0.95}},
        },
    ]
    for change in changes:
        inputs = patched(raw, change)
        solved = resolver.solve(inputs)
        status, objective, plan = fresh(inputs)
        assert solved.status == status == Status.OPTIMAL
        assert solved.objective == pytest.approx(objective, rel=1e-6)
        assert solved.plan is not None
        assert plan is not None
        assert_same_plan(solved.plan, plan)


@pytest.mark.slow
def test_the_time_limit_applies_to_each_warm_solve_not_to_the_kept_highs_total() -> None:
    # HiGHS's clock runs on across run() calls of one Highs object; without resetting the limit,
    # warm solves stop at once (time limit, a non-optimal plan) once the total passes it
    raw = read_raw(ROOT / "inputs" / "default")
    # a limit each warm solve meets with a wide margin even on a loaded machine (~10 ms alone), which
    # the kept Highs's running total passes after some tens of solves
    limit = 0.1
    resolver = Resolver(config_for(validate(raw)).model_copy(update={"time_limit_s": limit, "time_resolution": "year"}))
    statuses, total = [], 0.0
    for i in range(400):
        far = {
            "set": {"budget": {"total_yi_yuan": 650 if i % 2 else 1100}},
            "tables": {"demand": [{"match": {}, "scale": {"demand_racks": 0.92 if i % 2 else 1.1}}]},
        }
        statuses.append(resolver.solve(patched(raw, far)).status)
        total = next(iter(resolver._entries.values())).highs.getRunTime()
        if total > 2.5 * limit and i >= 2:
            break
    assert total > 2.5 * limit, "the kept Highs never ran past two and a half time limits"
    assert set(statuses) == {Status.OPTIMAL}


def test_a_coefficient_through_zero_is_a_warm_update_and_rows_hold_no_zeros(tiny: TinyCase) -> None:
    # certificate_share: (1 - s) * certificates - s * renewable <= 0; s = 1 zeroes the certificates term
    tiny.set(policy={"certificate_share_max": 0.5, "green_share_min_new": 0.5})
    tiny.cluster(
        "west1",
        wind_mw=100,
        wind_cf=0.3,
        ppa_price_yuan_per_kwh=0.6,
        certificate_price_yuan_per_mwh=10,
        power_price_yuan_per_kwh=0.4,
    )
    raw = read_raw(tiny.write())
    resolver = Resolver(config_for(validate(raw)))
    objectives = []
    for share in (0.5, 1.0, 0.2):
        inputs = patched(raw, {"set": {"policy": {"certificate_share_max": share}}})
        solved = resolver.solve(inputs)
        objectives.append(solved.objective)
        assert solved.how == ("build" if share == 0.5 else "warm")
        assert solved.objective == pytest.approx(fresh(inputs)[1], rel=1e-6)
        entry = next(iter(resolver._entries.values()))
        # the kept Highs's row (changed in place by the warm updates) and the model's PuLP view of it
        model = entry.built.model
        _, columns, coefficients = entry.highs.getRowEntries(int(model.blocks["certificate_share"].start))
        assert all(c != 0 for c in coefficients)
        assert bool(np.isin(columns, entry.built.vars.certificates.to_numpy()).any()) == (share != 1.0)
        row = model.prob.get_constraint_by_name(model.labels("certificate_share")[0])
        names = {v.name: c for v, c in row.items()}
        assert all(c != 0 for c in names.values())
        assert any(n.startswith("certificates__") for n in names) == (share != 1.0)
    # certificates (0.41 yuan/kWh with grid power) undercut contracted wind (0.6): the looser the cap, the cheaper
    assert objectives[1] < objectives[0] < objectives[2]


def test_the_variables_come_from_the_data_indexes_only() -> None:
    # the Resolver keeps the variables of a structure without re-running add_variables (same structure_key, same
    # indexes); that holds only while no variable set depends on a parameter's values
    from dataclasses import fields, replace

    from planner.model import _lp
    from planner.model.variables import add_variables

    data = build_data(load_inputs(ROOT / "inputs" / "default", [ROOT / "examples" / "grid_limits.yaml"]))
    moved = {
        f.name: getattr(data, f.name) * 3.0 + 1.0
        for f in fields(data)
        if isinstance(getattr(data, f.name), pd.Series) and pd.api.types.is_float_dtype(getattr(data, f.name))
    }
    assert len(moved) > 30
    other = replace(data, **moved)
    assert structure_key(other) == structure_key(data)
    a, b = add_variables(_lp.new_model("a"), data), add_variables(_lp.new_model("b"), other)
    for f in fields(a):
        pd.testing.assert_series_equal(getattr(a, f.name), getattr(b, f.name), obj=f.name)
