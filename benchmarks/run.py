"""Model-size ladder on the default case: the engine against a numpy floor and linopy.

    python benchmarks/run.py --quick          # year .. 12 representative days, a few minutes
    python benchmarks/run.py                  # up to the full year hourly (8760 slices x 5 years)
    python benchmarks/run.py --methods        # also time HiGHS simplex / ipm / pdlp per size

Every size runs each tool in a fresh subprocess, so peak memory (ru_maxrss) is that tool's own:

- engine: `planner.pipeline.run_case` end to end (read, validate, time slices, build, hand-off to
  HiGHS, solve, extract and write), timed per stage by the pipeline itself;
- floor: the engine's constraint matrix as COO triplets (saved by the engine run, loading not
  timed), assembled into CSR with numpy and passed straight to highspy - what any builder of
  this matrix must at least do once the coefficients are known;
- linopy: `benchmarks/linopy_model.py`, the same LP from the same ModelData (equal optimum is
  checked by tests/test_benchmarks.py), built and handed to highspy with `linopy.io.to_highspy`.

Writes `benchmarks/results.json` and the ratio table into `benchmarks/results.md`, between its
markers (the other sections of that file stay). Benchmarks are
not tests: timings depend on the machine; ratios measured in one run are what count.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

CASE = ROOT / "inputs" / "default"
QUICK = ("year", "days:1", "days:4", "days:12")
FULL = (*QUICK, "days:48", "days:120", "hours")
METHODS = ("simplex", "ipm", "pdlp")


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


# ----------------------------------------------------------------------------- one tool, one size


def engine(size: str, time_limit: float, method: str, coo_path: str | None) -> dict[str, Any]:
    import numpy as np

    from planner import pipeline

    built_holder: dict[str, Any] = {}
    original = pipeline.build_model

    def keep(data: Any, name: str = "planner") -> Any:
        built = original(data, name)
        built_holder["built"] = built
        return built

    from planner.solver import highs

    original_handoff = highs.handoff

    def handoff_and_measure(*args: Any, **kwargs: Any) -> Any:
        h = original_handoff(*args, **kwargs)
        built_holder["peak_before_solve_mb"] = _peak_mb()
        return h

    highs.handoff = handoff_and_measure  # type: ignore[assignment]
    pipeline.build_model = keep  # type: ignore[assignment]
    out = Path(tempfile.mkdtemp(prefix="bench-")) / "out"
    clock = time.perf_counter()
    try:
        outcome = pipeline.run_case(
            CASE,
            overrides={"output_dir": out, "time_resolution": size, "time_limit_s": time_limit, "highs_method": method},
        )
    finally:
        pipeline.build_model = original  # type: ignore[assignment]
        highs.handoff = original_handoff  # type: ignore[assignment]
    total = time.perf_counter() - clock
    m = built_holder["built"].model
    if coo_path:
        lower, upper, _ = m.bounds()
        row_lo, row_hi = m.row_bounds()
        blocks = list(m.blocks.values())
        np.savez(
            coo_path,
            row=np.concatenate([b.row for b in blocks]),
            col=np.concatenate([b.col for b in blocks]),
            val=np.concatenate([b.coef for b in blocks]),
            lower=lower,
            upper=upper,
            cost=m.cost(),
            row_lo=row_lo,
            row_hi=row_hi,
            n_rows=m.n_rows,
            n_cols=m.n_cols,
        )
    t = outcome.timings
    size_info = outcome.manifest["model_size"]
    return {
        "status": str(outcome.status),
        "objective": outcome.plan.get("objective_yi_yuan"),
        "rows": size_info["rows"],
        "columns": size_info["columns"],
        "nonzeros": size_info["nonzeros"],
        "read_validate_s": t["read_s"] + t["validate_s"],
        "profiles_s": t.get("profiles_s", 0.0),
        "build_s": t["build_s"],
        "handoff_s": t.get("handoff_s", 0.0),
        "solve_s": t["solve_s"],
        "extract_write_s": t["extract_write_s"],
        "total_s": total,
        "peak_mb": _peak_mb(),
        "peak_before_solve_mb": built_holder.get("peak_before_solve_mb"),
        "method": method,
    }


def floor(coo_path: str) -> dict[str, Any]:
    import highspy
    import numpy as np

    z = np.load(coo_path)
    n_rows, n_cols = int(z["n_rows"]), int(z["n_cols"])
    row, col, val = z["row"], z["col"], z["val"]
    arrays = {k: z[k] for k in ("lower", "upper", "cost", "row_lo", "row_hi")}
    base = _peak_mb()
    clock = time.perf_counter()
    key = row * n_cols + col
    order = np.argsort(key, kind="stable")
    key, v = key[order], val[order]
    first = np.flatnonzero(np.r_[True, key[1:] != key[:-1]])
    v = np.add.reduceat(v, first)
    key = key[first]
    keep = v != 0
    r, c = np.divmod(key[keep], n_cols)
    v = v[keep]
    starts = np.searchsorted(r, np.arange(n_rows)).astype(np.int32)
    build_s = time.perf_counter() - clock
    clock = time.perf_counter()
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    inf = highspy.kHighsInf
    h.passModel(
        n_cols,
        n_rows,
        len(v),
        int(highspy.MatrixFormat.kRowwise),
        int(highspy.ObjSense.kMinimize),
        0.0,
        arrays["cost"],
        np.clip(arrays["lower"], -inf, inf),
        np.clip(arrays["upper"], -inf, inf),
        np.clip(arrays["row_lo"], -inf, inf),
        np.clip(arrays["row_hi"], -inf, inf),
        starts,
        c.astype(np.int32),
        v,
        np.zeros(n_cols, dtype=np.int32),
    )
    handoff_s = time.perf_counter() - clock
    return {
        "build_s": build_s,
        "handoff_s": handoff_s,
        "nonzeros": len(v),
        "peak_mb": _peak_mb(),
        "peak_before_mb": base,
    }


def linopy_ref(size: str, solve: bool) -> dict[str, Any]:
    warnings.filterwarnings("ignore")
    import linopy

    from benchmarks import linopy_model
    from planner.inputs.profiles import profile_slices
    from planner.inputs.timeseries import Resolution
    from planner.model.data import build_data
    from planner.pipeline import load_case

    _, inputs = load_case(CASE)
    profiles = profile_slices(CASE, inputs, Resolution.parse(size))
    clock = time.perf_counter()
    data = build_data(inputs, profiles)
    m = linopy_model.build(data)
    build_s = time.perf_counter() - clock
    clock = time.perf_counter()
    h = linopy.io.to_highspy(m, set_names=False)
    handoff_s = time.perf_counter() - clock
    out: dict[str, Any] = {
        "build_s": build_s,
        "handoff_s": handoff_s,
        "rows": h.getNumRow(),
        "columns": h.getNumCol(),
        "nonzeros": h.getNumNz(),
        "peak_mb": _peak_mb(),
    }
    if solve:
        h.setOptionValue("output_flag", False)
        h.run()
        out["objective"] = h.getInfo().objective_function_value
    return out


def methods(size: str, time_limit: float) -> dict[str, Any]:
    from planner.inputs.profiles import profile_slices
    from planner.inputs.timeseries import Resolution
    from planner.model import build_model
    from planner.model.data import build_data
    from planner.pipeline import load_case
    from planner.solver import highs

    _, inputs = load_case(CASE)
    data = build_data(inputs, profile_slices(CASE, inputs, Resolution.parse(size)))
    out: dict[str, Any] = {}
    for method in METHODS:
        built = build_model(data)
        result = highs.run(built.model, {"solver": method, "time_limit": time_limit})
        out[method] = {
            "status": result.model_status,
            "objective": result.objective,
            "solve_s": result.solve_s,
            "ipm_iterations": result.ipm_iterations,
            "simplex_iterations": result.simplex_iterations,
        }
    return out


# ----------------------------------------------------------------------------- the ladder


def _child(args: list[str], timeout: float) -> dict[str, Any]:
    cmd = [sys.executable, __file__, "--child", *args]
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=False, cwd=ROOT)
    except subprocess.TimeoutExpired:
        return {"error": f"timed out after {timeout:.0f} s"}
    for line in reversed(done.stdout.splitlines()):
        if line.startswith("{"):
            return dict(json.loads(line))
    return {"error": (done.stderr or done.stdout).strip().splitlines()[-1:] or ["no output"]}


def measure(size: str, time_limit: float, method: str, compare_methods: bool) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        coo = str(Path(tmp) / "coo.npz")
        row: dict[str, Any] = {
            "size": size,
            "engine": _child(["engine", size, str(time_limit), method, coo], time_limit * 3 + 600),
        }
        row["floor"] = _child(["floor", coo], 600) if Path(coo).exists() else {"error": "engine run failed"}
    row["linopy"] = _child(["linopy", size, "0"], 1800)
    if compare_methods:
        row["methods"] = _child(["methods", size, str(time_limit)], time_limit * 4 + 600)
    return row


def ratios(row: dict[str, Any]) -> dict[str, float | None]:
    e, f, lp = row["engine"], row["floor"], row["linopy"]

    def div(a: float | None, b: float | None) -> float | None:
        return None if a is None or b is None or b <= 0 else a / b

    overhead = None if "error" in e else e["total_s"] - e["solve_s"]
    return {
        "engine_overhead_s": overhead,
        "overhead_over_solve": div(overhead, e.get("solve_s")),
        "build_over_floor_build": div(e.get("build_s"), f.get("build_s")),
        "build_over_linopy_build": div(e.get("build_s"), lp.get("build_s")),
        "build_handoff_over_linopy": div(
            None if "error" in e else e["build_s"] + e["handoff_s"],
            None if "error" in lp else lp["build_s"] + lp["handoff_s"],
        ),
        "peak_over_linopy_peak": div(e.get("peak_before_solve_mb"), lp.get("peak_mb")),
    }


def representative_days(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Objective error and speed-up of each days:K size against the full year, when both solved."""
    full = next((r for r in rows if r["size"] == "hours" and r["engine"].get("status") == "optimal"), None)
    if full is None:
        return []
    out = []
    for r in rows:
        e = r["engine"]
        if r["size"].startswith("days:") and e.get("status") == "optimal":
            error = (e["objective"] - full["engine"]["objective"]) / full["engine"]["objective"]
            out.append(
                {"size": r["size"], "objective_error": error, "speed_up": full["engine"]["total_s"] / e["total_s"]}
            )
    return out


def _fmt(x: float | None, digits: int = 2) -> str:
    return "-" if x is None else f"{x:.{digits}f}"


def markdown(result: dict[str, Any]) -> str:
    lines = [
        f"# Benchmark ladder ({result['when']}, {result['platform']}, {result['cpus']} CPUs)",
        "",
        "Times in seconds; memory is each tool's peak resident set in its own process (MB).",
        "Overhead = everything the engine does besides the solver's own time.",
        "",
        "| size | rows | columns | non-zeros | read+validate | slices | build | hand-off | solve | extract+write | "
        "overhead/solve | peak MB (to hand-off / with solve) | floor build | floor hand-off | linopy build | linopy "
        "hand-off | linopy peak MB | build/floor | build/linopy | (build+hand-off)/linopy | peak/linopy peak | method "
        "| status |",
        "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|---|---|",
    ]
    for row in result["ladder"]:
        e, f, lp, q = row["engine"], row["floor"], row["linopy"], row["ratios"]
        if "error" in e:
            lines.append(f"| {row['size']} | " + " | ".join(["-"] * 21) + f" | {e['error']} |")
            continue
        lines.append(
            f"| {row['size']} | {e['rows']:,} | {e['columns']:,} | {e['nonzeros']:,} | {_fmt(e['read_validate_s'])} | "
            f"{_fmt(e['profiles_s'])} | {_fmt(e['build_s'])} | {_fmt(e['handoff_s'])} | "
            f"{_fmt(e['solve_s'])} | {_fmt(e['extract_write_s'])} | {_fmt(q['overhead_over_solve'])} | "
            f"{_fmt(e.get('peak_before_solve_mb'), 0)} / {e['peak_mb']:.0f} | {_fmt(f.get('build_s'), 3)} | "
            f"{_fmt(f.get('handoff_s'), 3)} | "
            f"{_fmt(lp.get('build_s'))} | {_fmt(lp.get('handoff_s'))} | {_fmt(lp.get('peak_mb'), 0)} | "
            f"{_fmt(q['build_over_floor_build'], 1)} | {_fmt(q['build_over_linopy_build'])} | "
            f"{_fmt(q['build_handoff_over_linopy'])} | {_fmt(q['peak_over_linopy_peak'])} | {e['method']} | "
            f"{e['status']} |"
        )
    if result["representative_days"]:
        lines += [
            "",
            "Representative days against the full year (default case):",
            "",
            "| size | objective error | speed-up (total time) |",
            "|---|--:|--:|",
        ]
        lines += [
            f"| {r['size']} | {r['objective_error']:+.3%} | {r['speed_up']:.1f}x |"
            for r in result["representative_days"]
        ]
    with_methods = [r for r in result["ladder"] if "methods" in r and "error" not in r["methods"]]
    if with_methods:
        lines += [
            "",
            "HiGHS method per size (solve seconds, status):",
            "",
            "| size | " + " | ".join(METHODS) + " |",
            "|---|" + "--:|" * len(METHODS),
        ]
        for r in with_methods:
            cells = [
                f"{r['methods'][k]['solve_s']:.2f} ({r['methods'][k]['status'].removeprefix('k')})" for k in METHODS
            ]
            lines.append(f"| {r['size']} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help=f"only {', '.join(QUICK)}")
    parser.add_argument("--sizes", nargs="*", help="explicit sizes, e.g. year days:12 hours")
    parser.add_argument(
        "--time-limit", type=float, default=None, help="solver time limit per solve (s); default 300 quick, 3600 full"
    )
    parser.add_argument("--method", default="choose", help="HiGHS method for the engine runs")
    parser.add_argument(
        "--method-for",
        nargs="*",
        default=[],
        help="per-size method, e.g. hours=ipm (default: the engine's `choose`, which is PDLP + crossover at hours)",
    )
    parser.add_argument(
        "--time-limit-for",
        nargs="*",
        default=[],
        help=(
            "per-size solver time limit, e.g. hours=120 (measure build, hand-off and memory without waiting for the "
            "solve)"
        ),
    )
    parser.add_argument("--methods", action="store_true", help="also time simplex, ipm and pdlp at each size")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results.json")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        kind, *rest = args.child
        if kind == "engine":
            result = engine(rest[0], float(rest[1]), rest[2], rest[3])
        elif kind == "floor":
            result = floor(rest[0])
        elif kind == "linopy":
            result = linopy_ref(rest[0], rest[1] == "1")
        else:
            result = methods(rest[0], float(rest[1]))
        print(json.dumps(result))
        return
    sizes = args.sizes or (QUICK if args.quick else FULL)
    time_limit = args.time_limit or (300.0 if args.quick else 3600.0)
    ladder = []
    for size in sizes:
        per_size = dict(item.split("=", 1) for item in args.method_for)
        limits = {k: float(v) for k, v in (item.split("=", 1) for item in args.time_limit_for)}
        row = measure(size, limits.get(size, time_limit), per_size.get(size, args.method), args.methods)
        row["ratios"] = ratios(row)
        ladder.append(row)
        e = row["engine"]
        print(
            f"{size}: {e.get('status', e.get('error'))} total {_fmt(e.get('total_s'))} s, solve "
            f"{_fmt(e.get('solve_s'))} s, overhead/solve {_fmt(row['ratios']['overhead_over_solve'])}",
            flush=True,
        )
    result = {
        "when": time.strftime("%Y-%m-%d %H:%M"),
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "time_limit_s": time_limit,
        "method": args.method,
        "ladder": ladder,
        "representative_days": representative_days(ladder),
    }
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    table = markdown(result)
    write_between_markers(args.out.with_suffix(".md"), table)
    print(table)


LADDER_START, LADDER_END = "<!-- ladder: benchmarks/run.py -->", "<!-- end of ladder -->"


def write_between_markers(path: Path, table: str) -> None:
    """Put the ladder table between its markers in `path`, keeping the sections other benchmarks and notes hold."""
    block = f"{LADDER_START}\n{table.rstrip()}\n{LADDER_END}\n"
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    if LADDER_START in text and LADDER_END in text:
        head, rest = text.split(LADDER_START, 1)
        tail = rest.split(LADDER_END, 1)[1].lstrip("\n")
        text = head + block + ("\n" + tail if tail else "")
    else:
        text = block + ("\n" + text if text else "")
    path.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
