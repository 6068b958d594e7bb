"""Verify checks every constraint family: for each, one corrupted value of a solved plan makes it name that family.

Three tiny cases are solved once each: a yearly one with every policy switched on (budgets,
shares, carbon cap, land and grid limits, green floor, certificate cap, an expandable link), the
same with 5,000-rack modules, and a one-day case with batteries and 24/7 green matching
(tests/model/test_storage_families.py works its optimum out by hand).
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

from planner.model.registry import BY_NAME
from planner.verify.check import verify_outputs
from tests.conftest import TinyCase, set_rows
from tests.model.test_network_policy_families import ai_case
from tests.model.test_storage_families import day_case
from tests.model.test_vintage_and_floor_families import pinned_case


def policy_case(tiny: TinyCase) -> TinyCase:
    """10,000 racks at west1 serve h1 (as in the plain tiny case), with every yearly family in the model."""
    tiny.set(
        budget={"total_yi_yuan": 1000, "yearly_yi_yuan": 100},
        policy={
            "west_share_min_new_racks": 0.5,
            "carbon_cap_mt": 1.0,
            "green_share_min_new": 0.5,
            "certificate_share_max": 0.9,
            "utilisation_min": 0.5,
        },
    )
    tiny.cluster("west1", racks_max=20000, power_max_mw=100, grid_co2_kg_per_kwh=0.5, wind_mw=10, wind_cf=0.5)
    set_rows(tiny.tables["hubs"], {"hub_id": "h2"}, new_racks_share_min=0.5)
    set_rows(tiny.tables["links"], {"hub_id": "h1", "cluster_id": "west1"}, bandwidth_expansion_max_gbps=50)
    tiny.tables["workloads"][0]["gbps_per_rack"] = 0.001
    return tiny


def grid_case(tiny: TinyCase) -> TinyCase:
    """west1 behind a 5 MW import limit with a 12 MW direct green line and a water cap per year (算电协同, water)."""
    for row in tiny.tables["clusters"]:
        row.update(dict.fromkeys(("grid_import_mw", "green_direct_mw", "green_direct_price_yuan_per_kwh"), ""))
        row["wue_l_per_kwh"] = ""
    tiny.cluster("west1", grid_import_mw=5, green_direct_mw=12, green_direct_price_yuan_per_kwh=0.1, wind_cf=0.5,
                 wue_l_per_kwh=1.0)
    tiny.tables["cluster_years"] = [
        {"cluster_id": "west1", "year": y, "power_max_mw": 50, "grid_import_mw": "", "water_max_m3": 1e6}
        for y in (2026, 2027)
    ]
    return tiny


def vintage_case(tiny: TinyCase) -> TinyCase:
    """10,000 racks at west1 at PUE 1.6 that the policy (1.5) wants gone by 2027.

    A 1,000-yuan retrofit pays (hand-worked in tests/model/test_grid_water_families.py): retrofitted in 2026.
    """
    for row in tiny.tables["clusters"]:
        row.update({"pue_existing": "", "retrofit_capex_yuan_per_rack": "", "retire_cost_yuan_per_rack": ""})
    tiny.cluster("west1", racks_existing=10000, pue_existing=1.6, power_price_yuan_per_kwh=0.5,
                 retrofit_capex_yuan_per_rack=1000, retire_cost_yuan_per_rack=1000)
    return tiny.set(policy={"retire_pue_above": 1.5})


CASES: dict[str, Callable[[TinyCase], TinyCase]] = {
    "policy": policy_case,
    "modules": lambda tiny: tiny.set(build_module_racks=5000),
    "pinned": lambda tiny: pinned_case(tiny, 12000),  # 2,000 of 2026's load on new west racks (hand-worked in its test)
    "ai": lambda tiny: ai_case(tiny).set(policy={"intelligent_share_min": 0.995}),
    "opening": lambda tiny: tiny.cluster("east1", open_cost_yuan="").cluster("west1", open_cost_yuan=3e8),
    "outside": lambda tiny: tiny.cluster("east1", capex_yuan_per_rack=50000, in_hubs=False).cluster(
        "west1", capex_yuan_per_rack=100000
    ),
    "storage": lambda tiny: day_case(tiny).set(policy={"green_share_min_new": 1.0, "green_matching": "hourly"}),
    "grid": grid_case,
    "vintage": vintage_case,
}

W26 = {"cluster": "west1", "year": 2026}
LINK26 = {"hub": "h1", "cluster": "west1", "year": 2026}
LOAD26 = {"workload": "batch", "hub": "h1", "cluster": "west1", "year": 2026}
NIGHT26 = {"cluster": "west1", "year": 2026, "slice": "night"}

CORRUPTIONS: dict[str, tuple[str, str, dict[str, object], str, Callable[[float], float]]] = {
    # family: (case, table, row, column, new value from old)
    "demand_met": (
        "policy",
        "unmet",
        {"workload": "batch", "hub": "h1", "year": 2026},
        "unmet_racks",
        lambda x: x + 100,
    ),
    "class_load_balance": ("policy", "utilisation", W26, "load_racks", lambda x: x + 100),
    "rack_stock": ("policy", "racks", {"cluster": "west1", "year": 2027}, "racks", lambda x: x + 500),
    "build_rate": ("policy", "racks_new", W26, "new_racks", lambda x: 2e6),
    "land_limit": ("policy", "racks", W26, "racks", lambda x: 30000),
    "power_limit": ("policy", "racks", W26, "racks", lambda x: 200000),
    "build_modules": ("modules", "racks_new", W26, "new_racks", lambda x: x + 1),
    "site_opening": ("opening", "racks_new", W26, "opened", lambda x: 0.0),
    "capacity": ("policy", "load", LOAD26, "load_racks", lambda x: 20000),
    "utilisation_floor": ("policy", "load", LOAD26, "load_racks", lambda x: 0.0),
    "base_year_load": ("pinned", "racks", W26, "load_new_racks", lambda x: 0.0),
    "incumbent_load": (
        "pinned",
        "load",
        {"workload": "batch", "hub": "h1", "cluster": "east1", "year": 2027},
        "load_racks",
        lambda x: 0.0,
    ),
    "power_balance": ("policy", "energy", {**W26, "slice": "year"}, "grid_gwh", lambda x: x + 5),
    "renewable_availability": ("policy", "energy", {**W26, "slice": "year"}, "renewable_gwh", lambda x: 1e6),
    "certificate_cover": ("policy", "certificates", W26, "certificates_gwh", lambda x: 1e6),
    "new_load": ("policy", "racks", W26, "load_new_racks", lambda x: 0.0),
    "new_load_cap": ("pinned", "racks", W26, "load_new_racks", lambda x: 5000.0),
    "green_share": ("policy", "energy", {**W26, "slice": "year"}, "renewable_gwh", lambda x: 0.0),
    "certificate_share": ("policy", "certificates", W26, "certificates_gwh", lambda x: 1e6),
    "green_hourly": ("storage", "energy", NIGHT26, "discharge_gwh", lambda x: 0.0),
    "battery_power_stock": ("storage", "storage", {"cluster": "west1", "year": 2027}, "battery_mw", lambda x: x + 1),
    "battery_energy_stock": ("storage", "storage", {"cluster": "west1", "year": 2027}, "battery_mwh", lambda x: x + 1),
    "storage_balance": ("storage", "energy", NIGHT26, "discharge_gwh", lambda x: x + 5),
    "storage_power": ("storage", "storage", W26, "battery_mw", lambda x: 1.0),
    "storage_energy": ("storage", "storage", W26, "battery_mwh", lambda x: 1.0),
    "storage_charge_green": ("storage", "energy", NIGHT26, "charge_gwh", lambda x: 5.0),
    "link_bandwidth": ("policy", "load", LOAD26, "load_racks", lambda x: 2e9),
    "link_expansion_limit": ("policy", "bandwidth", LINK26, "bandwidth_new_gbps", lambda x: 1e9),
    "budget_yearly": ("policy", "racks_new", W26, "new_racks", lambda x: 3e6),
    "budget_total": ("policy", "racks_new", W26, "new_racks", lambda x: 3e6),
    "west_share": ("policy", "racks_new", {"cluster": "east1", "year": 2026}, "new_racks", lambda x: 1e6),
    "hub_share": ("policy", "racks_new", {"cluster": "east1", "year": 2026}, "new_racks", lambda x: 1e6),
    "intelligent_share": (
        "ai",
        "load",
        {"workload": "batch", "hub": "h1", "cluster": "west1", "year": 2027},
        "load_racks",
        lambda x: x + 3000,
    ),
    "national_hubs_share": ("outside", "racks_new", {"cluster": "east1", "year": 2026}, "new_racks", lambda x: 1e6),
    "carbon_cap": ("policy", "energy", {**W26, "slice": "year"}, "grid_gwh", lambda x: 1e5),
    "grid_import": ("grid", "energy", {**W26, "slice": "year"}, "grid_gwh", lambda x: x + 10),
    "green_direct_availability": ("grid", "energy", {**W26, "slice": "year"}, "green_direct_gwh", lambda x: 1e3),
    "water_cap": ("grid", "load", LOAD26, "load_racks", lambda x: 1e6),
    "vintage_stock": ("vintage", "vintage", W26, "retrofit_racks", lambda x: x + 5000),
    "retire_deadline": ("vintage", "vintage", W26, "retrofit_racks", lambda x: x - 10000),
    "retrofit_load": ("vintage", "vintage", W26, "retrofit_load_racks", lambda x: x + 5000),
}


@pytest.fixture(scope="module")
def solved(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Each case solved once (TinyCase.solve also checks that verify passes on the untouched plan)."""
    return {name: make(TinyCase(tmp_path_factory.mktemp(name))).solve().out_dir for name, make in CASES.items()}


def corrupt(folder: Path, table: str, match: dict[str, object], column: str, change: Callable[[float], float]) -> None:
    path = folder / f"{table}.csv"
    frame = pd.read_csv(path, dtype={"cluster": str, "hub": str, "workload": str, "slice": str})
    mask = pd.Series(True, index=frame.index)
    for key, wanted in match.items():
        mask &= frame[key] == wanted
    assert mask.sum() == 1, f"{table}.csv: {match} matches {mask.sum()} rows"
    old = float(frame.loc[mask, column].iloc[0])
    frame.loc[mask, column] = change(old)
    frame.to_csv(path, index=False, float_format="%.6f", lineterminator="\n")


def test_every_family_has_a_corruption_test() -> None:
    assert set(CORRUPTIONS) == set(BY_NAME)


@pytest.mark.parametrize("family", list(CORRUPTIONS))
def test_verify_names_the_family_of_a_corrupted_value(family: str, solved: dict[str, Path], tmp_path: Path) -> None:
    case, table, match, column, change = CORRUPTIONS[family]
    folder = tmp_path / "plan"
    shutil.copytree(solved[case], folder)
    corrupt(folder, table, match, column, change)
    report = verify_outputs(folder)
    named = {v.check for v in report.violations}
    assert BY_NAME[family].verify in named, f"{family}: verify named {sorted(named)}"
