"""`planner sweep`: solve every scenario of a sweep file on a Dask cluster and tabulate the results.

The client (this process) expands the sweep file into tasks (`planner.scenarios.spec`), skips the
scenarios already finished in the output folder, sends the base case to every worker once, and
submits one task per scenario. Each worker keeps a `Resolver` per base case, so scenarios that
differ in numbers only re-use and warm-start one model (`planner.scenarios.resolve`). Results are stored per
scenario as they arrive, so an interrupted sweep resumes where it stopped; at the end they become
one table (Parquet and CSV) and `sweep.html`.

A scenario that fails is a row with its status and reason, never a crashed sweep: bad values are
`invalid`, plans that cannot be had are `infeasible`, and a task that crashed or lost its worker is
`error` (tried again on the next run).
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from planner.config import config_for
from planner.errors import InputError, PlannerError
from planner.inputs.overlay import apply_patch
from planner.inputs.read import RawCase, validate
from planner.results.folders import claimed
from planner.results.quick import KEYS as HEADLINE_KEYS
from planner.scenarios.resolve import Resolver
from planner.scenarios.spec import Sweep, Task, load_sweep
from planner.scenarios.store import ScenarioStore, write_page, write_table
from planner.scenarios.sweep_page import render_sweep

logger = logging.getLogger(__name__)

Progress = Callable[[int, int, dict[str, Any]], None]
"""Called after each scenario with (scenarios done, scenarios to run, its result row)."""

_RESOLVERS: dict[tuple[str, str, int], Resolver] = {}
"""Per worker process and thread: one Resolver per (base case, solver settings)."""
_CHECKED: dict[tuple[str, int], dict[str, Any]] = {}
"""Per worker process and thread and base case: its tables validated once (`validate(raw, checked)`)."""


@dataclass
class SweepOutcome:
    """What a sweep produced."""

    out_dir: Path
    table: pd.DataFrame
    ran: int
    skipped: int
    files: list[Path]
    seconds: float
    running_seconds: float = 0.0  # from the first task sent to the last result (without starting the cluster)


def solve_scenario(task: Task, raw: RawCase, base_id: str, collect: list[str] | None = None) -> dict[str, Any]:
    """Worker side: apply the scenario to the base case, validate, solve (warm when it can).

    `collect`: the KPIs the sweep collects; when all are headline KPIs (`results.quick.KEYS`) the plan
    stored is those only (`"scope": "headline"`), read off the solution without the full extraction.
    """
    start = time.perf_counter()
    row: dict[str, Any] = {
        "scenario_id": task.id,
        "index": task.index,
        "params": task.params,
        "status": "",
        "reason": "",
        "plan": None,
        "how": "",
        "worker": f"{socket.gethostname()}:{os.getpid()}",
    }
    try:
        checked = _CHECKED.setdefault((base_id, threading.get_ident()), {})
        if checked.get("raw") is not raw:  # another base case object: its tables are other objects
            checked.clear()
            checked["raw"] = raw
        inputs = validate(apply_patch(raw, task.patch, task.file), checked.setdefault("tables", {}))
    except InputError as err:
        row.update(
            status="invalid", reason="; ".join(p.message if p.file == task.file else str(p) for p in err.problems[:3])
        )
        row["seconds"] = time.perf_counter() - start
        return row
    config = config_for(inputs)
    key = (base_id, config.model_dump_json(), threading.get_ident())
    resolver = _RESOLVERS.setdefault(key, Resolver(config))
    try:
        quick = collect is not None and set(collect) <= set(HEADLINE_KEYS)
        solved = resolver.solve(inputs, full=not quick)
        if quick:
            row["scope"] = "headline"
    except PlannerError as err:
        row.update(status="error", reason=str(err))
    else:
        reason = {
            "infeasible": "no plan satisfies every constraint",
            "unbounded": "the model is unbounded",
            "time_limit": "time limit reached without a plan",
        }.get(str(solved.status), "")
        row.update(status=str(solved.status), reason=reason, plan=solved.plan, how=solved.how, timings=solved.timings)
    row["seconds"] = time.perf_counter() - start
    return row


LOOPBACK_NO_DASHBOARD: dict[str, Any] = {
    "host": "127.0.0.1",
    "dashboard_address": "127.0.0.1:0",
    "scheduler_kwargs": {"dashboard": False},
}
"""A LocalCluster on the loopback address without a dashboard. `dashboard_address=None` alone still binds
the scheduler's HTTP server to 8787 (distributed's default port); this keeps it off 8787, on loopback."""


@contextmanager
def _client(scheduler: str | None, workers: int | None) -> Iterator[Any]:
    """A Dask client on the cluster at `scheduler`, or on a LocalCluster of `workers` 1-thread processes."""
    with _quiet_dask():
        yield from _open(scheduler, workers)


@contextmanager
def _quiet_dask() -> Iterator[None]:
    """Dask logs every worker start and stop at INFO; keep that out of the planner's output unless debugging."""
    import distributed  # noqa: F401 - creates its loggers

    names = [n for n in logging.root.manager.loggerDict if n == "distributed" or n.startswith("distributed.")]
    saved = {n: logging.getLogger(n).level for n in names}
    if not logger.isEnabledFor(logging.DEBUG):
        for n in names:
            logging.getLogger(n).setLevel(logging.ERROR)
    try:
        yield
    finally:
        for n, level in saved.items():
            logging.getLogger(n).setLevel(level)


def _open(scheduler: str | None, workers: int | None) -> Iterator[Any]:
    from distributed import Client, LocalCluster

    if scheduler:
        client = Client(scheduler, timeout="20s")
        try:
            client.wait_for_workers(1, timeout=60)
            yield client
        finally:
            client.close()
        return
    n = workers or max(1, min(4, os.cpu_count() or 1))
    with (
        LocalCluster(
            n_workers=n, threads_per_worker=1, processes=True, silence_logs=logging.CRITICAL, **LOOPBACK_NO_DASHBOARD
        ) as cluster,
        Client(cluster) as client,
    ):
        yield client


def run_sweep(
    path: str | Path,
    scheduler: str | None = None,
    workers: int | None = None,
    out_dir: Path | None = None,
    progress: Progress | None = None,
) -> SweepOutcome:
    """Run (or resume) a sweep; write the table and page; returns where and what."""
    clock = time.perf_counter()
    sweep = load_sweep(path)
    out = out_dir or Path("outputs") / f"sweep_{sweep.spec.name}"
    with claimed(Path(out), "sweep", (sweep.raw.folder,)):
        store = ScenarioStore(out)
        done = store.finished()
        if not set(sweep.spec.collect) <= set(HEADLINE_KEYS):  # scenarios stored with the headline only: solve again
            done = {i for i in done if (store.read(i) or {}).get("scope") != "headline"}
        todo = [t for t in sweep.tasks if t.id not in done]
        logger.info(
            "sweep %s: %d scenarios, %d already finished",
            sweep.spec.name,
            len(sweep.tasks),
            len(sweep.tasks) - len(todo),
        )
        running = 0.0
        if todo:
            try:
                with _client(scheduler, workers) as client:
                    running = _submit_all(client, sweep, todo, store, progress)
            except KeyboardInterrupt:
                saved = len(store.finished() & {t.id for t in sweep.tasks})
                raise SweepInterrupted(
                    f"interrupted: {saved} of {len(sweep.tasks)} scenarios are saved in {Path(out) / 'scenarios'}; run "
                    "the same command again to resume (saved scenarios are not solved again)"
                ) from None
        table = results_table(sweep, store)
        files = write_table(out, table)
        files.append(write_page(out, render_sweep(sweep, table)))
    return SweepOutcome(
        out, table, len(todo), len(sweep.tasks) - len(todo), files, time.perf_counter() - clock, running
    )


class SweepInterrupted(PlannerError):
    """Ctrl-C or SIGTERM during a sweep: the finished scenarios are saved; rerunning resumes."""

    exit_code = 130


def _submit_all(client: Any, sweep: Sweep, todo: list[Task], store: ScenarioStore, progress: Progress | None) -> float:  # noqa: ANN401 - a distributed.Client
    """Send every task, store each result as it arrives; returns the seconds it took."""
    from distributed import as_completed

    start = time.perf_counter()
    raw = client.scatter(sweep.raw, broadcast=True, hash=False)
    futures = {
        client.submit(
            solve_scenario,
            task,
            raw,
            sweep.base_id,
            sweep.spec.collect,
            key=f"scenario-{task.id}-{time.monotonic_ns()}",
            pure=False,
            retries=0,
        ): task
        for task in todo
    }
    for n, future in enumerate(as_completed(futures), start=1):
        task = futures[future]
        try:
            row = future.result()
        except Exception as err:
            logger.debug("scenario %s failed:\n%s", task.id, "".join(traceback.format_exception(err)))
            row = {
                "scenario_id": task.id,
                "index": task.index,
                "params": task.params,
                "status": "error",
                "reason": f"{type(err).__name__}: {err}",
                "plan": None,
                "how": "",
                "worker": "",
                "seconds": None,
            }
        store.write(row)
        if progress is not None:
            progress(n, len(todo), row)
    return time.perf_counter() - start


def kpi(plan: dict[str, Any] | None, key: str) -> Any:  # noqa: ANN401 - a number or a label
    """A collected KPI from a plan's numbers: `green_share`, or `new_racks_by_hub.gansu` into mappings."""
    node: Any = plan
    for part in key.split("."):
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return node


def results_table(sweep: Sweep, store: ScenarioStore) -> pd.DataFrame:
    """One row per scenario of the sweep, in sweep order: parameters, status, reason, KPIs, timing."""
    records = []
    for task in sweep.tasks:
        row = store.read(task.id) or {
            "status": "not run",
            "reason": "",
            "plan": None,
            "how": "",
            "seconds": None,
            "worker": "",
        }
        record: dict[str, Any] = {
            "scenario": task.index,
            "scenario_id": task.id,
            **task.params,
            "status": row["status"],
            "reason": row.get("reason", ""),
        }
        for key in sweep.spec.collect:
            record[key] = kpi(row.get("plan"), key)
        record.update({"solved_by": row.get("how", ""), "seconds": row.get("seconds"), "worker": row.get("worker", "")})
        records.append(record)
    table = pd.DataFrame.from_records(records)
    for key in sweep.spec.collect:
        table[key] = pd.to_numeric(table[key], errors="coerce").astype(float)
    return table
