"""Direct hand-off to HiGHS: the model's arrays go to highspy in one `passModel` call.

This is the one module that imports highspy (hand-off, solve, in-place changes for warm re-solves,
IIS), and it speaks to it through highspy's own enums. PuLP's HiGHS interface walks every non-zero in
Python (44 s at 11M non-zeros in the issue's calibration); here the row-wise CSR matrix is
assembled with numpy (`Model.matrix`) and passed as arrays, and the solution comes back as arrays.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from pathlib import Path

import highspy
import numpy as np

from planner.model._lp import Model

_FEASIBLE = int(highspy.SolutionStatus.kSolutionStatusFeasible)
_PDLP_DONE = (highspy.HighsModelStatus.kOptimal, highspy.HighsModelStatus.kUnknown)
"""PDLP stopped at its tolerances: optimal, or kUnknown when the unscaled point misses HiGHS's own tolerances."""
IIS_BOUND_SIDES = {
    int(highspy.IisBoundStatus.kIisBoundStatusLower): "lower",
    int(highspy.IisBoundStatus.kIisBoundStatusUpper): "upper",
    int(highspy.IisBoundStatus.kIisBoundStatusBoxed): "both",
}
"""Which side of a row or bound takes part in an IIS, in the planner's words."""


@dataclass(frozen=True)
class HighsOutcome:
    """What HiGHS gave back, before mapping to the planner's Status."""

    model_status: str  # HiGHS's HighsModelStatus name, e.g. "kOptimal", "kInfeasible", "kTimeLimit"
    has_solution: bool
    objective: float | None
    best_bound: float | None
    mip_gap: float | None
    handoff_s: float
    solve_s: float
    simplex_iterations: int
    ipm_iterations: int
    pdlp_iterations: int = 0


Option = bool | int | float | str
"""A HiGHS option value (what `Highs.setOptionValue` takes)."""


def handoff(m: Model, options: dict[str, Option], log_path: Path | None) -> highspy.Highs:
    """A configured Highs instance holding the model (no Python loop over non-zeros)."""
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    if log_path is not None:
        h.setOptionValue("log_file", str(log_path))
        h.setOptionValue("output_flag", True)
        h.setOptionValue("log_to_console", False)
    for key, setting in options.items():
        h.setOptionValue(key, setting)
    lower, upper, integer = m.bounds()
    row_lower, row_upper = m.row_bounds()
    starts, index, value = m.matrix()
    inf = highspy.kHighsInf
    integrality = np.where(integer, int(highspy.HighsVarType.kInteger), int(highspy.HighsVarType.kContinuous)).astype(
        np.int32
    )
    h.passModel(
        m.n_cols, m.n_rows, len(value), int(highspy.MatrixFormat.kRowwise), int(highspy.ObjSense.kMinimize), 0.0,
        m.cost(), np.clip(lower, -inf, inf), np.clip(upper, -inf, inf),
        np.clip(row_lower, -inf, inf), np.clip(row_upper, -inf, inf),
        starts[:-1].astype(np.int32), index.astype(np.int32), value, integrality,
    )
    return h


def run(m: Model, options: dict[str, Option], log_path: Path | None = None) -> HighsOutcome:
    """Hand the model to HiGHS, solve, and store the solution in `m.solution`."""
    clock = time.perf_counter()
    h = handoff(m, options, log_path)
    return run_kept(h, m, time.perf_counter() - clock)


def run_kept(h: highspy.Highs, m: Model, handoff_s: float = 0.0) -> HighsOutcome:
    """Solve a Highs that holds `m` (from its last basis, if it was solved before) into `m.solution`."""
    clock = time.perf_counter()
    h.run()
    pdlp_iterations = int(h.getInfo().pdlp_iteration_count)
    if not m.is_mip and pdlp_iterations > 0 and h.getModelStatus() in _PDLP_DONE and not h.getBasis().valid:
        to_vertex(h)
    solve_s = time.perf_counter() - clock
    status = h.getModelStatus()
    info = h.getInfo()
    name = status.name
    objective = info.objective_function_value
    has_solution = primal_feasible(h) and math.isfinite(objective)
    if has_solution:
        solution = h.getSolution()
        col = np.asarray(solution.col_value, dtype=float)
        dual = np.asarray(solution.row_dual, dtype=float) if solution.dual_valid else np.full(m.n_rows, np.nan)
        m.set_solution(col, dual)
    else:
        m.solution = None
    bound = info.mip_dual_bound if m.is_mip else None
    return HighsOutcome(
        model_status=name,
        has_solution=has_solution,
        objective=objective if has_solution else None,
        best_bound=bound if bound is not None and math.isfinite(bound) else None,
        mip_gap=info.mip_gap if m.is_mip and has_solution else None,
        handoff_s=handoff_s,
        solve_s=solve_s,
        simplex_iterations=int(info.simplex_iteration_count),
        ipm_iterations=int(info.ipm_iteration_count),
        pdlp_iterations=pdlp_iterations,
    )


def to_vertex(h: highspy.Highs) -> None:
    """Turn PDLP's approximate optimum into an optimal basic solution: crossover from it, then dual simplex.

    PDLP (a first-order method) stops within relative tolerances (1e-7); HiGHS reports the point as
    kOptimal or kUnknown, and it may break rows by more than the feasibility tolerance in absolute terms.
    IPX's crossover from that point (primal and dual values) gives a basis; a dual simplex run from it
    (a few iterations on the default case's hourly year) removes what is left, so the plan is a vertex
    with the same kOptimal status, duals and reduced costs as a simplex or interior point + crossover solve.
    """
    solution = h.getSolution()
    if not (solution.value_valid and solution.dual_valid):
        return
    h.crossover(solution)
    if not h.getBasis().valid:
        return
    _, method = h.getOptionValue("solver")
    h.setOptionValue("solver", "simplex")
    try:
        h.run()
    finally:
        h.setOptionValue("solver", method)


def primal_feasible(h: highspy.Highs) -> bool:
    """Whether HiGHS holds a primal feasible point (a solve stopped early may hold an infeasible iterate)."""
    return int(h.getInfo().primal_solution_status) == _FEASIBLE


def limit_time(h: highspy.Highs, seconds: float) -> None:
    """Let the next run() take `seconds` more (HiGHS's clock runs on across run() calls of one Highs)."""
    h.setOptionValue("time_limit", float(h.getRunTime()) + seconds)


def change_coefficients(h: highspy.Highs, rows: np.ndarray, cols: np.ndarray, values: np.ndarray) -> None:
    """Set matrix entries in place (a zero removes one); the basis is kept for a warm start."""
    for row, col, value in zip(rows.tolist(), cols.tolist(), values.tolist(), strict=True):
        h.changeCoeff(int(row), int(col), float(value))  # one call per coefficient: highspy has no batch form


def change_row_bounds(h: highspy.Highs, rows: np.ndarray, lower: np.ndarray, upper: np.ndarray) -> None:
    """Set the bounds of the given rows in place."""
    if len(rows):
        rows32 = np.asarray(rows, dtype=np.int32)
        h.changeRowsBounds(len(rows), rows32, lower, upper)  # type: ignore[attr-defined]  # in _core, not in its stub


def change_costs(h: highspy.Highs, cols: np.ndarray, cost: np.ndarray) -> None:
    """Set the objective coefficients of the given columns in place."""
    if len(cols):
        h.changeColsCost(len(cols), np.asarray(cols, dtype=np.int32), cost)


def iis_of_file(path: Path) -> tuple[str, list[tuple[str, str]], list[tuple[str, str]]]:
    """Read a model file and ask HiGHS for an irreducible infeasible subsystem.

    Returns (failure, rows, bounds): failure is "" when HiGHS gave an IIS, else why not; each
    entry is (row or column name, side). The strategy is "from the
    LP" refined to irreducible: a small, truly minimal set.
    """
    h = highspy.Highs()
    h.silent()
    h.readModel(str(path))
    strategy = int(highspy.IisStrategy.kIisStrategyFromLp) | int(highspy.IisStrategy.kIisStrategyIrreducible)
    h.setOptionValue("iis_strategy", strategy)
    status, iis = h.getIis()
    if status != highspy.HighsStatus.kOk or not iis.valid_:
        return f"HiGHS could not compute an IIS (status {status})", [], []
    rows = [(h.getRowName(i)[1], _side(side)) for i, side in zip(iis.row_index_, iis.row_bound_, strict=True)]
    bounds = [(h.getColName(i)[1], _side(side)) for i, side in zip(iis.col_index_, iis.col_bound_, strict=True)]
    return "", rows, bounds


def _side(side: int) -> str:
    return IIS_BOUND_SIDES.get(int(side), str(side))


def save_basis(h: highspy.Highs) -> highspy.HighsBasis:
    """A copy of the last basis, to start a later run() from (`load_basis`)."""
    return h.getBasis()


def load_basis(h: highspy.Highs, basis: highspy.HighsBasis) -> None:
    """Start the next run() from `basis` (same numbers of rows and columns)."""
    h.setBasis(basis)


def basis_codes(basis: highspy.HighsBasis) -> tuple[np.ndarray, np.ndarray]:
    """A basis as (column, row) status codes (int8: 0 lower, 1 basic, 2 upper, 3 zero, 4 nonbasic): picklable."""
    return (
        np.array([int(s) for s in basis.col_status], dtype=np.int8),
        np.array([int(s) for s in basis.row_status], dtype=np.int8),
    )


def basis_of_codes(cols: np.ndarray, rows: np.ndarray) -> highspy.HighsBasis:
    """The basis with these status codes (see `basis_codes`)."""
    basis = highspy.HighsBasis()
    basis.col_status = [highspy.HighsBasisStatus(int(s)) for s in cols]
    basis.row_status = [highspy.HighsBasisStatus(int(s)) for s in rows]
    basis.valid = True
    return basis


def add_rows(
    h: highspy.Highs, lower: np.ndarray, upper: np.ndarray, starts: np.ndarray, index: np.ndarray, values: np.ndarray
) -> None:
    """Append rows (compressed by row: row k's entries are index/values[starts[k]:starts[k + 1]]), keeping the basis."""
    if len(lower):
        h.addRows(
            len(lower),
            np.asarray(lower, dtype=float),
            np.asarray(upper, dtype=float),
            len(index),
            np.asarray(starts, dtype=np.int32),
            np.asarray(index, dtype=np.int32),
            np.asarray(values, dtype=float),
        )


def change_col_bounds(h: highspy.Highs, cols: np.ndarray, lower: np.ndarray, upper: np.ndarray) -> None:
    """Set the bounds of the given columns in place (the basis is kept)."""
    if len(cols):
        h.changeColsBounds(
            len(cols), np.asarray(cols, dtype=np.int32), np.asarray(lower, dtype=float), np.asarray(upper, dtype=float)
        )
