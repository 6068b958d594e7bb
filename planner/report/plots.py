"""Small matplotlib charts rendered to inline SVG text for the HTML pages (compare, sweep).

Charts label things with ASCII ids (cluster and hub ids, units spelled out) so they render with
any font; SVG text is kept as text (`svg.fonttype: none`), so a browser draws it with its own fonts.
Output is deterministic: fixed hash salt, no date metadata.
"""

from __future__ import annotations

import html
import io
from collections.abc import Sequence
from typing import Any

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

STYLE: dict[str, Any] = {"svg.fonttype": "none", "svg.hashsalt": "planner", "font.size": 9, "axes.spines.top": False, "axes.spines.right": False}


def _svg(fig: Figure) -> str:
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None, "Creator": "planner"})
    plt.close(fig)
    text = buffer.getvalue()
    return text[text.index("<svg") :]


def grouped_bars(frame: pd.DataFrame, title: str, ylabel: str) -> str:
    """One group of bars per row of `frame` (e.g. clusters), one bar per column (e.g. plans)."""
    with plt.rc_context(STYLE):  # type: ignore[arg-type]
        fig, ax = plt.subplots(figsize=(max(6.0, 0.6 * len(frame) * max(1, len(frame.columns)) / 2 + 2), 3.4))
        x = np.arange(len(frame))
        width = 0.8 / max(1, len(frame.columns))
        for i, column in enumerate(frame.columns):
            ax.bar(x + (i - (len(frame.columns) - 1) / 2) * width, frame[column].to_numpy(dtype=float), width, label=str(column))
        ax.set_xticks(x, [str(i) for i in frame.index], rotation=30, ha="right")
        ax.set_ylabel(ylabel)
        ax.set_title(title, loc="left")
        ax.legend(frameon=False, fontsize=8)
        ax.grid(axis="y", alpha=0.3)
        return _svg(fig)


def scatter(x: pd.Series, y: pd.Series, xlabel: str, ylabel: str, title: str, colour: pd.Series | None = None, colour_label: str = "") -> str:
    """Scatter of y against x (one point per scenario), optionally coloured by a third number."""
    with plt.rc_context(STYLE):  # type: ignore[arg-type]
        fig, ax = plt.subplots(figsize=(4.6, 3.4))
        if colour is not None:
            points = ax.scatter(x, y, c=colour.to_numpy(dtype=float), cmap="viridis", s=18)
            fig.colorbar(points, ax=ax, label=colour_label)
        else:
            ax.scatter(x, y, s=18)
        ax.set_xlabel(xlabel)
        ax.set_ylabel(ylabel)
        ax.set_title(title, loc="left")
        ax.grid(alpha=0.3)
        return _svg(fig)


def lines(frame: pd.DataFrame, xlabel: str, ylabel: str, title: str, markers: Sequence[str] = ("o",)) -> str:
    """One line per column of `frame` against its index."""
    with plt.rc_context(STYLE):  # type: ignore[arg-type]
        fig, ax = plt.subplots(figsize=(4.6, 3.4))
        for i, column in enumerate(frame.columns):
            ax.plot(frame.index, frame[column], marker=markers[i % len(markers)], label=str(column), ms=3)
        ax.set_xlabel(xlabel)
        ax.set_ylabel(ylabel)
        ax.set_title(title, loc="left")
        if len(frame.columns) > 1:
            ax.legend(frameon=False, fontsize=8)
        ax.grid(alpha=0.3)
        return _svg(fig)


def html_page(title: str, body: str) -> str:
    """A standalone UTF-8 HTML page with the planner's table style (CJK-capable font stack)."""
    style = (
        "body{font-family:system-ui,'Noto Sans CJK SC','PingFang SC','Microsoft YaHei',sans-serif;margin:2em;max-width:1100px}"
        "table{border-collapse:collapse;margin:0.5em 0 1.5em}td,th{border:1px solid #ccc;padding:2px 8px;font-size:0.9em}"
        "td{text-align:right}td:first-child{text-align:left}th{background:#f3f3f3}figure{margin:1em 0}"
    )
    return f'<!DOCTYPE html>\n<html lang="zh-CN"><head><meta charset="utf-8"><title>{html.escape(title)}</title><style>{style}</style></head>\n<body>\n{body}\n</body></html>\n'
