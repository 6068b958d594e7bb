"""The PuLP view of the array model: an `LpProblem` for CBC, LP/MPS files and cross-checks.

HiGHS gets the arrays directly (`planner/solver/highs.py`); PuLP is the second path. The row
loop in `to_pulp` (one `LpAffineExpression.from_list` per row) is the only row loop in the code.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal, cast

import numpy as np
import pulp

from planner.model.keys import label

if TYPE_CHECKING:
    from planner.model.arrays import Model

_PULP_SENSES = {"<=": pulp.LpConstraintLE, ">=": pulp.LpConstraintGE, "==": pulp.LpConstraintEQ}


def to_pulp(m: Model) -> tuple[pulp.LpProblem, list[pulp.LpVariable]]:
    """The model as a PuLP LpProblem and its columns, one `from_list` expression per row."""
    prob = pulp.LpProblem(m.name, pulp.LpMinimize)
    lower, upper, integer = m.bounds()
    cols: list[pulp.LpVariable] = []
    for name, index in m.cols.items():
        start = m.col_start[name]
        span = slice(start, start + len(index))
        lo, hi, kind = lower[span], upper[span], integer[span]
        labels = [label(name, key) for key in index]
        if not labels:
            continue
        cat = cast(Literal["Integer", "Continuous"], pulp.LpInteger if kind.any() else pulp.LpContinuous)
        block = prob.add_variable_matrix("%s", labels, lowBound=_bound(lo[0]), upBound=_bound(hi[0]), cat=cat)
        if (lo != lo[0]).any() or (hi != hi[0]).any() or (kind != kind[0]).any():
            for k, var in enumerate(block):
                var.lowBound, var.upBound = _bound(lo[k]), _bound(hi[k])
                var.cat = pulp.LpInteger if kind[k] else pulp.LpContinuous
        cols.extend(block)
    starts, col, val = m.matrix()
    col_list, val_list = col.tolist(), val.tolist()
    lo, hi = m.row_bounds()
    for family, rows in m.blocks.items():
        for i, name in enumerate(m.labels(family)):
            r = rows.start + i
            a, b = starts[r], starts[r + 1]
            expr = pulp.LpAffineExpression.from_list(
                [(cols[k], v) for k, v in zip(col_list[a:b], val_list[a:b], strict=True)], constant=-float(rows.rhs[i])
            )
            expr.sense = _PULP_SENSES[rows.sense]
            prob.addConstraint(expr, name)
    c = m.cost()
    nz = np.flatnonzero(c)
    prob.setObjective(pulp.LpAffineExpression.from_list([(cols[j], float(c[j])) for j in nz]))
    return prob, cols


def solved_point(prob: pulp.LpProblem, cols: list[pulp.LpVariable]) -> tuple[np.ndarray, np.ndarray]:
    """PuLP's solved column values and row duals as arrays (NaN where it gave none)."""
    x = np.array([np.nan if v.varValue is None else v.varValue for v in cols], dtype=float)
    pi = np.array([np.nan if c.pi is None else c.pi for c in prob.constraints()], dtype=float)
    return x, pi


def _bound(value: float) -> float | None:
    return None if np.isinf(value) else float(value)
