"""Stochastic planning: L-shaped decomposition on 1 and 2 Dask workers vs the extensive form, futures vs seconds.

    .venv/bin/python -m benchmarks.stochastic_scaling [N ...]   # default 10 25 50 100 200

Futures are drawn as in examples/uncertain_ai_demand_100.yaml (yearly resolution, commitment 2027,
expected cost). Every ratio is from one run on one machine. Per size:

* `build_s`: every future's model, in this process (shared by both methods, not in their times);
* `extensive_s`: assemble and solve the extensive form;
* `decomposition_<k>w_s`: perfect-foresight bounds + L-shaped rounds with the futures on k workers of a
  LocalCluster (started beforehand; the rounds can differ between runs, since degenerate duals
  depend on each worker's warm-start path);
* `pass_<k>w_s`: one evaluation of every future at a fixed proposal (the parallel part of a round),
  median of 7, the same proposal for 1 and 2 workers: the like-for-like parallel speed-up.

Results are written after each size to benchmarks/results_stochastic.json and .md.
"""

from __future__ import annotations

import json
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
from planner.scenarios.stochastic.subproblem import Subproblem

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
    """Solve by the L-shaped method on the client's workers; time one pass at `proposal` too."""
    layout = prob.layout
    clock = time.perf_counter()
    pool = DaskPool(client, layout, prob.numbers, prob.config)
    z = np.array([e.value for e in pool.run(None)])
    ev = Subproblem(layout, mean_numbers(prob.numbers, prob.p), prob.config).perfect_foresight(-1).x
    assert ev is not None
    bounds = first_bounds(layout, prob.numbers)
    out = solve_benders(
        pool,
        len(layout.first),
        bounds,
        layout.integer[layout.first],
        prob.p,
        z,
        stoch.risk,
        prob.config,
        start=ev[layout.first],
    )
    seconds = time.perf_counter() - clock
    passes = []
    for _ in range(7):
        clock = time.perf_counter()
        pool.run(proposal)
        passes.append(time.perf_counter() - clock)
    pool.close()
    sub_s = sum(h["subproblems_s"] for h in out.history)
    master_s = sum(h["master_s"] for h in out.history)
    return {
        "seconds": seconds,
        "objective": out.objective,
        "rounds": out.rounds,
        "pass_s": statistics.median(passes),
        "subproblems_s": sub_s,
        "master_s": master_s,
    }


def table(rows: list[dict[str, Any]]) -> str:
    """The results as a Markdown table."""
    lines = [
        "| futures | EF rows x cols | build s | extensive s | L-shaped 1 worker s (rounds) | 2 workers s (rounds) | "
        "one pass 1w / 2w s | pass speed-up | total 2w vs 1w | EF s / 2w s | rel. diff |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        if "decomposition_2w_s" not in r:
            continue
        lines.append(
            f"| {r['futures']} | {r['extensive_size'][0]:,} x {r['extensive_size'][1]:,} | {r['build_s']:.1f} | "
            f"{r['extensive_s']:.2f} | {r['decomposition_1w_s']:.2f} ({r['rounds_1w']}) | "
            f"{r['decomposition_2w_s']:.2f} ({r['rounds_2w']}) | {r['pass_1w_s']:.3f} / {r['pass_2w_s']:.3f} | "
            f"{r['pass_1w_s'] / r['pass_2w_s']:.2f}x | {r['decomposition_1w_s'] / r['decomposition_2w_s']:.2f}x | "
            f"{r['extensive_s'] / r['decomposition_2w_s']:.2f}x | "
            f"{max(r['objective_rel_diff_1w'], r['objective_rel_diff_2w']):.1e} |"
        )
    return "\n".join(lines) + "\n"


def main(sizes: list[int]) -> None:
    """Each size: build, extensive form, then the decomposition on 1 and on 2 workers."""
    rows: list[dict[str, Any]] = []
    with dask_client(None, 1) as one, dask_client(None, 2) as two:
        for n in sizes:
            stoch, prob = problem(n)
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
            for workers, client in ((1, one), (2, two)):
                d = decomposition(client, stoch, prob, ef.first)
                row[f"decomposition_{workers}w_s"], row[f"rounds_{workers}w"] = d["seconds"], d["rounds"]
                row[f"pass_{workers}w_s"], row[f"master_{workers}w_s"] = d["pass_s"], d["master_s"]
                row[f"subproblems_{workers}w_s"] = d["subproblems_s"]
                row[f"objective_rel_diff_{workers}w"] = abs(d["objective"] - ef.objective) / abs(ef.objective)
            rows.append(row)
            print(row, flush=True)
            (HERE / "results_stochastic.json").write_text(json.dumps(rows, indent=2) + "\n", encoding="utf-8")
            (HERE / "results_stochastic.md").write_text(table(rows), encoding="utf-8")
    print(table(rows))


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [10, 25, 50, 100, 200])
