"""HTML pages: routes parse, call the same helpers as the API, render one template."""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, HTTPException, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from sqlalchemy import select

from planner.report.glossary import Lang
from planner.web import api, i18n, store
from planner.web import cases as ops
from planner.web.deps import DB, Svc, load, require_page_user, scope
from planner.web.models import Case, Job, Plan
from planner.web.schemas import NewJob, SweepParameter
from planner.web.security import check_csrf, csrf_token
from planner.web.store import UploadError
from planner.web.tune import HEADLINE, KEYS, SETTINGS, current_settings, latency_fields, latency_values

TEMPLATES = Jinja2Templates(directory=str(__import__("pathlib").Path(__file__).with_name("templates")))
router = APIRouter(include_in_schema=False, dependencies=[Depends(check_csrf), Depends(require_page_user)])


def page_context(request: Request) -> dict[str, Any]:
    """What every page's template gets: the CSRF token, the user, and its language (`t`, `say`, `unit`)."""
    code = i18n.choose(
        request.query_params.get("lang"), request.cookies.get(i18n.LANG_COOKIE), request.headers.get("accept-language")
    )
    lang = Lang(code)
    query = list(request.query_params.multi_items())
    return {
        "csrf": csrf_token(request),
        "headline_fields": HEADLINE,
        "user": getattr(request.state, "user", None),
        "t": lang,
        "lang": code,
        "say": lambda text: i18n.say(lang, text),
        "unit": lambda text: i18n.unit(lang, text),
        "lang_urls": {c: i18n.with_lang(request.url.path, query, c) for c in i18n.LANGS},
        "script_words": json.dumps(i18n.script_words(lang), ensure_ascii=False),
    }


def remember_lang(request: Request, response: Response) -> None:
    """A `?lang=` choice is kept in a cookie, so every later page speaks it."""
    chosen = request.query_params.get("lang")
    if chosen in i18n.LANGS and request.cookies.get(i18n.LANG_COOKIE) != chosen:
        response.set_cookie(
            i18n.LANG_COOKIE, str(chosen), max_age=365 * 86400, samesite="lax", secure=request.url.scheme == "https"
        )


def render(request: Request, name: str, status_code: int = 200, **context: Any) -> HTMLResponse:  # noqa: ANN401
    """A page from its template, in the request's language, with the CSRF token and the headline labels."""
    context = page_context(request) | context
    response = TEMPLATES.TemplateResponse(request, name, context, status_code=status_code)
    remember_lang(request, response)
    return response


@router.get("/", response_class=HTMLResponse)
def index(request: Request, svc: Svc, db: DB) -> HTMLResponse:
    """Cases, recent jobs and plans; create or upload a case."""
    cases = db.scalars(scope(db, select(Case), Case).order_by(Case.id.desc())).all()
    jobs = db.scalars(scope(db, select(Job), Job).order_by(Job.id.desc()).limit(10)).all()
    plans = db.scalars(scope(db, select(Plan), Plan).order_by(Plan.id.desc()).limit(10)).all()
    return render(request, "index.html", cases=cases, jobs=jobs, plans=plans, examples=store.examples())


@router.post("/cases")
def create_case(
    svc: Svc, db: DB, name: Annotated[str, Form(max_length=200)] = "", example: Annotated[str, Form()] = ""
) -> RedirectResponse:
    """Create from the form; go to the new case."""
    chosen = example or None
    if chosen is not None and chosen not in {e["name"] for e in store.examples()}:
        raise HTTPException(422, f"no example '{chosen}'")
    case = ops.create_case(db, svc.store, name, chosen)
    return RedirectResponse(f"/cases/{case.id}", status_code=303)


@router.post("/cases/upload", response_model=None)
async def upload_case(
    request: Request,
    svc: Svc,
    db: DB,
    file: Annotated[UploadFile, File()],
    name: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    """Upload from the form; the problems on a page of their own if it does not validate."""
    try:
        data = await api.read_upload(file)
        case, problems = ops.upload_case(db, svc.store, name, data, api.upload_kind(file.filename, data))
    except UploadError as err:
        case, problems = None, err.reasons
    if case is None:
        return render(request, "problems.html", status_code=422, title="The upload was not accepted", problems=problems)
    return RedirectResponse(f"/cases/{case.id}", status_code=303)


@router.get("/cases/{case_id}", response_class=HTMLResponse)
def case_page(request: Request, case_id: int, svc: Svc, db: DB) -> HTMLResponse:
    """A case: versions, tables, the tune panel, solve, its jobs and plans."""
    case = load(db, Case, case_id, shared=True)
    folder = svc.store.version_dir(case.id, ops.current(case).number)
    jobs = db.scalars(select(Job).where(Job.case_id == case.id).order_by(Job.id.desc()).limit(20)).all()
    plans = db.scalars(select(Plan).where(Plan.case_id == case.id).order_by(Plan.id.desc()).limit(20)).all()
    values = current_settings(store.read_scenario(folder)) | latency_values(folder)
    tables = store.table_names(folder)
    mine = db.info["accounts"] and case.owner_id == db.info["user_id"]
    shares = api.list_shares(case.id, db)["shared_with"] if mine else None
    fields = (*SETTINGS, *latency_fields(folder))
    context: dict[str, Any] = {
        "tables": tables,
        "settings": fields,
        "values": values,
        "jobs": jobs,
        "plans": plans,
        "shares": shares,
        "examples": store.examples(),
        "stochastic_files": store.stochastic_examples(),
    }
    return render(request, "case.html", case=case, version=ops.current(case), **context)


@router.post("/cases/{case_id}/share")
def share(case_id: int, db: DB, user: Annotated[str, Form(max_length=100)]) -> RedirectResponse:
    """Share from the case page (owner only)."""
    api.share(case_id, api.ShareIn(user=user), db)
    return RedirectResponse(f"/cases/{case_id}", status_code=303)


@router.get("/cases/{case_id}/diff", response_class=HTMLResponse)
def diff_page(request: Request, case_id: int, svc: Svc, db: DB, a: int, b: int | None = None) -> HTMLResponse:
    """Two versions side by side: settings and table cells that changed."""
    diff = api.diff_case(case_id, svc, db, a, b)
    return render(request, "diff.html", case=load(db, Case, case_id, shared=True), diff=diff)


@router.get("/cases/{case_id}/tables/{name}", response_class=HTMLResponse)
def table_page(request: Request, case_id: int, name: str, svc: Svc, db: DB) -> HTMLResponse:
    """The grid editor of one table."""
    table = api.get_table(case_id, name, svc, db)
    case = load(db, Case, case_id, shared=True)
    words = Lang(page_context(request)["lang"])
    return render(
        request,
        "table.html",
        case=case,
        version=ops.current(case),
        table=table,
        column_label=lambda column: i18n.column_unit(words, name, str(column)),
    )


@router.post("/cases/{case_id}/solve")
def solve(
    case_id: int,
    svc: Svc,
    db: DB,
    days: Annotated[str, Form(max_length=10)] = "",
    resolution: Annotated[str | None, Form(max_length=10)] = None,
) -> RedirectResponse:
    """Queue a solve at the chosen resolution (case: its own; year; days: N representative days; hours); go to the job.

    Without a `resolution` field, `days` alone asks for representative days (as the form did before).
    """
    n = int(days) if days.strip().isdigit() and 1 <= int(days) <= 60 else None
    chosen = resolution if resolution in ("year", "days", "hours") else None
    if resolution is not None and chosen is None:
        n = None  # "the case's own": the days field is only read with "representative days"
    job = api.queue_solve(svc, db, load(db, Case, case_id), n, chosen)
    return RedirectResponse(f"/jobs/{job.id}", status_code=303)


@router.post("/cases/{case_id}/diagnose")
def diagnose(case_id: int, svc: Svc, db: DB) -> RedirectResponse:
    """Queue a diagnosis; go to the job."""
    job = api.create_job(case_id, NewJob.model_validate({"kind": "diagnose"}), svc, db)
    return RedirectResponse(f"/jobs/{job.id}", status_code=303)


def _values(text: str) -> list[float]:
    out: list[float] = []
    for part in text.replace(";", ",").split(","):
        part = part.strip()
        if part:
            try:
                out.append(float(part))
            except ValueError:
                raise HTTPException(422, f"sweep values: {part!r} is not a number") from None
    return out


@router.post("/cases/{case_id}/sweep")
def sweep(
    case_id: int, svc: Svc, db: DB,
    set1: Annotated[str, Form(max_length=100)], values1: Annotated[str, Form(max_length=300)],
    set2: Annotated[str, Form(max_length=100)] = "", values2: Annotated[str, Form(max_length=300)] = "",
) -> RedirectResponse:
    """Queue a sweep of one or two tune settings; go to the job."""
    parameters: dict[str, SweepParameter] = {}
    for key, text in ((set1, values1), (set2, values2)):
        if key and key in KEYS:
            parameters[key.rsplit(".", 1)[-1]] = SweepParameter(set=key, values=_values(text))
    job = api.create_job(case_id, NewJob.model_validate({"kind": "sweep", "parameters": parameters}), svc, db)
    return RedirectResponse(f"/jobs/{job.id}", status_code=303)


@router.post("/cases/{case_id}/stochastic")
def stochastic(case_id: int, svc: Svc, db: DB, file: Annotated[str, Form(max_length=80)]) -> RedirectResponse:
    """Queue a stochastic plan over one of examples/' stochastic files; go to the job."""
    job = api.create_job(case_id, NewJob.model_validate({"kind": "stochastic", "stochastic": file}), svc, db)
    return RedirectResponse(f"/jobs/{job.id}", status_code=303)


@router.post("/plans/{plan_id}/verify")
def verify(plan_id: int, svc: Svc, db: DB) -> RedirectResponse:
    """Queue `planner verify` of the plan; go to the job."""
    job = api.verify_plan(plan_id, svc, db)
    return RedirectResponse(f"/jobs/{job.id}", status_code=303)


@router.get("/jobs/{job_id}", response_class=HTMLResponse)
def job_page(request: Request, job_id: int, svc: Svc, db: DB) -> HTMLResponse:
    """A job: stage, elapsed time and log tail, refreshed by script while it runs; a sweep's table when done."""
    job = api.job_out(svc, db, load(db, Job, job_id, shared=True))
    table = None
    if job.kind == "sweep" and job.status == "done":
        try:
            table = api.get_sweep(job_id, svc, db)
        except HTTPException:
            table = None
    return render(request, "job.html", job=job, sweep=table)


@router.post("/jobs/{job_id}/cancel")
def cancel(job_id: int, svc: Svc, db: DB) -> RedirectResponse:
    """Cancel from the job page."""
    api.cancel_job(job_id, svc, db)
    return RedirectResponse(f"/jobs/{job_id}", status_code=303)


@router.post("/jobs/{job_id}/rerun")
def rerun(job_id: int, svc: Svc, db: DB) -> RedirectResponse:
    """Re-run from the job page; go to the new job."""
    job = api.rerun_job(job_id, svc, db)
    return RedirectResponse(f"/jobs/{job.id}", status_code=303)


@router.get("/plans/{plan_id}", response_class=HTMLResponse)
def plan_page(request: Request, plan_id: int, svc: Svc, db: DB) -> HTMLResponse:
    """A plan: headline, verify's verdict, downloads and the report."""
    plan = load(db, Plan, plan_id, shared=True)
    solved = scope(db, select(Plan), Plan).where(Plan.id != plan.id, Plan.status.in_(("optimal", "feasible")))
    others = db.scalars(solved.order_by(Plan.id.desc()).limit(30)).all()
    diagnosis = svc.store.plan_dir(plan.job_id) / "diagnosis.md"
    text = diagnosis.read_text(encoding="utf-8")[:100_000] if diagnosis.is_file() else ""
    return render(request, "plan.html", plan=plan, others=others, diagnosis=text)


@router.get("/compare", response_class=HTMLResponse)
def compare_page(request: Request, svc: Svc, db: DB, plan: Annotated[list[int], Query()]) -> HTMLResponse:
    """Plans side by side: the KPI table and `planner compare`'s page."""
    lang = page_context(request)["lang"]
    plans, kpis, _ = api.comparison(svc, db, plan, lang)
    query = "&".join(f"plan={p.id}" for p in plans)
    names = list(next(iter(kpis.values())).keys())
    words = Lang(lang)
    return render(
        request,
        "compare.html",
        plans=plans,
        kpis=kpis,
        names=names,
        page_url=f"/api/compare.html?{query}&lang={lang}",
        kpi_label=lambda label: words(str(label), i18n.KPIS.get(str(label), str(label))),
    )


@router.get("/docs", response_class=HTMLResponse)
def docs(request: Request) -> HTMLResponse:
    """Swagger UI from packaged files (no CDN), started by a packaged script (no inline script)."""
    return render(request, "docs.html")


def error_page(request: Request, err: HTTPException) -> Response:
    """An HTTP error of a page (not of /api/) as a page in the request's language; the API's stay JSON."""
    detail = err.detail if isinstance(err.detail, str) else "The request was not accepted"
    response = render(request, "problems.html", status_code=err.status_code, title=detail, problems=[])
    for key, value in (err.headers or {}).items():
        response.headers[key] = value
    return response
