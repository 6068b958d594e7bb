"""Fixtures for report tests: small solved plans with reports, and the default case (slow)."""

from __future__ import annotations

from pathlib import Path

import pytest

from planner.pipeline import RunOutcome, run_case
from tests.conftest import TinyCase

ROOT = Path(__file__).resolve().parents[2]


def solve_with_report(case: TinyCase) -> RunOutcome:
    """Solve a tiny case and write its report too (the tiny fixture turns reports off by default)."""
    return case.solve(report=True)


@pytest.fixture(scope="session")
def default_plan(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The default case solved once per session, with its report (a few seconds).

    At the yearly slice: at its own 12 representative days thousands of hourly rows bind and the
    report lists the first of each family only, which the binding-rows test does not model.
    """
    out = tmp_path_factory.mktemp("default") / "out"
    run_case(ROOT / "inputs" / "default", overrides={"output_dir": out, "time_resolution": "year"})
    return out
