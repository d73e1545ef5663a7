"""Isochrones: the area reachable from a site within given travel times."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import shapely
from scipy.sparse.csgraph import dijkstra

from analysis.network import Network


def isochrones(network: Network, source: int, minutes: Sequence[float], *, reach_m: float = 250.0,
               among: np.ndarray | None = None, reverse: bool = False) -> list[shapely.Geometry]:
    """Polygons of the nodes reachable from ``source`` within each time, buffered by ``reach_m``.

    Parameters
    ----------
    network
        Costs in seconds.
    source
        Matrix index of the start node.
    minutes
        Times, ascending (e.g. 10, 20, 30).
    reach_m
        Buffer around each reached node (the area one can cover on foot from the road).
    among
        Only these node indices count (e.g. street nodes of a transit network).
    reverse
        Time *to* the source instead of from it.

    Returns
    -------
    list of shapely geometries
        One (multi)polygon per time, in the network's CRS; empty if nothing is reached.
    """
    matrix = network.matrix.T.tocsr() if reverse else network.matrix
    cost = dijkstra(matrix, directed=True, indices=int(source), limit=max(minutes) * 60)
    keep = np.zeros(network.size, dtype=bool)
    keep[np.arange(network.size) if among is None else among] = True
    out = []
    for m in minutes:
        hit = keep & (cost <= m * 60)
        points = shapely.points(network.x[hit], network.y[hit])
        area = shapely.union_all(shapely.buffer(points, reach_m, quad_segs=4))
        out.append(shapely.simplify(area, reach_m / 5))
    return out
