"""On-disk form of a built dataset's non-vector layers: road graph, GTFS tables, population grid.

The road graph is two GeoParquet tables (nodes as points, edges as lines; a GIS opens both), the
feed its conformed tables as Parquet, the population grid an array with its transform. Reading
them back gives the same objects the loaders return, without parsing the sources again.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd
import shapely
from affine import Affine

from layers.population import PopulationGrid
from layers.transit import TransitFeed

NODE_COLUMNS = ("x", "y", "lon", "lat", "highway", "ref", "junction_name")
FEED_TABLES = ("routes", "trips", "stop_times", "calendar", "calendar_dates")


def write_roads(graph: nx.MultiDiGraph, folder: Path) -> dict[str, int]:
    """Write ``nodes.parquet`` and ``edges.parquet``; returns their row counts."""
    folder.mkdir(parents=True, exist_ok=True)
    crs = graph.graph["crs"]
    ids = np.fromiter(graph.nodes, dtype=np.int64, count=graph.number_of_nodes())
    data = [d for _, d in graph.nodes(data=True)]
    nodes = pd.DataFrame({"node": ids, **{c: [d.get(c) for d in data] for c in NODE_COLUMNS}})
    gpd.GeoDataFrame(nodes, geometry=gpd.points_from_xy(nodes["x"], nodes["y"]), crs=crs).to_parquet(
        folder / "nodes.parquet", index=False)
    rows = []
    xy = {n: (d["x"], d["y"]) for n, d in graph.nodes(data=True)}
    for u, v, k, d in graph.edges(keys=True, data=True):
        row = {key: val for key, val in d.items() if key != "geometry"}
        row.update(u=u, v=v, key=k, curved=d.get("geometry") is not None,
                   geometry=d.get("geometry") or shapely.LineString([xy[u], xy[v]]))
        rows.append(row)
    edges = gpd.GeoDataFrame(pd.DataFrame(rows), geometry="geometry", crs=crs)
    for col in edges.columns:  # osmnx graphs hold lists where ways were merged
        if edges[col].dtype == object and col != "geometry":
            edges[col] = edges[col].map(lambda v: ";".join(map(str, v)) if isinstance(v, list) else v)
    edges.to_parquet(folder / "edges.parquet", index=False)
    return {"nodes": len(nodes), "edges": len(edges)}


def read_roads(folder: Path) -> nx.MultiDiGraph:
    """The graph written by ``write_roads``."""
    nodes = pd.read_parquet(folder / "nodes.parquet", columns=["node", *NODE_COLUMNS])
    edges = gpd.read_parquet(folder / "edges.parquet")
    graph = nx.MultiDiGraph(crs=str(edges.crs.to_string()) if edges.crs else None, simplified=True)
    epsg = edges.crs.to_epsg() if edges.crs else None
    if epsg:
        graph.graph["crs"] = f"EPSG:{epsg}"
    graph.add_nodes_from(
        (n, {k: v for k, v in zip(NODE_COLUMNS, rest, strict=True) if v is not None and v == v})
        for n, *rest in nodes.itertuples(index=False, name=None)
    )
    geoms = edges.geometry.to_numpy()
    curved = edges["curved"].to_numpy()
    attrs = pd.DataFrame(edges.drop(columns=["geometry", "curved", "u", "v", "key"]))
    records = attrs.to_dict("records")
    us, vs, ks = edges["u"].to_numpy(), edges["v"].to_numpy(), edges["key"].to_numpy()
    batch = []
    for i, rec in enumerate(records):
        clean = {k: v for k, v in rec.items() if v is not None and v == v}
        if curved[i]:
            clean["geometry"] = geoms[i]
        batch.append((int(us[i]), int(vs[i]), int(ks[i]), clean))
    graph.add_edges_from(batch)
    return graph


def write_feed(feed: TransitFeed, folder: Path) -> dict[str, int]:
    """Write the feed's tables as Parquet (stops as GeoParquet); returns row counts."""
    folder.mkdir(parents=True, exist_ok=True)
    feed.stops.to_parquet(folder / "stops.parquet", index=False)
    counts = {"stops": len(feed.stops)}
    for name in FEED_TABLES:
        table = getattr(feed, name)
        table.to_parquet(folder / f"{name}.parquet", index=False)
        counts[name] = len(table)
    return counts


def read_feed(folder: Path) -> TransitFeed:
    """The feed written by ``write_feed``."""
    tables = {name: pd.read_parquet(folder / f"{name}.parquet") for name in FEED_TABLES}
    return TransitFeed(stops=gpd.read_parquet(folder / "stops.parquet"), **tables)


def write_population(grid: PopulationGrid, path: Path) -> None:
    """Write the grid's values and transform (``.npz``)."""
    np.savez_compressed(path, values=grid.values, transform=np.array(tuple(grid.transform)[:6]))


def read_population(path: Path) -> PopulationGrid:
    """The grid written by ``write_population``."""
    with np.load(path) as arrays:
        return PopulationGrid(arrays["values"], Affine(*arrays["transform"].tolist()))
