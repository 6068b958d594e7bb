"""Stochastic planning: L-shaped decomposition on 1 and 2 Dask workers vs the extensive form, futures vs seconds.

    .venv/bin/python -m benchmarks.stochastic_scaling [N ...]   # default 10 25 50 100 (and 150 200 with --long)

Futures are drawn as in examples/uncertain_ai_demand_100.yaml (yearly resolution, commitment 2027).
Every ratio is from one run on one machine. Times: `build` (every future's model, in this
process), `extensive` (build + solve the extensive form), `decomposition_<k>w` (perfect-foresight
bounds + L-shaped rounds, futures on k workers of a LocalCluster started beforehand). Results go to
benchmarks/results_stochastic.json and .md.
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import yaml

from planner.scenarios.stochastic.benders import solve_benders
from planner.scenarios.stochastic.extensive import first_bounds, solve_extensive
from planner.scenarios.stochastic.pool import DaskPool, dask_client
from planner.scenarios.stochastic.problem import mean_numbers
from planner.scenarios.stochastic.run import build_problem
from planner.scenarios.stochastic.spec import load_stochastic
from planner.scenarios.stochastic.subproblem import Subproblem

HERE = Path(__file__).parent
EXAMPLE = HERE.parent / "examples" / "uncertain_ai_demand_100.yaml"


def problem(n: int):  # noqa: ANN201
    spec = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    spec["samples"] = n
    spec["base"] = str(HERE.parent / "inputs" / "default")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"bench_{n}.yaml"
        path.write_text(yaml.safe_dump(spec), encoding="utf-8")
        stoch = load_stochastic(path)
    return stoch, build_problem(stoch)


def decomposition(client, prob, risk) -> dict[str, float]:  # noqa: ANN001
    clock = time.perf_counter()
    pool = DaskPool(client, prob.layout, prob.numbers, prob.config)
    z = np.array([e.value for e in pool.run(None)])
    ev = Subproblem(prob.layout, mean_numbers(prob.numbers, prob.p), prob.config).perfect_foresight(-1).x
    out = solve_benders(
        pool,
        len(prob.layout.first),
        first_bounds(prob.layout, prob.numbers),
        prob.layout.integer[prob.layout.first],
        prob.p,
        z,
        risk,
        prob.config,
        start=ev[prob.layout.first],
    )
    seconds = time.perf_counter() - clock
    pool.close()
    return {"seconds": seconds, "objective": out.objective, "rounds": out.rounds, "x": out.first.tolist()}


def main(sizes: list[int]) -> None:
    rows = []
    built = {n: problem(n) for n in sizes}
    for n in sizes:
        stoch, prob = built[n]
        clock = time.perf_counter()
        ef = solve_extensive(prob.layout, prob.numbers, prob.p, stoch.risk, prob.config)
        rows.append(
            {
                "futures": n,
                "build_s": prob.build_s,
                "extensive_s": time.perf_counter() - clock,
                "extensive_objective": ef.objective,
                "extensive_size": list(ef.size),
                "first_stage_columns": len(prob.layout.first),
            }
        )
        print(rows[-1], flush=True)
    for workers in (1, 2):
        with dask_client(None, workers) as client:
            for row in rows:
                stoch, prob = built[row["futures"]]
                d = decomposition(client, prob, stoch.risk)
                row[f"decomposition_{workers}w_s"], row[f"rounds_{workers}w"] = d["seconds"], d["rounds"]
                row[f"objective_rel_diff_{workers}w"] = abs(d["objective"] - row["extensive_objective"]) / abs(
                    row["extensive_objective"]
                )
                print(row["futures"], workers, d["seconds"], d["rounds"], flush=True)
    for row in rows:
        row["speedup_2w_vs_1w"] = row["decomposition_1w_s"] / row["decomposition_2w_s"]
        row["extensive_vs_2w"] = row["extensive_s"] / row["decomposition_2w_s"]
    (HERE / "results_stochastic.json").write_text(json.dumps(rows, indent=2) + "\n", encoding="utf-8")
    lines = [
        "| futures | EF rows x cols | build s | extensive s | decomposition 1 worker s (rounds) | 2 workers s (rounds) | 2w vs 1w | EF / 2w | rel. diff |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r['futures']} | {r['extensive_size'][0]:,} x {r['extensive_size'][1]:,} | {r['build_s']:.1f} | {r['extensive_s']:.2f} | "
            f"{r['decomposition_1w_s']:.2f} ({r['rounds_1w']}) | {r['decomposition_2w_s']:.2f} ({r['rounds_2w']}) | "
            f"{r['speedup_2w_vs_1w']:.2f}x | {r['extensive_vs_2w']:.2f}x | {max(r['objective_rel_diff_1w'], r['objective_rel_diff_2w']):.1e} |"
        )
    (HERE / "results_stochastic.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    args = [a for a in sys.argv[1:] if a != "--long"]
    main([int(a) for a in args] or ([10, 25, 50, 100, 150, 200] if "--long" in sys.argv else [10, 25, 50, 100]))
