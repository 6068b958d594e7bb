"""Read a case's hourly availability profiles (`<case>/profiles/hourly.csv.gz`), checked and located.

The file is long: one row per (cluster_id, hour) with hour 0..8759 and the wind, solar and hydro
availability factors of that hour (0..1). `planner.inputs.timeseries` turns it into time slices.
"""

from __future__ import annotations

import gzip
import hashlib
import io
from collections import OrderedDict
from pathlib import Path
from typing import cast

import numpy as np
import pandas as pd

from planner.errors import InputError, Problem
from planner.inputs.limits import TABLE_MB, byte_limit, read_checked
from planner.inputs.schema import Inputs
from planner.inputs.timeseries import Resolution, slices

HOURLY_FILE = Path("profiles") / "hourly.csv.gz"
COLUMNS = ("cluster_id", "hour", "wind_cf", "solar_cf", "hydro_cf")
HOURS = 8760
_CACHE: OrderedDict[tuple[object, ...], pd.DataFrame] = OrderedDict()
_CACHE_SIZE = 8
"""Recent profile_slices results, keyed by the hourly file's bytes and everything else they are made of."""


def hourly_path(case: str | Path) -> Path:
    """Where a case keeps its hourly profiles."""
    return Path(case) / HOURLY_FILE


def _bounded_gunzip(path: Path) -> bytes:
    """The file's bytes, unpacked, with both the packed and the unpacked size within the table limit."""
    problems: list[Problem] = []
    packed = read_checked(path, TABLE_MB, problems, inside=path.parent.parent)
    if packed is None:
        raise InputError(problems)
    limit = byte_limit(TABLE_MB)
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(packed)) as unpacking:
            data = unpacking.read(limit + 1)
    except (OSError, EOFError) as err:
        raise InputError([Problem(str(path), f"not a readable gzip file: {err}")]) from err
    if len(data) > limit:
        raise InputError(
            [
                Problem(
                    str(path),
                    f"unpacks to more than the {TABLE_MB.value:,} MB limit for one table; raise it with "
                    f"{TABLE_MB.variable}=N if the file is right",
                )
            ]
        )
    return data


def read_hourly(case: str | Path, clusters: list[str]) -> pd.DataFrame:
    """Hourly factors indexed (cluster, hour) for exactly `clusters`; every problem raised at once."""
    path = hourly_path(case)
    if not path.exists():
        raise InputError(
            [
                Problem(
                    str(path),
                    "no hourly profiles for this case; `--hours`/`--days` need them (see "
                    "inputs/default/profiles/README.md)",
                )
            ]
        )
    text = _bounded_gunzip(path)
    try:
        frame = pd.read_csv(io.BytesIO(text), dtype={"cluster_id": str})
    except (pd.errors.ParserError, pd.errors.EmptyDataError, OSError, UnicodeDecodeError, ValueError) as err:
        raise InputError([Problem(str(path), f"not a readable CSV table: {str(err).strip()}")]) from err
    problems: list[Problem] = []
    missing = [c for c in COLUMNS if c not in frame.columns]
    if missing:
        raise InputError(
            [Problem(str(path), f"missing column(s) {', '.join(missing)}; expected {', '.join(COLUMNS)}", row=1)]
        )
    values = frame[["wind_cf", "solar_cf", "hydro_cf"]].apply(pd.to_numeric, errors="coerce")
    bad = values.isna() | (values < 0) | (values > 1)
    for position, column in zip(*np.nonzero(bad.to_numpy()), strict=True):
        if len(problems) >= 20:
            break
        name = values.columns[column]
        problems.append(
            Problem(
                str(path),
                "availability factor must be a number in [0, 1]",
                row=int(position) + 2,
                column=name,
                value=frame.iloc[position][name],
            )
        )
    for cluster in clusters:
        hours = frame.loc[frame["cluster_id"] == cluster, "hour"]
        if sorted(hours.tolist()) != list(range(HOURS)):
            problems.append(
                Problem(
                    str(path),
                    f"cluster '{cluster}' needs exactly one row for each hour 0..{HOURS - 1} (found {len(hours)} rows)",
                )
            )
    if problems:
        raise InputError(problems)
    out: pd.DataFrame = pd.concat([frame[["cluster_id", "hour"]], values], axis=1)
    out = out[out["cluster_id"].isin(clusters)].rename(columns={"cluster_id": "cluster"})
    out["cluster"] = pd.Categorical(out["cluster"], categories=clusters)
    out = out.sort_values(["cluster", "hour"]).set_index(["cluster", "hour"])
    index = cast(pd.MultiIndex, out.index)
    labels = index.levels[0].astype(str)
    out.index = index.set_levels(labels, level="cluster")  # type: ignore[call-overload]  # stubs: an Index is no Sequence
    return out


def profile_slices(case: str | Path, inputs: Inputs, resolution: Resolution) -> pd.DataFrame | None:
    """The time slices a run uses: None keeps the case's own (the year, or its profiles.csv)."""
    if resolution.kind == "year":
        return None
    clusters = [c.cluster_id for c in inputs.clusters]
    capacity = pd.DataFrame([c.model_dump() for c in inputs.clusters]).set_index("cluster_id")[
        ["wind_mw", "solar_mw", "hydro_mw"]
    ]
    dark = [c for c in clusters if capacity.loc[c].sum() <= 0]
    key = _cache_key(case, clusters, capacity, resolution)
    if key is not None and key in _CACHE:
        _CACHE.move_to_end(key)
        return _CACHE[key].copy()
    hourly = read_hourly(case, [c for c in clusters if c not in dark])
    out = slices(_with_dark_sites(hourly, dark, clusters), resolution, capacity)
    if key is not None:
        _CACHE[key] = out.copy()
        while len(_CACHE) > _CACHE_SIZE:
            _CACHE.popitem(last=False)
    return out


def _cache_key(
    case: str | Path, clusters: list[str], capacity: pd.DataFrame, resolution: Resolution
) -> tuple[object, ...] | None:
    """What a run's time slices are made of: the hourly file's SHA-256, the clusters, their capacities, K.

    Selecting representative days (reading, checking and clustering 8,760 hours) is the same work for
    every run of a case in one process (the web workspace, a notebook, a sweep of settings): the second
    run takes the slices from here. None (no caching) when the file cannot be read within its limit;
    read_hourly then says why.
    """
    path = hourly_path(case)
    packed = read_checked(path, TABLE_MB, [], inside=path.parent.parent) if path.exists() else None
    if packed is None:
        return None
    digest = hashlib.sha256(packed).hexdigest()
    return (digest, tuple(clusters), str(capacity.to_numpy().tolist()), resolution)


def _with_dark_sites(hourly: pd.DataFrame, dark: list[str], clusters: list[str]) -> pd.DataFrame:
    """Zero availability for sites with no contractable renewables (e.g. city sites outside the hubs).

    Such a site needs no hourly profile: its availability multiplies 0 MW.
    """
    if not dark:
        return hourly
    index = pd.MultiIndex.from_product([dark, range(HOURS)], names=["cluster", "hour"])
    out = pd.concat([hourly, pd.DataFrame(0.0, index=index, columns=hourly.columns)])
    order = pd.Categorical(out.index.get_level_values("cluster"), categories=clusters).codes
    return out.iloc[np.lexsort((out.index.get_level_values("hour").to_numpy(), order))]
