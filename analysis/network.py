"""Graphs as sparse matrices, snapping points to nodes, and bounded shortest paths.

networkx graphs are converted once to a ``Network`` (CSR matrix + node coordinates); every
routing indicator then runs scipy's C Dijkstra on it, many sources at a time.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass

import networkx as nx
import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra
from scipy.spatial import cKDTree


@dataclass(frozen=True)
class Network:
    """A directed graph as a CSR matrix of edge costs (seconds) with node positions.

    Attributes
    ----------
    matrix
        ``n x n`` CSR matrix; ``matrix[i, j]`` is the cost of the cheapest edge i -> j.
    x, y
        Node coordinates in the working CRS (metres).
    ids
        Original node ids, in matrix order.
    """

    matrix: csr_matrix
    x: np.ndarray
    y: np.ndarray
    ids: np.ndarray

    @property
    def size(self) -> int:
        """Number of nodes."""
        return len(self.x)

    def index_of(self, node_ids: Iterable[Hashable]) -> np.ndarray:
        """Matrix indices of original node ids."""
        lookup = {n: i for i, n in enumerate(self.ids.tolist())}
        return np.array([lookup[n] for n in node_ids], dtype=np.int64)


def routable_nodes(network: Network) -> np.ndarray:
    """Indices of nodes with at least one edge (a filtered graph view keeps its isolated nodes)."""
    m = network.matrix
    has = (np.diff(m.indptr) > 0) | (np.bincount(m.indices, minlength=network.size) > 0)
    return np.flatnonzero(has)


def network_from_graph(graph: nx.MultiDiGraph, *, weight: str = "travel_time", speed_mps: float | None = None,
                       undirected: bool = False) -> Network:
    """Convert a projected networkx graph to a ``Network``.

    Parameters
    ----------
    graph
        Graph with node ``x``/``y`` in metres and an edge attribute ``weight``.
    weight
        Edge attribute used as cost (``travel_time`` in seconds, or ``length`` in metres).
    speed_mps
        If given, cost = ``weight`` / ``speed_mps`` (e.g. length / walking speed = seconds).
    undirected
        Add every edge in both directions (walking); always so for an undirected graph.

    Returns
    -------
    Network
        Parallel edges keep the cheapest cost.
    """
    ids = np.array(list(graph.nodes))
    index = {n: i for i, n in enumerate(ids.tolist())}
    rows, cols, costs = [], [], []
    for u, v, data in graph.edges(data=True):
        cost = float(data[weight]) / (speed_mps or 1.0)
        rows.append(index[u])
        cols.append(index[v])
        costs.append(cost)
    rows_a, cols_a, costs_a = np.array(rows, dtype=np.int64), np.array(cols, dtype=np.int64), np.array(costs)
    if undirected or not graph.is_directed():
        rows_a, cols_a, costs_a = np.r_[rows_a, cols_a], np.r_[cols_a, rows_a], np.r_[costs_a, costs_a]
    matrix = cheapest_edges(rows_a, cols_a, costs_a, len(ids))
    x = np.array([graph.nodes[n]["x"] for n in ids], dtype="float64")
    y = np.array([graph.nodes[n]["y"] for n in ids], dtype="float64")
    return Network(matrix, x, y, ids)


def cheapest_edges(rows: np.ndarray, cols: np.ndarray, costs: np.ndarray, n: int) -> csr_matrix:
    """CSR matrix keeping the cheapest of parallel edges; zero costs become a tiny positive cost.

    scipy treats stored zeros as missing edges, so a free edge (e.g. alighting) is stored as 1e-9 s.
    """
    order = np.lexsort((costs, cols, rows))
    rows, cols, costs = rows[order], cols[order], costs[order]
    first = np.ones(len(rows), dtype=bool)
    first[1:] = (rows[1:] != rows[:-1]) | (cols[1:] != cols[:-1])
    return csr_matrix((np.maximum(costs[first], 1e-9), (rows[first], cols[first])), shape=(n, n))


@dataclass(frozen=True)
class Snap:
    """Points snapped to their nearest network node.

    Attributes
    ----------
    node
        Matrix index of the nearest node per point.
    distance_m
        Straight-line distance from the point to that node.
    """

    node: np.ndarray
    distance_m: np.ndarray


def snap_points(network: Network, x: np.ndarray, y: np.ndarray, *, among: np.ndarray | None = None) -> Snap:
    """Snap points to the nearest node (optionally only among the node indices ``among``)."""
    candidates = np.arange(network.size) if among is None else np.asarray(among)
    tree = cKDTree(np.c_[network.x[candidates], network.y[candidates]])
    dist, idx = tree.query(np.c_[x, y])
    return Snap(candidates[idx], dist)


def nearest_source(network: Network, sources: Sequence[int], *, limit_s: float = np.inf,
                   reverse: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """Cost from every node to (or from) the nearest of several sources, and which source.

    Parameters
    ----------
    network
        The graph.
    sources
        Matrix indices of the sources.
    limit_s
        Stop searching beyond this cost.
    reverse
        If True, cost *to* the sources (searches the reversed graph); else cost *from* them.

    Returns
    -------
    cost, which
        Per node: the cheapest cost (inf if unreachable) and the position in ``sources`` of the
        source that gives it (-1 if unreachable).
    """
    sources = np.asarray(sources, dtype=np.int64)
    matrix = network.matrix.T.tocsr() if reverse else network.matrix
    cost, _, origin = dijkstra(matrix, directed=True, indices=sources, limit=limit_s, min_only=True,
                               return_predecessors=True)
    position = np.full(network.size, -1, dtype=np.int64)
    position[sources] = np.arange(len(sources))
    which = np.where(origin >= 0, position[np.maximum(origin, 0)], -1)
    return cost, which


def nodes_within(network: Network, sources: np.ndarray, *, limit: float, metres_per_unit: float = 1.0,
                 tile_m: float = 2000.0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Nodes within a cost ``limit`` of each source, as sparse triples, for walk-like networks.

    Sources are grouped in square tiles and each group is routed on the part of the network
    within the limit in a straight line of the group's sources: a walk along streets is never
    shorter than the straight line (edge lengths follow the way geometry; 1 % and 10 m of
    margin cover the map projection's scale), and every node of a path within the limit is
    itself within it, so the costs are exact while each search touches only a few thousand nodes.

    Parameters
    ----------
    network
        Network whose edge cost is at least the straight-line distance over
        ``metres_per_unit`` (walking: metres, or seconds at walking speed).
    sources
        Source nodes (matrix indices).
    limit
        Largest cost kept.
    metres_per_unit
        Straight-line metres covered per unit of cost at most (1 for metres; the walking speed
        in m/s for seconds).
    tile_m
        Side of the tiles sources are grouped in.

    Returns
    -------
    node, source, cost
        One entry per (node, source) pair within the limit; ``source`` is the position in
        ``sources``, ``cost`` the network cost from that source.
    """
    sources = np.asarray(sources, dtype=np.int64)
    if not len(sources):
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64), np.zeros(0)
    reach = limit * metres_per_unit * 1.01 + 10.0
    sx, sy = network.x[sources], network.y[sources]
    tx = np.floor((sx - sx.min()) / tile_m).astype(np.int64)
    ty = np.floor((sy - sy.min()) / tile_m).astype(np.int64)
    tile = tx * (int(ty.max()) + 1) + ty
    order = np.argsort(tile, kind="stable")
    placed = np.flatnonzero(np.isfinite(network.x) & np.isfinite(network.y))
    by_x = placed[np.argsort(network.x[placed], kind="stable")]
    xs = network.x[by_x]
    nodes, found, costs = [], [], []
    for group in np.split(order, np.flatnonzero(np.diff(tile[order])) + 1):
        lo, hi = np.searchsorted(xs, [sx[group].min() - reach, sx[group].max() + reach], side="left")
        band = by_x[lo:hi]
        yb = network.y[band]
        inside = np.sort(band[(yb >= sy[group].min() - reach) & (yb <= sy[group].max() + reach)])
        sub = network.matrix[inside][:, inside]
        local = np.searchsorted(inside, sources[group])
        block = np.atleast_2d(dijkstra(sub, directed=True, indices=local, limit=limit))
        s, v = np.nonzero(np.isfinite(block))
        nodes.append(inside[v])
        found.append(group[s])
        costs.append(block[s, v])
    return np.concatenate(nodes), np.concatenate(found), np.concatenate(costs)


def costs_from_sources(network: Network, sources: np.ndarray, targets: np.ndarray, *, limit_s: float,
                       chunk: int = 64) -> np.ndarray:
    """Cost matrix ``sources x targets`` (float32, inf beyond ``limit_s``), computed in chunks."""
    sources = np.asarray(sources, dtype=np.int64)
    targets = np.asarray(targets, dtype=np.int64)
    out = np.full((len(sources), len(targets)), np.inf, dtype="float32")
    for start in range(0, len(sources), chunk):
        block = dijkstra(network.matrix, directed=True, indices=sources[start : start + chunk], limit=limit_s)
        out[start : start + chunk] = np.atleast_2d(block)[:, targets]
    return out
