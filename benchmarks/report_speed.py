"""How long the plan report takes to build, for the default case (issue 15: under 0.5 s).

    python benchmarks/report_speed.py                      # solves inputs/default into a temp folder first
    python benchmarks/report_speed.py --plan outputs/default --baseline /path/to/other/checkout

Each figure is the median of `--repeat` runs of `render_report` (report.html + report.md in memory,
no writing), in a fresh Python process so nothing is cached between runs:

- `cold`: a new process with an empty font cache (the CJK subset is cut from the system font),
- `warm cache`: a new process with the font subset already cached on disk (the usual case),
- `in process`: the same process rendering again (sweeps, the web app).

Imports (pandas, the planner) are timed apart: they are paid once per process by every command.
`--baseline` runs the same measurement on another checkout (e.g. house-base) for the before/after
ratio. Writes its table between markers in benchmarks/results.md (benchmarks/run.py rewrites that
file; rerun this script afterwards).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results.md"
START, END = "<!-- report-speed:start -->", "<!-- report-speed:end -->"

PROBE = """
import json, sys, time
t0 = time.perf_counter()
from planner.results.plan_folder import read_plan_folder
from planner.report.build import render_report
t1 = time.perf_counter()
saved = read_plan_folder(sys.argv[1])
t2 = time.perf_counter()
render_report(saved)
t3 = time.perf_counter()
render_report(saved)
t4 = time.perf_counter()
print(json.dumps({"import": t1 - t0, "read": t2 - t1, "render": t3 - t2, "again": t4 - t3}))
"""


def probe(plan: Path, repo: Path, cache: Path) -> dict[str, float]:
    """One fresh process: import, read the folder, render twice."""
    env = {**os.environ, "PYTHONPATH": str(repo), "XDG_CACHE_HOME": str(cache)}
    out = subprocess.run(
        [sys.executable, "-c", PROBE, str(plan)], env=env, cwd=repo, capture_output=True, text=True, check=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def measure(plan: Path, repo: Path, repeat: int) -> dict[str, float]:
    """Median seconds: import, cold render, render with a warm font cache, render again in process."""
    cold, warm, again, imports = [], [], [], []
    for _ in range(repeat):
        with tempfile.TemporaryDirectory() as cache:
            first = probe(plan, repo, Path(cache))
            second = probe(plan, repo, Path(cache))
        cold.append(first["render"])
        warm.append(second["render"])
        again.append(second["again"])
        imports.append(second["import"])
    return {k: statistics.median(v) for k, v in (("import", imports), ("cold", cold), ("warm", warm), ("again", again))}


def solve_default(folder: Path) -> Path:
    """The default case solved without a report."""
    subprocess.run(
        [
            sys.executable,
            "-m",
            "planner.cli",
            "solve",
            str(ROOT / "inputs" / "default"),
            "--out",
            str(folder),
            "--no-report",
            "--force",
        ],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    return folder


def table(rows: dict[str, dict[str, float]]) -> str:
    """The Markdown section written into results.md."""
    lines = [
        START,
        "## Report build time (default case, `python benchmarks/report_speed.py`)",
        "",
        "Median seconds to render report.html + report.md in memory from a saved plan folder; each run a fresh "
        "process.",
        "cold: empty font cache; warm cache: CJK font subset cached on disk; in process: a second render in the same "
        "process.",
        "",
        "| code | import | cold | warm cache | in process |",
        "|---|--:|--:|--:|--:|",
    ]
    lines += [
        f"| {name} | {r['import']:.2f} | {r['cold']:.2f} | {r['warm']:.2f} | {r['again']:.2f} |"
        for name, r in rows.items()
    ]
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    lines += [
        "",
        f"Measured with a load average of {load:.1f} on {os.cpu_count()} CPUs (a shared machine inflates every "
        "figure).",
    ]
    if len(rows) == 2:
        (_, before), (_, after) = rows.items()
        lines += [
            "",
            f"Speed-up (before / after): cold {before['cold'] / after['cold']:.1f}x, warm cache "
            f"{before['warm'] / after['warm']:.1f}x, in process {before['again'] / after['again']:.1f}x.",
        ]
    return "\n".join([*lines, END, ""])


def record(section: str) -> None:
    """Replace the report-speed section of results.md, or append it."""
    text = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else ""
    if START in text and END in text:
        head, rest = text.split(START, 1)
        text = head + section + rest.split(END, 1)[1].lstrip("\n")
    else:
        text = text.rstrip("\n") + "\n\n" + section
    RESULTS.write_text(text, encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--plan", type=Path, help="a plan folder (default: solve inputs/default into a temp folder)")
    parser.add_argument("--baseline", type=Path, help="another checkout to measure first (before)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-record", action="store_true", help="print only; leave results.md alone")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        plan = args.plan.resolve() if args.plan else solve_default(Path(tmp) / "default")
        rows = {}
        if args.baseline:
            rows[f"before ({args.baseline.name})"] = measure(plan, args.baseline.resolve(), args.repeat)
        rows["after (this checkout)"] = measure(plan, ROOT, args.repeat)
    section = table(rows)
    print(section)
    if not args.no_record:
        record(section)


if __name__ == "__main__":
    main()
