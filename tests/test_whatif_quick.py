"""Live what-ifs (`Resolver.solve(..., full=False)`): the headline KPIs and binding families from the solution arrays.

1. On one solution, `results.quick` gives exactly what `plan_summary` and the duals frame give (a second method).
2. A kept model re-parameterised for each kind of tunable setting gives the cold solve's objective (1e-9
   relative) and the same headline KPIs, and the same binding families as the full path after the same
   warm history (a cold solve may end on another dual solution: the same plan, other rows "binding").
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from planner.config import config_for
from planner.inputs.overlay import apply_patch
from planner.inputs.read import RawCase, read_raw, validate
from planner.model import build_model
from planner.model.data import build_data
from planner.results.extract import extract
from planner.results.kpis import plan_summary
from planner.results.quick import Headline, binding
from planner.scenarios.resolve import Resolver
from planner.solver.solve import solve
from planner.web.tune import HEADLINE, binds, rank_binding

ROOT = Path(__file__).resolve().parent.parent
KEYS = [key for key, *_ in HEADLINE]


@pytest.fixture(scope="module")
def raw() -> RawCase:
    return read_raw(ROOT / "inputs" / "default")


@pytest.mark.parametrize("overlay", [None, "grid_limits.yaml", "outside_hubs.yaml", "ai_boom.yaml"])
def test_quick_headline_equals_plan_summary_on_the_same_solution(overlay: str | None) -> None:
    inputs = validate(read_raw(ROOT / "inputs" / "default"))
    if overlay is not None:
        from planner.inputs.read import load_inputs

        inputs = load_inputs(ROOT / "inputs" / "default", [ROOT / "examples" / overlay])
    data = build_data(inputs)
    built = build_model(data)
    result = solve(built.model, config_for(inputs))
    assert built.model.solution is not None
    results = extract(built, result)
    summary = plan_summary(results, data)
    quick = Headline(built).kpis(built.model.solution.col_value, result.objective)
    assert quick == {key: summary[key] for key in KEYS}
    assert rank_binding(binding(built.model), most=100) == binds(results.duals, most=100)


WHATIFS: list[tuple[str, dict[str, Any]]] = [
    ("budget total", {"set": {"budget": {"total_yi_yuan": 5000.0}}}),
    ("budget total cut", {"set": {"budget": {"total_yi_yuan": 900.0}}}),
    ("yearly budget", {"set": {"budget": {"total_yi_yuan": 900.0, "yearly_yi_yuan": 250.0}}}),
    ("green floor", {"set": {"policy": {"green_share_min_new": 0.95}}}),
    ("certificate cap", {"set": {"policy": {"certificate_share_max": 0.3}}}),
    ("carbon price", {"set": {"policy": {"carbon_price_yuan_per_t": 260.0}}}),
    ("utilisation floor", {"set": {"policy": {"utilisation_min": 0.75}}}),
    ("west share", {"set": {"policy": {"west_share_min_new_racks": 0.85}}}),
    (
        "one cluster's capex",
        {"tables": {"clusters": [{"match": {"cluster_id": "qingyang"}, "set": {"capex_yuan_per_rack": 90000}}]}},
    ),
    ("back to the case", {}),
]


def test_whatifs_on_a_kept_model_equal_cold_solves(raw: RawCase) -> None:
    resolver, full = Resolver(config_for(validate(raw))), Resolver(config_for(validate(raw)))
    hows = []
    for name, patch in WHATIFS:
        inputs = validate(apply_patch(raw, patch, "test"))
        quick = resolver.solve(inputs, full=False)
        warm = full.solve(inputs)
        cold = Resolver(config_for(inputs), mode="rebuild").solve(inputs)
        assert quick.objective is not None, name
        assert cold.objective is not None, name
        assert abs(quick.objective - cold.objective) <= 1e-9 * abs(cold.objective), name
        assert quick.plan is not None
        assert cold.plan is not None
        assert {k: quick.plan[k] for k in KEYS} == {k: cold.plan[k] for k in KEYS}, name
        assert quick.results is None
        assert quick.binding is not None
        assert warm.results is not None
        assert warm.plan is not None
        assert warm.how == quick.how
        assert rank_binding(quick.binding) == binds(warm.results.duals), name
        assert {k: quick.plan[k] for k in KEYS} == {k: warm.plan[k] for k in KEYS}, name
        hows.append(quick.how)
    # each what-if patches the case itself: a budget, certificate cap or west share appearing (or going away)
    # adds (removes) rows, a build of that structure; a number changed in a structure kept is a warm re-solve
    assert hows == ["build", "warm", "build", "build", "build", "warm", "warm", "build", "warm", "warm"]
