"""The model as arrays: columns in blocks, rows from term tables, and the one PuLP touch point.

A family states its left-hand side as `Terms`: one entry per (row key, column id, coefficient),
built with pandas/numpy. `Model.add_rows` numbers the distinct keys and keeps the entries as
arrays, so the whole constraint matrix is a few numpy arrays (`Model.matrix`): the HiGHS path
hands them to highspy in one call (see `planner/solver/highs.py`), without a Python loop per non-zero.
`Model.prob` builds the same model as a PuLP `LpProblem` on demand (for CBC, LP files, and
small models), with one `LpAffineExpression.from_list` per row: the only row loop in the code.
Solved values come back into `Model.solution` on either path, so results read one place.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pulp
from pandas.api.types import union_categoricals

SENSES = ("<=", ">=", "==")
_PULP_SENSES = {"<=": pulp.LpConstraintLE, ">=": pulp.LpConstraintGE, "==": pulp.LpConstraintEQ}


def _label(family: str, key: object) -> str:
    """`family__k1__k2`: double underscores separate levels, so ids (no `__`) cannot collide."""
    parts = key if isinstance(key, tuple) else (key,)
    return "__".join([family, *map(str, parts)])


@dataclass(frozen=True)
class Terms:
    """Sparse left-hand side: term i adds coef[i] * column var[i] to the row keyed by keys.iloc[i]."""

    keys: pd.DataFrame
    var: np.ndarray  # int64 column ids
    coef: np.ndarray

    def __add__(self, other: Terms) -> Terms:
        if set(other.keys.columns) != set(self.keys.columns):
            msg = f"cannot add terms keyed by {list(other.keys.columns)} to terms keyed by {list(self.keys.columns)}"
            raise ValueError(msg)
        keys = pd.DataFrame({name: _concat_keys(self.keys[name], other.keys[name]) for name in self.keys.columns})
        return Terms(keys, np.concatenate([self.var, other.var]), np.concatenate([self.coef, other.coef]))

    def __neg__(self) -> Terms:
        return Terms(self.keys, self.var, -self.coef)

    def __sub__(self, other: Terms) -> Terms:
        return self + (-other)

    def __mul__(self, factor: float) -> Terms:
        return Terms(self.keys, self.var, self.coef * factor)

    __rmul__ = __mul__

    def where(self, mask: np.ndarray) -> Terms:
        """Keep only the terms where mask is true."""
        return Terms(self.keys[mask].reset_index(drop=True), self.var[mask], self.coef[mask])


def key_frame(index: pd.Index) -> pd.DataFrame:
    """An index's levels as categorical columns with sorted categories (cheap to group and join)."""
    if isinstance(index, pd.MultiIndex):
        return pd.DataFrame({name: _sorted_categorical(codes, level) for name, codes, level in zip(index.names, index.codes, index.levels, strict=True)})
    codes, uniques = pd.factorize(index)
    return pd.DataFrame({index.name: _sorted_categorical(codes, pd.Index(uniques))})


def _sorted_categorical(codes: np.ndarray, categories: pd.Index) -> pd.Categorical:
    order = np.argsort(categories.to_numpy(), kind="stable")
    rank = np.empty(len(order), dtype=np.int64)
    rank[order] = np.arange(len(order))
    return pd.Categorical.from_codes(rank[np.asarray(codes)], categories=categories.take(order))


def _concat_keys(a: pd.Series, b: pd.Series) -> pd.Series:
    """Concatenate two key columns, keeping them categorical (categories merged and sorted)."""
    if isinstance(a.dtype, pd.CategoricalDtype) and isinstance(b.dtype, pd.CategoricalDtype):
        if a.cat.categories.equals(b.cat.categories):
            return pd.Series(pd.Categorical.from_codes(np.concatenate([a.cat.codes.to_numpy(), b.cat.codes.to_numpy()]), categories=a.cat.categories))
        return pd.Series(union_categoricals([a.array, b.array], sort_categories=True))
    return pd.concat([a.astype(object), b.astype(object)], ignore_index=True)


def terms(variables: pd.Series, by: list[str], coef: float | pd.Series | np.ndarray = 1.0) -> Terms:
    """Terms of `variables` summed into rows keyed by the index levels `by` (one `total` row if empty).

    `coef` is a scalar, an array (one per variable), or a Series aligned to the variables by its
    index level names.
    """
    frame = key_frame(variables.index)
    if isinstance(coef, pd.Series):
        values = align(coef, variables.index).to_numpy(dtype=float)
    else:
        values = np.broadcast_to(np.asarray(coef, dtype=float), (len(variables),)).copy()
    if np.isnan(values).any():
        missing = variables.index[np.isnan(values)][:3].tolist()
        msg = f"coefficient missing for {missing}"
        raise ValueError(msg)
    keys = frame[by].reset_index(drop=True) if by else pd.DataFrame({"scope": pd.Categorical.from_codes(np.zeros(len(frame), dtype=np.int64), categories=["total"])})
    return Terms(keys, variables.to_numpy(dtype=np.int64), values)


def align(s: pd.Series, index: pd.Index) -> pd.Series:
    """Broadcast s onto index by shared level names, e.g. pue[c] onto rows (w,h,c,y)."""
    names = list(s.index.names)
    frame = index.to_frame(index=False)
    keys = pd.MultiIndex.from_frame(frame[names]) if len(names) > 1 else pd.Index(frame[names[0]])
    return pd.Series(s.reindex(keys).to_numpy(), index=index)


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
    if lhs.keys.empty:
        return None
    codes, uniques = _factorize(lhs.keys)
    if isinstance(rhs, pd.Series):
        rhs_values = np.nan_to_num(align(rhs, uniques).to_numpy(dtype=float), nan=0.0)
    else:
        rhs_values = np.full(len(uniques), float(rhs))
    return RowBlock(start, uniques, sense, rhs_values, codes + start, np.asarray(lhs.var, dtype=np.int64), np.asarray(lhs.coef, dtype=float))


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

    def add_vars(self, name: str, index: pd.Index, lb: float | None = 0.0, ub: float | None = None, integer: bool = False) -> pd.Series:
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
        if block.start != old.start or not old.index.equals(block.index) or not np.array_equal(old.row, block.row) or not np.array_equal(old.col, block.col):
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
        return [_label(family, key) for key in self.blocks[family].index]

    def col_labels(self) -> list[str]:
        """LP column names in column order, `variable__key...`."""
        return [_label(name, key) for name, index in self.cols.items() for key in index]

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

    # ------------------------------------------------------------------ the PuLP view

    @property
    def prob(self) -> pulp.LpProblem:
        """The model as a PuLP LpProblem (built on first use, then kept)."""
        if self._prob is None:
            self._prob, self._pulp_cols = self._to_pulp()
        return self._prob

    def _to_pulp(self) -> tuple[pulp.LpProblem, list[pulp.LpVariable]]:
        prob = pulp.LpProblem(self.name, pulp.LpMinimize)
        lower, upper, integer = self.bounds()
        cols: list[pulp.LpVariable] = []
        for name, index in self.cols.items():
            start = self.col_start[name]
            span = slice(start, start + len(index))
            lo, hi, kind = lower[span], upper[span], integer[span]
            labels = [_label(name, key) for key in index]
            if not labels:
                continue
            cat = pulp.LpInteger if kind.any() else pulp.LpContinuous
            block = prob.add_variable_matrix("%s", labels, lowBound=_bound(lo[0]), upBound=_bound(hi[0]), cat=cat)
            if (lo != lo[0]).any() or (hi != hi[0]).any() or (kind != kind[0]).any():
                for k, var in enumerate(block):
                    var.lowBound, var.upBound = _bound(lo[k]), _bound(hi[k])
                    var.cat = pulp.LpInteger if kind[k] else pulp.LpContinuous
            cols.extend(block)
        starts, col, val = self.matrix()
        col_list, val_list = col.tolist(), val.tolist()
        lo, hi = self.row_bounds()
        for family, block in self.blocks.items():
            for i, label in enumerate(self.labels(family)):
                r = block.start + i
                a, b = starts[r], starts[r + 1]
                expr = pulp.LpAffineExpression.from_list([(cols[k], v) for k, v in zip(col_list[a:b], val_list[a:b], strict=True)], constant=-float(block.rhs[i]))
                expr.sense = _PULP_SENSES[block.sense]
                prob.addConstraint(expr, label)
        c = self.cost()
        nz = np.flatnonzero(c)
        prob.setObjective(pulp.LpAffineExpression.from_list([(cols[j], float(c[j])) for j in nz]))
        return prob, cols

    def read_pulp_solution(self) -> None:
        """Copy PuLP's solved values and duals into `solution` (after `prob.solve`)."""
        x = np.array([np.nan if v.varValue is None else v.varValue for v in self._pulp_cols], dtype=float)
        pi = np.array([np.nan if c.pi is None else c.pi for c in self.prob.constraints()], dtype=float)
        self.set_solution(x, pi)


def _bound(value: float) -> float | None:
    return None if np.isinf(value) else float(value)


def _factorize(keys: pd.DataFrame) -> tuple[np.ndarray, pd.Index]:
    """Row number of each term (rows sorted by key) and the distinct keys as a named index."""
    names = list(keys.columns)
    level_codes, level_values = [], []
    for name in names:
        column = keys[name]
        if isinstance(column.dtype, pd.CategoricalDtype) and column.cat.categories.is_monotonic_increasing:
            level_codes.append(column.cat.codes.to_numpy().astype(np.int64))
            level_values.append(pd.Index(column.cat.categories))
        else:
            c, u = pd.factorize(column.astype(object) if isinstance(column.dtype, pd.CategoricalDtype) else column, sort=True)
            level_codes.append(c.astype(np.int64))
            level_values.append(pd.Index(u))
    sizes = [max(len(u), 1) for u in level_values]
    n_keys = float(np.prod(np.asarray(sizes, dtype=float)))
    flat = np.ravel_multi_index(level_codes, sizes) if len(names) > 1 else level_codes[0]
    if n_keys <= 5e7:
        present = np.zeros(int(n_keys), dtype=bool)
        present[flat] = True
        uniques = np.flatnonzero(present)
        position = np.cumsum(present) - 1
        codes = position[flat]
    else:
        uniques, codes = np.unique(flat, return_inverse=True)
    if len(names) == 1:
        return codes.astype(np.int64), pd.Index(level_values[0].take(uniques), name=names[0])
    parts = np.unravel_index(uniques, sizes)
    index = pd.MultiIndex.from_arrays([level_values[k].take(parts[k]) for k in range(len(names))], names=names)
    return codes.astype(np.int64), index


def write_model(m: Model, path: str | Path, relax_integers: bool = False) -> None:
    """Write the model as MPS (`.mps`) or CPLEX LP (`.lp`), through the PuLP view; optionally as its LP relaxation."""
    target = str(path)
    if target.endswith(".mps"):
        m.prob.writeMPS(target, mip=not relax_integers)
    else:
        m.prob.writeLP(target, mip=not relax_integers)


def fix_upper(m: Model, columns: pd.Series, upper: float | None) -> None:
    """Set the upper bound of every column in the Series (None: no bound)."""
    m.set_upper(columns.to_numpy(dtype=np.int64), upper)


ELASTIC = "elastic"


def elastic(m: Model, families: Sequence[str]) -> dict[str, pd.Series]:
    """Let every row of the given families be violated by a non-negative slack column in the row's units.

    Each family gets a block of columns `elastic__<family>` (one per row) whose terms are appended
    to the family's rows: -1 in `<=` rows and +1 in `>=` rows (equalities are not relaxed), with no
    cost: `minimise` prices them. Returns family -> slack columns on the family's row index. Used
    only to diagnose infeasible models, on a model built for that purpose.
    """
    out: dict[str, pd.Series] = {}
    for family in families:
        block = m.blocks.get(family)
        if block is None or block.sense == "==":
            continue
        n = len(block.index)
        ids = m.add_vars(f"{ELASTIC}__{family}", block.index, lb=0.0)
        sign = -1.0 if block.sense == "<=" else 1.0
        rows = np.arange(block.start, block.start + n, dtype=np.int64)
        m.blocks[family] = RowBlock(block.start, block.index, block.sense, block.rhs, np.concatenate([block.row, rows]),
                                    np.concatenate([block.col, ids.to_numpy()]), np.concatenate([block.coef, np.full(n, sign)]))
        out[family] = ids.rename(family)
    m.invalidate()
    return out


def minimise(m: Model, columns: pd.Series, weights: np.ndarray) -> None:
    """Replace the objective by sum_i weights[i] * columns[i]."""
    keys = pd.DataFrame({"scope": pd.Categorical.from_codes(np.zeros(len(columns), dtype=np.int64), categories=["total"])})
    m.set_objective({"minimise": Terms(keys, columns.to_numpy(dtype=np.int64), np.asarray(weights, dtype=float))})


def row_limits(m: Model, family: str) -> tuple[np.ndarray, np.ndarray]:
    """Per row of a family: its right-hand side, and what the row asks for at the solved point.

    The ask is the sum of |a_i x_i| over the terms pushing against the limit: the positive terms
    of a `<=` row (spending, emissions, traffic) and the negative terms of a `>=` row (the floor's
    requirement, e.g. u_min * racks), a column named twice in a row counted once with the summed
    coefficient. Slack columns added by `elastic` are left out.
    """
    block = m.blocks[family]
    n = len(block.index)
    local = block.row - block.start
    key = local * max(m.n_cols, 1) + block.col
    merged, inverse = np.unique(key, return_inverse=True)
    coef = np.bincount(inverse, weights=block.coef, minlength=len(merged))
    row, col = np.divmod(merged, max(m.n_cols, 1))
    x = np.zeros(m.n_cols) if m.solution is None else np.nan_to_num(m.solution.col_value)
    sign = 1.0 if block.sense == "<=" else -1.0
    slack = np.char.startswith(m.column_names()[col].astype(str), f"{ELASTIC}__") if len(col) else np.zeros(0, dtype=bool)
    keep = (coef * sign > 0) & ~slack
    ask = np.bincount(row[keep], weights=np.abs(coef[keep] * x[col[keep]]), minlength=n)
    return block.rhs.astype(float).copy(), ask


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
