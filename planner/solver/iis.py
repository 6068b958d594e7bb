"""An irreducible infeasible subsystem (IIS) from HiGHS, mapped back to constraint families and keys.

PuLP has no IIS interface, so the model is written as MPS (row and column names are our
`family__key1__key2` labels), read into HiGHS (`planner.solver.highs.iis_of_file`) and
`getIis()` is asked for a minimal conflicting set of rows and variable bounds (HiGHS >= 1.16;
strategy "from the LP" refined to irreducible). For a mixed-integer model the IIS is that of its
LP relaxation; when the relaxation is feasible the conflict lies in the whole-module decisions.
"""

from __future__ import annotations

import contextlib
import logging
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from planner.model import _lp
from planner.model._lp import Model

logger = logging.getLogger(__name__)



@dataclass(frozen=True)
class IisRow:
    """One row (or variable bound) in the conflict: its family, its key and which side binds."""

    family: str
    key: tuple[str, ...]
    side: str
    is_bound: bool = False

    @property
    def label(self) -> str:
        """The LP label, `family__k1__k2`."""
        return "__".join([self.family, *self.key])


@dataclass(frozen=True)
class Iis:
    """The conflict HiGHS found: rows and variable bounds; `note` says why it may be missing."""

    rows: tuple[IisRow, ...]
    bounds: tuple[IisRow, ...]
    note: str = ""

    @property
    def found(self) -> bool:
        """Whether HiGHS returned a conflict."""
        return bool(self.rows or self.bounds)

    def families(self) -> dict[str, int]:
        """Rows per constraint family, in first-seen order."""
        out: dict[str, int] = {}
        for row in self.rows:
            out[row.family] = out.get(row.family, 0) + 1
        return out


def split_label(label: str) -> tuple[str, tuple[str, ...]]:
    """`utilisation_floor__west1__2026` -> ("utilisation_floor", ("west1", "2026"))."""
    family, *key = label.split("__")
    return family, tuple(key)


def compute_iis(model: Model, workdir: Path) -> Iis:
    """Ask HiGHS for an IIS of the model (of its LP relaxation if it has integers)."""
    try:
        from planner.solver import highs
    except ImportError:
        return Iis((), (), "highspy is not installed, so no IIS (pip install highspy)")
    path = workdir / "iis_model.mps"
    _lp.write_model(model, path, relax_integers=True)
    try:
        with _quiet():
            failure, row_sides, bound_sides = highs.iis_of_file(path)
    finally:
        path.unlink(missing_ok=True)
    if failure:
        return Iis((), (), failure)
    rows = tuple(_entry(label, side) for label, side in row_sides)
    bounds = tuple(_entry(label, side, is_bound=True) for label, side in bound_sides)
    note = "" if rows or bounds else "the LP relaxation is feasible: the conflict lies in building whole modules"
    logger.info("IIS: %d rows, %d bounds", len(rows), len(bounds))
    return Iis(rows, bounds, note)


def _entry(label: str, side: str, is_bound: bool = False) -> IisRow:
    family, key = split_label(label)
    return IisRow(family, key, side, is_bound)


@contextlib.contextmanager
def _quiet() -> Iterator[None]:
    """HiGHS prints its banner on reading a model even when silent; keep it off the terminal."""
    try:
        saved = os.dup(1)
    except OSError:
        yield
        return
    with open(os.devnull, "w") as devnull:
        os.dup2(devnull.fileno(), 1)
        try:
            yield
        finally:
            os.dup2(saved, 1)
            os.close(saved)
