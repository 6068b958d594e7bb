"""Row structure of the battery and hourly-matching families on the two-slice day of test_storage_families.

Hand numbers: each slice stands for w = 4,380 h; one-way efficiency eta = sqrt(0.81) = 0.9; west1's
racks draw 1 kW each at PUE 1, so a krack of new load uses e_new = 8.76 GWh a year.
"""

from __future__ import annotations

import pulp
import pytest

from planner.inputs.read import load_inputs
from planner.model import build_model
from planner.model.data import build_data
from tests.conftest import TinyCase
from tests.model.test_storage_families import day_case


@pytest.fixture
def rows(tmp_path):
    # a pure build: no hand-off path involved, so one run (the package's `tiny` fixture runs twice)
    tiny = TinyCase(tmp_path)
    built = build_model(
        build_data(
            load_inputs(day_case(tiny).set(policy={"green_share_min_new": 0.8, "green_matching": "hourly"}).write())
        )
    )
    m = built.model

    def get(family: str, label: str) -> tuple[int, dict[str, float], float]:
        assert label in m.labels(family)
        con = m.prob.get_constraint_by_name(label)
        return con.sense, {v.name: c for v, c in con.items()}, -con.constant

    return get


def test_green_hourly_rows_cover_the_floor_share_of_each_slice(rows) -> None:
    # g * e_new * w / 8760 = 0.8 * 8.76 * 4380 / 8760 = 3.504 GWh per krack of new load in the slice
    sense, coefs, rhs = rows("green_hourly", "green_hourly__west1__2027__night")
    assert (sense, rhs) == (pulp.LpConstraintGE, 0.0)
    assert coefs == pytest.approx({"renewable__west1__2027__night": 1.0, "charge__west1__2027__night": -1.0,
                                   "discharge__west1__2027__night": 1.0, "new_load__west1__2027": -3.504})


@pytest.mark.parametrize("kind", ["gw", "gwh"])
def test_battery_power_stock_rows_add_builds(rows, kind: str) -> None:
    family = "battery_power_stock" if kind == "gw" else "battery_energy_stock"
    sense, coefs, rhs = rows(family, f"{family}__west1__2027")
    assert (sense, rhs) == (pulp.LpConstraintEQ, 0.0)
    assert coefs == {
        f"battery_{kind}__west1__2027": 1.0,
        f"battery_{kind}__west1__2026": -1.0,
        f"battery_{kind}_new__west1__2027": -1.0,
    }


def test_battery_energy_stock_starts_from_nothing(rows) -> None:
    sense, coefs, rhs = rows("battery_energy_stock", "battery_energy_stock__west1__2026")
    assert (sense, coefs, rhs) == (
        pulp.LpConstraintEQ,
        {"battery_gwh__west1__2026": 1.0, "battery_gwh_new__west1__2026": -1.0},
        0.0,
    )


def test_storage_balance_rows_carry_the_charge_around_the_day(rows) -> None:
    # charge enters at eta / w = 0.9 / 4380, discharge leaves at 1 / (eta * w) = 1 / 3942; noon follows night
    sense, coefs, rhs = rows("storage_balance", "storage_balance__west1__2027__noon")
    assert (sense, rhs) == (pulp.LpConstraintEQ, 0.0)
    assert coefs == pytest.approx({"soc__west1__2027__noon": 1.0, "soc__west1__2027__night": -1.0,
                                   "charge__west1__2027__noon": -0.9 / 4380, "discharge__west1__2027__noon": 1 / 3942})


def test_storage_power_rows_hold_charge_and_discharge_within_the_power(rows) -> None:
    sense, coefs, rhs = rows("storage_power", "storage_power__west1__2027__noon")
    assert (sense, rhs) == (pulp.LpConstraintLE, 0.0)
    assert coefs == {
        "charge__west1__2027__noon": 1.0,
        "discharge__west1__2027__noon": 1.0,
        "battery_gw__west1__2027": -4380.0,
    }


def test_storage_energy_rows_hold_the_charge_within_the_energy(rows) -> None:
    sense, coefs, rhs = rows("storage_energy", "storage_energy__west1__2027__noon")
    assert (sense, coefs, rhs) == (
        pulp.LpConstraintLE,
        {"soc__west1__2027__noon": 1.0, "battery_gwh__west1__2027": -1.0},
        0.0,
    )


def test_storage_charge_green_rows_charge_from_renewables_only(rows) -> None:
    sense, coefs, rhs = rows("storage_charge_green", "storage_charge_green__west1__2027__night")
    assert (sense, coefs, rhs) == (
        pulp.LpConstraintLE,
        {"charge__west1__2027__night": 1.0, "renewable__west1__2027__night": -1.0},
        0.0,
    )
