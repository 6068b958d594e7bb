"""The README works as written: its Python snippet runs verbatim, and its two set-up commands work in a
fresh clone where plain `python3` is too old and a stale `.venv` from that Python is in the way."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def fenced(language: str, containing: str) -> str:
    """The first ```language block of the README that contains `containing`, dedented."""
    for block in re.findall(rf"```{language}\n(.*?)```", README, re.DOTALL):
        if containing in block:
            return textwrap.dedent(block)
    raise AssertionError(f"no ```{language} block with {containing!r} in README.md")


def test_readme_python_snippet_runs_verbatim(tmp_path: Path) -> None:
    for name in ("inputs", "examples"):
        (tmp_path / name).symlink_to(ROOT / name)
    script = tmp_path / "snippet.py"
    script.write_text(fenced("python", "from planner import"), encoding="utf-8")
    env = {**os.environ, "MPLBACKEND": "Agg"}
    result = subprocess.run(
        [sys.executable, str(script)], cwd=tmp_path, capture_output=True, text=True, env=env, timeout=600, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "optimal" in result.stdout
    assert (tmp_path / "outputs" / "budget_cut" / "plan.json").exists()
    assert not (tmp_path / "outputs" / "default").exists()  # run(case) without `out` writes nothing


def old_python() -> str | None:
    """A Python older than 3.12 to play the machine's plain `python3` (and to leave a stale .venv)."""
    for name in ("python3.11", "python3.10"):
        path = shutil.which(name)
        if (
            path
            and subprocess.run(
                [path, "-c", "import sys; sys.exit(sys.version_info >= (3, 12))"], check=False
            ).returncode
            == 0
        ):
            return path
    pyenv = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv")) / "versions"
    olds = sorted(pyenv.glob("3.1[01].*/bin/python3")) if pyenv.is_dir() else []
    return str(olds[-1]) if olds else None


@pytest.mark.slow
def test_readme_commands_work_in_a_fresh_clone(tmp_path: Path) -> None:
    """Runs the README's two commands (about 2-3 minutes: two real pip installs into new venvs).

    The second command runs as written with a narrow test selection appended, so the clone's
    suite does not run this test again (and again).
    """
    old = old_python()
    if old is None:
        pytest.skip("no Python older than 3.12 here to stand in for an old python3")
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", str(ROOT), str(clone)], check=True)
    subprocess.run([old, "-m", "venv", str(clone / ".venv")], check=True)  # the stale .venv a newcomer leaves behind
    shim = tmp_path / "bin"
    shim.mkdir()
    (shim / "python3").symlink_to(old)
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH", "PYENV_VERSION")}
    env["PATH"] = f"{shim}{os.pathsep}{env['PATH']}"
    commands = [
        line
        for line in fenced("bash", "./setup.sh run").splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    ]
    assert commands == ["./setup.sh run", "./setup.sh test"]
    run = subprocess.run(
        ["sh", "-c", commands[0]], cwd=clone, env=env, capture_output=True, text=True, timeout=900, check=False
    )
    assert run.returncode == 0, run.stdout + run.stderr[-3000:]
    assert "rebuilding it with Python 3.1" in run.stderr
    assert "plan 'default' - optimal" in run.stdout
    assert (clone / "outputs" / "default" / "plan.json").exists()
    selection = " tests/test_architecture.py tests/test_progress.py"
    test = subprocess.run(
        ["sh", "-c", commands[1] + selection],
        cwd=clone,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert test.returncode == 0, test.stdout + test.stderr[-3000:]
    assert re.search(r"\d+ passed", test.stdout)
