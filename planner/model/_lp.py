"""The only place the model builder touches PuLP: variables in blocks, rows from term tables.

A family states its left-hand side as `Terms`: one entry per (row key, variable, coefficient),
built with pandas/numpy. `Model.add_rows` groups the entries by row and makes each row's
expression in one `LpAffineExpression.from_list` call; that loop is the only row loop in the code.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pulp

_SENSES = {"<=": pulp.LpConstraintLE, ">=": pulp.LpConstraintGE, "==": pulp.LpConstraintEQ}


def _label(family: str, key: object) -> str:
    """`family__k1__k2`: double underscores separate levels, so ids (no `__`) cannot collide."""
    parts = key if isinstance(key, tuple) else (key,)
    return "__".join([family, *map(str, parts)])


@dataclass(frozen=True)
class Terms:
    """Sparse left-hand side: term i adds coef[i] * var[i] to the row keyed by keys.iloc[i]."""

    keys: pd.DataFrame
    var: np.ndarray
    coef: np.ndarray

    def __add__(self, other: Terms) -> Terms:
        other_keys = other.keys[list(self.keys.columns)] if set(other.keys.columns) == set(self.keys.columns) else None
        if other_keys is None:
            msg = f"cannot add terms keyed by {list(other.keys.columns)} to terms keyed by {list(self.keys.columns)}"
            raise ValueError(msg)
        return Terms(
            pd.concat([self.keys, other_keys], ignore_index=True),
            np.concatenate([self.var, other.var]),
            np.concatenate([self.coef, other.coef]),
        )

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


def terms(variables: pd.Series, by: list[str], coef: float | pd.Series = 1.0) -> Terms:
    """Terms of `variables` summed into rows keyed by the index levels `by` (one `total` row if empty).

    `coef` is a scalar or a Series aligned to the variables by its index level names.
    """
    frame = variables.index.to_frame(index=False)
    values = np.full(len(variables), float(coef)) if not isinstance(coef, pd.Series) else align(coef, variables.index).to_numpy(dtype=float)
    if np.isnan(values).any():
        missing = variables.index[np.isnan(values)][:3].tolist()
        msg = f"coefficient missing for {missing}"
        raise ValueError(msg)
    keys = frame[by].reset_index(drop=True) if by else pd.DataFrame({"scope": np.full(len(frame), "total")})
    return Terms(keys, variables.to_numpy(dtype=object), values)


def align(s: pd.Series, index: pd.Index) -> pd.Series:
    """Broadcast s onto index by shared level names, e.g. pue[c] onto rows (w,h,c,y)."""
    names = list(s.index.names)
    frame = index.to_frame(index=False)
    keys = pd.MultiIndex.from_frame(frame[names]) if len(names) > 1 else pd.Index(frame[names[0]])
    return pd.Series(s.reindex(keys).to_numpy(), index=index)


@dataclass(frozen=True)
class RowBlock:
    """One family's rows as arrays: row i (key index[i]) holds terms starts[i]:starts[i+1] of var/coef."""

    index: pd.Index
    starts: np.ndarray
    var: np.ndarray  # object array of variables, grouped by row
    coef: np.ndarray
    rhs: np.ndarray
    sense: str


def row_block(lhs: Terms, sense: str, rhs: float | pd.Series = 0.0) -> RowBlock | None:
    """Group terms into rows sorted by key, with each row's right-hand side; None if there are no terms."""
    if lhs.keys.empty:
        return None
    index = pd.MultiIndex.from_frame(lhs.keys) if lhs.keys.shape[1] > 1 else pd.Index(lhs.keys.iloc[:, 0])
    codes, uniques = pd.factorize(index, sort=True)
    uniques = uniques.set_names(list(lhs.keys.columns)) if isinstance(uniques, pd.MultiIndex) else pd.Index(uniques, name=lhs.keys.columns[0])
    rhs_values = np.nan_to_num(align(rhs, uniques).to_numpy(dtype=float), nan=0.0) if isinstance(rhs, pd.Series) else np.full(len(uniques), float(rhs))
    order = np.argsort(codes, kind="stable")
    starts = np.searchsorted(codes[order], np.arange(len(uniques) + 1))
    return RowBlock(uniques, starts, lhs.var[order], lhs.coef[order], rhs_values, sense)


def row_coefficients(var: np.ndarray, coef: np.ndarray) -> list[tuple[pulp.LpVariable, float]]:
    """(variable, coefficient) pairs of one row, a variable named twice getting the sum."""
    first: dict[int, pulp.LpVariable] = {}
    total: dict[int, float] = {}
    for v, c in zip(var.tolist(), coef.tolist(), strict=True):
        first.setdefault(id(v), v)
        total[id(v)] = total.get(id(v), 0.0) + c
    return [(first[k], total[k]) for k in first]


@dataclass
class Model:
    """One LpProblem plus what each family created: row index and labels, variable blocks."""

    prob: pulp.LpProblem
    rows: dict[str, pd.Index] = field(default_factory=dict)
    labels: dict[str, list[str]] = field(default_factory=dict)
    objective_terms: dict[str, Terms] = field(default_factory=dict)
    nonzeros: int = 0
    blocks: dict[str, RowBlock] = field(default_factory=dict)
    constraints: dict[str, list[pulp.LpConstraint]] = field(default_factory=dict)
    var_specs: dict[str, tuple[float | None, float | None, bool]] = field(default_factory=dict)

    def add_vars(self, name: str, index: pd.Index, lb: float | None = 0.0, ub: float | None = None, integer: bool = False) -> pd.Series:
        """One variable per index entry, made in one block, as an object Series on that index."""
        labels = [_label(name, k) for k in index]
        self.var_specs[name] = (lb, ub, integer)
        cat = pulp.LpInteger if integer else pulp.LpContinuous
        cols = self.prob.add_variable_matrix("%s", labels, lowBound=lb, upBound=ub, cat=cat) if labels else []
        return pd.Series(cols, index=index, name=name, dtype=object)

    def add_rows(self, family: str, lhs: Terms, sense: str, rhs: float | pd.Series = 0.0) -> None:
        """Add one row per distinct key of `lhs`: sum of its terms <sense> rhs[key]."""
        block = row_block(lhs, sense, rhs)
        if block is None:
            return
        keep = block.coef != 0.0  # zero terms stay in the block (its shape) but not in the rows
        labels, constraints, py_sense = [], [], _SENSES[sense]
        for i, key in enumerate(block.index):
            start, stop = block.starts[i], block.starts[i + 1]
            nonzero = keep[start:stop]
            pairs = list(zip(block.var[start:stop][nonzero].tolist(), block.coef[start:stop][nonzero].tolist(), strict=True))
            expr = pulp.LpAffineExpression.from_list(pairs, constant=-block.rhs[i])
            expr.sense = py_sense
            label = _label(family, key)
            constraints.append(self.prob.addConstraint(expr, label))
            labels.append(label)
        if family in self.rows:
            msg = f"constraint family {family!r} added twice"
            raise ValueError(msg)
        self.rows[family] = block.index
        self.labels[family] = labels
        self.blocks[family] = block
        self.constraints[family] = constraints
        self.nonzeros += int(np.count_nonzero(block.coef))

    def update_rows(self, family: str, block: RowBlock, rows: np.ndarray) -> None:
        """Give rows `rows` of a family the coefficients and right-hand sides in `block` (same rows and columns)."""
        constraints = self.constraints[family]
        for i in rows.tolist():
            start, stop = block.starts[i], block.starts[i + 1]
            for var, coef in row_coefficients(block.var[start:stop], block.coef[start:stop]):
                constraints[i].set_coefficient(var, coef)
            constraints[i].changeRHS(float(block.rhs[i]))
        self.blocks[family] = block

    def set_objective(self, parts: dict[str, Terms]) -> None:
        """Minimise the sum of the named cost terms; each is kept for reporting."""
        self.objective_terms = parts
        pairs = [(v, c) for t in parts.values() for v, c in zip(t.var.tolist(), t.coef.tolist(), strict=True)]
        self.prob.setObjective(pulp.LpAffineExpression.from_list(pairs))
        self.nonzeros += 0

    @property
    def n_rows(self) -> int:
        """Rows in the model."""
        return int(self.prob.numConstraints())

    @property
    def n_cols(self) -> int:
        """Columns (variables) in the model."""
        return int(self.prob.numVariables())


def write_model(m: Model, path: str | Path, relax_integers: bool = False) -> None:
    """Write the model as MPS (`.mps`) or CPLEX LP (`.lp`); optionally as its LP relaxation."""
    target = str(path)
    if target.endswith(".mps"):
        m.prob.writeMPS(target, mip=not relax_integers)
    else:
        m.prob.writeLP(target, mip=not relax_integers)


def fix_upper(variables: pd.Series, upper: float | None) -> None:
    """Set the upper bound of every variable in the Series (None: no bound)."""
    for var in variables.to_numpy():
        var.upBound = upper


def elastic(m: Model, families: Sequence[str]) -> dict[str, pd.Series]:
    """Let every row of the given families be violated by a non-negative slack column in the row's units.

    The slack enters `<=` rows with -1 and `>=` rows with +1 (equalities are not relaxed), with no
    cost: `minimise` prices them. Returns family -> slack columns on the family's row index. Used
    only to diagnose infeasible models, on a model built for that purpose.
    """
    by_name = {c.name: c for c in m.prob.constraints()}
    out: dict[str, pd.Series] = {}
    for family in families:
        cons = [by_name[label] for label in m.labels.get(family, [])]
        if not cons or any(c.sense == pulp.LpConstraintEQ for c in cons):
            continue
        cols = [
            m.prob.add_column(_label("elastic", label), lowBound=0.0, coefficients={c: -1.0 if c.sense == pulp.LpConstraintLE else 1.0})
            for c, label in zip(cons, m.labels[family], strict=True)
        ]
        out[family] = pd.Series(cols, index=m.rows[family], name=family, dtype=object)
    return out


def minimise(m: Model, columns: pd.Series, weights: np.ndarray) -> None:
    """Replace the objective by sum_i weights[i] * columns[i]."""
    m.prob.setObjective(pulp.LpAffineExpression.from_list(list(zip(columns.tolist(), np.asarray(weights, dtype=float).tolist(), strict=True))))


def row_limits(m: Model, family: str) -> tuple[np.ndarray, np.ndarray]:
    """Per row of a family: its right-hand side, and what the row asks for at the solved point.

    The ask is the sum of |a_i x_i| over the terms pushing against the limit: the positive terms
    of a `<=` row (spending, emissions, traffic) and the negative terms of a `>=` row (the floor's
    requirement, e.g. u_min * racks). Slack columns added by `elastic` are left out.
    """
    rhs, ask = [], []
    for label in m.labels[family]:
        c = m.prob.get_constraint_by_name(label)
        sign = 1.0 if c.sense == pulp.LpConstraintLE else -1.0
        rhs.append(-c.constant)
        ask.append(sum(abs(a * (v.varValue or 0.0)) for v, a in c.items() if a * sign > 0 and not v.name.startswith("elastic__")))
    return np.array(rhs, dtype=float), np.array(ask, dtype=float)


def new_model(name: str) -> Model:
    """An empty minimisation model."""
    return Model(pulp.LpProblem(name, pulp.LpMinimize))


def values(variables: pd.Series) -> pd.Series:
    """Solved values of a variable Series, on the same index (NaN where the solver gave none)."""
    out = np.fromiter((np.nan if v.varValue is None else v.varValue for v in variables.to_numpy()), dtype=float, count=len(variables))
    return pd.Series(out, index=variables.index, name=variables.name)


def terms_value(t: Terms) -> float:
    """Value of a sum of terms at the solved point."""
    x = np.fromiter((0.0 if v.varValue is None else v.varValue for v in t.var), dtype=float, count=len(t.var))
    return float(np.dot(t.coef, x))


def row_duals(m: Model) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Per family: (dual, slack) arrays in row order."""
    by_name = {c.name: c for c in m.prob.constraints()}
    out: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    for family, labels in m.labels.items():
        cons = [by_name[label] for label in labels]
        pi = np.array([np.nan if c.pi is None else c.pi for c in cons], dtype=float)
        slack = np.array([np.nan if c.slack is None else c.slack for c in cons], dtype=float)
        out[family] = (pi, slack)
    return out


def assign_solution(m: Model, columns: list[pulp.LpVariable], col_value: np.ndarray, col_dual: np.ndarray, row_value: np.ndarray, row_dual: np.ndarray) -> None:
    """Store a solver's solution on the PuLP objects (columns in solver order, rows in PuLP order)."""
    for var, x, dj in zip(columns, col_value.tolist(), col_dual.tolist(), strict=True):
        var.varValue = x
        var.dj = dj
    for constraint in m.prob.constraints():
        r = constraint.id
        slack = constraint.constant + row_value[r]
        constraint.slack = -slack if constraint.sense == pulp.LpConstraintLE else slack
        constraint.pi = row_dual[r]


def solver_columns(m: Model) -> list[pulp.LpVariable]:
    """The variables in the order PuLP hands them to a solver as columns."""
    return m.prob.exported_variables()
