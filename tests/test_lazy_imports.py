"""A HiGHS run loads only what it uses (issue 16): no PuLP, plotting, Dask or diagnosis machinery."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.conftest import TinyCase

ROOT = Path(__file__).resolve().parents[1]
HEAVY = ("pulp", "matplotlib", "dask", "planner.analysis.diagnose", "planner.verify.check", "planner.report")


def test_a_run_without_the_report_imports_no_pulp_plotting_or_dask(tmp_path: Path) -> None:
    case = TinyCase(tmp_path).write()
    code = (
        "import json, sys\n"
        "from planner.pipeline import run\n"
        f"plan = run({str(case)!r}, {str(tmp_path / 'out')!r}, report=False)\n"
        f"print(json.dumps([m for m in {HEAVY!r} if m in sys.modules]))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert json.loads(done.stdout.strip().splitlines()[-1]) == []
    assert (tmp_path / "out" / "plan.json").is_file()


def test_the_pulp_view_and_the_checker_still_load_when_asked() -> None:
    code = (
        "import sys\n"
        "from planner.verify import verify_outputs\n"
        "from planner.model import _lp\n"
        "m = _lp.new_model('m'); m.add_vars('x', __import__('pandas').Index(['a'], name='i'))\n"
        "m.prob\n"
        "print('pulp' in sys.modules, 'planner.verify.check' in sys.modules, callable(verify_outputs))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert done.stdout.split() == ["True", "True", "True"]
