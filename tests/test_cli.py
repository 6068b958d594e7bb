"""The command line as a user meets it: exit codes, messages, what is written and what is not."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from planner.cli import app
from tests import infeasible_cases
from tests.conftest import TinyCase

runner = CliRunner()


def test_help_lists_the_commands_with_examples() -> None:
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    assert "validate" in result.output
    assert "solve" in result.output
    assert "planner solve inputs/default" in result.output


def test_validate_a_good_case(tiny: TinyCase) -> None:
    result = runner.invoke(app, ["validate", str(tiny.write())])
    assert result.exit_code == 0, result.output
    assert "ok case 'tiny': 2 hubs, 2 clusters" in result.output


def test_bad_input_exits_2_with_located_messages_and_writes_nothing(tiny: TinyCase) -> None:
    tiny.cluster("west1", capex_yuan_per_rack="lots")
    folder = tiny.write()
    out = folder.parent / f"{folder.name}_out"
    result = runner.invoke(app, ["solve", str(folder), "--out", str(out)])
    assert result.exit_code == 2
    assert "clusters.csv:3: capex_yuan_per_rack: 'lots' - Input should be a valid number" in result.output
    assert "Traceback" not in result.output
    assert not out.exists()
    assert not any(p.name.startswith(".out") for p in folder.iterdir())


def test_solve_writes_the_plan(tiny: TinyCase) -> None:
    folder = tiny.write()
    out = folder.parent / f"{folder.name}_out"
    result = runner.invoke(app, ["solve", str(folder), "--out", str(out)])
    assert result.exit_code == 0, result.output
    plan = json.loads((out / "plan.json").read_text(encoding="utf-8"))
    assert plan["status"] == "optimal"
    assert plan["objective_yi_yuan"] == pytest.approx(10.0, rel=1e-9)  # 10,000 racks x 50,000 yuan x 2 years
    for name in ("racks_new.csv", "load.csv", "duals.csv", "manifest.json", "inputs.json", "solver.log"):
        assert (out / name).exists(), name
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert len(manifest["inputs_sha256"]) == 64
    assert set(manifest["timings_s"]) == {
        "read_s",
        "validate_s",
        "presolve_s",
        "profiles_s",
        "build_s",
        "handoff_s",
        "solve_s",
        "extract_write_s",
    }
    assert manifest["model_size"]["rows"] > 0
    assert manifest["versions"]["pulp"].startswith("4.")


def test_an_existing_output_folder_is_kept_without_force(tiny: TinyCase) -> None:
    folder = tiny.write()
    out = folder.parent / f"{folder.name}_out"
    assert runner.invoke(app, ["solve", str(folder), "--out", str(out)]).exit_code == 0
    stamp = (out / "plan.json").stat().st_mtime_ns
    result = runner.invoke(app, ["solve", str(folder), "--out", str(out)])
    assert result.exit_code == 2
    assert "already exists; pass --force" in result.output
    assert (out / "plan.json").stat().st_mtime_ns == stamp
    assert runner.invoke(app, ["solve", str(folder), "--out", str(out), "--force"]).exit_code == 0


def test_infeasible_plan_exits_3(tiny: TinyCase) -> None:
    # 20,000 existing racks at east1 with a 65 % floor need 13,000 in use; demand is only 10,000:
    # the pre-solve checks see it: the folder holds the diagnosis and an infeasible status, no plan.
    tiny.cluster("east1", racks_existing=20000, utilisation_min=0.65)
    folder = tiny.write()
    result = runner.invoke(app, ["solve", str(folder), "--out", str(folder.parent / f"{folder.name}_out")])
    assert result.exit_code == 3, result.output
    assert "has no feasible plan (found before solving)" in result.output
    out = folder.parent / f"{folder.name}_out"
    assert json.loads((out / "status.json").read_text(encoding="utf-8"))["status"] == "infeasible"
    assert (out / "diagnosis.md").is_file()
    assert (out / "diagnosis.json").is_file()
    assert not (out / "racks.csv").exists()


def test_infeasible_solve_exits_3_with_plan_json_model_and_diagnosis(tiny: TinyCase) -> None:
    # two floors that only the solver sees conflict (tests/infeasible_cases.py): the folder says why
    folder = infeasible_cases.joint_floors(tiny).write()
    result = runner.invoke(app, ["solve", str(folder), "--out", str(folder.parent / f"{folder.name}_out")])
    assert result.exit_code == 3, result.output
    assert "no plan satisfies every constraint" in result.output
    plan = json.loads((folder.parent / f"{folder.name}_out" / "plan.json").read_text(encoding="utf-8"))
    assert plan["status"] == "infeasible"
    assert (folder.parent / f"{folder.name}_out" / "model.lp").exists()
    assert (folder.parent / f"{folder.name}_out" / "diagnosis.md").exists()


def test_cbc_gives_the_same_plan(tiny: TinyCase) -> None:
    folder = tiny.write()
    result = runner.invoke(app, ["solve", str(folder), "--out", str(folder.parent / "cbc"), "--solver", "cbc"])
    assert result.exit_code == 0, result.output
    plan = json.loads((folder.parent / "cbc" / "plan.json").read_text(encoding="utf-8"))
    assert plan["objective_yi_yuan"] == pytest.approx(10.0, rel=1e-9)  # 10,000 racks x 50,000 yuan x 2 years
    assert json.loads((folder.parent / "cbc" / "manifest.json").read_text())["solver"]["name"] == "cbc"


def test_usage_error_exits_2(tmp_path: Path) -> None:
    result = runner.invoke(app, ["solve"])
    assert result.exit_code == 2
    result = runner.invoke(app, ["validate", str(tmp_path / "nowhere")])
    assert result.exit_code == 2
    assert "case folder not found" in result.output
