"""Model builder: `build_model(data)` walks `FAMILIES` in order; each adds one constraint family.

Index letters used in the docstrings: c cluster, h hub, w workload class, y year, t time slice.
Model units: krack (1000 standard racks), GWh, 亿元 (1e8 yuan), Gbps, kt CO2.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from planner.model.data import ModelData
from planner.inputs.timeseries import Resolution
from planner.model import _lp
from planner.model._lp import Model
from planner.model.capacity import (
    add_base_year_load,
    add_build_modules,
    add_build_rate,
    add_capacity,
    add_incumbent_load,
    add_land_limit,
    add_power_limit,
    add_rack_stock,
    add_utilisation_floor,
)
from planner.model.demand import add_class_load_balance, add_demand_met
from planner.model.energy import (
    add_certificate_cover,
    add_certificate_share,
    add_green_hourly,
    add_green_share,
    add_new_load,
    add_new_load_cap,
    add_power_balance,
    add_renewable_availability,
)
from planner.model.network import add_link_bandwidth, add_link_expansion_limit
from planner.model.objective import add_objective
from planner.model.policy import add_budget_total, add_budget_yearly, add_carbon_cap, add_hub_share, add_west_share
from planner.model.storage import (
    add_battery_energy_stock,
    add_battery_power_stock,
    add_storage_balance,
    add_storage_charge_green,
    add_storage_energy,
    add_storage_power,
)
from planner.model.variables import Vars, add_variables

logger = logging.getLogger(__name__)

Family = Callable[[Model, ModelData, Vars], None]

FAMILIES: tuple[Family, ...] = (
    add_demand_met,
    add_class_load_balance,
    add_rack_stock,
    add_build_rate,
    add_land_limit,
    add_power_limit,
    add_build_modules,
    add_capacity,
    add_utilisation_floor,
    add_base_year_load,
    add_incumbent_load,
    add_power_balance,
    add_renewable_availability,
    add_certificate_cover,
    add_new_load,
    add_new_load_cap,
    add_green_share,
    add_certificate_share,
    add_green_hourly,
    add_battery_power_stock,
    add_battery_energy_stock,
    add_storage_balance,
    add_storage_power,
    add_storage_energy,
    add_storage_charge_green,
    add_link_bandwidth,
    add_link_expansion_limit,
    add_budget_yearly,
    add_budget_total,
    add_west_share,
    add_hub_share,
    add_carbon_cap,
    add_objective,
)
"""Every constraint family and the objective, in build order: the formulation's table of contents."""


@dataclass
class Built:
    """A built model with its variables and the data it came from."""

    model: Model
    vars: Vars
    data: ModelData
    resolution: Resolution | None = None


@dataclass
class Trace:
    """What each build step read from ModelData and which row families it added.

    Recorded on request by `build_model`; `planner.scenarios.resolve` uses it to re-run only the steps whose
    inputs changed when a scenario differs from the last one in numbers only.
    """

    reads: dict[str, frozenset[str]] = field(default_factory=dict)
    rows: dict[str, tuple[str, ...]] = field(default_factory=dict)


class DataReads:
    """Stands in for a ModelData and remembers the names of the fields read through it."""

    def __init__(self, data: ModelData) -> None:
        self._data = data
        self.fields: set[str] = set()

    def __getattr__(self, name: str) -> Any:  # noqa: ANN401 - forwards any field of ModelData
        self.fields.add(name)
        return getattr(self._data, name)


def run_step(step: Callable[..., Any], m: Any, data: ModelData, trace: Trace | None, *args: Any) -> Any:  # noqa: ANN401
    """Call one build step (`add_variables` or a family) and, with a trace, record what it read and added."""
    if trace is None:
        return step(m, data, *args)
    reads, before = DataReads(data), set(m.rows)
    out = step(m, reads, *args)
    trace.reads[step.__name__] = frozenset(reads.fields)
    trace.rows[step.__name__] = tuple(f for f in m.rows if f not in before)
    return out


def build_model(data: ModelData, name: str = "planner", trace: Trace | None = None) -> Built:
    """Create variables, then every family in `FAMILIES`; log size and coefficient range."""
    m = _lp.new_model(name)
    v = run_step(add_variables, m, data, trace)
    for family in FAMILIES:
        run_step(family, m, data, trace, v)
    lo, hi = coefficient_range(m)
    logger.info("model: %d rows, %d columns, %d non-zeros; |coefficients| in [%.2g, %.2g]", m.n_rows, m.n_cols, m.nonzeros, lo, hi)
    return Built(m, v, data)


def coefficient_range(m: Model) -> tuple[float, float]:
    """Smallest and largest non-zero |coefficient| over rows and objective."""
    lo, hi = np.inf, 0.0
    for coef in [b.coef for b in m.blocks.values()] + [t.coef for t in m.objective_terms.values()]:
        nonzero = np.abs(coef[coef != 0])
        if len(nonzero):
            lo, hi = min(lo, float(nonzero.min())), max(hi, float(nonzero.max()))
    return (0.0, 0.0) if hi == 0.0 else (lo, hi)
