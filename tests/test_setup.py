"""Set-up that cannot trip: setup.sh's Python check, the system-package script, a stale font cache."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def test_setup_says_in_one_line_what_to_do_without_python_312(tmp_path: Path) -> None:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for tool in ("sh", "cut", "cksum", "grep", "sort", "cat", "rm", "dirname", "head"):
        if found := shutil.which(tool):
            (bin_dir / tool).symlink_to(found)
    old = shutil.which("python3.11") or shutil.which("python3.10")
    if old:
        (bin_dir / "python3").symlink_to(old)
    result = subprocess.run(
        ["sh", str(ROOT / "setup.sh"), "install"],
        env={"PATH": str(bin_dir), "HOME": str(tmp_path)},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "planner needs Python 3.12 or newer" in lines[0]
    assert "pyenv install 3.12" in lines[0]
    assert not (ROOT / ".venv").is_symlink()


def test_setup_rejects_an_unknown_command() -> None:
    result = subprocess.run(
        ["sh", str(ROOT / "setup.sh"), "frobnicate"], capture_output=True, text=True, check=False, env={**os.environ}
    )
    assert result.returncode == 2
    assert "usage: ./setup.sh run" in result.stderr


def test_ci_and_readme_use_the_same_commands() -> None:
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "./setup.sh test" in ci
    assert "./setup.sh test" in readme
    assert "scripts/install-system-deps" in ci
    assert "sudo scripts/install-system-deps" in readme
    assert "chromium fonts-noto-cjk" in (ROOT / "scripts" / "install-system-deps").read_text(encoding="utf-8")
    for script in ("setup.sh", "scripts/install-system-deps", ".ci/run"):
        assert os.access(ROOT / script, os.X_OK), f"{script} is not executable"
        assert subprocess.run(["sh", "-n", str(ROOT / script)], check=False).returncode == 0


def test_cjk_font_is_found_past_a_stale_matplotlib_cache(monkeypatch: pytest.MonkeyPatch) -> None:
    from matplotlib import font_manager

    from planner.report import fonts

    stale = [e for e in font_manager.fontManager.ttflist if "CJK" not in e.name and "Source Han" not in e.name]
    monkeypatch.setattr(
        font_manager.fontManager, "ttflist", stale
    )  # the cache as built before the fonts were installed
    fonts.find_source_font.cache_clear()
    try:
        assert fonts.find_source_font() is not None, "Noto Sans CJK SC is needed: sudo scripts/install-system-deps"
    finally:
        fonts.find_source_font.cache_clear()
