"""The JSON API: everything the pages do, for scripts (OpenAPI at /openapi.json, docs at /docs)."""

from __future__ import annotations

import json
import math
import re
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, File, Form, HTTPException, Query, UploadFile
from fastapi.responses import FileResponse, JSONResponse, Response
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select

from planner.errors import InputError
from planner.inputs.schema import TABLES
from planner.inputs.workbook import read_csv_cells
from planner.report.glossary import Lang
from planner.web import cases as ops
from planner.web import engine, i18n, store
from planner.web.deps import DB, Svc, load, require_user, scope
from planner.web.jobs import elapsed_s, log_tail
from planner.web.models import Case, CaseShare, Job, Plan, User
from planner.web.schemas import (
    CaseOut,
    CheckOut,
    CompareOut,
    JobOut,
    NewCase,
    NewJob,
    PlanOut,
    SettingsIn,
    TableIn,
    TableOut,
    VersionOut,
    WhatIfOut,
)
from planner.web.security import SANDBOXED_CSP, check_csrf
from planner.web.store import UploadError
from planner.web.tune import current_settings, parse_settings
from planner.web.uploads import MAX_UPLOAD_BYTES, pack_zip
from planner.web.whatifs import Busy, TooSlow

router = APIRouter(prefix="/api", dependencies=[Depends(check_csrf), Depends(require_user)])


# --------------------------------------------------------------------------- helpers shared with pages


def case_out(svc: Svc, case: Case) -> CaseOut:
    """A case as the API shows it."""
    folder = svc.store.version_dir(case.id, ops.current(case).number)
    return CaseOut(
        id=case.id, name=case.name, created=case.created,
        versions=[VersionOut(number=v.number, note=v.note, created=v.created) for v in case.versions],
        tables=store.table_names(folder), settings=current_settings(store.read_scenario(folder)),
    )


def job_out(svc: Svc, db: DB, job: Job, tail: bool = True, lang: str = "en") -> JobOut:
    """A job as the API shows it (its status, stage and message also in `lang`, zh or en)."""
    plan_id = db.scalar(select(Plan.id).where(Plan.job_id == job.id))
    words = Lang(lang if lang in i18n.LANGS else "en")
    return JobOut(
        id=job.id,
        case_id=job.case_id,
        case_name=job.case.name,
        version=job.version.number,
        kind=job.kind,
        options=job.options,
        status=job.status,
        stage=job.stage,
        message=job.message,
        created=job.created,
        started=job.started,
        finished=job.finished,
        elapsed_s=elapsed_s(job),
        plan_id=plan_id,
        rerun_of=job.rerun_of,
        log_tail=log_tail(svc.store, job.id) if tail else "",
        status_text=i18n.say(words, job.status),
        stage_text=i18n.say(words, job.stage),
        message_text=i18n.say(words, job.message),
    )


def plan_out(plan: Plan) -> PlanOut:
    """A plan as the API shows it."""
    return PlanOut(
        id=plan.id,
        job_id=plan.job_id,
        case_id=plan.case_id,
        version=plan.version.number,
        status=plan.status,
        headline=plan.headline,
        verify_ok=plan.verify_ok,
        verify_text=plan.verify_text,
        created=plan.created,
        report_url=f"/api/plans/{plan.id}/report.html",
        download_url=f"/api/plans/{plan.id}/download.zip",
    )


def solve_options(days: int | None, resolution: str | None = None) -> dict[str, Any]:
    """A solve job's options: {} (the case's own resolution), {"days": N}, or {"resolution": "year" | "hours"}."""
    if resolution == "days" or (resolution is None and days):
        return {"days": days or 12}
    return {"resolution": resolution} if resolution in ("year", "hours") else {}


def queue_solve(svc: Svc, db: DB, case: Case, days: int | None, resolution: str | None = None) -> Job:
    """Queue a solve of the case's current version at a time resolution (`solve_options`)."""
    job = Job(case_id=case.id, version_id=ops.current(case).id, kind="solve", options=solve_options(days, resolution))
    db.add(job)
    db.commit()
    svc.dispatcher.wake()
    return job


async def read_upload(file: UploadFile) -> bytes:
    """An uploaded file's bytes, refusing anything over the limit without reading it all."""
    data = await file.read(MAX_UPLOAD_BYTES + 1)
    if len(data) > MAX_UPLOAD_BYTES:
        raise UploadError([f"the upload is over {MAX_UPLOAD_BYTES / 1e6:.0f} MB; refused"])
    return data


def upload_kind(filename: str | None, data: bytes) -> str:
    """Zip or xlsx, from the name the browser gave (both are zip files inside)."""
    return "xlsx" if (filename or "").lower().endswith((".xlsx", ".xlsm")) else "zip"


def _table_name(name: str) -> str:
    if name not in TABLES:
        raise HTTPException(404, f"no table '{name}'; tables: {', '.join(TABLES)}")
    return name


def _plan_dir(svc: Svc, plan: Plan) -> Path:
    folder = svc.store.plan_dir(plan.job_id)
    if not (folder / "plan.json").is_file():
        raise HTTPException(404, "the plan folder is missing")
    return folder


# --------------------------------------------------------------------------- cases


@router.get("/examples", tags=["cases"], summary="Example overlays a case can start from")
def list_examples() -> list[dict[str, str]]:
    """Names and descriptions of the overlays in examples/."""
    return store.examples()


@router.get("/examples/{name}/settings", tags=["tune"], summary="The tunable settings an example overlay sets")
def example_settings(name: str) -> dict[str, object]:
    """Settings of the overlay's `set:` that the tune panel has.

    And the tables it also changes (not applied by the panel).
    """
    from planner.web.diff import flatten
    from planner.web.tune import KEYS

    try:
        path = store.example_path(name)
    except KeyError:
        raise HTTPException(404, f"no example '{name}'") from None
    data = store.read_scenario_file(path)
    values = flatten(data.get("set") or {})
    tables = sorted((data.get("tables") or {}).keys())
    return {
        "settings": {k: v for k, v in values.items() if k in KEYS},
        "other_settings": sorted(k for k in values if k not in KEYS),
        "tables": tables,
    }


@router.get("/cases", tags=["cases"], summary="List cases")
def list_cases(svc: Svc, db: DB) -> list[CaseOut]:
    """Every case, newest first."""
    return [case_out(svc, c) for c in db.scalars(scope(db, select(Case), Case).order_by(Case.id.desc())).all()]


@router.post("/cases", tags=["cases"], status_code=201, summary="Create a case from the default case or an example")
def create_case(body: NewCase, svc: Svc, db: DB) -> CaseOut:
    """A new case: the default case, with an example overlay applied if named."""
    if body.example is not None and body.example not in {e["name"] for e in store.examples()}:
        raise HTTPException(422, f"no example '{body.example}'")
    return case_out(svc, ops.create_case(db, svc.store, body.name, body.example))


@router.post(
    "/cases/upload",
    tags=["cases"],
    status_code=201,
    summary="Upload a case (.zip of the folder, or .xlsx)",
    response_model=CaseOut,
    responses={
        422: {"description": "the case does not validate: every problem, located"},
        400: {"description": "the archive was refused"},
    },
)
async def upload_case(
    svc: Svc, db: DB, file: Annotated[UploadFile, File()], name: Annotated[str, Form(max_length=200)] = ""
) -> CaseOut | JSONResponse:
    """Check the archive, then read every table with the CLI's reader; a case that validates is stored."""
    try:
        data = await read_upload(file)
        case, problems = ops.upload_case(db, svc.store, name, data, upload_kind(file.filename, data))
    except UploadError as err:
        return JSONResponse({"detail": "upload refused", "problems": err.reasons}, status_code=400)
    if case is None:
        return JSONResponse({"detail": "the case does not validate", "problems": problems}, status_code=422)
    return case_out(svc, case)


@router.get("/cases/{case_id}", tags=["cases"], summary="A case, its versions, tables and settings")
def get_case(case_id: int, svc: Svc, db: DB) -> CaseOut:
    """One case."""
    return case_out(svc, load(db, Case, case_id, shared=True))


def _version_folder(svc: Svc, case: Case, version: int | None) -> tuple[Path, int]:
    numbers = {v.number for v in case.versions}
    number = ops.current(case).number if version is None else version
    if number not in numbers:
        raise HTTPException(404, f"case {case.id} has no version {number}")
    return svc.store.version_dir(case.id, number), number


@router.get(
    "/cases/{case_id}/download.zip", tags=["cases"], summary="Download a case version as .zip", response_class=Response
)
def download_case(case_id: int, svc: Svc, db: DB, version: int | None = None) -> Response:
    """The case folder (current version, or ?version=N) as a .zip."""
    case = load(db, Case, case_id, shared=True)
    folder, number = _version_folder(svc, case, version)
    name = f"case{case.id}_v{number}"
    return Response(
        pack_zip(folder, name),
        media_type="application/zip",
        headers={"content-disposition": f'attachment; filename="{name}.zip"'},
    )


@router.get(
    "/cases/{case_id}/download.xlsx",
    tags=["cases"],
    summary="Download a case version as .xlsx",
    response_class=Response,
)
def download_case_xlsx(case_id: int, svc: Svc, db: DB, version: int | None = None) -> Response:
    """The case as a workbook: one sheet per table, the scenario settings on their own sheet."""
    from planner.web.excel import write_workbook

    case = load(db, Case, case_id, shared=True)
    folder, number = _version_folder(svc, case, version)
    name = f"case{case.id}_v{number}"
    media = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return Response(
        write_workbook(folder), media_type=media, headers={"content-disposition": f'attachment; filename="{name}.xlsx"'}
    )


@router.get("/cases/{case_id}/diff", tags=["cases"], summary="What changed between two versions")
def diff_case(case_id: int, svc: Svc, db: DB, a: int, b: int | None = None) -> dict[str, Any]:
    """Settings changed and, per table, rows added, removed and cells changed (rows matched by their keys).

    b defaults to the current version.
    """
    from planner.web.diff import diff_versions

    case = load(db, Case, case_id, shared=True)
    folder_a, number_a = _version_folder(svc, case, a)
    folder_b, number_b = _version_folder(svc, case, b)
    return {"a": number_a, "b": number_b, **diff_versions(folder_a, folder_b)}


@router.get("/cases/{case_id}/tables/{name}", tags=["tables"], summary="A table of the current version")
def get_table(case_id: int, name: str, svc: Svc, db: DB, version: int | None = None) -> TableOut:
    """Header and rows as text cells."""
    case = load(db, Case, case_id, shared=True)
    folder, _ = _version_folder(svc, case, version)
    if not (folder / f"{_table_name(name)}.csv").exists():
        raise HTTPException(404, f"case {case_id} has no {name}.csv")
    columns, rows = store.read_table(folder, name)
    return TableOut(name=name, columns=columns, rows=rows)


def _check(svc: Svc, db: DB, case_id: int, name: str, body: TableIn, save: bool) -> CheckOut:
    case = load(db, Case, case_id)
    rows = [["" if c is None else str(c) for c in row] for row in body.rows]
    checked = ops.check_table(db, svc.store, case, _table_name(name), body.columns, rows, save)
    return CheckOut(
        ok=checked.ok,
        cells=checked.cells,  # type: ignore[arg-type]  # dicts that pydantic validates into CellProblem
        other=checked.other,
        version=checked.version.number if checked.version else None,
    )


@router.post("/cases/{case_id}/tables/{name}/check", tags=["tables"], summary="Check an edited table without saving")
def check_table(case_id: int, name: str, body: TableIn, svc: Svc, db: DB) -> CheckOut:
    """Every problem of the case with this table as edited; those of the table at their cell."""
    return _check(svc, db, case_id, name, body, save=False)


@router.put(
    "/cases/{case_id}/tables/{name}",
    tags=["tables"],
    summary="Save an edited table as a new version",
    response_model=CheckOut,
    responses={422: {"model": CheckOut, "description": "the case does not validate with this table"}},
)
def save_table(case_id: int, name: str, body: TableIn, svc: Svc, db: DB) -> CheckOut | JSONResponse:
    """A new version if the whole case validates; else 422 with the problems at their cells."""
    out = _check(svc, db, case_id, name, body, save=True)
    return out if out.ok else JSONResponse(out.model_dump(), status_code=422)


@router.get("/cases/{case_id}/settings", tags=["tune"], summary="The tunable scenario settings")
def get_settings(case_id: int, svc: Svc, db: DB) -> dict[str, object]:
    """Current values and the list of tunable settings with labels and units."""
    from planner.web.tune import SETTINGS, latency_fields, latency_values

    case = load(db, Case, case_id, shared=True)
    folder, _ = _version_folder(svc, case, None)
    values = current_settings(store.read_scenario(folder)) | latency_values(folder)
    return {"settings": values, "fields": [s.__dict__ for s in (*SETTINGS, *latency_fields(folder))]}


@router.post(
    "/cases/{case_id}/whatif",
    tags=["tune"],
    summary="Solve with changed settings (warm) and return the headline",
    responses={503: {"description": "the case's what-if process stayed busy"}, 504: {"description": "too slow"}},
)
def whatif(case_id: int, body: SettingsIn, svc: Svc, db: DB) -> WhatIfOut:
    """The headline of the current version with these settings, re-solved warm; nothing is saved."""
    case = load(db, Case, case_id)
    settings, problems = parse_settings(body.settings)
    if problems:
        return WhatIfOut(ok=False, problems=problems, elapsed_s=0.0)
    version = ops.current(case)
    folder = svc.store.version_dir(case.id, version.number)
    try:
        return WhatIfOut(**svc.tuner.whatif(case.id, version.id, folder, settings))
    except Busy as err:
        raise HTTPException(503, str(err), headers={"Retry-After": "5"}) from None
    except TooSlow as err:
        raise HTTPException(504, str(err)) from None


@router.put(
    "/cases/{case_id}/settings",
    tags=["tune"],
    summary="Save settings as a new version",
    response_model=CheckOut,
    responses={422: {"model": CheckOut}},
)
def save_settings(case_id: int, body: SettingsIn, svc: Svc, db: DB) -> CheckOut | JSONResponse:
    """scenario.yaml with these settings becomes a new version, if the case validates."""
    case = load(db, Case, case_id)
    settings, problems = parse_settings(body.settings)
    if problems:
        return JSONResponse(CheckOut(ok=False, other=problems).model_dump(), status_code=422)
    try:
        checked = ops.save_settings(db, svc.store, case, settings, body.note)
    except InputError as err:
        return JSONResponse(CheckOut(ok=False, other=[str(p) for p in err.problems]).model_dump(), status_code=422)
    out = CheckOut(ok=checked.ok, other=checked.other, version=checked.version.number if checked.version else None)
    return out if out.ok else JSONResponse(out.model_dump(), status_code=422)


@router.post(
    "/cases/{case_id}/overlay.yaml",
    tags=["tune"],
    summary="Settings as a scenario overlay (examples/ format)",
    response_class=Response,
)
def overlay(case_id: int, body: SettingsIn, svc: Svc, db: DB, name: str = "whatif") -> Response:
    """The settings that differ from the current version, as an overlay the CLI reads.

    `planner solve CASE --scenario FILE`.
    """
    from planner.web.tune import overlay_yaml

    case = load(db, Case, case_id)
    settings, problems = parse_settings(body.settings)
    if problems:
        return JSONResponse({"detail": "bad settings", "problems": problems}, status_code=422)
    folder, number = _version_folder(svc, case, None)
    origin = f"case '{case.name}' version {number}"
    text, stem = overlay_yaml(store.read_scenario(folder), settings, name, origin, body.note, folder)
    return Response(
        text, media_type="application/yaml", headers={"content-disposition": f'attachment; filename="{stem}.yaml"'}
    )


class ShareIn(BaseModel):
    """An account to share a case with."""

    model_config = ConfigDict(extra="forbid")
    user: str = Field(max_length=100)


def _shares(db: DB, case: Case) -> dict[str, list[str]]:
    names = db.scalars(
        select(User.name)
        .join(CaseShare, CaseShare.user_id == User.id)
        .where(CaseShare.case_id == case.id)
        .order_by(User.name)
    ).all()
    return {"shared_with": list(names)}


@router.get("/cases/{case_id}/shares", tags=["cases"], summary="Who a case is shared with (owner only)")
def list_shares(case_id: int, db: DB) -> dict[str, list[str]]:
    """Accounts that may read the case, its jobs and plans."""
    return _shares(db, load(db, Case, case_id))


@router.post(
    "/cases/{case_id}/shares",
    tags=["cases"],
    status_code=201,
    summary="Share a case read-only with another account (owner only)",
)
def share(case_id: int, body: ShareIn, db: DB) -> dict[str, list[str]]:
    """The account may then see and download the case, its jobs and plans; it changes and runs nothing."""
    case = load(db, Case, case_id)
    if not db.info["accounts"]:
        raise HTTPException(400, "sharing needs accounts (planner users add NAME)")
    user = db.scalar(select(User).where(User.name == body.user))
    if user is None or user.id == case.owner_id:
        raise HTTPException(422, f"no other account named '{body.user}'")
    if db.get(CaseShare, (case.id, user.id)) is None:
        db.add(CaseShare(case_id=case.id, user_id=user.id))
        db.commit()
    return _shares(db, case)


@router.delete(
    "/cases/{case_id}/shares/{user}", tags=["cases"], summary="Stop sharing a case with an account (owner only)"
)
def unshare(case_id: int, user: str, db: DB) -> dict[str, list[str]]:
    """The account no longer sees the case."""
    case = load(db, Case, case_id)
    uid = db.scalar(select(User.id).where(User.name == user))
    row = None if uid is None else db.get(CaseShare, (case.id, uid))
    if row is not None:
        db.delete(row)
        db.commit()
    return _shares(db, case)


# --------------------------------------------------------------------------- jobs


@router.post(
    "/cases/{case_id}/jobs", tags=["jobs"], status_code=201, summary="Queue a solve, diagnosis, sweep, stochastic plan"
)
def create_job(case_id: int, body: NewJob, svc: Svc, db: DB) -> JobOut:
    """The job runs in a worker process; poll GET /api/jobs/{id}. A sweep's table: GET /api/jobs/{id}/sweep.

    A stochastic plan (`planner solve CASE --stochastic FILE`) becomes a plan: its page's report has the
    robustness section (here-and-now plan, regret per future, VSS, EVPI).
    """
    case = load(db, Case, case_id)
    if body.kind == "solve":
        return job_out(svc, db, queue_solve(svc, db, case, body.days, body.resolution))
    options: dict[str, Any] = {}
    if body.kind == "sweep":
        options["parameters"] = sweep_parameters(body)
    if body.kind == "stochastic":
        options |= stochastic_options(body)
    job = Job(case_id=case.id, version_id=ops.current(case).id, kind=body.kind, options=options)
    db.add(job)
    db.commit()
    svc.dispatcher.wake()
    return job_out(svc, db, job)


MAX_SPEC_CHARS = 100_000
"""A stochastic file sent as `spec`: at most this long (as JSON)."""
MAX_SPEC_SAMPLES = 200
"""Drawn futures of a spec in the workspace (the CLI takes up to 10,000)."""


def stochastic_options(body: NewJob) -> dict[str, Any]:
    """A stochastic job's file: a listed example's name, or a spec without `base` or `overlays` (422 otherwise)."""
    if (body.stochastic is None) == (body.spec is None):
        raise HTTPException(422, "a stochastic plan needs either `stochastic` (an example's name) or `spec`")
    if body.stochastic is not None:
        if body.stochastic not in {e["name"] for e in store.stochastic_examples()}:
            raise HTTPException(422, f"no stochastic example '{body.stochastic}' (GET /api/stochastic)")
        return {"stochastic": body.stochastic}
    spec = dict(body.spec or {})
    refused = sorted({"base", "overlays"} & set(spec))
    if refused:
        raise HTTPException(422, f"a stochastic spec plans over this case: no {' or '.join(refused)}")
    samples = spec.get("samples")
    if isinstance(samples, int) and samples > MAX_SPEC_SAMPLES:
        raise HTTPException(422, f"samples: {samples}; a workspace job draws at most {MAX_SPEC_SAMPLES}")
    if len(json.dumps(spec)) > MAX_SPEC_CHARS:
        raise HTTPException(422, f"the stochastic spec is longer than {MAX_SPEC_CHARS:,} characters")
    return {"spec": spec}


@router.get("/stochastic", tags=["jobs"], summary="Stochastic files in examples/ a stochastic job can use")
def list_stochastic() -> list[dict[str, str]]:
    """Names and descriptions of examples/' stochastic files (futures with probabilities)."""
    return store.stochastic_examples()


def sweep_parameters(body: NewJob) -> dict[str, Any]:
    """A sweep job's parameters in the sweep file's format; 422 unless 1-2 named parameters of at most 49 scenarios."""
    if not body.parameters:
        raise HTTPException(422, "a sweep needs 1 or 2 parameters: {name: {set: KEY, values: [...]}}")
    bad = [n for n in body.parameters if not re.fullmatch(r"[a-z][a-z0-9_]{0,39}", n)]
    if bad:
        raise HTTPException(422, f"parameter names are lower-case words (a-z, 0-9, _): {', '.join(bad)}")
    count = math.prod(len(p.values) for p in body.parameters.values())
    if count > engine.MAX_SWEEP_SCENARIOS:
        most = engine.MAX_SWEEP_SCENARIOS
        raise HTTPException(422, f"{count} scenarios; a sweep in the workspace runs at most {most}")
    return {name: {"set": p.set, "values": p.values} for name, p in body.parameters.items()}


def sweep_dir(svc: Svc, job: Job) -> Path:
    """A finished sweep job's output folder (results.csv, sweep.html); 404 otherwise."""
    folder = svc.store.job_dir(job.id) / "sweep"
    if job.kind != "sweep" or not (folder / "results.csv").is_file():
        raise HTTPException(404, "this job has no sweep table (yet)")
    return folder


@router.get("/jobs/{job_id}/sweep", tags=["jobs"], summary="A sweep job's results table")
def get_sweep(job_id: int, svc: Svc, db: DB) -> dict[str, Any]:
    """One row per scenario: parameters, status, KPIs (as `planner sweep` writes results.csv)."""
    folder = sweep_dir(svc, load(db, Job, job_id, shared=True))
    columns, rows = read_csv_cells(folder / "results.csv")
    return {"columns": columns, "rows": rows, "page_url": f"/api/jobs/{job_id}/sweep.html"}


@router.get("/jobs/{job_id}/sweep.html", tags=["jobs"], summary="A sweep job's page", response_class=Response)
def get_sweep_page(job_id: int, svc: Svc, db: DB) -> Response:
    """sweep.html of `planner sweep`, sandboxed like the report."""
    folder = sweep_dir(svc, load(db, Job, job_id, shared=True))
    headers = {"content-security-policy": SANDBOXED_CSP}
    return FileResponse(folder / "sweep.html", media_type="text/html", headers=headers)


@router.get("/jobs", tags=["jobs"], summary="List jobs")
def list_jobs(svc: Svc, db: DB, case_id: int | None = None) -> list[JobOut]:
    """Every job (of one case with ?case_id=), newest first."""
    query = scope(db, select(Job), Job).order_by(Job.id.desc())
    if case_id is not None:
        query = query.where(Job.case_id == case_id)
    return [job_out(svc, db, j, tail=False) for j in db.scalars(query.limit(200)).all()]


@router.get("/jobs/{job_id}", tags=["jobs"], summary="A job: status, stage, elapsed time, solver log tail")
def get_job(
    job_id: int, svc: Svc, db: DB, lang: Annotated[Literal["zh", "en"], Query(description="language of *_text")] = "en"
) -> JobOut:
    """One job."""
    return job_out(svc, db, load(db, Job, job_id, shared=True), lang=lang)


@router.post("/jobs/{job_id}/cancel", tags=["jobs"], summary="Cancel a queued or running job")
def cancel_job(job_id: int, svc: Svc, db: DB) -> JobOut:
    """Queued: it will not start. Running: its worker is stopped and its partial output removed."""
    job = load(db, Job, job_id)
    svc.dispatcher.cancel(job.id)
    db.refresh(job)
    return job_out(svc, db, job)


@router.post("/jobs/{job_id}/rerun", tags=["jobs"], status_code=201, summary="Queue the same solve again")
def rerun_job(job_id: int, svc: Svc, db: DB) -> JobOut:
    """A new job for the same case version and options (for an interrupted, failed or cancelled one)."""
    old = load(db, Job, job_id)
    job = Job(case_id=old.case_id, version_id=old.version_id, kind=old.kind, options=dict(old.options), rerun_of=old.id)
    db.add(job)
    db.commit()
    svc.dispatcher.wake()
    return job_out(svc, db, job)


# --------------------------------------------------------------------------- plans


@router.get("/plans", tags=["plans"], summary="List plans")
def list_plans(db: DB, case_id: int | None = None) -> list[PlanOut]:
    """Every plan (of one case with ?case_id=), newest first."""
    query = scope(db, select(Plan), Plan).order_by(Plan.id.desc())
    if case_id is not None:
        query = query.where(Plan.case_id == case_id)
    return [plan_out(p) for p in db.scalars(query.limit(200)).all()]


@router.get("/plans/{plan_id}", tags=["plans"], summary="A plan: headline and verify's verdict")
def get_plan(plan_id: int, db: DB) -> PlanOut:
    """One plan."""
    return plan_out(load(db, Plan, plan_id, shared=True))


@router.get("/plans/{plan_id}/plan.json", tags=["plans"], summary="The plan's plan.json")
def get_plan_json(plan_id: int, svc: Svc, db: DB) -> FileResponse:
    """plan.json as written by the solve."""
    return FileResponse(
        _plan_dir(svc, load(db, Plan, plan_id, shared=True)) / "plan.json", media_type="application/json"
    )


@router.get(
    "/plans/{plan_id}/report.html", tags=["plans"], summary="The plan's report page", response_class=Response
)
def get_report(
    plan_id: int,
    svc: Svc,
    db: DB,
    lang: Annotated[Literal["zh", "en", "both"], Query(description="the report's language(s)")] = "both",
) -> Response:
    """report.html, served in a sandbox (its own scripts run; it can reach nothing of the workspace).

    `both` is the plan folder's own report.html; `zh` or `en` is rendered once from the plan folder (as
    `planner report --lang`) and kept beside it, outside the plan folder. The case's folder in its run
    manifest is shown as `case`: no server path reaches the page.
    """
    plan = load(db, Plan, plan_id, shared=True)
    path = _plan_dir(svc, plan) / "report.html"
    if not path.is_file():
        raise HTTPException(404, "this plan has no report")
    if lang != "both":
        path = engine.report_in(path.parent, svc.store.job_dir(plan.job_id) / f"report.{lang}.html", lang)
    case_dir = svc.store.version_dir(plan.case_id, plan.version.number)
    text = engine.hide_folders(path.read_text(encoding="utf-8"), {case_dir: "case", svc.store.root: "…"})
    return Response(text, media_type="text/html", headers={"content-security-policy": SANDBOXED_CSP})


@router.get("/plans/{plan_id}/plan.xlsx", tags=["plans"], summary="The plan as a workbook", response_class=FileResponse)
def get_plan_xlsx(plan_id: int, svc: Svc, db: DB) -> FileResponse:
    """plan.xlsx: the headline on sheet `plan`, then one sheet per table of the plan folder."""
    plan = load(db, Plan, plan_id, shared=True)
    path = _plan_dir(svc, plan) / "plan.xlsx"
    if not path.is_file():
        raise HTTPException(404, "this plan was written before plan.xlsx existed; run it again")
    media = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return FileResponse(path, media_type=media, filename=f"plan{plan.id}.xlsx")


@router.post("/plans/{plan_id}/verify", tags=["plans"], status_code=201, summary="Queue `planner verify` of the plan")
def verify_plan(plan_id: int, svc: Svc, db: DB) -> JobOut:
    """A job re-checking the plan folder from its files alone; the plan's verdict is updated when it ends."""
    plan = load(db, Plan, plan_id)
    _plan_dir(svc, plan)
    job = Job(case_id=plan.case_id, version_id=plan.version_id, kind="verify", options={"plan_id": plan.id})
    db.add(job)
    db.commit()
    svc.dispatcher.wake()
    return job_out(svc, db, job)


@router.get("/plans/{plan_id}/download.zip", tags=["plans"], summary="The plan folder as .zip", response_class=Response)
def download_plan(plan_id: int, svc: Svc, db: DB) -> Response:
    """Every file of the plan folder."""
    plan = load(db, Plan, plan_id, shared=True)
    name = f"plan{plan.id}"
    return Response(
        pack_zip(_plan_dir(svc, plan), name),
        media_type="application/zip",
        headers={"content-disposition": f'attachment; filename="{name}.zip"'},
    )


def comparison(
    svc: Svc, db: DB, ids: list[int], lang: str = "both"
) -> tuple[list[Plan], dict[str, dict[str, object]], str]:
    """Plans by id, their KPIs side by side and the compare page's HTML."""
    if not 2 <= len(set(ids)) == len(ids) <= 6:
        raise HTTPException(422, "compare takes 2 to 6 different plans")
    plans = [load(db, Plan, i, shared=True) for i in ids]
    if any(p.status not in ("optimal", "feasible") for p in plans):
        raise HTTPException(422, "only plans with a solution can be compared")
    names = [f"plan {p.id} ({p.case.name} v{p.version.number})" for p in plans]
    kpis, html = engine.compare_html([_plan_dir(svc, p) for p in plans], names, lang)
    return plans, kpis, html


@router.get("/compare", tags=["plans"], summary="Compare plans (KPIs side by side)")
def compare(svc: Svc, db: DB, plan: Annotated[list[int], Query()]) -> CompareOut:
    """?plan=1&plan=2[...]: the first is the reference."""
    _, kpis, _ = comparison(svc, db, plan)
    query = "&".join(f"plan={i}" for i in plan)
    return CompareOut(plans=plan, kpis=kpis, page_url=f"/api/compare.html?{query}")


@router.get("/compare.html", tags=["plans"], summary="The compare page", response_class=Response)
def compare_page(
    svc: Svc,
    db: DB,
    plan: Annotated[list[int], Query()],
    lang: Annotated[Literal["zh", "en", "both"], Query(description="the page's language(s)")] = "both",
) -> Response:
    """compare.html of `planner compare` (plans named by id and case, no folder), sandboxed like the report."""
    _, _, html = comparison(svc, db, plan, lang)
    return Response(html, media_type="text/html", headers={"content-security-policy": SANDBOXED_CSP})
