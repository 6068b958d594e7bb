"""The family tests run on both hand-off paths: HiGHS direct (arrays) and through PuLP."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from planner.pipeline import RunOutcome
from tests.conftest import TinyCase


class PathTinyCase(TinyCase):
    """A TinyCase that solves through a chosen interface."""

    def __init__(self, root: Path, interface: str) -> None:
        super().__init__(root)
        self.interface = interface

    def solve(self, **overrides: Any) -> RunOutcome:
        return super().solve(**{"interface": self.interface, **overrides})


@pytest.fixture(params=["direct", "pulp"])
def tiny(tmp_path: Path, request: pytest.FixtureRequest) -> TinyCase:
    """A fresh editable tiny case, once per hand-off path."""
    return PathTinyCase(tmp_path, request.param)
