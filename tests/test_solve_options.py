"""HiGHS options from a run configuration: the measured method choice and the direct hand-off."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from planner.config import RunConfig
from planner.solver.solve import Status, highs_options, map_highs_status


def test_choose_means_pdlp_only_for_the_full_year() -> None:
    assert RunConfig(time_resolution="hours").effective_method == "pdlp"
    assert RunConfig(time_resolution="days:12").effective_method == "choose"
    assert RunConfig(time_resolution="hours", highs_method="simplex").effective_method == "simplex"
    assert highs_options(RunConfig(time_resolution="hours"), mip=False)["solver"] == "hipdlp"  # HiGHS's own PDLP
    assert "solver" not in highs_options(RunConfig(), mip=False)
    assert "solver" not in highs_options(RunConfig(highs_method="pdlp"), mip=True)  # MIPs keep HiGHS's choice


def test_bad_time_resolution_is_rejected() -> None:
    with pytest.raises(ValidationError, match="time resolution"):
        RunConfig(time_resolution="days:0")


@pytest.mark.parametrize(
    ("name", "has_solution", "expected"),
    [
        ("kOptimal", True, Status.OPTIMAL),
        ("kInfeasible", False, Status.INFEASIBLE),
        ("kUnboundedOrInfeasible", False, Status.INFEASIBLE),
        ("kTimeLimit", True, Status.FEASIBLE),
        ("kTimeLimit", False, Status.TIME_LIMIT),
        ("kSolveError", False, Status.ERROR),
    ],
)
def test_highs_status_mapping(name: str, has_solution: bool, expected: Status) -> None:
    assert map_highs_status(name, has_solution) == expected
