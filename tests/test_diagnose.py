"""`planner diagnose` and the automatic diagnosis of infeasible solves: IIS and least relaxations by hand."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from planner.analysis.diagnose import Diagnosis, diagnose_inputs
from planner.cli import app
from planner.config import config_for
from planner.errors import InfeasibleError
from planner.inputs.read import load_inputs
from planner.pipeline import run_case
from tests import infeasible_cases as cases
from tests.conftest import TinyCase, approx

runner = CliRunner()


def diagnose(t: TinyCase) -> Diagnosis:
    inputs = load_inputs(t.write())
    return diagnose_inputs(inputs, config_for(inputs))


def option(d: Diagnosis, family: str) -> dict[str, float]:
    found = next(o for o in d.options if o.family == family)
    return {"/".join(r.key): r.amount for r in found.relaxations}


def test_infeasible_solve_writes_and_raises_its_diagnosis(tiny: TinyCase) -> None:
    folder = cases.joint_floors(tiny).write()
    out = folder.parent / f"{folder.name}_out"
    with pytest.raises(InfeasibleError) as caught:
        run_case(folder, overrides={"output_dir": out})
    error = caught.value
    assert error.exit_code == 3
    assert "utilisation_floor" in error.families
    assert "3,000 racks in use short" in str(error)
    assert str(out / "diagnosis.md") in str(error)
    assert {p.name for p in out.iterdir()} >= {"plan.json", "model.lp", "diagnosis.md", "diagnosis.json"}
    data = json.loads((out / "diagnosis.json").read_text(encoding="utf-8"))
    assert data["question"] == "infeasible"
    # the IIS: h1's 2026 demand caps the load that the two 65 % floors need at east1 and west1
    rows = {(r["family"], "/".join(r["key"])) for r in data["iis"]["rows"]}
    assert {
        ("demand_met", "batch/h1/2026"),
        ("utilisation_floor", "east1/2026"),
        ("utilisation_floor", "west1/2026"),
    } <= rows
    (least,) = data["options"]
    assert least["family"] == "utilisation_floor"
    assert least["total"] == approx(6000)  # 13,000 needed - 10,000 sent, in 2026 and 2027
    assert (out / "diagnosis.md").read_text(encoding="utf-8").startswith("# Diagnosis of case 'tiny': No feasible plan")


def test_cli_prints_the_diagnosis_and_exits_3(tiny: TinyCase) -> None:
    folder = cases.joint_floors(tiny).write()
    result = runner.invoke(app, ["solve", str(folder), "--out", str(folder.parent / f"{folder.name}_out")])
    assert result.exit_code == 3
    assert "Conflicting constraints (IIS from HiGHS" in result.output
    assert "## " not in result.output
    assert "**" not in result.output
    assert "Traceback" not in result.output


def test_budget_short_of_the_link_capacity_a_floor_forces(tiny: TinyCase) -> None:
    d = diagnose(cases.budget_vs_links(tiny))
    assert d.question == "infeasible"
    assert option(d, "budget") == {"2026": approx(0.30)}
    assert option(d, "links") == {"h1/west1/2026": approx(30)}
    assert option(d, "utilisation_floor") == {"west1/2026": approx(3000)}
    assert d.iis is not None
    assert set(d.iis.families()) >= {"budget_yearly", "link_bandwidth", "utilisation_floor"}
    assert "raise the 2026 budget by 0.30 亿元 to 0.80 亿元" in d.headline


def test_carbon_cap_below_the_floor_emissions(tiny: TinyCase) -> None:
    d = diagnose(cases.carbon_vs_floor(tiny))
    assert option(d, "utilisation_floor") == {
        "west1/2026": approx(4500),
        "west1/2027": approx(4500),
    }  # 17.52 GWh carry 2,000 racks
    assert option(d, "carbon_cap") == {"2026": approx(0.023652), "2027": approx(0.023652)}
    assert option(d, "renewable_availability") == {"west1/2026/year": approx(39.42), "west1/2027/year": approx(39.42)}
    assert any(f.check == "carbon_vs_floor" for f in d.presolve)


def test_budget_too_small_for_the_green_floors(tiny: TinyCase) -> None:
    d = diagnose(cases.green_budget(tiny))
    assert d.question == "unmet_demand"
    assert d.unmet_rack_years == approx(4000)
    assert option(d, "budget") == {"2026": approx(2.0)}
    # 6,666.7 racks at east1 (20k yuan) + 3,333.3 at west1 (50k) fit 3 亿元; 80 % of their 58.4 GWh is 46.72 GWh
    assert option(d, "green_share")["east1/2026"] == approx(46.72)
    assert d.headline.startswith(
        "The 2026 budget (3.00 亿元) is 2.00 亿元 short of what the 80% green-power floor at 东集群 (east1)"
    )


def test_green_floor_above_the_renewable_potential(tiny: TinyCase) -> None:
    d = diagnose(cases.green_potential(tiny))
    assert d.question == "unmet_demand"
    assert d.unmet_rack_years == approx(7500)
    for family in ("green_share", "renewable_availability", "certificate_share"):
        assert sum(option(d, family).values()) == approx(2 * 26.28)
    assert "green-power floor" in d.headline


def test_feasible_case_needs_no_diagnosis(tiny: TinyCase) -> None:
    d = diagnose(tiny)
    assert d.question == "none"
    assert d.headline == "nothing to explain: the case has a plan that serves all demand"


def test_cli_diagnose_writes_files(tiny: TinyCase) -> None:
    folder = cases.green_budget(tiny).write()
    out = folder.parent / "diag"
    result = runner.invoke(app, ["diagnose", str(folder), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "Demand left unmet (4,000 rack-years)" in result.output
    assert json.loads((out / "diagnosis.json").read_text(encoding="utf-8"))["question"] == "unmet_demand"
    infeasible = cases.budget_vs_links(TinyCase(folder.parent / "other")).write()
    result = runner.invoke(app, ["diagnose", str(infeasible), "--out", str(out)])
    assert result.exit_code == 3
    assert "No feasible plan" in (out / "diagnosis.md").read_text(encoding="utf-8")


def test_latency_class_no_cluster_can_serve_is_an_input_error(tiny: TinyCase) -> None:
    folder = cases.latency_unreachable(tiny).write()
    result = runner.invoke(app, ["diagnose", str(folder), "--out", str(folder.parent / f"{folder.name}_out")])
    assert result.exit_code == 2
    assert (
        "links.csv: workload 'batch' at hub 'h1' needs RTT <= 0.5 ms but no linked cluster is that close (nearest: "
        "east1 at 1 ms)"
        in result.output
    )
    assert not (folder.parent / f"{folder.name}_out").exists()


def test_diagnosis_sizes_are_in_report_units(tiny: TinyCase) -> None:
    d = diagnose(cases.budget_vs_links(tiny))
    units = {o.family: o.relaxations[0].unit for o in d.options}
    assert units == {"budget": "亿元", "links": "Gbps", "utilisation_floor": "racks"}
