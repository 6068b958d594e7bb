"""Shared checks of the hostile corpus: what a user owns is never lost or changed, nothing partial is left.

`snapshot(root)` records every entry under a folder without following symlinks (type, mode and
content hash), so a test compares the whole tree before and after a hostile run. `leftovers(root)`
lists what a failed run must never leave: staging folders, half-written files, swap and lock files.
`run_limited` runs the CLI in a subprocess under an address-space limit and reports its peak memory.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from planner.cli import app

ROOT = Path(__file__).resolve().parents[2]
runner = CliRunner()


def cli(*args: object, env: dict[str, str] | None = None) -> Any:
    """`planner ARGS` in-process; exceptions other than SystemExit surface as a traceback in the output."""
    result = runner.invoke(app, [str(a) for a in args], env=env)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        import traceback

        raise AssertionError("".join(traceback.format_exception(result.exception)))
    return result


def snapshot(root: Path) -> dict[str, tuple[str, int, str]]:
    """Every entry under `root` (symlinks not followed): kind, permission bits, content hash or link target."""
    out: dict[str, tuple[str, int, str]] = {}
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        for name in dirnames + filenames:
            path = Path(dirpath) / name
            info = path.lstat()
            rel = str(path.relative_to(root))
            if stat.S_ISLNK(info.st_mode):
                out[rel] = ("link", 0, os.readlink(path))
            elif stat.S_ISDIR(info.st_mode):
                out[rel] = ("dir", stat.S_IMODE(info.st_mode), "")
            elif stat.S_ISREG(info.st_mode):
                out[rel] = ("file", stat.S_IMODE(info.st_mode), hashlib.sha256(path.read_bytes()).hexdigest())
            else:
                out[rel] = ("special", stat.S_IMODE(info.st_mode), "")
    return out


def leftovers(root: Path) -> list[str]:
    """Staging folders, temporary files, swap folders and lock files anywhere under `root`."""
    found = []
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        for name in dirnames + filenames:
            if ".partial" in name or ".old" in name or name.endswith(".lock"):
                found.append(str(Path(dirpath, name).relative_to(root)))
    return sorted(found)


MEASURE = """
import json, resource, sys
limit = int(sys.argv[1]) * 2**20
resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
from typer.testing import CliRunner
from planner.cli import app
def peak_kb():
    with open("/proc/self/status") as f:
        return next(int(line.split()[1]) for line in f if line.startswith("VmHWM"))
results = []
for args in json.loads(sys.argv[2]):
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")  # resets the resident peak (VmHWM) for this run
    result = CliRunner().invoke(app, args)
    error = "" if result.exception is None or isinstance(result.exception, SystemExit) else repr(result.exception)
    results.append({"code": result.exit_code, "output": result.output + error, "peak_mb": peak_kb() / 1024})
print("RESULTS=" + json.dumps(results))
"""

ADDRESS_SPACE_MB = 2560
"""Address-space limit of the memory subprocess: the interpreter with numpy, pandas and pydantic
maps about 1.5 GB of (mostly unused) address space before reading anything, so the limit sits 1 GB
above that; the resident peak (VmHWM, reset before each run) is what is held under 500 MB."""


def run_limited(runs: list[list[str]], env: dict[str, str] | None = None, timeout: float = 300) -> list[dict[str, Any]]:
    """Each `planner ARGS` of `runs`, in one subprocess under RLIMIT_AS.

    Returns the exit code, output and peak resident MB of each.
    """
    environment = {**os.environ, "OPENBLAS_NUM_THREADS": "1", **(env or {})}
    proc = subprocess.run(
        [sys.executable, "-c", MEASURE, str(ADDRESS_SPACE_MB), json.dumps(runs)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=environment,
        timeout=timeout,
        check=False,
    )
    line = next((line for line in proc.stdout.splitlines() if line.startswith("RESULTS=")), None)
    assert line is not None, proc.stdout[-3000:] + proc.stderr[-3000:]
    results: list[dict[str, Any]] = json.loads(line.removeprefix("RESULTS="))
    return results


def read_json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))
