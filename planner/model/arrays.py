"""The model as arrays: columns in blocks, rows as `RowBlock`s, the CSR matrix and the solved point.

`Model.add_rows` numbers the distinct keys of a family's `Terms` and keeps the entries as arrays,
so the whole constraint matrix is a few numpy arrays (`Model.matrix`): the HiGHS path hands them to
highspy in one call (see `planner/solver/highs.py`), without a Python loop per non-zero.
`Model.prob` is the same model as a PuLP `LpProblem`, built on demand (`pulp_view`). Solved values
come back into `Model.solution` on either path, so results read one place.

`Builder` is what a build step (`add_variables`, a family, the objective) may call: both `Model`
and the re-solver's `Recorder` satisfy it, so the families' signatures say the truth.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, runtime_checkable

import numpy as np
import pandas as pd

from planner.model.keys import factorize_codes, label
from planner.model.terms import Terms, align

if TYPE_CHECKING:
    import pulp  # the PuLP view is built on demand: importing PuLP costs ~0.2 s, a HiGHS run never needs it

SENSES = ("<=", ">=", "==")


@runtime_checkable
class Builder(Protocol):
    """What a build step may call on the model it builds (a `Model`, or the re-solver's `Recorder`)."""

    def add_vars(
        self, name: str, index: pd.Index, lb: float | None = 0.0, ub: float | None = None, integer: bool = False
    ) -> pd.Series:
        """A block of columns on `index`, as a Series of column ids."""
        ...

    def add_rows(self, family: str, lhs: Terms, sense: str, rhs: float | pd.Series = 0.0) -> None:
        """One row per distinct key of `lhs`."""
        ...

    def set_objective(self, parts: dict[str, Terms]) -> None:
        """The objective as named cost terms."""
        ...

    @property
    def rows(self) -> Mapping[str, pd.Index]:
        """Family -> row keys added so far."""
        ...


@dataclass
class Solution:
    """Solved values in column and row order (NaN where the solver gave none)."""

    col_value: np.ndarray
    row_dual: np.ndarray
    row_slack: np.ndarray


@dataclass
class RowBlock:
    """One family's rows: global row ids start..start+len(index), their sense and right-hand side."""

    start: int
    index: pd.Index
    sense: str
    rhs: np.ndarray
    row: np.ndarray  # global row id per term
    col: np.ndarray
    coef: np.ndarray


def row_block(lhs: Terms, sense: str, rhs: float | pd.Series = 0.0, start: int = 0) -> RowBlock | None:
    """One row per distinct key of `lhs`, numbered from `start` (rows sorted by key); None if there are no terms."""
    if sense not in SENSES:
        msg = f"unknown sense {sense!r}"
        raise ValueError(msg)
    if lhs.empty:
        return None
    codes, uniques = factorize_codes(lhs.names, lhs.codes, lhs.levels)
    if isinstance(rhs, pd.Series):
        rhs_values = np.nan_to_num(align(rhs, uniques).to_numpy(dtype=float), nan=0.0)
    else:
        rhs_values = np.full(len(uniques), float(rhs))
    return RowBlock(
        start,
        uniques,
        sense,
        rhs_values,
        codes + start,
        np.asarray(lhs.var, dtype=np.int64),
        np.asarray(lhs.coef, dtype=float),
    )


@dataclass
class Model:
    """A linear model held as arrays; `prob` gives the PuLP view, `matrix` the CSR view."""

    name: str
    cols: dict[str, pd.Index] = field(default_factory=dict)
    col_start: dict[str, int] = field(default_factory=dict)
    lower: list[np.ndarray] = field(default_factory=list)
    upper: list[np.ndarray] = field(default_factory=list)
    integer: list[np.ndarray] = field(default_factory=list)
    blocks: dict[str, RowBlock] = field(default_factory=dict)
    objective_terms: dict[str, Terms] = field(default_factory=dict)
    n_cols: int = 0
    n_rows: int = 0
    solution: Solution | None = None
    _prob: pulp.LpProblem | None = None
    _pulp_cols: list[pulp.LpVariable] = field(default_factory=list)
    var_specs: dict[str, tuple[float | None, float | None, bool]] = field(default_factory=dict)

    def add_vars(
        self, name: str, index: pd.Index, lb: float | None = 0.0, ub: float | None = None, integer: bool = False
    ) -> pd.Series:
        """A block of columns, one per index entry, as an int64 Series of column ids on that index."""
        n = len(index)
        self.var_specs[name] = (lb, ub, integer)
        self.cols[name], self.col_start[name] = index, self.n_cols
        self.lower.append(np.full(n, -np.inf if lb is None else lb))
        self.upper.append(np.full(n, np.inf if ub is None else ub))
        self.integer.append(np.full(n, integer))
        ids = np.arange(self.n_cols, self.n_cols + n, dtype=np.int64)
        self.n_cols += n
        self._prob = None
        return pd.Series(ids, index=index, name=name)

    def add_rows(self, family: str, lhs: Terms, sense: str, rhs: float | pd.Series = 0.0) -> None:
        """Add one row per distinct key of `lhs`: sum of its terms <sense> rhs[key]."""
        if family in self.blocks:
            msg = f"constraint family {family!r} added twice"
            raise ValueError(msg)
        block = row_block(lhs, sense, rhs, self.n_rows)
        if block is None:
            return
        self.blocks[family] = block
        self.n_rows += len(block.index)
        self._prob = None

    def update_rows(self, family: str, block: RowBlock) -> None:
        """Replace a family's coefficients and right-hand sides by `block`'s (same rows and columns)."""
        old = self.blocks[family]
        if (
            block.start != old.start
            or not old.index.equals(block.index)
            or not np.array_equal(old.row, block.row)
            or not np.array_equal(old.col, block.col)
        ):
            msg = f"rows of {family} changed shape: build the model afresh"
            raise ValueError(msg)
        self.blocks[family] = block
        self._prob = None

    def set_upper(self, ids: np.ndarray, upper: float | None) -> None:
        """Set the upper bound of the given columns (None: no bound)."""
        ids = np.asarray(ids, dtype=np.int64)
        for k, name in enumerate(self.cols):
            start = self.col_start[name]
            inside = ids[(ids >= start) & (ids < start + len(self.upper[k]))]
            if len(inside):
                self.upper[k] = self.upper[k].copy()
                self.upper[k][inside - start] = np.inf if upper is None else upper
        self._prob = None

    def column_names(self) -> np.ndarray:
        """Name of the column block of each column, in column order."""
        return np.repeat(np.array(list(self.cols), dtype=object), [len(index) for index in self.cols.values()])

    def set_objective(self, parts: dict[str, Terms]) -> None:
        """Minimise the sum of the named cost terms; each is kept for reporting."""
        self.objective_terms = parts
        self._prob = None

    # ------------------------------------------------------------------ array views

    @property
    def rows(self) -> dict[str, pd.Index]:
        """Family -> row keys, in row order."""
        return {family: block.index for family, block in self.blocks.items()}

    def labels(self, family: str) -> list[str]:
        """LP row names of a family, `family__key...`."""
        return [label(family, key) for key in self.blocks[family].index]

    def col_labels(self) -> list[str]:
        """LP column names in column order, `variable__key...`."""
        return [label(name, key) for name, index in self.cols.items() for key in index]

    @property
    def nonzeros(self) -> int:
        """Matrix entries as stated by the families (before merging duplicates)."""
        return int(sum(len(b.col) for b in self.blocks.values()))

    @property
    def is_mip(self) -> bool:
        """Whether any column is integer."""
        return bool(self.integer) and bool(np.concatenate(self.integer).any())

    def bounds(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Column lower bounds, upper bounds and integrality flags."""
        if not self.lower:
            empty = np.zeros(0)
            return empty, empty, np.zeros(0, dtype=bool)
        return np.concatenate(self.lower), np.concatenate(self.upper), np.concatenate(self.integer)

    def cost(self) -> np.ndarray:
        """Objective coefficient per column."""
        c = np.zeros(self.n_cols)
        for t in self.objective_terms.values():
            np.add.at(c, t.var, t.coef)
        return c

    def row_bounds(self) -> tuple[np.ndarray, np.ndarray]:
        """Row lower and upper bounds in row order."""
        lo, hi = np.full(self.n_rows, -np.inf), np.full(self.n_rows, np.inf)
        for b in self.blocks.values():
            span = slice(b.start, b.start + len(b.index))
            if b.sense in (">=", "=="):
                lo[span] = b.rhs
            if b.sense in ("<=", "=="):
                hi[span] = b.rhs
        return lo, hi

    def matrix(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Row-wise CSR (starts, column index, value): duplicates summed, zeros dropped."""
        if not self.blocks:
            return np.zeros(self.n_rows + 1, dtype=np.int64), np.zeros(0, dtype=np.int64), np.zeros(0)
        row = np.concatenate([b.row for b in self.blocks.values()])
        col = np.concatenate([b.col for b in self.blocks.values()])
        val = np.concatenate([b.coef for b in self.blocks.values()])
        key = row * max(self.n_cols, 1) + col
        order = np.argsort(key)
        key, val = key[order], val[order]
        first = np.flatnonzero(np.r_[True, key[1:] != key[:-1]])
        val = np.add.reduceat(val, first) if len(val) else val
        key = key[first]
        keep = val != 0
        key, val = key[keep], val[keep]
        row, col = np.divmod(key, max(self.n_cols, 1))
        starts = np.searchsorted(row, np.arange(self.n_rows + 1))
        return starts.astype(np.int64), col.astype(np.int64), val

    def row_activity(self, x: np.ndarray) -> np.ndarray:
        """A @ x in row order."""
        out = np.zeros(self.n_rows)
        for b in self.blocks.values():
            np.add.at(out, b.row, b.coef * x[b.col])
        return out

    def set_solution(self, col_value: np.ndarray, row_dual: np.ndarray) -> None:
        """Store a solved point; slacks are computed from the rows (rhs - lhs for <=, lhs - rhs else)."""
        activity = self.row_activity(np.nan_to_num(col_value))
        slack = np.zeros(self.n_rows)
        for b in self.blocks.values():
            span = slice(b.start, b.start + len(b.index))
            slack[span] = b.rhs - activity[span] if b.sense == "<=" else activity[span] - b.rhs
        self.solution = Solution(np.asarray(col_value, dtype=float), np.asarray(row_dual, dtype=float), slack)

    def invalidate(self) -> None:
        """Forget the PuLP view after bounds or integrality changed in the arrays."""
        self._prob = None

    @property
    def prob(self) -> pulp.LpProblem:
        """The model as a PuLP LpProblem (built on first use, then kept)."""
        if self._prob is None:
            from planner.model import pulp_view

            self._prob, self._pulp_cols = pulp_view.to_pulp(self)
        return self._prob

    def read_pulp_solution(self) -> None:
        """Copy PuLP's solved values and duals into `solution` (after `prob.solve`)."""
        from planner.model import pulp_view

        x, pi = pulp_view.solved_point(self.prob, self._pulp_cols)
        self.set_solution(x, pi)


def write_model(m: Model, path: str | Path, relax_integers: bool = False) -> None:
    """Write the model as MPS (`.mps`) or CPLEX LP (`.lp`), through the PuLP view; optionally as its LP relaxation."""
    target = str(path)
    if target.endswith(".mps"):
        m.prob.writeMPS(target, mip=not relax_integers)
    else:
        m.prob.writeLP(target, mip=not relax_integers)


def new_model(name: str) -> Model:
    """An empty minimisation model."""
    return Model(name)


def values(m: Model, variables: pd.Series) -> pd.Series:
    """Solved values of a block of columns, on the same index (NaN where the solver gave none)."""
    if m.solution is None:
        out = np.full(len(variables), np.nan)
    else:
        out = m.solution.col_value[variables.to_numpy(dtype=np.int64)]
    return pd.Series(out, index=variables.index, name=variables.name)


def terms_value(m: Model, t: Terms) -> float:
    """Value of a sum of terms at the solved point."""
    if m.solution is None or len(t.var) == 0:
        return 0.0
    return float(np.dot(t.coef, np.nan_to_num(m.solution.col_value[t.var])))


def row_duals(m: Model) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Per family: (dual, slack) arrays in row order."""
    out: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    for family, block in m.blocks.items():
        span = slice(block.start, block.start + len(block.index))
        if m.solution is None:
            nan = np.full(len(block.index), np.nan)
            out[family] = (nan, nan)
        else:
            out[family] = (m.solution.row_dual[span], m.solution.row_slack[span])
    return out
