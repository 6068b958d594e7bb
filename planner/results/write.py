"""Results -> output folder: tidy CSVs, plan.json, manifest.json, written atomically.

Everything goes into a hidden staging folder next to the target; only a complete folder is moved
into place, so a failed or interrupted run never leaves a half-written output folder.
"""

from __future__ import annotations

import contextlib
import functools
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from planner.results import folders
from planner.results.extract import Results
from planner.results.text import markdown_safe

TABLE_FILES = {
    "racks_new": "racks_new.csv",
    "racks": "racks.csv",
    "load": "load.csv",
    "unmet": "unmet.csv",
    "energy": "energy.csv",
    "certificates": "certificates.csv",
    "bandwidth": "bandwidth.csv",
    "modules": "modules.csv",
    "duals": "duals.csv",
    "storage": "storage.csv",
    "vintage": "vintage.csv",
}
"""Results field -> file name of its tidy CSV."""


@contextlib.contextmanager
def staging(target: Path, force: bool, protect: tuple[Path, ...] = ()) -> Iterator[Path]:
    """Yield a fresh staging folder; on success it replaces `target`, on any error it vanishes.

    See `planner.results.folders`: only a folder the planner wrote is replaced, one run at a time.
    Ctrl-C and SIGTERM (turned into KeyboardInterrupt by the CLI) remove the staging folder; a run
    killed outright (SIGKILL, power cut) leaves only a hidden `.<name>.partial-<pid>-*` folder,
    which the next run into the same parent folder removes.
    """
    with folders.staging(target, force, "plan", protect) as stage:
        yield stage


def clean_stale(target: Path) -> list[Path]:
    """Remove staging folders of runs that died (their process is gone); restore an interrupted swap."""
    return folders.clean_stale(Path(target))


def write_json(path: Path, data: dict[str, Any]) -> None:
    """Pretty, key-ordered, UTF-8 JSON (Chinese text kept readable)."""
    folders.atomic_write(path, dumps_indented(data) + "\n")


_NESTED = (dict, list, tuple)


def dumps_indented(data: object, depth: int = 0) -> str:
    """`json.dumps(data, ensure_ascii=False, indent=2, default=str)`, the same text, faster.

    Python's JSON encoder writes indented text in pure Python, one call per value; a plan's
    inputs.json holds every time slice's profile row. Here each flat object or array (no object or
    array inside, as every table row is) is written by the C encoder in one call, with the line break
    and indentation as its item separator; only the containers around them are walked in Python.
    """
    if not isinstance(data, _NESTED) or not data:
        return json.dumps(data, ensure_ascii=False, default=str)
    inner, outer = "\n" + "  " * (depth + 1), "\n" + "  " * depth
    items = data.values() if isinstance(data, dict) else data
    if not any(isinstance(value, _NESTED) for value in items):
        flat = _flat_encoder(depth)(data)
        return flat[0] + inner + flat[1:-1] + outer + flat[-1]
    if isinstance(data, dict):
        keys = [json.dumps(key, ensure_ascii=False) if isinstance(key, str) else _key(key) for key in data]
        body = ("," + inner).join(
            f"{k}: {dumps_indented(v, depth + 1)}" for k, v in zip(keys, data.values(), strict=True)
        )
        return "{" + inner + body + outer + "}"
    return "[" + inner + ("," + inner).join(dumps_indented(v, depth + 1) for v in data) + outer + "]"


@functools.cache
def _flat_encoder(depth: int) -> Callable[[object], str]:
    """The C encoder with the line break and indentation of `depth + 1` as item separator, made once per depth.

    What `json.dumps(obj, ensure_ascii=False, default=str, separators=(sep, ": "))` runs, without building an
    encoder per call (the rows of a long profile table are thousands of calls).
    """
    separator = ",\n" + "  " * (depth + 1)
    make = getattr(json.encoder, "c_make_encoder", None)  # CPython's C accelerator; not in the stubs
    if make is None:  # a Python without the C accelerator
        return functools.partial(json.dumps, ensure_ascii=False, default=str, separators=(separator, ": "))
    encode = make(None, str, json.encoder.encode_basestring, None, ": ", separator, False, False, True)
    return lambda data: "".join(encode(data, 0))


def _key(key: object) -> str:
    """An object key as json writes it: non-string keys (int, float, bool, None) become their JSON text, quoted."""
    return json.dumps({key: 0}, ensure_ascii=False)[1:-4]


def write_results(folder: Path, results: Results) -> list[str]:
    """One CSV per decision family plus duals; returns the file names written."""
    written = []
    for field, name in TABLE_FILES.items():
        frame: pd.DataFrame = getattr(results, field)
        if field in ("modules", "storage", "vintage") and frame.empty:
            continue
        _to_csv(frame, folder / name)
        written.append(name)
    return written


def write_frame(folder: Path, name: str, frame: pd.DataFrame) -> None:
    """A derived table (investment, utilisation, energy summary) as CSV."""
    _to_csv(frame, folder / name)


def _to_csv(frame: pd.DataFrame, path: Path) -> None:
    r"""`frame.to_csv(path, index=False, float_format="%.6f", lineterminator="\\n")`, same bytes, faster.

    pandas formats a float cell through several Python calls (~10 us a cell) and hands every row to
    the csv module: 0.2-0.3 s for the 12-day default's duals.csv and energy.csv. Here each column
    becomes its text once (floats as `"%.6f" % value` as pandas does, "" for a missing value), and the
    lines are joined. A table whose text the csv module would quote (a comma, quote or line break in a
    cell or name; a one-column table, where an empty cell is quoted) or a column of another kind goes
    through pandas, with the floats already text.
    """
    columns = [_column_text(frame.iloc[:, i]) for i in range(frame.shape[1])]
    names = list(frame.columns)
    texts = [column for column in columns if column is not None]
    plain = all(type(name) is str for name in names)
    if plain and len(texts) == len(columns) > 1 and not any(_needs_quotes(text) for text in [names, *texts]):
        lines = [",".join(names), *map(",".join, zip(*texts, strict=True))]
        path.write_bytes(("\n".join(lines) + "\n").encode("utf-8"))
        return
    out = frame.copy(deep=False)
    for i, (text, dtype) in enumerate(zip(columns, frame.dtypes, strict=True)):
        if text is not None and dtype.kind == "f":
            out.isetitem(i, np.array(text, dtype=object))
    out.to_csv(path, index=False, float_format="%.6f", lineterminator="\n")


def _column_text(column: pd.Series) -> list[str] | None:
    """A column's cells as pandas' to_csv writes them, or None for a kind left to pandas."""
    dtype = column.dtype
    if dtype.kind == "f" and not isinstance(dtype, pd.SparseDtype):
        values = column.to_numpy(dtype=float, na_value=np.nan)
        text = np.array(["%.6f" % v for v in values.tolist()], dtype=object)  # noqa: UP031 (pandas' own format)
        text[np.isnan(values)] = ""
        cells: list[str] = text.tolist()
        return cells
    if isinstance(dtype, np.dtype) and dtype.kind in "iub":
        return [str(v) for v in column.tolist()]
    if isinstance(dtype, pd.StringDtype) or (isinstance(dtype, np.dtype) and dtype.kind == "O"):
        items = column.tolist()
        if all(type(v) is str for v in items):
            return items
    return None


def _needs_quotes(cells: list[str]) -> bool:
    r"""Whether the csv module (QUOTE_MINIMAL, "," and "\\n") would quote any of these cells."""
    text = "\x00".join(cells)
    return any(mark in text for mark in (",", '"', "\r", "\n"))


def write_diagnosis(folder: Path, markdown: str, data: dict[str, Any]) -> None:
    """diagnosis.md and diagnosis.json into `folder` (which exists), each replaced atomically."""
    folders.atomic_write(folder / "diagnosis.json", json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n")
    folders.atomic_write(folder / "diagnosis.md", markdown_safe(markdown))
