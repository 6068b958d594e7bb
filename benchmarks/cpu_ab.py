"""CPU seconds of the interactive paths, for comparing two checkouts on a loaded, shared machine.

    python benchmarks/cpu_ab.py [--src OTHER_CHECKOUT ...] [--rounds 10]

Wall time on a machine shared by several jobs swings tenfold; the CPU time a run takes itself
(`time.process_time`, this process only, HiGHS included) moves far less. Each checkout runs in its
own subprocess (PYTHONPATH first), the checkouts alternating round by round, and the median per
measure is printed as a Markdown table:

- run_year / run_days12: `planner.run(case, out, report=False)` at yearly and the case's own
  resolution (12 representative days), first call (imports, caches) left out, the plan.xlsx writer
  left out (being replaced);
- whatif: the web tune page's work for one changed setting (`planner.web.tune.Tuner.whatif`);
- sweep_scenario: one numbers-only scenario of a sweep (`sweep.solve_scenario`: patch, validate, solve on
  the worker's kept `Resolver`), what each Dask worker does per task; collecting headline KPIs as
  interactive.py's sweep does.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
CASE = ROOT / "inputs" / "default"
MEASURES = ("run_year", "run_days12", "whatif", "sweep_scenario")


def _cpu(fn: Any, n: int) -> list[float]:
    out = []
    for _ in range(n):
        clock = time.process_time()
        fn()
        out.append(time.process_time() - clock)
    return out


def child(measure: str, n: int) -> list[float]:
    """The CPU seconds of `n` repetitions of one measure, after one warm-up call."""
    import numpy as np

    if measure.startswith("run_"):
        import planner.pipeline
        from planner.pipeline import run

        # plan.xlsx's writer is being replaced (issue 16, session 4): left out of the measure in every checkout
        planner.pipeline.write_plan_workbook = lambda *args, **kwargs: None  # type: ignore[assignment]

        resolution = "year" if measure == "run_year" else None
        tmp = tempfile.mkdtemp()
        count = iter(range(10**6))

        def one() -> None:
            run(CASE, Path(tmp) / f"p{next(count)}", report=False, resolution=resolution)

        one()
        return _cpu(one, n)
    if measure == "whatif":
        from planner.web.tune import Tuner

        tuner = Tuner()
        rng = np.random.default_rng(16)
        tuner.whatif(1, 1, CASE, {"budget.total_yi_yuan": 5000.0})

        def whatif() -> None:
            keys = ("budget.total_yi_yuan", "policy.green_share_min_new", "policy.carbon_price_yuan_per_t")
            key = keys[int(rng.integers(3))]
            draws = {"budget.total_yi_yuan": rng.uniform(2000, 6000),
                     "policy.green_share_min_new": rng.uniform(0.6, 1.0),
                     "policy.carbon_price_yuan_per_t": rng.uniform(0, 300)}
            value = draws[key]
            tuner.whatif(1, 1, CASE, {key: float(value)})

        return _cpu(whatif, n)
    from planner.inputs.read import read_raw
    from planner.scenarios.spec import Task
    from planner.scenarios.sweep import solve_scenario

    raw = read_raw(CASE)
    rng = np.random.default_rng(16)
    collect = ["objective_yi_yuan", "green_share", "unmet_rack_years"]  # interactive.py's sweep: headline KPIs
    count = iter(range(10**6))

    def scenario() -> None:
        policy = {"carbon_price_yuan_per_t": float(rng.uniform(0, 300)),
                  "green_share_min_new": float(rng.uniform(0.6, 1.0))}
        patch = {"set": {"policy": policy, "budget": {"total_yi_yuan": float(rng.uniform(2000, 6000))}},
                 "tables": {"demand": [{"match": {}, "scale": {"demand_racks": float(rng.lognormal(0, 0.1))}}]}}
        task = Task(next(count), f"s{next(count)}", {}, patch, "benchmark")
        try:  # a checkout whose workers take the collected KPIs
            row = solve_scenario(task, raw, "bench", collect)  # type: ignore[call-arg]
        except TypeError:
            row = solve_scenario(task, raw, "bench")
        assert row["status"] == "optimal", row

    scenario()
    return _cpu(scenario, n)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--src", nargs="*", default=[], help="other checkouts to compare (folders holding planner/)")
    parser.add_argument("--rounds", type=int, default=3, help="alternations of the checkouts")
    parser.add_argument("--n", type=int, default=4, help="repetitions per measure in each child")
    parser.add_argument("--measures", default=",".join(MEASURES))
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child[0], int(args.child[1]))))
        return
    sources = [*args.src, str(ROOT)]
    samples: dict[tuple[str, str], list[float]] = {}
    for _ in range(args.rounds):
        for measure in args.measures.split(","):
            for src in sources:
                env = os.environ | {"PYTHONPATH": src}
                command = [sys.executable, __file__, "--child", measure, str(args.n)]
                done = subprocess.run(command, capture_output=True, text=True, env=env, cwd=src, check=True)
                samples.setdefault((measure, src), []).extend(json.loads(done.stdout.strip().splitlines()[-1]))
    print("| measure (CPU s, median) | " + " | ".join(sources) + " |")
    print("|---|" + "--:|" * len(sources))
    for measure in args.measures.split(","):
        print(f"| {measure} | " + " | ".join(f"{statistics.median(samples[(measure, s)]):.3f}" for s in sources) + " |")


if __name__ == "__main__":
    main()
