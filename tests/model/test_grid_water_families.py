"""算电协同 and water: grid limits per year, import limit, direct green supply, T&D fees, TOU prices, water caps.

Tiny cases solved by hand (see conftest): 1 kW racks at full draw use 8,760 kWh a year; west1 racks
cost 50k yuan, east1 racks 100k yuan, per year of the horizon (lifetime 1 year, no discounting).
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from tests.conftest import TinyCase, approx, set_rows

LIMIT_COLUMNS = {"power_max_mw": "", "grid_import_mw": "", "water_max_m3": ""}


NEW_CLUSTER_COLUMNS = (
    "grid_import_mw",
    "td_fee_yuan_per_kwh",
    "green_direct_mw",
    "green_direct_price_yuan_per_kwh",
    "green_direct_co2_kg_per_kwh",
    "cooling_type",
    "wue_l_per_kwh",
)


def one_year(tiny: TinyCase) -> TinyCase:
    for row in tiny.tables["clusters"]:  # the new columns, blank, so a test may set them on one cluster
        for column in NEW_CLUSTER_COLUMNS:
            row.setdefault(column, "")
    tiny.tables["demand"] = [r for r in tiny.tables["demand"] if r["year"] == 2026]
    return tiny.set(years={"first": 2026, "last": 2026})


def limits(tiny: TinyCase, rows: list[dict[str, Any]]) -> TinyCase:
    tiny.tables["cluster_years"] = [{**LIMIT_COLUMNS, **r} for r in rows]
    return tiny


def new_racks(outcome: Any, cluster: str, year: int) -> float:
    frame = outcome.results.racks_new
    return float(frame.loc[(frame["cluster"] == cluster) & (frame["year"] == year), "new_racks"].sum())


def dual(outcome: Any, family: str, key: str) -> float:
    frame = outcome.results.duals
    return float(frame.loc[(frame["family"] == family) & (frame["key"] == key), "dual"].iloc[0])


def test_power_limit_per_year_from_cluster_years(tiny: TinyCase) -> None:
    # 2026: 5 MW at west1 -> 5,000 west + 5,000 east racks (both paid for two years: 5 + 10 亿);
    # 2027: no limit, demand 20,000 -> 10,000 more west racks for one year (5 亿). Total 20 亿.
    # A 5 MW limit in every year would put the 10,000 at east1 (10 亿): 25 亿.
    set_rows(tiny.tables["demand"], {"hub_id": "h1", "year": 2027}, demand_racks=20000)
    for row in tiny.tables["clusters"]:
        row.update(dict.fromkeys(NEW_CLUSTER_COLUMNS, ""))
    outcome = limits(tiny, [{"cluster_id": "west1", "year": 2026, "power_max_mw": 5}]).solve()
    assert outcome.plan["objective_yi_yuan"] == approx(20.0)
    assert new_racks(outcome, "west1", 2027) == approx(10000)
    summary = pd.read_csv(outcome.out_dir / "energy_summary.csv").set_index(["cluster", "year"])
    assert summary.loc[("west1", 2026), "facility_mw"] == approx(5.0)


def test_grid_import_limits_grid_power_per_slice(tiny: TinyCase) -> None:
    # west1 may import 5 MW on average: 5,000 racks west (2.5 亿), 5,000 east (5 亿) = 7.5 亿.
    # One more MWh of import moves 1000/8760 racks west: -50,000 x 1000/8760 = -5,707.76 元/MWh.
    outcome = one_year(tiny).cluster("west1", grid_import_mw=5).solve()
    assert outcome.plan["objective_yi_yuan"] == approx(7.5)
    assert new_racks(outcome, "west1", 2026) == approx(5000)
    assert dual(outcome, "grid_import", "west1/2026/year") == approx(-50000 * 1000 / 8760, rel=1e-5)
    summary = pd.read_csv(outcome.out_dir / "energy_summary.csv").set_index(["cluster", "year"])
    assert summary.loc[("west1", 2026), "grid_peak_mw"] == approx(5.0)


def test_green_direct_availability_supplies_past_the_import_limit_and_counts_as_green(tiny: TinyCase) -> None:
    # Import 5 MW (43.8 GWh, free) + a 12 MW direct line at 0.5 availability (52.56 GWh, 0.1 yuan/kWh):
    # all 10,000 racks (87.6 GWh) at west1 with 43.8 GWh direct, which also meets a 50 % green floor.
    # Cost 5 亿 capex + 43.8e6 kWh x 0.1 yuan = 5.0438 亿.
    tiny.set(policy={"green_share_min_new": 0.5})
    one_year(tiny).cluster(
        "west1",
        grid_import_mw=5,
        green_direct_mw=12,
        green_direct_price_yuan_per_kwh=0.1,
        wind_cf=0.5,
        solar_cf=0.5,
        hydro_cf=0.5,
    )
    outcome = tiny.solve()
    assert outcome.plan["objective_yi_yuan"] == approx(5.0438)
    energy = outcome.results.energy.set_index(["cluster", "year", "slice"])
    assert energy.loc[("west1", 2026, "year"), "green_direct_gwh"] == approx(43.8)
    assert outcome.plan["cost_breakdown_yi_yuan"]["renewables"] == approx(0.0438)


def test_green_direct_availability_binds_with_its_shadow_price(tiny: TinyCase) -> None:
    # A 4 MW line at 0.5 availability (17.52 GWh) and 5 MW import (43.8 GWh): 61.32 GWh -> 7,000 racks west.
    # One more GWh of direct supply moves 114.16 racks west, each saving 50,000 yuan less its 876 yuan of
    # direct energy: -(50,000 - 876) / 8.76 MWh = -5,607.76 元/MWh.
    one_year(tiny).cluster(
        "west1",
        grid_import_mw=5,
        green_direct_mw=4,
        green_direct_price_yuan_per_kwh=0.1,
        wind_cf=0.5,
        solar_cf=0.5,
        hydro_cf=0.5,
    )
    outcome = tiny.solve()
    assert new_racks(outcome, "west1", 2026) == approx(7000)
    per_rack_gwh = 8760 / 1e6
    expected = -(50000 - 8760 * 0.1) / per_rack_gwh / 1e3
    assert dual(outcome, "green_direct_availability", "west1/2026/year") == approx(expected, rel=1e-5)


def test_td_fee_adds_to_the_grid_price(tiny: TinyCase) -> None:
    # west1: 0.1 yuan/kWh energy + 0.2 T&D: 10,000 x (50,000 + 8,760 x 0.3) = 5.2628 亿, electricity 0.2628 亿.
    outcome = one_year(tiny).cluster("west1", power_price_yuan_per_kwh=0.1, td_fee_yuan_per_kwh=0.2).solve()
    assert outcome.plan["objective_yi_yuan"] == approx(5.2628)
    assert outcome.plan["cost_breakdown_yi_yuan"]["electricity"] == approx(0.2628)


def test_time_of_use_prices_scale_grid_energy_by_hour(tiny: TinyCase) -> None:
    # Two slices of 4,380 h: 03:00 (valley 0.4) and 18:00 (peak 1.5); 0.1 yuan/kWh flat price:
    # 10,000 x 4,380 x 0.1 x (0.4 + 1.5) = 0.08322 亿 of electricity.
    tiny.tables["profiles"] = [
        {
            "cluster_id": c,
            "slice_id": s,
            "weight_hours": 4380,
            "wind_cf": 0.0,
            "solar_cf": 0.0,
            "hydro_cf": 0.0,
            "period_id": "d000",
        }
        for c in ("east1", "west1")
        for s in ("d000h03", "d000h18")
    ]
    one_year(tiny).cluster("west1", power_price_yuan_per_kwh=0.1).set(tariff={"time_of_use": True})
    outcome = tiny.solve()
    assert outcome.plan["cost_breakdown_yi_yuan"]["electricity"] == approx(0.08322)
    assert outcome.plan["objective_yi_yuan"] == approx(5.08322)


def test_water_cap_binds_with_a_price_per_cubic_metre(tiny: TinyCase) -> None:
    # WUE 2 L/kWh: 17.52 m3 per rack-year; cap 87,600 m3 -> 5,000 racks west, 5,000 east: 7.5 亿.
    # One more m3 moves 1/17.52 rack west: -50,000 / 17.52 = -2,853.88 元/m3.
    one_year(tiny).cluster("west1", wue_l_per_kwh=2.0)
    outcome = limits(tiny, [{"cluster_id": "west1", "year": 2026, "water_max_m3": 87600}]).solve()
    assert outcome.plan["objective_yi_yuan"] == approx(7.5)
    assert new_racks(outcome, "west1", 2026) == approx(5000)
    assert dual(outcome, "water_cap", "west1/2026") == approx(-50000 / 17.52, rel=1e-5)
    summary = pd.read_csv(outcome.out_dir / "energy_summary.csv").set_index(["cluster", "year"])
    assert summary.loc[("west1", 2026), "water_m3"] == approx(87600)
    # east1 runs at the default cooling type's WUE (evaporative 1.8 L/kWh)
    assert summary.loc[("east1", 2026), "water_m3"] == approx(5000 * 8760 * 1.8 / 1e3)


VINTAGE_COLUMNS = ("pue_existing", "retrofit_capex_yuan_per_rack", "retire_cost_yuan_per_rack")


def old_stock(tiny: TinyCase, **values: Any) -> TinyCase:
    """10,000 existing racks at west1 at PUE 1.6 (cap 1.3), grid power 0.5 yuan/kWh there, one year."""
    for row in tiny.tables["clusters"]:
        row.update(dict.fromkeys(VINTAGE_COLUMNS, ""))
    return one_year(tiny).cluster(
        "west1", racks_existing=10000, pue_existing=1.6, power_price_yuan_per_kwh=0.5, **values
    )


def vintage(outcome: Any) -> pd.Series:
    return pd.read_csv(outcome.out_dir / "vintage.csv").set_index(["cluster", "year"]).loc[("west1", 2026)]


def test_retrofit_load_runs_retrofitted_racks_at_the_cap(tiny: TinyCase) -> None:
    # 8,760 kWh of IT per rack: 14,016 kWh at PUE 1.6 (7,008 yuan) or 11,388 kWh at 1.3 (5,694 yuan).
    # A 1,000-yuan retrofit saves 1,314 yuan: all 10,000 are retrofitted, 0.1 + 0.5694 = 0.6694 亿.
    outcome = old_stock(tiny, retrofit_capex_yuan_per_rack=1000).solve()
    assert outcome.plan["objective_yi_yuan"] == approx(0.6694)
    assert vintage(outcome)["retrofit_racks"] == approx(10000)
    assert vintage(outcome)["retrofit_load_racks"] == approx(10000)


def test_vintage_stock_retrofit_not_worth_it_is_left(tiny: TinyCase) -> None:
    # At 2,000 yuan a retrofit costs more than the 1,314 yuan it saves: nothing changes, 0.7008 亿.
    outcome = old_stock(tiny, retrofit_capex_yuan_per_rack=2000).solve()
    assert outcome.plan["objective_yi_yuan"] == approx(0.7008)
    assert vintage(outcome)["retrofit_racks"] == approx(0)


def test_retire_deadline_retires_rooms_above_the_threshold(tiny: TinyCase) -> None:
    # Policy: PUE above 1.5 retrofitted or retired by 2026; no retrofit offered, retiring costs 1,000 yuan a rack:
    # 10,000 retired (0.1 亿) and rebuilt new at west1 (PUE 1.0: 50,000 + 4,380 yuan of power each) = 5.538 亿.
    tiny.set(policy={"retire_pue_above": 1.5})
    outcome = old_stock(tiny, retire_cost_yuan_per_rack=1000).solve()
    assert outcome.plan["objective_yi_yuan"] == approx(0.1 + 10000 * (50000 + 4380) / 1e8)
    assert vintage(outcome)["retire_racks"] == approx(10000)
    racks = outcome.results.racks.set_index(["cluster", "year"])
    assert racks.loc[("west1", 2026), "racks"] == approx(10000)
    assert new_racks(outcome, "west1", 2026) == approx(10000)
