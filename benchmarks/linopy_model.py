"""The planner's LP written again in linopy, from the same ModelData: the peer a PyPSA user would pick.

Benchmark-only (linopy is the `bench` extra). Per-slice variables get two dimensions, `period` and
`hour`, so a battery's state of charge rolls cyclically within its period. Only the families the
default case and the benchmark ladder use are written; anything else raises, so a benchmark never
compares against a different model. `tests/test_benchmarks.py` checks the optimum equals the
engine's.
"""

from __future__ import annotations

import linopy
import numpy as np
import pandas as pd
import xarray as xr

from planner.model.data import ModelData


def _da(s: pd.Series, dims: list[str], coords: dict[str, pd.Index], fill: float = 0.0) -> xr.DataArray:
    """A Series on (some of) dims as a dense DataArray over coords, missing entries filled."""
    full = (
        pd.MultiIndex.from_product([coords[d] for d in dims], names=dims)
        if len(dims) > 1
        else pd.Index(coords[dims[0]], name=dims[0])
    )
    values = s.reindex(full).fillna(fill).to_numpy(dtype=float).reshape([len(coords[d]) for d in dims])
    return xr.DataArray(values, coords={d: coords[d] for d in dims}, dims=dims)


def _mask(index: pd.MultiIndex, dims: list[str], coords: dict[str, pd.Index]) -> xr.DataArray:
    return _da(pd.Series(1.0, index=index), dims, coords) > 0


def _check_supported(d: ModelData) -> None:
    unsupported = {
        "modules": d.module_kracks is not None,
        "west share": d.west_share_min is not None,
        "hub shares": not d.hub_share_min.empty,
        "carbon cap": not d.carbon_cap_kt.empty,
        "certificate share": d.certificate_share_max is not None,
        "hourly matching": d.green_matching == "hourly",
        "site modules or opening costs": not d.module_site_kracks.empty or not d.open_cost_overnight.empty,
        "intelligent-compute share": d.intelligent_share_min is not None,
        "national hubs' share": d.national_hubs_share_min is not None,
        "provincial import limits": not d.grid_import_mw.empty,
        "time-of-use prices": bool((d.tou_factor != 1.0).any()),
        "direct green supply": not d.green_direct_gwh.empty,
        "water caps": not d.water_max_km3.empty,
        "retrofits or retirements": not d.retrofit_clusters.empty or not d.retire_clusters.empty,
    }
    used = [name for name, on in unsupported.items() if on]
    if used:
        msg = f"the linopy reference does not model: {', '.join(used)}"
        raise NotImplementedError(msg)


def build(d: ModelData) -> linopy.Model:
    """The same LP as `planner.model.build_model(d)`, in linopy."""
    _check_supported(d)
    periods = d.slice_prev.index.to_series()
    n_hours = _period_length(d)
    P = pd.Index([f"p{k}" for k in range(len(periods) // n_hours)], name="period")
    Hr = pd.Index(range(n_hours), name="hour")
    co = {
        "cluster": d.clusters,
        "year": d.years,
        "workload": d.workloads,
        "hub": d.hubs,
        "period": P,
        "hour": Hr,
        "storage": pd.Index(d.storage_clusters, name="storage"),
    }
    shape_t = (len(P), len(Hr))

    def per_slice(s: pd.Series) -> xr.DataArray:  # [slice] -> (period, hour)
        return xr.DataArray(
            s.reindex(d.slices).to_numpy(dtype=float).reshape(shape_t),
            coords={"period": P, "hour": Hr},
            dims=["period", "hour"],
        )

    w = per_slice(d.slice_hours)
    m = linopy.Model()
    C, Y = co["cluster"], co["year"]
    racks_new = m.add_variables(lower=0, coords=[C, Y], name="racks_new")
    racks = m.add_variables(lower=0, coords=[C, Y], name="racks")
    new_load = m.add_variables(lower=0, coords=[C, Y], name="new_load")
    certificates = m.add_variables(lower=0, coords=[C, Y], name="certificates")
    served = _mask(pd.MultiIndex.from_frame(d.served.to_frame(index=False)), ["workload", "hub", "cluster"], co)
    load = m.add_variables(
        lower=0,
        coords=[co["workload"], co["hub"], C, Y],
        name="load",
        mask=served.broadcast_like(xr.DataArray(np.zeros(len(Y)), coords={"year": Y}, dims=["year"])),
    )
    class_mask = served.any("hub")
    class_load = m.add_variables(
        lower=0,
        coords=[co["workload"], C, Y],
        name="class_load",
        mask=class_mask.broadcast_like(xr.DataArray(np.zeros(len(Y)), coords={"year": Y}, dims=["year"])),
    )
    demand = _da(d.demand, ["workload", "hub", "year"], co)
    unmet = m.add_variables(lower=0, coords=[co["workload"], co["hub"], Y], name="unmet", mask=demand > 0)
    grid = m.add_variables(lower=0, coords=[C, Y, P, Hr], name="grid")
    renewable = m.add_variables(lower=0, coords=[C, Y, P, Hr], name="renewable")
    growable = (
        _mask(
            pd.MultiIndex.from_tuples(list(d.bandwidth_expansion_max.index), names=["hub", "cluster"]),
            ["hub", "cluster"],
            co,
        )
        if len(d.bandwidth_expansion_max)
        else None
    )
    bandwidth_new = (
        m.add_variables(lower=0, coords=[co["hub"], C, Y], name="bandwidth_new", mask=growable)
        if growable is not None
        else None
    )

    m.add_constraints(load.sum("cluster") + unmet == demand, name="demand_met", mask=demand > 0)
    m.add_constraints(load.sum("hub") - class_load == 0, name="class_load_balance", mask=class_load.mask)
    existing = _da(d.racks_existing, ["cluster"], co)
    first = xr.DataArray((Y[0] == Y).astype(float), coords={"year": Y}, dims=["year"])
    m.add_constraints(racks - racks.shift(year=1) - racks_new == existing * first, name="rack_stock")
    m.add_constraints(racks_new <= _da(d.build_max, ["cluster"], co), name="build_rate")
    if not d.racks_max.empty:
        m.add_constraints(
            racks <= _da(d.racks_max, ["cluster"], co),
            name="land_limit",
            mask=_da(pd.Series(1.0, index=d.racks_max.index), ["cluster"], co) > 0,
        )
    if not d.power_max_mw.empty:
        m.add_constraints(
            _da(d.mw_per_krack, ["cluster"], co) * racks <= _da(d.power_max_mw, ["cluster", "year"], co),
            name="power_limit",
            mask=_da(pd.Series(1.0, index=d.power_max_mw.index), ["cluster", "year"], co) > 0,
        )
    served_cy = class_load.sum("workload")
    m.add_constraints(served_cy - d.utilisation_max * racks <= 0, name="capacity")
    u_min = _da(d.utilisation_min, ["cluster"], co)
    year_da = xr.DataArray(Y.to_numpy(), coords={"year": Y}, dims=["year"])
    applies = (u_min > 0) & (year_da >= _da(d.utilisation_min_from.astype(float), ["cluster"], co))
    scope_new = _da((d.utilisation_min_scope == "new_racks").astype(float), ["cluster"], co) > 0
    m.add_constraints(served_cy - u_min * racks >= 0, name="utilisation_floor", mask=applies & ~scope_new)
    m.add_constraints(
        new_load - u_min * racks >= -u_min * existing, name="utilisation_floor_new", mask=applies & scope_new
    )
    pinned = _da(pd.Series(1.0, index=d.in_use_existing.index), ["cluster"], co) > 0
    m.add_constraints(
        served_cy - new_load <= _da(d.in_use_existing, ["cluster"], co),
        name="base_year_load",
        mask=pinned & (first > 0),
    )
    m.add_constraints(
        served_cy - d.tenant_retention * class_load.shift(year=1).sum("workload") >= 0,
        name="incumbent_load",
        mask=pinned & (first == 0),
    )
    split = _da(pd.Series(1.0, index=d.vintage_split), ["cluster"], co) > 0
    m.add_constraints(new_load - served_cy <= 0, name="new_load_cap_in_use", mask=split.broadcast_like(first))
    m.add_constraints(
        new_load - d.utilisation_max * racks <= -d.utilisation_max * existing,
        name="new_load_cap_new_racks",
        mask=split.broadcast_like(first),
    )

    it = xr.concat(
        [per_slice(d.it_gwh_per_krack.xs(wl, level=0)) for wl in d.workloads],
        dim=pd.Index(d.workloads, name="workload"),
    )
    facility = (_da(d.pue_existing, ["cluster"], co) * it * class_load).sum("workload")
    facility = facility - _da(d.pue_existing - d.pue, ["cluster"], co) * per_slice(d.it_gwh_flat) * new_load
    supply = grid + renewable
    storage = _storage(m, d, co, w, renewable) if len(d.storage_clusters) else None
    if storage is not None:
        charge, discharge = storage
        supply = (
            supply
            + discharge.rename(storage="cluster").reindex(cluster=C)
            - charge.rename(storage="cluster").reindex(cluster=C)
        )
    m.add_constraints(supply - facility == 0, name="power_balance")
    available = xr.concat([per_slice(d.renewable_gwh.xs(c, level="cluster")) for c in C], dim=C)
    m.add_constraints(renewable <= available, name="renewable_availability")
    m.add_constraints(certificates - grid.sum(["period", "hour"]) <= 0, name="certificate_cover")
    m.add_constraints(new_load - served_cy >= -d.utilisation_max * existing, name="new_load")
    g = _da(d.green_share_min_new, ["cluster"], co)
    green = renewable.sum(["period", "hour"]) + certificates
    if storage is not None:
        green = green + (discharge.sum(["period", "hour"]) - charge.sum(["period", "hour"])).rename(
            storage="cluster"
        ).reindex(cluster=C)
    m.add_constraints(
        green - g * _da(d.new_load_gwh_per_krack, ["cluster"], co) * new_load >= 0, name="green_share", mask=g > 0
    )

    gbps = _da(d.gbps_per_krack, ["workload"], co)
    traffic = (gbps * load).sum("workload")
    link_mask = _mask(d.links, ["hub", "cluster"], co)
    if bandwidth_new is not None:
        built = bandwidth_new.cumsum("year")
        m.add_constraints(
            traffic - built <= _da(d.bandwidth_existing, ["hub", "cluster"], co), name="link_bandwidth", mask=link_mask
        )
        m.add_constraints(
            bandwidth_new.sum("year") <= _da(d.bandwidth_expansion_max, ["hub", "cluster"], co),
            name="link_expansion_limit",
            mask=growable,
        )
    else:
        m.add_constraints(
            traffic <= _da(d.bandwidth_existing, ["hub", "cluster"], co), name="link_bandwidth", mask=link_mask
        )
    invest = (_da(d.capex, ["cluster"], co) * racks_new).sum("cluster")
    if bandwidth_new is not None:
        invest = invest + (_da(d.bandwidth_capex, ["hub", "cluster"], co) * bandwidth_new).sum(["hub", "cluster"])
    if not d.budget_yearly.empty:
        m.add_constraints(invest <= _da(d.budget_yearly, ["year"], co), name="budget_yearly")
    if d.budget_total is not None:
        m.add_constraints(invest.sum("year") <= d.budget_total, name="budget_total")

    cost = (_da(d.capex_cost, ["cluster", "year"], co) * racks_new).sum() + (
        _da(d.fixed_opex_cost, ["cluster", "year"], co) * racks
    ).sum()
    cost = (
        cost
        + (_da(d.grid_cost, ["cluster", "year"], co) * grid).sum()
        + (_da(d.ppa_cost, ["cluster", "year"], co) * renewable).sum()
    )
    cost = cost + (_da(d.certificate_cost, ["cluster", "year"], co) * certificates).sum()
    transit = _da(d.transit_cost, ["workload", "hub", "cluster", "year"], co)
    cost = cost + (transit * load).sum() + (_da(d.unmet_cost, ["workload", "hub", "year"], co) * unmet).sum()
    if bandwidth_new is not None:
        cost = cost + (_da(d.bandwidth_capex_cost, ["hub", "cluster", "year"], co) * bandwidth_new).sum()
    if storage is not None:
        gw_new, gwh_new = m.variables["battery_gw_new"], m.variables["battery_gwh_new"]
        s_co = {**co, "cluster": pd.Index(co["storage"], name="cluster")}
        cost = cost + (_da(d.battery_gw_cost, ["cluster", "year"], s_co).rename(cluster="storage") * gw_new).sum()
        cost = cost + (_da(d.battery_gwh_cost, ["cluster", "year"], s_co).rename(cluster="storage") * gwh_new).sum()
    m.add_objective(cost)
    return m


def _period_length(d: ModelData) -> int:
    """Slices per period (all periods must be equally long and consecutive)."""
    prev = d.slice_prev
    starts = [
        i for i, (s, p) in enumerate(zip(prev.index, prev.to_numpy(), strict=True)) if i == 0 or p != prev.index[i - 1]
    ]
    lengths = np.diff([*starts, len(prev)])
    if len(set(lengths.tolist())) != 1:
        msg = "the linopy reference needs periods of equal length"
        raise NotImplementedError(msg)
    return int(lengths[0])


def _storage(
    m: linopy.Model, d: ModelData, co: dict[str, pd.Index], w: xr.DataArray, renewable: linopy.Variable
) -> tuple[linopy.Variable, linopy.Variable]:
    S, Y, P, Hr = co["storage"], co["year"], co["period"], co["hour"]
    gw_new = m.add_variables(lower=0, coords=[S, Y], name="battery_gw_new")
    gwh_new = m.add_variables(lower=0, coords=[S, Y], name="battery_gwh_new")
    gw = m.add_variables(lower=0, coords=[S, Y], name="battery_gw")
    gwh = m.add_variables(lower=0, coords=[S, Y], name="battery_gwh")
    charge = m.add_variables(lower=0, coords=[S, Y, P, Hr], name="charge")
    discharge = m.add_variables(lower=0, coords=[S, Y, P, Hr], name="discharge")
    soc = m.add_variables(lower=0, coords=[S, Y, P, Hr], name="soc")
    m.add_constraints(gw - gw.shift(year=1) - gw_new == 0, name="battery_power_stock")
    m.add_constraints(gwh - gwh.shift(year=1) - gwh_new == 0, name="battery_energy_stock")
    eta = d.battery_efficiency
    m.add_constraints(
        soc - soc.roll(hour=1) - (eta / w) * charge + (1 / (eta * w)) * discharge == 0, name="storage_balance"
    )
    m.add_constraints(charge + discharge - w * gw <= 0, name="storage_power")
    m.add_constraints(soc - gwh <= 0, name="storage_energy")
    m.add_constraints(charge - renewable.sel(cluster=S).rename(cluster="storage") <= 0, name="storage_charge_green")
    return charge, discharge
