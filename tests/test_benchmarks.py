"""Smoke test of the benchmark code at the smallest size, and the linopy reference's optimum."""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest

from benchmarks import run as bench


def test_engine_and_floor_measure_the_same_matrix(tmp_path: Path) -> None:
    coo = str(tmp_path / "coo.npz")
    engine = bench.engine("year", 60.0, "choose", coo)
    floor = bench.floor(coo)
    assert engine["status"] == "optimal"
    # a second method: the same case solved through PuLP's HiGHS interface instead of the arrays
    from planner.pipeline import run_case

    through_pulp = run_case(
        bench.CASE,
        overrides={"output_dir": tmp_path / "pulp", "interface": "pulp", "report": False, "time_resolution": "year"},
    )
    assert engine["objective"] == pytest.approx(through_pulp.plan["objective_yi_yuan"], rel=1e-6)
    assert engine["rows"] == through_pulp.manifest["model_size"]["rows"]
    assert floor["nonzeros"] <= engine["nonzeros"]  # duplicates merged, zeros dropped
    row = {"size": "year", "engine": engine, "floor": floor, "linopy": {"error": "not run"}}
    ratios = bench.ratios(row)
    assert ratios["overhead_over_solve"] == pytest.approx((engine["total_s"] - engine["solve_s"]) / engine["solve_s"])
    assert ratios["build_over_linopy_build"] is None
    row["ratios"] = ratios
    table = bench.markdown({"when": "now", "platform": "test", "cpus": 2, "ladder": [row], "representative_days": []})
    assert f"| year | {engine['rows']:,} |" in table


@pytest.mark.slow
@pytest.mark.parametrize("size", ["year", "days:1"])
def test_linopy_reference_has_the_engines_optimum(size: str) -> None:
    pytest.importorskip("linopy")
    warnings.filterwarnings("ignore")
    from planner.inputs.profiles import profile_slices
    from planner.inputs.timeseries import Resolution
    from planner.model import build_model
    from planner.model.data import build_data
    from planner.pipeline import load_case
    from planner.solver import highs

    reference = bench.linopy_ref(size, solve=True)
    _, inputs = load_case(bench.CASE)
    built = build_model(build_data(inputs, profile_slices(bench.CASE, inputs, Resolution.parse(size))))
    ours = highs.run(built.model, {})
    assert (reference["rows"], reference["columns"]) == (built.model.n_rows, built.model.n_cols)
    assert reference["objective"] == pytest.approx(ours.objective, rel=1e-7)


def test_the_ladder_table_replaces_only_its_own_block(tmp_path: Path) -> None:
    """run.py once rewrote all of results.md (the notes of later sessions with it); now only its marked block."""
    results = tmp_path / "results.md"
    notes = "## Issue 16, session 5\n\nmeasured by hand\n"
    results.write_text(f"{bench.LADDER_START}\n| old |\n{bench.LADDER_END}\n\n{notes}", encoding="utf-8")
    bench.write_between_markers(results, "| new |\n")
    assert results.read_text(encoding="utf-8") == f"{bench.LADDER_START}\n| new |\n{bench.LADDER_END}\n\n{notes}"
    fresh = tmp_path / "fresh.md"
    bench.write_between_markers(fresh, "| first |\n")
    assert fresh.read_text(encoding="utf-8") == f"{bench.LADDER_START}\n| first |\n{bench.LADDER_END}\n"
