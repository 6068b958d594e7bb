"""`planner verify`: a solved plan passes; a corrupted table or plan.json fails with the right size."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from planner.cli import app
from planner.errors import PlanFolderError
from planner.verify.check import VerifyReport, verify_outputs
from tests.conftest import TinyCase, approx, set_rows

runner = CliRunner()


def edit_csv(path: Path, match: dict[str, object], column: str, value: float) -> None:
    frame = pd.read_csv(path, dtype={"cluster": str, "hub": str, "workload": str, "slice": str})
    mask = pd.Series(True, index=frame.index)
    for key, wanted in match.items():
        mask &= frame[key] == wanted
    assert mask.sum() == 1, f"{match} matches {mask.sum()} rows"
    frame.loc[mask, column] = value
    frame.to_csv(path, index=False, float_format="%.6f", lineterminator="\n")


def sizes(report: VerifyReport, check: str) -> dict[str, float]:
    return {v.key: v.size for v in report.violations if v.check == check}


@pytest.fixture
def solved(tiny: TinyCase) -> Path:
    # 10,000 racks at west1 in 2026 serve h1 in both years (see test_capacity_families).
    return tiny.solve().out_dir


def test_solved_plan_passes_with_tiny_residuals(solved: Path) -> None:
    report = verify_outputs(solved)
    assert report.ok
    assert report.largest().max_violation < 1e-5
    checked = {c.check for c in report.checks}
    assert {
        "demand_met",
        "rack_stock",
        "capacity",
        "power_balance",
        "green_share",
        "link_bandwidth",
        "budget_yearly",
    } - checked == {"budget_yearly"}
    assert {"objective_sum", "cost_terms", "kpis (racks)"} <= checked


def test_extra_racks_break_the_stock_by_their_number(solved: Path) -> None:
    # 500 racks too many built at west1 in 2026: the stock is 500 short in 2026 and 2027, and
    # capex is off by 500 x 50,000 yuan x 2 annuities = 0.5 亿元.
    edit_csv(solved / "racks_new.csv", {"cluster": "west1", "year": 2026}, "new_racks", 10500)
    report = verify_outputs(solved)
    assert not report.ok
    assert sizes(report, "rack_stock") == {"west1/2026": approx(500), "west1/2027": approx(500)}
    assert sizes(report, "cost_terms") == {"capex": approx(0.5)}
    assert sizes(report, "kpis (racks)") == {"new_racks_total": approx(500), "new_racks_west": approx(500)}


def test_too_much_load_breaks_demand_capacity_and_energy(solved: Path) -> None:
    # 1,000 racks more in use at west1 in 2026 than h1 demands (10,000): demand off by 1,000 racks,
    # capacity (10,000 racks at u_max 1.0) by 1,000 racks, and the 1 kW racks' energy by 8.76 GWh.
    edit_csv(solved / "load.csv", {"hub": "h1", "cluster": "west1", "year": 2026}, "load_racks", 11000)
    report = verify_outputs(solved)
    assert sizes(report, "demand_met") == {"batch/h1/2026": approx(1000)}
    assert sizes(report, "capacity") == {"west1/2026": approx(1000)}
    assert sizes(report, "power_balance") == {"west1/2026/year": approx(8.76)}


def test_load_over_a_too_slow_link_breaks_latency(tiny: TinyCase) -> None:
    set_rows(tiny.tables["workloads"], {"workload_id": "batch"}, latency_max_rtt_ms=5)
    out = tiny.solve().out_dir
    frame = pd.read_csv(out / "load.csv")
    frame = pd.concat(
        [
            frame,
            pd.DataFrame([{"workload": "batch", "hub": "h1", "cluster": "west1", "year": 2027, "load_racks": 300.0}]),
        ]
    )
    frame.to_csv(out / "load.csv", index=False)
    report = verify_outputs(out)
    assert sizes(report, "latency") == {"batch/h1/west1/2027": approx(300)}
    assert "RTT 20 ms, limit 5 ms" in next(v.detail for v in report.violations if v.check == "latency")


def test_renewables_above_potential_and_green_floor(tiny: TinyCase) -> None:
    # west1: 1 MW of wind at cf 0.5 = 4.38 GWh a year; the 50 % green floor on 10,000 new racks
    # (87.6 GWh) is met by certificates (cost 0).
    tiny.cluster("west1", wind_mw=1, wind_cf=0.5, green_share_min_new=0.5)
    out = tiny.solve().out_dir
    edit_csv(out / "energy.csv", {"cluster": "west1", "year": 2027}, "renewable_gwh", 10.0)
    edit_csv(out / "certificates.csv", {"cluster": "west1", "year": 2026}, "certificates_gwh", 0.0)
    report = verify_outputs(out)
    assert sizes(report, "renewable_availability") == {"west1/2027/year": approx(10.0 - 4.38)}
    # 2026: green = renewables only, need 0.5 x 87.6 = 43.8 GWh
    green_2026 = pd.read_csv(out / "energy.csv").query("cluster == 'west1' and year == 2026")["renewable_gwh"].sum()
    assert sizes(report, "green_share") == {"west1/2026": approx(43.8 - green_2026)}


def test_objective_that_is_not_the_sum_of_its_terms(solved: Path) -> None:
    plan = json.loads((solved / "plan.json").read_text(encoding="utf-8"))
    plan["objective_yi_yuan"] += 0.25
    (solved / "plan.json").write_text(json.dumps(plan), encoding="utf-8")
    report = verify_outputs(solved)
    assert sizes(report, "objective_sum") == {"objective": approx(0.25)}


def test_budget_and_modules(tiny: TinyCase) -> None:
    # modules of 4,000 racks (3 modules = 12 亿元 of builds) under a 6 亿元 yearly budget: 2026
    # builds 12,000 x 50,000 = 6 亿元; a forged fourth module overspends by 2 亿元.
    out = tiny.set(build_module_racks=4000, budget={"yearly_yi_yuan": 6}).solve().out_dir
    edit_csv(out / "modules.csv", {"cluster": "west1", "year": 2026}, "modules", 3.5)
    assert sizes(verify_outputs(out), "modules_whole") == {"west1/2026": approx(0.5)}
    edit_csv(out / "modules.csv", {"cluster": "west1", "year": 2026}, "modules", 4)
    edit_csv(out / "racks_new.csv", {"cluster": "west1", "year": 2026}, "new_racks", 16000)
    report = verify_outputs(out)
    assert sizes(report, "budget_yearly") == {"2026": approx(2.0)}


def test_missing_and_malformed_tables_name_the_file(solved: Path) -> None:
    (solved / "energy.csv").unlink()
    (solved / "racks.csv").write_text("cluster,year,racks\nwest1,2026,lots\n", encoding="utf-8")
    with pytest.raises(PlanFolderError) as caught:
        verify_outputs(solved)
    text = str(caught.value)
    assert f"{solved / 'energy.csv'}: plan table missing" in text
    assert f"{solved / 'racks.csv'}:2: racks: 'lots' - not a number" in text


def test_cli_exit_codes(solved: Path) -> None:
    ok = runner.invoke(app, ["verify", str(solved)])
    assert ok.exit_code == 0, ok.output
    assert "all constraints hold" in ok.output
    edit_csv(solved / "racks.csv", {"cluster": "east1", "year": 2027}, "racks", 250)
    bad = runner.invoke(app, ["verify", str(solved)])
    assert bad.exit_code == 1
    assert "VIOLATED rack_stock [east1/2027]: off by 250 racks" in bad.output
    missing = runner.invoke(app, ["verify", str(solved / "nowhere")])
    assert missing.exit_code == 2
    assert "plan.json: file not found" in missing.output


def test_cli_checks_against_a_case_folder(tiny: TinyCase) -> None:
    # the plan is checked against the case given: a tighter land limit there is broken by 10,000 - 8,000
    out = tiny.solve().out_dir
    tiny.cluster("west1", racks_max=8000)
    folder = tiny.write()
    result = runner.invoke(app, ["verify", str(out), "--case", str(folder)])
    assert result.exit_code == 1
    assert "VIOLATED land_limit [west1/2026]: off by 2,000 racks" in result.output


def test_infeasible_plan_has_nothing_to_verify(tmp_path: Path) -> None:
    (tmp_path / "plan.json").write_text('{"status": "infeasible"}', encoding="utf-8")
    result = runner.invoke(app, ["verify", str(tmp_path)])
    assert result.exit_code == 1
    assert "has status 'infeasible': there is no plan to verify" in result.output


def test_time_slices_are_checked_one_by_one(tiny: TinyCase) -> None:
    # two 4,380 h slices; 10 MW of solar at west1 shines only by day (cf 0.5): 21.9 GWh a year, all by day.
    # 10,000 racks of 1 kW use 43.8 GWh in each slice; the 50 % green floor (43.8 GWh) takes all the sun
    # plus 21.9 GWh of certificates (dearer than the free contracted power).
    tiny.cluster("west1", solar_mw=10, green_share_min_new=0.5, certificate_price_yuan_per_mwh=100)
    tiny.tables["profiles"] = [
        {"cluster_id": c, "slice_id": s, "weight_hours": 4380, "wind_cf": 0.0, "solar_cf": cf, "hydro_cf": 0.0}
        for c in ("east1", "west1") for s, cf in (("day", 0.5), ("night", 0.0))
    ]
    out = tiny.solve().out_dir
    energy = pd.read_csv(out / "energy.csv").set_index(["cluster", "year", "slice"])
    assert energy.loc[("west1", 2026, "day"), "renewable_gwh"] == approx(21.9)
    assert energy.loc[("west1", 2026, "night"), "grid_gwh"] == approx(43.8)
    edit_csv(out / "energy.csv", {"cluster": "west1", "year": 2026, "slice": "night"}, "renewable_gwh", 1.0)
    report = verify_outputs(out)
    assert sizes(report, "renewable_availability") == {"west1/2026/night": approx(1.0)}
    assert sizes(report, "power_balance") == {"west1/2026/night": approx(1.0)}


def test_verifier_is_independent_of_the_model_builder() -> None:
    # the second method must not share code with the first: no planner.model, planner.model.data or pulp
    import ast

    root = Path(__file__).resolve().parents[1] / "planner"
    paths = [*root.glob("verify/*.py"), root / "results" / "plan_folder.py", root / "results" / "plan_checks.py"]
    # the move to subpackages once left this list empty
    assert len(paths) >= 7, paths
    assert all(p.exists() for p in paths), paths
    for path in paths:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        imported = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module}
        imported |= {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
        assert not {
            m
            for m in imported
            if m.startswith(
                (
                    "planner.model",
                    "planner.model.data",
                    "planner.results.extract",
                    "planner.results.kpis",
                    "planner.solver",
                    "pulp",
                )
            )
        }, path
