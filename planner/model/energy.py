"""Energy: facility power per time slice, renewable availability, certificates, green floor."""

from __future__ import annotations

import pandas as pd

from planner.model import _lp
from planner.model._lp import Builder, Terms
from planner.model.data import ModelData
from planner.model.expressions import served
from planner.model.variables import Vars

CY = ["cluster", "year"]
CYT = ["cluster", "year", "slice"]


def _facility_energy(d: ModelData, v: Vars) -> Terms:
    """Facility energy of the load in each slice: pue[c] * it[w,t] * class_load[w,c,y] (GWh)."""
    index = v.class_load.index
    n = len(d.slices)
    it = (
        d.it_gwh_per_krack.reindex(pd.MultiIndex.from_product([d.workloads, d.slices]))
        .to_numpy()
        .reshape(len(d.workloads), n)
    )
    row_it = it[d.workloads.get_indexer(index.get_level_values("workload"))]
    pue = d.pue_existing.reindex(index.get_level_values("cluster")).to_numpy()
    pue = pue + d.pue_delta.reindex(index.get_level_values("workload")).to_numpy()  # the kind's own PUE
    coef = (pue[:, None] * row_it).ravel()  # class_load-major, slices inner: the order of `broadcast`
    energy = _lp.terms(_lp.broadcast(v.class_load, d.slices), by=CYT, coef=coef)
    if not v.retrofit_load.empty:  # retrofitted racks run at pue_max: take (pue_ex - pue_retrofit) x IT energy off
        gain = (d.pue_existing - d.pue_retrofit).reindex(v.retrofit_load.index.get_level_values("cluster")).to_numpy()
        flat_it = d.it_gwh_flat.reindex(d.slices).to_numpy()
        coef_retrofit = (gain[:, None] * flat_it[None, :]).ravel()
        energy = energy - _lp.terms(_lp.broadcast(v.retrofit_load, d.slices), by=CYT, coef=coef_retrofit)
    split = _lp.subset(v.new_load, d.pue_existing.index[d.pue_existing != d.pue])
    if split.empty:
        return energy
    # load on new racks runs at their PUE: take (pue_existing - pue) x its IT energy back off
    saving = (d.pue_existing - d.pue).reindex(split.index.get_level_values("cluster")).to_numpy()
    flat = d.it_gwh_flat.reindex(d.slices).to_numpy()
    return energy - _lp.terms(_lp.broadcast(split, d.slices), by=CYT, coef=(saving[:, None] * flat[None, :]).ravel())


def add_power_balance(m: Builder, d: ModelData, v: Vars) -> None:
    """Facility energy = IT energy x PUE, met by grid power and contracted renewables.

    grid[c,y,t] + renewable[c,y,t] + direct[c,y,t] + discharge[c,y,t] - charge[c,y,t]
        - sum_w (pue_ex[c] + dpue[w]) * it[w,t] * class_load[w,c,y] + (pue_ex[c] - pue[c]) * it[t] * new_load[c,y]
        + (pue_ex[c] - pue_retrofit[c]) * it[t] * retrofit_load[c,y] = 0        for all c, y, t

    Notes:
        Load on the racks in place runs at their PUE (pue_ex), load on new racks at the new-build
        PUE, each shifted by its class's kind (dpue[w] = `pue_delta`, 0 by default; the vintage terms are
        differences, so the shift holds on every vintage); the last term exists only where the two differ
        (then `new_load_cap` bounds new_load). Battery terms exist only at storage clusters (and only with
        more than one slice), direct green supply only where `green_direct_mw` is set.
    """
    lhs = _lp.terms(v.grid, by=CYT) + _lp.terms(v.renewable, by=CYT) - _facility_energy(d, v)
    if not v.charge.empty:
        lhs = lhs + _lp.terms(v.discharge, by=CYT) - _lp.terms(v.charge, by=CYT)
    if not v.green_direct.empty:
        lhs = lhs + _lp.terms(v.green_direct, by=CYT)
    m.add_rows("power_balance", lhs, "==", 0.0)


def add_renewable_availability(m: Builder, d: ModelData, v: Vars) -> None:
    """Contracted renewables within the cluster's potential x availability profile.

    renewable[c,y,t] <= renewable_gwh[c,t]        for all c, y, t
    """
    m.add_rows(
        "renewable_availability", _lp.terms(v.renewable, by=CYT), "<=", _lp.align(d.renewable_gwh, v.renewable.index)
    )


def add_certificate_cover(m: Builder, d: ModelData, v: Vars) -> None:
    """Green certificates can only cover grid energy actually bought.

    certificates[c,y] - sum_t grid[c,y,t] <= 0        for all c, y
    """
    m.add_rows("certificate_cover", _lp.terms(v.certificates, by=CY) - _lp.terms(v.grid, by=CY), "<=", 0.0)


def add_new_load(m: Builder, d: ModelData, v: Vars) -> None:
    """Load on new racks: what is in use beyond what the existing stock can carry (it fills first).

    new_load[c,y] - sum_w class_load[w,c,y] - u_max * sum_{y' <= y} retire[c,y'] >= -u_max * racks_existing[c]    c, y

    Notes:
        The retire term (racks in place that are gone) exists only where existing racks may be retired.
    """
    rhs = -d.utilisation_max * _lp.align(d.racks_existing, v.new_load.index)
    lhs = _lp.terms(v.new_load, by=CY) - served(v)
    if not v.retire.empty:
        lhs = lhs - _lp.running_total(v.retire, "year", d.years) * d.utilisation_max
    m.add_rows("new_load", lhs, ">=", rhs)


def add_new_load_cap(m: Builder, d: ModelData, v: Vars) -> None:
    """Load on new racks is real load that new racks can hold (where it changes energy or a floor).

    new_load[c,y] - sum_w class_load[w,c,y] <= 0                          (limit in_use)
    new_load[c,y] - u_max * racks[c,y] - u_max * sum_{y' <= y} retire[c,y'] <= -u_max * racks_existing[c]    (new_racks)
        for c whose existing racks have their own PUE, whose utilisation floor covers new racks only,
        or whose base year is pinned (racks_in_use_existing), all y

    Notes:
        With these rows the split of a cluster's load between the racks in place and new racks is a
        decision (an operator may fill its efficient new halls first), bounded on both sides;
        `new_load` gives the lower bound. Elsewhere the split does not matter and the rows are left out.
    """
    if d.vintage_split.empty:
        return
    new = _lp.subset(v.new_load, d.vintage_split)
    racks = _lp.subset(v.racks, d.vintage_split)
    load = _lp.subset(v.class_load, d.vintage_split)
    in_use, on_new = pd.Index(["in_use"], name="limit"), pd.Index(["new_racks"], name="limit")
    by = [*CY, "limit"]
    lhs = (
        _lp.terms(_lp.broadcast(new, in_use), by=by)
        - _lp.terms(_lp.broadcast(load, in_use), by=by)
        + _lp.terms(_lp.broadcast(new, on_new), by=by)
        - _lp.terms(_lp.broadcast(racks, on_new), by=by, coef=d.utilisation_max)
    )
    if not v.retire.empty:  # retired racks in place no longer count against the new ones
        lhs = lhs - _lp.running_total(_lp.broadcast(v.retire, on_new), "year", d.years) * d.utilisation_max
    rhs_new = -d.utilisation_max * _lp.align(d.racks_existing, new.index)
    rhs = pd.concat(
        [
            pd.Series(0.0, index=pd.MultiIndex.from_frame(new.index.to_frame(index=False).assign(limit="in_use"))),
            pd.Series(
                rhs_new.to_numpy(),
                index=pd.MultiIndex.from_frame(new.index.to_frame(index=False).assign(limit="new_racks")),
            ),
        ]
    )
    m.add_rows("new_load_cap", lhs, "<=", rhs)


def add_green_share(m: Builder, d: ModelData, v: Vars) -> None:
    """Green power (renewables used + certificates) covers the floor share of new racks' energy.

    sum_t (renewable[c,y,t] + direct[c,y,t] - charge[c,y,t] + discharge[c,y,t]) + certificates[c,y]
        - g[c] * e_new[c] * new_load[c,y] >= 0        for all c with g[c] > 0, all y

    Notes:
        The row pushes new_load down, so new_load settles at max(0, served - existing) exactly.
        Renewables used are those bought less what went into batteries plus what came out
        (batteries charge only from renewables), so battery losses are never counted as green.
        Under hourly matching `green_hourly` replaces this row.
    """
    floor = d.green_share_min_new[d.green_share_min_new > 0]
    if floor.empty or d.green_matching == "hourly":
        return
    def pick(s: pd.Series) -> pd.Series:
        return _lp.subset(s, floor.index)

    coef = floor * d.new_load_gwh_per_krack.reindex(floor.index)
    lhs = (
        _lp.terms(pick(v.renewable), by=CY)
        + _lp.terms(pick(v.certificates), by=CY)
        - _lp.terms(pick(v.new_load), by=CY, coef=coef)
    )
    if not v.charge.empty:
        lhs = lhs - _lp.terms(pick(v.charge), by=CY) + _lp.terms(pick(v.discharge), by=CY)
    if not v.green_direct.empty:
        lhs = lhs + _lp.terms(pick(v.green_direct), by=CY)
    m.add_rows("green_share", lhs, ">=", 0.0)


def add_certificate_share(m: Builder, d: ModelData, v: Vars) -> None:
    """Certificates may supply at most a share s of a cluster's green power.

    (1 - s) * certificates[c,y] - s * sum_t (renewable[c,y,t] + direct[c,y,t]) <= 0        for all c, y (if s is set)
    """
    s = d.certificate_share_max
    if s is None:
        return
    lhs = _lp.terms(v.certificates, by=CY, coef=1.0 - s) - _lp.terms(v.renewable, by=CY, coef=s)
    if not v.green_direct.empty:
        lhs = lhs - _lp.terms(v.green_direct, by=CY, coef=s)
    m.add_rows("certificate_share", lhs, "<=", 0.0)


def add_green_hourly(m: Builder, d: ModelData, v: Vars) -> None:
    """24/7 matching: in every slice, renewables used directly or via batteries cover the floor share.

    renewable[c,y,t] + direct[c,y,t] - charge[c,y,t] + discharge[c,y,t]
        - g[c] * e_new[c] * w[t] / 8760 * new_load[c,y] >= 0        for c with g[c] > 0, all y, t

    Notes:
        Only with `policy.green_matching: hourly`. Certificates do not count. The new racks' energy
        in a slice uses the flat (average) load shape: new_load is not split by workload class.
    """
    floor = d.green_share_min_new[d.green_share_min_new > 0]
    if floor.empty or d.green_matching != "hourly":
        return
    renewable = _lp.subset(v.renewable, floor.index)
    frame = renewable.index.to_frame(index=False)
    energy = (floor * d.new_load_gwh_per_krack.reindex(floor.index)).reindex(frame["cluster"]).to_numpy()
    share = d.slice_hours.reindex(frame["slice"]).to_numpy() / d.slice_hours.sum()
    lhs = _lp.terms(renewable, by=CYT) - _lp.terms(_lp.align(v.new_load, renewable.index), by=CYT, coef=energy * share)
    if not v.charge.empty:
        lhs = (
            lhs
            - _lp.terms(_lp.subset(v.charge, floor.index), by=CYT)
            + _lp.terms(_lp.subset(v.discharge, floor.index), by=CYT)
        )
    if not v.green_direct.empty:
        lhs = lhs + _lp.terms(_lp.subset(v.green_direct, floor.index), by=CYT)
    m.add_rows("green_hourly", lhs, ">=", 0.0)


def add_grid_import(m: Builder, d: ModelData, v: Vars) -> None:
    """Provincial import limit: average power drawn from the public grid in each slice within the limit.

    grid[c,y,t] <= import_mw[c,y] * w[t] / 1000   (GWh)        for all c, y with a limit, all t

    Notes:
        Direct green supply and contracted renewables delivered on their own lines do not count;
        the limit is the cluster's `grid_import_mw` or its `cluster_years.csv` value for the year.
    """
    if d.grid_import_mw.empty:
        return
    grid = v.grid[_lp.align(d.grid_import_mw, v.grid.index).notna().to_numpy()]
    rhs = _lp.align(d.grid_import_mw, grid.index) * _lp.align(d.slice_hours, grid.index) / 1e3
    m.add_rows("grid_import", _lp.terms(grid, by=CYT), "<=", rhs)


def add_green_direct_availability(m: Builder, d: ModelData, v: Vars) -> None:
    """Direct green supply (绿电直连) within its line's capacity times the cluster's renewable availability.

    direct[c,y,t] <= direct_mw[c] * cf_mix[c,t] * w[t] / 1000   (GWh)        for c with green_direct_mw, all y, t
    """
    if v.green_direct.empty:
        return
    available = _lp.align(d.green_direct_gwh, v.green_direct.index)
    m.add_rows("green_direct_availability", _lp.terms(v.green_direct, by=CYT), "<=", available)


def add_retrofit_load(m: Builder, d: ModelData, v: Vars) -> None:
    """Load on retrofitted racks: no more than they hold, and part of the load on the racks in place.

    retrofit_load[c,y] - u_max * sum_{y' <= y} retrofit[c,y'] <= 0                  (limit retrofitted)
    retrofit_load[c,y] + new_load[c,y] - sum_w class_load[w,c,y] <= 0                (limit in_place)
        for c whose existing racks may be retrofitted, all y

    Notes:
        Retrofitted racks run at pue_max, so the optimum fills them first (`power_balance`).
    """
    if v.retrofit_load.empty:
        return
    done, in_place = pd.Index(["retrofitted"], name="limit"), pd.Index(["in_place"], name="limit")
    by = [*CY, "limit"]
    new = _lp.subset(v.new_load, d.retrofit_clusters)
    load = _lp.subset(v.class_load, d.retrofit_clusters)
    lhs = (
        _lp.terms(_lp.broadcast(v.retrofit_load, done), by=by)
        - _lp.running_total(_lp.broadcast(v.retrofit, done), "year", d.years) * d.utilisation_max
        + _lp.terms(_lp.broadcast(v.retrofit_load, in_place), by=by)
        + _lp.terms(_lp.broadcast(new, in_place), by=by)
        - _lp.terms(_lp.broadcast(load, in_place), by=by)
    )
    m.add_rows("retrofit_load", lhs, "<=", 0.0)
