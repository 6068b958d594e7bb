"""Term algebra: a family's left-hand side as (row key, column id, coefficient) tables.

A family states its rows with these helpers only: `terms` sums a block of columns into rows keyed
by some of its index levels, `align` and `broadcast` put columns or parameters onto another index,
`subset` keeps the entries of a set (the one place a subset filter is written) and `running_total`
sums a block over all earlier values of a level. No family assembles `Terms` by hand.
"""

from __future__ import annotations

from collections.abc import Hashable

import numpy as np
import pandas as pd


class Terms:
    """Sparse left-hand side: term i adds coef[i] * column var[i] to the row keyed by levels[k][codes[k][i]], all k.

    The keys are held as integer codes into one sorted, unique `pd.Index` of values per key level
    (numpy index arithmetic, no DataFrame per sum); `keys` shows them as a frame of categoricals.
    `Terms(keys_frame, var, coef)` makes terms from a frame of key columns.
    """

    __slots__ = ("codes", "coef", "levels", "names", "var")

    def __init__(self, keys: pd.DataFrame, var: np.ndarray, coef: np.ndarray) -> None:
        codes, levels = [], []
        for name in keys.columns:
            c, u = _column_codes(keys[name])
            codes.append(c)
            levels.append(u)
        self._set([str(n) for n in keys.columns], codes, levels, var, coef)

    def _set(
        self,
        names: list[str],
        codes: list[np.ndarray],
        levels: list[pd.Index],
        var: np.ndarray,
        coef: np.ndarray,
    ) -> None:
        self.names = names
        self.codes = codes
        self.levels = levels
        self.var = var
        self.coef = coef

    @classmethod
    def of(
        cls, names: list[str], codes: list[np.ndarray], levels: list[pd.Index], var: np.ndarray, coef: np.ndarray
    ) -> Terms:
        """Terms from key codes (int64, one array per level) into sorted unique `levels`."""
        out = cls.__new__(cls)
        out._set(names, codes, levels, var, coef)
        return out

    @property
    def empty(self) -> bool:
        """No terms, or no key levels (as `DataFrame.empty` said of the key frame)."""
        return len(self.var) == 0 or not self.names

    @property
    def keys(self) -> pd.DataFrame:
        """The row key of each term as categorical columns (sorted categories), one per key level."""
        return pd.DataFrame(
            {
                name: pd.Categorical.from_codes(codes, categories=level)
                for name, codes, level in zip(self.names, self.codes, self.levels, strict=True)
            },
            index=pd.RangeIndex(len(self.var)),
        )

    def __add__(self, other: Terms) -> Terms:
        if set(other.names) != set(self.names):
            msg = f"cannot add terms keyed by {other.names} to terms keyed by {self.names}"
            raise ValueError(msg)
        codes, levels = [], []
        for k, name in enumerate(self.names):
            j = other.names.index(name)
            c, u = _concat_codes(self.codes[k], self.levels[k], other.codes[j], other.levels[j])
            codes.append(c)
            levels.append(u)
        return Terms.of(
            list(self.names),
            codes,
            levels,
            np.concatenate([self.var, other.var]),
            np.concatenate([self.coef, other.coef]),
        )

    def __neg__(self) -> Terms:
        return Terms.of(self.names, self.codes, self.levels, self.var, -self.coef)

    def __sub__(self, other: Terms) -> Terms:
        return self + (-other)

    def __mul__(self, factor: float) -> Terms:
        return Terms.of(self.names, self.codes, self.levels, self.var, self.coef * factor)

    __rmul__ = __mul__

    def where(self, mask: np.ndarray) -> Terms:
        """Keep only the terms where mask is true."""
        mask = np.asarray(mask, dtype=bool)
        return Terms.of(self.names, [c[mask] for c in self.codes], self.levels, self.var[mask], self.coef[mask])

    def subset(self, keep: pd.Index, level: str) -> Terms:
        """Keep only the terms of rows whose `level` key is in `keep` (the Terms form of `subset`)."""
        k = self.names.index(level)
        return self.where(self.levels[k].isin(keep)[self.codes[k]])


def _column_codes(column: pd.Series) -> tuple[np.ndarray, pd.Index]:
    """Codes into the sorted unique values of one key column."""
    if isinstance(column.dtype, pd.CategoricalDtype) and column.cat.categories.is_monotonic_increasing:
        return column.cat.codes.to_numpy().astype(np.int64), pd.Index(column.cat.categories)
    values = column.astype(object) if isinstance(column.dtype, pd.CategoricalDtype) else column
    c, u = pd.factorize(values, sort=True)
    return c.astype(np.int64), pd.Index(u)


def _concat_codes(a: np.ndarray, a_levels: pd.Index, b: np.ndarray, b_levels: pd.Index) -> tuple[np.ndarray, pd.Index]:
    """Two key columns end to end, as codes into the sorted union of their values."""
    if a_levels is b_levels or a_levels.equals(b_levels):
        return np.concatenate([a, b]), a_levels
    union = _sorted_unique(a_levels.append(b_levels))
    return np.concatenate([union.get_indexer(a_levels)[a], union.get_indexer(b_levels)[b]]), union


def _sorted_unique(values: pd.Index) -> pd.Index:
    uniques: pd.Index = pd.Index(pd.factorize(values, sort=True)[1], name=None)
    return uniques


def _index_codes(index: pd.Index, names: list[str]) -> tuple[list[np.ndarray], list[pd.Index]]:
    """Codes into sorted unique values for the named levels of an index (a flat index is factorised)."""
    if not isinstance(index, pd.MultiIndex):
        codes, uniques = pd.factorize(index, sort=True)
        return [codes.astype(np.int64)] * len(names), [pd.Index(uniques)] * len(names)
    position = {name: i for i, name in enumerate(index.names)}
    out_codes, out_levels = [], []
    for name in names:
        level, codes = index.levels[position[name]], np.asarray(index.codes[position[name]], dtype=np.int64)
        if not level.is_monotonic_increasing:
            order = np.argsort(level.to_numpy(), kind="stable")
            rank = np.empty(len(order), dtype=np.int64)
            rank[order] = np.arange(len(order))
            level, codes = level.take(order), rank[codes]
        out_codes.append(codes)
        out_levels.append(pd.Index(level, name=None))
    return out_codes, out_levels


def key_frame(index: pd.Index, names: list[str] | None = None) -> pd.DataFrame:
    """An index's levels (all, or those in `names`, in that order) as categorical columns with sorted categories."""
    wanted = [str(n) for n in index.names] if names is None else names
    codes, levels = _index_codes(index, wanted)
    return Terms.of(wanted, codes, levels, np.zeros(len(index), dtype=np.int64), np.zeros(len(index))).keys


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
    ids = variables.to_numpy(dtype=np.int64)
    if not by:
        return Terms.of(["scope"], [np.zeros(len(variables), dtype=np.int64)], [_TOTAL], ids, values)
    codes, levels = _index_codes(variables.index, by)
    return Terms.of(list(by), codes, levels, ids, values)


_TOTAL = pd.Index(["total"])
"""The one key level of a sum into a single row (the objective's terms)."""


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
    if index.is_unique and not index.hasnans:  # a set: its own values, in order (what factorize gives)
        return np.arange(len(index), dtype=np.int64), index
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
        mapping = np.arange(len(src_values)) if src_values is tgt_values else src_values.get_indexer(tgt_values)
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
    names = [str(n) for n in columns.index.names]
    n, k = len(columns), len(values)
    entry, row = np.repeat(np.arange(n), k), np.tile(np.arange(k), n)  # every (column, row value) pair, column-major
    own = columns.index.get_level_values(level).to_numpy()
    keep = own[entry] <= values.to_numpy()[row]
    entry, row = entry[keep], row[keep]
    index_codes, index_levels = _index_codes(columns.index, names)
    row_codes, row_levels = pd.factorize(values, sort=True)
    codes = [
        row_codes.astype(np.int64)[row] if name == level else c[entry]
        for name, c in zip(names, index_codes, strict=True)
    ]
    levels = [pd.Index(row_levels) if name == level else u for name, u in zip(names, index_levels, strict=True)]
    return Terms.of(names, codes, levels, columns.to_numpy(dtype=np.int64)[entry], np.ones(len(entry)))
