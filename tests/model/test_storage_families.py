"""Batteries and hourly green matching: a two-slice day solved by hand.

The day has a `noon` and a `night` slice of one hour each, standing for 4,380 hours apiece, in
one storage period. west1 has solar at availability 1 at noon and 0 at night, free to contract;
its 10,000 racks draw 10 MW, i.e. 43.8 GWh in each slice. Batteries: 100 yuan/kW, 1,000 yuan/kWh,
round trip 0.81 (0.9 each way), a one-year life without discounting, so a battery built in 2026 is
paid twice (2026 and 2027), like the racks (10 亿元).
"""

from __future__ import annotations

from tests.conftest import TinyCase, approx

STORAGE = {
    "enabled": True,
    "power_capex_yuan_per_kw": 100.0,
    "energy_capex_yuan_per_kwh": 1000.0,
    "roundtrip_efficiency": 0.81,
    "lifetime_years": 1,
}


def day_case(tiny: TinyCase) -> TinyCase:
    tiny.tables["profiles"] = [
        {
            "cluster_id": c,
            "slice_id": s,
            "weight_hours": 4380,
            "wind_cf": 0.0,
            "solar_cf": 1.0 if (c, s) == ("west1", "noon") else 0.0,
            "hydro_cf": 0.0,
            "period_id": "day",
        }
        for c in ("east1", "west1")
        for s in ("noon", "night")
    ]
    tiny.cluster("west1", solar_mw=100, power_price_yuan_per_kwh=0.0, ppa_price_yuan_per_kwh=0.0)
    return tiny.set(storage=STORAGE)


def battery(outcome, year: int = 2026) -> tuple[float, float]:
    frame = outcome.results.storage.set_index(["cluster", "year"])
    return float(frame.loc[("west1", year), "battery_mw"]), float(frame.loc[("west1", year), "battery_mwh"])


def test_hourly_matching_needs_a_battery_for_the_night(tiny: TinyCase) -> None:
    # night: 10 MW from the battery -> 10 / 0.9 = 11.11 MWh stored; noon: charge 10 / 0.81 = 12.35 MW
    # (the binding power); cost 2 x (12,345.7 kW x 100 + 11,111.1 kWh x 1,000) yuan.
    outcome = day_case(tiny).set(policy={"green_share_min_new": 1.0, "green_matching": "hourly"}).solve()
    power, energy = battery(outcome)
    assert power == approx(10 / 0.81)
    assert energy == approx(10 / 0.9)
    storage_yi = 2 * (10_000 / 0.81 * 100 + 10_000 / 0.9 * 1000) / 1e8
    assert outcome.plan["cost_breakdown_yi_yuan"]["storage"] == approx(storage_yi)
    assert outcome.plan["objective_yi_yuan"] == approx(10 + storage_yi)
    energy_rows = outcome.results.energy.set_index(["cluster", "year", "slice"])
    assert energy_rows.loc[("west1", 2026, "night"), "grid_gwh"] == approx(0.0)
    assert energy_rows.loc[("west1", 2026, "night"), "discharge_gwh"] == approx(43.8)


def test_annual_floor_without_certificates_shifts_noon_solar_into_the_night(tiny: TinyCase) -> None:
    # 80 % of 87.6 GWh = 70.08 GWh green, but only 43.8 GWh can be used at noon directly: the night
    # needs 26.28 GWh (6 MWh an hour) from the battery, charged with 6 / 0.81 = 7.41 MWh an hour at
    # noon (the binding power) and holding 6 / 0.9 = 6.67 MWh. Losses are not green.
    outcome = day_case(tiny).set(policy={"green_share_min_new": 0.8, "certificate_share_max": 0.0}).solve()
    power, energy = battery(outcome)
    assert power == approx(6 / 0.81)
    assert energy == approx(6 / 0.9)
    assert outcome.plan["objective_yi_yuan"] == approx(10 + 2 * (6000 / 0.81 * 100 + 6000 / 0.9 * 1000) / 1e8)


def test_no_battery_without_a_reason(tiny: TinyCase) -> None:
    # cheap certificates meet the annual floor: no battery is built.
    outcome = (
        day_case(tiny)
        .set(policy={"green_share_min_new": 0.8})
        .cluster("west1", certificate_price_yuan_per_mwh=1)
        .solve()
    )
    assert battery(outcome) == (approx(0.0), approx(0.0))


def test_hourly_matching_at_yearly_resolution_is_an_input_error(tiny: TinyCase) -> None:
    import pytest

    from planner.errors import InputError

    tiny.set(policy={"green_share_min_new": 0.8, "green_matching": "hourly"})
    with pytest.raises(InputError, match="hourly green matching needs hourly slices"):
        tiny.solve()
