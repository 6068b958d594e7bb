"""Cross-checks on real cases: HiGHS and CBC agree, solves repeat byte for byte, plans verify.

The cases are the default case and every scenario overlay in examples/ (files with a `base:` key
and only overlay keys; sweep files are left out). LPs must agree to 1e-6 relative; a modular
(mixed-integer) example is solved to a 1 % gap (not to its own, slower one), so both solvers stop
on the gap rather than on a clock, and must agree within that gap: each stops at its own incumbent.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from planner.inputs.overlay import OVERLAY_KEYS
from planner.inputs.read import load_inputs
from planner.pipeline import run_case
from planner.verify.check import verify_outputs
from tests.conftest import assert_feasible_plan

ROOT = Path(__file__).resolve().parents[1]
MIP_GAP = 0.01
"""Relative gap for modular (MIP) examples in these tests: both solvers reach it in seconds."""


CROSSCHECK_RESOLUTION = "days:2"
"""HiGHS against CBC on every example at 2 representative days, not the case's 12: whether two solvers
agree does not depend on the number of slices, and CBC takes minutes per example at 12 (the 12-day plans
are solved and verified in tests/test_examples.py)."""


def settings(case: Path, overlays: list[Path], resolution: str | None = None) -> dict[str, object]:
    """Overrides for a cross-check solve: no report; a 1 % gap for modular cases; optionally a resolution."""
    modular = load_inputs(case, overlays).scenario.build_module_racks is not None
    return {
        "report": False,
        **({"mip_gap": MIP_GAP} if modular else {}),
        **({"time_resolution": resolution} if resolution else {}),
    }


def example_cases() -> list[tuple[str, Path, list[Path]]]:
    """(id, case folder, overlays): the default case, then each examples/*.yaml overlay on its base."""
    cases = [("default", ROOT / "inputs" / "default", [])]
    for overlay in sorted((ROOT / "examples").glob("*.yaml")):
        data = yaml.safe_load(overlay.read_text(encoding="utf-8"))
        if isinstance(data, dict) and "base" in data and set(data) <= set(OVERLAY_KEYS):
            cases.append((overlay.stem, ROOT / str(data["base"]), [overlay]))
    return cases


CASES = example_cases()


def plan_files(folder: Path) -> dict[str, bytes]:
    """The plan's tables and plan.json (not the log, manifest timings or the LP file)."""
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.suffix == ".csv" or p.name == "plan.json"}


@pytest.mark.slow
@pytest.mark.parametrize(("name", "case", "overlays"), CASES, ids=[c[0] for c in CASES])
def test_highs_and_cbc_agree_and_both_plans_verify(name: str, case: Path, overlays: list[Path], tmp_path: Path) -> None:
    extra = settings(case, overlays, CROSSCHECK_RESOLUTION)
    highs = run_case(case, overlays, {"output_dir": tmp_path / "highs", "solver": "highs", **extra})
    cbc = run_case(case, overlays, {"output_dir": tmp_path / "cbc", "solver": "cbc", **extra})
    assert highs.status == cbc.status == "optimal"
    assert highs.plan["time_resolution"].startswith("2 representative days")
    a, b = highs.plan["objective_yi_yuan"], cbc.plan["objective_yi_yuan"]
    tolerance = MIP_GAP if highs.plan["mip"] else 1e-6
    assert abs(a - b) <= tolerance * max(abs(a), abs(b), 1.0), f"{name}: HiGHS {a} vs CBC {b}"
    for outcome in (highs, cbc):
        assert_feasible_plan(outcome)


REPEAT_CASES = [
    c for c in CASES if c[0] == "default" or load_inputs(c[1], c[2]).scenario.build_module_racks is not None
]
"""Repeatability is a property of the pipeline, not of an example: the default LP and any MIP example."""


@pytest.mark.slow
@pytest.mark.parametrize(("name", "case", "overlays"), REPEAT_CASES, ids=[c[0] for c in REPEAT_CASES])
def test_solving_twice_gives_identical_plan_files(name: str, case: Path, overlays: list[Path], tmp_path: Path) -> None:
    extra = settings(case, overlays)
    first = run_case(case, overlays, {"output_dir": tmp_path / "first", **extra})
    second = run_case(case, overlays, {"output_dir": tmp_path / "second", **extra})
    one, two = plan_files(first.out_dir), plan_files(second.out_dir)
    assert sorted(one) == sorted(two)
    assert {"plan.json", "racks.csv", "load.csv", "energy.csv", "duals.csv"} <= set(one)
    different = [n for n in one if one[n] != two[n]]
    assert different == [], f"{name}: files differ between two solves: {different}"


@pytest.mark.slow
def test_default_plan_objective_is_the_sum_of_its_cost_terms(tmp_path: Path) -> None:
    outcome = run_case(ROOT / "inputs" / "default", overrides={"output_dir": tmp_path / "out"})
    plan = json.loads((outcome.out_dir / "plan.json").read_text(encoding="utf-8"))
    terms = plan["cost_breakdown_yi_yuan"]
    assert set(terms) == {
        "capex",
        "fixed_opex",
        "electricity",
        "renewables",
        "certificates",
        "carbon",
        "network",
        "unmet_penalty",
        "storage",
    }
    assert plan["objective_yi_yuan"] == pytest.approx(sum(terms.values()), rel=1e-9, abs=1e-5)
    report = verify_outputs(outcome.out_dir)
    costs = next(c for c in report.checks if c.check == "cost_terms")
    assert costs.ok
    assert costs.max_violation < 1e-4  # each term recomputed from the tables, in 亿元
