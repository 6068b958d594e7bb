"""Objective: total discounted system cost in 亿元, kept as named terms for reporting."""

from __future__ import annotations

from planner.model import _lp
from planner.model._lp import Builder, Terms
from planner.model.data import ModelData
from planner.model.variables import Vars

COST_TERMS = (
    "capex",
    "it_capex",
    "fixed_opex",
    "electricity",
    "renewables",
    "certificates",
    "carbon",
    "network",
    "unmet_penalty",
    "storage",
)
"""Names of the objective's terms, in report order (`it_capex` only with the scenario's `it_capex` on)."""


def add_objective(m: Builder, d: ModelData, v: Vars) -> None:
    """Minimise discounted capex annuities, operating, energy, carbon, network and shortfall costs.

    capex        = sum_{c,y} capex_cost[c,y] * racks_new[c,y] + open_cost[c,y] * opened[c,y]  (annuities in the horizon)
                   + retrofit_cost[c,y] * retrofit[c,y] + retire_cost[c] * df[y] * retire[c,y]
    it_capex     = sum_{w,c,y} it_annual[w] * df[y] * class_load[w,c,y]   (IT equipment annuity per rack in use; option)
    fixed_opex   = sum_{c,y} fom[c] * df[y] * racks[c,y]
    electricity  = sum_{c,y,t} (price[c] + td_fee[c]) * tou[t] * df[y] * grid[c,y,t]
    renewables   = sum_{c,y,t} ppa[c] * df[y] * renewable[c,y,t] + sum_{c,y,t} direct_price[c] * df[y] * direct[c,y,t]
    certificates = sum_{c,y} cert[c] * df[y] * certificates[c,y]
    carbon       = sum_{c,y,t} carbon_price * df[y] * (ef[c] * grid[c,y,t] + ef_direct[c] * direct[c,y,t])
    network      = sum_{h,c,y} bw_capex_cost[h,c,y] * bandwidth_new[h,c,y] + sum transit[w,h,c,y] * load[w,h,c,y]
    unmet_penalty= sum_{w,h,y} penalty * df[y] * unmet[w,h,y]
    storage      = sum_{c,y} bat_gw_cost[c,y] * battery_gw_new[c,y] + bat_gwh_cost[c,y] * battery_gwh_new[c,y]
    """
    network: Terms = _lp.terms(v.load, by=[], coef=d.transit_cost)
    renewables = _lp.terms(v.renewable, by=[], coef=d.ppa_cost)
    carbon = _lp.terms(v.grid, by=[], coef=d.carbon_cost)
    if not v.green_direct.empty:
        renewables = renewables + _lp.terms(v.green_direct, by=[], coef=d.green_direct_cost)
        carbon = carbon + _lp.terms(v.green_direct, by=[], coef=d.green_direct_carbon_cost)
    price = _lp.align(d.grid_price_cost, v.grid.index) * _lp.align(d.tou_factor, v.grid.index)
    capex = _capex(d, v)
    if not v.retrofit.empty:
        capex = capex + _lp.terms(v.retrofit, by=[], coef=d.retrofit_cost)
    if not v.retire.empty:
        capex = capex + _lp.terms(v.retire, by=[], coef=d.retire_cost)
    if not v.bandwidth_new.empty:
        network = network + _lp.terms(v.bandwidth_new, by=[], coef=d.bandwidth_capex_cost)
    parts: dict[str, Terms] = {"capex": capex}
    if not d.it_capex_cost.empty:
        parts["it_capex"] = _lp.terms(v.class_load, by=[], coef=d.it_capex_cost)
    m.set_objective(
        {
            **parts,
            "fixed_opex": _lp.terms(v.racks, by=[], coef=d.fixed_opex_cost),
            "electricity": _lp.terms(v.grid, by=[], coef=price.to_numpy()),
            "renewables": renewables,
            "certificates": _lp.terms(v.certificates, by=[], coef=d.certificate_cost),
            "carbon": carbon,
            "network": network,
            "unmet_penalty": _lp.terms(v.unmet, by=[], coef=d.unmet_cost),
            "storage": _lp.terms(v.battery_gw_new, by=[], coef=d.battery_gw_cost)
            + _lp.terms(v.battery_gwh_new, by=[], coef=d.battery_gwh_cost),
        }
    )


def _capex(d: ModelData, v: Vars) -> Terms:
    """Facility capex annuities, plus sites' opening costs where a case gives them."""
    racks = _lp.terms(v.racks_new, by=[], coef=d.capex_cost)
    if v.opened.empty:
        return racks
    return racks + _lp.terms(v.opened, by=[], coef=d.open_cost)
