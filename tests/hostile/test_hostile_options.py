"""Bad option values: exit 2 naming the option and what it allows, before anything is read or written."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import TinyCase
from tests.hostile.helpers import cli, leftovers

SOLVE = {
    "time-limit-zero": (
        ["--time-limit", "0"],
        "--time-limit: 0.0 is not allowed; expected a number of seconds above 0",
    ),
    "time-limit-negative": (
        ["--time-limit", "-5"],
        "--time-limit: -5.0 is not allowed; expected a number of seconds above 0",
    ),
    "time-limit-nan": (["--time-limit", "nan"], "--time-limit: nan is not allowed"),
    "time-limit-minus-inf": (["--time-limit", "-inf"], "--time-limit: -inf is not allowed"),
    "time-limit-text": (["--time-limit", "soon"], "Invalid value for '--time-limit'"),
    "mip-gap-negative": (["--mip-gap", "-1"], "--mip-gap: -1.0 is not allowed; expected a number from 0 to 1"),
    "mip-gap-above-one": (["--mip-gap", "5"], "--mip-gap: 5.0 is not allowed; expected a number from 0 to 1"),
    "mip-gap-nan": (["--mip-gap", "nan"], "--mip-gap: nan is not allowed"),
    "threads-zero": (["--threads", "0"], "--threads: 0 is not allowed; expected a whole number of at least 1"),
    "threads-negative": (["--threads", "-3"], "--threads: -3 is not allowed"),
    "solver-unknown": (["--solver", "gurobi"], "--solver: 'gurobi' is not allowed; expected highs or cbc"),
    "solver-empty": (["--solver", ""], "--solver: '' is not allowed; expected highs or cbc"),
    "solver-upper-case": (["--solver", "HIGHS"], "--solver: 'HIGHS' is not allowed; expected highs or cbc"),
    "method-unknown": (["--method", "barrier"], "expected choose, simplex, ipm or pdlp"),
    "hours-not-full": (["--hours", "half"], "--hours takes `full`"),
    "hours-and-days": (["--hours", "full", "--days", "3"], "cannot be combined with --days"),
    "days-zero": (["--days", "0"], "Invalid value for '--days'"),
    "days-too-many": (["--days", "400"], "Invalid value for '--days'"),
}


@pytest.fixture
def case(tmp_path: Path) -> Path:
    return TinyCase(tmp_path).write()


@pytest.mark.parametrize("name", list(SOLVE))
def test_bad_solve_option(name: str, case: Path) -> None:
    args, message = SOLVE[name]
    out = case.parent / "out"
    result = cli("solve", case, "--out", out, *args)
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert "ValidationError" not in result.output
    assert "Traceback" not in result.output
    assert not out.exists()
    assert leftovers(case.parent) == []


@pytest.mark.parametrize(("args", "message"), [
    (["--time-limit", "0"], "--time-limit: 0.0 is not allowed"),
    (["--solver", "gurobi"], "--solver: 'gurobi' is not allowed; expected highs or cbc"),
], ids=["diagnose-time-limit-zero", "diagnose-solver-unknown"])
def test_bad_diagnose_option(args: list[str], message: str, case: Path) -> None:
    result = cli("diagnose", case, "--out", case.parent / "out", *args)
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert not (case.parent / "out").exists()


def test_bad_sweep_workers(case: Path) -> None:
    sweep = case.parent / "s.yaml"
    sweep.write_text(
        f"name: s\nbase: {case}\nparameters:\n  p:\n    set: discount_rate\n    values: [0.01]\n", encoding="utf-8"
    )
    result = cli("sweep", sweep, "--workers", "0", "--out", case.parent / "out")
    assert result.exit_code == 2
    assert "Invalid value for '--workers'" in result.output
    assert not (case.parent / "out").exists()


def test_bad_compare_rows(case: Path) -> None:
    result = cli("compare", case, case, "--rows", "-1")
    assert result.exit_code == 2
    assert "Invalid value for '--rows'" in result.output


def test_version() -> None:
    result = cli("--version")
    assert result.exit_code == 0
    assert result.output.startswith("planner ")
