"""Time resolution: hourly profiles -> time slices (the year, representative days, or every hour).

A slice stands for `weight_hours` hours of the year; slices of one `period` are consecutive hours
whose storage state of charge carries over from one to the next, cyclically. Periods are days at
both hourly resolutions (a representative day, or each of the 365 days of the full year, ends
where it started): batteries of a few hours' duration cycle daily, and a year-long cyclic chain
made HiGHS's interior point 1.5-2.5x slower on a one-cluster year for a 0.015 % lower cost.

Representative days come from k-medoids clustering of the 365 days (documented here rather than
tsam, whose current release pins an older HiGHS than the engine's): each day is a vector of
every cluster's 24 hourly wind, solar and hydro outputs, weighted by the capacity behind them (MW),
so the days that matter for energy dominate the distance. Medoids are real days. After selection
each (cluster, technology) series is rescaled so its weighted mean equals the annual mean, keeping
annual renewable energy exact (capped at an availability of 1).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

HOURS_PER_DAY = 24
DAYS = 365
TECHS = ("wind_cf", "solar_cf", "hydro_cf")
RESOLUTION = re.compile(r"^(year|hours|days:([1-9][0-9]*))$")


@dataclass(frozen=True)
class Resolution:
    """How finely a run resolves the year: `year` (one slice), `days:K`, or `hours` (8760)."""

    kind: str
    days: int | None = None

    @classmethod
    def parse(cls, text: str) -> Resolution:
        """`year`, `hours` or `days:K` (1 <= K <= 365)."""
        match = RESOLUTION.match(text)
        if match is None or (match.group(2) is not None and int(match.group(2)) > DAYS):
            msg = f"time resolution {text!r}: expected 'year', 'hours' or 'days:K' with 1 <= K <= 365"
            raise ValueError(msg)
        return cls("days", int(match.group(2))) if match.group(2) else cls(match.group(1))

    def describe(self) -> str:
        """Human label for plan.json and the manifest."""
        if self.kind == "hours":
            return "full year, hourly (8760 slices per year)"
        if self.kind == "days":
            assert self.days is not None  # parse() sets days for kind "days"
            return f"{self.days} representative days (k-medoids), hourly ({self.days * HOURS_PER_DAY} slices per year)"
        return "yearly (one slice per year)"


def slices(hourly: pd.DataFrame, resolution: Resolution, capacity_mw: pd.DataFrame | None = None) -> pd.DataFrame:
    """Profile rows for a resolution: columns cluster, slice, period, weight_hours and TECHS."""
    if resolution.kind == "hours":
        return _full_year(hourly)
    if resolution.kind == "days":
        assert resolution.days is not None
        return representative_days(hourly, resolution.days, capacity_mw)
    means = hourly.groupby(level="cluster", sort=False)[list(TECHS)].mean()
    out = means.reset_index()
    out.insert(1, "slice", "year")
    out.insert(2, "period", "year")
    out.insert(3, "weight_hours", float(DAYS * HOURS_PER_DAY))
    return out


def _full_year(hourly: pd.DataFrame) -> pd.DataFrame:
    frame = hourly.reset_index()
    labels = np.array([f"h{h:04d}" for h in range(DAYS * HOURS_PER_DAY)])
    days = np.array([f"d{d:03d}" for d in range(DAYS)])
    out = pd.DataFrame(
        {
            "cluster": frame["cluster"].to_numpy(),
            "slice": labels[frame["hour"].to_numpy()],
            "period": days[frame["hour"].to_numpy() // HOURS_PER_DAY],
            "weight_hours": 1.0,
        }
    )
    for tech in TECHS:
        out[tech] = frame[tech].to_numpy()
    return out


def day_features(hourly: pd.DataFrame, capacity_mw: pd.DataFrame | None = None) -> np.ndarray:
    """One row per day: every (cluster, technology)'s 24 hourly outputs, scaled by its capacity."""
    clusters = hourly.index.get_level_values("cluster").unique()
    blocks = []
    for tech in TECHS:
        values = hourly[tech].to_numpy().reshape(len(clusters), DAYS, HOURS_PER_DAY)
        weight = (
            np.ones(len(clusters))
            if capacity_mw is None
            else capacity_mw.reindex(clusters)[tech.replace("_cf", "_mw")].to_numpy(dtype=float)
        )
        blocks.append(values * weight[:, None, None])
    stacked = np.concatenate(blocks, axis=0)  # (series, day, hour)
    scale = np.abs(stacked).max()
    return np.transpose(stacked, (1, 0, 2)).reshape(DAYS, -1) / (scale if scale > 0 else 1.0)


def k_medoids(features: np.ndarray, k: int, seed: int = 0, restarts: int = 8) -> tuple[np.ndarray, np.ndarray]:
    """Medoid row numbers (sorted) and each row's medoid position; best of seeded k-medoids++ runs."""
    sq = (features**2).sum(axis=1)
    dist = np.sqrt(np.maximum(sq[:, None] + sq[None, :] - 2 * features @ features.T, 0.0))
    rng = np.random.default_rng(seed)
    best: tuple[float, np.ndarray] | None = None
    for _ in range(restarts):
        medoids = _plus_plus(dist, k, rng)
        for _ in range(100):
            assign = np.argmin(dist[:, medoids], axis=1)
            updated = medoids.copy()
            for j in range(k):
                members = np.flatnonzero(assign == j)
                if len(members):
                    updated[j] = members[np.argmin(dist[np.ix_(members, members)].sum(axis=0))]
            if np.array_equal(updated, medoids):
                break
            medoids = updated
        cost = float(dist[:, medoids].min(axis=1).sum())
        if best is None or cost < best[0] - 1e-12:
            best = (cost, medoids)
    assert best is not None
    medoids = np.sort(best[1])
    return medoids, np.argmin(dist[:, medoids], axis=1)


def _plus_plus(dist: np.ndarray, k: int, rng: np.random.Generator) -> np.ndarray:
    n = len(dist)
    chosen = [int(rng.integers(n))]
    for _ in range(1, min(k, n)):
        nearest = dist[:, chosen].min(axis=1) ** 2
        total = nearest.sum()
        chosen.append(int(rng.choice(n, p=nearest / total)) if total > 0 else int(rng.integers(n)))
    return np.array(chosen)


def representative_days(
    hourly: pd.DataFrame, k: int, capacity_mw: pd.DataFrame | None = None, seed: int = 0
) -> pd.DataFrame:
    """K representative days as 24K hourly slices per cluster, weighted by the days each stands for."""
    medoids, assign = k_medoids(day_features(hourly, capacity_mw), k, seed)
    counts = np.bincount(assign, minlength=len(medoids)).astype(float)
    clusters = hourly.index.get_level_values("cluster").unique()
    hour_of_slice = (medoids[:, None] * HOURS_PER_DAY + np.arange(HOURS_PER_DAY)[None, :]).ravel()
    weight = np.repeat(counts, HOURS_PER_DAY)
    frames = []
    for cluster in clusters:
        year = hourly.xs(cluster, level="cluster")
        frame = pd.DataFrame(
            {
                "cluster": cluster,
                "slice": [f"d{j:03d}h{h:02d}" for j in range(len(medoids)) for h in range(HOURS_PER_DAY)],
                "period": np.repeat([f"d{j:03d}" for j in range(len(medoids))], HOURS_PER_DAY),
                "weight_hours": weight,
            }
        )
        for tech in TECHS:
            frame[tech] = _keep_mean(year[tech].to_numpy()[hour_of_slice], weight, float(year[tech].mean()))
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)


def _keep_mean(values: np.ndarray, weight: np.ndarray, target: float) -> np.ndarray:
    """Scale values (capped at 1) so that their weighted mean is `target`, as far as the cap allows."""
    out = values.copy()
    for _ in range(20):
        mean = float(np.dot(out, weight) / weight.sum())
        if mean <= 0 or abs(mean - target) <= 1e-9:
            break
        out = np.minimum(out * target / mean, 1.0)
    return out
