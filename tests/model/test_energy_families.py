"""Power balance, renewables, certificates, green floor and carbon: tiny cases solved by hand.

In these cases west1 is the only sensible site (east1 capex 100k, west1 50k) and serves 10,000
racks, i.e. 87,600 MWh of facility energy a year at PUE 1.
"""

from __future__ import annotations

import pytest

from tests.conftest import TinyCase, approx
from tests.model.test_capacity_families import dual


def energy(outcome, cluster: str, year: int) -> tuple[float, float]:
    frame = outcome.results.energy
    row = frame[(frame["cluster"] == cluster) & (frame["year"] == year)]
    return float(row["grid_gwh"].sum()), float(row["renewable_gwh"].sum())


def test_power_balance_meets_it_load_times_pue(tiny: TinyCase) -> None:
    # 10,000 racks x 1 kW x 8,760 h x PUE 1.2 = 105.12 GWh, all from the grid at 0.3 yuan/kWh.
    outcome = tiny.cluster("west1", pue=1.2, power_price_yuan_per_kwh=0.3).solve()
    grid, renewable = energy(outcome, "west1", 2026)
    assert grid == approx(105.12)
    assert renewable == approx(0)
    assert outcome.plan["objective_yi_yuan"] == approx(10 + 2 * 105_120 * 300 / 1e8)
    assert outcome.plan["average_pue"] == approx(1.2, rel=1e-4)


def test_renewable_availability_limits_cheap_green_power(tiny: TinyCase) -> None:
    # PPA 0.1 < grid 0.3 yuan/kWh; 5 MW wind at CF 0.5 gives 21,900 MWh a year, all bought.
    tiny.cluster("west1", power_price_yuan_per_kwh=0.3, ppa_price_yuan_per_kwh=0.1, wind_mw=5, wind_cf=0.5)
    outcome = tiny.solve()
    grid, renewable = energy(outcome, "west1", 2026)
    assert renewable == approx(21.9)
    assert grid == approx(87.6 - 21.9)
    assert outcome.plan["objective_yi_yuan"] == approx(10 + 2 * (21_900 * 100 + 65_700 * 300) / 1e8)
    # one more MWh of wind saves 0.3 - 0.1 yuan/kWh = 200 yuan/MWh
    assert dual(outcome, "renewable_availability", "west1/2026/year") == approx(-200, rel=1e-6)


def green_case(tiny: TinyCase) -> TinyCase:
    tiny.set(policy={"green_share_min_new": 0.8})
    return tiny.cluster("west1", power_price_yuan_per_kwh=0.3, ppa_price_yuan_per_kwh=0.4, wind_mw=100, wind_cf=0.5,
                        certificate_price_yuan_per_mwh=50)


def test_green_share_is_met_with_the_cheapest_green_power(tiny: TinyCase) -> None:
    # 80 % of 87,600 MWh = 70,080 MWh green; certificates (50 yuan/MWh) beat the PPA premium (100).
    outcome = green_case(tiny).solve()
    certs = outcome.results.certificates.set_index(["cluster", "year"])["certificates_gwh"]
    assert certs[("west1", 2026)] == approx(70.08)
    per_year = 87_600 * 300 + 70_080 * 50
    assert outcome.plan["objective_yi_yuan"] == approx(10 + 2 * per_year / 1e8)
    assert dual(outcome, "green_share", "west1/2026") == approx(50, rel=1e-6)


def test_certificate_share_forces_renewable_purchase(tiny: TinyCase) -> None:
    # certificates at most half of green power: 35,040 MWh each of PPA and certificates.
    outcome = green_case(tiny).set(policy={"certificate_share_max": 0.5}).solve()
    _grid, renewable = energy(outcome, "west1", 2026)
    assert renewable == approx(35.04)
    per_year = 52_560 * 300 + 35_040 * 400 + 35_040 * 50
    assert outcome.plan["objective_yi_yuan"] == approx(10 + 2 * per_year / 1e8)


def test_new_load_counts_only_load_beyond_the_existing_stock(tiny: TinyCase) -> None:
    # 5,000 racks exist at west1: only the 5,000 racks of new load need 80 % green power.
    outcome = green_case(tiny).cluster("west1", racks_existing=5000, power_price_yuan_per_kwh=0.0).solve()
    certs = outcome.results.certificates.set_index(["cluster", "year"])["certificates_gwh"]
    assert certs[("west1", 2027)] == approx(0.8 * 5000 * 8.76 / 1e3)
    assert outcome.plan["objective_yi_yuan"] == approx(5 + 2 * 35_040 * 50 / 1e8)


def test_certificate_cover_limits_certificates_to_grid_energy(tiny: TinyCase) -> None:
    # green floor 100 %, PPA cheaper than grid: all 21,900 MWh of wind bought, certificates cover
    # exactly the grid energy left (65,700 MWh), no more.
    tiny.set(policy={"green_share_min_new": 1.0})
    tiny.cluster("west1", power_price_yuan_per_kwh=0.3, ppa_price_yuan_per_kwh=0.2, wind_mw=5, wind_cf=0.5,
                 certificate_price_yuan_per_mwh=10)
    outcome = tiny.solve()
    grid, renewable = energy(outcome, "west1", 2026)
    certs = outcome.results.certificates.set_index(["cluster", "year"])["certificates_gwh"]
    assert renewable == approx(21.9)
    assert certs[("west1", 2026)] == approx(grid)
    row = outcome.results.duals.query("family == 'certificate_cover' and key == 'west1/2026'")
    assert float(row["slack"].iloc[0]) == approx(0.0)


def test_carbon_cap_buys_renewables(tiny: TinyCase) -> None:
    # grid 0.5 kg/kWh: 43,800 t/yr uncapped; cap 0.03 Mt -> grid <= 60,000 MWh, 27,600 MWh of PPA
    # at a 100 yuan/MWh premium; the cap is worth 100 / 0.5 = 200 yuan per tonne.
    tiny.set(policy={"carbon_cap_mt": 0.03})
    tiny.cluster("west1", power_price_yuan_per_kwh=0.3, ppa_price_yuan_per_kwh=0.4, wind_mw=100, wind_cf=0.5,
                 grid_co2_kg_per_kwh=0.5)
    outcome = tiny.solve()
    grid, _renewable = energy(outcome, "west1", 2026)
    assert grid == approx(60.0)
    assert outcome.plan["emissions_mt_co2"] == approx(0.06)
    assert outcome.plan["objective_yi_yuan"] == approx(10 + 2 * (87_600 * 300 + 27_600 * 100) / 1e8)
    assert dual(outcome, "carbon_cap", "2026") == approx(-200, rel=1e-6)


def test_power_balance_per_time_slice_caps_renewables_at_the_slice_load(tiny: TinyCase) -> None:
    # two slices of 4,380 h: solar only by day. 15 MW of solar could give 65,700 MWh a year, but by
    # day the load is only 43,800 MWh and nothing stores energy, so 43,800 MWh of PPA at 0.1 and
    # 43,800 MWh of grid at 0.3 yuan/kWh: 17.52 M yuan a year.
    tiny.tables["profiles"] = [
        {
            "cluster_id": c,
            "slice_id": s,
            "weight_hours": 4380,
            "wind_cf": 0.0,
            "solar_cf": 1.0 if s == "day" else 0.0,
            "hydro_cf": 0.0,
        }
        for c in ("east1", "west1")
        for s in ("day", "night")
    ]
    tiny.cluster("west1", power_price_yuan_per_kwh=0.3, ppa_price_yuan_per_kwh=0.1, solar_mw=15)
    outcome = tiny.solve()
    frame = outcome.results.energy.set_index(["cluster", "year", "slice"])
    assert frame.loc[("west1", 2026, "day"), "renewable_gwh"] == approx(43.8)
    assert frame.loc[("west1", 2026, "night"), "renewable_gwh"] == approx(0.0)
    assert frame.loc[("west1", 2026, "night"), "grid_gwh"] == approx(43.8)
    assert outcome.plan["objective_yi_yuan"] == approx(10 + 2 * (43_800 * 100 + 43_800 * 300) / 1e8)
    assert outcome.plan["time_resolution"] == "the case's own profiles (2 time slice(s) per year)"


def test_a_class_kind_s_pue_delta_shifts_its_racks_facility_energy(tiny: TinyCase) -> None:
    # h1's 10,000 racks split 6,000 batch (cluster PUE 1.2) and 4,000 liquid-cooled AI (pue_delta -0.1: 1.1).
    # Facility: 6,000 x 8.76 MWh x 1.2 + 4,000 x 8.76 MWh x 1.1 = 63,072 + 38,544 = 101,616 MWh a year.
    ai = {**tiny.tables["workloads"][0], "workload_id": "ai", "name_en": "AI", "name_zh": "智算", "pue_delta": -0.1}
    tiny.tables["workloads"][0]["pue_delta"] = 0.0
    tiny.tables["workloads"].append(ai)
    demand = tiny.tables["demand"]
    for row in list(demand):
        share = 6000 if row["hub_id"] == "h1" else 0
        demand.append({**row, "workload_id": "ai", "demand_racks": 10000 - share if share else 0})
        row["demand_racks"] = share
    tiny.cluster("east1", pue=1.2)
    outcome = tiny.cluster("west1", pue=1.2, power_price_yuan_per_kwh=0.3).solve()  # verify agrees (own formula)
    grid, _renewable = energy(outcome, "west1", 2026)
    assert grid == approx(101.616)
    assert outcome.plan["objective_yi_yuan"] == approx(10 + 2 * 101_616 * 300 / 1e8)


def test_a_pue_delta_that_takes_a_pue_below_one_is_refused(tiny: TinyCase) -> None:
    from planner.errors import InputError

    tiny.tables["workloads"][0]["pue_delta"] = -0.3  # the tiny clusters' PUE is 1.2 at its lowest: 0.9
    tiny.cluster("west1", pue=1.2, pue_max=1.2).cluster("east1", pue=1.2, pue_max=1.2)
    with pytest.raises(InputError) as caught:
        tiny.solve()
    text = str(caught.value)
    assert "workloads.csv:2" in text
    assert "pue_delta" in text
    assert "expected pue_delta >= -0.200" in text
