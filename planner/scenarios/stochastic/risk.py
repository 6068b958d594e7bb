"""The three objectives over futures' costs Q_s (亿元, present value): expected, + CVaR, minimax regret.

* expected:  Σ_s p_s Q_s
* cvar:      Σ_s p_s Q_s + λ · CVaR_α(Q),  CVaR_α(Q) = min_η η + Σ_s p_s (Q_s − η)⁺ / (1 − α)
             (α the level, λ the weight; CVaR_α is the expected cost of the worst 1 − α of probability)
* regret:    max_s (Q_s − z*_s), z*_s the future's perfect-foresight optimum
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

Objective = Literal["expected", "cvar", "regret"]


@dataclass(frozen=True)
class Risk:
    """Which objective, with its CVaR level and weight."""

    objective: Objective = "expected"
    level: float = 0.9
    weight: float = 1.0


def cvar(q: np.ndarray, p: np.ndarray, level: float) -> float:
    """CVaR_α of costs q with probabilities p (the minimum over η is at one of the q_s)."""
    best = np.inf
    for eta in q:
        best = min(best, float(eta + np.dot(p, np.maximum(q - eta, 0.0)) / (1.0 - level)))
    return best


def value(risk: Risk, q: np.ndarray, p: np.ndarray, z: np.ndarray | None = None) -> float:
    """The objective at futures' costs q (z: perfect-foresight optima, for regret)."""
    if risk.objective == "expected":
        return float(np.dot(p, q))
    if risk.objective == "cvar":
        return float(np.dot(p, q)) + risk.weight * cvar(q, p, risk.level)
    assert z is not None
    return float(np.max(q - z))
