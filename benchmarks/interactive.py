"""Issue 16 targets 1, 2 and 4 on the default case: interactive solve, live what-if, sweep throughput.

    python benchmarks/interactive.py [--only import,cli,split,run,whatif,sweep] [--sweep-n 200] [--rounds 20]

Prints one JSON line per measurement and a Markdown table at the end. Figures are from one run on
a shared machine: what counts is the order of magnitude and the before/after ratio, not the last ms.

- import: `python -c "import planner.cli"` wall time in a fresh process (median of 5);
- cli: `planner solve inputs/default --no-report` (and with the report) wall time, fresh process, median of 3;
- split: where a CLI-style yearly run's time goes, in a fresh process (median of 3): the import floor
  (numpy, pandas, highspy, pydantic, yaml), the planner's own imports, the first `run()` and a second one,
  wall and CPU (`time.process_time`) each;
- run: `planner.run(case, out, report=False)` in process (second call; the first pays for imports), at
  the case's own resolution and yearly;
- whatif: the web tune page's path (`planner.web.tune.Tuner.whatif`'s work without the web server): one
  setting changed, validated, re-solved on the kept model, headline KPIs back; median over `rounds`;
- sweep: `planner sweep` of `--sweep-n` random scenarios (yearly, numbers only) on 1 and 2 Dask workers,
  scenarios per minute from the first task sent to the last result; every objective checked against a
  cold serial solve of a sample.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
CASE = ROOT / "inputs" / "default"
BIN = Path(sys.executable).parent


def _wall(cmd: list[str], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        clock = time.perf_counter()
        subprocess.run(cmd, check=True, capture_output=True, cwd=ROOT)
        times.append(time.perf_counter() - clock)
    return statistics.median(times)


def measure_import() -> dict[str, Any]:
    return {"import_cli_s": _wall([sys.executable, "-c", "import planner.cli"], 5)}


def measure_cli() -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        out = str(Path(tmp) / "o")
        planner = str(BIN / "planner")
        no_report = _wall([planner, "solve", str(CASE), "--no-report", "-o", out, "-f"], 3)
        report = _wall([planner, "solve", str(CASE), "-o", out, "-f"], 3)
    return {"cli_no_report_s": no_report, "cli_report_s": report}


def measure_run() -> dict[str, Any]:
    from planner.pipeline import run

    out: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for label, resolution in (("own", None), ("year", "year")):
            times = []
            for i in range(4):
                clock = time.perf_counter()
                plan = run(CASE, Path(tmp) / f"{label}{i}", report=False, resolution=resolution)
                times.append(time.perf_counter() - clock)
            out[f"run_{label}_s"] = statistics.median(times[1:])
            out[f"run_{label}_timings"] = {k: round(v, 4) for k, v in plan.timings.items()}
    return out


SPLIT = """
import json, tempfile, time
marks = [(time.perf_counter(), time.process_time())]
import numpy, pandas, highspy, pydantic, yaml
marks.append((time.perf_counter(), time.process_time()))
from planner.pipeline import run
marks.append((time.perf_counter(), time.process_time()))
tmp = tempfile.mkdtemp()
for name in ("first", "second"):
    run({case!r}, tmp + "/" + name, report=False, resolution="year")
    marks.append((time.perf_counter(), time.process_time()))
names = ("floor_imports", "planner_imports", "first_run", "second_run")
print(json.dumps({{n: [b[0] - a[0], b[1] - a[1]] for n, a, b in zip(names, marks, marks[1:])}}))
"""


def measure_split() -> dict[str, Any]:
    runs = []
    for _ in range(3):
        done = subprocess.run([sys.executable, "-c", SPLIT.format(case=str(CASE))], check=True, capture_output=True,
                              text=True, cwd=ROOT)
        runs.append(json.loads(done.stdout.strip().splitlines()[-1]))
    return {f"split_{name}_{kind}_s": statistics.median(r[name][i] for r in runs)
            for name in runs[0] for i, kind in enumerate(("wall", "cpu"))}


def _settings(rounds: int) -> list[dict[str, Any]]:
    import numpy as np

    rng = np.random.default_rng(16)
    keys = ("budget.total_yi_yuan", "policy.green_share_min_new", "policy.carbon_price_yuan_per_t")
    out = []
    for i in range(rounds):
        key = keys[i % len(keys)]
        draws = {"budget.total_yi_yuan": rng.uniform(2000, 6000), "policy.green_share_min_new": rng.uniform(0.6, 1.0),
                 "policy.carbon_price_yuan_per_t": rng.uniform(0, 300)}
        value = draws[key]
        out.append({key: round(float(value), 3)})
    return out


def measure_whatif(rounds: int) -> dict[str, Any]:
    from planner.web.tune import Tuner

    tuner = Tuner()
    first = tuner.whatif(1, 1, CASE, {"policy.carbon_price_yuan_per_t": 90.0})
    times, parts = [], []
    for settings in _settings(rounds):
        answer = tuner.whatif(1, 1, CASE, settings)
        times.append(answer["elapsed_s"])
        parts.append(answer["timings_s"])
    keys = sorted({k for p in parts for k in p})
    return {"whatif_first_s": first["elapsed_s"], "whatif_median_s": statistics.median(times),
            "whatif_max_s": max(times), "whatif_how": answer["how"],
            "whatif_parts_median_s": {k: statistics.median(p.get(k, 0.0) for p in parts) for k in keys}}


SWEEP = """name: bench_{n}
description: {n} random numbers-only scenarios of the default case at yearly resolution.
base: {case}
samples: {n}
seed: 16
parameters:
  budget: {{set: budget.total_yi_yuan, distribution: uniform, low: 2000, high: 6000}}
  green: {{set: policy.green_share_min_new, distribution: uniform, low: 0.6, high: 1.0}}
  carbon: {{set: policy.carbon_price_yuan_per_t, distribution: uniform, low: 0, high: 300}}
  demand: {{scale: demand.demand_racks, distribution: lognormal, mean: 0.0, sigma: 0.1}}
collect: [objective_yi_yuan, green_share, unmet_rack_years]
"""


def measure_sweep(n: int, workers: tuple[int, ...]) -> dict[str, Any]:
    from planner.scenarios.spec import load_sweep
    from planner.scenarios.sweep import run_sweep

    out: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as tmp:
        spec = Path(tmp) / "sweep.yaml"
        spec.write_text(SWEEP.format(n=n, case=CASE))
        tables = {}
        for w in workers:
            result = run_sweep(spec, workers=w, out_dir=Path(tmp) / f"w{w}")
            tables[w] = result.table
            out[f"sweep_{w}w_per_min"] = n / result.running_seconds * 60
            out[f"sweep_{w}w_running_s"] = result.running_seconds
            out[f"sweep_{w}w_statuses"] = result.table["status"].value_counts().to_dict()
        out["sweep_max_rel_diff_cold"] = _cold_check(load_sweep(spec), tables[workers[-1]])
    return out


def _cold_check(sweep: Any, table: Any, sample: int = 20) -> float:
    """Largest relative objective difference of the sweep's rows against cold serial solves."""
    from planner.config import config_for
    from planner.inputs.overlay import apply_patch
    from planner.inputs.read import validate
    from planner.scenarios.resolve import Resolver

    worst = 0.0
    step = max(1, len(sweep.tasks) // sample)
    for task in sweep.tasks[::step]:
        inputs = validate(apply_patch(sweep.raw, task.patch, task.file))
        cold = Resolver(config_for(inputs), mode="rebuild").solve(inputs)
        got = float(table.loc[table["scenario_id"] == task.id, "objective_yi_yuan"].iloc[0])
        if cold.objective is not None:
            worst = max(worst, abs(got - cold.objective) / max(1.0, abs(cold.objective)))
    return worst


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default="import,cli,split,run,whatif,sweep")
    parser.add_argument("--sweep-n", type=int, default=200)
    parser.add_argument("--workers", default="1,2")
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()
    wanted = args.only.split(",")
    result: dict[str, Any] = {}
    for name in wanted:
        if name == "import":
            part = measure_import()
        elif name == "cli":
            part = measure_cli()
        elif name == "split":
            part = measure_split()
        elif name == "run":
            part = measure_run()
        elif name == "whatif":
            part = measure_whatif(args.rounds)
        else:
            part = measure_sweep(args.sweep_n, tuple(int(w) for w in args.workers.split(",")))
        print(json.dumps(part), flush=True)
        result |= part


if __name__ == "__main__":
    main()
