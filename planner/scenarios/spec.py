"""Sweep files: which case, which parameters to vary and how, what to collect; expanded into tasks.

A sweep file (YAML)::

    # Question: how do budget and the green-power floor trade cost against unmet demand?
    name: budget_green
    base: inputs/default             # case folder (relative to the working folder or this file)
    overlays: []                     # optional scenario overlays applied to the base first
    parameters:                      # each becomes a column of the results table
      budget_yi_yuan:
        set: budget.total_yi_yuan    # a scenario.yaml setting (dotted path) ...
        values: [500, 700, 1000]     # grid: every combination of every parameter's values
      demand_scale:
        scale: demand.demand_racks   # ... or <table>.<column>, multiplied (set: overwrites)
        match: {workload_id: batch}  # rows of the table to change (default: every row)
        values: [0.9, 1.0, 1.2]
    collect: [objective_yi_yuan, green_share, unmet_rack_years, cost_breakdown_yi_yuan.carbon]

With `samples: N` and `seed: S` the sweep draws N random scenarios instead of a grid; each
parameter then names a `distribution` (uniform low/high, normal mean/sd, lognormal mean/sigma of
the log, triangular low/mode/high) or gives `values` to pick from. Errors in the file (unknown
keys, settings, tables, columns, ids or KPIs) are reported with the file and line. Every value is
checked against the base case before anything is solved (a value that makes the case invalid is an
error at its line), and a grid may hold at most `MAX_SCENARIOS` (10,000) scenarios.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from planner.errors import InputError, Problem
from planner.inputs.overlay import apply_overlay, apply_patch
from planner.inputs.read import RawCase, inputs_hash, read_raw, read_yaml, validate
from planner.inputs.schema import ID_PATTERN, TABLES, Scenario

SCALAR_KPIS = (
    "gap",
    "objective_yi_yuan",
    "new_racks_total",
    "new_racks_east",
    "new_racks_west",
    "west_share_of_new_racks",
    "investment_total_yi_yuan",
    "demand_rack_years",
    "served_rack_years",
    "unmet_rack_years",
    "average_pue",
    "green_share",
    "facility_energy_gwh",
    "emissions_mt_co2",
)
MAPPING_KPIS = (
    "cost_breakdown_yi_yuan",
    "new_racks_by_hub",
    "new_racks_by_cluster",
    "new_racks_by_year",
    "investment_by_hub_yi_yuan",
    "investment_by_year_yi_yuan",
    "investment_by_hub_year_yi_yuan",
    "unmet_by_hub_workload_racks",
    "green_share_by_year",
    "emissions_mt_co2_by_year",
    "utilisation_by_cluster_year",
)
"""Numbers a solved scenario reports (plan.json's KPIs); `collect` names a scalar, or a mapping with
its key(s): `cost_breakdown_yi_yuan.carbon`, `investment_by_hub_year_yi_yuan.gansu.2030`."""

MAX_SCENARIOS = 10_000
"""Most scenarios a grid may have (the product of its value counts); random sweeps: `samples` <= 100,000."""

RESERVED_COLUMNS = ("scenario", "scenario_id", "status", "reason", "solved_by", "seconds", "worker")

DEFAULT_COLLECT = (
    "objective_yi_yuan",
    "investment_total_yi_yuan",
    "new_racks_east",
    "new_racks_west",
    "green_share",
    "emissions_mt_co2",
    "unmet_rack_years",
)

Distribution = Literal["uniform", "normal", "lognormal", "triangular"]
DISTRIBUTION_ARGS: dict[str, tuple[str, ...]] = {
    "uniform": ("low", "high"),
    "normal": ("mean", "sd"),
    "lognormal": ("mean", "sigma"),
    "triangular": ("low", "mode", "high"),
}


class Parameter(BaseModel):
    """One parameter of a sweep: what it changes, and its values or distribution."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    set: str | None = None
    """Overwrite this setting (`budget.total_yi_yuan`) or table column (`clusters.pue`)."""
    scale: str | None = None
    """Multiply this setting or table column by the parameter's value."""
    match: dict[str, Any] = Field(default_factory=dict)
    """Rows of the table to change (overlay `match` syntax); every row if empty."""
    values: list[Any] | None = None
    """Grid values (or, in a random sweep, values to pick from)."""
    distribution: Distribution | None = None
    """Random sweeps: the distribution to draw from."""
    low: float | None = None
    high: float | None = None
    mode: float | None = None
    mean: float | None = None
    sd: float | None = Field(default=None, ge=0)
    sigma: float | None = Field(default=None, ge=0)

    @model_validator(mode="after")
    def _one_target(self) -> Parameter:
        if (self.set is None) == (self.scale is None):
            raise ValueError("give exactly one of 'set' or 'scale'")
        if self.values is not None and self.distribution is not None:
            raise ValueError("give 'values' or a 'distribution', not both")
        if self.values is not None and not self.values:
            raise ValueError("'values' is empty")
        if self.distribution is not None:
            missing = [a for a in DISTRIBUTION_ARGS[self.distribution] if getattr(self, a) is None]
            if missing:
                raise ValueError(f"a {self.distribution} distribution needs {', '.join(missing)}")
            numbers = [getattr(self, a) for a in DISTRIBUTION_ARGS[self.distribution]]
            if not all(math.isfinite(x) for x in numbers):
                raise ValueError("distribution arguments must be finite numbers")
            if self.distribution in ("uniform", "triangular") and not (self.low or 0) <= (
                self.mode if self.mode is not None else self.low or 0
            ) <= (self.high or 0):
                raise ValueError(
                    "need low <= mode <= high" if self.distribution == "triangular" else "need low <= high"
                )
        return self

    @property
    def target(self) -> str:
        """The dotted setting or `table.column` the parameter changes."""
        return self.set or self.scale or ""


class SweepFile(BaseModel):
    """The sweep file's top level."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(pattern=ID_PATTERN)
    description: str = ""
    base: str
    overlays: list[str] = Field(default_factory=list)
    samples: int | None = Field(default=None, ge=1, le=100_000)
    seed: int = 0
    parameters: dict[str, Parameter] = Field(min_length=1)
    collect: list[str] = Field(default_factory=lambda: list(DEFAULT_COLLECT))


@dataclass(frozen=True)
class Task:
    """One scenario of a sweep: its parameter values and the overlay patch that applies them."""

    index: int
    id: str
    params: dict[str, Any]
    patch: dict[str, Any]
    file: str


@dataclass(frozen=True)
class Sweep:
    """A validated sweep: the spec, the patched base case, and one task per scenario."""

    path: Path
    spec: SweepFile
    raw: RawCase
    base_id: str
    tasks: list[Task]


def read_spec[M: BaseModel](
    path: Path, model: type[M], problems: list[Problem]
) -> tuple[M, dict[tuple[Any, ...], int]]:
    """A sweep or stochastic file read and checked against `model`, with the line of every key path.

    Raises InputError with every problem at its line (YAML errors, unknown keys, bad values).
    """
    data, lines = read_yaml(path, problems)
    if data is None:
        raise InputError(problems)
    try:
        return model.model_validate(data), lines
    except ValidationError as err:
        for item in err.errors():
            loc = tuple(item["loc"])
            line = next((lines[loc[:n]] for n in range(len(loc), 0, -1) if loc[:n] in lines), None)
            message = (
                "unknown key" if item["type"] == "extra_forbidden" else str(item["msg"]).removeprefix("Value error, ")
            )
            problems.append(Problem(str(path), message, row=line, column=".".join(map(str, loc)) or None))
        raise InputError(problems) from None


def load_sweep(path: str | Path) -> Sweep:
    """Read and check a sweep file, read its base case and overlays, and expand the scenarios."""
    path = Path(path)
    problems: list[Problem] = []
    spec, lines = read_spec(path, SweepFile, problems)
    raw = read_raw(_locate(spec.base, path))
    for overlay in spec.overlays:
        raw = apply_overlay(raw, _locate(overlay, path, folder=False))
    problems += _check_targets(spec, raw, path, lines)
    problems += _check_collect(spec, raw, path, lines)
    problems += _check_size(spec, path, lines)
    if not problems:
        problems += _check_values(spec, raw, path, lines)
    if problems:
        raise InputError(problems)
    base_id = inputs_hash(raw)
    return Sweep(path, spec, raw, base_id, expand(spec, raw, base_id, str(path)))


def _check_size(spec: SweepFile, path: Path, lines: dict[tuple[Any, ...], int]) -> list[Problem]:
    """A grid above MAX_SCENARIOS is refused before anything is expanded or solved."""
    if spec.samples is not None:
        return []
    count = math.prod(len(p.values or []) for p in spec.parameters.values())
    if count <= MAX_SCENARIOS:
        return []
    sizes = " x ".join(str(len(p.values or [])) for p in spec.parameters.values())
    return [
        Problem(
            str(path),
            f"the grid has {count:,} scenarios ({sizes}); at most {MAX_SCENARIOS:,} are allowed: use fewer values or a "
            "random sweep (samples: N)",
            row=lines.get(("parameters",)),
        )
    ]


def _check_values(spec: SweepFile, raw: RawCase, path: Path, lines: dict[tuple[Any, ...], int]) -> list[Problem]:
    """Every value of every parameter, applied alone to the base case, must give valid inputs.

    Runs before any solve, so a bad value is an error at its line (exit 2), never a sweep that
    solves for an hour and then cannot tabulate its results.
    """
    problems: list[Problem] = []
    for name, p in spec.parameters.items():
        candidates: list[tuple[int | None, Any]] = list(enumerate(p.values)) if p.values is not None else []
        if p.distribution is not None:
            ends = [getattr(p, a) for a in ("low", "high", "mean") if getattr(p, a) is not None]
            candidates = [(None, v) for v in ends]
        seen: set[str] = set()
        for i, value in candidates:
            line = lines.get(("parameters", name, "values", i)) if i is not None else lines.get(("parameters", name))
            key = json.dumps(value, sort_keys=True, default=str)
            if key in seen:
                continue
            seen.add(key)
            message = _value_problem(value)
            if message is None:
                message = _invalid_in_case(spec, raw, name, value)
            if message is not None:
                problems.append(
                    Problem(
                        str(path),
                        message,
                        row=line,
                        column=f"parameters.{name}",
                        value=value if not isinstance(value, dict | list) else None,
                    )
                )
            if len(problems) >= 50:
                return problems
    return problems


def _value_problem(value: Any) -> str | None:  # noqa: ANN401 - any YAML value
    if isinstance(value, dict | list) or value is None:
        return "each value must be a single number or text, not a list, mapping or blank"
    if isinstance(value, float) and not math.isfinite(value):
        return "not a finite number"
    return None


def _invalid_in_case(spec: SweepFile, raw: RawCase, name: str, value: Any) -> str | None:  # noqa: ANN401 - any YAML value
    try:
        validate(apply_patch(raw, _patch(spec, raw, {name: value}), "sweep"))
    except InputError as err:
        return "makes the base case invalid: " + "; ".join(p.message for p in err.problems[:2])
    except (TypeError, ValueError) as err:
        return f"cannot be applied: {err}"
    return None


def _locate(name: str, sweep_file: Path, folder: bool = True) -> Path:
    """A path as given (relative to the working folder), else relative to the sweep file or its parent."""
    for candidate in (Path(name), sweep_file.parent / name, sweep_file.parent.parent / name):
        if candidate.is_dir() if folder else candidate.is_file():
            return candidate
    return Path(name)


def _setting_exists(parts: list[str]) -> bool:
    model: Any = Scenario
    for part in parts:
        fields = getattr(model, "model_fields", None)
        if fields is None or part not in fields:
            return False
        model = fields[part].annotation
    return True


def _check_targets(spec: SweepFile, raw: RawCase, path: Path, lines: dict[tuple[Any, ...], int]) -> list[Problem]:
    problems: list[Problem] = []
    for name, p in spec.parameters.items():
        line = lines.get(("parameters", name, "set" if p.set else "scale"))
        table, _, column = p.target.partition(".")
        if table in TABLES:
            columns = list(TABLES[table].model_fields)
            problems.extend(
                Problem(
                    str(path), f"unknown column of {table}.csv; expected one of {', '.join(columns)}", row=line, value=c
                )
                for c in [column, *p.match]
                if c not in columns
            )
            if table not in raw.tables:
                problems.append(Problem(str(path), f"the base case has no {table}.csv", row=line))
            elif all(c in columns for c in p.match) and p.match:
                frame = raw.tables[table].frame
                hit = np.ones(len(frame), dtype=bool)
                for c, v in p.match.items():
                    wanted = [str(x) for x in v] if isinstance(v, list) else [str(v)]
                    hit &= frame[c].astype(str).isin(wanted).to_numpy()
                if not hit.any():
                    problems.append(
                        Problem(
                            str(path),
                            f"no row of {table}.csv matches {p.match}; check the ids",
                            row=lines.get(("parameters", name, "match"), line),
                        )
                    )
        elif p.match:
            problems.append(Problem(str(path), "'match' only applies to table columns", row=line))
        elif not _setting_exists(p.target.split(".")):
            problems.append(
                Problem(
                    str(path),
                    "unknown setting or table; a target is a scenario.yaml setting (budget.total_yi_yuan) or "
                    "<table>.<column>",
                    row=line,
                    value=p.target,
                )
            )
        elif p.scale and not isinstance(_get(raw.scenario, p.target), int | float):
            problems.append(
                Problem(
                    str(path),
                    "cannot scale a setting that is not a number in the base case; use 'set'",
                    row=line,
                    value=p.target,
                )
            )
        if spec.samples is None and p.values is None:
            problems.append(
                Problem(
                    str(path),
                    "a grid sweep needs 'values' for every parameter (or give 'samples' for a random sweep)",
                    row=lines.get(("parameters", name)),
                )
            )
    return problems


def _check_collect(spec: SweepFile, raw: RawCase, path: Path, lines: dict[tuple[Any, ...], int]) -> list[Problem]:
    problems: list[Problem] = []
    for i, key in enumerate(spec.collect):
        top, _, sub = key.partition(".")
        line = lines.get(("collect", i))
        if top in MAPPING_KPIS and not sub:
            problems.append(
                Problem(str(path), f"{top} is a mapping: collect one entry, e.g. {top}.<id>", row=line, value=key)
            )
        elif top not in SCALAR_KPIS + MAPPING_KPIS or (top in SCALAR_KPIS and sub):
            problems.append(
                Problem(
                    str(path),
                    f"unknown KPI; expected one of {', '.join(SCALAR_KPIS)} or <mapping>.<id> of "
                    f"{', '.join(MAPPING_KPIS)}",
                    row=line,
                    value=key,
                )
            )
    clashes = [n for n in spec.parameters if n in RESERVED_COLUMNS or n in spec.collect]
    problems.extend(
        Problem(
            str(path),
            "parameter name clashes with a results column; rename it",
            row=lines.get(("parameters", n)),
            value=n,
        )
        for n in clashes
    )
    return problems


def _get(tree: dict[str, Any], dotted: str) -> Any:  # noqa: ANN401 - any setting value
    node: Any = tree
    for part in dotted.split("."):
        node = node.get(part) if isinstance(node, dict) else None
    return node


def expand(spec: SweepFile, raw: RawCase, base_id: str, file: str) -> list[Task]:
    """Every scenario of the sweep (grid order, or the seeded random draw), with its id and patch."""
    names = list(spec.parameters)
    if spec.samples is None:
        combos = list(itertools.product(*(spec.parameters[n].values or [] for n in names)))
    else:
        rng = np.random.default_rng(spec.seed)
        columns = [_draw(spec.parameters[n], spec.samples, rng) for n in names]
        combos = list(zip(*columns, strict=True))
    tasks = []
    for i, combo in enumerate(combos):
        params = dict(zip(names, combo, strict=True))
        patch = _patch(spec, raw, params)
        identity = {
            "base": base_id,
            "targets": {n: spec.parameters[n].model_dump(include={"set", "scale", "match"}) for n in names},
            "params": params,
        }
        digest = hashlib.sha256(json.dumps(identity, sort_keys=True, default=str).encode()).hexdigest()[:16]
        tasks.append(Task(i, digest, params, patch, file))
    return tasks


def _draw(p: Parameter, n: int, rng: np.random.Generator) -> list[Any]:
    if p.values is not None:
        return [p.values[k] for k in rng.integers(0, len(p.values), n)]
    a = {
        k: float(getattr(p, k) or 0.0) for k in ("low", "high", "mode", "mean", "sd", "sigma")
    }  # checked present by Parameter
    if p.distribution == "uniform":
        x = rng.uniform(a["low"], a["high"], n)
    elif p.distribution == "normal":
        x = rng.normal(a["mean"], a["sd"], n)
    elif p.distribution == "lognormal":
        x = rng.lognormal(a["mean"], a["sigma"], n)
    else:
        x = rng.triangular(a["low"], a["mode"], a["high"], n)
    return [float(np.format_float_positional(v, precision=10, unique=True, trim="-")) for v in x]


def _patch(spec: SweepFile, raw: RawCase, params: dict[str, Any]) -> dict[str, Any]:
    """The overlay mapping (`set` settings, `tables` patches) that applies one scenario's values."""
    settings: dict[str, Any] = {}
    tables: dict[str, list[dict[str, Any]]] = {}
    for name, value in params.items():
        p = spec.parameters[name]
        table, _, column = p.target.partition(".")
        if table in TABLES:
            tables.setdefault(table, []).append(
                {"match": dict(p.match), ("set" if p.set else "scale"): {column: value}}
            )
            continue
        node = settings
        *parents, leaf = p.target.split(".")
        for part in parents:
            node = node.setdefault(part, {})
        node[leaf] = value if p.set or not isinstance(value, int | float) else _get(raw.scenario, p.target) * value
    return {"set": settings, "tables": tables}
