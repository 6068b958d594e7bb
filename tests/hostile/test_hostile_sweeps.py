"""Hostile sweep files and interrupted or corrupted sweeps.

Every value is checked before anything is solved (exit 2 with file:line, no output folder); grids
above the cap are refused; a corrupt scenario result is solved again on resume; Ctrl-C says how many
scenarios are saved and how to resume. Dask is replaced by a serial stand-in where the cluster is
not what is being tested, so these run in milliseconds.
"""

from __future__ import annotations

import contextlib
import json
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

import planner.scenarios.sweep as sweep_module
from planner.scenarios.store import write_table
from tests.conftest import TinyCase
from tests.hostile.helpers import cli, leftovers

HEADER = "name: s\nbase: {case}\nparameters:\n"

BAD = {
    "text-value": (
        "  p:\n    set: clusters.capex_yuan_per_rack\n    values: [30000, abc]\n",
        "s.yaml:6: parameters.p: 'abc' - makes the base case invalid",
    ),
    "nan-value": (
        "  p:\n    set: discount_rate\n    values: [0.01, .nan]\n",
        "s.yaml:6: parameters.p: nan - not a finite number",
    ),
    "inf-value": (
        "  p:\n    set: discount_rate\n    values: [.inf]\n",
        "s.yaml:6: parameters.p: inf - not a finite number",
    ),
    "list-value": (
        "  p:\n    set: discount_rate\n    values: [[0.1, 0.2]]\n",
        "s.yaml:6: parameters.p: each value must be a single number or text",
    ),
    "mapping-value": (
        "  p:\n    set: discount_rate\n    values: [{a: 1}]\n",
        "s.yaml:6: parameters.p: each value must be a single number or text",
    ),
    "null-value": (
        "  p:\n    set: discount_rate\n    values: [null]\n",
        "s.yaml:6: parameters.p: each value must be a single number or text",
    ),
    "negative-capex": (
        "  p:\n    set: clusters.capex_yuan_per_rack\n    match: {cluster_id: west1}\n    values: [-5]\n",
        "s.yaml:7: parameters.p: -5 - makes the base case invalid: Input should be greater than 0",
    ),
    "yes-as-a-share": (
        "  p:\n    set: policy.green_share_min_new\n    values: [yes]\n",
        "s.yaml:6: parameters.p: 'yes' - makes the base case invalid",
    ),
    "true-as-a-number": (
        "  p:\n    set: discount_rate\n    values: [true]\n",
        "s.yaml:6: parameters.p: True - makes the base case invalid: expected a number, found true/false",
    ),
    "scale-by-text": (
        "  p:\n    scale: demand.demand_racks\n    values: [x]\n",
        "s.yaml:6: parameters.p: 'x' - makes the base case invalid",
    ),
    "discount-rate-too-high": (
        "  p:\n    set: discount_rate\n    values: [0.9]\n",
        "s.yaml:6: parameters.p: 0.9 - makes the base case invalid",
    ),
    "low-above-high": (
        "  p:\n    set: discount_rate\n    distribution: uniform\n    low: 0.2\n    high: 0.1\nsamples: 3\n",
        "need low <= high",
    ),
    "mode-outside": (
        "  p:\n    set: discount_rate\n    distribution: triangular\n    low: 0.0\n    mode: 0.5\n    high: "
        "0.1\nsamples: 3\n",
        "need low <= mode <= high",
    ),
    "negative-sd": (
        "  p:\n    set: discount_rate\n    distribution: normal\n    mean: 0.1\n    sd: -1\nsamples: 3\n",
        "greater than or equal to 0",
    ),
    "nan-bound": (
        "  p:\n    set: discount_rate\n    distribution: uniform\n    low: .nan\n    high: 0.1\nsamples: 3\n",
        "finite",
    ),
    "draw-outside-bounds": (
        "  p:\n    set: discount_rate\n    distribution: uniform\n    low: 0.1\n    high: 3\nsamples: 3\n",
        "s.yaml:4: parameters.p: 3.0 - makes the base case invalid",
    ),
    "too-many-samples": (
        "  p:\n    set: discount_rate\n    values: [0.1]\nsamples: 1000000\n",
        "less than or equal to 100000",
    ),
    "grid-100-to-the-5": (
        "".join(f"  p{i}:\n    set: discount_rate\n    values: {list(range(100))}\n" for i in range(5)),
        "the grid has 10,000,000,000 scenarios (100 x 100 x 100 x 100 x 100); at most 10,000",
    ),
    "grid-over-the-cap": (
        "  a:\n    set: discount_rate\n    values: "
        + str([i / 1e6 for i in range(101)])
        + "\n  b:\n    scale: demand.demand_racks\n    values: "
        + str([1 + i / 100 for i in range(100)])
        + "\n",
        "the grid has 10,100 scenarios",
    ),
    "duplicate-parameter": (
        "  p:\n    set: discount_rate\n    values: [0.1]\n  p:\n    set: discount_rate\n    values: [0.2]\n",
        "s.yaml:7: not valid YAML: duplicate key 'p'",
    ),
    "alias-values": (
        "  p:\n    set: discount_rate\n    values: &v [0.1]\n  q:\n    set: discount_rate\n    values: *v\n",
        "s.yaml:6: not valid YAML: anchors (&v) are not allowed",
    ),
}


@pytest.fixture
def case(tmp_path: Path) -> Path:
    return TinyCase(tmp_path).write()


@pytest.mark.parametrize("name", list(BAD))
def test_bad_sweep_is_refused_before_any_solve(name: str, case: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    body, message = BAD[name]
    path = case.parent / "s.yaml"
    path.write_text(HEADER.format(case=case) + body, encoding="utf-8")
    monkeypatch.setattr(sweep_module, "_client", _no_cluster)
    result = cli("sweep", path, "--out", case.parent / "out")
    assert result.exit_code == 2, result.output
    assert message in result.output, result.output
    assert ":None" not in result.output
    assert "Traceback" not in result.output
    assert not (case.parent / "out").exists()


@contextlib.contextmanager
def _no_cluster(*_: Any) -> Any:
    raise AssertionError("nothing may be solved")
    yield


def _solved(task: Any) -> dict[str, Any]:
    """What a worker returns for a solved scenario (the solve itself is covered by tests/test_sweep.py)."""
    return {"scenario_id": task.id, "index": task.index, "params": task.params, "status": "optimal", "reason": "",
            "plan": {"objective_yi_yuan": 1.0}, "how": "stand-in", "worker": "", "seconds": 0.0}


def _serial(client: Any, sweep: Any, todo: list[Any], store: Any, progress: Any) -> float:
    for task in todo:
        store.write(_solved(task))
    return 0.0


@contextlib.contextmanager
def _local(*_: Any) -> Any:
    yield None


GRID = (
    "  p:\n    set: clusters.capex_yuan_per_rack\n    match: {{cluster_id: west1}}\n    values: [30000, 60000, 90000]\n"
)


@pytest.mark.parametrize(
    "corruption",
    ["[]", "{}", '{"status": 5}', "not json", "", '{"status": "optimal", "plan": []}'],
    ids=["list", "empty-object", "status-not-text", "not-json", "empty-file", "plan-not-a-mapping"],
)
def test_a_corrupt_scenario_result_is_solved_again(
    corruption: str, case: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = case.parent / "s.yaml"
    path.write_text(HEADER.format(case=case) + GRID.replace("{{", "{").replace("}}", "}"), encoding="utf-8")
    monkeypatch.setattr(sweep_module, "_client", _local)
    monkeypatch.setattr(sweep_module, "_submit_all", _serial)
    monkeypatch.setattr(
        sweep_module, "render_sweep", lambda sweep, table: "<html></html>"
    )  # the page is not under test
    out = case.parent / "out"
    first = sweep_module.run_sweep(path, out_dir=out)
    assert (first.ran, first.skipped) == (3, 0)
    victim = out / "scenarios" / f"{first.table['scenario_id'][1]}.json"
    victim.write_text(corruption, encoding="utf-8")
    again = sweep_module.run_sweep(path, out_dir=out)
    assert (again.ran, again.skipped) == (1, 2)
    assert list(again.table["status"]) == ["optimal"] * 3
    assert json.loads(victim.read_text(encoding="utf-8"))["status"] == "optimal"
    assert leftovers(case.parent) == []


def test_ctrl_c_says_what_is_saved_and_how_to_resume(case: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = case.parent / "s.yaml"
    path.write_text(HEADER.format(case=case) + GRID.replace("{{", "{").replace("}}", "}"), encoding="utf-8")

    def one_then_interrupt(client: Any, sweep: Any, todo: list[Any], store: Any, progress: Any) -> float:
        store.write(_solved(todo[0]))
        raise KeyboardInterrupt

    monkeypatch.setattr(sweep_module, "_client", _local)
    monkeypatch.setattr(sweep_module, "_submit_all", one_then_interrupt)
    out = case.parent / "out"
    result = cli("sweep", path, "--out", out)
    assert result.exit_code == 130, result.output
    assert (
        f"interrupted: 1 of 3 scenarios are saved in {out / 'scenarios'}; run the same command again to resume"
        in result.output
    )
    assert leftovers(case.parent) == []


def test_results_table_with_mixed_values_is_written() -> None:
    table = pd.DataFrame({"p": [1, "abc", 2.5, None], "status": ["optimal", "invalid", "optimal", "error"]})
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        files = write_table(Path(tmp), table)
        assert pd.read_parquet(files[0])["p"].tolist()[:3] == ["1", "abc", "2.5"]
