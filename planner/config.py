"""Run configuration: which solver, its limits, and where outputs go."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class RunConfig(BaseModel):
    """How to solve and where to write; read from a case's `solver:` block, overridden by the CLI."""

    model_config = ConfigDict(extra="forbid", frozen=True, use_attribute_docstrings=True)

    solver: Literal["highs", "cbc"] = "highs"
    """Solver: HiGHS (default, through highspy) or CBC (the `cbc` extra) for cross-checks."""
    time_limit_s: float | None = Field(default=600.0, gt=0, json_schema_extra={"unit": "s"})
    """Wall-clock limit for the solver; the best feasible plan found by then is returned."""
    mip_gap: float = Field(default=1e-4, ge=0, le=1)
    """Relative optimality gap at which a mixed-integer solve stops (ignored for LPs)."""
    threads: int | None = Field(default=None, ge=1)
    """Solver threads; None lets the solver choose."""
    highs_method: Literal["choose", "simplex", "ipm", "pdlp"] = "choose"
    """HiGHS LP algorithm (`solver` option); recorded in the manifest."""
    write_lp: bool = False
    """Also write the model as `model.lp` in the output folder (always written when infeasible)."""
    output_dir: Path | None = None
    """Output folder; default `outputs/<case name>`."""
    report: bool = True
    """Also write report.html and report.md (map, charts, scorecard, shadow prices) with the plan."""
    force: bool = False
    """Replace an existing output folder (otherwise an existing one is kept and the run stops)."""
