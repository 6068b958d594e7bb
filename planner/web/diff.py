"""What changed between two versions of a case: settings, and table rows matched by their keys."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from planner.inputs.schema import KEYS, TABLES
from planner.web import store

MAX_ROWS_SHOWN = 500


def flatten(node: Any, prefix: str = "") -> dict[str, Any]:  # noqa: ANN401 - YAML data
    """Nested settings as dotted keys (`budget.total_yi_yuan`)."""
    if isinstance(node, dict) and node:
        out: dict[str, Any] = {}
        for key, value in node.items():
            out |= flatten(value, f"{prefix}.{key}" if prefix else str(key))
        return out
    return {prefix: node}


def _rows(folder: Path, name: str) -> tuple[list[str], dict[tuple[str, ...], dict[str, str]]]:
    if not (folder / f"{name}.csv").exists():
        return [], {}
    columns, rows = store.read_table(folder, name)
    keys = [k for k in KEYS[name] if k in columns] or columns[:1]
    out = {}
    for row in rows:
        record = dict(zip(columns, row, strict=False))
        out[tuple(record.get(k, "") for k in keys)] = record
    return keys, out


def diff_versions(a: Path, b: Path) -> dict[str, Any]:
    """Settings changed (key, a, b) and, per table, rows added, removed and cells changed (keyed rows)."""
    sa, sb = flatten(store.read_scenario(a)), flatten(store.read_scenario(b))
    settings = [
        {"key": k, "a": sa.get(k), "b": sb.get(k)} for k in sorted(sa.keys() | sb.keys()) if sa.get(k) != sb.get(k)
    ]
    tables: dict[str, Any] = {}
    for name in TABLES:
        keys, ra = _rows(a, name)
        keys_b, rb = _rows(b, name)
        keys = keys or keys_b
        added = [rb[k] for k in rb if k not in ra]
        removed = [ra[k] for k in ra if k not in rb]
        changed: list[dict[str, Any]] = [
            {"key": dict(zip(keys, k, strict=False)), "column": c, "a": ra[k].get(c), "b": rb[k].get(c)}
            for k in ra.keys() & rb.keys()
            for c in sorted(ra[k].keys() | rb[k].keys())
            if ra[k].get(c) != rb[k].get(c)
        ]
        if added or removed or changed:
            changed.sort(key=lambda d: (tuple(d["key"].values()), d["column"]))
            tables[name] = {
                "added": added[:MAX_ROWS_SHOWN],
                "removed": removed[:MAX_ROWS_SHOWN],
                "changed": changed[:MAX_ROWS_SHOWN],
                "counts": {"added": len(added), "removed": len(removed), "changed": len(changed)},
            }
    return {"settings": settings, "tables": tables}
