"""Run configuration: which solver, its limits, and where outputs go."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from planner.errors import UsageError

if TYPE_CHECKING:
    from planner.inputs.schema import Inputs


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
    """HiGHS LP algorithm (`solver` option); recorded in the manifest. `choose` is measured, not
    guessed: dual simplex (HiGHS's own choice) at the yearly and representative-day resolutions,
    where it was 4-10x faster than interior point on the default case, and PDLP at `hours`, where
    PDLP, then crossover and a dual simplex clean-up to an optimal vertex, solved the default case's
    full year 3.3x faster than interior point with crossover (see `effective_method`,
    docs/time-resolution.md). `pdlp` always ends with that crossover (`planner.solver.highs.to_vertex`)."""
    interface: Literal["direct", "pulp"] = "direct"
    """How HiGHS gets the model: `direct` passes the arrays to highspy in one call (fast at any
    size); `pulp` goes through PuLP's HiGHS interface (one Python step per non-zero). CBC always
    goes through PuLP."""
    time_resolution: str = "year"
    """`year` (one slice per year; the case's `solver.time_resolution` sets its own default), `days:K`
    (K representative days of 24 hourly slices, from the case's hourly profiles) or `hours` (all 8760 hours)."""
    write_lp: bool = False
    """Also write the model as `model.lp` in the output folder (always written when infeasible)."""
    output_dir: Path | None = None
    """Output folder; default `outputs/<case name>`."""
    report: bool = True
    """Also write report.html and report.md (map, charts, scorecard, shadow prices) with the plan."""
    report_lang: Literal["zh", "en", "both"] = "both"
    """Language of the report: Chinese, English or both (Chinese first)."""
    force: bool = False
    """Replace an existing output folder (otherwise an existing one is kept and the run stops)."""

    @field_validator("time_resolution")
    @classmethod
    def _resolution(cls, value: str) -> str:
        from planner.inputs.timeseries import Resolution

        Resolution.parse(value)
        return value

    @property
    def effective_method(self) -> str:
        """The HiGHS method actually requested: `choose` becomes `pdlp` for full-year hourly runs."""
        if self.highs_method == "choose" and self.time_resolution == "hours":
            return "pdlp"
        return self.highs_method


def config_for(inputs: Inputs, overrides: dict[str, Any] | None = None) -> RunConfig:
    """RunConfig from the case's solver block, with non-None overrides (CLI flags) on top."""
    block = inputs.scenario.solver
    base: dict[str, Any] = {  # RunConfig's fields by name; RunConfig (pydantic) validates them
        "solver": block.name,
        "time_limit_s": block.time_limit_s,
        "mip_gap": block.mip_gap,
        "threads": block.threads,
        "highs_method": block.highs_method,
        "time_resolution": block.time_resolution,
    }
    base.update({k: v for k, v in (overrides or {}).items() if v is not None})
    return RunConfig(**base)


OPTIONS = {
    "solver": ("--solver", "highs or cbc"),
    "time_limit_s": ("--time-limit", "a number of seconds above 0"),
    "mip_gap": ("--mip-gap", "a number from 0 to 1"),
    "threads": ("--threads", "a whole number of at least 1"),
    "highs_method": ("--method", "choose, simplex, ipm or pdlp"),
    "time_resolution": ("--hours/--days", "--hours full or --days K (1-365)"),
}
"""RunConfig field -> (CLI option, allowed values), for messages about bad option values."""


def check_overrides(overrides: dict[str, Any] | None) -> None:
    """Refuse bad option values before anything is read: UsageError (exit 2) naming option and allowed values."""
    given = {k: v for k, v in (overrides or {}).items() if v is not None}
    try:
        RunConfig(**given)
    except ValidationError as error:
        messages = []
        for item in error.errors():
            field = str(item["loc"][0]) if item["loc"] else ""
            option, allowed = OPTIONS.get(field, (field, str(item["msg"])))
            messages.append(f"{option}: {item.get('input')!r} is not allowed; expected {allowed}")
        raise UsageError("; ".join(messages)) from None
