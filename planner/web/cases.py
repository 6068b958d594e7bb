"""Case operations behind the pages and the API: create, upload, edit a table, save settings.

Every change is checked in a scratch copy of the case with the CLI's reader and validator
(`planner.inputs.read`) and becomes a new version only when the whole case validates, so every
stored version can be solved. Problems come back located: a table's problem at its row and column.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from planner.errors import InputError, Problem
from planner.inputs.schema import TABLES
from planner.web import store
from planner.web.models import Case, Version
from planner.web.store import Store, relative
from planner.web.uploads import unpack_zip

MAX_ROWS = 20_000
MAX_COLUMNS = 60
MAX_CELL = 500


@dataclass
class Checked:
    """A checked change: the new version if it validated, else the problems, located."""

    version: Version | None = None
    cells: list[dict[str, Any]] = field(default_factory=list)
    """Problems at a cell of the edited table: row (0-based, as sent), column, message."""
    other: list[str] = field(default_factory=list)
    """Problems elsewhere (another table, the scenario, a whole column)."""

    @property
    def ok(self) -> bool:
        """True when the change validated."""
        return not self.cells and not self.other


@contextmanager
def scratch() -> Iterator[Path]:
    """A temporary case folder, removed afterwards."""
    folder = Path(tempfile.mkdtemp(prefix="planner-web-"))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def current(case: Case) -> Version:
    """The newest version of a case."""
    return case.versions[-1]


def _commit_version(session: Session, st: Store, case: Case, folder: Path, note: str) -> Version:
    number = (session.scalar(select(func.max(Version.number)).where(Version.case_id == case.id)) or 0) + 1
    st.add_version(case.id, number, folder)
    version = Version(case_id=case.id, number=number, note=note[:500])
    session.add(version)
    session.commit()
    session.refresh(case)
    return version


def _problems(err: InputError, folder: Path) -> list[str]:
    return [str(relative(p, folder)) for p in err.problems]


def create_case(session: Session, st: Store, name: str, example: str | None) -> Case:
    """A new case from the default case, with one of examples/ applied if named."""
    with scratch() as folder:
        store.case_from_example(example, folder)
        case = Case(name=name or example or "default", owner_id=session.info.get("user_id"))
        session.add(case)
        session.flush()
        _commit_version(
            session, st, case, folder, f"from the default case{f' + examples/{example}.yaml' if example else ''}"
        )
    return case


def upload_case(session: Session, st: Store, name: str, data: bytes, kind: str) -> tuple[Case | None, list[str]]:
    """A new case from an uploaded .zip (or .xlsx); (None, problems) when it does not validate."""
    with scratch() as folder:
        if kind == "xlsx":
            from planner.web.excel import read_workbook

            read_workbook(data, folder)
        else:
            unpack_zip(data, folder)
        try:
            inputs = store.check_case(folder)
        except InputError as err:
            return None, _problems(err, folder)
        case = Case(name=name or inputs.scenario.name, owner_id=session.info.get("user_id"))
        session.add(case)
        session.flush()
        _commit_version(session, st, case, folder, f"uploaded ({kind})")
    return case, []


def check_table(
    session: Session, st: Store, case: Case, name: str, columns: list[str], rows: list[list[str]], save: bool
) -> Checked:
    """Validate a table as edited in the grid; with `save`, store it as a new version if it validates."""
    if name not in TABLES:
        raise KeyError(name)
    if len(rows) > MAX_ROWS or len(columns) > MAX_COLUMNS:
        return Checked(other=[f"{name}.csv: at most {MAX_ROWS} rows and {MAX_COLUMNS} columns"])
    columns = [_cell(c) for c in columns]
    kept = [
        (i, [_cell(c) for c in row[: len(columns)]] + [""] * (len(columns) - len(row))) for i, row in enumerate(rows)
    ]
    kept = [(i, row) for i, row in kept if any(row)]  # a blank row is a deleted row, as in the CLI's reader
    version = current(case)
    with scratch() as folder:
        shutil.copytree(st.version_dir(case.id, version.number), folder, dirs_exist_ok=True)
        store.write_table(folder, name, columns, [row for _, row in kept])
        try:
            store.check_case(folder)
        except InputError as err:
            return _locate(err.problems, folder, name, [i for i, _ in kept])
        if not save:
            return Checked()
        return Checked(version=_commit_version(session, st, case, folder, f"edited {name}.csv"))


def _cell(value: object) -> str:
    """A cell as one line of text (line breaks would move every later row's line number)."""
    text = "" if value is None else str(value)
    return " ".join(text.split("\n")).replace("\r", " ")[:MAX_CELL]


def _locate(problems: list[Problem], folder: Path, name: str, positions: list[int]) -> Checked:
    """Problems of the edited table at (row as sent, column); the others as text."""
    out = Checked()
    for problem in problems:
        shown = relative(problem, folder)
        line = problem.row
        if (
            shown.file == f"{name}.csv"
            and line is not None
            and line >= 2
            and line - 2 < len(positions)
            and problem.column
        ):
            out.cells.append({"row": positions[line - 2], "column": problem.column, "message": str(shown)})
        else:
            out.other.append(str(shown))
    return out


def save_settings(session: Session, st: Store, case: Case, settings: dict[str, Any], note: str) -> Checked:
    """Store tuned settings as a new version (scenario.yaml rewritten), if the case still validates."""
    version = current(case)
    with scratch() as folder:
        shutil.copytree(st.version_dir(case.id, version.number), folder, dirs_exist_ok=True)
        scenario = store.read_scenario(folder)
        settings, latency = split_latency(settings)
        apply_settings(scenario, settings)
        store.write_scenario(scenario, folder)
        if latency:
            columns, rows = store.read_table(folder, "workloads")
            store.write_table(folder, "workloads", columns, patch_latency(columns, rows, latency))
        try:
            store.check_case(folder)
        except InputError as err:
            return Checked(other=_problems(err, folder))
        return Checked(version=_commit_version(session, st, case, folder, note or "tuned settings"))


LATENCY = "latency."
"""Tune keys `latency.<workload_id>`: a class's one-way latency limit (ms) in workloads.csv, not a scenario setting."""


def split_latency(settings: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """(scenario settings, {workload_id: one-way latency limit in ms or None})."""
    latency = {k.removeprefix(LATENCY): v for k, v in settings.items() if k.startswith(LATENCY)}
    return {k: v for k, v in settings.items() if not k.startswith(LATENCY)}, latency


def patch_latency(columns: list[str], rows: list[list[str]], latency: dict[str, Any]) -> list[list[str]]:
    """workloads.csv rows with these classes' one-way limits set (the round-trip column cleared: one limit)."""
    if not latency:
        return rows
    wid, one_way = columns.index("workload_id"), columns.index("latency_max_one_way_ms")
    rtt = columns.index("latency_max_rtt_ms") if "latency_max_rtt_ms" in columns else None
    out = []
    for row in rows:
        row = list(row)
        if row[wid] in latency:
            value = latency[row[wid]]
            row[one_way] = "" if value is None else repr(float(value))
            if rtt is not None:
                row[rtt] = ""
        out.append(row)
    return out


def apply_settings(scenario: dict[str, Any], settings: dict[str, Any]) -> None:
    """Set dotted keys (`budget.total_yi_yuan`) in a scenario mapping, in place."""
    for key, value in settings.items():
        node = scenario
        *parents, leaf = key.split(".")
        for part in parents:
            child = node.get(part)
            if not isinstance(child, dict):
                child = node[part] = {}
            node = child
        node[leaf] = value
