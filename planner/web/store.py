"""The data folder: where case versions and plan folders live, at paths made from database ids.

    <data>/planner.db                  the default SQLite database
    <data>/cases/<case id>/v<number>/  one folder per case version (scenario.yaml + CSV tables)
    <data>/jobs/<job id>/plan/         the plan folder a solve job writes

Nothing a request sends becomes part of a path: only integer ids from the database, table names
checked against the schema's list, and fixed file names.
"""

from __future__ import annotations

import csv
import io
import shutil
import tempfile
from pathlib import Path
from typing import Any

import yaml

import planner
from planner.errors import InputError, PlannerError, Problem
from planner.inputs.overlay import apply_overlay
from planner.inputs.read import SCENARIO_FILE, RawCase, read_raw, read_yaml, validate
from planner.inputs.schema import TABLES, Inputs

REPO = Path(planner.__file__).resolve().parent.parent
DEFAULT_CASE = REPO / "inputs" / "default"
EXAMPLES = REPO / "examples"


class Store:
    """Paths under one data folder, from database ids."""

    def __init__(self, root: Path) -> None:
        self.root = root
        (root / "cases").mkdir(parents=True, exist_ok=True)
        (root / "jobs").mkdir(parents=True, exist_ok=True)

    def version_dir(self, case_id: int, number: int) -> Path:
        """The case folder of one version."""
        return self.root / "cases" / str(int(case_id)) / f"v{int(number)}"

    def job_dir(self, job_id: int) -> Path:
        """Where a job writes (its plan folder and the partial folder while it runs)."""
        return self.root / "jobs" / str(int(job_id))

    def plan_dir(self, job_id: int) -> Path:
        """The plan folder of a job."""
        return self.job_dir(job_id) / "plan"

    def add_version(self, case_id: int, number: int, source: Path) -> Path:
        """Copy a checked case folder into place as version `number` (copied aside, then renamed)."""
        target = self.version_dir(case_id, number)
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".v{number}-", dir=target.parent))
        shutil.copytree(source, tmp, dirs_exist_ok=True)
        tmp.rename(target)
        return target


def examples() -> list[dict[str, str]]:
    """The scenario overlays in examples/ that apply to the default case (sweeps are not overlays).

    Each with its description in English and in Chinese (`description_zh`, else the English).
    """
    out = []
    for path in sorted(EXAMPLES.glob("*.yaml")):
        data, _ = read_yaml(path, [])
        if isinstance(data, dict) and not {"parameters", "sample", "futures", "samples", "stochastic"} & set(data):
            en = str(data.get("description", ""))
            out.append({"name": path.stem, "description": en, "description_zh": str(data.get("description_zh") or en)})
    return out


def stochastic_examples() -> list[dict[str, str]]:
    """The stochastic files in examples/ (`planner solve CASE --stochastic FILE`): names and descriptions."""
    out = []
    for path in sorted(EXAMPLES.glob("*.yaml")):
        data, _ = read_yaml(path, [])
        if isinstance(data, dict) and "stochastic" in data and ("futures" in data or "samples" in data):
            out.append({"name": path.stem, "description": str(data.get("description", ""))})
    return out


def example_path(name: str) -> Path:
    """The overlay file of a listed example; KeyError for any other name."""
    if name not in {e["name"] for e in examples()}:
        raise KeyError(name)
    return EXAMPLES / f"{name}.yaml"


def check_case(folder: Path) -> Inputs:
    """The CLI's reader and validator on a case folder (raises InputError with every problem)."""
    return validate(read_raw(folder))


def case_from_example(name: str | None, dest: Path) -> Inputs:
    """Write the default case, with an example overlay applied if named, into `dest`."""
    shutil.copytree(DEFAULT_CASE, dest, dirs_exist_ok=True)
    if name is None:
        return check_case(dest)
    raw = apply_overlay(read_raw(dest), example_path(name))
    write_raw(raw, dest)
    return check_case(dest)


def write_raw(raw: RawCase, dest: Path) -> None:
    """Write a (patched) raw case's scenario and tables into `dest`."""
    write_scenario(raw.scenario, dest)
    for name, table in raw.tables.items():
        columns = list(table.frame.columns)
        rows = [
            ["" if v is None else str(v) for v in record] for record in table.frame.itertuples(index=False, name=None)
        ]
        write_table(dest, name, columns, rows)


def write_scenario(scenario: dict[str, Any], dest: Path) -> None:
    """scenario.yaml from a mapping (comments of the original are not kept)."""
    text = yaml.safe_dump(scenario, sort_keys=False, allow_unicode=True)
    (dest / SCENARIO_FILE).write_text(text, encoding="utf-8")


def read_scenario(folder: Path) -> dict[str, Any]:
    """A version's scenario settings as a mapping."""
    return read_scenario_file(folder / SCENARIO_FILE)


def read_scenario_file(path: Path) -> dict[str, Any]:
    """A YAML mapping (a scenario or an overlay), read as the CLI reads it."""
    problems: list[Problem] = []
    data, _ = read_yaml(path, problems)
    if data is None:
        raise InputError(problems)
    return data


def table_names(folder: Path) -> list[str]:
    """The tables a case folder holds, in the schema's order."""
    return [name for name in TABLES if (folder / f"{name}.csv").exists()]


def read_table(folder: Path, name: str) -> tuple[list[str], list[list[str]]]:
    """A table's header and rows as text cells, as the file holds them."""
    if name not in TABLES:
        raise KeyError(name)
    text = (folder / f"{name}.csv").read_text(encoding="utf-8-sig")
    records = [r for r in csv.reader(io.StringIO(text, newline="")) if any(c.strip() for c in r)]
    if not records:
        return [], []
    header, rows = records[0], records[1:]
    return header, [r + [""] * (len(header) - len(r)) for r in rows]


def write_table(folder: Path, name: str, columns: list[str], rows: list[list[str]]) -> None:
    """Write a table as CSV; one line per row (cells hold no line breaks)."""
    if name not in TABLES:
        raise KeyError(name)
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    writer.writerows(rows)
    (folder / f"{name}.csv").write_text(buffer.getvalue(), encoding="utf-8")


def relative(problem: Problem, folder: Path) -> Problem:
    """The problem with its file named relative to the case folder, as a user knows it."""
    try:
        file = str(Path(problem.file).resolve().relative_to(folder.resolve()))
    except ValueError:
        file = Path(problem.file).name
    return Problem(file, problem.message, problem.row, problem.column, problem.value)


class UploadError(PlannerError):
    """An upload was refused before any of it was read as a case; lists every reason."""

    exit_code = 2

    def __init__(self, reasons: list[str]) -> None:
        self.reasons = reasons
        super().__init__("; ".join(reasons))
