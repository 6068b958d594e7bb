"""Refactor guard: solve the default case and every example overlay, compare with golden plan folders.

    python scripts/golden_check.py write GOLDEN_DIR     # solve everything into GOLDEN_DIR/<name>/
    python scripts/golden_check.py check GOLDEN_DIR     # solve again into a temporary folder and compare
    python scripts/golden_check.py compare NEW GOLDEN   # compare two plan folders already written

Every file of a plan folder must be byte-identical except what a run cannot repeat: the manifest's
timings, versions and platform, the solver logs' clock readings and the "Times (s)" line of the reports.
The golden folders live outside git (the default case's data changes under other branches); this is
an engineer's guard for a refactor that must not change what a user sees, not a committed test.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PLANNER = Path(sys.executable).with_name("planner")
_TIMES = re.compile(r"read [0-9.]+, validate [0-9.]+.*?extract_write [0-9.]+")
_CLOCK = re.compile(rb"[0-9.]+s$")
_TIMING = re.compile(rb"time|Timing|P-D integral|^\s+[0-9.]+ \(", re.IGNORECASE)
_MANIFEST_VOLATILE = ("timings_s", "versions", "platform")
PLAN_WRITTEN = (0, 5)
"""Exit codes after which the plan folder is complete: 0, and 5 (solved, some demand left unmet)."""


def cases() -> dict[str, list[str]]:
    """Case name -> extra CLI arguments: the default case and every overlay (not the sweep or stochastic files)."""
    found = {"default": []}
    for overlay in sorted((ROOT / "examples").glob("*.yaml")):
        if not overlay.name.startswith("sweep_") and "\nstochastic:" not in overlay.read_text(encoding="utf-8"):
            found[overlay.stem] = ["--scenario", str(overlay.relative_to(ROOT))]
    return found


def solve_all(into: Path) -> None:
    """Write one plan folder per case under `into` (at the case's own time resolution)."""
    for name, extra in cases().items():
        out = into / name
        # paths relative to the repository, as the golden runs were made: the manifest records them
        cmd = [str(PLANNER), "solve", "inputs/default", *extra, "--out", str(out), "--force"]
        done = subprocess.run(cmd, check=False, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        if done.returncode not in PLAN_WRITTEN:  # a plan with unmet demand (budget_cut) is a plan, and golden
            raise SystemExit(f"{name}: planner solve exited {done.returncode}\n{done.stderr.decode()[-2000:]}")


def _normalised(path: Path) -> bytes:
    data = path.read_bytes()
    if path.name == "manifest.json":
        manifest = json.loads(data)
        for key in _MANIFEST_VOLATILE:
            manifest.pop(key, None)
        return json.dumps(manifest, sort_keys=True).encode()
    if path.suffix == ".log":  # HiGHS logs: clock readings in the MIP table and the timing summary
        lines = [_CLOCK.sub(b"<s>", line) for line in data.splitlines() if not _TIMING.search(line)]
        return b"\n".join(lines)
    if path.suffix in {".md", ".html"}:
        return _TIMES.sub("<times>", data.decode()).encode()
    return data


def compare(new: Path, golden: Path) -> list[str]:
    """Differences between two plan folders, one line each (empty: identical)."""
    problems = []
    new_files = {p.name for p in new.iterdir() if p.is_file()}
    golden_files = {p.name for p in golden.iterdir() if p.is_file()}
    problems += [f"{golden.name}: missing {name}" for name in sorted(golden_files - new_files)]
    problems += [f"{golden.name}: extra {name}" for name in sorted(new_files - golden_files)]
    for name in sorted(new_files & golden_files):
        if _normalised(new / name) != _normalised(golden / name):
            problems.append(f"{golden.name}: {name} differs")
    return problems


def main(argv: list[str]) -> int:
    """Entry point; returns the exit code."""
    command, *paths = argv
    if command == "write":
        solve_all(Path(paths[0]))
        return 0
    if command == "compare":
        problems = compare(Path(paths[0]), Path(paths[1]))
    else:
        golden = Path(paths[0])
        with tempfile.TemporaryDirectory() as tmp:
            solve_all(Path(tmp))
            problems = [p for name in cases() for p in compare(Path(tmp) / name, golden / name)]
    count = 1 if command == "compare" else len(cases())
    print("\n".join(problems) or f"identical: {count} plan folder(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
