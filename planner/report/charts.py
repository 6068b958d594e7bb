"""Every chart the planner draws, in one style: hand-written inline SVG, text kept as text.

Used by the plan report, compare.html and sweep.html. No plotting library: a chart is a few
hundred SVG elements written from the numbers, which keeps a report under half a second and the
output byte-for-byte deterministic. Labels sit on one line (never three-line ticks): the label
column is as wide as the longest label. Years take a qualitative palette so five years are five
distinct colours; sequential data (heatmaps) take one light-to-dark ramp.
"""

from __future__ import annotations

import html
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

INK, MUTED, GRID, PAPER = "#1f2933", "#52606d", "#d9e2ec", "#ffffff"
GREEN, LIGHT_GREEN, GREY, RED, BLUE = "#2f9e44", "#a9dfb0", "#adb5bd", "#c92a2a", "#1971c2"
PALETTE = ("#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2", "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac")
"""Qualitative palette (Tableau 10) for years, plans and hubs: neighbours are distinct hues."""
RAMP = ("#f1f7fd", "#cfe3f5", "#9ec5e8", "#6aa3d5", "#3b7fbf", "#1c5a99", "#0b3a6f")
"""Sequential ramp for heatmaps, light to dark."""
WIDTH = 900.0
FONT = 13.0
ROW = 24.0

Fmt = Callable[[float], str]


def text_width(text: str, size: float = FONT) -> float:
    """Estimated width of a one-line label: CJK characters 1 em, others about 0.56 em."""
    return sum(size if ord(ch) > 0x2E7F else 0.57 * size for ch in text)


def colours(n: int) -> list[str]:
    """`n` qualitative colours (cycled after ten)."""
    return [PALETTE[i % len(PALETTE)] for i in range(n)]


def nice_ticks(top: float, bottom: float = 0.0, count: int = 5) -> list[float]:
    """Round tick values spanning [bottom, top]."""
    span = top - bottom
    if span <= 0:
        return [bottom, bottom + 1.0]
    raw = span / count
    step = 10 ** math.floor(math.log10(raw))
    step *= next(m for m in (1, 2, 2.5, 5, 10) if m * step >= raw)
    start = math.floor(bottom / step) * step
    ticks = []
    t = start
    while t <= top + step * 0.999:
        ticks.append(round(t, 10))
        t += step
    return ticks


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def _t(
    x: float,
    y: float,
    text: str,
    anchor: str = "start",
    size: float = FONT,
    colour: str = INK,
    weight: str = "",
    cls: str = "",
) -> str:
    w = f' font-weight="{weight}"' if weight else ""
    c = f' class="{cls}"' if cls else ""
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" font-size="{size:g}" '
        f'fill="{colour}"{w}{c}>{_e(text)}</text>'
    )


def _svg(name: str, title: str, height: float, body: list[str], width: float = WIDTH) -> str:
    return (
        f'<svg class="chart" id="chart-{_e(name)}" viewBox="0 0 {width:.0f} {height:.0f}" role="img" '
        f'aria-label="{_e(title)}" '
        f'xmlns="http://www.w3.org/2000/svg">{"".join(body)}</svg>'
    )


@dataclass(frozen=True)
class Series:
    """One colour of a bar chart: its name in the legend and one value per row."""

    name: str
    values: Sequence[float]
    colour: str


def _legend(items: Sequence[tuple[str, str, str]], x: float, y: float, width: float) -> tuple[list[str], float]:
    """Legend swatches in rows from (x, y); items are (name, colour, kind) with kind box|line|dash.

    Returns elements, height.
    """
    out, cx, cy = [], x, y
    for name, colour, kind in items:
        w = 18 + 6 + text_width(name, 12) + 18
        if cx + w > x + width and cx > x:
            cx, cy = x, cy + 20
        if kind == "box":
            out.append(f'<rect x="{cx:.1f}" y="{cy - 10:.1f}" width="14" height="12" rx="2" fill="{colour}"/>')
        else:
            dash = ' stroke-dasharray="4 3"' if kind == "dash" else ""
            out.append(
                f'<line x1="{cx:.1f}" y1="{cy - 4:.1f}" x2="{cx + 16:.1f}" y2="{cy - 4:.1f}" stroke="{colour}" '
                f'stroke-width="2.5"{dash}/>'
            )
        out.append(_t(cx + 22, cy, name, size=12, colour=INK))
        cx += w
    return out, cy - y + 20


def _value_axis(
    x0: float, x1: float, y0: float, y1: float, top: float, fmt: Fmt, label: str
) -> tuple[list[str], Callable[[float], float]]:
    ticks = nice_ticks(top)
    top = max(ticks[-1], 1e-12)

    def sx(v: float) -> float:
        return x0 + (x1 - x0) * v / top

    out = []
    for t in ticks:
        out.append(
            f'<line x1="{sx(t):.1f}" y1="{y0:.1f}" x2="{sx(t):.1f}" y2="{y1:.1f}" stroke="{GRID}" stroke-width="1"/>'
        )
        out.append(_t(sx(t), y1 + 16, fmt(t), "middle", 12, MUTED))
    out.append(_t((x0 + x1) / 2, y1 + 36, label, "middle", 12.5, INK))
    return out, sx


def bars(
    labels: Sequence[str],
    series: Sequence[Series],
    xlabel: str,
    name: str,
    title: str,
    fmt: Fmt,
    notes: Sequence[str] | None = None,
    stacked: bool = True,
    quiet: Sequence[bool] | None = None,
    marks: Sequence[tuple[str, Sequence[float], str]] = (),
) -> str:
    """Horizontal bars, one row per label: the series stacked (or grouped); a note at each bar's end.

    `quiet` rows (nothing to show) get a grey label; `marks` are (legend name, one x per row, colour)
    drawn as short vertical ticks (a floor, a target).
    """
    n, k = len(labels), len(series)
    label_w = min(max((text_width(lab) for lab in labels), default=0.0) + 14, WIDTH * 0.42)
    note_w = max((text_width(s, 12) for s in notes or []), default=0.0) + 10
    x0, x1 = label_w, WIDTH - note_w - 6
    legend_items = [(s.name, s.colour, "box") for s in series] + [(m[0], m[2], "line") for m in marks]
    legend, legend_h = _legend(legend_items, x0, 16, x1 - x0) if len(legend_items) > 1 else ([], 0.0)
    row = ROW if stacked or k == 1 else max(ROW, 8.0 * k + 8)
    top_y = 8 + legend_h
    y1 = top_y + row * n
    values = [[float(v) for v in s.values] for s in series]
    ends = [
        sum(max(v[i], 0.0) for v in values) if stacked else max((v[i] for v in values), default=0.0) for i in range(n)
    ]
    mark_top = max((max(m[1], default=0.0) for m in marks), default=0.0)
    axis, sx = _value_axis(x0, x1, top_y, y1, max([*ends, mark_top, 1e-9]), fmt, xlabel)
    body = [*axis, *legend]
    for i, lab in enumerate(labels):
        y = top_y + row * i
        grey = bool(quiet and quiet[i])
        body.append(_t(x0 - 8, y + row / 2 + 4.5, lab, "end", FONT, MUTED if grey else INK))
        left = 0.0
        for j, s in enumerate(series):
            v = max(values[j][i], 0.0)
            if v <= 0:
                continue
            if stacked:
                body.append(
                    f'<rect x="{sx(left):.1f}" y="{y + 4:.1f}" width="{sx(left + v) - sx(left):.2f}" '
                    f'height="{row - 8:.1f}" fill="{s.colour}"><title>{_e(lab)} · {_e(s.name)}: '
                    f'{_e(fmt(v))}</title></rect>'
                )
                left += v
            else:
                h = (row - 8) / k
                body.append(
                    f'<rect x="{x0:.1f}" y="{y + 4 + j * h:.1f}" width="{sx(v) - x0:.2f}" height="{h * 0.9:.1f}" '
                    f'fill="{s.colour}"><title>{_e(lab)} · {_e(s.name)}: {_e(fmt(v))}</title></rect>'
                )
        for _, xs, colour in marks:
            body.append(
                f'<line x1="{sx(xs[i]):.1f}" y1="{y + 1:.1f}" x2="{sx(xs[i]):.1f}" y2="{y + row - 1:.1f}" '
                f'stroke="{colour}" stroke-width="2.5"/>'
            )
        if notes:
            body.append(_t(sx(ends[i]) + 6, y + row / 2 + 4.5, notes[i], size=12, colour=MUTED if grey else INK))
    body.append(f'<line x1="{x0:.1f}" y1="{top_y:.1f}" x2="{x0:.1f}" y2="{y1:.1f}" stroke="{MUTED}" stroke-width="1"/>')
    return _svg(name, title, y1 + 46, body)


def diverging(labels: Sequence[str], deltas: Sequence[float], xlabel: str, name: str, title: str, fmt: Fmt) -> str:
    """Changes against a reference: bars left (less, red) or right (more, blue) of zero, value at the end."""
    label_w = min(max((text_width(lab) for lab in labels), default=0.0) + 14, WIDTH * 0.42)
    x0, x1 = label_w + 80, WIDTH - 80
    span = max((abs(float(d)) for d in deltas), default=0.0) or 1.0
    mid = (x0 + x1) / 2

    def sx(v: float) -> float:
        return mid + (x1 - x0) / 2 * v / span

    body = [f'<line x1="{mid:.1f}" y1="4" x2="{mid:.1f}" y2="{8 + ROW * len(labels):.1f}" stroke="{MUTED}"/>']
    for i, (lab, d) in enumerate(zip(labels, deltas, strict=True)):
        y = 8 + ROW * i
        d = float(d)
        quiet = abs(d) < 1e-9
        body.append(_t(label_w - 8, y + ROW / 2 + 4.5, lab, "end", FONT, MUTED if quiet else INK))
        if not quiet:
            left, right = sorted((sx(0.0), sx(d)))
            body.append(
                f'<rect x="{left:.1f}" y="{y + 5:.1f}" width="{max(right - left, 1.0):.1f}" height="{ROW - 10:.1f}" '
                f'fill="{BLUE if d > 0 else RED}"/>'
            )
        sign = "+" if d > 0 else "−" if d < 0 else "±"
        at = sx(d) + (6 if d >= 0 else -6)
        body.append(
            _t(at, y + ROW / 2 + 4.5, f"{sign}{fmt(abs(d))}", "start" if d >= 0 else "end", 12, MUTED if quiet else INK)
        )
    h = 8 + ROW * len(labels)
    body.append(_t(WIDTH / 2, h + 20, xlabel, "middle", 12.5))
    return _svg(name, title, h + 30, body)


def _ramp(t: float) -> str:
    t = min(max(t, 0.0), 1.0)
    return RAMP[min(int(t * (len(RAMP) - 1) + 0.5), len(RAMP) - 1)]


def heatmap(
    rows: Sequence[str],
    columns: Sequence[str],
    values: Sequence[Sequence[float]],
    cells: Sequence[Sequence[str]],
    xlabel: str,
    name: str,
    title: str,
    flags: Sequence[Sequence[bool]] | None = None,
    flag_note: str = "",
) -> str:
    """A grid of cells shaded light to dark by value, each with its number; flagged cells get a red frame."""
    label_w = max((text_width(r) for r in rows), default=0.0) + 14
    cell_w = min(110.0, (WIDTH - label_w - 10) / max(len(columns), 1))
    cell_h = 26.0
    finite = [float(v) for r in values for v in r if v is not None and not math.isnan(float(v))]
    lo, hi = (min(finite), max(finite)) if finite else (0.0, 1.0)
    body = [_t(label_w + cell_w * (j + 0.5), 18, col, "middle", 12.5, MUTED) for j, col in enumerate(columns)]
    for i, r in enumerate(rows):
        y = 26 + cell_h * i
        body.append(_t(label_w - 8, y + cell_h / 2 + 4.5, r, "end"))
        for j in range(len(columns)):
            v = values[i][j]
            missing = v is None or math.isnan(float(v))
            t = 0.0 if missing or hi == lo else (float(v) - lo) / (hi - lo)
            fill = "#f8f9fa" if missing else _ramp(t if hi > lo else 0.5)
            x = label_w + cell_w * j
            body.append(
                f'<rect x="{x + 1:.1f}" y="{y + 1:.1f}" width="{cell_w - 2:.1f}" height="{cell_h - 2:.1f}" '
                f'fill="{fill}"/>'
            )
            if flags and flags[i][j]:
                body.append(
                    f'<rect x="{x + 2:.1f}" y="{y + 2:.1f}" width="{cell_w - 4:.1f}" height="{cell_h - 4:.1f}" '
                    f'fill="none" stroke="{RED}" stroke-width="2"/>'
                )
            body.append(
                _t(x + cell_w / 2, y + cell_h / 2 + 4.5, cells[i][j], "middle", 12, "#ffffff" if t > 0.6 else INK)
            )
    h = 26 + cell_h * len(rows)
    foot = xlabel + (f" · {flag_note}" if flag_note and flags and any(any(r) for r in flags) else "")
    body.append(_t(8, h + 20, foot, "start", 12.5))
    return _svg(name, title, h + 30, body)


def frontier(
    x: Sequence[float],
    y: Sequence[float],
    xlabel: str,
    ylabel: str,
    name: str,
    title: str,
    fmt_x: Fmt,
    fmt_y: Fmt,
    groups: Sequence[str] | None = None,
    group_title: str = "",
    better: tuple[str, str] = ("high", "low"),
) -> str:
    """Scenarios as points (coloured by group), the trade-off frontier through the undominated ones.

    `better` says which way is better on each axis ("high" or "low"); a point is on the frontier
    when no other point is at least as good on both axes and better on one.
    """
    pts = [(float(a), float(b)) for a, b in zip(x, y, strict=True)]
    w, h = WIDTH, 420.0
    x0, x1, y0, y1 = 90.0, w - 24.0, 40.0, h - 56.0
    names = sorted(set(groups), key=_numeric_first) if groups else []
    legend, legend_h = _legend(
        [(f"{group_title} {g}".strip(), c, "box") for g, c in zip(names, colours(len(names)), strict=True)]
        + [("frontier 前沿", INK, "line")],
        x0,
        16,
        x1 - x0,
    )
    y0 += legend_h - 8
    xs, ys = [p[0] for p in pts] or [0.0], [p[1] for p in pts] or [0.0]

    def pad(lo: float, hi: float) -> tuple[float, float]:
        d = (hi - lo) or abs(hi) or 1.0
        return lo - 0.06 * d, hi + 0.06 * d

    (xl, xh), (yl, yh) = pad(min(xs), max(xs)), pad(min(ys), max(ys))

    def sx(v: float) -> float:
        return x0 + (x1 - x0) * (v - xl) / (xh - xl)

    def sy(v: float) -> float:
        return y1 - (y1 - y0) * (v - yl) / (yh - yl)

    body = [*legend]
    for t in _inner_ticks(xl, xh):
        body.append(f'<line x1="{sx(t):.1f}" y1="{y0:.1f}" x2="{sx(t):.1f}" y2="{y1:.1f}" stroke="{GRID}"/>')
        body.append(_t(sx(t), y1 + 16, fmt_x(t), "middle", 12, MUTED))
    for t in _inner_ticks(yl, yh):
        body.append(f'<line x1="{x0:.1f}" y1="{sy(t):.1f}" x2="{x1:.1f}" y2="{sy(t):.1f}" stroke="{GRID}"/>')
        body.append(_t(x0 - 6, sy(t) + 4, fmt_y(t), "end", 12, MUTED))
    front = pareto(pts, better)
    colour_of = dict(zip(names, colours(len(names)), strict=True))
    rank = {g: k for k, g in enumerate(names)}
    # Groups drawn largest first, so scenarios that land on the same point show as nested rings.
    order = sorted(range(len(pts)), key=lambda i: rank.get(groups[i], 0) if groups else 0)
    for i in order:
        a, b = pts[i]
        g = rank.get(groups[i], 0) if groups else 0
        c = colour_of.get(groups[i], BLUE) if groups else BLUE
        radius = 4.0 + 1.8 * (len(names) - 1 - g) if names else 5.0
        body.append(
            f'<circle cx="{sx(a):.1f}" cy="{sy(b):.1f}" r="{radius:.1f}" fill="{c}" stroke="white" '
            f'stroke-width="0.8"><title>{_e(fmt_x(a))}, {_e(fmt_y(b))}</title></circle>'
        )
    if len(front) > 1:
        path = " ".join(f"{'M' if i == 0 else 'L'}{sx(pts[k][0]):.1f},{sy(pts[k][1]):.1f}" for i, k in enumerate(front))
        body.append(f'<path d="{path}" fill="none" stroke="{INK}" stroke-width="1.6" stroke-dasharray="5 3"/>')
    body.append(_t((x0 + x1) / 2, h - 14, xlabel, "middle", 12.5))
    body.append(_t(x0 - 80, y0 - 14, ylabel, "start", 12.5))
    return _svg(name, title, h, body, width=w)


def pareto(points: Sequence[tuple[float, float]], better: tuple[str, str] = ("high", "low")) -> list[int]:
    """Indices of the undominated points, ordered along x."""
    sign = [1.0 if b == "high" else -1.0 for b in better]
    keyed = [(sign[0] * a, sign[1] * b) for a, b in points]
    front = [
        i
        for i, (a, b) in enumerate(keyed)
        if not any((c >= a and d >= b and (c > a or d > b)) for j, (c, d) in enumerate(keyed) if j != i)
    ]
    seen: set[tuple[float, float]] = set()
    unique = []
    for i in sorted(front, key=lambda k: points[k]):
        if points[i] not in seen:
            seen.add(points[i])
            unique.append(i)
    return unique


def _numeric_first(text: str) -> tuple[int, float, str]:
    try:
        return (0, float(text), text)
    except ValueError:
        return (1, 0.0, text)


def _inner_ticks(lo: float, hi: float) -> list[float]:
    ticks = nice_ticks(hi, lo)
    return [t for t in ticks if lo <= t <= hi]
