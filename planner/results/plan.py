"""`Plan`: a solved plan for notebooks and scripts, as tidy DataFrames with units in their column names.

Returned by `planner.run()` (in memory, or written to a folder) and by `Plan.open(folder)` for a
folder that `planner solve` wrote. In Jupyter it shows its headline numbers as a table.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from planner.results.headline import demand_unmet, fmt, headline, plan_status, years_label

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.axes import Axes

    from planner.model.data import ModelData
    from planner.results.extract import Results

TABLES = ("racks", "load", "unmet", "energy", "investment", "utilisation", "bandwidth", "duals")
"""The DataFrames a Plan exposes (each also an attribute: `plan.racks`, `plan.load`, ...)."""


@dataclass
class Plan:
    """A solved plan: `summary` (what plan.json holds), tidy tables, and where it was written (or None)."""

    summary: dict[str, Any]
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    folder: Path | None = None
    timings: dict[str, float] = field(default_factory=dict)

    @classmethod
    def from_results(
        cls,
        summary: dict[str, Any],
        results: Results,
        data: ModelData,
        folder: Path | None,
        timings: dict[str, float],
        made: dict[str, pd.DataFrame] | None = None,
    ) -> Plan:
        """Tables of a plan solved in this process; `made`: the energy, investment and utilisation tables if made."""
        from planner.results.kpis import energy_by_cluster_year, investment, utilisation

        made = made or {}
        tables = {
            "racks": _racks(results.racks_new, results.racks, cast(dict[str, str], data.cluster_hub.to_dict())),
            "load": results.load,
            "unmet": results.unmet,
            "energy": made["energy"] if "energy" in made else energy_by_cluster_year(results, data),
            "investment": made["investment"] if "investment" in made else investment(results, data),
            "utilisation": made["utilisation"] if "utilisation" in made else utilisation(results),
            "bandwidth": results.bandwidth,
            "duals": results.duals,
        }
        return cls(summary, {k: _units(v) for k, v in tables.items()}, folder, timings)

    @classmethod
    def open(cls, folder: str | Path) -> Plan:
        """A plan folder written by `planner solve` (or `run(case, out=...)`)."""
        import pandas as pd

        from planner.results.plan_folder import read_plan_folder

        saved = read_plan_folder(folder)
        t = saved.tables
        hubs = {c.cluster_id: c.hub_id for c in saved.inputs.clusters}
        tables = {
            "racks": _racks(t["racks_new"], t["racks"], hubs),
            "energy": t["energy_summary"],
            **{name: t[name] for name in ("load", "unmet", "investment", "utilisation", "bandwidth", "duals")},
        }
        timings = saved.manifest.get("timings_s", {})
        summary = {**saved.plan}
        summary.setdefault("plan_status", plan_status(str(summary.get("status")), summary))
        return cls(summary, {k: _units(pd.DataFrame(v)) for k, v in tables.items()}, Path(folder), timings)

    # ------------------------------------------------------------------ the headline
    @property
    def status(self) -> str:
        """`optimal`, `feasible` (stopped early), each with `, demand unmet` when demand is left unserved."""
        return str(self.summary.get("plan_status") or plan_status(str(self.summary.get("status")), self.summary))

    @property
    def demand_unmet(self) -> bool:
        """True when the plan leaves demand unserved."""
        return demand_unmet(self.summary)

    @property
    def kpis(self) -> pd.DataFrame:
        """Headline numbers: one row per KPI (label with unit, value)."""
        import pandas as pd

        rows = [(label.strip(), self.summary.get(key)) for key, label, _ in headline(self.summary)]
        return pd.DataFrame(rows, columns=["kpi", "value"])

    # ------------------------------------------------------------------ tidy tables
    @property
    def racks(self) -> pd.DataFrame:
        """cluster, hub, year, new_racks, racks (installed at the end of the year)."""
        return self.tables["racks"]

    @property
    def load(self) -> pd.DataFrame:
        """workload, hub, cluster, year, load_racks: demand of each hub served at each cluster."""
        return self.tables["load"]

    @property
    def unmet(self) -> pd.DataFrame:
        """workload, hub, year, unmet_racks."""
        return self.tables["unmet"]

    @property
    def energy(self) -> pd.DataFrame:
        """cluster, year and energy in GWh (grid, renewable, certificates, facility, IT), emissions_mt_co2."""
        return self.tables["energy"]

    @property
    def investment(self) -> pd.DataFrame:
        """hub, year, racks_yi_yuan, network_yi_yuan, total_yi_yuan (overnight, undiscounted)."""
        return self.tables["investment"]

    @property
    def utilisation(self) -> pd.DataFrame:
        """cluster, year, racks, load_racks, utilisation_share."""
        return self.tables["utilisation"]

    @property
    def bandwidth(self) -> pd.DataFrame:
        """hub, cluster, year, traffic_gbps, capacity_gbps, bandwidth_new_gbps."""
        return self.tables["bandwidth"]

    @property
    def duals(self) -> pd.DataFrame:
        """Shadow prices: family, key, dual (in `unit`), slack, binding."""
        return self.tables["duals"]

    # ------------------------------------------------------------------ views
    def plot(self, what: str = "racks", ax: Axes | None = None) -> Axes:
        """A headline chart, returned as matplotlib Axes.

        `racks`: new racks per cluster and year; `investment`: per hub and year; `energy`: grid,
        renewable and certificate energy per year.
        """
        from planner.results.charts import plot_plan

        return plot_plan(self, what, ax)

    def __repr__(self) -> str:
        where = f", folder={str(self.folder)!r}" if self.folder else ", in memory"
        return f"<Plan {self.summary.get('case')!r}: {self.status}, {self.summary.get('time_resolution', '')}{where}>"

    def _repr_html_(self) -> str:
        """The summary table Jupyter shows for a Plan."""
        s = self.summary
        colour = "#b00020" if self.demand_unmet or self.status not in ("optimal",) else "#1b5e20"
        rows = [
            ("status", f'<b style="color:{colour}">{html.escape(self.status)}</b>'),
            ("years", html.escape(years_label(s))),
            ("time resolution", html.escape(str(s.get("time_resolution", "")))),
        ]
        for key, label, kind in headline(s):
            text = html.escape(fmt(s.get(key), kind))
            if key == "unmet_rack_years" and self.demand_unmet:
                text = f'<b style="color:#b00020">{text}</b>'
            rows.append((html.escape(label.strip()), text))
        rows.append(("written to", html.escape(str(self.folder)) if self.folder else "not written (in memory)"))
        body = "".join(
            f'<tr><th style="text-align:left">{k}</th><td style="text-align:right">{v}</td></tr>' for k, v in rows
        )
        caption = f"plan <code>{html.escape(str(s.get('case')))}</code>"
        tables = ", ".join(f"<code>.{name}</code>" for name in TABLES)
        charts = '<code>.plot("racks" | "investment" | "energy")</code>'
        return (
            f'<table><caption style="text-align:left">{caption}</caption>{body}</table><p '
            f'style="font-size:smaller">tables: {tables}; charts: {charts}</p>'
        )


def _racks(racks_new: pd.DataFrame, racks: pd.DataFrame, cluster_hub: dict[str, str]) -> pd.DataFrame:
    frame = racks_new.merge(racks, on=["cluster", "year"], how="outer").fillna({"new_racks": 0.0, "racks": 0.0})
    frame.insert(1, "hub", frame["cluster"].map(cluster_hub))
    return frame.sort_values(["cluster", "year"], ignore_index=True)


_RENAMES = {"emissions_mt": "emissions_mt_co2", "utilisation": "utilisation_share"}


def _units(frame: pd.DataFrame) -> pd.DataFrame:
    """Units in every numeric column's name."""
    return frame.rename(columns={k: v for k, v in _RENAMES.items() if k in frame.columns})
