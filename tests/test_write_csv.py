"""The plan folder's CSV writer gives the bytes of pandas' `to_csv(index=False, float_format="%.6f")`.

A second, independent method: pandas itself, on frames with the cells that could differ (missing
values, -0.0, infinities, rounding ties, huge and tiny numbers, nullable and float32 columns, text the
csv module quotes, one-column and empty tables).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from planner.results.write import _to_csv

RNG = np.random.default_rng(16)
NUMBERS = RNG.normal(size=400) * 10.0 ** RNG.integers(-12, 16, 400)
NUMBERS[:9] = [np.nan, -0.0, np.inf, -np.inf, 0.5e-6, 2.5e-6, 1e20, -1.0000005, 0.1234565]

FRAMES = {
    "mixed": pd.DataFrame(
        {"family": ["demand_met", "green_share"] * 200, "x": NUMBERS, "n": np.arange(400), "b": [True, False] * 200}
    ),
    "chinese text, uint8": pd.DataFrame(
        {"unit": ["元/rack-year", "GWh"] * 200, "x": NUMBERS, "u": np.arange(400, dtype="uint8")}
    ),
    "quoted text": pd.DataFrame({"key": ["a,b", '"q"', "line\nbreak", "ok"] * 100, "x": NUMBERS}),
    "missing text": pd.DataFrame({"key": ["a", None] * 200, "x": NUMBERS}),
    "empty text": pd.DataFrame({"key": ["a", ""] * 200, "x": NUMBERS}),
    "nullable, float32": pd.DataFrame(
        {"x": pd.array([1.5, None, 3.0] * 3, dtype="Float64"), "y": np.float32([1.1, 2.2, np.nan] * 3)}
    ),
    "nullable integers": pd.DataFrame({"x": pd.array([1, None, 3], dtype="Int64"), "y": [1.0, 2.0, 3.0]}),
    "one column with a gap": pd.DataFrame({"x": [np.nan, 1.0]}),
    "a row of gaps": pd.DataFrame({"x": [np.nan], "y": [np.nan]}),
    "no rows": pd.DataFrame({"x": [], "y": []}, dtype=float),
    "objects": pd.DataFrame({"x": pd.Series([1.0, np.nan], dtype=object), "y": [1, 2]}),
}


@pytest.mark.parametrize("name", FRAMES)
def test_csv_bytes_equal_pandas(name: str, tmp_path: Path) -> None:
    frame = FRAMES[name]
    frame.to_csv(tmp_path / "pandas.csv", index=False, float_format="%.6f", lineterminator="\n")
    _to_csv(frame, tmp_path / "planner.csv")
    assert (tmp_path / "planner.csv").read_bytes() == (tmp_path / "pandas.csv").read_bytes()
