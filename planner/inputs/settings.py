"""`--set KEY=VALUE`: scenario settings from the command line, read and checked as an overlay file would be.

`planner solve CASE --set budget.total_yi_yuan=700 --set policy.green_share_min_new=0.9` changes
those settings after any `--scenario` overlays. KEY is a dotted path into scenario.yaml and VALUE a
YAML 1.2 scalar or flow collection (`700`, `0.9`, `true`, `[a, b]`), so a value means what it means
in the file. The settings become an overlay written to a temporary file (its bytes enter the plan's
inputs hash); problems found in it are located at the option: `--set budget.total_yi_yuan=lots:
budget.total_yi_yuan: 'lots' - Input should be a valid number`, exit 2.
"""

from __future__ import annotations

import contextlib
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml

from planner.errors import InputError, Problem, UsageError
from planner.inputs import safe_yaml

OPTION = "--set"
_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z0-9_]+)*$")


def parse_settings(pairs: list[str] | tuple[str, ...]) -> dict[str, Any]:
    """Nested settings from `KEY=VALUE` pairs; UsageError (exit 2) for a malformed pair, naming it."""
    settings: dict[str, Any] = {}
    bad: list[str] = []
    for pair in pairs:
        key, sep, text = pair.partition("=")
        key = key.strip()
        if not sep or not _KEY.match(key):
            example = f"{OPTION} budget.total_yi_yuan=700"
            bad.append(f"{OPTION} {pair!r}: expected KEY=VALUE with a dotted setting name, e.g. {example}")
            continue
        try:
            value, _ = safe_yaml.load(text) if text.strip() else (None, None)
        except (yaml.YAMLError, ValueError, RecursionError) as err:
            bad.append(f"{OPTION} {pair!r}: the value is not a YAML value ({type(err).__name__})")
            continue
        node = settings
        *parents, leaf = key.split(".")
        for part in parents:
            child = node.setdefault(part, {})
            if not isinstance(child, dict):
                bad.append(f"{OPTION} {pair!r}: '{part}' was already set to a value")
                break
            node = child
        else:
            node[leaf] = value
    if bad:
        raise UsageError("; ".join(bad))
    return settings


def _relocate(problem: Problem, file: str, pairs: list[str] | tuple[str, ...]) -> Problem:
    if problem.file != file:
        return problem
    key = problem.column or ""
    pair = next((p for p in pairs if p.partition("=")[0].strip() == key), None)
    pair = pair or next((p for p in pairs if key and p.partition("=")[0].strip().startswith(key + ".")), None)
    where = f"{OPTION} {pair}" if pair else f"{OPTION} " + " ".join(pairs)
    return Problem(where, problem.message, None, problem.column, problem.value)


@contextlib.contextmanager
def settings_overlay(pairs: list[str] | tuple[str, ...] | None) -> Iterator[list[Path]]:
    """The `--set` pairs as a list of overlay files ([] when none); problems in them are relocated to the option."""
    if not pairs:
        yield []
        return
    settings = parse_settings(pairs)
    with tempfile.TemporaryDirectory(prefix="planner-set-") as tmp:
        path = Path(tmp) / "set.yaml"
        path.write_text(yaml.safe_dump({"set": settings}, sort_keys=False, allow_unicode=True), encoding="utf-8")
        try:
            yield [path]
        except InputError as err:
            raise InputError([_relocate(p, str(path), pairs) for p in err.problems]) from None
