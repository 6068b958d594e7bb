"""Re-solve fast: keep a built model per structure and re-parameterise it for each new scenario.

Scenarios of a sweep mostly differ in numbers only (a budget, a price, demand scaled). Rebuilding
the model for each repeats the pandas work and the hand-off to the solver. A `Resolver` keeps the
last model of each structure instead, finds which `ModelData` fields changed, re-runs only the
build steps that read them (what each step reads is recorded by `build_model(..., trace=...)`),
and pushes the changed coefficients, right-hand sides and costs into

* the array model (`_lp.Model.update_rows`, `set_objective`), so results, LP files and a MIP's
  fixed-integer re-solve see the new numbers, and
* the `highspy.Highs` the model was handed to (`solve.kept_highs`), changed in place with
  `solve.update_kept` (changeCoeff / changeRowsBounds / changeColsCost), which keeps its simplex basis, so the next
  solve starts from the last optimum (a warm start).

A step whose re-run gives other rows, columns or variables (a latency limit that changes which
clusters may serve a class, a module size, a budget that appears) is a structural change: the
model of that structure is built and solved from scratch instead.

Live what-ifs and sweeps (issue 16) skip the rest of the from-scratch work too: the new case's
`ModelData` is made from the last one by `model.data.update_data` when only settings it knows
changed (budgets, policy numbers, the carbon price, a cluster's capex, demand), and
`solve(..., full=False)` reads the headline KPIs and binding families off the solution arrays
(`results.quick`) instead of extracting every table.
"""

from __future__ import annotations

import logging
import math
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from typing import Any, Literal

import numpy as np
import pandas as pd

from planner.config import RunConfig
from planner.inputs.schema import Inputs
from planner.model import FAMILIES, Built, Trace, _lp, build_model, run_step
from planner.model.data import ModelData, build_data, update_data
from planner.model.variables import Vars, add_variables
from planner.results.extract import Results, extract
from planner.results.kpis import plan_summary
from planner.results.quick import READS, Headline, binding
from planner.solver.solve import SolveResult, Status, kept_highs, solve, solve_kept, update_kept

logger = logging.getLogger(__name__)

Mode = Literal["highs", "pulp", "pulp_warm", "rebuild"]
"""highs: change the kept Highs in place and warm-start it (default); pulp / pulp_warm: change the
array model in place and solve it afresh (pulp: through the configured interface; pulp_warm:
through PuLP, passing the last values as a start);
rebuild: build and solve every scenario from scratch (the reference)."""

STEPS: tuple[Callable[..., object], ...] = (add_variables, *FAMILIES)


class StructureChanged(Exception):
    """A re-run build step gave other rows, columns or variables: build afresh instead."""


@dataclass
class Solved:
    """One scenario's outcome: status, plan KPIs (plan.json numbers) and how it was solved.

    With `solve(..., full=False)`: `plan` holds the headline KPIs only (`results.quick.Headline`),
    `results` is None and `binding` the binding families (`results.quick.binding`).
    """

    status: Status
    objective: float | None
    plan: dict[str, Any] | None
    results: Results | None
    how: str  # "build" (built and solved from scratch) or "warm" (re-parameterised)
    timings: dict[str, float] = field(default_factory=dict)
    simplex_iterations: int | None = None
    binding: dict[str, tuple[int, float, str]] | None = None


@dataclass
class _Entry:
    built: Built
    trace: Trace
    highs: Any = None  # highspy.Highs holding the model, with the last basis
    cost: np.ndarray = field(default_factory=lambda: np.zeros(0))
    inputs: Inputs | None = None  # the case of `built.data`, for `update_data`
    headline: Headline | None = None  # made on the first quick outcome; dropped when a field it reads changes
    key: int = 0  # structure_key of its data


class Recorder:
    """Stands in for `_lp.Model` while a build step is re-run (an `_lp.Builder`): keeps rows and objective as arrays.

    Columns are not made again: `add_vars` hands back the kept ones when their index and bounds
    are the same and raises StructureChanged otherwise. Rows are numbered as in the kept model.
    """

    def __init__(self, model: _lp.Model, variables: Vars) -> None:
        self.model = model
        self.variables: dict[str, pd.Series] = {f.name: getattr(variables, f.name) for f in fields(variables)}
        self.rows: dict[str, pd.Index] = {}
        self.blocks: dict[str, _lp.RowBlock] = {}
        self.objective_terms: dict[str, _lp.Terms] | None = None

    def add_vars(
        self, name: str, index: pd.Index, lb: float | None = 0.0, ub: float | None = None, integer: bool = False
    ) -> pd.Series:
        """The kept columns of this name, if the index and bounds are unchanged."""
        kept = self.variables.get(name)
        if kept is None or self.model.var_specs.get(name) != (lb, ub, integer) or not kept.index.equals(index):
            raise StructureChanged(f"variables '{name}' changed")
        return kept

    def add_rows(self, family: str, lhs: _lp.Terms, sense: str, rhs: float | pd.Series = 0.0) -> None:
        """Record the family's rows as a RowBlock numbered like the kept model's."""
        old = self.model.blocks.get(family)
        block = _lp.row_block(lhs, sense, rhs, old.start if old is not None else 0)
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
    coef_rows: np.ndarray  # global row id of each changed (row, column) coefficient
    coef_cols: np.ndarray
    coef_values: np.ndarray  # the new coefficient (duplicates summed; 0 removes it)
    rhs_rows: np.ndarray  # positions in the block of rows whose right-hand side changed


def structure_key(d: ModelData) -> int:
    """Hash of every set and index in the data (and which optional settings are set): equal keys, same model shape."""
    parts: list[object] = []
    for f in fields(d):
        value = getattr(d, f.name)
        if isinstance(value, pd.Series | pd.Index):
            index = value.index if isinstance(value, pd.Series) else value
            parts.append((f.name, tuple(index.names), _index_key(index)))
        else:
            parts.append((f.name, value is None))
    return hash(tuple(parts))


def _index_key(index: pd.Index) -> tuple[object, ...]:
    """An index's entries as a hashable value: level values and codes (a MultiIndex), not one tuple per entry."""
    if isinstance(index, pd.MultiIndex):
        codes = tuple((str(np.asarray(c).dtype), np.asarray(c).tobytes()) for c in index.codes)
        return (tuple(tuple(level.tolist()) for level in index.levels), codes)
    return tuple(index.tolist())


def same_shape(old: ModelData, new: ModelData, names: set[str]) -> bool:
    """Whether fields `names` of two datasets have the same indexes (values aside) and None in the same places.

    Then the datasets have the same `structure_key` when their other fields are the same objects.
    """
    for name in names:
        x, y = _shape(getattr(old, name)), _shape(getattr(new, name))
        if isinstance(x, pd.Index) and isinstance(y, pd.Index):
            if not (x is y or (x.equals(y) and list(x.names) == list(y.names) and x.dtype == y.dtype)):
                return False
        elif isinstance(x, pd.Index) or isinstance(y, pd.Index) or x != y:
            return False
    return True


def _shape(value: object) -> pd.Index | bool:
    """What `structure_key` sees of a field: a Series' index, an Index, or whether a setting is None."""
    if isinstance(value, pd.Series):
        return value.index
    return value if isinstance(value, pd.Index) else value is None


def changed_fields(old: ModelData, new: ModelData, names: set[str] | None = None) -> set[str]:
    """Names of the ModelData fields (all, or those in `names`) whose values differ."""
    out = set()
    for name in [f.name for f in fields(old)] if names is None else sorted(names):
        a, b = getattr(old, name), getattr(new, name)
        same = a is b or (a.equals(b) if isinstance(a, pd.Series | pd.Index) else a == b)
        if not same:
            out.add(name)
    return out


class Resolver:
    """Solves scenario after scenario, re-using the model of each structure (see the module doc)."""

    def __init__(self, config: RunConfig, mode: Mode = "highs", max_models: int = 4) -> None:
        self.config = config
        self.mode: Mode = mode if config.solver == "highs" or mode == "rebuild" else "pulp"
        self.max_models = max_models
        self._entries: OrderedDict[int, _Entry] = OrderedDict()

    def solve(self, inputs: Inputs, full: bool = True) -> Solved:
        """Solve one validated case; returns its status and plan KPIs (only the headline ones without `full`)."""
        timings: dict[str, float] = {}
        clock = time.perf_counter()
        data, recomputed, source = self._data(inputs)
        timings["data_s"] = time.perf_counter() - clock
        same = source is not None and recomputed is not None and same_shape(source.built.data, data, recomputed)
        key = source.key if same and source is not None else structure_key(data)
        entry = self._entries.get(key) if self.mode != "rebuild" else None
        clock = time.perf_counter()
        how = "warm"
        if entry is not None:
            try:
                changes, objective, changed = _changes(entry, data, recomputed if entry is source else None)
            except StructureChanged as why:
                logger.info("model structure changed (%s): building afresh", why)
                entry = None
        if entry is None:
            how, entry = "build", self._build(key, data, inputs.scenario.name)
            entry.inputs = inputs
            timings["build_s"] = time.perf_counter() - clock
            clock = time.perf_counter()
            result, iterations = self._first_solve(entry)
        else:
            self._entries.move_to_end(key)
            self._apply(entry, changes, objective, data)
            entry.inputs = inputs
            if changed & READS:
                entry.headline = None
            timings["update_s"] = time.perf_counter() - clock
            clock = time.perf_counter()
            result, iterations = self._resolve(entry)
        timings["solve_s"] = time.perf_counter() - clock
        return self._outcome(entry, result, how, timings, iterations, full)

    def _data(self, inputs: Inputs) -> tuple[ModelData, set[str] | None, _Entry | None]:
        """The case's ModelData: from the last model's by `update_data` when it can, else `build_data`.

        Also the fields recomputed and the entry they were recomputed from (None, None after `build_data`).
        """
        last = next(reversed(self._entries.values())) if self._entries and self.mode != "rebuild" else None
        if last is not None and last.inputs is not None:
            updated = update_data(last.built.data, last.inputs, inputs)
            if updated is not None:
                return updated[0], updated[1], last
        return build_data(inputs), None, None

    # ------------------------------------------------------------------ building and keeping

    def _build(self, key: int, data: ModelData, name: str) -> _Entry:
        trace = Trace()
        entry = _Entry(build_model(data, name, trace), trace, key=key)
        if self.mode != "rebuild":
            self._entries[key] = entry
            self._entries.move_to_end(key)
            while len(self._entries) > self.max_models:
                self._entries.popitem(last=False)
        return entry

    def _first_solve(self, entry: _Entry) -> tuple[SolveResult, int | None]:
        """Solve a freshly built model; in `highs` mode through a Highs kept for warm solves."""
        model = entry.built.model
        entry.cost = model.cost()
        if self.mode != "highs":
            return solve(model, self.config), None
        entry.highs = kept_highs(model, self.config)
        result = solve_kept(entry.highs, model, self.config)
        return result, None

    def _apply(
        self, entry: _Entry, changes: list[_Change], objective: dict[str, _lp.Terms] | None, data: ModelData
    ) -> None:
        """Write the changes into the array model and, in `highs` mode, into the kept Highs."""
        model = entry.built.model
        h = entry.highs if self.mode == "highs" else None
        for change in changes:
            if h is not None:
                _highs_rows(h, change)
            model.update_rows(change.family, change.block)
        if objective is not None:
            model.set_objective(objective)
            cost = model.cost()
            moved = np.flatnonzero(cost != entry.cost)
            if h is not None and len(moved):
                update_kept(h, costs=(moved, cost[moved]))
            entry.cost = cost
        entry.built.data = data

    def _resolve(self, entry: _Entry) -> tuple[SolveResult, int | None]:
        if self.mode != "highs" or entry.highs is None:
            return solve(entry.built.model, self.config, warm_start=self.mode == "pulp_warm"), None
        result = solve_kept(entry.highs, entry.built.model, self.config)
        return result, None if result.iterations is None else result.iterations["simplex"]

    def _outcome(
        self,
        entry: _Entry,
        result: SolveResult,
        how: str,
        timings: dict[str, float],
        iterations: int | None,
        full: bool = True,
    ) -> Solved:
        clock = time.perf_counter()
        has_plan = result.status in (Status.OPTIMAL, Status.FEASIBLE)
        results = plan = binds = None
        model = entry.built.model
        if has_plan and not full and model.solution is not None:
            if entry.headline is None:
                entry.headline = Headline(entry.built)
            plan = {
                "status": str(result.status),
                "gap": result.gap,
                **entry.headline.kpis(model.solution.col_value, result.objective),
            }
            binds = binding(model)
        elif has_plan:
            note = (
                "mixed-integer plan: shadow prices of the MIP solve itself, not meaningful (no fixed-integer re-solve "
                "here)"
                if model.is_mip
                else ""
            )
            results = extract(entry.built, result, duals_note=note)
            plan = {"status": str(result.status), "gap": result.gap, **plan_summary(results, entry.built.data)}
        timings["results_s"] = time.perf_counter() - clock
        objective = result.objective if has_plan else None
        return Solved(result.status, objective, plan, results, how, timings, iterations, binds)


def _changes(
    entry: _Entry, data: ModelData, names: set[str] | None = None
) -> tuple[list[_Change], dict[str, _lp.Terms] | None, set[str]]:
    """Re-run the build steps that read a changed field; raise StructureChanged if their shape moved.

    `names`: the only fields that may have changed (all when None). Returns the changes, the new objective's terms
    (None when unchanged) and the fields that changed.
    """
    changed = changed_fields(entry.built.data, data, names)
    changes: list[_Change] = []
    objective = None
    reads: dict[str, frozenset[str]] = {}
    for step in STEPS:
        name = step.__name__
        if not entry.trace.reads[name] & changed:
            continue
        if step is add_variables:
            # the variables come from the data's indexes only (variables.py; tests/test_resolve.py holds it), and the
            # entry was found by the data's structure_key, a hash of every index: the kept variables are the same
            continue
        recorder, local = Recorder(entry.built.model, entry.built.vars), Trace()
        run_step(step, recorder, data, local, *(() if step is add_variables else (entry.built.vars,)))
        reads[name] = local.reads[name]
        if set(local.rows[name]) != set(entry.trace.rows[name]):
            raise StructureChanged(f"{name} adds other row families")
        changes.extend(
            _diff(family, entry.built.model.blocks[family], recorder.blocks[family]) for family in local.rows[name]
        )
        if recorder.objective_terms is not None:
            objective = recorder.objective_terms
    entry.trace.reads.update(reads)
    return changes, objective, changed


def _diff(family: str, old: _lp.RowBlock, new: _lp.RowBlock) -> _Change:
    """Coefficients and right-hand sides that changed; same rows and columns or StructureChanged."""
    same = old.start == new.start and old.sense == new.sense and old.index.equals(new.index)
    if not same or not np.array_equal(old.row, new.row) or not np.array_equal(old.col, new.col):
        raise StructureChanged(f"rows of {family} changed")
    moved_terms = np.flatnonzero(old.coef != new.coef)
    rows = cols = values = np.zeros(0)
    if len(moved_terms):
        # a column may appear more than once in a row: the solver holds the sum
        width = int(new.col.max()) + 1
        key = new.row * width + new.col
        merged, inverse = np.unique(key, return_inverse=True)
        total = np.bincount(inverse, weights=new.coef, minlength=len(merged))
        moved = np.unique(inverse[moved_terms])
        rows, cols = np.divmod(merged[moved], width)
        values = total[moved]
    return _Change(family, new, rows, cols, values, np.flatnonzero(old.rhs != new.rhs))


def _highs_rows(h: Any, change: _Change) -> None:  # noqa: ANN401 - a highspy.Highs
    """Push a family's changed coefficients and row bounds into the kept Highs."""
    bounds = None
    if len(change.rhs_rows):
        block = change.block
        rows = (block.start + change.rhs_rows).astype(np.int32)
        rhs = block.rhs[change.rhs_rows]
        inf = np.full(len(rows), math.inf)
        bounds = (rows, -inf if block.sense == "<=" else rhs, inf if block.sense == ">=" else rhs)
    update_kept(h, coefficients=(change.coef_rows, change.coef_cols, change.coef_values), row_bounds=bounds)
