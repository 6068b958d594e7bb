"""The robustness section of a stochastic plan (`planner solve CASE --stochastic FILE`).

Everything comes from plan.json's `stochastic` block, written by `planner.pipeline.run_stochastic`.
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from planner.report.document import Block, Bullets, Para, Section, Table
from planner.report.tables import View

OBJECTIVES = {
    "expected": ("expected cost", "期望成本"),
    "cvar": ("expected cost plus CVaR", "期望成本加CVaR"),
    "regret": ("minimax regret", "最小最大遗憾"),
}


def _yi(x: Any) -> str:  # noqa: ANN401 - a JSON number or null
    return "—" if x is None or not math.isfinite(float(x)) else f"{float(x):,.2f}"


def _words(v: View, f: dict[str, Any]) -> list[list[str]]:
    lang = v.lang
    vss, evpi, rp, eev = (_yi(f.get(k)) for k in ("vss_yi_yuan", "evpi_yi_yuan", "rp_yi_yuan", "eev_yi_yuan"))
    if f.get("vss_yi_yuan") is None:
        vss_text = lang.sentences(
            "VSS: the plan for the average forecast leaves at least one future without any feasible recourse; "
            "the stochastic plan does not.",
            "VSS：按平均预测的规划在至少一种情景下无可行的后续调整，随机规划则没有此问题。",
        )
    else:
        vss_text = lang.sentences(
            f"VSS {vss} 亿元: committing to the stochastic plan saves {vss} 亿元 in expectation against planning "
            f"for the average forecast (expected cost {rp} against {eev} 亿元).",
            f"VSS {vss} 亿元：与按平均预测规划相比，采用随机规划的期望成本低 {vss} 亿元（{rp} 对 {eev} 亿元）。",
        )
    evpi_text = lang.sentences(
        f"EVPI {evpi} 亿元: knowing the future before committing would save {evpi} 亿元 in expectation; "
        "it bounds what better forecasts are worth.",
        f"EVPI {evpi} 亿元：若能在决策前预知未来，期望可节省 {evpi} 亿元，即更好预测的价值上限。",
    )
    mine, ev = _yi(f.get("max_regret_yi_yuan")), _yi(f.get("max_regret_of_ev_plan_yi_yuan"))
    regret_text = lang.sentences(
        f"Largest regret: {mine} 亿元 for this plan, {ev} 亿元 for the average-forecast plan.",
        f"最大遗憾：本规划 {mine} 亿元，平均预测规划 {ev} 亿元。",
    )
    return [vss_text, evpi_text, regret_text]


def robustness_section(v: View) -> Section | None:
    """Here-and-now plan, regret against each future's perfect-foresight plan, VSS and EVPI; None for a plain plan."""
    s = v.plan.get("stochastic")
    if not isinstance(s, dict):
        return None
    lang, f = v.lang, s["figures"]
    what = OBJECTIVES.get(s["objective"], (s["objective"], s["objective"]))
    total, n, shown_future = _yi(f["objective_yi_yuan"]), s["futures"], s["shown_future"]
    intro = lang(
        f"This plan commits the here-and-now decisions of a plan over {n} futures ({what[0]}: {total} 亿元); "
        f"the rest of this report shows its recourse in future '{shown_future}'.",
        f"本规划先行决策基于{n}种未来情景（{what[1]}：{total} 亿元）；报告其余部分为情景“{shown_future}”下的后续决策。",
    )
    h = s["here_and_now"]
    here = pd.DataFrame(h["values"], index=h["rows"], columns=h["columns"])
    here = here.map(lambda x: "—" if x is None else f"{x:,.0f}")
    here.insert(0, lang("cluster", "集群"), here.index)
    regret = pd.DataFrame(s["regret"])
    table = pd.DataFrame(
        {
            lang("future", "情景"): regret["future"],
            lang("probability", "概率"): regret["probability"].map(lambda x: f"{x:.3f}"),
            lang("cost of this plan (亿元)", "本规划成本（亿元）"): regret["cost_yi_yuan"].map(_yi),
            lang("perfect-foresight cost (亿元)", "完全预见成本（亿元）"): regret["perfect_foresight_yi_yuan"].map(_yi),
            lang("regret (亿元)", "遗憾（亿元）"): regret["regret_yi_yuan"].map(_yi),
            lang("average-forecast plan: cost (亿元)", "平均预测规划成本（亿元）"): regret["ev_plan_cost_yi_yuan"].map(
                _yi
            ),
        }
    )
    here_caption = lang(
        "Here-and-now plan: new racks per cluster and link capacity added (Gbps) up to the commitment year; "
        "the stochastic plan, the average-forecast plan (ev_plan) and each future's perfect-foresight plan (pf_…)",
        "先行决策：承诺年份前各集群新建机架与新增链路带宽（Gbps）",
    )
    regret_caption = lang(
        "Regret: cost in each future against that future's perfect-foresight plan (present value)",
        "遗憾：各情景下成本与该情景完全预见规划之差（现值）",
    )
    blocks: list[Block] = [Para(intro), Table(here.reset_index(drop=True), here_caption), Table(table, regret_caption)]
    blocks.append(Bullets(_words(v, f)))
    return Section("robustness", lang("Robustness over futures", "多情景稳健性"), blocks)
