"""The array-model toolkit in one import: what families, the solver and the analyses use.

The pieces live in their own modules: `terms` (term algebra and the broadcast/subset helpers),
`keys` (labels, key factorisation), `arrays` (the `Model`, its row blocks and solved point, the
`Builder` protocol), `pulp_view` (the PuLP `LpProblem`, imported on first use) and `relax` (diagnosis
surgery). Import `from planner.model import _lp` and write `_lp.terms(...)`, as the families do.
"""

from __future__ import annotations

from planner.model.arrays import (
    SENSES,
    Builder,
    Model,
    RowBlock,
    Solution,
    new_model,
    row_block,
    row_duals,
    terms_value,
    values,
    write_model,
)
from planner.model.keys import factorize, label
from planner.model.relax import ELASTIC, elastic, fix_upper, minimise, row_limits
from planner.model.terms import Terms, align, broadcast, key_frame, running_total, subset, terms

__all__ = [
    "ELASTIC",
    "SENSES",
    "Builder",
    "Model",
    "RowBlock",
    "Solution",
    "Terms",
    "align",
    "broadcast",
    "elastic",
    "factorize",
    "fix_upper",
    "key_frame",
    "label",
    "minimise",
    "new_model",
    "row_block",
    "row_duals",
    "row_limits",
    "running_total",
    "subset",
    "terms",
    "terms_value",
    "values",
    "write_model",
]
