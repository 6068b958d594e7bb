"""Explain why a case has no plan (or leaves demand unmet) by family, entity and size.

Two methods, on a model built for the purpose:

1. an IIS from HiGHS (`planner.solver.iis`): a minimal set of rows that cannot hold together;
2. an elastic relaxation: every row of the relaxable families (`diagnose_text.ROW_UNITS`: budgets,
   floors, shares, caps, land, build pace, power, links, renewable potential) gets a slack column
   (`_lp.elastic`: a block of slack columns added to the built rows). For each family alone, the LP "minimise
   its total slack" finds the least relaxation of that family that restores feasibility; the
   smallest of these, relative to the rows' own size, is the headline. If no single family does,
   all are relaxed together, each row's slack weighted by 1 / its size.

A case that solves but leaves demand unmet is diagnosed the same way with the unmet-demand slack
fixed at zero: "what stops this case from serving all demand?".
"""

from __future__ import annotations

import logging
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from planner.analysis.presolve import Finding, check_case
from planner.analysis.words import FLOORS, MECHANICS, ROW_UNITS, Words
from planner.config import RunConfig
from planner.inputs.schema import Inputs
from planner.model import Built, _lp, build_model
from planner.model.data import build_data
from planner.solver.iis import Iis, compute_iis
from planner.solver.solve import Status, solve
from planner.verify.base import case_frames

logger = logging.getLogger(__name__)

SLACK_TOL = 1e-6
"""Slack (model units) below which a row counts as not relaxed."""

FAMILY_GROUPS: dict[str, tuple[str, ...]] = {
    "budget": ("budget_yearly", "budget_total"),
    "links": ("link_bandwidth", "link_expansion_limit"),
}
"""Families one change relaxes together (each still reported row by row)."""


@dataclass(frozen=True)
class Relaxation:
    """One row relaxed: by how much, against which limit, in report units."""

    family: str
    key: tuple[str, ...]
    amount: float
    unit: str
    limit: float
    size: float
    """What the row asks for at the relaxed plan (e.g. racks the floor requires in use), report units."""
    text: str


@dataclass(frozen=True)
class Option:
    """A change to one family alone that restores feasibility."""

    family: str
    relaxations: tuple[Relaxation, ...]
    action: str = ""
    """The change in words: 'raise the 2026 budget by 0.30 亿元 to 0.80 亿元'."""

    @property
    def total(self) -> float:
        """Total relaxation in the family's unit."""
        return sum(r.amount for r in self.relaxations)

    @property
    def relative(self) -> float:
        """How big a change it is: the relaxation over the rows' limits (or, for floors, what they ask)."""
        size = sum(abs(r.limit) if abs(r.limit) > 1e-9 else r.size for r in self.relaxations)
        return self.total / size if size > 0 else float("inf")


@dataclass(frozen=True)
class Diagnosis:
    """Everything `planner diagnose` found, and the sentences that explain it."""

    case: str
    question: str  # "infeasible", "unmet_demand" or "none"
    status: str
    headline: str
    unmet_rack_years: float = 0.0
    presolve: tuple[Finding, ...] = ()
    iis: Iis | None = None
    options: tuple[Option, ...] = ()
    combined: tuple[Relaxation, ...] = ()
    notes: tuple[str, ...] = field(default_factory=tuple)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (diagnosis.json)."""
        return {
            "case": self.case,
            "question": self.question,
            "status": self.status,
            "headline": self.headline,
            "unmet_rack_years": self.unmet_rack_years,
            "presolve": [asdict(f) for f in self.presolve],
            "iis": None
            if self.iis is None
            else {
                "rows": [{"family": r.family, "key": list(r.key), "side": r.side} for r in self.iis.rows],
                "bounds": [{"variable": r.family, "key": list(r.key), "side": r.side} for r in self.iis.bounds],
                "families": self.iis.families(),
                "note": self.iis.note,
            },
            "options": [
                {
                    "family": o.family,
                    "action": o.action,
                    "total": o.total,
                    "relative": o.relative,
                    "relaxations": [asdict(r) for r in o.relaxations],
                }
                for o in self.options
            ],
            "combined": [asdict(r) for r in self.combined],
            "notes": list(self.notes),
        }


def diagnose_inputs(inputs: Inputs, config: RunConfig) -> Diagnosis:
    """Solve the case; explain infeasibility, or unmet demand, or report that there is nothing to explain."""
    findings = tuple(check_case(inputs))
    built = build_model(build_data(inputs), inputs.scenario.name)
    with tempfile.TemporaryDirectory(prefix="planner-diagnose-") as tmp:
        result = solve(built.model, config, Path(tmp) / "solver.log")
        if result.status in (Status.INFEASIBLE, Status.UNBOUNDED):
            return analyse(built, inputs, config, Path(tmp), "infeasible", findings)
        if result.status not in (Status.OPTIMAL, Status.FEASIBLE):
            stopped = f"the solver stopped ({result.status}) before deciding; raise the time limit"
            return Diagnosis(inputs.scenario.name, "none", str(result.status), stopped, presolve=findings)
        unmet = float(np.nansum(_lp.values(built.model, built.vars.unmet).to_numpy())) * 1e3
        if unmet <= 1e-3:
            fine = "nothing to explain: the case has a plan that serves all demand"
            return Diagnosis(inputs.scenario.name, "none", str(result.status), fine, presolve=findings)
        firm = build_model(build_data(inputs), inputs.scenario.name)
        _lp.fix_upper(firm.model, firm.vars.unmet, 0.0)
        found = analyse(firm, inputs, config, Path(tmp), "unmet_demand", findings)
        return Diagnosis(**{**found.__dict__, "status": str(result.status), "unmet_rack_years": unmet})


def analyse(
    built: Built, inputs: Inputs, config: RunConfig, workdir: Path, question: str, findings: tuple[Finding, ...] = ()
) -> Diagnosis:
    """IIS and elastic relaxation of an infeasible built model (it is modified: use it for nothing else)."""
    words = Words(case_frames(inputs))
    iis = compute_iis(built.model, workdir)
    slacks = _lp.elastic(built.model, [f for f in ROW_UNITS if f in built.model.rows])
    in_conflict = set(iis.families()) if iis.found else set(slacks)
    options = []
    for group, families in _groups(slacks, in_conflict).items():
        option = _relax(built, slacks, families, config, workdir, words)
        if option:
            options.append(Option(group, option, _option_action(option, words)))
    options.sort(key=lambda o: o.relative)
    combined: tuple[Relaxation, ...] = ()
    if not options:
        combined = _relax(built, slacks, set(slacks), config, workdir, words, weighted=True) or ()
    headline = _headline(question, options, combined, iis, words)
    notes = () if iis.found else (iis.note,)
    return Diagnosis(inputs.scenario.name, question, "infeasible" if question == "infeasible" else "optimal", headline,
                     presolve=findings, iis=iis, options=tuple(options), combined=combined, notes=notes)


def _groups(slacks: dict[str, pd.Series], in_conflict: set[str]) -> dict[str, set[str]]:
    """What one change may relax together: a family, or a group of families, if any of it is in conflict.

    A yearly and a total budget bind together, and so do a link's capacity and its expansion limit.
    """
    out: dict[str, set[str]] = {}
    for family in slacks:
        name = next((g for g, members in FAMILY_GROUPS.items() if family in members), family)
        out.setdefault(name, set()).add(family)
    return {name: members for name, members in out.items() if members & in_conflict}


def _relax(built: Built, slacks: dict[str, pd.Series], families: set[str], config: RunConfig, workdir: Path,
           words: Words, weighted: bool = False) -> tuple[Relaxation, ...] | None:
    """Least total slack over `families` (others held firm); None if that does not restore feasibility."""
    m = built.model
    for family, cols in slacks.items():
        _lp.fix_upper(m, cols, None if family in families else 0.0)
    columns = pd.concat([slacks[f] for f in slacks if f in families])
    weights = np.concatenate([_weights(built, f, weighted) for f in slacks if f in families])
    _lp.minimise(m, columns, weights)
    result = solve(m, config, workdir / "elastic.log")
    if result.status not in (Status.OPTIMAL, Status.FEASIBLE):
        return None
    out = []
    for family in (f for f in slacks if f in families):
        values = _lp.values(m, slacks[family]).to_numpy()
        hit = np.flatnonzero(values > SLACK_TOL)
        if not len(hit):
            continue
        unit, factor = ROW_UNITS[family]
        rhs, size = _lp.row_limits(m, family)
        keys = m.rows[family]
        for i in hit:
            label = keys[int(i)]
            key = tuple(str(k) for k in (label if isinstance(label, tuple) else (label,)))
            amount, limit = float(values[i]) * factor, round(float(rhs[i]) * factor, 9) + 0.0
            out.append(
                Relaxation(
                    family, key, amount, unit, limit, float(size[i]) * factor, words.relaxed(family, key, amount, limit)
                )
            )
    return tuple(sorted(out, key=lambda r: -r.amount))


def _weights(built: Built, family: str, weighted: bool) -> np.ndarray:
    """Price per unit of slack: 1 (or 1 / the row's size when families are mixed), plus a tie-break.

    Ties are common (the shortfall can sit at either of two clusters, in either year); the tiny
    rising tie-break puts it on the earliest rows consistently, so the story reads the same each year.
    """
    n = len(built.model.rows[family])
    tie_break = 1.0 + 1e-6 * np.arange(n) / max(n, 1)
    if not weighted:
        return tie_break
    rhs, _ = _lp.row_limits(built.model, family)
    reference = np.median(np.abs(rhs[rhs != 0])) if np.any(rhs != 0) else 1.0
    return tie_break / np.maximum(np.abs(rhs), max(reference, 1e-3))


def _headline(question: str, options: list[Option], combined: tuple[Relaxation, ...], iis: Iis, words: Words) -> str:
    """One sentence: the least change, and what the rest of the conflict requires."""
    relaxations = options[0].relaxations if options else combined
    if not relaxations:
        return "no relaxation of the policy and limit families restores feasibility; see the conflicting constraints"
    in_iis = {(r.family, r.key) for r in iis.rows}
    relaxations = tuple(sorted(relaxations, key=lambda r: ((r.family, r.key) not in in_iis, -r.amount)))
    what = _group_text(relaxations, words)
    family = relaxations[0].family
    relaxed = {(r.family, r.key) for r in relaxations}
    others = _requirements(iis, relaxed, words, firm_demand=question == "unmet_demand")
    what = what[0].upper() + what[1:]
    if not others:
        return what + "."
    sentence = f"{what}: {others} leave no room for more." if family in FLOORS else f"{what} of what {others} require."
    if len(options) > 1:
        sentence += (
            " Other single changes that would also restore feasibility: "
            + "; ".join(o.action for o in options[1:4])
            + "."
        )
    return sentence


def _option_action(relaxations: tuple[Relaxation, ...], words: Words) -> str:
    """'raise the 2026 budget by 0.30 亿元 to 0.80 亿元 (and 1 more row)'."""
    first = relaxations[0]
    more = len(relaxations) - 1
    return words.action(first.family, first.key, first.amount, first.limit) + (
        f" (and {more} more row{'s' if more > 1 else ''})" if more else ""
    )


def _group_text(relaxations: tuple[Relaxation, ...], words: Words) -> str:
    """The largest relaxation, its twins in other years folded in ('in 2026 and 2027'), and a count of the rest."""
    first = relaxations[0]
    year_at = next((i for i, k in enumerate(first.key) if k.isdigit() and len(k) == 4), None)
    twins = [
        r
        for r in relaxations
        if year_at is not None
        and r.family == first.family
        and len(r.key) == len(first.key)
        and r.key[:year_at] + r.key[year_at + 1 :] == first.key[:year_at] + first.key[year_at + 1 :]
        and abs(r.amount - first.amount) <= 1e-6 * max(1.0, first.amount)
        and abs(r.limit - first.limit) <= 1e-9 * max(1.0, abs(first.limit))
    ]
    if year_at is not None and len(twins) > 1:
        years = (
            " and ".join(sorted(r.key[year_at] for r in twins))
            if len(twins) <= 3
            else f"{twins[0].key[year_at]}-{twins[-1].key[year_at]}"
        )
        key = (*first.key[:year_at], years, *first.key[year_at + 1:])
        text = words.relaxed(first.family, key, first.amount, first.limit) + " each year"
    else:
        twins, text = [first], first.text
    others = [r for r in relaxations if r not in twins]
    if others and others[0].family != first.family:
        text += f" and {others.pop(0).text}"
    rest = len(others)
    return text + (f" (and {rest} more row{'s' if rest > 1 else ''})" if rest else "")


def _requirements(iis: Iis, relaxed: set[tuple[str, tuple[str, ...]]], words: Words, firm_demand: bool) -> str:
    """The IIS's other rows in domain words by family, floors first, demand last."""
    groups: dict[str, list[tuple[tuple[str, ...], str]]] = {}
    for row in iis.rows:
        if (row.family, row.key) in relaxed or row.family in MECHANICS:
            continue
        groups.setdefault(row.family, []).append((row.key, row.side))
    order = sorted(groups, key=lambda f: (f == "demand_met", f not in FLOORS))
    phrases = [
        words.requirement(f, [k for k, _ in groups[f]], ["lower" if firm_demand else s for _, s in groups[f]])
        for f in order
    ]
    if not phrases:
        return ""
    return phrases[0] if len(phrases) == 1 else ", ".join(phrases[:-1]) + " and " + phrases[-1]


def to_markdown(d: Diagnosis) -> str:
    """diagnosis.md."""
    titles = {
        "infeasible": "No feasible plan",
        "unmet_demand": f"Demand left unmet ({d.unmet_rack_years:,.0f} rack-years)",
        "none": "Nothing to diagnose",
    }
    title = titles[d.question]
    lines = [f"# Diagnosis of case '{d.case}': {title}", "", f"**{d.headline}**", ""]
    if d.question == "unmet_demand":
        lines += [
            "The plan is feasible but leaves demand unmet (priced at the unmet penalty). Below, demand is held firm "
            "(no unmet demand allowed) to find what stops the case from serving all of it.",
            "",
        ]
    if d.options:
        lines += ["## Single changes that each restore feasibility (least first)", ""]
        for i, option in enumerate(d.options, 1):
            unit = option.relaxations[0].unit
            lines.append(
                f"{i}. **{option.family}**: {option.action}; {option.total:,.4g} {unit} in all, a "
                f"{option.relative:.0%} change"
            )
            lines += [f"   - {r.text}" for r in option.relaxations[:10]]
            if len(option.relaxations) > 10:
                lines.append(f"   - ... and {len(option.relaxations) - 10} more rows")
        lines.append("")
    if d.combined:
        lines += (
            ["## Least combined change (no single family suffices)", ""]
            + [f"- {r.text}" for r in d.combined[:20]]
            + [""]
        )
    if d.iis is not None and d.iis.found:
        lines += [
            f"## Conflicting constraints (IIS from HiGHS: {len(d.iis.rows)} rows, {len(d.iis.bounds)} variable bounds)",
            "",
            "| family | side | key |",
            "|---|---|---|",
        ]
        lines += [f"| {r.family} | {r.side} | {'/'.join(r.key)} |" for r in d.iis.rows[:40]]
        if len(d.iis.rows) > 40:
            lines.append(f"| ... | | {len(d.iis.rows) - 40} more rows in diagnosis.json |")
        lines.append("")
    if d.presolve:
        lines += ["## Pre-solve findings", ""] + [f"- {f}" for f in d.presolve] + [""]
    lines += [f"_{n}_" for n in d.notes if n]
    return "\n".join(lines).rstrip() + "\n"
