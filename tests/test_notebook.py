"""The Python API in a notebook: typed run(), in-memory plans, tidy tables with units, HTML and charts."""

from __future__ import annotations

from pathlib import Path

import matplotlib
import pytest

import planner
from planner import Plan, load_inputs, run
from tests import infeasible_cases
from tests.conftest import TinyCase

matplotlib.use("Agg")


def test_run_in_memory_writes_nothing_and_returns_tidy_tables(
    tiny: TinyCase, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tiny.write()
    monkeypatch.chdir(tmp_path)
    plan = run(folder)
    assert plan.folder is None
    assert not (tmp_path / "outputs").exists()
    assert plan.status == "optimal"
    assert not plan.demand_unmet
    assert plan.summary["objective_yi_yuan"] == pytest.approx(10.0)
    assert list(plan.racks.columns) == ["cluster", "hub", "year", "new_racks", "racks", "load_new_racks"]
    assert plan.racks.groupby("cluster")["new_racks"].sum().to_dict() == pytest.approx({"east1": 0.0, "west1": 10000.0})
    assert "load_racks" in plan.load.columns
    assert "unmet_racks" in plan.unmet.columns
    assert {"grid_gwh", "emissions_mt_co2"} <= set(plan.energy.columns)
    assert {"total_yi_yuan"} <= set(plan.investment.columns)
    assert "utilisation_share" in plan.utilisation.columns
    assert len(plan.kpis) >= 10
    assert "not written (in memory)" in plan._repr_html_()


def test_run_with_out_writes_the_folder_and_reads_back_the_same(tiny: TinyCase) -> None:
    folder = tiny.write()
    plan = run(folder, folder.parent / "out", report=False)
    assert (folder.parent / "out" / "plan.json").exists()
    assert plan.folder == folder.parent / "out"
    again = Plan.open(folder.parent / "out")
    assert again.status == plan.status
    for name in ("racks", "load", "investment", "utilisation"):
        assert list(again.tables[name].columns) == list(plan.tables[name].columns), name
    with pytest.raises(planner.PlannerError, match="already exists"):
        run(folder, folder.parent / "out")
    run(folder, folder.parent / "out", force=True, report=False)


def test_unmet_demand_is_in_the_status_and_red_in_the_notebook(tiny: TinyCase) -> None:
    plan = run(infeasible_cases.green_budget(tiny).write())
    assert plan.status == "optimal, demand unmet"
    assert plan.demand_unmet
    html = plan._repr_html_()
    assert "optimal, demand unmet" in html
    assert "#b00020" in html


def test_typed_keywords_reach_the_solve(tiny: TinyCase) -> None:
    plan = run(tiny.write(), solver="cbc", time_limit_s=30)
    assert plan.summary["manifest"]["solver"]["name"] == "cbc"
    assert plan.summary["manifest"]["solver"]["options"]["time_limit_s"] == 30.0
    with pytest.raises(TypeError):
        run(tiny.write(), overrides={"solver": "cbc"})  # type: ignore[call-arg]


def test_plot_and_inputs_tables(tiny: TinyCase) -> None:
    folder = tiny.write()
    plan = run(folder)
    for what in ("racks", "investment", "energy"):
        assert plan.plot(what).get_title().startswith(("New racks", "Investment", "Facility energy"))
    with pytest.raises(ValueError, match="unknown chart"):
        plan.plot("pie")
    inputs = load_inputs(folder)
    clusters = inputs.table("clusters")
    assert list(clusters["cluster_id"]) == ["east1", "west1"]
    assert "capex_yuan_per_rack" in clusters.columns
    assert "case &#x27;tiny&#x27;: 2026-2027" in inputs._repr_html_()


def test_comparison_renders_in_a_notebook(tiny: TinyCase) -> None:
    folder = tiny.write()
    run(folder, folder.parent / "a", report=False)
    run(infeasible_cases.green_budget(tiny).write(), folder.parent / "b", report=False)
    html = planner.compare([folder.parent / "a", folder.parent / "b"])._repr_html_()
    assert "Headline numbers" in html
    assert "optimal, demand unmet" in html
