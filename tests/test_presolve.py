"""Pre-solve checks: each impossible case is caught with hand-worked numbers, and really is infeasible."""

from __future__ import annotations

from pathlib import Path

import pytest

from planner.analysis.diagnose import diagnose_inputs
from planner.analysis.presolve import check_case
from planner.config import config_for
from planner.errors import InfeasibleError
from planner.inputs.read import load_inputs
from planner.pipeline import run_case
from tests import infeasible_cases as cases
from tests.conftest import TinyCase


def findings(t: TinyCase) -> list:
    return check_case(load_inputs(t.write()))


def errors(t: TinyCase) -> list[str]:
    return [f.message for f in findings(t) if f.severity == "error"]


def assert_truly_infeasible(t: TinyCase) -> None:
    """Second method: solve without the pre-solve checks; the solver must agree."""
    inputs = load_inputs(t.write())
    assert diagnose_inputs(inputs, config_for(inputs)).question == "infeasible"


def test_default_case_has_no_findings() -> None:
    assert check_case(load_inputs(Path(__file__).resolve().parents[1] / "inputs" / "default")) == []


def test_tiny_case_has_no_findings(tiny: TinyCase) -> None:
    assert findings(tiny) == []


def test_existing_racks_above_the_grid_connection(tiny: TinyCase) -> None:
    # 10,000 racks x 1 kW x PUE 1.2 = 12 MW > 10 MW
    tiny.cluster("west1", racks_existing=10000, pue=1.2, power_max_mw=10)
    (message,) = errors(tiny)
    assert message.startswith(
        "西集群 (west1): its 10,000 existing racks draw 12.0 MW at rated load (PUE 1.2), above its 10.0 MW grid "
        "connection"
    )
    assert_truly_infeasible(tiny)


def test_floor_above_the_most_racks_in_use(tiny: TinyCase) -> None:
    tiny.set(rack={"utilisation_max": 0.9}).cluster("west1", racks_existing=1000, utilisation_min=0.95)
    (message,) = errors(tiny)
    assert (
        "utilisation floor (95% of racks in use) is above the most that may be in use (rack.utilisation_max 90%)"
        in message
    )
    assert_truly_infeasible(tiny)


def test_floor_larger_than_the_demand_in_reach(tiny: TinyCase) -> None:
    # 65 % of 20,000 = 13,000 racks in use; h1 demands 10,000
    tiny.cluster("west1", racks_existing=20000, utilisation_min=0.65)
    (message,) = errors(tiny)
    assert (
        "needs 13,000 of its 20,000 existing racks in use, but in 2026, 2027 the hubs within its latency reach"
        in message
    )
    assert "(东一 (h1)) can send it at most 10,000 racks" in message
    assert_truly_infeasible(tiny)


def test_floors_together_larger_than_the_demand(tiny: TinyCase) -> None:
    tiny.cluster("east1", racks_existing=10000, utilisation_min=0.65).cluster(
        "west1", racks_existing=10000, utilisation_min=0.65
    )
    (message,) = errors(tiny)
    assert "the utilisation floors together need 13,000 existing racks in use" in message
    assert "all the demand that can reach those clusters in 2026 is 10,000 racks" in message


def test_link_capacity_the_floor_forces_costs_more_than_the_budget(tiny: TinyCase) -> None:
    (message,) = errors(cases.budget_vs_links(tiny))
    assert message.startswith(
        "the 2026 budget (0.50 亿元) is at least 0.30 亿元 short of the link capacity the utilisation floors force in "
        "2026"
    )
    assert "at least 80 Gbps on the links to 西集群 (west1) must be added, costing at least 0.80 亿元" in message
    assert_truly_infeasible(tiny)


def test_carbon_cap_below_what_the_floor_emits(tiny: TinyCase) -> None:
    (message,) = errors(cases.carbon_vs_floor(tiny))
    assert message.startswith(
        "the 2026 and 2027 carbon caps (0.000 Mt CO2 a year) are below the 0.024 Mt a year that the utilisation floors "
        "alone emit"
    )
    assert "6,500 existing racks in use at 西集群 (west1) (56.9 GWh a year)" in message
    assert "covers only 17.5 GWh" in message
    assert_truly_infeasible(tiny)


def test_joint_floors_pass_presolve_but_not_the_solver(tiny: TinyCase) -> None:
    # the bounds are sound, not complete: this conflict needs the solver
    assert errors(cases.joint_floors(tiny)) == []
    assert_truly_infeasible(tiny)


def test_demand_beyond_green_potential_is_a_warning(tiny: TinyCase) -> None:
    # 6,250 racks carry the green floor at west1; 3,750 racks a year go unmet
    (finding,) = findings(cases.green_potential(tiny))
    assert finding.severity == "warning"
    assert "at least 3,750 racks will be unmet in 2026" in finding.message
    outcome = tiny.solve()
    assert outcome.plan["unmet_rack_years"] == pytest.approx(7500)
    assert outcome.plan["presolve_warnings"] == [finding.message]


def test_run_stops_before_solving_and_leaves_only_a_diagnosis(tiny: TinyCase, tmp_path: Path) -> None:
    cases.carbon_vs_floor(tiny)
    out = tmp_path / "plan"
    with pytest.raises(InfeasibleError) as caught:
        run_case(tiny.write(), overrides={"output_dir": out})
    assert caught.value.exit_code == 3
    assert "found before solving" in str(caught.value)
    assert caught.value.families == ("carbon_cap", "utilisation_floor", "renewable_availability")
    assert sorted(p.name for p in out.iterdir()) == [
        ".planner-folder",
        "diagnosis.json",
        "diagnosis.md",
        "plan.json",
        "status.json",
    ]
    assert '"status": "infeasible"' in (out / "status.json").read_text(encoding="utf-8")
    assert list(tmp_path.glob(".plan*")) == []
