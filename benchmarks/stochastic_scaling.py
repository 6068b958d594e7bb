"""Stochastic planning: L-shaped decomposition on 1 and 2 Dask workers vs the extensive form, futures vs seconds.

    .venv/bin/python -m benchmarks.stochastic_scaling [N ...] [--threads]   # default 10 25 50 100 150 200

Futures are drawn as in examples/uncertain_ai_demand_100.yaml (yearly resolution, commitment 2027,
expected cost). Every ratio is from one run on one machine. Per size:

The cluster: for each worker count its own Dask LocalCluster as `solve_stochastic` starts it
(`planner.scenarios.stochastic.pool.dask_client`: worker processes of 1 thread each on 127.0.0.1,
no dashboard, `pool.QUIET` settings), both started before the first size; 1 and 2 workers differ in
the worker count only (`cluster` in the results says so). `--threads`: both clusters' workers are
threads of this process instead (highspy's `run` lets other threads run Python while HiGHS solves);
then the CPU seconds timed per future are the whole process's, so `worker_cpu` and the CPU path
mean nothing.

* `build_s`: every future's model, in this process (shared by both methods, not in their times);
* `extensive_s`: assemble and solve the extensive form;
* `decomposition_<k>w_s`: what `solve_stochastic` does for the decomposition, end to end: the
  expected-value future (its plan starts the rounds, its basis every future's first solve), sending
  the futures to k workers of a LocalCluster (started beforehand), the perfect-foresight pass, the
  L-shaped rounds. 1- and 2-worker runs alternate (REPEATS each, median), so both see the same
  load; the 1-minute load average (`os.getloadavg`) is recorded around every run;
* `serial_<k>w_s`: the part of that time outside the pool's passes (master, cuts, sending);
  `setup_<k>w_s`, part of it: the expected-value solve and making the pool (sending the futures,
  each worker building its subproblem);
* `worker_cpu_<k>w_s`: the CPU seconds the workers spent on the futures (switch and solve, timed in
  the worker), all passes: the same work on 1 and on 2 workers, so a larger figure on 2 workers is
  what running two solvers at once costs each of them (shared caches, clock, other jobs);
* `pass_<k>w_s`: one evaluation of every future at a fixed proposal (the parallel part of a round),
  median of 7, the same proposal for 1 and 2 workers: the like-for-like parallel speed-up;
* `cpu_path_<k>w_s` (an estimate from CPU seconds, not a clock measurement, for a machine shared
  with other jobs): this process's CPU seconds plus, for every pass, the largest CPU seconds any of
  k workers spent on its chunk of futures (each future's switch and solve, timed on the worker):
  the run time on k free cores if sending and waiting cost nothing. Each from its own runs (the
  1-worker figure from the 1-worker runs, the 2-worker one from the 2-worker runs, so it counts
  what two solvers at once cost each other); `cpu_path_split_1w_s` is the 1-worker figure worked
  out from the 2-worker runs' CPU seconds instead (the estimate of the last session).

Results are written after each size to benchmarks/results_stochastic.json and .md.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from planner.scenarios.stochastic.benders import solve_benders
from planner.scenarios.stochastic.extensive import first_bounds, solve_extensive
from planner.scenarios.stochastic.pool import DaskPool, dask_client
from planner.scenarios.stochastic.problem import mean_numbers
from planner.scenarios.stochastic.run import Problem2, build_problem
from planner.scenarios.stochastic.spec import Stochastic, load_stochastic
from planner.scenarios.stochastic.subproblem import Eval, Subproblem

HERE = Path(__file__).parent
EXAMPLE = HERE.parent / "examples" / "uncertain_ai_demand_100.yaml"


def problem(n: int) -> tuple[Stochastic, Problem2]:
    """The example with n drawn futures, built."""
    spec = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    spec["samples"] = n
    spec["base"] = str(HERE.parent / "inputs" / "default")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"bench_{n}.yaml"
        path.write_text(yaml.safe_dump(spec), encoding="utf-8")
        stoch = load_stochastic(path)
    return stoch, build_problem(stoch)


def decomposition(client: Any, stoch: Stochastic, prob: Problem2, proposal: np.ndarray) -> dict[str, Any]:
    """Solve by the L-shaped method on the client's workers as `solve_stochastic` does; time one pass too."""
    layout = prob.layout
    load = os.getloadavg()[0]
    clock, cpu = time.perf_counter(), time.process_time()
    ev_sub = Subproblem(layout, mean_numbers(prob.numbers, prob.p), prob.config)
    ev = ev_sub.perfect_foresight(-1).x
    assert ev is not None
    pool = DaskPool(client, layout, prob.numbers, prob.config, start=ev_sub.basis(-1))
    setup_s = time.perf_counter() - clock
    passes_cpu: list[np.ndarray] = []
    run = pool.run

    def timed_run(xhat: np.ndarray | None, want_x: bool = False) -> list[Eval]:
        evals = run(xhat, want_x)
        passes_cpu.append(np.array([e.cpu_s for e in evals]))
        return evals

    pool.run = timed_run  # type: ignore[method-assign]
    pf_clock = time.perf_counter()
    z = np.array([e.value for e in pool.run(None)])
    pf_s = time.perf_counter() - pf_clock
    out = solve_benders(
        pool,
        len(layout.first),
        first_bounds(layout, prob.numbers),
        layout.integer[layout.first],
        prob.p,
        z,
        stoch.risk,
        prob.config,
        start=ev[layout.first],
        scale=layout.first_scale(ev[layout.first]),
    )
    seconds, driver_cpu = time.perf_counter() - clock, time.process_time() - cpu
    pool.run = run  # type: ignore[method-assign]
    load = max(load, os.getloadavg()[0])
    cpu_path = {
        k: driver_cpu
        + sum(max(float(c[chunk].sum()) for chunk in np.array_split(np.arange(len(c)), k)) for c in passes_cpu)
        for k in (1, 2)
    }
    passes = []
    for _ in range(7):
        clock = time.perf_counter()
        pool.run(proposal)
        passes.append(time.perf_counter() - clock)
    pool.close()
    sub_s = pf_s + sum(h["subproblems_s"] for h in out.history)
    return {
        "seconds": seconds,
        "objective": out.objective,
        "first": out.first,
        "rounds": out.rounds,
        "pass_s": statistics.median(passes),
        "subproblems_s": sub_s,
        "serial_s": seconds - sub_s,
        "setup_s": setup_s,
        "worker_cpu_s": float(sum(c.sum() for c in passes_cpu)),
        "driver_cpu_s": driver_cpu,
        "master_s": sum(h["master_s"] for h in out.history),
        "load": load,
        "cpu_path_1w_s": cpu_path[1],
        "cpu_path_2w_s": cpu_path[2],
    }


def table(rows: list[dict[str, Any]]) -> str:
    """The results as a Markdown table."""
    lines = [
        "| futures | EF rows x cols | build s | extensive s | L-shaped 1 worker s (rounds) | 2 workers s (rounds) | "
        "serial part 1w / 2w s | one pass 1w / 2w s | 2w vs 1w | EF s / 2w s | rel. diff objective / plan | "
        "load (1-min) | CPU path 1w / 2w s (estimate) | setup 1w / 2w s | worker CPU 1w / 2w s |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        if "decomposition_2w_s" not in r:
            continue
        lines.append(
            f"| {r['futures']} | {r['extensive_size'][0]:,} x {r['extensive_size'][1]:,} | {r['build_s']:.1f} | "
            f"{r['extensive_s']:.2f} | {r['decomposition_1w_s']:.2f} ({r['rounds_1w']}) | "
            f"{r['decomposition_2w_s']:.2f} ({r['rounds_2w']}) | {r['serial_1w_s']:.2f} / {r['serial_2w_s']:.2f} | "
            f"{r['pass_1w_s']:.3f} / {r['pass_2w_s']:.3f} | "
            f"{r['decomposition_1w_s'] / r['decomposition_2w_s']:.2f}x | "
            f"{r['extensive_s'] / r['decomposition_2w_s']:.2f}x | "
            f"{r['objective_rel_diff']:.1e} / {r['plan_rel_diff']:.1e} | "
            f"{r['load_min']:.1f}-{r['load_max']:.1f} | "
            + (
                f"{r['cpu_path_1w_s']:.2f} / {r['cpu_path_2w_s']:.2f} "
                f"({r['cpu_path_1w_s'] / r['cpu_path_2w_s']:.2f}x) |"
                if "cpu_path_2w_s" in r
                else "|"
            )
            + (
                f" {r['setup_1w_s']:.2f} / {r['setup_2w_s']:.2f} | "
                f"{r['worker_cpu_1w_s']:.2f} / {r['worker_cpu_2w_s']:.2f} |"
                if "worker_cpu_2w_s" in r
                else " | |"
            )
        )
    return "\n".join(lines) + "\n"


BEGIN, END = "<!-- table: benchmarks/stochastic_scaling.py -->", "<!-- end of table -->"


def write_markdown(path: Path, rows: list[dict[str, Any]]) -> None:
    """The table of this run between the file's table markers (the notes around it stay), or a new file."""
    when = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    block = f"{BEGIN}\nLast run: {when}, {CLUSTER}, niceness {os.nice(0)}.\n\n{table(rows)}{END}"
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    if BEGIN in text and END in text:
        head, rest = text.split(BEGIN, 1)
        text = head + block + rest.split(END, 1)[1]
    else:
        text = block + "\n" + text
    path.write_text(text, encoding="utf-8")


PROCESSES = "Dask LocalCluster (worker processes, 1 thread each, 127.0.0.1) of 1 or of 2 workers"
THREADS = "Dask LocalCluster (worker threads of the benchmark's process, 127.0.0.1) of 1 or of 2 workers"
CLUSTER = PROCESSES
"""What the decomposition ran on (`--threads`: THREADS); the worker count is the only difference between the runs."""

REPEATS = 3
"""Decomposition runs per worker count and size, alternating 1 and 2 workers (the median is shown)."""


def main(sizes: list[int]) -> None:
    """Each size: build, extensive form, then the decomposition on 1 and on 2 workers, alternating."""
    rows: list[dict[str, Any]] = []
    processes = CLUSTER == PROCESSES
    with dask_client(None, 1, processes) as one, dask_client(None, 2, processes) as two:
        for n in sizes:
            stoch, prob = problem(n)
            load = os.getloadavg()[0]
            clock = time.perf_counter()
            ef = solve_extensive(prob.layout, prob.numbers, prob.p, stoch.risk, prob.config)
            row: dict[str, Any] = {
                "futures": n,
                "build_s": prob.build_s,
                "extensive_s": time.perf_counter() - clock,
                "extensive_objective": ef.objective,
                "extensive_size": list(ef.size),
                "first_stage_columns": len(prob.layout.first),
            }
            loads = [load, os.getloadavg()[0]]
            runs: dict[int, list[dict[str, Any]]] = {1: [], 2: []}
            for _ in range(REPEATS):
                for workers, client in ((1, one), (2, two)):
                    runs[workers].append(decomposition(client, stoch, prob, ef.first))
            scale = max(1.0, float(np.max(np.abs(ef.first))))
            objective_diff, plan_diff = 0.0, 0.0
            for workers, done in runs.items():
                mid = sorted(done, key=lambda d: d["seconds"])[len(done) // 2]
                row[f"decomposition_{workers}w_s"], row[f"rounds_{workers}w"] = mid["seconds"], mid["rounds"]
                row[f"all_{workers}w_s"] = [d["seconds"] for d in done]
                for key in ("pass", "master", "subproblems", "serial", "setup", "worker_cpu", "driver_cpu"):
                    row[f"{key}_{workers}w_s"] = mid[f"{key}_s"]
                row[f"cpu_path_{workers}w_s"] = mid[f"cpu_path_{workers}w_s"]
                if workers == 2:
                    row["cpu_path_split_1w_s"] = mid["cpu_path_1w_s"]
                loads += [d["load"] for d in done]
                for d in done:
                    objective_diff = max(objective_diff, abs(d["objective"] - ef.objective) / abs(ef.objective))
                    plan_diff = max(plan_diff, float(np.max(np.abs(d["first"] - ef.first))) / scale)
            row["objective_rel_diff"], row["plan_rel_diff"] = objective_diff, plan_diff
            row["load_min"], row["load_max"] = min(loads), max(loads)
            row["cluster"], row["niceness"] = CLUSTER, os.nice(0)
            rows.append(row)
            print(row, flush=True)
            (HERE / "results_stochastic.json").write_text(json.dumps(rows, indent=2) + "\n", encoding="utf-8")
            write_markdown(HERE / "results_stochastic.md", rows)
    print(table(rows))


if __name__ == "__main__":
    if "--threads" in sys.argv:
        CLUSTER = THREADS
    main([int(a) for a in sys.argv[1:] if a != "--threads"] or [10, 25, 50, 100, 150, 200])
