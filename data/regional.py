"""The demo's regional layer: main roads of Stockholm county, local roads over settled land, footpaths.

Everything here is **approximate** and labelled so in the OSM file (``note=approximate``) and the
manifest:

* main roads are straight lines between town and junction positions known to within a few
  hundred metres (general knowledge of the road network, not surveyed), with their usual speed
  limits; one line (``oneway=no``) stands for both carriageways; they meet local roads only at the
  listed points (motorways are limited-access), not where they continue the detailed E4/E20;
* local roads join the centres of neighbouring populated 1 km cells of the real SCB grid (so
  every resident of the region has a road within ~700 m, and no road crosses unpopulated water
  or forest between two places), where the detailed Botkyrka network does not already reach;
* footpaths form a 150 m grid around the rail and metro stations near the business areas, so
  walks follow a street-like grid (network / straight line ~1.3) instead of long road detours;
  where a footpath crosses an ordinary street they share a node (pedestrians cross streets).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable

import numpy as np
import pandas as pd
from shapely.geometry import LineString
from shapely.strtree import STRtree

from data.osm_writer import OsmNetwork, crossing_index, insert_crossings, split_at_crossings

XY = tuple[float, float]
Project = Callable[[float, float], XY]

#: Regional main roads: (name, ref, highway, maxspeed, [(lat, lon), ...]); every listed point is a
#: junction with the local network. Positions approximate [U]; speed limits are the usual ones [S].
REGIONAL_ROADS: list[tuple[str, str, str, int, list[tuple[float, float]]]] = [
    ("Essingeleden", "E 4;E 20", "motorway", 70,
     [(59.3075, 18.0050), (59.3160, 18.0110), (59.3240, 18.0010), (59.3290, 18.0120), (59.3330, 18.0050),
      (59.3470, 18.0200), (59.3540, 18.0330)]),
    ("E4 Haga - Uppsala", "E 4", "motorway", 110,
     [(59.3540, 18.0330), (59.3700, 18.0180), (59.3730, 18.0050), (59.3830, 17.9950), (59.4050, 17.9550),
      (59.4400, 17.9350), (59.4750, 17.9200), (59.5200, 17.9100), (59.6100, 17.9000), (59.7250, 17.8200),
      (59.8400, 17.6700)]),
    ("E18 Enköpingsvägen", "E 18", "motorway", 110,
     [(59.4050, 17.9550), (59.3970, 17.8880), (59.4100, 17.8650), (59.4250, 17.8200), (59.4800, 17.7500),
      (59.5100, 17.6300), (59.5700, 17.5300)]),
    ("E18 Roslagsvägen", "E 18", "motorway", 90,
     [(59.3540, 18.0330), (59.3650, 18.0550), (59.3980, 18.0350), (59.4600, 18.1200), (59.5000, 18.2000),
      (59.6000, 18.4500), (59.7580, 18.7050)]),
    # Moraberg-Saltskog 100 km/h [V, DOMAIN.md]; Saltskog's position approximate [U].
    ("E4 Moraberg - Saltskog", "E 4", "motorway", 100, [(59.1930, 17.6420), (59.1700, 17.6200)]),
    ("E4 Saltskog - Järna", "E 4", "motorway", 110, [(59.1700, 17.6200), (59.0900, 17.5700)]),
    ("E20 Södertälje - Strängnäs", "E 20", "motorway", 110,
     [(59.1930, 17.6420), (59.2100, 17.5500), (59.2800, 17.3500)]),
    ("Södra länken", "75", "motorway", 70,
     [(59.3075, 18.0050), (59.2990, 18.0400), (59.2990, 18.0800), (59.3050, 18.1200)]),
    ("Värmdöleden", "222", "motorway", 90,
     [(59.3050, 18.1200), (59.3100, 18.1650), (59.3300, 18.2500), (59.3250, 18.3850), (59.3200, 18.5000)]),
    ("Nynäsvägen", "73", "motorway", 100,
     [(59.2990, 18.0800), (59.2600, 18.1000), (59.2180, 18.1300), (59.1680, 18.1400), (59.1230, 18.1100),
      (59.0500, 18.0000), (58.9850, 17.9050), (58.9030, 17.9480)]),
    ("Norrortsleden", "265", "primary", 80,
     [(59.4400, 17.9350), (59.4450, 17.9800), (59.4500, 18.0600), (59.4600, 18.1200)]),
    ("Södertörnsleden (öster)", "259", "primary", 70,
     [(59.2193, 17.9478), (59.2150, 17.9900), (59.2180, 18.0700), (59.2180, 18.1300)]),
    ("Tyresövägen", "229", "primary", 70, [(59.2990, 18.0800), (59.2700, 18.1500), (59.2440, 18.2280)]),
    ("Drottningholmsvägen", "275", "primary", 60,
     [(59.3330, 18.0050), (59.3380, 17.9390), (59.3200, 17.8700), (59.2920, 17.8000)]),
    ("Vallentunavägen", "268", "primary", 70, [(59.5200, 17.9100), (59.5300, 17.9900), (59.5340, 18.0770)]),
    ("Åkersbergavägen", "276", "primary", 70, [(59.4600, 18.1200), (59.4790, 18.2990)]),
]
#: Local roads between populated 1 km cells: 50 km/h [U].
LOCAL_TAGS = {"highway": "tertiary", "maxspeed": "50", "name": "lokal väg (approximativ)", "note": "approximate"}
FOOT_TAGS = {"highway": "footway", "note": "approximate"}


def build_regional_roads(net: OsmNetwork, project: Project, motorway_ends: dict[XY, XY]) -> None:
    """Add the main roads; a road starting at a key of ``motorway_ends`` starts at its value instead.

    ``motorway_ends`` maps the projected E4/E20 end points of the detailed network to the node
    where the regional road joins it.
    """
    for name, ref, highway, speed, pts in REGIONAL_ROADS:
        xy = [project(lat, lon) for lat, lon in pts]
        xy = [_joined(p, motorway_ends) for p in xy]
        # One line stands for both carriageways: OSM implies oneway=yes on highway=motorway, so say no.
        tags = {"highway": highway, "name": name, "ref": ref, "maxspeed": str(speed), "oneway": "no",
                "note": "approximate"}
        net.add_way(xy, tags)


def _joined(p: XY, ends: dict[XY, XY]) -> XY:
    for end, node in ends.items():
        if math.dist(p, end) < 300:
            return node
    return p


def build_local_roads(net: OsmNetwork, cells: pd.DataFrame, *, covered_m: float = 600.0,
                      stitch_m: float = 1500.0, junction_m: float = 3000.0) -> None:
    """Local roads over the populated 1 km cells the detailed network does not cover, stitched to it.

    Parameters
    ----------
    net
        The network so far (detailed roads and the regional main roads).
    cells
        Real 1 km cells: ``e``, ``n`` (lower-left corner) and ``pop``.
    covered_m
        A cell whose centre has a detailed (non-motorway) node this close gets no local road.
    stitch_m
        A local node beside a covered cell is linked to the nearest detailed node this close.
    junction_m
        A main-road point is linked to the nearest local or detailed node this close.
    """
    detailed = _nodes(net, exclude=("motorway", "motorway_link", "trunk"), exclude_notes=True)
    tree = STRtree([_pt(p) for p in detailed])
    centres = {(int(e), int(n)): (e + 500.0, n + 500.0) for e, n in cells[["e", "n"]].itertuples(index=False)}
    d_xy = np.array(detailed)
    from scipy.spatial import cKDTree

    kd = cKDTree(d_xy)
    dist, _ = kd.query(np.array(list(centres.values())))
    covered = {key for key, d in zip(centres, dist, strict=True) if d <= covered_m}
    local = {k: v for k, v in centres.items() if k not in covered}
    for (e, n), c in local.items():
        for de, dn in ((1000, 0), (0, 1000)):
            other = (e + de, n + dn)
            if other in local:
                net.add_way([c, local[other]], LOCAL_TAGS)
    for (e, n), c in local.items():
        if any((e + de, n + dn) in covered for de, dn in ((1000, 0), (-1000, 0), (0, 1000), (0, -1000))):
            d, i = kd.query(c)
            if d <= stitch_m:
                net.add_way([c, tuple(d_xy[i])], LOCAL_TAGS)
    del tree
    # Main roads meet the local network at their listed points.
    ground = np.array(_nodes(net, exclude=("motorway", "motorway_link", "trunk"), exclude_notes=False,
                             only_tags=("tertiary", "residential", "unclassified", "secondary", "primary")))
    kd2 = cKDTree(ground)
    main_pts = {net.coords[i - 1] for ids, tags in net.ways if tags.get("note") == "approximate"
                and tags.get("highway") in ("motorway", "primary") for i in (ids[0], ids[-1], *ids)}
    # Where a regional road continues the detailed motorway (its modelled ends, e.g. between Moraberg
    # and Saltskog in Södertälje) there is no junction: cars leave at the detailed junctions.
    main_pts -= {net.coords[i - 1] for ids, tags in net.ways if tags.get("highway") == "motorway"
                 and tags.get("note") != "approximate" for i in ids}
    for p in sorted(main_pts):
        d, i = kd2.query(p)
        target = tuple(ground[i])
        if 1.0 < d <= junction_m:
            net.add_way([p, target], {"highway": "primary", "maxspeed": "50", "name": "anslutning (approximativ)",
                                      "note": "approximate"})


def build_footpaths(net: OsmNetwork, centres: list[XY], blocked, *, radius_m: float = 1500.0,
                    spacing_m: float = 150.0, link_m: float = 80.0) -> None:
    """A footpath grid around each station, kept off ``blocked`` areas and linked to nearby streets."""
    streets = np.array(_nodes(net, exclude=("motorway", "motorway_link", "trunk"), exclude_notes=False))
    from scipy.spatial import cKDTree

    kd = cKDTree(streets)
    blocked_tree = STRtree(list(getattr(blocked, "geoms", [blocked])))
    seen: set[XY] = set()
    segments: list[tuple[XY, XY]] = []
    for cx, cy in centres:
        x0 = math.floor((cx - radius_m) / spacing_m) * spacing_m
        y0 = math.floor((cy - radius_m) / spacing_m) * spacing_m
        n = int(2 * radius_m / spacing_m) + 1
        for i, j in itertools.product(range(n), range(n)):
            a = (x0 + i * spacing_m, y0 + j * spacing_m)
            if math.dist(a, (cx, cy)) > radius_m:
                continue
            for b in ((a[0] + spacing_m, a[1]), (a[0], a[1] + spacing_m)):
                if math.dist(b, (cx, cy)) > radius_m or (a, b) in seen:
                    continue
                seen.add((a, b))
                segments.append((a, b))
    lines = [LineString(s) for s in segments]
    hits = blocked_tree.query(lines, predicate="intersects")
    bad = set(hits[0].tolist())
    kept = [s for k, s in enumerate(segments) if k not in bad]
    grid_nodes = sorted({p for s in kept for p in s})
    # Pedestrians cross ordinary streets (at grade or by an underpass): a footpath that crosses one
    # shares a node with it. The paths already drawn (town centres) get the same crossings.
    streets_ix = crossing_index(net, _walk_crossed)
    crossings: dict[int, list[XY]] = {}
    for w, (ids, tags) in enumerate(list(net.ways)):
        if tags.get("highway") == "footway":
            found: dict[int, list[XY]] = {}
            for a, b in itertools.pairwise(ids):
                split_at_crossings((net.coords[a - 1], net.coords[b - 1]), streets_ix, found)
            for road, pts in found.items():
                crossings.setdefault(road, []).extend(pts)
                crossings.setdefault(w, []).extend(pts)
    kept = [piece for seg in kept for piece in split_at_crossings(seg, streets_ix, crossings)]
    for a, b in kept:
        net.add_way([a, b], FOOT_TAGS)
    insert_crossings(net, crossings)
    d, idx = kd.query(np.array(grid_nodes))
    for p, dd, i in zip(grid_nodes, d, idx, strict=True):
        if dd <= link_m:
            net.add_way([p, tuple(streets[i])], FOOT_TAGS)
    # The paths drawn before (round town-centre blocks) link out to the grid and the streets alike,
    # across the squares and open ground round the block (up to one grid spacing).
    drawn = [i for ids, tags in net.ways if tags.get("highway") == "footway" and tags.get("note") != "approximate"
             for i in ids]
    others = np.array(sorted(set(grid_nodes) | set(map(tuple, _nodes(net, exclude=(
        "motorway", "motorway_link", "trunk", "footway"), exclude_notes=False)))))
    if drawn and len(others):
        pts = sorted({net.coords[i - 1] for i in drawn})
        d, idx = cKDTree(others).query(np.array(pts), k=8, distance_upper_bound=spacing_m)
        for p, dd, ii in zip(pts, d, idx, strict=True):
            for dist, i in zip(dd, ii, strict=True):  # the nearest one not behind a plot
                if not np.isfinite(dist):
                    break
                if dist > 1.0 and not blocked_tree.query(LineString([p, tuple(others[i])]),
                                                         predicate="intersects").size:
                    net.add_way([p, tuple(others[i])], FOOT_TAGS)
                    break


def _walk_crossed(tags: dict[str, str]) -> bool:
    """Whether a footpath crossing this way meets it (ordinary streets; not motorways, ramps or bridges)."""
    hw = tags.get("highway", "")
    return (hw not in ("motorway", "motorway_link", "trunk", "trunk_link", "footway") and tags.get("bridge") != "yes"
            and tags.get("note") != "approximate")


def _pt(p: XY):
    from shapely.geometry import Point

    return Point(p)


def _nodes(net: OsmNetwork, *, exclude: tuple[str, ...], exclude_notes: bool,
           only_tags: tuple[str, ...] | None = None) -> list[XY]:
    """Coordinates of nodes used by ways of the allowed highway classes."""
    ids: set[int] = set()
    for way, tags in net.ways:
        hw = tags.get("highway", "")
        if hw in exclude or (only_tags is not None and hw not in only_tags):
            continue
        if exclude_notes and tags.get("note") == "approximate":
            continue
        ids.update(way)
    return [net.coords[i - 1] for i in sorted(ids)]
