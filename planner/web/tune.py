"""Live what-ifs: the main scenario settings changed, the case re-solved warm, the headline back.

One `planner.scenarios.resolve.Resolver` is kept per case in the server process (at most
MAX_CASES, least recently used dropped), so a change of numbers re-parameterises the HiGHS model
of the last what-if and starts from its optimum instead of building and solving afresh.
"""

from __future__ import annotations

import copy
import dataclasses
import re
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from planner.config import config_for
from planner.errors import InputError
from planner.inputs.read import RawCase, read_raw, validate
from planner.scenarios.resolve import Resolver
from planner.web import store
from planner.web.cases import LATENCY, apply_settings, split_latency
from planner.web.store import relative

MAX_CASES = 8


@dataclass(frozen=True)
class Setting:
    """One tunable scenario setting."""

    key: str
    label: str
    label_zh: str
    unit: str
    step: float
    nullable: bool = False


SETTINGS = (
    Setting("budget.total_yi_yuan", "Total budget", "总投资预算", "亿元", 10, nullable=True),
    Setting("budget.yearly_yi_yuan", "Yearly budget", "年度投资预算", "亿元/year", 5, nullable=True),
    Setting("policy.green_share_min_new", "Green-power floor for new racks", "新建绿电占比下限", "share 0-1", 0.01),
    Setting(
        "policy.certificate_share_max",
        "Certificate cap (share of green power)",
        "绿证占比上限",
        "share 0-1",
        0.01,
        nullable=True,
    ),
    Setting("policy.carbon_price_yuan_per_t", "Carbon price", "碳价", "yuan/tCO2", 10),
    Setting("policy.utilisation_min", "Utilisation floor (racks in use / installed)", "上架率下限", "share 0-1", 0.01),
    Setting(
        "policy.west_share_min_new_racks",
        "West share of new racks, floor",
        "西部新建机架占比下限",
        "share 0-1",
        0.01,
        nullable=True,
    ),
    Setting(
        "build_module_racks",
        "Modular builds: racks per module (none: any number)",
        "模块化建设:每模块机架数",
        "racks",
        100,
        nullable=True,
    ),
)
KEYS = {s.key: s for s in SETTINGS}
_WORKLOAD_ID = re.compile(r"^[a-z][a-z0-9_]{0,63}$")


def latency_fields(folder: Path) -> list[Setting]:
    """One tune field per workload class of the case: its one-way latency limit (workloads.csv)."""
    columns, rows = store.read_table(folder, "workloads")
    if "workload_id" not in columns:
        return []
    get = {c: columns.index(c) for c in ("workload_id", "name_en", "name_zh") if c in columns}
    fields = []
    for row in rows:
        wid = row[get["workload_id"]]
        en = row[get["name_en"]].split(" (")[0] if "name_en" in get else wid
        zh = row[get["name_zh"]] if "name_zh" in get else wid
        key = f"{LATENCY}{wid}"
        fields.append(Setting(key, f"Latency limit: {en}", f"时延上限:{zh}", "ms one-way", 1, nullable=True))
    return fields


def latency_values(folder: Path) -> dict[str, Any]:
    """Each class's one-way latency limit in ms (half the round trip when given so), None without a limit."""
    columns, rows = store.read_table(folder, "workloads")
    out: dict[str, Any] = {}
    for row in rows:
        cells = dict(zip(columns, row, strict=False))
        one_way, rtt = cells.get("latency_max_one_way_ms", ""), cells.get("latency_max_rtt_ms", "")
        try:
            out[f"{LATENCY}{cells['workload_id']}"] = float(one_way) if one_way else float(rtt) / 2 if rtt else None
        except (KeyError, ValueError):
            continue
    return out


HEADLINE = (
    ("objective_yi_yuan", "Total cost (present value)", "总成本(现值)", "亿元"),
    ("new_racks_east", "New racks, east", "东部新建机架", "racks"),
    ("new_racks_west", "New racks, west", "西部新建机架", "racks"),
    ("green_share", "Green share of energy", "绿电占比", "share"),
    ("emissions_mt_co2", "Emissions", "排放", "Mt CO2"),
    ("unmet_rack_years", "Unmet demand", "未满足需求", "rack-years"),
)


def headline(plan: dict[str, Any] | None) -> dict[str, Any]:
    """The headline numbers of a plan.json-like mapping."""
    plan = plan or {}
    return {key: plan.get(key) for key, *_ in HEADLINE} | {"status": plan.get("status")}


TUNED_FAMILIES = (
    "budget_total",
    "budget_yearly",
    "green_share",
    "certificate_share",
    "utilisation_floor",
    "west_share",
    "carbon_cap",
)
"""Constraint families of the tunable settings: listed first when they bind."""


def binds(duals: Any, most: int = 5) -> list[dict[str, Any]]:  # noqa: ANN401 - a duals DataFrame
    """The constraint families with binding rows (accounting identities left out).

    The tuned ones first, then by rows.
    """
    from planner.report.worth import ACCOUNTING

    rows = duals[duals["binding"] & ~duals["family"].isin(ACCOUNTING)]
    if rows.empty:
        return []
    grouped = (
        rows.assign(size=rows["dual"].abs())
        .groupby("family")
        .agg(rows=("key", "size"), largest=("size", "max"), unit=("unit", "first"))
    )
    grouped["tuned"] = grouped.index.isin(TUNED_FAMILIES)
    grouped = grouped.sort_values(["tuned", "rows", "largest"], ascending=False).head(most)
    return [
        _titled({"family": str(f), "rows": int(r.rows), "largest_dual": float(r.largest), "unit": str(r.unit)})
        for f, r in grouped.iterrows()
    ]


def _titled(bind: dict[str, Any]) -> dict[str, Any]:
    """A binding family with its registry titles (English, Chinese); the code stays as `family`."""
    from planner.model.registry import BY_NAME

    f = BY_NAME.get(bind["family"])
    return bind | {"title": f.title if f else bind["family"], "title_zh": f.title_zh if f else bind["family"]}


def rank_binding(found: dict[str, tuple[int, float, str]], most: int = 5) -> list[dict[str, Any]]:
    """`binds` from `results.quick.binding`'s families (rows, largest shadow price, unit), without a duals frame."""
    from planner.report.worth import ACCOUNTING

    kept = [(f, *v) for f, v in sorted(found.items()) if f not in ACCOUNTING]
    kept.sort(key=lambda r: (r[0] in TUNED_FAMILIES, r[1], r[2]), reverse=True)  # stable, as sort_values
    return [_titled({"family": f, "rows": n, "largest_dual": big, "unit": unit}) for f, n, big, unit in kept[:most]]


def current_settings(scenario: dict[str, Any]) -> dict[str, Any]:
    """The tunable settings' values in a scenario mapping (None where unset)."""
    out: dict[str, Any] = {}
    for s in SETTINGS:
        node: Any = scenario
        for part in s.key.split("."):
            node = node.get(part) if isinstance(node, dict) else None
        out[s.key] = node
    return out


def parse_settings(values: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """Known keys only; '' or None means null for a nullable setting; numbers as numbers."""
    out: dict[str, Any] = {}
    problems: list[str] = []
    for key, value in values.items():
        setting = KEYS.get(key)
        if setting is None and key.startswith(LATENCY) and _WORKLOAD_ID.match(key.removeprefix(LATENCY)):
            setting = Setting(key, key, key, "ms", 1, nullable=True)
        if setting is None:
            problems.append(f"{key}: not a tunable setting (known: {', '.join(KEYS)})")
            continue
        if value is None or (isinstance(value, str) and not value.strip()):
            if setting.nullable:
                out[key] = None
            else:
                problems.append(f"scenario.yaml: {key}: a number is required")
            continue
        try:
            out[key] = float(value)
        except (TypeError, ValueError):
            problems.append(f"scenario.yaml: {key}: {value!r} - expected a number")
    return out, problems


class Tuner:
    """Per-case warm re-solvers, each used by one request at a time."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._cases: OrderedDict[int, tuple[threading.Lock, dict[str, Any]]] = OrderedDict()

    def _slot(self, case_id: int) -> tuple[threading.Lock, dict[str, Any]]:
        with self._lock:
            slot = self._cases.get(case_id)
            if slot is None:
                slot = self._cases[case_id] = (threading.Lock(), {})
            self._cases.move_to_end(case_id)
            while len(self._cases) > MAX_CASES:
                self._cases.popitem(last=False)
            return slot

    def whatif(self, case_id: int, version_id: int, folder: Path, settings: dict[str, Any]) -> dict[str, Any]:
        """Solve the case version with `settings` changed; headline, timings and any problems."""
        clock = time.perf_counter()
        lock, state = self._slot(case_id)
        with lock:
            if state.get("version_id") != version_id:
                state.clear()
                state.update(version_id=version_id, raw=read_raw(folder))
            base: RawCase = state["raw"]
            raw = copy.copy(base)
            raw.scenario = copy.deepcopy(base.scenario)
            settings, latency = split_latency(settings)
            apply_settings(raw.scenario, settings)
            if latency and "workloads" in raw.tables:
                table = raw.tables["workloads"]
                frame = table.frame.copy()
                for wid, value in latency.items():  # as an overlay's `set` would: text cells, None for blank
                    rows = frame["workload_id"] == wid
                    frame.loc[rows, "latency_max_one_way_ms"] = None if value is None else repr(float(value))
                    if "latency_max_rtt_ms" in frame.columns:
                        frame.loc[rows, "latency_max_rtt_ms"] = None
                raw.tables = {**raw.tables, "workloads": dataclasses.replace(table, frame=frame)}
            try:
                inputs = validate(raw, state.setdefault("checked", {}))
            except InputError as err:
                return {
                    "ok": False,
                    "problems": [str(relative(p, folder)) for p in err.problems],
                    "elapsed_s": time.perf_counter() - clock,
                }
            if "resolver" not in state:
                state["resolver"] = Resolver(config_for(inputs, None))
            solved = state["resolver"].solve(inputs, full=False)
        return {
            "ok": True,
            "problems": [],
            "status": str(solved.status),
            "headline": headline(solved.plan) | {"status": str(solved.status)},
            "how": solved.how,
            "binds": rank_binding(solved.binding) if solved.binding is not None else [],
            "elapsed_s": round(time.perf_counter() - clock, 4),
            "timings_s": {k: round(v, 4) for k, v in solved.timings.items()},
        }


def overlay_yaml(
    scenario: dict[str, Any],
    settings: dict[str, Any],
    name: str,
    origin: str,
    note: str = "",
    folder: Path | None = None,
) -> tuple[str, str]:
    """An overlay in the examples/ format setting what differs from `scenario`; (YAML text, its name)."""
    current = current_settings(scenario) | (latency_values(folder) if folder is not None else {})
    changed = {k: v for k, v in settings.items() if current.get(k) != v}
    changed, latency = split_latency(changed)
    stem = re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")[:60]  # a scenario name: ^[a-z][a-z0-9]*(_[a-z0-9]+)*$
    stem = stem if stem[:1].isalpha() else f"whatif_{stem}".rstrip("_")
    nested: dict[str, Any] = {}
    apply_settings(nested, changed)
    what = ", ".join(f"{k} = {v}" for k, v in changed.items()) or "nothing changed"
    body: dict[str, Any] = {
        "base": "inputs/default",
        "name": stem,
        "description": (note or f"What-if from the planner workspace: {what}.")[:500],
        "set": nested,
    }
    if latency:
        what += ", " + ", ".join(f"latency {k} = {v} ms" for k, v in latency.items())
        body["description"] = (note or f"What-if from the planner workspace: {what}.")[:500]
        patches = [{"match": {"workload_id": k}, "set": {"latency_max_one_way_ms": v}} for k, v in latency.items()]
        body["tables"] = {"workloads": patches}
    header = (
        f"# Saved from the planner workspace ({origin}).\n#   planner solve inputs/default --scenario {stem}.yaml\n"
    )
    return header + yaml.safe_dump(body, sort_keys=False, allow_unicode=True), stem
