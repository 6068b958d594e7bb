"""The planner's exception tree: every error a user can cause or meet is a PlannerError.

PlannerError
├── InputError          bad planning inputs (files, rows, columns, cross-references)
├── PlanFolderError     a plan folder to report on or verify is missing, incomplete or unreadable
├── UsageError          a bad option value, or an output folder the planner may not write (exit 2)
├── FolderBusyError     another run is writing the same output folder
├── ModelBuildError     the inputs passed validation but the model cannot be built
└── SolveError
    ├── InfeasibleError no plan satisfies the constraints (or the LP is unbounded)
    ├── TimeLimitError  the time limit passed before any feasible plan was found
    └── SolverFailedError the solver is missing or crashed
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One located input problem: which file, row and column, the bad value and what was expected."""

    file: str
    message: str
    row: int | None = None
    column: str | None = None
    value: object = None

    def __str__(self) -> str:
        where = self.file if self.row is None else f"{self.file}:{self.row}"
        column = f" {self.column}:" if self.column else ""
        value = "" if self.value is None else f" {self.value!r} -"
        return f"{where}:{column}{value} {self.message}"


class PlannerError(Exception):
    """Base of every error the planner raises on purpose."""

    exit_code = 1


class InputError(PlannerError):
    """Planning inputs failed validation; carries every problem found, not just the first."""

    exit_code = 2

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        lines = "\n".join(f"  {p}" for p in problems)
        super().__init__(f"{len(problems)} problem(s) in the planning inputs:\n{lines}")


class PlanFolderError(PlannerError):
    """A plan folder (for `planner report` or `verify`) is missing, incomplete or unreadable; lists every problem."""

    exit_code = 2

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        lines = "\n".join(f"  {p}" for p in problems)
        super().__init__(f"cannot read this plan folder; {len(problems)} problem(s):\n{lines}")


class UsageError(PlannerError):
    """A bad option value or output folder: nothing was read, solved or written (exit 2)."""

    exit_code = 2


class FolderBusyError(PlannerError):
    """Another planner run holds the lock of the output folder this run wants to write."""


class ModelBuildError(PlannerError):
    """The model could not be built from otherwise valid inputs."""


class SolveError(PlannerError):
    """The solve did not produce a usable plan."""


class InfeasibleError(SolveError):
    """No plan satisfies the constraints; `families` names the constraint families involved."""

    exit_code = 3

    def __init__(self, message: str, families: tuple[str, ...] = (), report: str = "") -> None:
        self.families = families
        self.report = report
        """The diagnosis (Markdown) when one was made, for the CLI to print."""
        super().__init__(message)


class TimeLimitError(SolveError):
    """The time limit passed before the solver found any feasible plan."""

    exit_code = 4


class SolverFailedError(SolveError):
    """The solver is not installed, or it failed without an answer."""
