"""A small OpenStreetMap XML writer used by the demo builder.

Nodes are shared where ways meet at exactly the same coordinate (rounded to 0.1 m), so a
junction exists only where the builder puts one; a bridge is two ways that cross without a
common vertex.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from xml.sax.saxutils import quoteattr

from pyproj import Transformer
from shapely.geometry import LineString
from shapely.geometry import Point as ShapelyPoint
from shapely.strtree import STRtree

_TO_WGS84 = Transformer.from_crs("EPSG:3006", "EPSG:4326", always_xy=True)

Point = tuple[float, float]


@dataclass
class OsmNetwork:
    """Nodes and ways in SWEREF 99 TM, written out as OSM XML in WGS84."""

    nodes: dict[tuple[int, int], int] = field(default_factory=dict)
    coords: list[Point] = field(default_factory=list)
    ways: list[tuple[list[int], dict[str, str]]] = field(default_factory=list)
    node_tags: dict[int, dict[str, str]] = field(default_factory=dict)

    def node(self, pt: Point) -> int:
        """Return the id of the node at ``pt``, creating it when new."""
        key = (round(pt[0] * 10), round(pt[1] * 10))
        if key not in self.nodes:
            self.coords.append((float(pt[0]), float(pt[1])))
            self.nodes[key] = len(self.coords)
        return self.nodes[key]

    def add_way(self, pts: Sequence[Point], tags: dict[str, str], *, spacing: float = 0) -> list[int]:
        """Add a way through ``pts``, with extra vertices every ``spacing`` metres if > 0."""
        dense = densify(pts, spacing) if spacing > 0 else list(pts)
        ids = [self.node(p) for p in dense]
        ids = [n for i, n in enumerate(ids) if i == 0 or n != ids[i - 1]]
        if len(ids) >= 2:
            self.ways.append((ids, dict(tags)))
        return ids

    def nearest_node(self, pt: Point, *, highways: Iterable[str] | None = None) -> Point:
        """Coordinate of the nearest node used by a way whose highway tag is in ``highways``."""
        allowed = set(highways) if highways is not None else None
        best, best_d = None, math.inf
        for ids, tags in self.ways:
            if allowed is not None and tags.get("highway") not in allowed:
                continue
            for n in ids:
                x, y = self.coords[n - 1]
                d = (x - pt[0]) ** 2 + (y - pt[1]) ** 2
                if d < best_d:
                    best, best_d = (x, y), d
        if best is None:
            raise ValueError(f"no node on highways {highways}")
        return best

    def to_xml(self) -> str:
        """Serialise as OSM XML 0.6 with WGS84 coordinates."""
        xs, ys = zip(*self.coords, strict=True)
        lons, lats = _TO_WGS84.transform(xs, ys)
        out = [
            "<?xml version='1.0' encoding='UTF-8'?>",
            '<osm version="0.6" generator="sitefinder data/build_demo.py">',
            f'  <bounds minlat="{min(lats):.7f}" minlon="{min(lons):.7f}" '
            f'maxlat="{max(lats):.7f}" maxlon="{max(lons):.7f}"/>',
        ]
        for i, (lat, lon) in enumerate(zip(lats, lons, strict=True), start=1):
            head = f'  <node id="{i}" version="1" lat="{lat:.7f}" lon="{lon:.7f}"'
            tags = self.node_tags.get(i)
            if not tags:
                out.append(head + "/>")
                continue
            out.append(head + ">")
            out.extend(f"    <tag k={quoteattr(k)} v={quoteattr(v)}/>" for k, v in sorted(tags.items()))
            out.append("  </node>")
        for wid, (ids, tags) in enumerate(self.ways, start=1):
            out.append(f'  <way id="{wid}" version="1">')
            out.extend(f'    <nd ref="{n}"/>' for n in ids)
            out.extend(f"    <tag k={quoteattr(k)} v={quoteattr(v)}/>" for k, v in sorted(tags.items()))
            out.append("  </way>")
        out.append("</osm>")
        return "\n".join(out) + "\n"


def crossing_index(net: OsmNetwork, keep: Callable[[dict[str, str]], bool]) -> tuple[STRtree, list]:
    """Segments of the ways that ``keep`` accepts, indexed for ``split_at_crossings``."""
    segs = [(w, LineString([net.coords[a - 1], net.coords[b - 1]]))
            for w, (ids, tags) in enumerate(net.ways) if keep(tags) for a, b in itertools.pairwise(ids)]
    return STRtree([line for _, line in segs]), segs


def split_at_crossings(seg: tuple[Point, Point], index: tuple[STRtree, list], crossings: dict[int, list[Point]]
                       ) -> list[tuple[Point, Point]]:
    """Split a new segment where it crosses an indexed way; record the points per way in ``crossings``.

    ``insert_crossings`` then puts the points into those ways, so both share a node (a level junction).
    """
    tree, segs = index
    line = LineString(seg)
    pts = []
    for k in tree.query(line, predicate="crosses").tolist():
        w, road = segs[k]
        hit = line.intersection(road)
        if hit.geom_type != "Point":
            continue
        pt = (round(hit.x, 1), round(hit.y, 1))
        if min(math.dist(pt, seg[0]), math.dist(pt, seg[1])) < 1.0:
            continue
        crossings.setdefault(w, []).append(pt)
        pts.append(pt)
    order = sorted(set(pts), key=lambda q: math.dist(q, seg[0]))
    return list(itertools.pairwise([seg[0], *order, seg[1]]))


def insert_crossings(net: OsmNetwork, crossings: dict[int, list[Point]]) -> None:
    """Add the recorded crossing points to their ways as vertices, in order along each way."""
    for w, pts in crossings.items():
        ids, tags = net.ways[w]
        out = [ids[0]]
        for a, b in itertools.pairwise(ids):
            pa, pb = net.coords[a - 1], net.coords[b - 1]
            seg = LineString([pa, pb])
            on = [q for q in set(pts) if seg.distance(ShapelyPoint(q)) < 0.5 and q != pa and q != pb]
            out += [net.node(q) for q in sorted(on, key=lambda q: math.dist(q, pa))]
            out.append(b)
        net.ways[w] = ([n for i, n in enumerate(out) if i == 0 or n != out[i - 1]], tags)


def densify(pts: Sequence[Point], spacing: float) -> list[Point]:
    """Insert vertices so that no segment of the polyline is longer than ``spacing``."""
    out: list[Point] = [tuple(pts[0])]
    for (x0, y0), (x1, y1) in itertools.pairwise(pts):
        n = max(1, math.ceil(math.hypot(x1 - x0, y1 - y0) / spacing))
        out.extend((x0 + (x1 - x0) * k / n, y0 + (y1 - y0) * k / n) for k in range(1, n + 1))
    return out
