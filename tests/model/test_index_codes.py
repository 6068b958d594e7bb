"""Indexes and row keys built from codes equal what the pandas reference operations give.

The builder makes its MultiIndexes from level codes (`data._cross`, `variables._product`) and numbers a
family's rows from key codes (`keys.factorize_codes`); pandas' merge/from_frame, from_product and
from_arrays are the second, independent method. Equal means the same entries, names, level values,
level dtypes and codes.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from planner.model import _lp
from planner.model.data import _cross
from planner.model.keys import factorize_codes
from planner.model.variables import _product

YEARS = pd.Index([2026, 2027, 2028], name="year")
STR = pd.StringDtype(na_value=np.nan)


def same(a: pd.MultiIndex, b: pd.MultiIndex) -> bool:
    return (
        a.equals(b)
        and list(a.names) == list(b.names)
        and len(a.levels) == len(b.levels)
        and all(x.equals(y) and x.dtype == y.dtype for x, y in zip(a.levels, b.levels, strict=True))
        and all(np.array_equal(x, y) for x, y in zip(a.codes, b.codes, strict=True))
    )


ENTITIES = [
    pd.Index(["a", "b", "c"], name="cluster", dtype=STR),
    pd.Index([], name="cluster", dtype=STR),
    pd.Index([], name="cluster", dtype=object),
    pd.MultiIndex.from_arrays([pd.Index([], dtype=STR), pd.Index([], dtype=STR)], names=["hub", "cluster"]),
    pd.Index([3, 7], name="n"),
]


@pytest.mark.parametrize("index", ENTITIES, ids=range(len(ENTITIES)))
@pytest.mark.parametrize("years", [YEARS, YEARS[:1]], ids=["3y", "1y"])
def test_cross_is_the_cross_join(index: pd.Index, years: pd.Index) -> None:
    reference = pd.MultiIndex.from_frame(index.to_frame(index=False).merge(years.to_frame(index=False), how="cross"))
    assert same(_cross(index, years), reference)


SETS = [
    (pd.Index(["a", "b"], name="cluster", dtype=STR), YEARS),
    (pd.Index(["a", "b"], name="cluster", dtype=STR), YEARS, pd.Index(["d01h00", "d01h01"], name="slice", dtype=STR)),
    (pd.Index([], name="cluster", dtype=STR), YEARS),
    (pd.Index(["b", "a"], name="cluster", dtype=STR), YEARS),  # unsorted: pandas' own path
]


@pytest.mark.parametrize("sets", SETS, ids=range(len(SETS)))
def test_product_is_from_product(sets: tuple[pd.Index, ...]) -> None:
    assert same(_product(*sets), pd.MultiIndex.from_product(sets))


def test_row_keys_from_codes_are_from_arrays_of_the_key_values() -> None:
    # keys whose levels hold values no row uses: the row index keeps only the used ones, as from_arrays does
    hubs = pd.Index(["east", "north", "west"], dtype=STR)
    years = pd.Index([2026, 2027, 2028])
    hub_codes, year_codes = np.array([2, 0, 2, 0, 2]), np.array([1, 1, 2, 1, 1])
    codes, index = factorize_codes(["hub", "year"], [hub_codes, year_codes], [hubs, years])
    rows = list(zip(hubs[hub_codes], years[year_codes], strict=True))
    distinct = sorted(set(rows))
    reference = pd.MultiIndex.from_arrays([[h for h, _ in distinct], [y for _, y in distinct]], names=["hub", "year"])
    assert same(index, reference)
    assert [distinct[c] for c in codes] == rows


def test_terms_sum_rows_as_the_frame_path_did() -> None:
    # terms keyed (cluster, year) plus a running total keyed the same: row keys are the union, sorted
    m = _lp.new_model("t")
    x = m.add_vars("x", pd.MultiIndex.from_product([["b", "a"], [2027, 2026]], names=["cluster", "year"]))
    lhs = _lp.terms(x, by=["cluster", "year"], coef=2.0) - _lp.running_total(x, "year", pd.Index([2026, 2027, 2028]))
    m.add_rows("r", lhs, "<=", 0.0)
    block = m.blocks["r"]
    assert list(block.index) == [(c, y) for c in ("a", "b") for y in (2026, 2027, 2028)]
    keys = lhs.keys  # the frame view of the same keys
    by_row = {}
    for (c, y), var, coef in zip(keys.itertuples(index=False, name=None), lhs.var, lhs.coef, strict=True):
        by_row.setdefault((c, y), []).append((int(var), float(coef)))
    # x ids: (b,2027)=0, (b,2026)=1, (a,2027)=2, (a,2026)=3; row (a,2027) = 2 x[a,2027] - x[a,2026] - x[a,2027]
    assert sorted(by_row[("a", 2027)]) == [(2, -1.0), (2, 2.0), (3, -1.0)]
    assert sorted(by_row[("b", 2028)]) == [(0, -1.0), (1, -1.0)]
    assert block.row.tolist() == [block.index.get_loc(k) for k in keys.itertuples(index=False, name=None)]
