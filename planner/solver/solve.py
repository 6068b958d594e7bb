"""Hand a built model to HiGHS or CBC and map the outcome to the planner's own Status.

Two paths: HiGHS takes the model's arrays directly (`planner/solver/highs.py`, the default: no Python
loop per non-zero), or any solver goes through PuLP's interface (`interface="pulp"`, always for
CBC). Both store the solution in `Model.solution`, so results extraction is the same.
"""

from __future__ import annotations

import contextlib
import logging
import os
import time
from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from planner.config import RunConfig
from planner.errors import SolverFailedError
from planner.model._lp import Model

if TYPE_CHECKING:
    import pulp  # imported where used (~0.2 s): the direct HiGHS path never needs it

logger = logging.getLogger(__name__)

STOPPED_POINT_TOL = 1e-4
"""Largest violation (model units: krack, GWh, 亿元) a stopped-early point may have and still count as a plan."""


class Status(StrEnum):
    """The planner's own solve statuses; callers never see PuLP's."""

    OPTIMAL = "optimal"
    FEASIBLE = "feasible"  # stopped early (time or gap limit) with a plan in hand
    INFEASIBLE = "infeasible"
    UNBOUNDED = "unbounded"
    TIME_LIMIT = "time_limit"  # stopped at the time limit without any plan
    ERROR = "error"


@dataclass(frozen=True)
class SolveResult:
    """What a solve gave back."""

    status: Status
    objective: float | None
    best_bound: float | None
    gap: float | None
    solve_time_s: float
    solver: str
    solver_version: str
    options: dict[str, object]
    log_path: Path | None
    interface: str = "pulp"
    handoff_s: float = 0.0
    iterations: dict[str, int] | None = None


def map_status(stats: pulp.LpSolveStats) -> Status:
    """PuLP's stop reason + whether a solution came back -> our Status."""
    import pulp

    s = pulp.LpSolveStatus
    if stats.status == s.Optimal or (stats.status == s.GapLimit and stats.has_solution):
        return Status.OPTIMAL  # GapLimit: CBC's "Optimal (within gap tolerance)", i.e. solved to the MIP gap asked for
    if stats.status == s.Infeasible:
        return Status.INFEASIBLE
    if stats.status == s.Unbounded:
        return Status.UNBOUNDED
    if stats.has_solution:
        return Status.FEASIBLE
    if stats.status in (s.TimeLimit, s.Interrupted, s.IterationLimit, s.NodeLimit, s.SolutionLimit):
        return Status.TIME_LIMIT
    if stats.status == s.Undefined:
        return Status.INFEASIBLE  # HiGHS reports "infeasible or unbounded" here; our models are bounded below
    return Status.ERROR


def make_solver(config: RunConfig, log_path: Path | None, mip: bool = True, warm_start: bool = False) -> pulp.LpSolver:
    """A configured PuLP solver; a missing one is a SolverFailedError naming what to install.

    `warm_start` hands the variables' current values to the solver as a starting solution.
    """
    import pulp

    common: dict[str, Any] = {  # PuLP's solver keywords, shared by HiGHS and COIN_CMD
        "msg": False,
        "timeLimit": config.time_limit_s,
        "gapRel": config.mip_gap,
        "warmStart": warm_start,
    }
    if config.threads is not None:
        common["threads"] = config.threads
    if config.solver == "highs":
        extra: dict[str, Any] = {} if config.effective_method == "choose" else {"solver": config.effective_method}
        solver = pulp.HiGHS(mip=mip, logPath=str(log_path) if log_path else None, **common, **extra)
        if not solver.available():
            raise SolverFailedError(
                "HiGHS is not available: install it with `pip install highspy` (it comes with `pip install planner`)"
            )
        return solver
    cbc = pulp.COIN_CMD(mip=mip, logPath=str(log_path) if log_path else None, **common)
    if not cbc.available():
        raise SolverFailedError(
            "CBC is not available: install the extra with `pip install 'planner[cbc]'` (or put `cbc` on PATH)"
        )
    return cbc


def solver_version(name: str) -> str:
    """Version string of the solver package."""
    from importlib.metadata import PackageNotFoundError, version

    package = "highspy" if name == "highs" else "cbcbox"
    with contextlib.suppress(PackageNotFoundError):
        return version(package)
    return "unknown"


HIGHS_STATUS: dict[str, Status] = {
    "kOptimal": Status.OPTIMAL,
    "kInfeasible": Status.INFEASIBLE,
    "kUnboundedOrInfeasible": Status.INFEASIBLE,  # our models are bounded below
    "kUnbounded": Status.UNBOUNDED,
    "kTimeLimit": Status.TIME_LIMIT,
    "kIterationLimit": Status.TIME_LIMIT,
    "kInterrupt": Status.TIME_LIMIT,
    "kSolutionLimit": Status.TIME_LIMIT,
    "kObjectiveBound": Status.TIME_LIMIT,
    "kObjectiveTarget": Status.TIME_LIMIT,
}
"""HiGHS model status -> Status when no plan came back; with a plan, stopped early is FEASIBLE."""


def highs_options(config: RunConfig, mip: bool) -> dict[str, bool | int | float | str]:
    """HiGHS option names and values for a run configuration."""
    options: dict[str, bool | int | float | str] = {"mip_rel_gap": config.mip_gap}
    if config.time_limit_s is not None:
        options["time_limit"] = float(config.time_limit_s)
    if config.threads is not None:
        options["threads"] = config.threads
    if config.effective_method != "choose" and not mip:
        # PDLP is HiGHS's own implementation (HiPDLP): 1.7-1.9x faster than cuPDLP-C on the hourly year
        options["solver"] = "hipdlp" if config.effective_method == "pdlp" else config.effective_method
    return options


def map_highs_status(name: str, has_solution: bool) -> Status:
    """HiGHS's model status name + whether a solution came back -> our Status."""
    if name == "kOptimal":
        return Status.OPTIMAL
    if has_solution and name not in ("kInfeasible", "kUnbounded", "kUnboundedOrInfeasible"):
        return Status.FEASIBLE
    return HIGHS_STATUS.get(name, Status.ERROR)


def solve(model: Model, config: RunConfig, log_path: Path | None = None, warm_start: bool = False) -> SolveResult:
    """Solve the model once; never raises for infeasible or unbounded plans (see Status).

    `warm_start` (PuLP path only) hands the last solved values to the solver as a starting point.
    """
    if config.solver == "highs" and config.interface == "direct" and not warm_start:
        return _solve_direct(model, config, log_path)
    solver = make_solver(config, log_path, warm_start=warm_start)
    logger.info(
        "solving with %s through PuLP (time limit %s s, MIP gap %g)", config.solver, config.time_limit_s, config.mip_gap
    )
    start = time.perf_counter()
    prob = model.prob
    if warm_start and model.solution is not None:
        for var, x in zip(model._pulp_cols, model.solution.col_value.tolist(), strict=True):
            var.varValue = None if x != x else x
    with _quiet_fd():
        stats = prob.solve(solver)
    elapsed = time.perf_counter() - start
    status = map_status(stats)
    if status == Status.FEASIBLE and not _primal_feasible(model, config):
        status = Status.TIME_LIMIT
    has_plan = status in (Status.OPTIMAL, Status.FEASIBLE)
    if has_plan:
        model.read_pulp_solution()
    else:
        model.solution = None
    objective = stats.objective if has_plan else None
    gap = stats.gap_rel if model.is_mip and has_plan else (0.0 if status == Status.OPTIMAL else None)
    logger.info("solver finished: %s in %.2f s, objective %s", status, elapsed, objective)
    return SolveResult(
        status=status,
        objective=objective,
        best_bound=stats.best_bound,
        gap=gap,
        solve_time_s=elapsed,
        solver=config.solver,
        solver_version=solver_version(config.solver),
        options=_recorded_options(config),
        log_path=log_path,
        interface="pulp",
    )


def _recorded_options(config: RunConfig) -> dict[str, object]:
    return {
        "time_limit_s": config.time_limit_s,
        "mip_gap": config.mip_gap,
        "threads": config.threads,
        "highs_method": config.highs_method,
        "effective_method": config.effective_method,
        "interface": config.interface if config.solver == "highs" else "pulp",
    }


def _highs() -> Any:  # noqa: ANN401 - the planner.solver.highs module
    """planner.solver.highs, or a SolverFailedError naming the package when highspy cannot be imported."""
    try:
        from planner.solver import highs
    except ImportError as err:
        raise SolverFailedError(
            "HiGHS is not available: install it with `pip install highspy` (it comes with `pip install planner`)"
        ) from err
    return highs


def _solve_direct(model: Model, config: RunConfig, log_path: Path | None) -> SolveResult:
    highs = _highs()
    options = highs_options(config, model.is_mip)
    logger.info("solving with HiGHS directly, options %s", options)
    with _quiet_fd():
        outcome = highs.run(model, options, log_path)
    return _direct_result(model, config, outcome, log_path)


def kept_highs(
    model: Model, config: RunConfig, extra: dict[str, bool | int | float | str] | None = None
) -> Any:  # noqa: ANN401 - a highspy.Highs
    """A configured highspy.Highs holding the model, to solve with `solve_kept` and keep between solves.

    `extra`: further HiGHS options (e.g. tighter tolerances) over the configuration's.
    """
    highs = _highs()
    with _quiet_fd():
        return highs.handoff(model, {**highs_options(config, model.is_mip), **(extra or {})}, None)


def solve_kept(h: Any, model: Model, config: RunConfig) -> SolveResult:  # noqa: ANN401
    """Solve a kept Highs holding `model` (changed in place since its last solve) from its last basis.

    The time limit is for this solve: HiGHS's clock runs on across run() calls of one Highs.
    """
    highs = _highs()
    if config.time_limit_s is not None:
        highs.limit_time(h, config.time_limit_s)
    with _quiet_fd():
        outcome = highs.run_kept(h, model)
    return _direct_result(model, config, outcome, None)


def update_kept(
    h: Any,  # noqa: ANN401 - a highspy.Highs
    coefficients: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None,
    row_bounds: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None,
    costs: tuple[np.ndarray, np.ndarray] | None = None,
) -> None:
    """Change a kept Highs in place.

    (rows, cols, values) coefficients, (rows, lower, upper) row bounds, (cols, cost) costs.
    """
    highs = _highs()
    if coefficients is not None:
        highs.change_coefficients(h, *coefficients)
    if row_bounds is not None:
        highs.change_row_bounds(h, *row_bounds)
    if costs is not None:
        highs.change_costs(h, *costs)


def _direct_result(model: Model, config: RunConfig, outcome: Any, log_path: Path | None) -> SolveResult:  # noqa: ANN401 - a highs.HighsOutcome
    status = map_highs_status(outcome.model_status, outcome.has_solution)
    gap = outcome.mip_gap if model.is_mip else (0.0 if status == Status.OPTIMAL else None)
    logger.info(
        "HiGHS finished: %s (%s) in %.2f s after a %.2f s hand-off",
        status,
        outcome.model_status,
        outcome.solve_s,
        outcome.handoff_s,
    )
    return SolveResult(
        status=status,
        objective=outcome.objective,
        best_bound=outcome.best_bound,
        gap=gap,
        solve_time_s=outcome.solve_s,
        solver="highs",
        solver_version=solver_version("highs"),
        options=_recorded_options(config),
        log_path=log_path,
        interface="direct",
        handoff_s=outcome.handoff_s,
        iterations={
            "simplex": outcome.simplex_iterations,
            "ipm": outcome.ipm_iterations,
            **({"pdlp": outcome.pdlp_iterations} if outcome.pdlp_iterations > 0 else {}),  # MIPs report -1
        },
    )


def _primal_feasible(model: Model, config: RunConfig) -> bool:
    """Whether a solve that stopped early left a primal feasible point.

    PuLP counts any finite objective of a stopped HiGHS run as a solution; for an LP stopped
    mid-simplex that is an infeasible iterate, so ask HiGHS itself for its primal solution status.
    For other solvers, measure the largest row, bound and integrality violation of the point.
    """
    if config.solver != "highs":
        # CBC stopped on time has been seen to hand back a node's point, not its incumbent: check it
        gap = float(model.prob.infeasibilityGap(mip=True))
        if gap > STOPPED_POINT_TOL:
            logger.warning(
                "%s stopped early and returned a point that breaks a constraint by %.3g (model units); not a plan",
                config.solver,
                gap,
            )
        return gap <= STOPPED_POINT_TOL
    highs = getattr(model.prob, "solverModel", None)
    if highs is None:
        return True
    return bool(_highs().primal_feasible(highs))


def fix_integers_and_resolve(model: Model, config: RunConfig, log_path: Path | None) -> SolveResult:
    """Fix every integer column at its solved value and solve the LP again, for duals."""
    assert model.solution is not None
    saved = (list(model.lower), list(model.upper), list(model.integer))
    values = np.round(np.nan_to_num(model.solution.col_value))
    offset = 0
    for k, flags in enumerate(model.integer):
        n = len(flags)
        fixed = values[offset : offset + n]
        model.lower[k] = np.where(flags, fixed, model.lower[k])
        model.upper[k] = np.where(flags, fixed, model.upper[k])
        model.integer[k] = np.zeros(n, dtype=bool)
        offset += n
    model.invalidate()
    try:
        return solve(model, config, log_path)
    finally:
        model.lower, model.upper, model.integer = saved
        model.invalidate()


@contextlib.contextmanager
def _quiet_fd() -> Iterator[None]:
    """Keep the solver's banner off the user's terminal (HiGHS prints it even with msg=False)."""
    try:
        saved = os.dup(1)
    except OSError:
        yield None
        return
    with open(os.devnull, "w") as devnull:
        os.dup2(devnull.fileno(), 1)
        try:
            yield None
        finally:
            os.dup2(saved, 1)
            os.close(saved)
