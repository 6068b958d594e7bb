"""The L-shaped method (Benders decomposition) with cut aggregation, the futures solved by a `Pool`.

Master over the here-and-now columns x and one value variable θ_g per group of futures:

* expected:  min Σ_g θ_g,   θ_g ≥ Σ_{s∈g} p_s (Q_s(x̂) + π_s·(x − x̂))        (optimality cuts)
* cvar:      min Σ_s p_s θ_s + λ(η + Σ_s p_s u_s / (1 − α)),  u_s ≥ θ_s − η   (one future per group)
* regret:    min t,  t ≥ θ_s − z*_s                                            (one future per group)

with θ_g ≥ Σ_{s∈g} p_s z*_s (perfect foresight bounds every future's cost below) and feasibility
cuts w_s(x̂) + v_s·(x − x̂) ≤ 0 from a future whose recourse is infeasible at x̂ (phase 1 of its
subproblem). A group's optimality cut is added whenever all its futures are feasible at x̂, also
in a round where another group's future is not (each cut is valid on its own).

Each round the pool solves every future at the master's proposal (in parallel on Dask workers).
The master is one kept HiGHS model: the cuts are appended as rows and it re-solves from its last
basis.

Trust region (`radius`, Linderoth and Wright's box-constrained L-shaped method): the proposal is
held in a box |x_j − x̄_j| ≤ ρ·scale_j around the incumbent x̄ (the best proposal evaluated so far,
value F(x̄)). A proposal whose value beats F(x̄) by at least 1e-4 of the decrease the master
predicted, F(x̄) − m(x̂), becomes the incumbent (and ρ doubles when it lies on the box's edge); a
worse one halves ρ. Without the box the master jumps between far corners of x (the first cuts
say little about the rest of it) and hits futures without recourse one feasibility cut at a time.
When the predicted decrease is within `tol` the master is solved once more without the box: its
optimum is a valid lower bound; the method stops when it is within `tol` (relative) of F(x̄), else
goes on without the box.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field

import numpy as np

from planner.config import RunConfig
from planner.model import _lp
from planner.scenarios.stochastic.pool import Pool
from planner.scenarios.stochastic.problem import Assembly
from planner.scenarios.stochastic.risk import Risk, value
from planner.scenarios.stochastic.subproblem import Eval
from planner.solver import highs
from planner.solver.solve import Status, kept_highs, map_highs_status

logger = logging.getLogger(__name__)


@dataclass
class _Cut:
    group: int  # -1: feasibility cut
    coef: np.ndarray  # over x
    rhs: float  # coef·x - θ_g <= rhs  (feasibility: coef·x <= rhs)


@dataclass
class BendersOutcome:
    """The best proposal found, its objective, the bounds and how the rounds went."""

    objective: float
    first: np.ndarray
    costs: np.ndarray
    lower_bound: float
    rounds: int
    history: list[dict[str, float]] = field(default_factory=list)
    converged: bool = True


def groups_of(n_futures: int, risk: Risk, cut_groups: int | None) -> np.ndarray:
    """Group of each future: one per future for cvar/regret (and by default), else `cut_groups` contiguous groups."""
    if risk.objective != "expected" or cut_groups is None or cut_groups >= n_futures:
        return np.arange(n_futures)
    return np.minimum(np.arange(n_futures) * cut_groups // n_futures, cut_groups - 1)


class Master:
    """The master problem in one kept HiGHS model: cuts appended as rows, the box moved in place."""

    def __init__(
        self,
        nf: int,
        bounds: tuple[np.ndarray, np.ndarray],
        integer: np.ndarray,
        p: np.ndarray,
        z: np.ndarray,
        group: np.ndarray,
        risk: Risk,
        config: RunConfig,
    ) -> None:
        n_g, n_s = int(group.max()) + 1, len(p)
        per_future = n_g == n_s
        theta_lb = z.copy() if per_future else np.bincount(group, weights=p * z, minlength=n_g)
        a = Assembly("master")
        a.cols("here_and_now", nf, bounds[0], bounds[1], integer)
        self.theta = a.cols("theta", n_g, theta_lb)
        cost = [
            np.zeros(nf),
            np.ones(n_g) if not per_future else (p.copy() if risk.objective != "regret" else np.zeros(n_g)),
        ]
        theta = self.theta
        if risk.objective == "cvar":
            eta = a.cols("eta", 1, -np.inf, np.inf)
            excess = a.cols("excess", n_s)
            cost += [np.array([risk.weight]), risk.weight * p / (1.0 - risk.level)]
            a.rows(
                "cvar_excess",
                "<=",
                np.zeros(n_s),
                np.repeat(np.arange(n_s), 3),
                np.column_stack([theta + np.arange(n_s), np.full(n_s, eta), excess + np.arange(n_s)]).ravel(),
                np.tile([1.0, -1.0, -1.0], n_s),
            )
        elif risk.objective == "regret":
            t = a.cols("max_regret", 1, -np.inf, np.inf)
            cost += [np.array([1.0])]
            a.rows(
                "regret",
                "<=",
                z,
                np.repeat(np.arange(n_s), 2),
                np.column_stack([theta + np.arange(n_s), np.full(n_s, t)]).ravel(),
                np.tile([1.0, -1.0], n_s),
            )
        model = a.objective(np.concatenate(cost))
        self.nf, self.bounds, self.config = nf, bounds, config
        self.h = kept_highs(model, config)
        self.sink = _lp.Model("master_solution", n_cols=model.n_cols, n_rows=model.n_rows)
        self.cuts = 0

    def add(self, cuts: list[_Cut]) -> None:
        """Append cuts as rows coef·x − θ_g <= rhs (feasibility cuts: coef·x <= rhs)."""
        if not cuts:
            return
        index, values, starts = [], [], [0]
        for cut in cuts:
            nz = np.flatnonzero(np.abs(cut.coef) > 1e-12)
            index.append(np.r_[nz, [self.theta + cut.group] if cut.group >= 0 else []].astype(np.int64))
            values.append(np.r_[cut.coef[nz], [-1.0] if cut.group >= 0 else []])
            starts.append(starts[-1] + len(index[-1]))
        highs.add_rows(
            self.h,
            np.full(len(cuts), -np.inf),
            np.array([c.rhs for c in cuts]),
            np.array(starts[:-1]),
            np.concatenate(index),
            np.concatenate(values),
        )
        self.cuts += len(cuts)
        self.sink.n_rows += len(cuts)

    def box(self, lower: np.ndarray, upper: np.ndarray) -> None:
        """Bounds of the here-and-now columns for the next solves."""
        highs.change_col_bounds(self.h, np.arange(self.nf), lower, upper)

    def solve(self) -> tuple[float, np.ndarray]:
        """Re-solve from the last basis: (its optimum, the next proposal)."""
        if self.config.time_limit_s is not None:
            highs.limit_time(self.h, self.config.time_limit_s)
        outcome = highs.run_kept(self.h, self.sink)
        status = map_highs_status(outcome.model_status, outcome.has_solution)
        if status != Status.OPTIMAL or self.sink.solution is None or outcome.objective is None:
            raise RuntimeError(f"the L-shaped master ended {status}")
        return float(outcome.objective), self.sink.solution.col_value[: self.nf].copy()


def new_cuts(evals: list[Eval], xhat: np.ndarray, p: np.ndarray, group: np.ndarray, nf: int) -> list[_Cut]:
    """Feasibility cuts of futures without recourse at x̂; optimality cuts of groups whose futures all have one."""
    cuts = [_Cut(-1, e.grad, float(np.dot(e.grad, xhat) - e.value)) for e in evals if not e.feasible]
    n_g, per_future = int(group.max()) + 1, int(group.max()) + 1 == len(p)
    blocked = np.zeros(n_g, dtype=bool)
    blocked[[group[e.scenario] for e in evals if not e.feasible]] = True
    coef, const = np.zeros((n_g, nf)), np.zeros(n_g)
    for e in evals:
        if e.feasible:
            coef[group[e.scenario]] += p[e.scenario] * e.grad
            const[group[e.scenario]] += p[e.scenario] * e.value
    for g in np.flatnonzero(~blocked):
        weight = p[g] if per_future else 1.0
        cuts.append(_Cut(int(g), coef[g] / weight, float(np.dot(coef[g], xhat) - const[g]) / weight))
    return cuts


def solve_benders(
    pool: Pool,
    nf: int,
    bounds: tuple[np.ndarray, np.ndarray],
    integer: np.ndarray,
    p: np.ndarray,
    z: np.ndarray,
    risk: Risk,
    config: RunConfig,
    start: np.ndarray | None = None,
    tol: float = 1e-10,
    max_rounds: int = 500,
    cut_groups: int | None = None,
    scale: np.ndarray | None = None,
    radius: float | None = 0.1,
) -> BendersOutcome:
    """Iterate master and subproblems until the bounds meet; returns the best proposal.

    `scale` (over x, default max(1, |start|)) and `radius` set the trust region's box; `radius` None: no box.
    """
    group = groups_of(len(p), risk, cut_groups)
    master = Master(nf, bounds, integer, p, z, group, risk, config)
    lower, upper = bounds
    xhat = np.clip(start if start is not None else lower, lower, upper)
    if scale is None:
        scale = np.maximum(1.0, np.abs(xhat))
    rho = radius
    best_x, best_ub, best_q = None, np.inf, np.full(len(p), np.nan)
    lb, model_value, history = -np.inf, -np.inf, []
    for rounds in range(1, max_rounds + 1):
        clock = time.perf_counter()
        evals = pool.run(xhat)
        sub_s = time.perf_counter() - clock
        clock = time.perf_counter()
        master.add(new_cuts(evals, xhat, p, group, nf))
        feasible = all(e.feasible for e in evals)
        step = "infeasible"
        if feasible:
            q = np.array([e.value for e in evals])
            f = value(risk, q, p, z)
            predicted = best_ub - model_value
            if best_x is None or best_ub - f >= 1e-4 * predicted:
                on_edge = (
                    best_x is not None
                    and rho is not None
                    and np.max(np.abs(xhat - best_x) / (rho * scale), initial=0.0) > 0.99
                )
                if f < best_ub:
                    best_x, best_ub, best_q = xhat.copy(), f, q
                step = "serious"
                if on_edge and rho is not None:
                    rho *= 2.0
            else:
                step = "null"
                if f > best_ub and rho is not None:
                    rho = max(rho / 2.0, 1e-6)
        elif rho is not None and best_x is not None:
            rho = max(rho / 2.0, 1e-6)
        boxed = rho is not None and best_x is not None
        if rho is not None and best_x is not None:
            master.box(np.maximum(lower, best_x - rho * scale), np.minimum(upper, best_x + rho * scale))
        model_value, xhat = master.solve()
        if not boxed:
            lb = model_value
        elif best_ub - model_value <= tol * max(1.0, abs(best_ub)):
            master.box(lower, upper)  # the incumbent is best in its box: is it best overall?
            lb, free = master.solve()
            if (best_ub - lb) / max(1.0, abs(best_ub)) > tol:
                rho, xhat, model_value = None, free, lb  # not yet: go on without the box
        gap = (best_ub - lb) / max(1.0, abs(best_ub)) if np.isfinite(best_ub) else np.inf
        history.append(
            {
                "round": rounds,
                "lower": lb,
                "upper": best_ub,
                "model": model_value,
                "gap": gap,
                "radius": rho if rho is not None else np.inf,
                "subproblems_s": sub_s,
                "master_s": time.perf_counter() - clock,
                "cuts": master.cuts,
            }
        )
        logger.info(
            "L-shaped round %d (%s): bounds %.6f .. %.6f (gap %.2e), model %.6f, radius %s, %d cuts",
            rounds,
            step,
            lb,
            best_ub,
            gap,
            model_value,
            rho,
            master.cuts,
        )
        if gap <= tol:
            break
    assert best_x is not None, "no feasible proposal found"
    return BendersOutcome(best_ub, best_x, best_q, lb, rounds, history, converged=bool(history[-1]["gap"] <= tol))
