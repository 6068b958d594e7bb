"""Sweeps: the file format and its located errors, scenario expansion, and runs on Dask clusters.

The cluster runs use a 20-scenario grid on the tiny case with an overlay that gives east1 8,000
existing racks and a 65 % utilisation floor. Demand D = 10,000 x scale racks in both years; the
existing racks are free, the other D - 8,000 are built in 2026 at the cheaper of west1 (its capex
is the first parameter) and east1 (100,000 yuan), paid in both years:
objective = (D - 8,000) x min(capex_west1, 100,000) x 2 / 1e8 亿元. Scale 0.5 leaves 5,000 racks of
demand for 8,000 racks that must run at 65 % (5,200): infeasible. (A capex of -5 would be refused
before any solve: tests/hostile/test_hostile_sweeps.py.)
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from typer.testing import CliRunner

from planner.cli import app
from planner.errors import InputError
from planner.inputs.overlay import apply_patch
from planner.inputs.read import validate
from planner.model import build_model
from planner.model.data import build_data
from planner.pipeline import config_for
from planner.results.extract import extract
from planner.results.kpis import plan_summary
from planner.scenarios.spec import SCALAR_KPIS, load_sweep
from planner.scenarios.sweep import kpi, run_sweep
from planner.solver.solve import Status, solve
from tests.conftest import TinyCase

runner = CliRunner()
CAPEX = [30000, 60000, 90000, 150000]
SCALES = [0.5, 1.0, 1.5, 2.6]
COLLECT = [
    "objective_yi_yuan",
    "new_racks_total",
    "new_racks_west",
    "unmet_rack_years",
    "investment_total_yi_yuan",
    "cost_breakdown_yi_yuan.capex",
    "new_racks_by_cluster.east1",
]


def write_sweep(folder: Path, text: str, name: str = "sweep.yaml") -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def grid(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("sweep")
    case = TinyCase(root).write()
    (root / "east_floor.yaml").write_text(
        "tables:\n  clusters:\n    - match: {cluster_id: east1}\n      set: {racks_existing: 8000, utilisation_min: "
        "0.65}\n",
        encoding="utf-8",
    )
    return write_sweep(root, f"""\
# Question: west1 capex against demand on the tiny case.
name: tiny_grid
base: {case}
overlays: [east_floor.yaml]
parameters:
  west_capex:
    set: clusters.capex_yuan_per_rack
    match: {{cluster_id: west1}}
    values: {CAPEX}
  demand_scale:
    scale: demand.demand_racks
    values: {SCALES}
collect: {json.dumps(COLLECT)}
""")


def expected_objective(capex: float, scale: float) -> float:
    return (10000 * scale - 8000) * min(capex, 100000) * 2 / 1e8


@pytest.fixture(scope="module")
def serial(grid: Path) -> dict[str, tuple[str, dict[str, Any] | None]]:
    """The plain path, one scenario after the other: status and plan numbers by scenario id."""
    sweep = load_sweep(grid)
    out: dict[str, tuple[str, dict[str, Any] | None]] = {}
    for task in sweep.tasks:
        try:
            inputs = validate(apply_patch(sweep.raw, task.patch, task.file))
        except InputError:
            out[task.id] = ("invalid", None)
            continue
        data = build_data(inputs)
        built = build_model(data)
        result = solve(built.model, config_for(inputs))
        plan = plan_summary(extract(built, result), data) if result.status == Status.OPTIMAL else None
        out[task.id] = (str(result.status), plan)
    return out


def check_against_serial(table: pd.DataFrame, serial: dict[str, tuple[str, dict[str, Any] | None]]) -> None:
    assert len(table) == len(CAPEX) * len(SCALES) == 16
    for row in table.itertuples(index=False):
        status, plan = serial[row.scenario_id]
        assert row.status == status, row
        if plan is None:
            assert pd.isna(row.objective_yi_yuan)
            continue
        for key in COLLECT:
            assert table.loc[table["scenario_id"] == row.scenario_id, key].item() == pytest.approx(
                kpi(plan, key), rel=1e-6, abs=1e-6
            ), key
    counts = table["status"].value_counts().to_dict()
    assert counts == {"optimal": 12, "infeasible": 4}
    solved = table[table["status"] == "optimal"]
    for row in solved.itertuples(index=False):
        assert row.objective_yi_yuan == pytest.approx(expected_objective(row.west_capex, row.demand_scale), rel=1e-6)


# --------------------------------------------------------------------------- the file and its expansion


def test_grid_expands_to_every_combination_with_stable_ids(grid: Path) -> None:
    sweep = load_sweep(grid)
    assert [t.params for t in sweep.tasks[:2]] == [
        {"west_capex": 30000, "demand_scale": 0.5},
        {"west_capex": 30000, "demand_scale": 1.0},
    ]
    assert len({t.id for t in sweep.tasks}) == 16
    assert [t.id for t in load_sweep(grid).tasks] == [t.id for t in sweep.tasks]
    assert sweep.tasks[1].patch == {
        "set": {},
        "tables": {
            "clusters": [{"match": {"cluster_id": "west1"}, "set": {"capex_yuan_per_rack": 30000}}],
            "demand": [{"match": {}, "scale": {"demand_racks": 1.0}}],
        },
    }


def test_random_samples_follow_the_seed(tiny: TinyCase, tmp_path: Path) -> None:
    case = tiny.write()
    text = f"""\
name: draws
base: {case}
samples: 50
seed: 7
parameters:
  carbon:
    set: policy.carbon_price_yuan_per_t
    distribution: triangular
    low: 50
    mode: 100
    high: 300
  budget:
    scale: unmet_penalty_yuan_per_rack_year
    distribution: uniform
    low: 0.5
    high: 1.5
  demand:
    scale: demand.demand_racks
    distribution: lognormal
    mean: 0
    sigma: 0.1
  pick:
    set: rack.utilisation_max
    values: [0.8, 0.9]
"""
    a, b = load_sweep(write_sweep(tmp_path, text)), load_sweep(write_sweep(tmp_path, text, "again.yaml"))
    assert len(a.tasks) == 50
    assert [t.params for t in a.tasks] == [t.params for t in b.tasks]
    carbon = [t.params["carbon"] for t in a.tasks]
    assert all(50 <= c <= 300 for c in carbon)
    assert {t.params["pick"] for t in a.tasks} == {0.8, 0.9}
    assert a.tasks[0].patch["set"]["unmet_penalty_yuan_per_rack_year"] == pytest.approx(
        200000 * a.tasks[0].params["budget"]
    )
    other = load_sweep(write_sweep(tmp_path, text.replace("seed: 7", "seed: 8"), "other.yaml"))
    assert [t.params["carbon"] for t in other.tasks] != carbon


def test_errors_in_a_sweep_file_name_the_file_and_line(tiny: TinyCase, tmp_path: Path) -> None:
    case = tiny.write()
    path = write_sweep(tmp_path, f"""\
name: bad
base: {case}
parameters:
  a:
    set: policy.carbon_prize
    values: [1]
  b:
    scale: clusters.capex
    values: [1]
  c:
    set: clusters.pue
    match: {{cluster_id: nowhere}}
    values: [1.1]
  d:
    scale: demand.demand_racks
    distribution: uniform
collect: [objective_yi_yuan, new_racks_by_hub, greenness]
""")
    with pytest.raises(InputError) as caught:
        load_sweep(path)
    found = [str(p) for p in caught.value.problems]
    assert found == [f"{path}:14: parameters.d: a uniform distribution needs low, high"]
    fixed = path.read_text(encoding="utf-8").replace("distribution: uniform", "values: [1.2]")
    with pytest.raises(InputError) as caught:
        load_sweep(write_sweep(tmp_path, fixed, "fixed.yaml"))
    found = [str(p) for p in caught.value.problems]
    fixed_path = tmp_path / "fixed.yaml"
    assert (
        found[0]
        == (
            f"{fixed_path}:5: 'policy.carbon_prize' - unknown setting or table; a target is a scenario.yaml setting "
            "(budget.total_yi_yuan) or <table>.<column>"
        )
    )
    assert found[1].startswith(f"{fixed_path}:8: 'capex' - unknown column of clusters.csv")
    assert found[2] == f"{fixed_path}:12: no row of clusters.csv matches {{'cluster_id': 'nowhere'}}; check the ids"
    assert (
        found[3]
        == (
            f"{fixed_path}:17: 'new_racks_by_hub' - new_racks_by_hub is a mapping: collect one entry, e.g. "
            "new_racks_by_hub.<id>"
        )
    )
    assert found[4].startswith(f"{fixed_path}:17: 'greenness' - unknown KPI")
    assert len(found) == 5


def test_unknown_top_level_key_is_located(tiny: TinyCase, tmp_path: Path) -> None:
    path = write_sweep(tmp_path, f"name: x\nbase: {tiny.write()}\nparameter: {{}}\n")
    with pytest.raises(InputError) as caught:
        load_sweep(path)
    assert f"{path}:3: parameter: unknown key" in [str(p) for p in caught.value.problems]


def test_scalar_kpis_are_plan_summary_keys(tiny: TinyCase) -> None:
    outcome = tiny.solve()
    assert set(SCALAR_KPIS) - {"gap"} <= set(outcome.plan)


# --------------------------------------------------------------------------- runs on clusters


@pytest.mark.slow
def test_sweep_on_a_local_cluster_matches_serial_solves_and_resumes(
    grid: Path, serial: dict[str, Any], tmp_path: Path
) -> None:
    seen: list[int] = []
    outcome = run_sweep(grid, workers=2, out_dir=tmp_path / "out", progress=lambda n, total, row: seen.append(n))
    assert seen == list(range(1, 17))
    check_against_serial(outcome.table, serial)
    assert set(outcome.table["solved_by"][outcome.table["status"] == "optimal"]) <= {"build", "warm"}
    assert (outcome.table["solved_by"] == "warm").sum() >= 8  # each of the 2 workers builds once per structure
    written = pd.read_parquet(tmp_path / "out" / "results.parquet")
    pd.testing.assert_frame_equal(written, outcome.table, check_dtype=False)
    assert (tmp_path / "out" / "results.csv").is_file()
    page = (tmp_path / "out" / "sweep.html").read_text(encoding="utf-8")
    assert "<svg" in page
    assert "infeasible" in page
    # a rerun skips every finished scenario; a scenario that crashed earlier is run again
    row = json.loads(
        (tmp_path / "out" / "scenarios" / f"{outcome.table['scenario_id'][5]}.json").read_text(encoding="utf-8")
    )
    row.update(status="error", reason="simulated crash")
    (tmp_path / "out" / "scenarios" / f"{row['scenario_id']}.json").write_text(json.dumps(row), encoding="utf-8")
    again = run_sweep(grid, workers=1, out_dir=tmp_path / "out")
    assert (again.ran, again.skipped) == (1, 15)
    check_against_serial(again.table, serial)


@pytest.mark.slow
def test_sweep_on_a_separate_scheduler_and_workers(grid: Path, serial: dict[str, Any], tmp_path: Path) -> None:
    info = tmp_path / "scheduler.json"
    dask = [sys.executable, "-m", "dask"]
    procs = [
        subprocess.Popen(
            [
                *dask,
                "scheduler",
                "--host",
                "127.0.0.1",
                "--port",
                "0",
                "--no-dashboard",
                "--scheduler-file",
                str(info),
                "--idle-timeout",
                "300s",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
    ]
    try:
        deadline = time.monotonic() + 60
        while not info.exists() and time.monotonic() < deadline:
            time.sleep(0.2)
        address = json.loads(info.read_text(encoding="utf-8"))["address"]
        assert address.startswith("tcp://127.0.0.1:")
        for i in range(2):
            procs.append(
                subprocess.Popen(
                    [
                        *dask,
                        "worker",
                        address,
                        "--nthreads",
                        "1",
                        "--nworkers",
                        "1",
                        "--no-dashboard",
                        "--death-timeout",
                        "60",
                        "--name",
                        f"w{i}",
                        "--local-directory",
                        str(tmp_path / f"w{i}"),
                    ],
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
            )
        result = runner.invoke(app, ["sweep", str(grid), "--scheduler", address, "--out", str(tmp_path / "out")])
        assert result.exit_code == 0, result.output
        assert "ran 16, skipped 0" in result.output
        table = pd.read_parquet(tmp_path / "out" / "results.parquet")
        check_against_serial(table, serial)
        assert table["worker"][table["status"] == "optimal"].nunique() == 2
    finally:
        for proc in reversed(procs):
            proc.terminate()
        for proc in procs:
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=10)


def test_cli_reports_a_bad_sweep_file_with_exit_2(tiny: TinyCase, tmp_path: Path) -> None:
    path = write_sweep(
        tmp_path, f"name: x\nbase: {tiny.write()}\nparameters:\n  a:\n    set: policy.nothing\n    values: [1]\n"
    )
    result = runner.invoke(app, ["sweep", str(path), "--out", str(tmp_path / "out")])
    assert result.exit_code == 2
    assert f"{path}:5: 'policy.nothing' - unknown setting" in result.output
    assert not (tmp_path / "out").exists()


def test_a_sweep_collecting_headline_kpis_only_matches_cold_serial_solves(
    grid: Path, serial: dict[str, Any], tmp_path: Path
) -> None:
    # every collected KPI is a headline one: the workers read them off the solution arrays (results.quick)
    headline = ["objective_yi_yuan", "new_racks_east", "new_racks_west", "unmet_rack_years", "green_share"]
    text = grid.read_text(encoding="utf-8").replace(f"collect: {json.dumps(COLLECT)}", f"collect: {headline}")
    quick = write_sweep(grid.parent, text, "headline.yaml")
    outcome = run_sweep(quick, workers=1, out_dir=tmp_path / "out")
    table = outcome.table
    assert (table["solved_by"] == "warm").sum() >= 8
    for row in table.itertuples(index=False):
        status, plan = serial[row.scenario_id]
        assert row.status == status
        for key in headline:
            got = table.loc[table["scenario_id"] == row.scenario_id, key].item()
            if plan is None:
                assert pd.isna(got)
            elif key == "objective_yi_yuan":
                assert got == pytest.approx(plan[key], rel=1e-9, abs=0)
            else:
                assert got == plan[key], key
    stored = json.loads((tmp_path / "out" / "scenarios" / f"{table['scenario_id'][0]}.json").read_text("utf-8"))
    assert stored["scope"] == "headline"
    # the same folder with more KPIs to collect: the headline-only scenarios are solved again
    again = run_sweep(grid, workers=1, out_dir=tmp_path / "out")
    assert (again.ran, again.skipped) == (16, 0)
    check_against_serial(again.table, serial)
