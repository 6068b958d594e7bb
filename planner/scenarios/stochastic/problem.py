"""A two-stage problem as arrays: one shared model structure, one set of numbers per future.

Every future's model is built by the ordinary builder (`planner.model.build_model`); futures that
differ in numbers only (demand, prices, limits) give the same rows, columns and matrix positions,
so the problem is held once as a `Layout` (structure, which columns are here-and-now) plus one
`Numbers` per future (costs, right-hand sides, coefficients, column bounds).

Here-and-now (first-stage) columns: `racks_new`, `bandwidth_new` and `modules` in years up to the
commitment year; everything else (load placement, energy, certificates, unmet demand, later
builds) is wait-and-see, one copy per future.

From the two the extensive form (`extensive.py`) and the scenario subproblems of the
decomposition (`benders.py`) are assembled as ordinary `_lp.Model`s, so the hand-off to HiGHS is
the solver stage's own.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from planner.model import _lp
from planner.model.terms import Terms

FIRST_STAGE = ("racks_new", "bandwidth_new", "modules")
"""Column blocks whose entries up to the commitment year are here-and-now decisions."""

SENSE_CODE = {"<=": -1, "==": 0, ">=": 1}


@dataclass(frozen=True)
class Family:
    """One row family of the shared structure: rows start..start+n, terms t0..t1 of the triplets."""

    name: str
    sense: str
    start: int
    n: int
    t0: int
    t1: int


@dataclass(frozen=True)
class Layout:
    """The structure every future shares."""

    n_cols: int
    n_rows: int
    row: np.ndarray  # triplets (with duplicates, as the families state them)
    col: np.ndarray
    families: tuple[Family, ...]
    blocks: dict[str, tuple[int, pd.Index]]  # column block -> (first column id, index)
    integer: np.ndarray
    first: np.ndarray  # here-and-now column ids, ascending

    @property
    def second(self) -> np.ndarray:
        """Wait-and-see column ids, ascending."""
        return np.setdiff1d(np.arange(self.n_cols), self.first)

    def first_labels(self) -> pd.DataFrame:
        """One row per here-and-now column: variable, the keys of its index, and `year`."""
        rows = []
        for name, (start, index) in self.blocks.items():
            ids = self.first[(self.first >= start) & (self.first < start + len(index))]
            for j in ids:
                key = index[j - start]
                key = key if isinstance(key, tuple) else (key,)
                rows.append({"variable": name, **dict(zip(index.names, key, strict=True)), "column": int(j)})
        return pd.DataFrame.from_records(rows)

    def first_scale(self, x: np.ndarray) -> np.ndarray:
        """Per here-and-now column: the largest |x| over its block (racks_new, ...), at least 1 (model units).

        The L-shaped method's trust region is this times its radius: a box as wide for a small
        entry as for the block's largest, in the block's own unit.
        """
        out = np.ones(len(self.first))
        for start, index in self.blocks.values():
            inside = (self.first >= start) & (self.first < start + len(index))
            if inside.any():
                out[inside] = max(1.0, float(np.max(np.abs(x[inside]))))
        return out

    def rhs_bounds(self, rhs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Row lower and upper bounds from right-hand sides and the families' senses."""
        lo, hi = np.full(self.n_rows, -np.inf), np.full(self.n_rows, np.inf)
        for f in self.families:
            span = slice(f.start, f.start + f.n)
            if f.sense in (">=", "=="):
                lo[span] = rhs[span]
            if f.sense in ("<=", "=="):
                hi[span] = rhs[span]
        return lo, hi


@dataclass(frozen=True)
class Numbers:
    """One future's numbers on the shared layout."""

    cost: np.ndarray
    lower: np.ndarray
    upper: np.ndarray
    rhs: np.ndarray
    coef: np.ndarray


class StructureDiffers(ValueError):
    """A future's model has other rows or columns than the first future's."""


def first_stage_columns(model: _lp.Model, commitment_year: int | None) -> np.ndarray:
    """Ids of the here-and-now columns: FIRST_STAGE blocks in years <= commitment_year (None: all years)."""
    ids: list[np.ndarray] = []
    for name in FIRST_STAGE:
        index = model.cols.get(name)
        if index is None or len(index) == 0:
            continue
        years = np.asarray(index.get_level_values("year"), dtype=int)
        keep = np.ones(len(index), dtype=bool) if commitment_year is None else years <= commitment_year
        ids.append(model.col_start[name] + np.flatnonzero(keep))
    return np.sort(np.concatenate(ids)) if ids else np.zeros(0, dtype=np.int64)


def fix_columns(model: _lp.Model, ids: np.ndarray, values: np.ndarray) -> None:
    """Fix the given columns of a built model at `values` (lower = upper), e.g. a committed here-and-now plan."""
    ids = np.asarray(ids, dtype=np.int64)
    for k, name in enumerate(model.cols):
        start = model.col_start[name]
        inside = (ids >= start) & (ids < start + len(model.upper[k]))
        if inside.any():
            model.lower[k], model.upper[k] = model.lower[k].copy(), model.upper[k].copy()
            model.lower[k][ids[inside] - start] = values[inside]
            model.upper[k][ids[inside] - start] = values[inside]
    model.invalidate()


def layout_of(model: _lp.Model, first: np.ndarray) -> Layout:
    """The structure of a built model, with `first` as its here-and-now columns."""
    families, t0 = [], 0
    for name, block in model.blocks.items():
        families.append(Family(name, block.sense, block.start, len(block.index), t0, t0 + len(block.col)))
        t0 += len(block.col)
    row = np.concatenate([b.row for b in model.blocks.values()]) if model.blocks else np.zeros(0, dtype=np.int64)
    col = np.concatenate([b.col for b in model.blocks.values()]) if model.blocks else np.zeros(0, dtype=np.int64)
    _, _, integer = model.bounds()
    blocks = {name: (model.col_start[name], index) for name, index in model.cols.items()}
    return Layout(
        model.n_cols, model.n_rows, row, col, tuple(families), blocks, integer, np.asarray(first, dtype=np.int64)
    )


def numbers_of(model: _lp.Model, layout: Layout) -> Numbers:
    """A built model's numbers on `layout`; StructureDiffers if its rows or columns are other ones."""
    if model.n_cols != layout.n_cols or model.n_rows != layout.n_rows or len(model.blocks) != len(layout.families):
        raise StructureDiffers(
            f"{model.n_rows} rows x {model.n_cols} columns instead of {layout.n_rows} x {layout.n_cols}"
        )
    for f, (name, block) in zip(layout.families, model.blocks.items(), strict=True):
        if (
            f.name != name
            or f.sense != block.sense
            or f.start != block.start
            or f.n != len(block.index)
            or f.t1 - f.t0 != len(block.col)
        ):
            raise StructureDiffers(f"rows of {name} differ")
        if not np.array_equal(layout.row[f.t0 : f.t1], block.row) or not np.array_equal(
            layout.col[f.t0 : f.t1], block.col
        ):
            raise StructureDiffers(f"matrix entries of {name} differ")
    lower, upper, _ = model.bounds()
    rhs = np.concatenate([b.rhs for b in model.blocks.values()]) if model.blocks else np.zeros(0)
    coef = np.concatenate([b.coef for b in model.blocks.values()]) if model.blocks else np.zeros(0)
    return Numbers(model.cost(), lower, upper, rhs, coef)


def mean_numbers(numbers: list[Numbers], probabilities: np.ndarray) -> Numbers:
    """The expected-value future: every number weighted by the futures' probabilities."""

    def avg(attr: str) -> np.ndarray:
        stack = np.stack([getattr(n, attr) for n in numbers])
        finite = np.isfinite(stack).all(axis=0)
        out = np.where(finite, np.tensordot(probabilities, np.where(np.isfinite(stack), stack, 0.0), axes=1), stack[0])
        return np.asarray(out, dtype=float)

    return Numbers(avg("cost"), avg("lower"), avg("upper"), avg("rhs"), avg("coef"))


# ---------------------------------------------------------------------- assembling _lp.Models from arrays


class Assembly:
    """An `_lp.Model` put together from arrays: column blocks, then row blocks, then the cost vector."""

    def __init__(self, name: str) -> None:
        self.model = _lp.new_model(name)

    def cols(
        self,
        name: str,
        n: int,
        lower: np.ndarray | float = 0.0,
        upper: np.ndarray | float = np.inf,
        integer: np.ndarray | None = None,
    ) -> int:
        """Add n columns; returns the id of the first."""
        m = self.model
        start = m.n_cols
        m.cols[name], m.col_start[name] = pd.RangeIndex(n, name="k"), start
        m.var_specs[name] = (None, None, False)
        m.lower.append(np.broadcast_to(np.asarray(lower, dtype=float), (n,)).copy())
        m.upper.append(np.broadcast_to(np.asarray(upper, dtype=float), (n,)).copy())
        m.integer.append(np.zeros(n, dtype=bool) if integer is None else np.asarray(integer, dtype=bool))
        m.n_cols += n
        return start

    def rows(self, family: str, sense: str, rhs: np.ndarray, row: np.ndarray, col: np.ndarray, coef: np.ndarray) -> int:
        """Add len(rhs) rows; `row` counts from 0 within the family. Returns the first row id."""
        m = self.model
        start = m.n_rows
        m.blocks[family] = _lp.RowBlock(
            start,
            pd.RangeIndex(len(rhs), name="k"),
            sense,
            np.asarray(rhs, dtype=float),
            np.asarray(row, dtype=np.int64) + start,
            np.asarray(col, dtype=np.int64),
            np.asarray(coef, dtype=float),
        )
        m.n_rows += len(rhs)
        return start

    def objective(self, cost: np.ndarray) -> _lp.Model:
        """Set the cost vector and hand back the model."""
        ids = np.flatnonzero(cost)
        self.model.set_objective({"cost": Terms(pd.DataFrame(index=range(len(ids))), ids.astype(np.int64), cost[ids])})
        return self.model
