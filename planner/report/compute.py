"""The report's compute section: EFLOPS by cluster, the intelligent share, and supply outside the hubs."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from planner.report.tables import View, num, pct

if TYPE_CHECKING:
    from planner.report.document import Block, Section


def compute_table(v: View) -> pd.DataFrame:
    """Compute in use (EFLOPS) per cluster and year, from plan.json; empty when the case gives no compute rates."""
    by_cluster = v.plan.get("compute_eflops_by_cluster_year") or {}
    if not by_cluster:
        return pd.DataFrame()
    frame = pd.DataFrame(by_cluster).T.fillna(0.0)
    frame = frame[sorted(frame.columns)]
    out = frame.map(lambda x: num(float(x), 1))
    out.insert(0, v.lang("Cluster", "集群"), [v.name(str(c)) for c in frame.index])
    return out.reset_index(drop=True)


def _outside(v: View) -> list[str]:
    """Sentences on new racks at sites outside the national hubs and the 60 % rule."""
    if "in_hubs" not in v.clusters or v.clusters["in_hubs"].astype(bool).all():
        return []
    new = pd.Series(v.plan.get("new_racks_by_cluster") or {}, dtype=float)
    outside = v.clusters.index[~v.clusters["in_hubs"].astype(bool)]
    total, out = float(new.sum()), float(new.reindex(outside, fill_value=0.0).sum())
    floor = v.inputs.scenario.policy.national_hubs_share_min_new_racks
    inside = 1.0 - out / total if total > 0 else 1.0
    binds = floor is not None and inside <= floor + 1e-6
    rule = "" if floor is None else v.lang(
        f" The rule that at least {pct(floor, 0)} of new racks go to the national hubs is "
        f"{'binding' if binds else 'not binding'}.",
        f"国家枢纽节点新增算力占比不低于 {pct(floor, 0)} 的要求"
        f"{'已起约束作用' if binds else '未起约束作用'}。",
    )
    return [v.lang(
        f"Sites outside the national hubs ({len(outside)}) get {num(out)} of {num(total)} new racks "
        f"({pct(out / total if total > 0 else 0.0)}).",
        f"国家枢纽节点以外的 {len(outside)} 个站点新增机架 {num(out)} 架，占全部新增机架 {num(total)} 架的 "
        f"{pct(out / total if total > 0 else 0.0)}。",
    ) + rule]


def compute_section(v: View) -> Section | None:
    """Compute (EFLOPS) by cluster and year, the intelligent share, outside-hub supply; None when none apply."""
    from planner.report.document import Para, Section, Table

    table = compute_table(v)
    outside = _outside(v)
    if table.empty and not outside:
        return None
    lang = v.lang
    blocks: list[Block] = []
    if not table.empty:
        precision = v.inputs.scenario.compute_precision
        by_year = v.plan.get("compute_eflops_by_year") or {}
        share = v.plan.get("intelligent_share_of_compute_by_year") or {}
        last = max(by_year) if by_year else str(v.last)
        ai = share.get(last)
        amount = num(float(by_year.get(last, 0.0)), 1)
        if ai is None or not (v.workloads["compute_kind"] == "intelligent").any():
            en = f"Compute in use in {last}: {amount} EFLOPS ({precision}); no class of the case is intelligent (AI)."
            zh = f"{last} 年在用算力 {amount} EFLOPS（{precision}）；本案例没有智能算力业务类型。"
        else:
            en = f"Compute in use in {last}: {amount} EFLOPS ({precision}); intelligent (AI) is {pct(float(ai))} of it."
            zh = f"{last} 年在用算力 {amount} EFLOPS（{precision}），其中智能算力占 {pct(float(ai))}。"
        blocks.append(Para(lang(en, zh)))
        blocks.append(Table(table, caption=lang(f"Compute in use by cluster (EFLOPS, {precision})",
                                                f"各集群在用算力（EFLOPS，{precision}）")))
    blocks += [Para(text) for text in outside]
    return Section("compute", lang("Compute and supply outside the hubs", "算力与枢纽外供给"), blocks)


def compute_targets(v: View, tol: float, marks: tuple[str, str]) -> list[tuple[str, str, str, str]]:
    """Rows of the brief's policy-target table: the intelligent share (when set), the 60 % rule (outside sites)."""
    lang, met, not_met = v.lang, marks[0], marks[1]
    rows = []
    policy = v.inputs.scenario.policy
    floor, start = policy.intelligent_share_min, policy.intelligent_share_from_year or v.first
    shares = {y: x for y, x in (v.plan.get("intelligent_share_of_compute_by_year") or {}).items() if int(y) >= start}
    if floor is not None and shares:
        low = min(float(x) for x in shares.values())
        lowest = lang("lowest", "最低") + f" {pct(low, 0)}"
        rows.append((lang("Intelligent-compute share", "智能算力占比"), f"≥ {pct(floor, 0)}", lowest,
                     met if low >= floor - tol else not_met))
    hubs = v.inputs.scenario.policy.national_hubs_share_min_new_racks
    if hubs is not None and "in_hubs" in v.clusters and not v.clusters["in_hubs"].astype(bool).all():
        new = pd.Series(v.plan.get("new_racks_by_cluster") or {}, dtype=float)
        inside = v.clusters.index[v.clusters["in_hubs"].astype(bool)]
        total = float(new.sum())
        got = float(new.reindex(inside, fill_value=0.0).sum()) / total if total > 0 else 1.0
        title = lang("New racks in the national hubs", "国家枢纽节点新增机架占比")
        rows.append((title, f"≥ {pct(hubs, 0)}", pct(got, 0), met if got >= hubs - tol else not_met))
    return rows
