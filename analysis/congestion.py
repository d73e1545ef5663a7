"""Car travel times in free flow and in the morning peak: one table of factors and junction delays.

Every edge's free-flow time (length / speed limit) is multiplied by a congestion factor that
depends on the road class and the zone the edge lies in, and entering a junction of ordinary
roads (a node where three or more roads meet) adds a delay for signals, give-way and turning.

Zones are rings around central Stockholm (T-Centralen): the inner city within 5 km, the
suburbs to 30 km, the outer region beyond.

Sources and status (labels as in DOMAIN.md):

* [S] TomTom Traffic Index (The Local, 2013): in Stockholm's peak periods drivers were delayed
  48 minutes per hour of travel, i.e. +80 % over free flow, city-wide on all roads. The inner-city
  factors below (1.6-1.9) bracket that figure; it is the only published anchor at hand.
* [U] every other factor and every delay is an assumption in line with the ordering DOMAIN.md
  gives (inner-city arterials and Essingeleden worst, outer motorways least). Replace them with
  measured speeds (e.g. Trafikverket's travel-time data) when available; the table is the only
  place to change.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

import networkx as nx
import numpy as np

from analysis.network import Network, cheapest_edges

PERIODS = ("peak", "free_flow")
#: Default period for car indicators and scores (the morning peak).
DEFAULT_PERIOD = "peak"
#: Centre of the zones: T-Centralen, SWEREF 99 TM (E, N).
CITY_CENTRE_3006 = (674_181.0, 6_581_071.0)
#: Outer radius of the inner-city and suburban zones, metres.
ZONE_RADII_M = (5_000.0, 30_000.0)
ZONES = ("inner", "suburb", "outer")

ROAD_CLASS: Mapping[str, str] = MappingProxyType({
    "motorway": "motorway", "motorway_link": "motorway", "trunk": "motorway", "trunk_link": "motorway",
    "primary": "main", "primary_link": "main", "secondary": "main", "secondary_link": "main",
})
"""Highway tag -> road class of the factor table; anything else is ``"local"``."""

#: Peak-hour multiplier of free-flow time: (road class, zone) -> (factor, status and source).
PEAK_FACTORS: Mapping[tuple[str, str], tuple[float, str]] = MappingProxyType({
    ("motorway", "inner"): (1.9, "U; Essingeleden/Södra länken queues, brackets TomTom +80 % [S]"),
    ("motorway", "suburb"): (1.5, "U"),
    ("motorway", "outer"): (1.1, "U"),
    ("main", "inner"): (1.8, "U; TomTom city-wide +80 % [S]"),
    ("main", "suburb"): (1.35, "U"),
    ("main", "outer"): (1.1, "U"),
    ("local", "inner"): (1.6, "U"),
    ("local", "suburb"): (1.2, "U"),
    ("local", "outer"): (1.05, "U"),
})
#: Seconds added on entering a junction of ordinary roads: zone -> (free flow, peak). All [U].
JUNCTION_DELAY_S: Mapping[str, tuple[float, float]] = MappingProxyType({
    "inner": (15.0, 40.0),
    "suburb": (8.0, 20.0),
    "outer": (4.0, 8.0),
})


def zone_of(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Zone index (0 inner, 1 suburb, 2 outer) of points in EPSG:3006."""
    d = np.hypot(np.asarray(x) - CITY_CENTRE_3006[0], np.asarray(y) - CITY_CENTRE_3006[1])
    return np.searchsorted(np.asarray(ZONE_RADII_M), d, side="right")


def factor_table() -> list[dict[str, object]]:
    """The factors and delays as rows (for the README and the app's method panel)."""
    rows = [{"road_class": c, "zone": z, "peak_factor": f, "status": src} for (c, z), (f, src) in PEAK_FACTORS.items()]
    rows += [{"road_class": "junction delay (s)", "zone": z, "free_flow": ff, "peak": pk, "status": "U"}
             for z, (ff, pk) in JUNCTION_DELAY_S.items()]
    return rows


def car_network(graph: nx.MultiDiGraph, *, period: str = DEFAULT_PERIOD) -> Network:
    """Car network with costs in seconds for ``period`` (``"peak"`` or ``"free_flow"``).

    Parameters
    ----------
    graph
        Projected drive graph with edge ``travel_time`` (free-flow seconds) and ``highway``.
    period
        ``"free_flow"``: speed limits plus off-peak junction delays; ``"peak"``: the morning peak,
        free-flow times times ``PEAK_FACTORS`` plus peak junction delays.

    Returns
    -------
    Network
        Nodes in ``graph.nodes`` order (as ``network_from_graph``).
    """
    return car_networks(graph, periods=(period,))[period]


def car_networks(graph: nx.MultiDiGraph, *, periods: tuple[str, ...] = PERIODS) -> dict[str, Network]:
    """``car_network`` for several periods, reading the graph once."""
    unknown = [p for p in periods if p not in PERIODS]
    if unknown:
        raise ValueError(f"unknown period {unknown[0]!r}; choose one of {', '.join(PERIODS)}")
    ids = np.array(list(graph.nodes))
    index = {n: i for i, n in enumerate(ids.tolist())}
    nodes = graph.nodes
    x = np.array([nodes[n]["x"] for n in ids], dtype="float64")
    y = np.array([nodes[n]["y"] for n in ids], dtype="float64")
    zone = zone_of(x, y)
    edges = edge_list(graph)
    rows = np.array([index[u] for u, _, _ in edges], dtype=np.int64)
    cols = np.array([index[v] for _, v, _ in edges], dtype=np.int64)
    base = np.array([float(d["travel_time"]) for _, _, d in edges])
    klass = np.array([_road_class(d) for _, _, d in edges])
    # Junction: a node with three or more distinct neighbours (either direction).
    pairs = np.unique(np.r_[np.c_[rows, cols], np.c_[cols, rows]], axis=0)
    pairs = pairs[pairs[:, 0] != pairs[:, 1]]
    junction = np.bincount(pairs[:, 0], minlength=len(ids)) >= 3
    mid_zone = zone_of((x[rows] + x[cols]) / 2, (y[rows] + y[cols]) / 2)
    out = {}
    for period in periods:
        which = 1 if period == "peak" else 0  # column of JUNCTION_DELAY_S
        factor = np.ones(len(edges))
        if period == "peak":
            for k, z in enumerate(ZONES):
                for c in ("motorway", "main", "local"):
                    factor[(mid_zone == k) & (klass == c)] = PEAK_FACTORS[(c, z)][0]
        delay = np.array([JUNCTION_DELAY_S[z][which] for z in ZONES])[zone[cols]]
        delay = np.where(junction[cols] & (klass != "motorway"), delay, 0.0)
        out[period] = Network(cheapest_edges(rows, cols, base * factor + delay, len(ids)), x, y, ids)
    return out


def edge_list(graph: nx.MultiDiGraph) -> list[tuple]:
    """``(u, v, data)`` of every edge, in the graph's order.

    A filtered view (``nx.subgraph_view``, e.g. ``layers.roads.drive_network``) is read through
    its base graph and its own node and edge filters: the same edges in the same order, several
    times faster than iterating the view (networkx checks the filters again at every level).
    """
    base = getattr(graph, "_graph", None)
    node_ok, edge_ok = getattr(graph, "_NODE_OK", None), getattr(graph, "_EDGE_OK", None)
    if base is None or node_ok is None or edge_ok is None or not graph.is_multigraph():
        return list(graph.edges(data=True))
    return [(u, v, d) for u, v, k, d in base.edges(keys=True, data=True)
            if node_ok(u) and node_ok(v) and edge_ok(u, v, k)]


def _road_class(data: Mapping) -> str:
    """Road class of an edge, the same in every process.

    An edge osmnx merged from ways of several classes takes the slowest-to-clear one (local before
    main before motorway).
    """
    hw = data.get("highway", "")
    classes = {ROAD_CLASS.get(h, "local") for h in (hw if isinstance(hw, list) else [hw])}
    return next(c for c in ("local", "main", "motorway") if c in classes)
