"""Objective: total discounted system cost in 亿元, kept as named terms for reporting."""

from __future__ import annotations

from planner.model import _lp
from planner.model._lp import Builder, Terms
from planner.model.data import ModelData
from planner.model.variables import Vars

COST_TERMS = (
    "capex",
    "fixed_opex",
    "electricity",
    "renewables",
    "certificates",
    "carbon",
    "network",
    "unmet_penalty",
    "storage",
)
"""Names of the objective's terms, in report order."""


def add_objective(m: Builder, d: ModelData, v: Vars) -> None:
    """Minimise discounted capex annuities, operating, energy, carbon, network and shortfall costs.

    capex        = sum_{c,y} capex_cost[c,y] * racks_new[c,y]           (annuities inside the horizon)
    fixed_opex   = sum_{c,y} fom[c] * df[y] * racks[c,y]
    electricity  = sum_{c,y,t} price[c] * df[y] * grid[c,y,t]
    renewables   = sum_{c,y,t} ppa[c] * df[y] * renewable[c,y,t]
    certificates = sum_{c,y} cert[c] * df[y] * certificates[c,y]
    carbon       = sum_{c,y,t} carbon_price * ef[c] * df[y] * grid[c,y,t]
    network      = sum_{h,c,y} bw_capex_cost[h,c,y] * bandwidth_new[h,c,y] + sum transit[w,h,c,y] * load[w,h,c,y]
    unmet_penalty= sum_{w,h,y} penalty * df[y] * unmet[w,h,y]
    storage      = sum_{c,y} bat_gw_cost[c,y] * battery_gw_new[c,y] + bat_gwh_cost[c,y] * battery_gwh_new[c,y]
    """
    network: Terms = _lp.terms(v.load, by=[], coef=d.transit_cost)
    if not v.bandwidth_new.empty:
        network = network + _lp.terms(v.bandwidth_new, by=[], coef=d.bandwidth_capex_cost)
    m.set_objective(
        {
            "capex": _lp.terms(v.racks_new, by=[], coef=d.capex_cost),
            "fixed_opex": _lp.terms(v.racks, by=[], coef=d.fixed_opex_cost),
            "electricity": _lp.terms(v.grid, by=[], coef=d.grid_price_cost),
            "renewables": _lp.terms(v.renewable, by=[], coef=d.ppa_cost),
            "certificates": _lp.terms(v.certificates, by=[], coef=d.certificate_cost),
            "carbon": _lp.terms(v.grid, by=[], coef=d.carbon_cost),
            "network": network,
            "unmet_penalty": _lp.terms(v.unmet, by=[], coef=d.unmet_cost),
            "storage": _lp.terms(v.battery_gw_new, by=[], coef=d.battery_gw_cost)
            + _lp.terms(v.battery_gwh_new, by=[], coef=d.battery_gwh_cost),
        }
    )
