"""Model builder: `build_model(data)` walks `FAMILIES` in order; each adds one constraint family.

The families are declared in `planner.model.registry.REGISTRY` (with their dual unit, report and
diagnosis wording and verify check); `FAMILIES` is that order plus the objective.

Index letters used in the docstrings: c cluster, h hub, w workload class, y year, t time slice.
Model units: krack (1000 standard racks), GWh, 亿元 (1e8 yuan), Gbps, kt CO2.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from typing import Any

import numpy as np

from planner.inputs.timeseries import Resolution
from planner.model import _lp
from planner.model._lp import Builder, Model
from planner.model.data import ModelData
from planner.model.objective import add_objective
from planner.model.registry import REGISTRY
from planner.model.variables import Vars, add_variables

logger = logging.getLogger(__name__)

Family = Callable[[Builder, ModelData, Vars], None]

FAMILIES: tuple[Family, ...] = (*(f.add for f in REGISTRY), add_objective)
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


class DataReads(ModelData):
    """A ModelData that remembers the names of the fields read through it.

    It is a ModelData (the same field values), so a family typed `d: ModelData` gets what its
    signature says when the re-solver records what the family reads.
    """

    def __init__(self, data: ModelData) -> None:
        for f in fields(data):
            object.__setattr__(self, f.name, getattr(data, f.name))  # frozen dataclass: set once, here
        object.__setattr__(self, "fields_read", set())

    def __getattribute__(self, name: str) -> Any:  # noqa: ANN401 - any field of ModelData
        if name in _DATA_FIELDS:
            object.__getattribute__(self, "fields_read").add(name)
        return object.__getattribute__(self, name)


_DATA_FIELDS = frozenset(f.name for f in fields(ModelData))


def run_step(step: Callable[..., Any], m: Builder, data: ModelData, trace: Trace | None, *args: Any) -> Any:  # noqa: ANN401
    """Call one build step (`add_variables` or a family) and, with a trace, record what it read and added."""
    if trace is None:
        return step(m, data, *args)
    reads, before = DataReads(data), set(m.rows)
    out = step(m, reads, *args)
    trace.reads[step.__name__] = frozenset(reads.fields_read)
    trace.rows[step.__name__] = tuple(f for f in m.rows if f not in before)
    return out


def build_model(data: ModelData, name: str = "planner", trace: Trace | None = None) -> Built:
    """Create variables, then every family in `FAMILIES`; log size and coefficient range."""
    m = _lp.new_model(name)
    v = run_step(add_variables, m, data, trace)
    for family in FAMILIES:
        run_step(family, m, data, trace, v)
    lo, hi = coefficient_range(m)
    logger.info(
        "model: %d rows, %d columns, %d non-zeros; |coefficients| in [%.2g, %.2g]",
        m.n_rows,
        m.n_cols,
        m.nonzeros,
        lo,
        hi,
    )
    return Built(m, v, data)


def coefficient_range(m: Model) -> tuple[float, float]:
    """Smallest and largest non-zero |coefficient| over rows and objective."""
    lo, hi = np.inf, 0.0
    for coef in [b.coef for b in m.blocks.values()] + [t.coef for t in m.objective_terms.values()]:
        nonzero = np.abs(coef[coef != 0])
        if len(nonzero):
            lo, hi = min(lo, float(nonzero.min())), max(hi, float(nonzero.max()))
    return (0.0, 0.0) if hi == 0.0 else (lo, hi)
