"""Generate `docs/inputs.md` from the input schema, so the reference cannot drift from the code.

Regenerate with: python -m planner.inputs.docs > docs/inputs.md   (a test compares the two)
"""

from __future__ import annotations

import sys
import types
import typing
from typing import Any

from pydantic import BaseModel
from pydantic.fields import FieldInfo

from planner.inputs.schema import KEYS, OPTIONAL_TABLES, TABLES, Scenario

HEADER = """# Input reference

A case is a folder holding `scenario.yaml` and one CSV file per table below (UTF-8, comma
separated, a header line naming the columns). Units are part of the column names and listed here.
A blank cell means "not set" for optional columns. Ids match `^[a-z][a-z0-9]*(_[a-z0-9]+)*$`.
Scenario overlays (`--scenario FILE`) change settings and rows; see `planner/inputs/overlay.py`.

This file is generated from `planner/inputs/schema.py` by `python -m planner.inputs.docs`; do not edit it
by hand.
"""


def _type_name(annotation: object) -> str:
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _type_name(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        names = [_type_name(a) for a in typing.get_args(annotation) if a is not type(None)]
        optional = type(None) in typing.get_args(annotation)
        return " or ".join(names) + (" (optional)" if optional else "")
    if origin is typing.Literal:
        return " / ".join(f"`{a}`" for a in typing.get_args(annotation))
    if origin is tuple:
        return f"list of {_type_name(typing.get_args(annotation)[0])}"
    if origin is dict:
        key, value = typing.get_args(annotation)
        return f"mapping {_type_name(key)} -> {_type_name(value)}"
    if isinstance(annotation, type):
        return {"str": "text", "float": "number", "int": "integer", "bool": "true/false"}.get(
            annotation.__name__, annotation.__name__
        )
    return str(annotation)


def _metadata(info: FieldInfo) -> list[Any]:
    """Constraint metadata of a field, including that inside `Annotated` union members."""
    found = list(info.metadata)
    for arg in typing.get_args(info.annotation):
        if typing.get_origin(arg) is typing.Annotated:
            found += list(arg.__metadata__)
    return [m for meta in found for m in (getattr(meta, "metadata", None) or [meta])]


def _bounds(info: FieldInfo) -> str:
    parts = []
    for meta in _metadata(info):
        for attr, symbol in (("ge", ">="), ("gt", ">"), ("le", "<="), ("lt", "<")):
            value = getattr(meta, attr, None)
            if value is not None:
                parts.append(f"{symbol} {value:g}" if isinstance(value, float | int) else f"{symbol} {value}")
        pattern = getattr(meta, "pattern", None)
        if pattern:
            parts.append("id")
    return ", ".join(parts)


def _unit(info: FieldInfo) -> str:
    extra = info.json_schema_extra
    return str(extra.get("unit", "")) if isinstance(extra, dict) else ""


def _rows(model: type[BaseModel], prefix: str = "") -> list[str]:
    lines = []
    for name, info in model.model_fields.items():
        annotation = info.annotation
        nested = annotation if isinstance(annotation, type) and issubclass(annotation, BaseModel) else None
        if nested is not None:
            lines += _rows(nested, f"{prefix}{name}.")
            continue
        required = (
            "yes" if info.is_required() else f"no (default {info.default!r})" if info.default is not None else "no"
        )
        description = (info.description or "").replace("\n", " ")
        lines.append(
            f"| `{prefix}{name}` | {_type_name(annotation)} | {_unit(info)} | {_bounds(info)} | {required} | "
            f"{description} |"
        )
    return lines


READING = """## Reading rules and limits

Every file of a case must be a regular file inside the case folder: a symbolic link leading
outside it, a folder, a device or a pipe where a file is expected is an error (exit 2), and such a
file's content is never printed. YAML files (scenario.yaml, overlays, sweep files) are read with
YAML 1.2 rules: only `true`/`false` are booleans (`yes`, `no`, `on`, `off` are text, so they are
errors in a number or share field), `010` is ten; a key repeated in one mapping, anchors and
aliases (`&a`, `*a`), merge keys (`<<:`) and nesting deeper than {depth} levels are errors with
file:line. `true`/`false` where a number is expected is an error, not 1 or 0.

Each file is bounded so that a wrong or hostile file cannot exhaust memory (peak memory stays
under 500 MB for any file up to 50 MB). Raise a limit by setting its environment variable to a
whole number, for example `PLANNER_MAX_TABLE_MB=200 planner solve big_case`:

| environment variable | default | limits |
|---|---|---|
{rows}
"""


def _reading() -> str:
    from planner.inputs.limits import LIMITS
    from planner.inputs.safe_yaml import MAX_DEPTH

    rows = "\n".join(f"| `{limit.variable}` | {limit.default:,} {limit.unit} | {limit.what} |" for limit in LIMITS)
    return READING.format(depth=MAX_DEPTH, rows=rows)


def render() -> str:
    """The whole input reference as Markdown."""
    out = [HEADER, _reading(), "## scenario.yaml", "", (Scenario.__doc__ or "").strip(), ""]
    out += [
        "| setting | type | unit | bounds | required | meaning |",
        "|---|---|---|---|---|---|",
        *_rows(Scenario),
        "",
    ]
    for name, model in TABLES.items():
        optional = " (optional)" if name in OPTIONAL_TABLES else ""
        out += [
            f"## {name}.csv{optional}",
            "",
            (model.__doc__ or "").strip(),
            f"One row per ({', '.join(KEYS[name])}).",
            "",
        ]
        out += [
            "| column | type | unit | bounds | required | meaning |",
            "|---|---|---|---|---|---|",
            *_rows(model),
            "",
        ]
    return "\n".join(out)


if __name__ == "__main__":
    sys.stdout.write(render())
