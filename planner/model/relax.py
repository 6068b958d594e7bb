"""Model surgery for diagnosis: slack columns on chosen families, a replacement objective, row asks.

Used only on a model built to explain an infeasible case (`planner/analysis/diagnose.py`).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from planner.model.arrays import Model, RowBlock
from planner.model.terms import terms


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
        m.blocks[family] = RowBlock(
            block.start,
            block.index,
            block.sense,
            block.rhs,
            np.concatenate([block.row, rows]),
            np.concatenate([block.col, ids.to_numpy()]),
            np.concatenate([block.coef, np.full(n, sign)]),
        )
        out[family] = ids.rename(family)
    m.invalidate()
    return out


def minimise(m: Model, columns: pd.Series, weights: np.ndarray) -> None:
    """Replace the objective by sum_i weights[i] * columns[i]."""
    m.set_objective({"minimise": terms(columns, by=[], coef=np.asarray(weights, dtype=float))})


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
    slack = (
        np.char.startswith(m.column_names()[col].astype(str), f"{ELASTIC}__") if len(col) else np.zeros(0, dtype=bool)
    )
    keep = (coef * sign > 0) & ~slack
    ask = np.bincount(row[keep], weights=np.abs(coef[keep] * x[col[keep]]), minlength=n)
    return block.rhs.astype(float).copy(), ask
