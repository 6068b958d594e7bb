"""Shared fixtures: a tiny case whose optimum can be worked out by hand, and solve helpers.

The tiny case: one demand hub `h1` (east) and a western hub `h2` without demand; clusters `east1`
(hub h1) and `west1` (hub h2); one workload `batch` without a latency limit; years 2026-2027; no
discounting; 1 kW racks drawing their full power (8.76 MWh per rack-year); capex annuity = capex
(lifetime 1 year, rate 0), so a rack built in 2026 costs capex twice (2026 and 2027). All energy,
carbon and network prices are zero unless a test sets them, so costs are easy to add up.
"""

from __future__ import annotations

import copy
import csv
from pathlib import Path
from typing import Any

import pytest
import yaml

from planner.pipeline import RunOutcome, run_case
from planner.verify.check import VerifyReport, verify_outputs

BASE_SCENARIO: dict[str, Any] = {
    "name": "tiny",
    "years": {"first": 2026, "last": 2027},
    "discount_rate": 0.0,
    "rack": {"power_kw": 1.0, "it_load_factor": 1.0, "lifetime_years": 1, "utilisation_max": 1.0},
    "budget": {"total_yi_yuan": None, "yearly_yi_yuan": None},
    "policy": {"utilisation_min": 0.0, "green_share_min_new": 0.0, "carbon_price_yuan_per_t": 0.0},
    "unmet_penalty_yuan_per_rack_year": 200000,
    "solver": {"name": "highs", "time_limit_s": 60, "mip_gap": 1e-9},
}

CLUSTER_DEFAULTS: dict[str, Any] = {
    "lat_deg": 30.0, "lon_deg": 110.0, "racks_existing": 0, "racks_max": "", "build_max_racks_per_year": 1_000_000,
    "power_max_mw": "", "fixed_opex_yuan_per_rack_year": 0, "pue": 1.0, "pue_max": 1.3,
    "power_price_yuan_per_kwh": 0.0, "grid_co2_kg_per_kwh": 0.0, "wind_mw": 0, "solar_mw": 0, "hydro_mw": 0,
    "wind_cf": 0.0, "solar_cf": 0.0, "hydro_cf": 0.0, "ppa_price_yuan_per_kwh": 0.0,
    "certificate_price_yuan_per_mwh": 0, "utilisation_min": "", "green_share_min_new": "",
}


def base_tables() -> dict[str, list[dict[str, Any]]]:
    """The tiny case's tables as lists of row dicts (tests edit them before writing)."""
    return {
        "hubs": [
            {
                "hub_id": "h1",
                "name_zh": "东一",
                "name_en": "East One",
                "region": "east",
                "lat_deg": 31.0,
                "lon_deg": 121.0,
                "new_racks_share_min": "",
            },
            {
                "hub_id": "h2",
                "name_zh": "西二",
                "name_en": "West Two",
                "region": "west",
                "lat_deg": 37.0,
                "lon_deg": 105.0,
                "new_racks_share_min": "",
            },
        ],
        "clusters": [
            {
                "cluster_id": "east1",
                "hub_id": "h1",
                "name_zh": "东集群",
                "name_en": "East cluster",
                **CLUSTER_DEFAULTS,
                "capex_yuan_per_rack": 100000,
            },
            {
                "cluster_id": "west1",
                "hub_id": "h2",
                "name_zh": "西集群",
                "name_en": "West cluster",
                **CLUSTER_DEFAULTS,
                "capex_yuan_per_rack": 50000,
            },
        ],
        "workloads": [
            {
                "workload_id": "batch",
                "name_zh": "批处理",
                "name_en": "Batch",
                "latency_max_rtt_ms": "",
                "gbps_per_rack": 0.0,
            }
        ],
        "demand": [
            {"hub_id": h, "workload_id": "batch", "year": y, "demand_racks": 10000 if h == "h1" else 0}
            for h in ("h1", "h2")
            for y in (2026, 2027)
        ],
        "links": [
            {
                "hub_id": h,
                "cluster_id": c,
                "rtt_ms": rtt,
                "bandwidth_existing_gbps": 1e6,
                "bandwidth_expansion_max_gbps": 0,
                "expansion_capex_yuan_per_gbps": 0,
                "transit_yuan_per_gbps_year": 0,
            }
            for h, c, rtt in (("h1", "east1", 1.0), ("h1", "west1", 20.0), ("h2", "east1", 20.0), ("h2", "west1", 1.0))
        ],
    }


def write_case(folder: Path, scenario: dict[str, Any], tables: dict[str, list[dict[str, Any]]]) -> Path:
    """Write scenario.yaml and the CSV tables into `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "scenario.yaml").write_text(
        yaml.safe_dump(scenario, allow_unicode=True, sort_keys=False), encoding="utf-8"
    )
    for name, rows in tables.items():
        with (folder / f"{name}.csv").open("w", newline="", encoding="utf-8") as f:
            writer = csv.DictWriter(f, fieldnames=list(rows[0]), lineterminator="\n")
            writer.writeheader()
            writer.writerows(rows)
    return folder


def deep_update(base: dict[str, Any], change: dict[str, Any]) -> dict[str, Any]:
    """Nested dict update returning a new dict."""
    out = copy.deepcopy(base)
    for key, value in change.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = deep_update(out[key], value)
        else:
            out[key] = value
    return out


def set_rows(rows: list[dict[str, Any]], match: dict[str, Any], **values: Any) -> None:
    """Set cells of the rows whose cells equal `match`."""
    hit = False
    for row in rows:
        if all(row[k] == v for k, v in match.items()):
            row.update(values)
            hit = True
    assert hit, f"no row matches {match}"


class TinyCase:
    """A tiny case being edited by a test: `.scenario`, `.tables`, then `.solve()`."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.scenario = copy.deepcopy(BASE_SCENARIO)
        self.tables = base_tables()
        self.runs = 0

    def cluster(self, cluster_id: str, **values: Any) -> TinyCase:
        set_rows(self.tables["clusters"], {"cluster_id": cluster_id}, **values)
        return self

    def set(self, **change: Any) -> TinyCase:
        self.scenario = deep_update(self.scenario, change)
        return self

    def write(self) -> Path:
        self.runs += 1
        return write_case(self.root / f"case{self.runs}", self.scenario, self.tables)

    def solve(self, **overrides: Any) -> RunOutcome:
        """Solve, and check the written plan against every constraint (`planner verify`)."""
        folder = self.write()
        outcome = run_case(
            folder, overrides={"output_dir": folder.parent / f"{folder.name}_out", "report": False, **overrides}
        )
        assert_feasible_plan(outcome)
        return outcome


def assert_feasible_plan(outcome_or_dir: RunOutcome | Path | str) -> VerifyReport:
    """Verify a solved plan independently of the model builder; fail listing every violation."""
    out_dir = outcome_or_dir.out_dir if isinstance(outcome_or_dir, RunOutcome) else Path(outcome_or_dir)
    report = verify_outputs(out_dir)
    assert report.ok, report.to_text()
    return report


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """Report how many generated bad inputs ran and how many were rejected cleanly."""
    import sys

    module = sys.modules.get("tests.test_bad_inputs") or sys.modules.get("test_bad_inputs")
    tally = getattr(module, "TALLY", None)
    if tally and tally["generated"]:
        terminalreporter.write_line(
            f"generated bad inputs: {tally['generated']} ran, {tally['rejected_cleanly']} rejected cleanly "
            "(exit 2, located message, no traceback, nothing written)"
        )


@pytest.fixture
def tiny(tmp_path: Path) -> TinyCase:
    """A fresh editable tiny case."""
    return TinyCase(tmp_path)


def approx(value: float, rel: float = 1e-6, abs_: float = 1e-6) -> Any:
    """pytest.approx with the tolerance the tests use for LP optima."""
    return pytest.approx(value, rel=rel, abs=abs_)
