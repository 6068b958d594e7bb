"""Solve jobs: queued in the database, run in worker processes, watched and cancelled from the server.

The server's `Dispatcher` (one thread) starts up to `workers` processes, each running `run_job`
for one queued job; the worker writes the job's stage and outcome to the database itself, so a
job's state never lives only in the server process. When the server starts, jobs left `running`
by a server that stopped are marked `interrupted` (they can be re-run); queued ones are run.
A worker whose server went away stops itself, and a worker's final write only lands while its job
is still `running`, so an orphan cannot overwrite what the new server said.
"""

from __future__ import annotations

import json
import logging
import multiprocessing
import os
import shutil
import threading
import traceback
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import select, update
from sqlalchemy.orm import sessionmaker

from planner.errors import InfeasibleError, InputError, PlannerError
from planner.web import engine
from planner.web.models import Job, Plan, make_sessions, now
from planner.web.store import Store
from planner.web.tune import headline

logger = logging.getLogger(__name__)

FINAL = ("done", "failed", "infeasible", "cancelled", "interrupted")
HOURLY_STAGE = "solving the full hourly year (8760 hours); this takes minutes"
LOG_TAIL_BYTES = 6000


def _set(sessions: sessionmaker[Any], job_id: int | None, only_if: str | None = None, **values: Any) -> bool:  # noqa: ANN401
    """Update a job row (all: `job_id` None), only while its status is `only_if` if given; True if one changed."""
    with sessions() as s:
        stmt = update(Job) if job_id is None else update(Job).where(Job.id == job_id)
        if only_if is not None:
            stmt = stmt.where(Job.status == only_if)
        changed = s.execute(stmt.values(**values)).rowcount
        s.commit()
        return bool(changed)


def transition(
    sessions: sessionmaker[Any], job_id: int | None, to: str, message: str = "", was: str = "running"
) -> bool:
    """The one way a job changes status: from `was` to `to`, only if it still is `was`; True if it moved.

    `job_id` None moves every job that is `was` (a restarted server's running jobs to interrupted).

    queued -> running (stage "starting a worker", started now); queued or running -> a final status
    (`FINAL`: stage = status, finished now, the message). A final write thus never lands on a job another
    party (a cancel, the new server after a restart) already finished.
    """
    if to == "running":
        return _set(sessions, job_id, only_if=was, status=to, stage="starting a worker", started=now())
    if to not in FINAL:
        raise ValueError(f"not a job status: {to!r}")
    return _set(sessions, job_id, only_if=was, status=to, stage=to, message=message[:20000], finished=now())


def run_job(job_id: int, db_url: str, data_dir: str, scheduler: str | None = None, workers: int = 1) -> None:
    """A worker process: run one job (solve and verify, diagnose, sweep, stochastic plan or verify a plan).

    With a Dask `scheduler` (tcp://HOST:PORT), a sweep's scenarios and a stochastic plan's futures are solved
    on that cluster's workers; without one, a stochastic plan's futures run on a local cluster of at most
    `workers` processes (the server's --workers).
    """
    sessions = make_sessions(db_url, upgrade=False)
    st = Store(Path(data_dir))
    with sessions() as s:
        job = s.get(Job, job_id)
        if job is None or job.status != "running":
            return
        case_dir = st.version_dir(job.case_id, job.version.number)
        resolution = engine.time_resolution(job.options)
        case_id, version_id, kind, options = job.case_id, job.version_id, job.kind, dict(job.options)
    stop = threading.Event()
    solving = HOURLY_STAGE if resolution == "hours" else "solving"
    watch = (sessions, st, job_id, os.getppid(), stop, solving if kind == "solve" else None)
    threading.Thread(target=_watch, args=watch, daemon=True).start()
    if kind == "stochastic":
        try:
            _run_stochastic(sessions, st, job_id, (case_id, version_id), options, case_dir, (scheduler, workers))
        finally:
            stop.set()
        return
    if kind != "solve":
        try:
            _run_other(sessions, st, job_id, kind, options, case_dir, scheduler)
        finally:
            stop.set()
        return
    out_dir = st.plan_dir(job_id)
    status, message, plan_status = "done", "", None
    try:
        outcome = engine.solve(case_dir, out_dir, resolution)
        plan_status = str(outcome.plan.get("status"))
        stop.set()
        _set(sessions, job_id, only_if="running", stage="verifying the plan")
        ok, text = engine.verify(out_dir)
        _record_plan(sessions, job_id, case_id, version_id, plan_status, outcome.plan, ok, text)
        message = "plan verified: every constraint holds" if ok else "verify found violations; see the plan page"
    except InfeasibleError as err:
        status, message = "infeasible", str(err)
        if (out_dir / "plan.json").exists():
            _record_plan(sessions, job_id, case_id, version_id, "infeasible", {"status": "infeasible"}, None, "")
    except InputError as err:
        status, message = "failed", str(err)
    except PlannerError as err:
        status, message = "failed", str(err)
    except Exception as err:  # a bug: keep the traceback in the job for whoever reads it
        status, message = "failed", f"internal error: {err!r}\n{traceback.format_exc(limit=8)}"
    finally:
        stop.set()
    hidden = engine.hide_folders(message, {out_dir: "plan", case_dir: "case", st.root: "…"})
    transition(sessions, job_id, status, hidden)


def _record_plan(
    sessions: sessionmaker[Any],
    job_id: int,
    case_id: int,
    version_id: int,
    status: str,
    plan: dict[str, Any],
    ok: bool | None,
    text: str,
) -> None:
    with sessions() as s:
        s.add(
            Plan(
                job_id=job_id,
                case_id=case_id,
                version_id=version_id,
                status=status,
                headline=headline(plan),
                verify_ok=ok,
                verify_text=text,
            )
        )
        s.commit()


def _run_stochastic(
    sessions: sessionmaker[Any],
    st: Store,
    job_id: int,
    case: tuple[int, int],
    options: dict[str, Any],
    case_dir: Path,
    where: tuple[str | None, int],
) -> None:
    """`planner solve CASE --stochastic FILE` on a case version; its plan folder becomes the job's plan.

    The plan (with its robustness report) is verified as a solve's is. `where`: the Dask scheduler (or None)
    and the bound of a local cluster.
    """
    from planner.pipeline import run_stochastic
    from planner.web.store import EXAMPLES, stochastic_examples

    scheduler, workers = where
    status, message = "done", ""
    folder = st.job_dir(job_id)
    out_dir = st.plan_dir(job_id)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        if "stochastic" in options:
            if options["stochastic"] not in {e["name"] for e in stochastic_examples()}:
                raise PlannerError(f"no stochastic example '{options['stochastic']}'")
            file = EXAMPLES / f"{options['stochastic']}.yaml"
        else:
            file = folder / "stochastic.yaml"
            spec = {"base": os.path.relpath(case_dir, folder), **dict(options["spec"])}  # the API refused a base
            text = yaml.safe_dump(spec, sort_keys=False, allow_unicode=True)
            file.write_text(text, encoding="utf-8")
        log = folder / "stages.log"

        def progress(stage: str, _log: Path | None) -> None:
            _set(sessions, job_id, only_if="running", stage=stage)
            with log.open("a", encoding="utf-8") as f:
                f.write(f"{now().isoformat(timespec='seconds')}  {stage}\n")

        if scheduler:
            progress("sending the futures to the Dask cluster", None)
        shutil.rmtree(out_dir, ignore_errors=True)
        outcome, _ = run_stochastic(
            case_dir, file, out_dir, scheduler=scheduler, workers=workers, force=True, progress=progress
        )
        plan = json.loads((out_dir / "plan.json").read_text(encoding="utf-8"))
        progress("verifying the plan", None)
        ok, text = engine.verify(out_dir)
        _record_plan(sessions, job_id, *case, str(plan.get("status")), plan, ok, text)
        f = outcome.figures
        message = (
            f"{len(outcome.names)} futures: VSS {f['vss_yi_yuan']:,.2f} 亿元, EVPI {f['evpi_yi_yuan']:,.2f} 亿元; "
            "see the plan's robustness section"
        )
    except InfeasibleError as err:
        status, message = "infeasible", str(err)
    except PlannerError as err:
        status, message = "failed", str(err)
    except Exception as err:  # a bug: keep the traceback in the job for whoever reads it
        status, message = "failed", f"internal error: {err!r}\n{traceback.format_exc(limit=8)}"
    names = {out_dir: "plan", folder / "stochastic.yaml": "stochastic.yaml", case_dir: "case", st.root: "…"}
    transition(sessions, job_id, status, engine.hide_folders(message, names))


def _run_other(
    sessions: sessionmaker[Any],
    st: Store,
    job_id: int,
    kind: str,
    options: dict[str, Any],
    case_dir: Path,
    scheduler: str | None = None,
) -> None:
    """Diagnose a case version, sweep settings over it, or verify a plan again; the outcome goes into the job."""
    status, message = "done", ""
    folder = st.job_dir(job_id)
    try:
        if kind == "diagnose":
            _set(sessions, job_id, only_if="running", stage="diagnosing (pre-solve checks, IIS, least relaxations)")
            shutil.rmtree(folder / "diagnosis", ignore_errors=True)
            message, _ = engine.diagnose(case_dir, folder / "diagnosis")
        elif kind == "sweep":
            folder.mkdir(parents=True, exist_ok=True)
            spec = engine.sweep_file(case_dir, options["parameters"], f"job{job_id}", folder)
            text = yaml.safe_dump(spec, sort_keys=False, allow_unicode=True)
            (folder / "sweep.yaml").write_text(text, encoding="utf-8")

            def progress(n: int, total: int) -> None:
                stage = f"solving scenario {n + 1} of {total}" if n < total else "writing the table"
                _set(sessions, job_id, only_if="running", stage=stage)

            first = "sending the scenarios to the Dask cluster" if scheduler else "solving scenario 1"
            _set(sessions, job_id, only_if="running", stage=first)
            rows = engine.sweep(folder / "sweep.yaml", folder / "sweep", progress, scheduler)
            solved = sum(1 for r in rows if r.get("status") in ("optimal", "feasible"))
            message = f"{len(rows)} scenarios, {solved} with a plan; see the table"
        elif kind == "verify":
            _set(sessions, job_id, only_if="running", stage="verifying the plan")
            with sessions() as s:
                plan = s.get(Plan, int(options["plan_id"]))
                plan_job = plan.job_id if plan is not None else None
            if plan_job is None:
                raise PlannerError("the plan to verify no longer exists")
            ok, message = engine.verify(st.plan_dir(plan_job))
            status = "done" if ok else "failed"
            with sessions() as s:
                verdict = (
                    update(Plan).where(Plan.id == int(options["plan_id"])).values(verify_ok=ok, verify_text=message)
                )
                s.execute(verdict)
                s.commit()
        else:
            raise PlannerError(f"unknown job kind {kind!r}")
    except InfeasibleError as err:
        status, message = "infeasible", str(err)
    except PlannerError as err:
        status, message = "failed", str(err).replace(str(folder / "sweep.yaml"), "sweep")
    except Exception as err:  # a bug: keep the traceback in the job for whoever reads it
        status, message = "failed", f"internal error: {err!r}\n{traceback.format_exc(limit=8)}"
    transition(sessions, job_id, status, engine.hide_folders(message, {case_dir: "case", st.root: "…"}))


def _watch(
    sessions: sessionmaker[Any], st: Store, job_id: int, parent: int, stop: threading.Event, solving: str | None
) -> None:
    """Report a solve's stage as the plan folder fills; end this worker if the server is gone.

    `solving`: the stage's words while the solver runs; None for jobs other than solves (no stages).
    """
    stage = ""
    while not stop.wait(0.3):
        if os.getppid() != parent:
            os._exit(1)
        if solving is None:
            continue
        partial = (
            [p for p in st.job_dir(job_id).iterdir() if p.is_dir() and p.name.startswith(".plan.partial-")]
            if st.job_dir(job_id).exists()
            else []
        )
        new = "reading the case and building the model"
        if any((p / "plan.json").exists() for p in partial):
            new = "writing the plan and its report"
        elif any((p / "solver.log").exists() for p in partial):
            new = solving
        if new != stage:
            stage = new
            _set(sessions, job_id, only_if="running", stage=stage)


def log_tail(st: Store, job_id: int, lines: int = 25) -> str:
    """The last lines of the job's solver log (in the partial folder while it runs, then the plan folder).

    A stochastic plan's stages (stages.log: time and stage) come first, then the tail of its last solve's log.
    """
    folder = st.job_dir(job_id)
    if not folder.exists():
        return ""
    logs = [
        p / "solver.log"
        for p in folder.iterdir()
        if p.is_dir() and (p.name == "plan" or p.name.startswith(".plan.partial-"))
    ]
    logs = [p for p in logs if p.is_file()]
    stages = folder / "stages.log"
    head = _tail(stages, lines) if stages.is_file() else []
    if not logs:
        return "\n".join(head)
    path = max(logs, key=lambda p: p.stat().st_mtime)
    return "\n".join([*head, *_tail(path, max(1, lines - len(head)))])


def _tail(path: Path, lines: int) -> list[str]:
    with path.open("rb") as f:
        f.seek(max(0, path.stat().st_size - LOG_TAIL_BYTES))
        text = f.read().decode("utf-8", errors="replace")
    return text.splitlines()[-lines:]


class Dispatcher:
    """Starts queued jobs in up to `workers` processes; cancels; reaps; marks interrupted on restart."""

    def __init__(
        self, sessions: sessionmaker[Any], db_url: str, st: Store, workers: int, scheduler: str | None = None
    ) -> None:
        self.sessions = sessions
        self.scheduler = scheduler
        self.db_url = db_url
        self.store = st
        self.workers = max(1, workers)
        self.procs: dict[int, BaseProcess] = {}
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        self._context = multiprocessing.get_context("spawn")

    def start(self) -> None:
        """Mark jobs a stopped server left running as interrupted, then start dispatching."""
        left = "the server stopped while this job ran; nothing of it was kept - re-run it"
        transition(self.sessions, None, "interrupted", left)
        self._thread = threading.Thread(target=self._loop, name="planner-dispatcher", daemon=True)
        self._thread.start()

    def wake(self) -> None:
        """Look at the queue now (a job was added)."""
        self._wake.set()

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                self.tick()
            except Exception:
                logger.exception("dispatcher tick failed")
            self._wake.wait(0.5)
            self._wake.clear()

    def tick(self) -> None:
        """Reap finished workers and start queued jobs while there is room."""
        with self._lock:
            for job_id, proc in list(self.procs.items()):
                if proc.is_alive():
                    continue
                proc.join()
                del self.procs[job_id]
                ended = f"the worker process ended without a result (exit code {proc.exitcode})"
                transition(self.sessions, job_id, "failed", ended)
            room = self.workers - len(self.procs)
            if room <= 0:
                return
            with self.sessions() as s:
                found = s.execute(select(Job.id, Job.kind).where(Job.status == "queued").order_by(Job.id).limit(room))
                queued = [(int(i), str(k)) for i, k in found]
            for job_id, kind in queued:
                if not transition(self.sessions, job_id, "running", was="queued"):
                    continue
                proc = self._context.Process(
                    target=run_job,
                    args=(job_id, self.db_url, str(self.store.root), self.scheduler, self.workers),
                    # a stochastic plan starts a local Dask cluster (child processes: not from a daemon); its
                    # watcher still ends it when the server goes, and stop() and cancel() terminate it
                    daemon=kind != "stochastic",
                    name=f"planner-job-{job_id}",
                )
                try:
                    proc.start()
                except Exception as err:
                    logger.exception("could not start a worker for job %s", job_id)
                    transition(self.sessions, job_id, "failed", f"could not start a worker process: {err}")
                    continue
                self.procs[job_id] = proc

    def cancel(self, job_id: int) -> bool:
        """Cancel a queued or running job; False if it had already finished."""
        with self._lock:
            if transition(self.sessions, job_id, "cancelled", "cancelled before it started", was="queued"):
                return True
            proc = self.procs.pop(job_id, None)
            changed = transition(self.sessions, job_id, "cancelled", "cancelled while running")
            if proc is not None:
                proc.terminate()
                proc.join(10)
            for partial in (
                self.store.job_dir(job_id).glob(".plan.partial-*") if self.store.job_dir(job_id).exists() else []
            ):
                shutil.rmtree(partial, ignore_errors=True)
            return changed

    def stop(self) -> None:
        """Stop dispatching; running workers are ended and their jobs marked interrupted."""
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(5)
        with self._lock:
            for job_id, proc in list(self.procs.items()):
                transition(self.sessions, job_id, "interrupted", "the server stopped while this job ran - re-run it")
                proc.terminate()
                proc.join(10)
            self.procs.clear()


def elapsed_s(job: Job) -> float | None:
    """Seconds the job has run (so far, or in all)."""
    if job.started is None:
        return None
    end = job.finished or now()
    return max(0.0, (end - job.started).total_seconds())
