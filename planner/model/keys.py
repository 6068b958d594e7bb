"""Row and column keys: LP labels, and the factorisation that numbers a family's distinct row keys."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd


def label(family: str, key: object) -> str:
    """`family__k1__k2`: double underscores separate levels, so ids (no `__`) cannot collide."""
    parts = key if isinstance(key, tuple) else (key,)
    return "__".join([family, *map(str, parts)])


def factorize(keys: pd.DataFrame) -> tuple[np.ndarray, pd.Index]:
    """Row number of each term (rows sorted by key) and the distinct keys as a named index."""
    names = [str(n) for n in keys.columns]
    level_codes, level_values = [], []
    for name in names:
        column = keys[name]
        if isinstance(column.dtype, pd.CategoricalDtype) and column.cat.categories.is_monotonic_increasing:
            level_codes.append(column.cat.codes.to_numpy().astype(np.int64))
            level_values.append(pd.Index(column.cat.categories))
        else:
            c, u = pd.factorize(
                column.astype(object) if isinstance(column.dtype, pd.CategoricalDtype) else column, sort=True
            )
            level_codes.append(c.astype(np.int64))
            level_values.append(pd.Index(u))
    return factorize_codes(names, level_codes, level_values)


def factorize_codes(
    names: list[str], level_codes: list[np.ndarray], level_values: list[pd.Index]
) -> tuple[np.ndarray, pd.Index]:
    """`factorize` of keys given as codes into sorted unique values per level.

    The distinct keys' index keeps only the values that occur in each level, as
    `pd.MultiIndex.from_arrays` of the key values would, without factorising the values again.
    """
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
    levels: list[Any] = []  # pandas-stubs type levels and codes as sequences of scalars
    index_codes: list[Any] = []
    for part, values in zip(np.unravel_index(uniques, sizes), level_values, strict=True):
        used = np.zeros(len(values), dtype=bool)
        used[part] = True
        renumber = np.cumsum(used) - 1
        levels.append(values[used])
        index_codes.append(renumber[part])
    index = pd.MultiIndex(levels=levels, codes=index_codes, names=names, verify_integrity=False)
    return codes.astype(np.int64), index
