"""Charts as inline SVG (matplotlib, text kept as text): racks, investment, energy, use, links.

Each function takes a table from `tables.py` and returns an `<svg>` string ready to inline: no XML
prologue, ids prefixed so several charts can share one page, no width/height (CSS sizes it), and
deterministic (fixed hash salt, no date).
"""

from __future__ import annotations

import io
import logging
import re
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from planner.report.fonts import FONT_STACK

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

INK, MUTED, GRID = "#1f2933", "#52606d", "#d9e2ec"
GREEN, LIGHT_GREEN, GREY, RED = "#2f9e44", "#a9dfb0", "#9aa5b1", "#c92a2a"
WIDTH_IN = 9.0

_RC: Any = {
    "svg.fonttype": "none",
    "svg.hashsalt": "planner-report",
    "font.family": "sans-serif",
    "font.sans-serif": [*FONT_STACK, "DejaVu Sans"],
    "font.size": 9.0,
    "axes.edgecolor": MUTED,
    "axes.labelcolor": INK,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "xtick.color": MUTED,
    "ytick.color": INK,
    "axes.grid": True,
    "axes.grid.axis": "x",
    "grid.color": GRID,
    "grid.linewidth": 0.7,
    "axes.axisbelow": True,
    "legend.frameon": False,
}


def display_width(text: str) -> int:
    """Columns a string takes: CJK characters count two."""
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in text)


def wrap(text: str, width: int = 38) -> str:
    """Wrap at spaces to `width` display columns; a CJK run without spaces is kept whole."""
    lines: list[str] = []
    for word in text.split(" "):
        if lines and display_width(lines[-1]) + 1 + display_width(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return "\n".join(lines)


def name_label(zh: str, en: str, width: int = 36) -> str:
    """Name on one line ("中卫 Zhongwei") when it fits, else the Chinese name over the wrapped English."""
    one = f"{zh} {en}"
    return one if display_width(one) <= width else f"{zh}\n{wrap(en, width)}"


def link_label(hub_zh: str, cluster_zh: str, hub_en: str, cluster_en: str, width: int = 36) -> str:
    """Link label: "长三角 → 芜湖" over "Yangtze River Delta → Wuhu"."""
    return f"{hub_zh} → {cluster_zh}\n{wrap(f'{hub_en} → {cluster_en}', width)}"


def _fmt(fmt: str) -> Callable[[float], str]:
    def show(x: float) -> str:
        return "0" if abs(x) < 0.05 else fmt.format(x)

    return show


@contextmanager
def _figure(height_in: float) -> Iterator[Figure]:
    import matplotlib
    from matplotlib.figure import Figure

    with matplotlib.rc_context(_RC), warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Glyph .* missing from font")
        font_log = logging.getLogger("matplotlib.font_manager")
        level = font_log.level
        font_log.setLevel(logging.ERROR)
        try:
            yield Figure(figsize=(WIDTH_IN, height_in))
        finally:
            font_log.setLevel(level)


def _svg(fig: Figure, name: str, title: str) -> str:
    buffer = io.StringIO()
    fig.savefig(
        buffer,
        format="svg",
        metadata={"Date": None, "Creator": "planner"},
        bbox_inches="tight",
        pad_inches=0.05,
    )
    text = buffer.getvalue()
    text = text[text.index("<svg") :]
    text = re.sub(r"<!--.*?-->", "", text, flags=re.S)
    text = re.sub(r'\s(width|height)="[\d.]+pt"', "", text, count=2)
    text = re.sub(r'id="([^"]+)"', rf'id="{name}-\1"', text)
    text = re.sub(r"url\(#([^)]+)\)", rf"url(#{name}-\1)", text)
    text = re.sub(r'href="#([^"]+)"', rf'href="#{name}-\1"', text)
    return text.replace("<svg ", f'<svg class="chart" role="img" aria-label="{title}" ', 1)


def _value_axis(ax: Axes) -> None:
    from matplotlib.ticker import StrMethodFormatter

    ax.xaxis.set_major_formatter(StrMethodFormatter("{x:,.0f}"))


def _rows_height(labels: list[str], per_line: float = 0.2, base: float = 1.1) -> float:
    lines = sum(label.count("\n") + 1 for label in labels)
    return base + per_line * max(lines, 2) + 0.12 * len(labels)


def _year_colors(n: int) -> list[tuple[float, float, float, float]]:
    from matplotlib import colormaps

    cmap = colormaps["Blues"]
    return [cmap(x) for x in np.linspace(0.35, 0.9, max(n, 1))][:n]


def stacked_by_year(
    table: pd.DataFrame,
    labels: list[str],
    xlabel: str,
    name: str,
    title: str,
    scale: float = 1.0,
    total_fmt: str = "{:,.0f}",
) -> str:
    """Horizontal bars, one per row of `table`, stacked by its year columns."""
    values = table.to_numpy(dtype=float) * scale
    wrapped = labels
    show = _fmt(total_fmt)
    with _figure(_rows_height(wrapped)) as fig:
        ax = fig.add_subplot()
        y = np.arange(len(table))[::-1]
        left = np.zeros(len(table))
        for j, (year, color) in enumerate(zip(table.columns, _year_colors(len(table.columns)), strict=True)):
            ax.barh(y, values[:, j], left=left, color=color, height=0.62, label=str(year))
            left += values[:, j]
        span = left.max() if left.max() > 0 else 1.0
        for yi, total in zip(y, left, strict=True):
            ax.text(total + 0.01 * span, yi, show(total), va="center", ha="left", fontsize=8, color=INK)
        ax.set_yticks(y, wrapped)
        ax.set_xlim(0, span * 1.12)
        ax.set_xlabel(xlabel)
        _value_axis(ax)
        ax.legend(
            ncols=len(table.columns),
            loc="lower left",
            bbox_to_anchor=(0, 1.0),
            fontsize=8,
            handlelength=1.2,
            columnspacing=1.0,
        )
        return _svg(fig, name, title)


def energy_mix_chart(mix: pd.DataFrame, labels: list[str], name: str, title: str) -> str:
    """Facility energy per cluster split into renewables, certified grid power and other grid power."""
    parts = [
        ("renewable_gwh", "Contracted renewables 绿电", GREEN),
        ("certified_grid_gwh", "Grid power with certificates 绿证", LIGHT_GREEN),
        ("grid_gwh", "Grid power 电网", GREY),
    ]
    wrapped = labels
    with _figure(_rows_height(wrapped)) as fig:
        ax = fig.add_subplot()
        y = np.arange(len(mix))[::-1]
        left = np.zeros(len(mix))
        for column, label, color in parts:
            twh = mix[column].to_numpy(dtype=float) / 1e3
            ax.barh(y, twh, left=left, color=color, height=0.62, label=label)
            left += twh
        span = left.max() if left.max() > 0 else 1.0
        for yi, total, share in zip(y, left, mix["green_share"], strict=True):
            ax.text(
                total + 0.01 * span,
                yi,
                f"{100 * share:.0f} % green",
                va="center",
                ha="left",
                fontsize=8,
                color=INK,
            )
        ax.set_yticks(y, wrapped)
        ax.set_xlim(0, span * 1.16)
        ax.set_xlabel("Facility energy over the horizon (TWh)")
        _value_axis(ax)
        ax.legend(ncols=3, loc="lower left", bbox_to_anchor=(0, 1.0), fontsize=8, handlelength=1.2)
        return _svg(fig, name, title)


def utilisation_chart(
    matrix: pd.DataFrame,
    floors: pd.Series,
    ceiling: float,
    labels: list[str],
    name: str,
    title: str,
) -> str:
    """上架率 per cluster as one bar per year, each cluster's floor as a red mark, the ceiling dashed."""
    wrapped = labels
    n = len(matrix.columns)
    with _figure(_rows_height(wrapped, base=1.3) + 0.04 * n * len(matrix)) as fig:
        ax = fig.add_subplot()
        y = np.arange(len(matrix))[::-1]
        step = 0.8 / max(n, 1)
        offsets = (np.arange(n) - (n - 1) / 2) * -step
        for j, (year, color) in enumerate(zip(matrix.columns, _year_colors(n), strict=True)):
            values = 100 * np.nan_to_num(matrix[year].to_numpy(dtype=float))
            ax.barh(y + offsets[j], values, height=step * 0.92, color=color, label=str(year))
        for yi, floor in zip(y, floors.to_numpy(dtype=float), strict=True):
            ax.plot(
                [100 * floor, 100 * floor],
                [yi - 0.45, yi + 0.45],
                color=RED,
                linewidth=2.0,
                solid_capstyle="butt",
            )
        ax.plot([], [], color=RED, linewidth=2.0, label="floor 下限")
        ax.axvline(
            100 * ceiling,
            color=MUTED,
            linestyle="--",
            linewidth=1.0,
            label=f"most in use ({100 * ceiling:.0f} %)",
        )
        ax.set_yticks(y, wrapped)
        ax.set_xlim(0, 100)
        ax.set_xlabel("Racks in use / racks installed (上架率, %)")
        handles, names = ax.get_legend_handles_labels()
        order = [i for i, label in enumerate(names) if label.isdigit()] + [i for i, label in enumerate(names) if not label.isdigit()]
        ax.legend(
            [handles[i] for i in order],
            [names[i] for i in order],
            ncols=n + 2,
            loc="lower left",
            bbox_to_anchor=(0, 1.0),
            fontsize=8,
            handlelength=1.0,
            columnspacing=1.0,
        )
        return _svg(fig, name, title)


def bandwidth_chart(links: pd.DataFrame, labels: list[str], name: str, title: str) -> str:
    """Traffic against capacity per link (Gbps) in each link's busiest year."""
    wrapped = labels
    with _figure(_rows_height(wrapped, per_line=0.19)) as fig:
        ax = fig.add_subplot()
        y = np.arange(len(links))[::-1]
        cap = links["capacity_gbps"].to_numpy(dtype=float)
        traffic = links["traffic_gbps"].to_numpy(dtype=float)
        ax.barh(y, cap, color="white", edgecolor=MUTED, linewidth=0.8, height=0.7, label="capacity 容量")
        ax.barh(y, traffic, color="#1971c2", height=0.46, label="traffic 流量")
        span = cap.max() if len(cap) and cap.max() > 0 else 1.0
        for yi, c, use, year in zip(y, cap, links["use"], links["year"], strict=True):
            ax.text(
                c + 0.01 * span,
                yi,
                f"{100 * use:.0f} % ({year})",
                va="center",
                ha="left",
                fontsize=7.5,
                color=RED if use > 0.999 else INK,
            )
        ax.set_yticks(y, wrapped, fontsize=8.5)
        ax.set_xlim(0, span * 1.15)
        ax.set_xlabel("Gbps in the link's busiest year")
        _value_axis(ax)
        ax.legend(ncols=2, loc="lower left", bbox_to_anchor=(0, 1.0), fontsize=8)
        return _svg(fig, name, title)
