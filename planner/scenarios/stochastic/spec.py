"""Stochastic files: a base case, a set of futures with probabilities, and how to plan over them.

::

    # Question: which racks should be committed now when AI demand may stall or boom?
    name: uncertain_ai_demand
    base: inputs/default
    overlays: []                    # optional overlays applied to the base first
    stochastic:
      commitment_year: 2027         # here-and-now: racks and link capacity built up to 2027 ('all': every year)
      objective: expected           # expected | cvar | regret (minimax regret)
      cvar_level: 0.9               # cvar: CVaR of the worst 10 % of probability ...
      cvar_weight: 1.0              #       ... added with this weight to the expected cost
      resolution: year              # time slices of every future's model
      method: both                  # extensive | decomposition | both (solve twice and compare)
    futures:                        # named futures: overlays (set / tables) with a probability
      low:
        probability: 0.25
        tables:
          demand: [{match: {workload_id: ai_training}, scale: {demand_racks: 0.6}}]
      central: {probability: 0.5}
      high: {probability: 0.25, tables: {demand: [{match: {workload_id: ai_training}, scale: {demand_racks: 1.6}}]}}

Instead of `futures`, `samples: N`, `seed` and `parameters` (the sweep file's syntax,
`planner.scenarios.spec`) draw N equally likely futures. Problems (probabilities that do not sum
to 1, unknown settings, tables, columns or ids, a commitment year outside the horizon) are reported
with the file and line.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from planner.errors import InputError, Problem
from planner.inputs.overlay import apply_overlay, apply_patch
from planner.inputs.read import RawCase, inputs_hash, read_raw, validate
from planner.inputs.schema import ID_PATTERN, Inputs
from planner.scenarios.spec import Parameter, SweepFile, _check_targets, _locate, expand, read_spec
from planner.scenarios.stochastic.risk import Risk

PROBABILITY_TOL = 1e-6
"""How far the futures' probabilities may sum from 1."""

Method = Literal["extensive", "decomposition", "both"]


class Settings(BaseModel):
    """The `stochastic:` block."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    commitment_year: int | Literal["all"] = "all"
    objective: Literal["expected", "cvar", "regret"] = "expected"
    cvar_level: float = Field(default=0.9, gt=0, lt=1)
    cvar_weight: float = Field(default=1.0, ge=0)
    resolution: str = Field(default="year", pattern=r"^(year|hours|days:[0-9]{1,3})$")
    method: Method = "both"
    cut_groups: int | None = Field(default=None, ge=1)


class Future(BaseModel):
    """One named future: its probability and its overlay (`set`, `tables`)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    probability: float = Field(ge=0, le=1)
    description: str = ""
    set: dict[str, Any] | None = None
    tables: dict[str, Any] | None = None


class StochasticFile(BaseModel):
    """The file's top level."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(pattern=ID_PATTERN)
    description: str = ""
    base: str
    overlays: list[str] = Field(default_factory=list)
    stochastic: Settings = Field(default_factory=Settings)
    futures: dict[str, Future] | None = None
    samples: int | None = Field(default=None, ge=2, le=10_000)
    seed: int = 0
    parameters: dict[str, Parameter] | None = None

    @model_validator(mode="after")
    def _one_kind(self) -> StochasticFile:
        if (self.futures is None) == (self.samples is None):
            raise ValueError("give either 'futures' (named, with probabilities) or 'samples' with 'parameters' (drawn)")
        if self.samples is not None and not self.parameters:
            raise ValueError("'samples' needs 'parameters' to draw")
        if self.futures is not None and len(self.futures) < 2:
            raise ValueError("give at least two futures")
        return self


@dataclass(frozen=True)
class Scenario:
    """One future, validated: its name, probability and inputs."""

    name: str
    probability: float
    inputs: Inputs
    description: str = ""
    patch: dict[str, Any] | None = None  # the overlay mapping (set, tables) that makes this future


@dataclass(frozen=True)
class Stochastic:
    """A read and checked stochastic file."""

    path: Path
    spec: StochasticFile
    raw: RawCase
    futures: list[Scenario]
    commitment_year: int | None  # None: every year
    overlays: tuple[Path, ...] = ()  # the file's overlays, located

    @property
    def central(self) -> Scenario:
        """The most probable future (the first of them on a tie): its recourse makes the plan folder."""
        return max(self.futures, key=lambda f: f.probability)

    @property
    def risk(self) -> Risk:
        """The objective with its CVaR level and weight."""
        s = self.spec.stochastic
        return Risk(s.objective, s.cvar_level, s.cvar_weight)


def load_stochastic(path: str | Path, case: str | Path | None = None) -> Stochastic:
    """Read a stochastic file and its base case (`case`, else the file's `base`), apply every future, validate.

    Every problem is reported at once (InputError, with file and line).
    """
    path = Path(path)
    problems: list[Problem] = []
    spec, lines = read_spec(path, StochasticFile, problems)
    raw = read_raw(Path(case) if case is not None else _locate(spec.base, path))
    overlays = tuple(_locate(overlay, path, folder=False) for overlay in spec.overlays)
    for overlay in overlays:
        raw = apply_overlay(raw, overlay)
    base = validate(raw)
    years = base.scenario.years
    commit = spec.stochastic.commitment_year
    if commit != "all" and not years.first <= commit <= years.last:
        problems.append(
            Problem(
                str(path),
                f"commitment year {commit} is outside the planning horizon {years.first}-{years.last}",
                row=lines.get(("stochastic", "commitment_year")),
                column="stochastic.commitment_year",
                value=commit,
            )
        )
    futures = (
        _named(spec, raw, path, lines, problems)
        if spec.futures is not None
        else _sampled(spec, raw, path, lines, problems)
    )
    if problems:
        raise InputError(problems)
    return Stochastic(path, spec, raw, futures, None if commit == "all" else int(commit), overlays)


def _named(
    spec: StochasticFile, raw: RawCase, path: Path, lines: dict[tuple[Any, ...], int], problems: list[Problem]
) -> list[Scenario]:
    assert spec.futures is not None
    total = sum(f.probability for f in spec.futures.values())
    if abs(total - 1.0) > PROBABILITY_TOL:
        shown = " + ".join(f"{f.probability:g}" for f in spec.futures.values())
        problems.append(
            Problem(
                str(path),
                f"the futures' probabilities sum to {total:g} ({shown}), not 1",
                row=lines.get(("futures",)),
                column="futures",
            )
        )
    out = []
    for name, future in spec.futures.items():
        sub = {key[2:]: line for key, line in lines.items() if key[:2] == ("futures", name) and len(key) > 2}
        patch = {"name": f"{spec.name}_{name}", "set": future.set, "tables": future.tables}
        try:
            inputs = validate(apply_patch(raw, patch, str(path), sub))
            out.append(Scenario(name, future.probability, inputs, future.description, patch))
        except InputError as err:
            problems.extend(err.problems)
    return out


def _sampled(
    spec: StochasticFile, raw: RawCase, path: Path, lines: dict[tuple[Any, ...], int], problems: list[Problem]
) -> list[Scenario]:
    assert spec.samples is not None
    assert spec.parameters is not None
    sweep = SweepFile(name=spec.name, base=spec.base, samples=spec.samples, seed=spec.seed, parameters=spec.parameters)
    found = _check_targets(sweep, raw, path, lines)
    if found:
        problems.extend(found)
        return []
    tasks = expand(sweep, raw, inputs_hash(raw), str(path))
    out = []
    for task in tasks:
        patch = {**task.patch, "name": f"{spec.name}_{task.index:03d}"}
        try:
            out.append(
                Scenario(
                    f"s{task.index:03d}",
                    1.0 / spec.samples,
                    validate(apply_patch(raw, patch, str(path))),
                    ", ".join(f"{k}={v:g}" if isinstance(v, float) else f"{k}={v}" for k, v in task.params.items()),
                    patch,
                )
            )
        except InputError as err:
            problems.append(
                Problem(
                    str(path),
                    f"sample {task.index} ({task.params}) makes the case invalid: "
                    + "; ".join(p.message for p in err.problems[:2]),
                    row=lines.get(("parameters",)),
                )
            )
            if len(problems) >= 20:
                break
    return out
