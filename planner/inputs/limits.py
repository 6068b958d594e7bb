"""Bounded reading: every input file is a regular file of bounded size, inside the case where it must be.

A case's files are read whole into memory, so a file's size bounds the planner's memory; a table
symlinked to /dev/zero, a FIFO or a folder named `demand.csv` is refused before it is opened for
reading, and a file is never echoed when it is refused. Limits are per file; a user with a larger
case raises them with environment variables (documented in docs/inputs.md, generated from `LIMITS`).
"""

from __future__ import annotations

import contextlib
import os
import stat
from dataclasses import dataclass
from pathlib import Path

from planner.errors import Problem


@dataclass(frozen=True)
class Limit:
    """One limit: its environment variable, default, unit and what it bounds."""

    variable: str
    default: int
    unit: str
    what: str

    @property
    def value(self) -> int:
        """The limit in force: the environment variable when it holds a positive whole number, else the default."""
        text = os.environ.get(self.variable, "").strip()
        return int(text) if text.isdigit() and int(text) > 0 else self.default


TABLE_MB = Limit("PLANNER_MAX_TABLE_MB", 20, "MB", "size of each CSV table (hubs.csv, demand.csv, ..., profiles.csv)")
YAML_KB = Limit("PLANNER_MAX_YAML_KB", 256, "KB", "size of each YAML file (scenario.yaml, overlays, sweep files)")
TABLE_CELLS = Limit(
    "PLANNER_MAX_CELLS", 1_000_000, "cells", "cells (rows x columns) of each CSV table; about 250 bytes of memory each"
)
PROBLEMS = Limit(
    "PLANNER_MAX_PROBLEMS", 100, "problems", "problems collected per file before the rest are counted, not listed"
)
PLAN_TABLE_MB = Limit(
    "PLANNER_MAX_PLAN_TABLE_MB",
    200,
    "MB",
    "size of each file of a plan folder read back (verify, compare, report); a full hourly year's energy.csv is ~25 MB",
)
LIMITS = (TABLE_MB, YAML_KB, TABLE_CELLS, PROBLEMS, PLAN_TABLE_MB)


def byte_limit(limit: Limit) -> int:
    """A size limit in bytes."""
    return limit.value * (1_000_000 if limit.unit == "MB" else 1_000)


def read_checked(path: Path, limit: Limit, problems: list[Problem], inside: Path | None = None) -> bytes | None:
    """The bytes of a regular file no larger than `limit`, inside folder `inside` when given; else a problem.

    The file is opened without blocking and checked again on the open descriptor, so a FIFO or a
    device swapped in after the first check is still refused.
    """
    file = str(path)
    if inside is not None and not _within(path, inside):
        problems.append(
            Problem(file, f"is a link leading outside the case folder {inside}; copy the file into the case")
        )
        return None
    try:
        info = os.stat(path)
    except OSError as error:
        problems.append(Problem(file, f"cannot be read: {error.strerror or error}"))
        return None
    if not _regular(info, file, problems):
        return None
    size_limit = byte_limit(limit)
    if info.st_size > size_limit:
        problems.append(
            Problem(
                file,
                f"is {_size(info.st_size)}, above the {limit.value:,} {limit.unit} limit for one file; {_raise(limit)}",
            )
        )
        return None
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError as error:
        problems.append(Problem(file, f"cannot be read: {error.strerror or error}"))
        return None
    with contextlib.closing(os.fdopen(fd, "rb")) as handle:
        if not _regular(os.fstat(handle.fileno()), file, problems):
            return None
        data = handle.read(size_limit + 1)
    if len(data) > size_limit:
        problems.append(
            Problem(file, f"is larger than the {limit.value:,} {limit.unit} limit for one file; {_raise(limit)}")
        )
        return None
    return data


def _raise(limit: Limit) -> str:
    return f"raise it with {limit.variable}=N if the file is right"


def _regular(info: os.stat_result, file: str, problems: list[Problem]) -> bool:
    if stat.S_ISDIR(info.st_mode):
        problems.append(Problem(file, "is a folder; expected a file"))
        return False
    if not stat.S_ISREG(info.st_mode):
        problems.append(Problem(file, "is not a regular file (a device, pipe or socket); expected a file"))
        return False
    return True


def _within(path: Path, folder: Path) -> bool:
    try:
        real, base = path.resolve(), folder.resolve()
    except (OSError, RuntimeError):
        return False
    return real == base or base in real.parents


def _size(n: int) -> str:
    return f"{n / 1e6:,.1f} MB" if n >= 1_000_000 else f"{n / 1e3:,.1f} KB"
