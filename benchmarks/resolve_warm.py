"""Warm re-solve against rebuild + solve on the default case, for each Resolver mode.

    python benchmarks/resolve_warm.py [N_SCENARIOS] [--repeat R]

Draws N scenarios that differ in numbers only (carbon price, budget, green floor, demand and power
price scaled; seed fixed), solves them in order with each mode, checks every objective against the
rebuild mode to 1e-6, and prints the mean seconds per scenario of each stage:
model (build_s for a build, update_s for a re-parameterised model), solve, and the whole scenario.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np

from planner.inputs.overlay import apply_patch
from planner.inputs.read import read_raw, validate
from planner.pipeline import config_for
from planner.scenarios.resolve import Resolver

ROOT = Path(__file__).resolve().parent.parent
MODES = ("rebuild", "pulp", "pulp_warm", "highs")


def scenarios(n: int) -> list:
    raw = read_raw(ROOT / "inputs" / "default")
    rng = np.random.default_rng(20260101)
    out = []
    for _ in range(n):
        patch = {
            "set": {
                "policy": {
                    "carbon_price_yuan_per_t": float(rng.uniform(0, 300)),
                    "green_share_min_new": float(rng.uniform(0.6, 1.0)),
                },
                "budget": {"total_yi_yuan": float(rng.uniform(600, 1100))},
            },
            "tables": {
                "demand": [{"match": {}, "scale": {"demand_racks": float(rng.lognormal(0, 0.1))}}],
                "clusters": [{"match": {}, "scale": {"power_price_yuan_per_kwh": float(rng.uniform(0.8, 1.2))}}],
            },
        }
        out.append(validate(apply_patch(raw, patch, "benchmark")))
    return out


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 and sys.argv[1].isdigit() else 20
    repeat = int(sys.argv[sys.argv.index("--repeat") + 1]) if "--repeat" in sys.argv else 1
    cases = scenarios(n)
    config = config_for(cases[0])
    print(
        f"{n} scenarios of the default case x {repeat}; modes interleaved scenario by scenario (fair under a varying "
        "load)"
    )
    print("median seconds per scenario, first scenario of each mode (its build) left out")
    print(
        f"{'mode':10} {'model':>7} {'solve':>7} {'model+solve':>12} {'scenario':>9} {'simplex it.':>11} "
        f"{'max rel dobj':>12}"
    )
    rows: dict[str, list] = {mode: [] for mode in MODES}
    for _ in range(repeat):
        resolvers = {mode: Resolver(config, mode=mode) for mode in MODES}
        for i, inputs in enumerate(cases):
            for mode in MODES:
                clock = time.perf_counter()
                solved = resolvers[mode].solve(inputs)
                if i > 0:
                    rows[mode].append((solved, time.perf_counter() - clock))
    reference = [s.objective for s, _ in rows["rebuild"]]
    for mode in MODES:
        later = rows[mode]
        diff = max(abs(s.objective - b) / max(1.0, abs(b)) for (s, _), b in zip(later, reference, strict=True))
        assert diff < 1e-6, (mode, diff)
        model = np.median([s.timings.get("build_s", s.timings.get("update_s", 0.0)) for s, _ in later])
        solve = np.median([s.timings["solve_s"] for s, _ in later])
        both = np.median(
            [s.timings.get("build_s", s.timings.get("update_s", 0.0)) + s.timings["solve_s"] for s, _ in later]
        )
        total = np.median([t for _, t in later])
        iterations = [s.simplex_iterations for s, _ in later if s.simplex_iterations is not None]
        it = f"{np.median(iterations):.0f}" if iterations else "-"
        print(f"{mode:10} {model:7.3f} {solve:7.3f} {both:12.3f} {total:9.3f} {it:>11} {diff:12.1e}")


if __name__ == "__main__":
    main()
