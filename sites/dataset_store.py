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
from layers.reader import no_gc
from layers.transit import TransitFeed

NODE_COLUMNS = ("x", "y", "lon", "lat", "highway", "ref", "junction_name")
FEED_TABLES = ("routes", "trips", "stop_times", "calendar", "calendar_dates")


def write_roads(graph: nx.MultiDiGraph, folder: Path) -> dict[str, int]:
    """Write ``nodes.parquet`` and ``edges.parquet``; returns their row counts."""
    with no_gc():
        return _write_roads(graph, folder)


def _write_roads(graph: nx.MultiDiGraph, folder: Path) -> dict[str, int]:
    """Column by column (a county has a million edges); straight edges get lines in one vectorised call."""
    folder.mkdir(parents=True, exist_ok=True)
    crs = graph.graph["crs"]
    ids = np.fromiter(graph.nodes, dtype=np.int64, count=graph.number_of_nodes())
    data = [d for _, d in graph.nodes(data=True)]
    nodes = pd.DataFrame({"node": ids, **{c: [d.get(c) for d in data] for c in NODE_COLUMNS}})
    gpd.GeoDataFrame(nodes, geometry=gpd.points_from_xy(nodes["x"], nodes["y"]), crs=crs).to_parquet(
        folder / "nodes.parquet", index=False)
    edges = list(graph.edges(keys=True, data=True))
    names = sorted(set().union(*(d.keys() for *_, d in edges)) - {"geometry"}) if edges else []
    table = pd.DataFrame({
        "u": np.array([e[0] for e in edges], dtype=np.int64), "v": np.array([e[1] for e in edges], dtype=np.int64),
        "key": np.array([e[2] for e in edges], dtype=np.int64),
        **{n: [_flat(e[3].get(n)) for e in edges] for n in names},
    })
    own = np.array([e[3].get("geometry") for e in edges], dtype=object)
    curved = np.array([g is not None for g in own], dtype=bool)
    index = {n: i for i, n in enumerate(ids.tolist())}
    ui = np.array([index[u] for u in table["u"].tolist()], dtype=np.int64)
    vi = np.array([index[v] for v in table["v"].tolist()], dtype=np.int64)
    xs, ys = nodes["x"].to_numpy(dtype=float), nodes["y"].to_numpy(dtype=float)
    straight = shapely.linestrings(np.stack([np.c_[xs[ui], ys[ui]], np.c_[xs[vi], ys[vi]]], axis=1))
    geometry = np.where(curved, own, straight)
    table["curved"] = curved
    gpd.GeoDataFrame(table, geometry=geometry, crs=crs).to_parquet(folder / "edges.parquet", index=False)
    return {"nodes": len(nodes), "edges": len(table)}


def _flat(value: object) -> object:
    """A list (osmnx merges ways into lists) stored as ``a;b``; other values as they are."""
    return ";".join(map(str, value)) if isinstance(value, list) else value


def read_roads(folder: Path) -> nx.MultiDiGraph:
    """The graph written by ``write_roads``."""
    with no_gc():
        return _read_roads(folder)


def _read_roads(folder: Path) -> nx.MultiDiGraph:
    nodes = pd.read_parquet(folder / "nodes.parquet", columns=["node", *NODE_COLUMNS])
    edges = gpd.read_parquet(folder / "edges.parquet")
    epsg = edges.crs.to_epsg() if edges.crs else None
    graph = nx.MultiDiGraph(crs=f"EPSG:{epsg}" if epsg else (edges.crs.to_string() if edges.crs else None),
                            simplified=True)
    graph.add_nodes_from(
        (n, {k: v for k, v in zip(NODE_COLUMNS, rest, strict=True) if v is not None and v == v})
        for n, *rest in nodes.itertuples(index=False, name=None)
    )
    attrs = [c for c in edges.columns if c not in ("geometry", "curved", "u", "v", "key")]
    columns = [_clean(edges[c]) for c in attrs]
    geoms = np.where(edges["curved"].to_numpy(), edges.geometry.to_numpy(), None)
    us, vs, ks = (edges[c].tolist() for c in ("u", "v", "key"))
    batch = []
    for i, values in enumerate(zip(*columns, strict=True)):
        d = {k: v for k, v in zip(attrs, values, strict=True) if v is not None}
        if geoms[i] is not None:
            d["geometry"] = geoms[i]
        batch.append((us[i], vs[i], ks[i], d))
    graph.add_edges_from(batch)
    return graph


def _clean(col: pd.Series) -> list:
    """Column values as Python objects, None for missing (NaN)."""
    return col.astype(object).where(col.notna(), None).tolist()


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
