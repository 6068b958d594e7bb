"""Re-solve fast: keep a built model per structure and re-parameterise it for each new scenario.

Scenarios of a sweep mostly differ in numbers only (a budget, a price, demand scaled). Rebuilding
the model for each repeats the pandas work and PuLP's hand-off to the solver. A `Resolver` keeps
the last model of each structure instead, finds which `ModelData` fields changed, re-runs only the
build steps that read them (what each step reads is recorded by `build_model(..., trace=...)`),
and pushes the changed coefficients, right-hand sides and costs into

* the PuLP model, so results, LP files and a MIP's fixed-integer re-solve see the new numbers, and
* the `highspy.Highs` object PuLP handed the problem to, which keeps its simplex basis, so the
  next solve starts from the last optimum (a warm start).

This module talks to highspy directly because PuLP makes a fresh `Highs` object on every solve
and so loses the basis: only a kept `Highs` can be changed in place and warm-started.

A step whose re-run gives other rows, columns or variables (a latency limit that changes which
clusters may serve a class, a module size, a budget that appears) is a structural change: the
model of that structure is built and solved from scratch instead.
"""

from __future__ import annotations

import logging
import math
import operator
import time
from collections import OrderedDict
from dataclasses import dataclass, field, fields
from typing import Any, Literal

import numpy as np
import pandas as pd

from planner.config import RunConfig
from planner.data import ModelData, build_data
from planner.kpis import plan_summary
from planner.model import FAMILIES, Built, Trace, _lp, build_model, run_step
from planner.model.variables import Vars, add_variables
from planner.results import Results, extract
from planner.schema import Inputs
from planner.solve import SolveResult, Status, solve, solver_version

logger = logging.getLogger(__name__)

Mode = Literal["highs", "pulp", "pulp_warm", "rebuild"]
"""highs: change the kept Highs in place and warm-start it (default); pulp / pulp_warm: change the
PuLP model in place and let PuLP solve it afresh (pulp_warm passes the last values as a start);
rebuild: build and solve every scenario from scratch (the reference)."""

STEPS = (add_variables, *FAMILIES)


class StructureChanged(Exception):
    """A re-run build step gave other rows, columns or variables: build afresh instead."""


@dataclass
class Solved:
    """One scenario's outcome: status, plan KPIs (plan.json numbers) and how it was solved."""

    status: Status
    objective: float | None
    plan: dict[str, Any] | None
    results: Results | None
    how: str  # "build" (built and solved from scratch) or "warm" (re-parameterised)
    timings: dict[str, float] = field(default_factory=dict)
    simplex_iterations: int | None = None


@dataclass
class _Entry:
    built: Built
    trace: Trace
    highs: Any = None  # highspy.Highs holding the model, with the last basis
    columns: list[Any] = field(default_factory=list)  # PuLP variables in solver column order
    col_of: dict[int, int] = field(default_factory=dict)  # PuLP variable id -> solver column
    cost: np.ndarray = field(default_factory=lambda: np.zeros(0))


class Recorder:
    """Stands in for `_lp.Model` while a build step is re-run: keeps rows and objective as arrays.

    Variables are not made again: `add_vars` hands back the kept ones when their index is the same
    and raises StructureChanged otherwise.
    """

    def __init__(self, model: _lp.Model, variables: Vars) -> None:
        self.model = model
        self.variables = {f.name: getattr(variables, f.name) for f in fields(variables)}
        self.rows: dict[str, pd.Index] = {}
        self.blocks: dict[str, _lp.RowBlock] = {}
        self.objective_terms: dict[str, _lp.Terms] | None = None

    def add_vars(self, name: str, index: pd.Index, lb: float | None = 0.0, ub: float | None = None, integer: bool = False) -> pd.Series:
        """The kept variables of this name, if the index and bounds are unchanged."""
        kept = self.variables.get(name)
        if kept is None or self.model.var_specs.get(name) != (lb, ub, integer) or not kept.index.equals(index):
            raise StructureChanged(f"variables '{name}' changed")
        return kept

    def add_rows(self, family: str, lhs: _lp.Terms, sense: str, rhs: float | pd.Series = 0.0) -> None:
        """Record the family's rows as a RowBlock."""
        block = _lp.row_block(lhs, sense, rhs)
        if block is not None:
            self.blocks[family] = block
            self.rows[family] = block.index

    def set_objective(self, parts: dict[str, _lp.Terms]) -> None:
        """Record the objective's terms."""
        self.objective_terms = parts


@dataclass
class _Change:
    family: str
    block: _lp.RowBlock
    coef_rows: np.ndarray
    rhs_rows: np.ndarray


def structure_key(d: ModelData) -> int:
    """Hash of every set and index in the data (and which optional settings are set): equal keys, same model shape."""
    parts: list[object] = []
    for f in fields(d):
        value = getattr(d, f.name)
        if isinstance(value, pd.Series | pd.Index):
            index = value.index if isinstance(value, pd.Series) else value
            parts.append((f.name, tuple(index.names), tuple(index.tolist())))
        else:
            parts.append((f.name, value is None))
    return hash(tuple(parts))


def changed_fields(old: ModelData, new: ModelData) -> set[str]:
    """Names of the ModelData fields whose values differ."""
    out = set()
    for f in fields(old):
        a, b = getattr(old, f.name), getattr(new, f.name)
        same = a.equals(b) if isinstance(a, pd.Series | pd.Index) else a == b
        if not same:
            out.add(f.name)
    return out


class Resolver:
    """Solves scenario after scenario, re-using the model of each structure (see the module doc)."""

    def __init__(self, config: RunConfig, mode: Mode = "highs", max_models: int = 4) -> None:
        self.config = config
        self.mode: Mode = mode if config.solver == "highs" or mode == "rebuild" else "pulp"
        self.max_models = max_models
        self._entries: OrderedDict[int, _Entry] = OrderedDict()

    def solve(self, inputs: Inputs) -> Solved:
        """Solve one validated case; returns its status and plan KPIs."""
        timings: dict[str, float] = {}
        clock = time.perf_counter()
        data = build_data(inputs)
        timings["data_s"] = time.perf_counter() - clock
        key = structure_key(data)
        entry = self._entries.get(key) if self.mode != "rebuild" else None
        clock = time.perf_counter()
        how = "warm"
        if entry is not None:
            try:
                changes, objective = _changes(entry, data)
            except StructureChanged as why:
                logger.info("model structure changed (%s): building afresh", why)
                entry = None
        if entry is None:
            how, entry = "build", self._build(key, data, inputs.scenario.name)
            timings["build_s"] = time.perf_counter() - clock
            clock = time.perf_counter()
            result = solve(entry.built.model, self.config)
            if self.mode != "rebuild":
                self._keep_solver(entry)
            iterations = None
        else:
            self._apply(entry, changes, objective, data)
            timings["update_s"] = time.perf_counter() - clock
            clock = time.perf_counter()
            result, iterations = self._resolve(entry)
        timings["solve_s"] = time.perf_counter() - clock
        return self._outcome(entry, result, how, timings, iterations)

    # ------------------------------------------------------------------ building and keeping

    def _build(self, key: int, data: ModelData, name: str) -> _Entry:
        trace = Trace()
        entry = _Entry(build_model(data, name, trace), trace)
        if self.mode != "rebuild":
            self._entries[key] = entry
            self._entries.move_to_end(key)
            while len(self._entries) > self.max_models:
                self._entries.popitem(last=False)
        return entry

    def _keep_solver(self, entry: _Entry) -> None:
        """Remember the Highs object PuLP solved with, and the column of each variable."""
        prob = entry.built.model.prob
        entry.highs = getattr(prob, "solverModel", None) if self.config.solver == "highs" else None
        entry.columns = _lp.solver_columns(entry.built.model)
        entry.col_of = {var.id: j for j, var in enumerate(entry.columns)}
        entry.cost = _cost_vector(entry, entry.built.model.objective_terms)

    def _apply(self, entry: _Entry, changes: list[_Change], objective: dict[str, _lp.Terms] | None, data: ModelData) -> None:
        """Write the changes into the PuLP model and, in `highs` mode, into the kept Highs."""
        model = entry.built.model
        h = entry.highs if self.mode == "highs" else None
        for change in changes:
            constraints = model.constraints[change.family]
            if h is not None:
                _highs_rows(h, entry, change, constraints)
            model.update_rows(change.family, change.block, np.union1d(change.coef_rows, change.rhs_rows))
        if objective is not None:
            cost = _cost_vector(entry, objective)
            moved = np.flatnonzero(cost != entry.cost)
            if h is not None and len(moved):
                h.changeColsCost(len(moved), moved.astype(np.int32), cost[moved])
            model.set_objective(objective)
            entry.cost = cost
        entry.built.data = data

    def _resolve(self, entry: _Entry) -> tuple[SolveResult, int | None]:
        if self.mode != "highs" or entry.highs is None:
            result = solve(entry.built.model, self.config, warm_start=self.mode == "pulp_warm")
            self._keep_solver(entry)
            return result, None
        return _run_highs(entry, self.config)

    def _outcome(self, entry: _Entry, result: SolveResult, how: str, timings: dict[str, float], iterations: int | None) -> Solved:
        clock = time.perf_counter()
        has_plan = result.status in (Status.OPTIMAL, Status.FEASIBLE)
        results = plan = None
        if has_plan:
            note = "mixed-integer plan: shadow prices of the MIP solve itself, not meaningful (no fixed-integer re-solve here)" if entry.built.model.prob.isMIP() else ""
            results = extract(entry.built, result, duals_note=note)
            plan = {"status": str(result.status), "gap": result.gap, **plan_summary(results, entry.built.data)}
        timings["results_s"] = time.perf_counter() - clock
        return Solved(result.status, result.objective if has_plan else None, plan, results, how, timings, iterations)


def _changes(entry: _Entry, data: ModelData) -> tuple[list[_Change], dict[str, _lp.Terms] | None]:
    """Re-run the build steps that read a changed field; raise StructureChanged if their shape moved."""
    changed = changed_fields(entry.built.data, data)
    changes: list[_Change] = []
    objective = None
    reads: dict[str, frozenset[str]] = {}
    for step in STEPS:
        name = step.__name__
        if not entry.trace.reads[name] & changed:
            continue
        recorder, local = Recorder(entry.built.model, entry.built.vars), Trace()
        run_step(step, recorder, data, local, *(() if step is add_variables else (entry.built.vars,)))
        reads[name] = local.reads[name]
        if set(local.rows[name]) != set(entry.trace.rows[name]):
            raise StructureChanged(f"{name} adds other row families")
        changes.extend(_diff(family, entry.built.model.blocks[family], recorder.blocks[family]) for family in local.rows[name])
        if recorder.objective_terms is not None:
            objective = recorder.objective_terms
    entry.trace.reads.update(reads)
    return changes, objective


def _diff(family: str, old: _lp.RowBlock, new: _lp.RowBlock) -> _Change:
    """Rows whose coefficients or right-hand side changed; same rows and columns or StructureChanged."""
    if not old.index.equals(new.index) or not np.array_equal(old.starts, new.starts) or not all(map(operator.is_, old.var, new.var)):
        raise StructureChanged(f"rows of {family} changed")
    moved_terms = np.flatnonzero(old.coef != new.coef)
    coef_rows = np.unique(np.searchsorted(old.starts, moved_terms, side="right") - 1)
    return _Change(family, new, coef_rows, np.flatnonzero(old.rhs != new.rhs))


def _columns(entry: _Entry, var: np.ndarray) -> np.ndarray:
    try:
        return np.fromiter((entry.col_of[v.id] for v in var), dtype=np.int64, count=len(var))
    except KeyError as err:
        msg = "a variable the solver never saw is now used"
        raise StructureChanged(msg) from err


def _cost_vector(entry: _Entry, parts: dict[str, _lp.Terms]) -> np.ndarray:
    cost = np.zeros(len(entry.columns))
    for t in parts.values():
        np.add.at(cost, _columns(entry, t.var), t.coef)
    return cost


def _highs_rows(h: Any, entry: _Entry, change: _Change, constraints: list[Any]) -> None:  # noqa: ANN401
    """Push a family's changed coefficients and row bounds into the kept Highs."""
    block = change.block
    for i in change.coef_rows.tolist():
        row = constraints[i].id
        start, stop = block.starts[i], block.starts[i + 1]
        for var, coef in _lp.row_coefficients(block.var[start:stop], block.coef[start:stop]):
            h.changeCoeff(row, entry.col_of[var.id], coef)
    if len(change.rhs_rows):
        rows = np.array([constraints[i].id for i in change.rhs_rows.tolist()], dtype=np.int32)
        rhs = block.rhs[change.rhs_rows]
        inf = np.full(len(rows), math.inf)
        lower = -inf if block.sense == "<=" else rhs
        upper = inf if block.sense == ">=" else rhs
        h.changeRowsBounds(len(rows), rows, lower, upper)


_HIGHS_STATUS = {"kOptimal": Status.OPTIMAL, "kInfeasible": Status.INFEASIBLE, "kUnboundedOrInfeasible": Status.INFEASIBLE, "kUnbounded": Status.UNBOUNDED}
_STOPPED = {"kTimeLimit", "kIterationLimit", "kInterrupt", "kSolutionLimit", "kObjectiveBound", "kObjectiveTarget", "kMemoryLimit"}


def _run_highs(entry: _Entry, config: RunConfig) -> tuple[SolveResult, int]:
    """Solve the kept Highs from its last basis and copy the solution onto the PuLP objects."""
    h = entry.highs
    if config.time_limit_s is not None:
        # HiGHS's clock runs on across run() calls of one Highs object: the limit is for this solve
        h.setOptionValue("time_limit", float(h.getRunTime()) + config.time_limit_s)
    start = time.perf_counter()
    h.run()
    elapsed = time.perf_counter() - start
    name = h.getModelStatus().name
    info = h.getInfo()
    objective = float(info.objective_function_value)
    has_solution = int(info.primal_solution_status) == 2 and math.isfinite(objective)
    status = _HIGHS_STATUS.get(name, Status.FEASIBLE if name in _STOPPED and has_solution else Status.TIME_LIMIT if name in _STOPPED else Status.ERROR)
    if status == Status.OPTIMAL or status == Status.FEASIBLE:
        solution = h.getSolution()
        _lp.assign_solution(entry.built.model, entry.columns, np.asarray(solution.col_value), np.asarray(solution.col_dual), np.asarray(solution.row_value), np.asarray(solution.row_dual))
    mip = bool(entry.built.model.prob.isMIP())
    has_plan = status in (Status.OPTIMAL, Status.FEASIBLE)
    result = SolveResult(
        status=status,
        objective=objective if has_plan else None,
        best_bound=float(info.mip_dual_bound) if mip else None,
        gap=(float(info.mip_gap) if mip else 0.0) if has_plan else None,
        solve_time_s=elapsed,
        solver="highs",
        solver_version=solver_version("highs"),
        options={"time_limit_s": config.time_limit_s, "mip_gap": config.mip_gap, "threads": config.threads, "highs_method": config.highs_method, "warm": True},
        log_path=None,
    )
    return result, int(info.simplex_iteration_count)
