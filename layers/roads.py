"""Road network: an OpenStreetMap XML file, or an osmnx download for a polygon or bbox.

The graph is projected to EPSG:3006 and every edge gets ``speed_kph`` (from ``maxspeed`` tags,
else the Swedish defaults below) and ``travel_time`` in seconds. Motorway exits
(``highway=motorway_junction`` nodes) are the junctions used for car access.
"""

from __future__ import annotations

import logging
import socket
import time
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from urllib.parse import urlparse

import geopandas as gpd
import networkx as nx
import osmnx as ox
import requests
import shapely

from errors import DataFormatError, OfflineError
from layers.reader import Source, check_in_sweden, local_file, sniff_format
from settings import DEMO_DIR, DISPLAY_CRS, NETWORK_TIMEOUT_S, OVERPASS_URL, WORKING_CRS

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


def load_roads(source: Source = DEMO_ROADS, *, speeds: Mapping[str, float] | None = None) -> nx.MultiDiGraph:
    """Read an OSM XML road network and prepare it for routing.

    Parameters
    ----------
    source
        Path or file-like object of an ``.osm`` XML file (e.g. an export from openstreetmap.org,
        Overpass or ``osmium`` cutting a Geofabrik extract to XML).
    speeds
        Speeds (km/h) per highway value for roads without a ``maxspeed`` tag.

    Returns
    -------
    networkx.MultiDiGraph
        Projected to EPSG:3006, with ``speed_kph`` and ``travel_time`` (s) on every edge and
        ``junction_name``/``ref`` on motorway exit nodes.
    """
    t0 = time.perf_counter()
    with local_file(source, default_suffix=".osm") as lf:
        fmt = sniff_format(lf.path)
        if fmt != "xml":
            kind = {"zip": "a zip archive", "gpkg": "a GeoPackage", "empty": "an empty file"}.get(fmt, "not OSM XML")
            raise DataFormatError(
                f"{lf.label}: {kind}. The road network must be OpenStreetMap XML (.osm); convert a .pbf "
                f"extract with 'osmium cat extract.pbf -o roads.osm'."
            )
        try:
            graph = ox.graph_from_xml(lf.path, retain_all=False)
        except ET.ParseError as err:
            raise DataFormatError(f"{lf.label}: broken XML ({err}). Download or export the .osm file again.") from err
        except (ValueError, KeyError) as err:
            raise DataFormatError(f"{lf.label}: holds no usable roads ({err}). Is it an OSM export with ways?") from err
        names = _junction_names(lf.path)
    for node, name in names.items():
        if node in graph.nodes:
            graph.nodes[node]["junction_name"] = name
    graph = prepare_graph(graph, speeds=speeds, label=lf.label)
    logger.info(
        "loaded %s: %d nodes, %d edges, CRS EPSG:4326 -> %s, %.0f ms",
        lf.label,
        graph.number_of_nodes(),
        graph.number_of_edges(),
        WORKING_CRS,
        (time.perf_counter() - t0) * 1000,
    )
    return graph


def download_roads(
    *,
    polygon: shapely.Geometry | None = None,
    bbox: tuple[float, float, float, float] | None = None,
    network_type: str = "all",
    speeds: Mapping[str, float] | None = None,
    overpass_url: str = OVERPASS_URL,
    timeout_s: float = NETWORK_TIMEOUT_S,
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
    try:
        if polygon is not None:
            graph = ox.graph_from_polygon(polygon, network_type=network_type, retain_all=False)
        else:
            graph = ox.graph_from_bbox(bbox, network_type=network_type, retain_all=False)
    except (requests.exceptions.RequestException, ConnectionError) as err:
        raise OfflineError(_offline_message(overpass_url, err)) from err
    return prepare_graph(graph, speeds=speeds, label="OpenStreetMap download")


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
    graph: nx.MultiDiGraph, *, speeds: Mapping[str, float] | None = None, label: str = "roads"
) -> nx.MultiDiGraph:
    """Project to EPSG:3006 and add ``speed_kph`` and ``travel_time`` to every edge."""
    if graph.number_of_edges() == 0:
        raise DataFormatError(f"{label}: the network has no roads.")
    graph = ox.project_graph(graph, to_crs=WORKING_CRS)
    xs = [d["x"] for _, d in graph.nodes(data=True)]
    ys = [d["y"] for _, d in graph.nodes(data=True)]
    check_in_sweden((min(xs), min(ys), max(xs), max(ys)), label=label, crs_name=DISPLAY_CRS)
    table = {**DEFAULT_SPEEDS_KPH, **(speeds or {})}
    graph = ox.add_edge_speeds(graph, hwy_speeds=table, fallback=50)
    return ox.add_edge_travel_times(graph)


def _junction_names(path: object) -> dict[int, str]:
    """Names of ``highway=motorway_junction`` nodes, read straight from the XML."""
    names: dict[int, str] = {}
    for _, elem in ET.iterparse(path, events=("end",)):
        if elem.tag == "node":
            tags = {t.get("k"): t.get("v") for t in elem.findall("tag")}
            if tags.get("highway") == "motorway_junction":
                names[int(elem.get("id"))] = tags.get("name") or tags.get("ref") or ""
            elem.clear()
        elif elem.tag == "way":
            elem.clear()
    return names


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
        rows, geometry="geometry", crs=WORKING_CRS, columns=["node", "junction_name", "ref", "geometry"]
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
        rows, geometry="geometry", crs=WORKING_CRS, columns=["node", "junction_name", "ref", "geometry"]
    )


def drive_network(graph: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """The part of the network a car may use (a view, not a copy).

    An edge osmnx merged from ways of several classes is usable only if every part is.
    """
    return nx.subgraph_view(graph, filter_edge=lambda u, v, k: not _highways(graph.edges[u, v, k]) & NOT_FOR_CARS)


def walk_network(graph: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """The part of the network a pedestrian may use, in both directions (every part of a merged edge)."""
    keep = [(u, v, k) for u, v, k, d in graph.edges(keys=True, data=True) if not _highways(d) & NOT_FOR_WALKING]
    return graph.edge_subgraph(keep).to_undirected(as_view=False)


def _highways(data: Mapping) -> set[str]:
    """Every highway value of an edge (osmnx lists them, in no fixed order, when it merges ways)."""
    hw = data.get("highway", "")
    return set(hw) if isinstance(hw, list) else {hw}


def _hw(data: Mapping) -> str:
    """One highway value per edge, the same in every process (the alphabetically first of a list)."""
    hw = data.get("highway", "")
    return sorted(hw)[0] if isinstance(hw, list) else hw
