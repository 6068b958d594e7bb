"""A solved model's headline KPIs and binding families straight from the solution arrays, for live what-ifs.

`plan_summary` makes tidy frames of every decision first (`extract`), which costs tens of ms; a what-if
only shows six numbers and what binds. `Headline` gathers, once per built model, the column ids and
weights those numbers need, and then reads each new solution in a few vector operations. Each number
is the one `plan_summary` gives for the same solution (same rounding of the extracted values, same
sums by cluster and year); tests/test_quick_headline.py compares them.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from planner.model import Built, _lp, registry
from planner.model.data import RACKS_PER_KRACK
from planner.results.extract import BINDING_TOL
from planner.results.kpis import _r

KEYS = (
    "objective_yi_yuan",
    "new_racks_east",
    "new_racks_west",
    "green_share",
    "emissions_mt_co2",
    "unmet_rack_years",
)
"""The plan.json numbers `Headline.kpis` gives (besides status and gap)."""

READS = frozenset({"cluster_region", "grid_kt_per_gwh", "green_direct_kt_per_gwh"})
"""The ModelData fields `Headline` reads besides the variables' indexes: make a new one when they change."""


def _rounded(values: np.ndarray, scale: float = 1.0) -> np.ndarray:
    """A block of values as `extract` writes them: scaled, rounded to 9 decimals, no negative zero."""
    out: np.ndarray = np.round(values * scale, 9) + 0.0
    return out


class Headline:
    """Column ids and weights for a built model's headline KPIs (`planner.web.tune.HEADLINE`)."""

    def __init__(self, built: Built) -> None:
        v, d = built.vars, built.data
        self.racks_new = v.racks_new.to_numpy(dtype=np.int64)
        region = d.cluster_region.reindex(v.racks_new.index.get_level_values("cluster")).to_numpy()
        self.west = region == "west"
        self.unmet = v.unmet.to_numpy(dtype=np.int64)
        self.grid = v.grid.to_numpy(dtype=np.int64)
        self.renewable = v.renewable.to_numpy(dtype=np.int64)
        # energy is summed per (cluster, year) first, as energy_by_cluster_year does
        cy = pd.MultiIndex.from_arrays(
            [v.grid.index.get_level_values("cluster"), v.grid.index.get_level_values("year")], names=["cluster", "year"]
        )
        codes, uniques = pd.factorize(cy)
        self.cy_codes, self.n_cy = codes, len(uniques)
        cy_index = pd.MultiIndex.from_tuples(list(uniques), names=["cluster", "year"])
        clusters = cy_index.get_level_values("cluster")
        self.ef = d.grid_kt_per_gwh.reindex(clusters).to_numpy(dtype=float)
        self.direct: np.ndarray | None = None
        if not v.green_direct.empty:
            direct = v.green_direct.reindex(v.grid.index)
            self.direct_at = np.flatnonzero(direct.notna().to_numpy())
            self.direct = direct.to_numpy()[self.direct_at].astype(np.int64)
            self.ef_direct = d.green_direct_kt_per_gwh.reindex(clusters).fillna(0.0).to_numpy(dtype=float)
        certificates = v.certificates.reindex(cy_index)
        self.cert_at = np.flatnonzero(certificates.notna().to_numpy())
        self.cert = certificates.to_numpy()[self.cert_at].astype(np.int64)
        self.by_year = pd.factorize(cy_index.get_level_values("year"))

    def kpis(self, x: np.ndarray, objective: float | None) -> dict[str, Any]:
        """The headline numbers of solution `x` (column values) with the solver's objective."""
        new = _rounded(x[self.racks_new], RACKS_PER_KRACK)
        total_new, west_new = float(new.sum()), float(new[self.west].sum())
        grid = self._per_cy(_rounded(x[self.grid]))
        renewable = self._per_cy(_rounded(x[self.renewable]))
        facility = grid + renewable
        emissions = grid * self.ef / 1e3
        if self.direct is not None:
            values = np.zeros(len(self.grid))
            values[self.direct_at] = _rounded(x[self.direct])
            direct = self._per_cy(values)
            facility = facility + direct
            emissions = emissions + direct * self.ef_direct / 1e3
            renewable = renewable + direct
        certificates = np.zeros(self.n_cy)
        certificates[self.cert_at] = _rounded(x[self.cert])
        facility_total = float(self._per_year(facility).sum())
        green = float(self._per_year(renewable).sum() + self._per_year(certificates).sum())
        return {
            "objective_yi_yuan": None if objective is None else _r(objective),
            "new_racks_east": _r(total_new - west_new, 1),
            "new_racks_west": _r(west_new, 1),
            "green_share": _r(green / facility_total if facility_total > 0 else 0.0),
            "emissions_mt_co2": _r(float(self._per_year(emissions).sum())),
            "unmet_rack_years": _r(float(_rounded(x[self.unmet], RACKS_PER_KRACK).sum()), 1),
        }

    def _per_cy(self, values: np.ndarray) -> np.ndarray:
        out: np.ndarray = np.bincount(self.cy_codes, weights=values, minlength=self.n_cy)
        return out

    def _per_year(self, values: np.ndarray) -> np.ndarray:
        codes, years = self.by_year
        out: np.ndarray = np.bincount(codes, weights=values, minlength=len(years))
        return out


def binding(model: _lp.Model) -> dict[str, tuple[int, float, str]]:
    """Per family with binding rows: how many, the largest shadow price (report units) and its unit, by family name.

    Binding as in `extract.duals`: no slack (1e-6) and a shadow price above BINDING_TOL.
    """
    out: dict[str, tuple[int, float, str]] = {}
    for family, (pi, slack) in _lp.row_duals(model).items():
        on = (np.abs(np.nan_to_num(slack)) <= 1e-6) & (np.abs(np.nan_to_num(pi)) > BINDING_TOL)
        if on.any():
            unit, factor = registry.family(family).dual
            size = np.abs(np.round(pi[on] * factor, 6) + 0.0)
            out[family] = (int(on.sum()), float(size.max()), unit)
    return dict(sorted(out.items()))
