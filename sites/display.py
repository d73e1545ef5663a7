"""What the browser gets: simplified parcels, and for big datasets the best ones plus a grid summary.

Folium sends every polygon as GeoJSON inside the page: ~1 s and 2 MB for 5,000 parcels, but
~35 s and 45 MB for 100,000. Above ``max_parcels`` the map shows the best-scored parcels in
full and summarises the rest as grid cells coloured by their best score.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely


def display_parcels(parcels: gpd.GeoDataFrame, scores: pd.Series, *, max_parcels: int = 4000,
                    tolerance_m: float = 0.5) -> gpd.GeoDataFrame:
    """Parcels to draw (EPSG:3006 in, same CRS out), at most ``max_parcels`` of them, best first.

    Parameters
    ----------
    parcels
        Parcels with ``parcel_id``.
    scores
        Score per parcel (NaN = excluded), indexed like ``parcels``.
    max_parcels
        Cap on drawn parcels; excluded parcels go first when cutting.
    tolerance_m
        Simplification tolerance.

    Returns
    -------
    geopandas.GeoDataFrame
        ``parcel_id`` and simplified geometry.
    """
    keep = parcels
    if len(parcels) > max_parcels:
        order = scores.fillna(-1).sort_values(ascending=False, kind="stable").index[:max_parcels]
        keep = parcels.loc[order]
    return gpd.GeoDataFrame({"parcel_id": keep["parcel_id"].to_numpy()},
                            geometry=shapely.simplify(keep.geometry.to_numpy(), tolerance_m), crs=parcels.crs,
                            index=keep.index)


def score_grid(parcels: gpd.GeoDataFrame, scores: pd.Series, *, cell_m: float = 500.0) -> gpd.GeoDataFrame:
    """Grid cells summarising parcels: count, best and mean score (EPSG:3006).

    Parameters
    ----------
    parcels
        Parcels (their centroids decide the cell).
    scores
        Score per parcel (NaN = excluded).
    cell_m
        Cell size.

    Returns
    -------
    geopandas.GeoDataFrame
        ``parcels``, ``best_score``, ``mean_score`` per populated cell.
    """
    c = parcels.geometry.centroid
    ix = np.floor(c.x.to_numpy() / cell_m).astype(np.int64)
    iy = np.floor(c.y.to_numpy() / cell_m).astype(np.int64)
    df = pd.DataFrame({"ix": ix, "iy": iy, "score": scores.to_numpy()})
    agg = df.groupby(["ix", "iy"]).agg(parcels=("score", "size"), best_score=("score", "max"),
                                       mean_score=("score", "mean")).reset_index()
    boxes = shapely.box(agg["ix"] * cell_m, agg["iy"] * cell_m, (agg["ix"] + 1) * cell_m, (agg["iy"] + 1) * cell_m)
    return gpd.GeoDataFrame(agg[["parcels", "best_score", "mean_score"]], geometry=boxes, crs=parcels.crs)


ROAD_CLASSES = {"motorway": "motorway", "motorway_link": "motorway", "trunk": "main", "trunk_link": "main",
                "primary": "main", "primary_link": "main", "secondary": "main", "secondary_link": "main",
                "tertiary": "street", "tertiary_link": "street", "unclassified": "street", "residential": "street",
                "living_street": "street", "service": "street"}
"""Drawn road classes by OSM ``highway`` value (paths, footways and tracks are not drawn)."""


def road_lines(graph, *, tolerance_m: float = 5.0) -> gpd.GeoDataFrame:
    """The road network as lines to draw: ``road_class`` (motorway, main, street), ``name``, geometry.

    One line per undirected edge (the two directions of a street are drawn once), simplified by
    ``tolerance_m``, in the graph's CRS.

    Parameters
    ----------
    graph
        A road graph as loaded by :func:`layers.load_roads` (``x``/``y`` on nodes; ``highway``,
        optional ``geometry`` and ``name`` on edges).
    tolerance_m
        Simplification tolerance.
    """
    seen: set[tuple[int, int]] = set()
    classes, names, geoms = [], [], []
    for u, v, d in graph.edges(data=True):
        key = (min(u, v), max(u, v))
        hw = d.get("highway", "")
        hw = hw[0] if isinstance(hw, list) else hw
        cls = ROAD_CLASSES.get(hw)
        if cls is None or key in seen:
            continue
        seen.add(key)
        geom = d.get("geometry")
        if geom is None:
            a, b = graph.nodes[u], graph.nodes[v]
            geom = shapely.LineString([(a["x"], a["y"]), (b["x"], b["y"])])
        name = d.get("name", "")
        classes.append(cls)
        names.append(name[0] if isinstance(name, list) else (name if isinstance(name, str) else ""))
        geoms.append(geom)
    lines = gpd.GeoDataFrame({"road_class": classes, "name": names}, geometry=geoms,
                             crs=graph.graph.get("crs", "EPSG:3006"))
    return lines.assign(geometry=lines.simplify(tolerance_m))
