"""Request and response bodies of the JSON API (pydantic)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class NewCase(BaseModel):
    """Create a case from the default case, or from one of examples/ applied to it."""

    model_config = ConfigDict(extra="forbid")
    name: str = Field("", max_length=200)
    example: str | None = Field(
        None, description="an example overlay's name (GET /api/examples); none for the default case"
    )


class VersionOut(BaseModel):
    """One saved version of a case."""

    number: int
    note: str
    created: datetime


class CaseOut(BaseModel):
    """A case: its versions (newest last), the current version's tables and tunable settings."""

    id: int
    name: str
    created: datetime
    versions: list[VersionOut]
    tables: list[str] = []
    settings: dict[str, Any] = {}


class TableIn(BaseModel):
    """A table as the grid holds it: header and rows of text cells (a blank row is a deleted row)."""

    model_config = ConfigDict(extra="forbid")
    columns: list[str] = Field(max_length=60)
    rows: list[list[str | float | int | None]] = Field(max_length=20_000)


class TableOut(BaseModel):
    """A table's header and rows as text cells."""

    name: str
    columns: list[str]
    rows: list[list[str]]


class CellProblem(BaseModel):
    """A problem at one cell: row (0-based, as sent), column and the CLI's located message."""

    row: int
    column: str
    message: str


class CheckOut(BaseModel):
    """The outcome of checking (or saving) an edit."""

    ok: bool
    cells: list[CellProblem] = []
    other: list[str] = []
    version: int | None = None


class SettingsIn(BaseModel):
    """Tunable settings by dotted key (GET /api/cases/{id}/settings lists them); blank for none."""

    model_config = ConfigDict(extra="forbid")
    settings: dict[str, float | str | None]
    note: str = Field("", max_length=500)


class WhatIfOut(BaseModel):
    """A what-if's headline, solved warm."""

    ok: bool
    problems: list[str] = []
    status: str | None = None
    headline: dict[str, Any] = {}
    binds: list[dict[str, Any]] = []
    """Constraint families with binding rows: family (code), title, title_zh, rows, largest |shadow price|, its unit."""
    how: str | None = None
    elapsed_s: float
    timings_s: dict[str, float] = {}


class SweepParameter(BaseModel):
    """One swept setting: a dotted scenario key and its values."""

    model_config = ConfigDict(extra="forbid")
    set: str = Field(pattern=r"^[a-z_]+(\.[a-z0-9_]+)*$", max_length=100, description="e.g. budget.total_yi_yuan")
    values: list[float] = Field(min_length=1, max_length=20)


class NewJob(BaseModel):
    """Queue a job on the case's current version: a solve (default), a diagnosis or a sweep."""

    model_config = ConfigDict(extra="forbid")
    kind: Literal["solve", "diagnose", "sweep", "stochastic"] = "solve"
    days: int | None = Field(None, ge=1, le=60, description="solve: representative days (resolution `days`)")
    resolution: Literal["year", "days", "hours"] | None = Field(
        None,
        description="solve: `year` (one slice per year), `days` (`days` representative days, 12 if not given) or "
        "`hours` (the full hourly year: minutes); none: the case's own solver.time_resolution (or `days` if given)",
    )
    parameters: dict[str, SweepParameter] | None = Field(
        None, description="sweep: 1-2 parameters, name -> {set, values}; every combination (at most 49)", max_length=2
    )
    stochastic: str | None = Field(
        None,
        pattern=r"^[\w-]{1,80}$",
        description="stochastic: a stochastic file of examples/ by name (GET /api/stochastic): uncertain_ai_demand",
    )
    spec: dict[str, Any] | None = Field(
        None,
        description="stochastic: the stochastic file's content instead (name, stochastic settings, futures or samples; "
        "no base or overlays: the case is this case)",
    )


class JobOut(BaseModel):
    """A job's state."""

    id: int
    case_id: int
    case_name: str = ""
    version: int
    kind: str
    options: dict[str, Any]
    status: str
    stage: str
    message: str
    created: datetime
    started: datetime | None
    finished: datetime | None
    elapsed_s: float | None
    plan_id: int | None = None
    rerun_of: int | None = None
    log_tail: str = ""
    status_text: str = Field("", description="status in the language asked for (?lang=zh|en)")
    stage_text: str = Field("", description="stage in the language asked for")
    message_text: str = Field("", description="message in the language asked for")


class PlanOut(BaseModel):
    """A plan: headline, verify's verdict, where to get it."""

    id: int
    job_id: int
    case_id: int
    version: int
    status: str
    headline: dict[str, Any]
    verify_ok: bool | None
    verify_text: str
    created: datetime
    report_url: str
    download_url: str


class CompareOut(BaseModel):
    """Two or more plans' KPIs side by side (label -> plan name -> value)."""

    plans: list[int]
    kpis: dict[str, dict[str, Any]]
    page_url: str
