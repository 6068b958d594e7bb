"""Hand a built model to HiGHS (default) or CBC through PuLP's solver-neutral options."""

from __future__ import annotations

import contextlib
import logging
import os
import time
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

import pulp

from planner.config import RunConfig
from planner.errors import SolverFailedError
from planner.model._lp import Model

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


def map_status(stats: pulp.LpSolveStats) -> Status:
    """PuLP's stop reason + whether a solution came back -> our Status."""
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
    common: dict[str, object] = {"msg": False, "timeLimit": config.time_limit_s, "gapRel": config.mip_gap, "warmStart": warm_start}
    if config.threads is not None:
        common["threads"] = config.threads
    if config.solver == "highs":
        extra: dict[str, object] = {} if config.highs_method == "choose" else {"solver": config.highs_method}
        solver = pulp.HiGHS(mip=mip, logPath=str(log_path) if log_path else None, **common, **extra)
        if not solver.available():
            raise SolverFailedError("HiGHS is not available: install it with `pip install highspy` (it comes with `pip install planner`)")
        return solver
    solver = pulp.COIN_CMD(mip=mip, logPath=str(log_path) if log_path else None, **common)
    if not solver.available():
        raise SolverFailedError("CBC is not available: install the extra with `pip install 'planner[cbc]'` (or put `cbc` on PATH)")
    return solver


def solver_version(name: str) -> str:
    """Version string of the solver package."""
    from importlib.metadata import PackageNotFoundError, version

    package = "highspy" if name == "highs" else "cbcbox"
    with contextlib.suppress(PackageNotFoundError):
        return version(package)
    return "unknown"


def solve(model: Model, config: RunConfig, log_path: Path | None = None, warm_start: bool = False) -> SolveResult:
    """Solve the model once; never raises for infeasible or unbounded plans (see Status)."""
    solver = make_solver(config, log_path, warm_start=warm_start)
    logger.info("solving with %s (time limit %s s, MIP gap %g)", config.solver, config.time_limit_s, config.mip_gap)
    start = time.perf_counter()
    with _quiet_fd():
        stats = model.prob.solve(solver)
    elapsed = time.perf_counter() - start
    status = map_status(stats)
    if status == Status.FEASIBLE and not _primal_feasible(model, config):
        status = Status.TIME_LIMIT
    has_plan = status in (Status.OPTIMAL, Status.FEASIBLE)
    objective = stats.objective if has_plan else None
    gap = stats.gap_rel if model.prob.isMIP() and has_plan else (0.0 if status == Status.OPTIMAL else None)
    logger.info("solver finished: %s in %.2f s, objective %s", status, elapsed, objective)
    return SolveResult(
        status=status,
        objective=objective,
        best_bound=stats.best_bound,
        gap=gap,
        solve_time_s=elapsed,
        solver=config.solver,
        solver_version=solver_version(config.solver),
        options={"time_limit_s": config.time_limit_s, "mip_gap": config.mip_gap, "threads": config.threads, "highs_method": config.highs_method},
        log_path=log_path,
    )


def _primal_feasible(model: Model, config: RunConfig) -> bool:
    """Whether a solve that stopped early left a primal feasible point.

    PuLP counts any finite objective of a stopped HiGHS run as a solution; for an LP stopped
    mid-simplex that is an infeasible iterate, so ask HiGHS itself (2 = kSolutionStatusFeasible).
    For other solvers, measure the largest row, bound and integrality violation of the point.
    """
    if config.solver != "highs":
        # CBC stopped on time has been seen to hand back a node's point, not its incumbent: check it
        gap = float(model.prob.infeasibilityGap(mip=True))
        if gap > STOPPED_POINT_TOL:
            logger.warning("%s stopped early and returned a point that breaks a constraint by %.3g (model units); not a plan", config.solver, gap)
        return gap <= STOPPED_POINT_TOL
    highs = getattr(model.prob, "solverModel", None)
    if highs is None:
        return True
    return int(highs.getInfo().primal_solution_status) == 2


def fix_integers_and_resolve(model: Model, config: RunConfig, log_path: Path | None) -> SolveResult:
    """Fix every integer variable at its solved value and solve the LP again, for duals."""
    integers = [v for v in model.prob.variables() if v.cat == pulp.LpInteger]
    saved = [(v, v.lowBound, v.upBound) for v in integers]
    for v in integers:
        value = round(v.varValue or 0.0)
        v.cat = pulp.LpContinuous
        v.lowBound = value
        v.upBound = value
    try:
        return solve(model, config, log_path)
    finally:
        for v, lb, ub in saved:
            v.cat = pulp.LpInteger
            v.lowBound = lb
            v.upBound = ub


@contextlib.contextmanager
def _quiet_fd() -> object:
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
