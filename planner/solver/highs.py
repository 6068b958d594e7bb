"""Direct hand-off to HiGHS: the model's arrays go to highspy in one `passModel` call.

This is the one module that imports highspy. PuLP's HiGHS interface walks every non-zero in
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

_ROWWISE = 2  # HiGHS MatrixFormat::kRowwise


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


def handoff(m: Model, options: dict[str, object], log_path: Path | None) -> highspy.Highs:
    """A configured Highs instance holding the model (no Python loop over non-zeros)."""
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    if log_path is not None:
        h.setOptionValue("log_file", str(log_path))
        h.setOptionValue("output_flag", True)
        h.setOptionValue("log_to_console", False)
    for key, value in options.items():
        h.setOptionValue(key, value)
    lower, upper, integer = m.bounds()
    row_lower, row_upper = m.row_bounds()
    starts, index, value = m.matrix()
    inf = highspy.kHighsInf
    integrality = integer.astype(np.int32)  # HighsVarType: 0 continuous, 1 integer
    h.passModel(
        m.n_cols, m.n_rows, len(value), _ROWWISE, 1, 0.0,
        m.cost(), np.clip(lower, -inf, inf), np.clip(upper, -inf, inf),
        np.clip(row_lower, -inf, inf), np.clip(row_upper, -inf, inf),
        starts[:-1].astype(np.int32), index.astype(np.int32), value, integrality,
    )
    return h


def run(m: Model, options: dict[str, object], log_path: Path | None = None) -> HighsOutcome:
    """Hand the model to HiGHS, solve, and store the solution in `m.solution`."""
    clock = time.perf_counter()
    h = handoff(m, options, log_path)
    return run_kept(h, m, time.perf_counter() - clock)


def run_kept(h: highspy.Highs, m: Model, handoff_s: float = 0.0) -> HighsOutcome:
    """Solve a Highs that holds `m` (from its last basis, if it was solved before) into `m.solution`."""
    clock = time.perf_counter()
    h.run()
    solve_s = time.perf_counter() - clock
    status = h.getModelStatus()
    info = h.getInfo()
    name = status.name
    objective = info.objective_function_value
    has_solution = info.primal_solution_status == 2 and math.isfinite(objective)  # kSolutionStatusFeasible
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
    )
