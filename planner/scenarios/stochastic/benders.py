"""The L-shaped method (Benders decomposition) with cut aggregation, the futures solved by a `Pool`.

Master over the here-and-now columns x and one value variable θ_g per group of futures:

* expected:  min Σ_g θ_g,   θ_g ≥ Σ_{s∈g} p_s (Q_s(x̂) + π_s·(x − x̂))        (optimality cuts)
* cvar:      min Σ_s p_s θ_s + λ(η + Σ_s p_s u_s / (1 − α)),  u_s ≥ θ_s − η   (one future per group)
* regret:    min t,  t ≥ θ_s − z*_s                                            (one future per group)

with θ_g ≥ Σ_{s∈g} p_s z*_s (perfect foresight bounds every future's cost below) and feasibility
cuts w_s(x̂) + v_s·(x − x̂) ≤ 0 from a future whose recourse is infeasible at x̂ (phase 1 of its
subproblem). Each round the pool solves every future at the master's proposal (in parallel on Dask
workers), the upper bound is the objective at the best proposal, the lower bound the master's
optimum; the method stops when they are within `tol` (relative).
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field

import numpy as np

from planner.config import RunConfig
from planner.scenarios.stochastic.pool import Pool
from planner.scenarios.stochastic.problem import Assembly
from planner.scenarios.stochastic.risk import Risk, value
from planner.solver.solve import Status, solve

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
    tol: float = 1e-8,
    max_rounds: int = 500,
    cut_groups: int | None = None,
) -> BendersOutcome:
    """Iterate master and subproblems until the bounds meet; returns the best proposal."""
    group = groups_of(len(p), risk, cut_groups)
    n_g = int(group.max()) + 1
    cuts: list[_Cut] = []
    best_x, best_ub, best_q = None, np.inf, np.full(len(p), np.nan)
    lb, history = -np.inf, []
    xhat = np.clip(start if start is not None else bounds[0], bounds[0], bounds[1])
    for rounds in range(1, max_rounds + 1):
        clock = time.perf_counter()
        evals = pool.run(xhat)
        sub_s = time.perf_counter() - clock
        feasible = all(e.feasible for e in evals)
        if feasible:
            q = np.array([e.value for e in evals])
            ub = value(risk, q, p, z)
            if ub < best_ub:
                best_x, best_ub, best_q = xhat.copy(), ub, q
        cuts.extend(_Cut(-1, e.grad, float(np.dot(e.grad, xhat) - e.value)) for e in evals if not e.feasible)
        if feasible:
            for g in range(n_g):
                members = [e for e in evals if group[e.scenario] == g]
                coef = sum((p[e.scenario] * e.grad for e in members), np.zeros(nf))
                const = sum(p[e.scenario] * e.value for e in members)
                weight = 1.0 if n_g < len(p) else p[g]
                cuts.append(_Cut(g, coef / weight, float(np.dot(coef, xhat) - const) / weight))
        clock = time.perf_counter()
        lb, xhat = _master(cuts, nf, bounds, integer, p, z, group, risk, config)
        gap = (best_ub - lb) / max(1.0, abs(best_ub)) if np.isfinite(best_ub) else np.inf
        history.append(
            {
                "round": rounds,
                "lower": lb,
                "upper": best_ub,
                "gap": gap,
                "subproblems_s": sub_s,
                "master_s": time.perf_counter() - clock,
                "cuts": len(cuts),
            }
        )
        logger.info("L-shaped round %d: bounds %.6f .. %.6f (gap %.2e), %d cuts", rounds, lb, best_ub, gap, len(cuts))
        if gap <= tol:
            break
    assert best_x is not None, "no feasible proposal found"
    return BendersOutcome(best_ub, best_x, best_q, lb, rounds, history, converged=bool(history[-1]["gap"] <= tol))


def _master(
    cuts: list[_Cut],
    nf: int,
    bounds: tuple[np.ndarray, np.ndarray],
    integer: np.ndarray,
    p: np.ndarray,
    z: np.ndarray,
    group: np.ndarray,
    risk: Risk,
    config: RunConfig,
) -> tuple[float, np.ndarray]:
    """Solve the master over the cuts so far: (its optimum, the next proposal)."""
    n_g, n_s = int(group.max()) + 1, len(p)
    per_future = n_g == n_s
    theta_lb = z.copy() if per_future else np.bincount(group, weights=p * z, minlength=n_g)
    a = Assembly("master")
    a.cols("here_and_now", nf, bounds[0], bounds[1], integer)
    theta = a.cols("theta", n_g, theta_lb)
    cost = [
        np.zeros(nf),
        np.ones(n_g) if not per_future else (p.copy() if risk.objective != "regret" else np.zeros(n_g)),
    ]
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
    if cuts:
        rows, cols, coefs = [], [], []
        for k, cut in enumerate(cuts):
            nz = np.flatnonzero(np.abs(cut.coef) > 1e-12)
            rows.append(np.full(len(nz) + (cut.group >= 0), k))
            cols.append(np.r_[nz, [theta + cut.group] if cut.group >= 0 else []].astype(np.int64))
            coefs.append(np.r_[cut.coef[nz], [-1.0] if cut.group >= 0 else []])
        a.rows(
            "cuts",
            "<=",
            np.array([c.rhs for c in cuts]),
            np.concatenate(rows),
            np.concatenate(cols),
            np.concatenate(coefs),
        )
    model = a.objective(np.concatenate(cost))
    result = solve(model, config)
    if result.status != Status.OPTIMAL or model.solution is None or result.objective is None:
        raise RuntimeError(f"the L-shaped master ended {result.status}")
    return float(result.objective), model.solution.col_value[:nf].copy()
