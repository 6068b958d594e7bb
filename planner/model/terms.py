"""Term algebra: a family's left-hand side as (row key, column id, coefficient) tables.

A family states its rows with these helpers only: `terms` sums a block of columns into rows keyed
by some of its index levels, `align` and `broadcast` put columns or parameters onto another index,
`subset` keeps the entries of a set (the one place a subset filter is written) and `running_total`
sums a block over all earlier values of a level. No family assembles `Terms` by hand.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass

import numpy as np
import pandas as pd
from pandas.api.types import union_categoricals


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

    def subset(self, keep: pd.Index, level: str) -> Terms:
        """Keep only the terms of rows whose `level` key is in `keep` (the Terms form of `subset`)."""
        return self.where(self.keys[level].isin(keep).to_numpy())


def key_frame(index: pd.Index, names: list[str] | None = None) -> pd.DataFrame:
    """An index's levels (all, or those in `names`, in that order) as categorical columns with sorted categories.

    Categorical columns are cheap to group and join.
    """
    if isinstance(index, pd.MultiIndex):
        position = {name: i for i, name in enumerate(index.names)}
        wanted = list(index.names) if names is None else names
        return pd.DataFrame(
            {name: _sorted_categorical(index.codes[position[name]], index.levels[position[name]]) for name in wanted}
        )
    codes, uniques = pd.factorize(index)
    frame = pd.DataFrame({index.name: _sorted_categorical(codes, pd.Index(uniques))})
    return frame if names is None else frame[names]


def _sorted_categorical(codes: np.ndarray, categories: pd.Index) -> pd.Categorical:
    order = np.argsort(categories.to_numpy(), kind="stable")
    rank = np.empty(len(order), dtype=np.int64)
    rank[order] = np.arange(len(order))
    return pd.Categorical.from_codes(rank[np.asarray(codes)], categories=categories.take(order))


def _concat_keys(a: pd.Series, b: pd.Series) -> pd.Series:
    """Concatenate two key columns, keeping them categorical (categories merged and sorted)."""
    if isinstance(a.dtype, pd.CategoricalDtype) and isinstance(b.dtype, pd.CategoricalDtype):
        if a.cat.categories.equals(b.cat.categories):
            return pd.Series(
                pd.Categorical.from_codes(
                    np.concatenate([a.cat.codes.to_numpy(), b.cat.codes.to_numpy()]), categories=a.cat.categories
                )
            )
        return pd.Series(union_categoricals([a.array, b.array], sort_categories=True))
    return pd.concat([a.astype(object), b.astype(object)], ignore_index=True)


def terms(variables: pd.Series, by: list[str], coef: float | pd.Series | np.ndarray = 1.0) -> Terms:
    """Terms of `variables` summed into rows keyed by the index levels `by` (one `total` row if empty).

    `coef` is a scalar, an array (one per variable), or a Series aligned to the variables by its
    index level names.
    """
    if isinstance(coef, pd.Series):
        values = align(coef, variables.index).to_numpy(dtype=float)
    else:
        values = np.broadcast_to(np.asarray(coef, dtype=float), (len(variables),)).copy()
    if np.isnan(values).any():
        missing = variables.index[np.isnan(values)][:3].tolist()
        msg = f"coefficient missing for {missing}"
        raise ValueError(msg)
    keys = (
        key_frame(variables.index, by)
        if by
        else pd.DataFrame(
            {"scope": pd.Categorical.from_codes(np.zeros(len(variables), dtype=np.int64), categories=["total"])}  # type: ignore[call-overload]  # stubs: categories an Index
        )
    )
    return Terms(keys, variables.to_numpy(dtype=np.int64), values)


def align(s: pd.Series, index: pd.Index) -> pd.Series:
    """Broadcast s onto index by shared level names, e.g. pue[c] onto rows (w,h,c,y).

    With a Series of column ids this puts a coarser variable onto a finer index: `battery_gw[c,y]`
    onto the (c,y,t) index of `charge`, one column id per entry.
    """
    position = _positions(s.index, index)
    if position is not None:
        return pd.Series(s.to_numpy()[position], index=index)
    names = list(s.index.names)
    frame = index.to_frame(index=False)
    keys = pd.MultiIndex.from_frame(frame[names]) if len(names) > 1 else pd.Index(frame[names[0]])
    return pd.Series(s.reindex(keys).to_numpy(), index=index)


def _level(index: pd.Index, name: Hashable) -> tuple[np.ndarray, pd.Index]:
    """Codes and values of one named level of an index (a flat index is factorised)."""
    if isinstance(index, pd.MultiIndex):
        i = list(index.names).index(name)
        return np.asarray(index.codes[i], dtype=np.int64), index.levels[i]
    if index.name != name:
        raise KeyError(name)
    codes, uniques = pd.factorize(index)
    return codes.astype(np.int64), pd.Index(uniques)


def _positions(source: pd.Index, target: pd.Index) -> np.ndarray | None:
    """Position in `source` of each entry of `target`, matched on source's level names, by level codes.

    None when a key is missing, a level holds NaN or source repeats a key: `align` then takes the
    reindex path, whose NaN filling and errors are the reference behaviour.
    """
    src_codes: list[np.ndarray] = []
    tgt_codes: list[np.ndarray] = []
    sizes: list[int] = []
    for name in source.names:
        try:
            tgt, tgt_values = _level(target, name)
        except (KeyError, ValueError):
            return None
        src, src_values = _level(source, name)
        mapping = src_values.get_indexer(tgt_values)
        if (len(tgt) and (tgt.min() < 0 or (mapping[tgt] < 0).any())) or (len(src) and src.min() < 0):
            return None
        src_codes.append(src)
        tgt_codes.append(mapping[tgt] if len(tgt) else tgt)
        sizes.append(max(len(src_values), 1))
    if float(np.prod(np.asarray(sizes, dtype=float))) > 5e7:
        return None
    src_flat = np.ravel_multi_index(src_codes, sizes) if len(sizes) > 1 else src_codes[0]
    tgt_flat = np.ravel_multi_index(tgt_codes, sizes) if len(sizes) > 1 else tgt_codes[0]
    table = np.full(int(np.prod(sizes)), -1, dtype=np.int64)
    table[src_flat] = np.arange(len(src_flat))
    if np.count_nonzero(table >= 0) != len(src_flat):
        return None
    position = table[tgt_flat]
    return None if (position < 0).any() else position


def broadcast(columns: pd.Series, over: pd.Index) -> pd.Series:
    """Repeat a block of columns for every entry of a further set: index columns.index x over (columns-major).

    E.g. class_load[w,c,y] over the slices t gives the column of class_load[w,c,y] at (w,c,y,t).
    """
    inner = columns.index if isinstance(columns.index, pd.MultiIndex) else pd.MultiIndex.from_arrays([columns.index])
    outer = pd.MultiIndex.from_arrays([over]) if not isinstance(over, pd.MultiIndex) else over
    n, k = len(inner), len(outer)
    codes = [np.repeat(c, k) for c in inner.codes] + [np.tile(c, n) for c in outer.codes]
    index = pd.MultiIndex(
        levels=[*inner.levels, *outer.levels],  # type: ignore[list-item]  # stubs: a FrozenList of levels is no Sequence
        codes=codes,  # type: ignore[arg-type]  # stubs: int8 code arrays are no Sequence[int]
        names=[*inner.names, *outer.names],
        verify_integrity=False,
    )
    return pd.Series(np.repeat(columns.to_numpy(dtype=np.int64), k), index=index, name=columns.name)


def subset(s: pd.Series, keep: pd.Index, level: str = "cluster") -> pd.Series:
    """The entries of s whose `level` value is in `keep` (filter first, so no NaN meets a column)."""
    return s[s.index.get_level_values(level).isin(keep)]


def running_total(columns: pd.Series, level: str, values: pd.Index) -> Terms:
    """Terms keyed like `columns`, where the row at level value v sums the columns with level value <= v.

    E.g. bandwidth added up to year y: sum_{y' <= y} bandwidth_new[h,c,y'] for every y in `values`.
    """
    names = list(columns.index.names)
    frame = columns.index.to_frame(index=False)
    pairs = frame.merge(pd.DataFrame({"_row": values.to_numpy()}), how="cross")
    pairs = pairs[pairs[level] <= pairs["_row"]]
    ids = columns.reindex(pd.MultiIndex.from_frame(pairs[names])).to_numpy(dtype=np.int64)
    keys = (
        pairs[[n for n in names if n != level] + ["_row"]].rename(columns={"_row": level})[names].reset_index(drop=True)
    )
    return Terms(keys, ids, np.ones(len(keys)))
