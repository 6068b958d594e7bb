"""Tiny cases with no feasible plan, or with demand they cannot serve, worked out by hand.

All start from the tiny case of conftest: 1 kW racks at full draw (8.76 MWh per rack-year), PUE 1,
demand of 10,000 racks at hub h1 in 2026 and 2027, clusters east1 (hub h1) and west1 (hub h2).
"""

from __future__ import annotations

import copy

from tests.conftest import TinyCase, set_rows


def joint_floors(t: TinyCase) -> TinyCase:
    """Two 65 % floors on 10,000 existing racks each need 13,000 racks in use; h1 sends 10,000.

    A third cluster west2 (hub h2, reachable only from h2, which demands 10,000) has a small floor
    too, so the pre-solve bound on all floors together (13,650 <= 20,000) does not see the conflict:
    only the solver does. Least fix: 3,000 racks below the floor at one cluster, each year.
    """
    west2 = {
        **copy.deepcopy(t.tables["clusters"][1]),
        "cluster_id": "west2",
        "name_zh": "西二集群",
        "name_en": "West 2",
    }
    t.tables["clusters"].append(west2)
    t.tables["links"] = [link for link in t.tables["links"] if link["hub_id"] == "h1"] + [
        {
            "hub_id": "h2",
            "cluster_id": "west2",
            "rtt_ms": 1.0,
            "bandwidth_existing_gbps": 1e6,
            "bandwidth_expansion_max_gbps": 0,
            "expansion_capex_yuan_per_gbps": 0,
            "transit_yuan_per_gbps_year": 0,
        }
    ]
    for row in t.tables["demand"]:
        row["demand_racks"] = 10000
    t.cluster("east1", racks_existing=10000, utilisation_min=0.65).cluster(
        "west1", racks_existing=10000, utilisation_min=0.65
    )
    return t.cluster("west2", racks_existing=1000, utilisation_min=0.65)


def budget_vs_links(t: TinyCase) -> TinyCase:
    """The 65 % floor keeps 13,000 of west1's 20,000 racks in use; h1 (15,000 racks of demand) must
    send them over a 50 Gbps link at 0.01 Gbps/rack (5,000 racks): 80 Gbps more at 1 M yuan/Gbps =
    0.80 亿元 against a yearly budget of 0.50 亿元 -> 0.30 亿元 short (or 30 Gbps, or 3,000 racks of floor).
    """
    t.set(budget={"yearly_yi_yuan": 0.5})
    set_rows(t.tables["workloads"], {"workload_id": "batch"}, gbps_per_rack=0.01)
    set_rows(t.tables["links"], {"hub_id": "h1", "cluster_id": "west1"}, bandwidth_existing_gbps=50,
             bandwidth_expansion_max_gbps=1000, expansion_capex_yuan_per_gbps=1_000_000)
    for row in t.tables["demand"]:
        if row["hub_id"] == "h1":
            row["demand_racks"] = 15000
    return t.cluster("west1", racks_existing=20000, utilisation_min=0.65)


def carbon_vs_floor(t: TinyCase) -> TinyCase:
    """A zero carbon cap: the 65 % floor keeps 6,500 of west1's racks in use (56.94 GWh a year); 5 MW
    of wind at 40 % gives 17.52 GWh, so 39.42 GWh come from a 0.6 kg/kWh grid: 0.023652 Mt a year.
    """
    t.set(policy={"carbon_cap_mt": 0.0})
    return t.cluster(
        "west1", racks_existing=10000, utilisation_min=0.65, grid_co2_kg_per_kwh=0.6, wind_mw=5, wind_cf=0.4
    )


def green_budget(t: TinyCase) -> TinyCase:
    """Budget too small for the green floors: east1 is cheap (20,000 yuan/rack) but has no renewables,
    and certificates may not count (share 0), so new load goes to west1 (50,000 yuan/rack, ample wind).
    10,000 racks there cost 5 亿元 against 3 亿元 a year: 4,000 racks unmet in 2026. Serving them needs
    2 亿元 more, or 6,666.7 racks at east1 without green power (46.72 GWh of the 80 % floor).
    """
    t.set(policy={"green_share_min_new": 0.8, "certificate_share_max": 0.0}, budget={"yearly_yi_yuan": 3})
    return t.cluster("east1", capex_yuan_per_rack=20000).cluster(
        "west1", capex_yuan_per_rack=50000, wind_mw=100, wind_cf=0.5
    )


def green_potential(t: TinyCase) -> TinyCase:
    """Green floor above the renewable potential: 10 MW of wind at 50 % (43.8 GWh) carries the 80 %
    floor for 43.8 / (0.8 x 8.76e-3) = 6,250 racks; certificates may not count; 3,750 racks a year
    are unmet, 26.28 GWh of green power short each year.
    """
    t.set(policy={"green_share_min_new": 0.8, "certificate_share_max": 0.0})
    return t.cluster("west1", wind_mw=10, wind_cf=0.5)


def latency_unreachable(t: TinyCase) -> TinyCase:
    """Batch work within 0.5 ms RTT: no cluster is that close to h1 (nearest 1 ms). Caught at validation."""
    set_rows(t.tables["workloads"], {"workload_id": "batch"}, latency_max_rtt_ms=0.5)
    return t
