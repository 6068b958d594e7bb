"""HiGHS methods on the default case's hourly model: the solver-only figures of issue 16 target 5.

    python benchmarks/hourly_methods.py save --resolution hours --out /tmp/hours.npz
    python benchmarks/hourly_methods.py save --resolution hours --out /tmp/battery.npz --overlay storage_on.yaml
    python benchmarks/hourly_methods.py solve /tmp/hours.npz --method ipm               # IPX + crossover
    python benchmarks/hourly_methods.py solve /tmp/hours.npz --method hipdlp --vertex   # PDLP, then to a vertex
    python benchmarks/hourly_methods.py solve /tmp/hours.npz --method ipm --bounds      # one-variable rows as bounds
    python benchmarks/hourly_methods.py solve /tmp/hours.npz --presolve-only

`save` builds the model as `planner solve` does (read, validate, slices, build) and keeps the arrays
handed to HiGHS; `solve` passes them to highspy in one process per method, with HiGHS options
`key=value` after `--option`. `--bounds` turns every row with one entry (renewable availability,
grid import, direct green supply) into a bound on its column: the same LP, fewer rows. `--vertex`
runs `planner.solver.highs.to_vertex` after the method, as the engine does after PDLP. Prints one
JSON line: rows, status, objective, iterations, seconds. Run long cases under `nice -n 10`, one at a
time, and note the load (`uptime`) next to the clock figures (benchmarks/results.md).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def save(case: Path, resolution: str, out: Path, overlays: list[Path]) -> None:
    from planner.inputs.overlay import apply_overlay
    from planner.inputs.profiles import profile_slices
    from planner.inputs.read import read_raw, validate
    from planner.inputs.timeseries import Resolution
    from planner.model import build_model
    from planner.model.data import build_data

    raw = read_raw(case)
    for overlay in overlays:
        raw = apply_overlay(raw, overlay)
    inputs = validate(raw)
    data = build_data(inputs, profile_slices(case, inputs, Resolution.parse(resolution)))
    m = build_model(data, inputs.scenario.name).model
    lower, upper, _ = m.bounds()
    row_lower, row_upper = m.row_bounds()
    starts, index, value = m.matrix()
    np.savez(out, lo=lower, up=upper, rlo=row_lower, rhi=row_upper, s=starts, i=index, v=value, c=m.cost())
    print(json.dumps({"rows": m.n_rows, "cols": m.n_cols, "nonzeros": len(value), "families": {
        name: len(block.index) for name, block in m.blocks.items()}}))


def as_bounds(a: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Rows with one positive entry become bounds on their column; the other rows are kept in order."""
    count = np.diff(a["s"])
    single = np.flatnonzero(count == 1)
    col, coef = a["i"][a["s"][single]], a["v"][a["s"][single]]
    single, col, coef = single[coef > 0], col[coef > 0], coef[coef > 0]
    lo, up = a["lo"].copy(), a["up"].copy()
    np.minimum.at(up, col, a["rhi"][single] / coef)
    np.maximum.at(lo, col, a["rlo"][single] / coef)
    keep = np.ones(len(count), dtype=bool)
    keep[single] = False
    rows = np.flatnonzero(keep)
    starts = np.r_[0, np.cumsum(count[rows])]
    entries = np.repeat(a["s"][rows] - starts[:-1], count[rows]) + np.arange(starts[-1])
    return {**a, "lo": lo, "up": up, "rlo": a["rlo"][rows], "rhi": a["rhi"][rows], "s": starts,
            "i": a["i"][entries], "v": a["v"][entries]}


def _value(text: str) -> Any:
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    return text


def solve(path: Path, method: str, bounds: bool, vertex: bool, presolve_only: bool, options: list[str]) -> None:
    import highspy

    from planner.solver.highs import to_vertex

    a = {key: array for key, array in np.load(path).items()}
    if bounds:
        a = as_bounds(a)
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("solver", method)
    for pair in options:
        key, text = pair.split("=", 1)
        h.setOptionValue(key, _value(text))
    inf = highspy.kHighsInf
    n_rows, n_cols = len(a["rlo"]), len(a["c"])
    h.passModel(
        n_cols, n_rows, len(a["v"]), int(highspy.MatrixFormat.kRowwise), int(highspy.ObjSense.kMinimize), 0.0,
        a["c"], np.clip(a["lo"], -inf, inf), np.clip(a["up"], -inf, inf), np.clip(a["rlo"], -inf, inf),
        np.clip(a["rhi"], -inf, inf), a["s"][:-1].astype(np.int32), a["i"].astype(np.int32), a["v"],
        np.zeros(n_cols, dtype=np.int32),
    )
    clock = time.perf_counter()
    out: dict[str, Any] = {"method": method, "bounds": bounds, "rows": n_rows, "options": options}
    if presolve_only:
        h.presolve()
        out |= {"presolve_s": round(time.perf_counter() - clock, 2), "presolved_rows": h.getPresolvedLp().num_row_}
        print(json.dumps(out))
        return
    h.run()
    info = h.getInfo()
    out |= {"method_s": round(time.perf_counter() - clock, 2), "status": h.getModelStatus().name,
            "objective": info.objective_function_value, "ipm_iterations": info.ipm_iteration_count,
            "pdlp_iterations": info.pdlp_iteration_count, "simplex_iterations": info.simplex_iteration_count}
    if vertex:
        to_vertex(h)
        out |= {"vertex_status": h.getModelStatus().name, "vertex_objective": h.getInfo().objective_function_value,
                "clean_up_simplex_iterations": h.getInfo().simplex_iteration_count}
    out["total_s"] = round(time.perf_counter() - clock, 2)
    print(json.dumps(out))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    keep = sub.add_parser("save", help="build the model and save its arrays")
    keep.add_argument("--case", type=Path, default=ROOT / "inputs" / "default")
    keep.add_argument("--resolution", default="hours", help="hours, days:K or year")
    keep.add_argument("--out", type=Path, required=True)
    keep.add_argument("--overlay", type=Path, action="append", default=[], help="scenario overlay YAML, repeatable")
    run = sub.add_parser("solve", help="solve saved arrays with one HiGHS method")
    run.add_argument("arrays", type=Path)
    run.add_argument("--method", default="hipdlp", help="HiGHS `solver` option: simplex, ipm, pdlp, hipdlp, ...")
    run.add_argument("--bounds", action="store_true", help="one-entry rows as column bounds")
    run.add_argument("--vertex", action="store_true", help="crossover and dual simplex clean-up after the method")
    run.add_argument("--presolve-only", action="store_true", help="time HiGHS's presolve alone")
    run.add_argument("--option", action="append", default=[], help="a further HiGHS option, key=value")
    args = parser.parse_args()
    if args.command == "save":
        save(args.case, args.resolution, args.out, args.overlay)
    else:
        solve(args.arrays, args.method, args.bounds, args.vertex, args.presolve_only, args.option)


if __name__ == "__main__":
    main()
