"""A plan folder is read back (verify, compare, report) under its own size limit, not the input tables' 20 MB:
a full hourly year's energy.csv is about 25 MB."""

from __future__ import annotations

from pathlib import Path

import pytest

from planner.errors import Problem
from planner.results.plan_folder import _read_csv


def _table(path: Path, megabytes: float) -> Path:
    row = "zhongwei,2026,0,1.25,0.5\n"
    path.write_text("cluster_id,year,slice,grid_gwh,renewable_gwh\n" + row * int(megabytes * 1e6 / len(row)))
    return path


def test_a_plan_table_above_the_input_limit_is_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PLANNER_MAX_TABLE_MB", "1")  # the input tables' limit does not apply to a plan's files
    problems: list[Problem] = []
    frame = _read_csv(_table(tmp_path / "energy.csv", 1.5), problems)
    assert problems == []
    assert frame is not None
    assert len(frame) == int(1.5e6 / len("zhongwei,2026,0,1.25,0.5\n"))
    assert frame["grid_gwh"].sum() == pytest.approx(1.25 * len(frame))


def test_a_plan_table_above_the_plan_limit_is_refused_with_the_variable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PLANNER_MAX_PLAN_TABLE_MB", "1")
    problems: list[Problem] = []
    assert _read_csv(_table(tmp_path / "energy.csv", 1.5), problems) is None
    assert len(problems) == 1
    assert "PLANNER_MAX_PLAN_TABLE_MB" in str(problems[0])
