"""Road network: an OpenStreetMap PBF or XML file, or an osmnx download for a polygon or bbox.

Files are read with pyosmium (``layers.osm``; why pyosmium and not pyrosm is said there) and
turned into a graph here, without osmnx: osmnx is imported only for online downloads (it costs
seconds to import). The graph is projected to the working CRS (EPSG:3006 unless settings say
otherwise) and every edge gets ``speed_kph`` (from ``maxspeed`` tags, else the Swedish defaults
below) and ``travel_time`` in seconds. Motorway exits (``highway=motorway_junction`` nodes) are
the junctions used for car access. ``drive_network`` and ``walk_network`` keep only the largest
connected part a car (or a pedestrian) can use, so every point snapped to them is reachable.
"""

from __future__ import annotations

import logging
import re
import socket
import time
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlparse

import geopandas as gpd
import networkx as nx
import numpy as np
import shapely
from pyproj import Transformer
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import connected_components

from errors import DataFormatError, OfflineError
from layers.osm import Highways, read_highways
from layers.reader import Source, check_in_extent, local_file, no_gc, sniff_format
from settings import DEMO_DIR, DISPLAY_CRS, NETWORK_TIMEOUT_S, OVERPASS_URL, REGION, Region

logger = logging.getLogger(__name__)

#: Default speeds (km/h) where a road has no usable ``maxspeed`` tag: Swedish general limits
#: (70 outside and 50 inside built-up areas) refined per road class. Override with ``speeds=``.
DEFAULT_SPEEDS_KPH: dict[str, float] = {
    "motorway": 110,
    "motorway_link": 50,
    "trunk": 90,
    "trunk_link": 50,
    "primary": 70,
    "primary_link": 40,
    "secondary": 60,
    "secondary_link": 40,
    "tertiary": 50,
    "tertiary_link": 30,
    "unclassified": 50,
    "residential": 40,
    "living_street": 10,
    "service": 20,
    "road": 40,
}
#: Speed (km/h) of a road whose class is not in the table.
FALLBACK_SPEED_KPH = 50.0
#: ``maxspeed`` zone codes of the Nordic countries: general limits in built-up areas, outside
#: them and on motorways (Trafikförordningen 3 kap. 17 §; Finnish, Norwegian, Danish road acts).
MAXSPEED_ZONES: dict[str, float] = {
    "SE:urban": 50, "SE:rural": 70, "SE:motorway": 110, "SE:living_street": 7,
    "FI:urban": 50, "FI:rural": 80, "FI:motorway": 120,
    "NO:urban": 50, "NO:rural": 80, "NO:motorway": 110,
    "DK:urban": 50, "DK:rural": 80, "DK:motorway": 130,
}
#: Highway values a car may not use.
NOT_FOR_CARS = {
    "footway",
    "cycleway",
    "path",
    "pedestrian",
    "steps",
    "bridleway",
    "corridor",
    "track",
    "construction",
    "proposed",
    "platform",
    "elevator",
    "busway",
}
#: Highway values a pedestrian may not use.
NOT_FOR_WALKING = {"motorway", "motorway_link", "trunk", "trunk_link", "construction", "proposed"}

DEMO_ROADS = DEMO_DIR / "roads.osm"


def load_roads(
    source: Source = DEMO_ROADS,
    *,
    speeds: Mapping[str, float] | None = None,
    region: Region = REGION,
) -> nx.MultiDiGraph:
    """Read an OpenStreetMap road network (``.osm.pbf`` or ``.osm`` XML) and prepare it for routing.

    One read gives the whole network; ``drive_network`` and ``walk_network`` take the car and
    pedestrian parts of it. Only ways with a ``highway`` tag become edges, so a full
    openstreetmap.org export with buildings and land use loads.

    Parameters
    ----------
    source
        Path or file-like object of a PBF extract (Geofabrik, BBBike) or an ``.osm`` XML file
        (openstreetmap.org export, Overpass, ``osmium extract``).
    speeds
        Speeds (km/h) per highway value for roads without a ``maxspeed`` tag.
    region
        Working CRS and country extent (settings by default).

    Returns
    -------
    networkx.MultiDiGraph
        Nodes at intersections, way ends and motorway exits (``x``/``y`` in the region's CRS,
        ``lon``/``lat``); edges with ``highway``, ``name``, ``length`` (m), ``speed_kph``,
        ``travel_time`` (s), ``car`` and ``foot`` (may a car / a pedestrian use it) and the
        ``geometry`` of curved edges; ``junction_name``/``ref`` on motorway exit nodes.
    """
    t0 = time.perf_counter()
    with local_file(source, default_suffix=".osm") as lf:
        fmt = sniff_format(lf.path)
        if fmt not in ("xml", "pbf"):
            kind = {"zip": "a zip archive", "gpkg": "a GeoPackage", "empty": "an empty file",
                    "parquet": "a Parquet file", "json": "a JSON file", "tiff": "a raster"}.get(
                        fmt, "not OpenStreetMap data")
            raise DataFormatError(
                f"{lf.label}: {kind}. The road network must be OpenStreetMap data: a .osm.pbf extract "
                f"(Geofabrik or BBBike) or an .osm XML export from openstreetmap.org."
            )
        with no_gc():
            highways = read_highways(lf.path, label=lf.label, kind=fmt)
    with no_gc():
        graph = graph_from_highways(highways, speeds=speeds, region=region, label=lf.label)
    logger.info(
        "loaded %s: %d nodes, %d edges, CRS EPSG:4326 -> %s, %.0f ms",
        lf.label,
        graph.number_of_nodes(),
        graph.number_of_edges(),
        region.crs,
        (time.perf_counter() - t0) * 1000,
    )
    return graph


def parse_maxspeed(value: str | None) -> float | None:
    """Speed in km/h of an OSM ``maxspeed`` value, or None when it gives none.

    Numbers (``"70"``), miles (``"30 mph"``), several values (``"50;70"``: the lowest) and Nordic
    zone codes (``"SE:urban"``) are understood; ``"none"``, ``"signals"`` and the like are not.
    """
    if not value:
        return None
    text = value.strip()
    if text in MAXSPEED_ZONES:
        return MAXSPEED_ZONES[text]
    found = [float(n) for n in re.findall(r"\d+(?:\.\d+)?", text)]
    if not found:
        return None
    speed = min(found) * (1.609344 if "mph" in text else 1.0)
    return speed if 0 < speed <= 200 else None


def graph_from_highways(
    h: Highways, *, speeds: Mapping[str, float] | None = None, region: Region = REGION, label: str = "roads"
) -> nx.MultiDiGraph:
    """Build the routable graph from highway ways: split at shared nodes, project, add speeds.

    Parameters
    ----------
    h
        Ways from ``layers.osm.read_highways``.
    speeds
        Speeds (km/h) per highway value for roads without ``maxspeed``.
    region
        Working CRS and country extent.
    label
        Name of the source for messages.

    Returns
    -------
    networkx.MultiDiGraph
        As ``load_roads``.
    """
    table = {**DEFAULT_SPEEDS_KPH, **(speeds or {})}
    x, y = Transformer.from_crs("EPSG:4326", region.crs, always_xy=True).transform(h.lon, h.lat)
    x, y = np.asarray(x), np.asarray(y)
    check_in_extent((x.min(), y.min(), x.max(), y.max()), label=label, crs_name="EPSG:4326 (OpenStreetMap)",
                    region=region)
    n = len(h.refs)
    _, inverse, counts = np.unique(h.refs, return_inverse=True, return_counts=True)
    kept = counts[inverse] > 1  # a node shared by ways (or twice in one) is an intersection
    piece_first, piece_last = h.piece_start[:-1], h.piece_start[1:] - 1
    kept[piece_first] = True
    kept[piece_last] = True
    exits = [i for i, t in h.node_tags.items() if t.get("highway") == "motorway_junction"]
    if exits:
        kept |= np.isin(h.refs, np.asarray(exits, dtype=np.int64))
    is_last = np.zeros(n, dtype=bool)
    is_last[piece_last] = True
    seg = np.flatnonzero(~is_last)  # segment from position i to i + 1
    seg_len = np.hypot(x[seg + 1] - x[seg], y[seg + 1] - y[seg])
    starts = kept & ~is_last
    edge_of_pos = np.cumsum(starts) - 1
    first = np.flatnonzero(starts)
    kept_pos = np.flatnonzero(kept)
    last = kept_pos[np.searchsorted(kept_pos, first, side="right")]
    length = np.bincount(edge_of_pos[seg], weights=seg_len, minlength=len(first))
    way = h.piece_way[np.searchsorted(h.piece_start, first, side="right") - 1]
    geoms = _edge_geometries(x, y, first, last)

    ways = [_way_attributes(t, table) for t in h.tags]
    u_ids, v_ids = h.refs[first], h.refs[last]
    graph = nx.MultiDiGraph(crs=region.crs, simplified=True)
    node_pos = np.unique(np.r_[first, last])
    graph.add_nodes_from(
        (int(h.refs[i]), {"x": float(x[i]), "y": float(y[i]), "lon": float(h.lon[i]), "lat": float(h.lat[i])})
        for i in node_pos
    )
    for node in exits:
        if node in graph.nodes:
            tags = h.node_tags[node]
            graph.nodes[node].update(highway="motorway_junction", ref=tags.get("ref", ""),
                                     junction_name=tags.get("name") or tags.get("ref") or "")
    keys: dict[tuple[int, int], int] = {}
    add_edge = graph.add_edge  # one call per edge with its key: no views, no copies (a county has a million)
    osmids = h.way_ids[way].tolist()
    lengths = length.tolist()
    for j, (u, v, w_ix) in enumerate(zip(u_ids.tolist(), v_ids.tolist(), way.tolist(), strict=True)):
        w = ways[w_ix]
        attrs = {"osmid": osmids[j], **w.attrs, "length": lengths[j], "travel_time": lengths[j] / (w.speed_kph / 3.6)}
        if geoms[j] is not None:
            attrs["geometry"] = geoms[j]
        for a, b, rev in ((u, v, False), (v, u, True)):
            if (w.direction >= 0) if not rev else (w.direction <= 0):
                k = keys.get((a, b), 0)
                keys[(a, b)] = k + 1
                add_edge(a, b, k, **attrs, reversed=rev)
    if not keys:
        raise DataFormatError(f"{label}: the network has no roads.")
    return graph


@dataclass(frozen=True)
class _Way:
    attrs: dict
    speed_kph: float
    direction: int  # 1 forward only, -1 backward only, 0 both


def _way_attributes(tags: Mapping[str, str], table: Mapping[str, float]) -> _Way:
    hw = tags.get("highway", "road")
    oneway = tags.get("oneway", "").lower()
    if oneway in ("yes", "true", "1"):
        direction = 1
    elif oneway in ("-1", "reverse"):
        direction = -1
    elif oneway == "no":
        direction = 0
    else:
        implied = hw in ("motorway",) or tags.get("junction") in ("roundabout", "circular")
        direction = 1 if implied else 0
    maxspeed = parse_maxspeed(tags.get("maxspeed"))
    speed = maxspeed or table.get(hw) or table.get(hw.removesuffix("_link")) or FALLBACK_SPEED_KPH
    car = (hw not in NOT_FOR_CARS and tags.get("access") not in ("no",)
           and tags.get("motor_vehicle") not in ("no",) and tags.get("motorcar") not in ("no",))
    foot = hw not in NOT_FOR_WALKING and tags.get("foot") != "no" and tags.get("access") != "no"
    attrs = {"highway": hw, "oneway": direction != 0, "speed_kph": float(speed), "car": car, "foot": foot}
    for key in ("name", "ref", "maxspeed", "service"):
        if key in tags:
            attrs[key] = tags[key]
    return _Way(attrs, float(speed), direction)


def _edge_geometries(x: np.ndarray, y: np.ndarray, first: np.ndarray, last: np.ndarray) -> list:
    """LineStrings of edges with intermediate nodes (None for straight two-node edges)."""
    out: list = [None] * len(first)
    curved = np.flatnonzero(last - first > 1)
    if not len(curved):
        return out
    counts = last[curved] - first[curved] + 1
    offsets = np.repeat(first[curved] - np.r_[0, np.cumsum(counts)[:-1]], counts)
    pos = offsets + np.arange(counts.sum())
    lines = shapely.linestrings(x[pos], y[pos], indices=np.repeat(np.arange(len(curved)), counts))
    for j, line in zip(curved.tolist(), lines, strict=True):
        out[j] = line
    return out


def download_roads(
    *,
    polygon: shapely.Geometry | None = None,
    bbox: tuple[float, float, float, float] | None = None,
    network_type: str = "all",
    speeds: Mapping[str, float] | None = None,
    overpass_url: str = OVERPASS_URL,
    timeout_s: float = NETWORK_TIMEOUT_S,
    region: Region = REGION,
) -> nx.MultiDiGraph:
    """Download a road network from OpenStreetMap (Overpass) with osmnx.

    Parameters
    ----------
    polygon
        Area in EPSG:4326 (lon/lat).
    bbox
        ``(west, south, east, north)`` in degrees, used when ``polygon`` is None.
    network_type
        osmnx network type; ``"all"`` keeps footpaths for the walking network.
    speeds
        Speeds (km/h) per highway value for roads without ``maxspeed``.
    overpass_url
        Overpass API endpoint that must be reachable.
    timeout_s
        Seconds to wait when checking that the endpoint is reachable.
    region
        Working CRS and country extent.

    Returns
    -------
    networkx.MultiDiGraph
        As ``load_roads``.

    Raises
    ------
    OfflineError
        When the Overpass endpoint cannot be reached.
    """
    if polygon is None and bbox is None:
        raise ValueError("download_roads needs a polygon or a bbox")
    require_network(overpass_url, timeout_s=timeout_s)
    import osmnx as ox
    import requests

    try:
        if polygon is not None:
            graph = ox.graph_from_polygon(polygon, network_type=network_type, retain_all=False)
        else:
            graph = ox.graph_from_bbox(bbox, network_type=network_type, retain_all=False)
    except (requests.exceptions.RequestException, ConnectionError) as err:
        raise OfflineError(_offline_message(overpass_url, err)) from err
    except ValueError as err:
        raise DataFormatError(
            f"OpenStreetMap download: no usable roads in the area ({err}). Draw a larger area or one with "
            f"streets, or load a .osm.pbf extract instead."
        ) from err
    return prepare_graph(graph, speeds=speeds, label="OpenStreetMap download", region=region)


def require_network(url: str, *, timeout_s: float) -> None:
    """Raise ``OfflineError`` unless a TCP connection to ``url``'s host can be opened."""
    parsed = urlparse(url)
    host = parsed.hostname or url
    port = parsed.port or (443 if parsed.scheme == "https" else 80)
    try:
        with socket.create_connection((host, port), timeout=timeout_s):
            return
    except OSError as err:
        raise OfflineError(_offline_message(url, err)) from err


def _offline_message(url: str, err: BaseException) -> str:
    return (
        f"Could not reach OpenStreetMap's Overpass service at {url} ({err.__class__.__name__}: {err}). "
        "This machine seems to be offline or the service is blocked. Download an .osm extract on a "
        "connected machine (openstreetmap.org export, Overpass, or a Geofabrik extract converted with osmium) "
        "and load it as a file instead."
    )


def prepare_graph(
    graph: nx.MultiDiGraph, *, speeds: Mapping[str, float] | None = None, label: str = "roads",
    region: Region = REGION,
) -> nx.MultiDiGraph:
    """Project an osmnx graph to the working CRS and add ``speed_kph`` and ``travel_time`` to every edge.

    Edges without a ``highway`` tag are dropped first (osmnx fails on them with a raw ValueError).
    """
    import osmnx as ox

    if graph.number_of_edges() == 0:
        raise DataFormatError(f"{label}: the network has no roads.")
    graph = graph.copy()
    graph.remove_edges_from([(u, v, k) for u, v, k, d in graph.edges(keys=True, data=True) if not d.get("highway")])
    graph.remove_nodes_from([n for n in list(graph.nodes) if graph.degree(n) == 0])
    if graph.number_of_edges() == 0:
        raise DataFormatError(f"{label}: holds no roads (no way with a 'highway' tag).")
    graph = ox.project_graph(graph, to_crs=region.crs)
    xs = [d["x"] for _, d in graph.nodes(data=True)]
    ys = [d["y"] for _, d in graph.nodes(data=True)]
    check_in_extent((min(xs), min(ys), max(xs), max(ys)), label=label, crs_name=DISPLAY_CRS, region=region)
    table = {**DEFAULT_SPEEDS_KPH, **(speeds or {})}
    try:
        graph = ox.add_edge_speeds(graph, hwy_speeds=table, fallback=FALLBACK_SPEED_KPH)
        return ox.add_edge_travel_times(graph)
    except ValueError as err:
        raise DataFormatError(f"{label}: road speeds could not be set ({err}). Load the area as a .osm.pbf "
                              "extract instead.") from err


def motorway_junctions(graph: nx.MultiDiGraph) -> gpd.GeoDataFrame:
    """Motorway exit nodes as points: node id, junction name, ref (exit number).

    Parameters
    ----------
    graph
        A graph from ``load_roads`` or ``download_roads``.

    Returns
    -------
    geopandas.GeoDataFrame
        One row per exit node (a junction usually has one exit per direction), EPSG:3006.
    """
    rows = [
        {
            "node": n,
            "junction_name": d.get("junction_name") or d.get("ref") or f"exit {n}",
            "ref": d.get("ref") or "",
            "geometry": shapely.Point(d["x"], d["y"]),
        }
        for n, d in graph.nodes(data=True)
        if d.get("highway") == "motorway_junction"
    ]
    return gpd.GeoDataFrame(
        rows, geometry="geometry", crs=graph.graph.get("crs", REGION.crs),
        columns=["node", "junction_name", "ref", "geometry"],
    )


def motorway_entries(graph: nx.MultiDiGraph, *, max_name_distance_m: float = 2000.0) -> gpd.GeoDataFrame:
    """Points where a car gets onto the motorway: starts of on-ramps reached from ordinary roads.

    Parameters
    ----------
    graph
        A graph from ``load_roads`` or ``download_roads``.
    max_name_distance_m
        An entry takes the name of the nearest exit (``motorway_junction``) within this distance.

    Returns
    -------
    geopandas.GeoDataFrame
        ``node``, ``junction_name``, ``ref`` and the point, EPSG:3006; one row per entry node.
    """
    ramp_starts = {u for u, _, d in graph.edges(data=True) if _hw(d) == "motorway_link"}
    entries = [
        n
        for n in ramp_starts
        if any(_hw(d) not in ("motorway", "motorway_link") for *_, d in graph.in_edges(n, data=True))
    ]
    exits = motorway_junctions(graph)
    rows = []
    for n in entries:
        pt = shapely.Point(graph.nodes[n]["x"], graph.nodes[n]["y"])
        name, ref = f"entry {n}", ""
        if len(exits):
            dist = exits.distance(pt)
            if dist.min() <= max_name_distance_m:
                best = exits.loc[dist.idxmin()]
                name, ref = best["junction_name"], best["ref"]
        rows.append({"node": n, "junction_name": name, "ref": ref, "geometry": pt})
    return gpd.GeoDataFrame(
        rows, geometry="geometry", crs=graph.graph.get("crs", REGION.crs),
        columns=["node", "junction_name", "ref", "geometry"],
    )


def drive_network(graph: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """The part of the network a car may use: car edges of the largest strongly connected part.

    A view, not a copy. Footway-only nodes and car islands cut off by an extract's edge are left
    out, so a point snapped to this network reaches every other point of it in finite time.
    """
    nodes = _component(graph, "drive")
    succ = graph.succ
    return nx.subgraph_view(graph, filter_node=nodes.__contains__,
                            filter_edge=lambda u, v, k: _car_edge(succ[u][v][k]))


def walk_network(graph: nx.MultiDiGraph) -> nx.MultiGraph:
    """The part of the network a pedestrian may use, in both directions: its largest connected part.

    An undirected copy; a two-way street's two directions become one edge (same length).
    """
    nodes = _component(graph, "walk")
    walk = nx.MultiGraph(**{k: v for k, v in graph.graph.items() if not k.startswith("_")})
    with no_gc():
        walk.add_nodes_from((n, graph.nodes[n]) for n in nodes)
        walk.add_edges_from((u, v, k, d) for u, v, k, d in graph.edges(keys=True, data=True)
                            if _foot_edge(d) and u in nodes and v in nodes)
    return walk


def _component(graph: nx.MultiDiGraph, mode: str) -> frozenset:
    """Largest strongly (car) or weakly (walking) connected set of nodes, computed once per graph.

    Uses scipy's connected components on the edge arrays: seconds for a county's million edges.
    """
    cache = graph.graph.setdefault("_components", {})
    key = (mode, graph.number_of_nodes(), graph.number_of_edges())
    if key not in cache:
        ids = list(graph.nodes)
        index = {n: i for i, n in enumerate(ids)}
        keep = _car_edge if mode == "drive" else _foot_edge
        pairs = [(index[u], index[v]) for u, v, d in graph.edges(data=True) if keep(d)]
        if not pairs:
            cache[key] = frozenset()
            return cache[key]
        rows, cols = np.asarray(pairs, dtype=np.int64).T
        matrix = csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(ids), len(ids)))
        _, labels = connected_components(matrix, directed=True,
                                         connection="strong" if mode == "drive" else "weak")
        used = np.zeros(len(ids), dtype=bool)
        used[rows] = True
        used[cols] = True
        sizes = np.bincount(labels[used], minlength=labels.max() + 1)
        best = int(np.argmax(sizes))
        members = np.flatnonzero((labels == best) & used)
        cache[key] = frozenset(ids[i] for i in members) if len(members) > 1 else frozenset()
    return cache[key]


def _car_edge(data: Mapping) -> bool:
    car = data.get("car")
    return bool(car) if car is not None else not _highways(data) & NOT_FOR_CARS


def _foot_edge(data: Mapping) -> bool:
    foot = data.get("foot")
    return bool(foot) if foot is not None else not _highways(data) & NOT_FOR_WALKING


def _highways(data: Mapping) -> set[str]:
    """Every highway value of an edge.

    An edge merged from ways of several classes is usable by a mode only if every part is (osmnx
    lists them in no fixed order).
    """
    hw = data.get("highway", "")
    return set(hw) if isinstance(hw, list) else {hw}


def _hw(data: Mapping) -> str:
    """One highway value per edge, the same in every process (the alphabetically first of a list)."""
    hw = data.get("highway", "")
    return sorted(hw)[0] if isinstance(hw, list) else hw
