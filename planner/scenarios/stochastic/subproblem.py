"""One future's recourse problem, kept in a HiGHS instance and changed in place.

The subproblem is the future's whole model plus one row per here-and-now column,

    x_j + e⁺_j − e⁻_j = x̂_j        (j here-and-now; e± are held out of the rows, coefficient 0)

whose right-hand side carries the master's proposal x̂. Its optimum Q_s(x̂) counts every cost of
the future (here-and-now columns included), and the rows' duals are a subgradient of Q_s at x̂.
When x̂ leaves the future without any feasible recourse, the same instance solves the phase-1
problem instead: e± enter the rows (coefficients ±1) and the cost becomes Σ(e⁺ + e⁻); its optimum
w(x̂) > 0 with the rows' duals v gives the feasibility cut w + v·(x − x̂) ≤ 0. Then everything is
put back.

Moving to another future changes only what differs (coefficients, right-hand sides, costs) with
`planner.solver.solve.update_kept`, as the sweep's `Resolver` does. Every solve of future s starts
from s's own last optimal basis (kept per future: between rounds only the proposal x̂ moves, so a
few dual simplex steps finish it), and a future's first solve from a `start` basis shared by every
worker (the expected-value future's optimum). So each future's solve path, and with it which of
several optimal duals it returns, does not depend on which worker holds it or which future that
worker solved before: the L-shaped rounds are the same on 1 or on k workers.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from planner.config import RunConfig
from planner.model import _lp
from planner.scenarios.stochastic.problem import Assembly, Layout, Numbers
from planner.solver import highs
from planner.solver.solve import Status, kept_highs, map_highs_status, update_kept

COPY = "here_and_now"


@dataclass(frozen=True)
class Eval:
    """One future at one proposal: Q_s(x̂) and its subgradient, or a feasibility cut (feasible False)."""

    scenario: int
    feasible: bool
    value: float  # Q_s(x̂), or the phase-1 infeasibility w(x̂)
    grad: np.ndarray  # over the here-and-now columns
    x: np.ndarray | None = None  # the whole solved point (on request)
    status: str = "optimal"
    cpu_s: float = 0.0  # CPU seconds of the worker process for this future (switch and solve)


class Subproblem:
    """A kept HiGHS model of one future's recourse, switched between futures and proposals in place."""

    def __init__(
        self, layout: Layout, numbers: Numbers, config: RunConfig, start: tuple[np.ndarray, np.ndarray] | None = None
    ) -> None:
        self.layout, self.config = layout, config
        self.start: Any = highs.basis_of_codes(*start) if start is not None else None
        self.bases: dict[int, Any] = {}  # future -> its last optimal basis
        n, nf = layout.n_cols, len(layout.first)
        a = Assembly("subproblem")
        a.cols("x", n, numbers.lower, numbers.upper)
        a.cols("elastic_up", nf)
        a.cols("elastic_down", nf)
        for f in layout.families:
            a.rows(
                f.name,
                f.sense,
                numbers.rhs[f.start : f.start + f.n],
                layout.row[f.t0 : f.t1] - f.start,
                layout.col[f.t0 : f.t1],
                numbers.coef[f.t0 : f.t1],
            )
        self.copy_start = a.rows(COPY, "==", np.zeros(nf), np.arange(nf), layout.first, np.ones(nf))
        self.model = a.objective(np.concatenate([numbers.cost, np.zeros(2 * nf)]))
        self.h: Any = kept_highs(self.model, config)
        # solutions land in a row-less stand-in: HiGHS holds the rows, and the array model's row activity is not needed
        self.sink = _lp.Model("subproblem_solution", n_cols=self.model.n_cols, n_rows=self.model.n_rows)
        key = layout.row * max(n, 1) + layout.col
        self._keys, self._inverse = np.unique(key, return_inverse=True)
        self._merged = self._merge(numbers.coef)
        self.current = numbers

    def _solve(self, scenario: int | None = None) -> tuple[Status, float | None]:
        """Re-solve the kept Highs from the future's last basis (else `start`, else the last one): (status, objective).

        `scenario` None: a phase-1 solve, from the last basis, not remembered.
        """
        if self.config.time_limit_s is not None:
            highs.limit_time(self.h, self.config.time_limit_s)
        basis = self.bases.get(scenario, self.start) if scenario is not None else None
        if basis is not None:
            highs.load_basis(self.h, basis)
        outcome = highs.run_kept(self.h, self.sink)
        status = map_highs_status(outcome.model_status, outcome.has_solution)
        if scenario is not None and status == Status.OPTIMAL:
            self.bases[scenario] = highs.save_basis(self.h)
        return status, outcome.objective

    def basis(self, scenario: int) -> tuple[np.ndarray, np.ndarray]:
        """The last optimal basis of a future as status codes (to start other subproblems from)."""
        return highs.basis_codes(self.bases[scenario])

    def _merge(self, coef: np.ndarray) -> np.ndarray:
        return np.bincount(self._inverse, weights=coef, minlength=len(self._keys))

    def load(self, numbers: Numbers) -> None:
        """Switch to another future: push only the numbers that differ."""
        if numbers is self.current:
            return
        if not (
            np.array_equal(numbers.lower, self.current.lower) and np.array_equal(numbers.upper, self.current.upper)
        ):
            raise ValueError("futures with other column bounds cannot share a subproblem")
        merged = self._merge(numbers.coef)
        moved = np.flatnonzero(merged != self._merged)
        rows, cols = np.divmod(self._keys[moved], max(self.layout.n_cols, 1))
        changed_rows = np.flatnonzero(numbers.rhs != self.current.rhs)
        lo, hi = self.layout.rhs_bounds(numbers.rhs)
        changed_cols = np.flatnonzero(numbers.cost != self.current.cost)
        update_kept(
            self.h,
            coefficients=(rows, cols, merged[moved]),
            row_bounds=(changed_rows.astype(np.int32), lo[changed_rows], hi[changed_rows]),
            costs=(changed_cols, numbers.cost[changed_cols]),
        )
        self._merged, self.current = merged, numbers

    def _bounds(self, lower: np.ndarray, upper: np.ndarray) -> None:
        rows = (self.copy_start + np.arange(len(self.layout.first))).astype(np.int32)
        update_kept(self.h, row_bounds=(rows, lower, upper))

    def evaluate(self, scenario: int, xhat: np.ndarray, want_x: bool = False) -> Eval:
        """Q_s(x̂) with its subgradient, or the phase-1 feasibility cut when x̂ admits no recourse."""
        self._bounds(xhat, xhat)
        result = self._solve(scenario)
        duals = slice(self.copy_start, self.copy_start + len(self.layout.first))
        if result[0] == Status.OPTIMAL and self.sink.solution is not None:
            x = self.sink.solution.col_value[: self.layout.n_cols].copy() if want_x else None
            return Eval(scenario, True, float(result[1] or 0.0), self.sink.solution.row_dual[duals].copy(), x)
        if result[0] != Status.INFEASIBLE:
            raise RuntimeError(f"future {scenario}: the recourse problem ended {result[0]}")
        return self._phase_one(scenario, duals)

    def _phase_one(self, scenario: int, duals: slice) -> Eval:
        n, nf = self.layout.n_cols, len(self.layout.first)
        rows = self.copy_start + np.arange(nf)
        up, down = n + np.arange(nf), n + nf + np.arange(nf)
        update_kept(
            self.h,
            coefficients=(np.r_[rows, rows], np.r_[up, down], np.r_[np.ones(nf), -np.ones(nf)]),
            costs=(np.arange(n + 2 * nf), np.r_[np.zeros(n), np.ones(2 * nf)]),
        )
        try:
            result = self._solve()
            if result[0] != Status.OPTIMAL or self.sink.solution is None:
                raise RuntimeError(f"future {scenario}: no recourse for any here-and-now plan ({result[0]})")
            out = Eval(
                scenario,
                False,
                float(result[1] or 0.0),
                self.sink.solution.row_dual[duals].copy(),
                status="infeasible",
            )
        finally:
            update_kept(
                self.h,
                coefficients=(np.r_[rows, rows], np.r_[up, down], np.zeros(2 * nf)),
                costs=(np.arange(n + 2 * nf), np.r_[self.current.cost, np.zeros(2 * nf)]),
            )
        return out

    def perfect_foresight(self, scenario: int) -> Eval:
        """The future's own optimum with every decision free (its wait-and-see value z*_s) and its plan."""
        nf = len(self.layout.first)
        self._bounds(np.full(nf, -np.inf), np.full(nf, np.inf))
        result = self._solve(scenario)
        if result[0] != Status.OPTIMAL or self.sink.solution is None:
            raise RuntimeError(f"future {scenario} has no feasible plan even with perfect foresight ({result[0]})")
        x = self.sink.solution.col_value[: self.layout.n_cols].copy()
        return Eval(scenario, True, float(result[1] or 0.0), np.zeros(nf), x)
