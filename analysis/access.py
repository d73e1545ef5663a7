"""Accessibility indicators per parcel: motorway junction by car, rail stop on foot, service frequency.

Every parcel is represented by its centroid, joined to its nearest network node by a straight
access leg (car at ``CAR_ACCESS_SPEED_MPS``, walking at ``WALK_SPEED_MPS``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra

from analysis.network import Network, nearest_source, nodes_within, snap_points

CAR_ACCESS_SPEED_MPS = 20 / 3.6


def car_to_junction(drive: Network, x: np.ndarray, y: np.ndarray, entry_nodes: np.ndarray,
                    entry_names: np.ndarray, *, index: pd.Index, among: np.ndarray | None = None,
                    access_speed_mps: float | None = None) -> pd.DataFrame:
    """Minutes by car from each point to the nearest motorway entry.

    Parameters
    ----------
    drive
        Car network with edge costs in seconds.
    x, y
        Parcel points (centroids), EPSG:3006.
    entry_nodes
        Matrix indices of motorway entries (starts of on-ramps).
    entry_names
        Junction name per entry.
    index
        Index of the result (the parcels' index).
    among
        Node indices the points may snap to (e.g. ``routable_nodes(drive)``).
    access_speed_mps
        Speed of the straight access leg; ``CAR_ACCESS_SPEED_MPS`` by default.

    Returns
    -------
    pandas.DataFrame
        ``car_min_to_junction``, ``nearest_junction``, ``car_network_s`` (network part only),
        ``car_snap_node`` (matrix index).
    """
    snap = snap_points(drive, x, y, among=among)
    cost, which = nearest_source(drive, entry_nodes, reverse=True)
    net_s = cost[snap.node]
    name = np.where(which[snap.node] >= 0, np.asarray(entry_names, dtype=object)[np.maximum(which[snap.node], 0)],
                    None)
    total_min = (net_s + snap.distance_m / (access_speed_mps or CAR_ACCESS_SPEED_MPS)) / 60
    return pd.DataFrame({"car_min_to_junction": total_min, "nearest_junction": name, "car_network_s": net_s,
                         "car_snap_node": snap.node}, index=index)


def walk_to_stop(walk: Network, x: np.ndarray, y: np.ndarray, stop_nodes: np.ndarray, stop_names: np.ndarray,
                 *, stop_leg_m: np.ndarray, index: pd.Index) -> pd.DataFrame:
    """Walking distance from each point to the nearest of some stops: both straight legs plus the network.

    Distance = point -> its nearest street node (straight) + street network + stop's street node ->
    stop (straight), the same legs ``departures_within_walk`` counts.

    Parameters
    ----------
    walk
        Street network with edge costs in metres, both directions.
    x, y
        Parcel points, EPSG:3006.
    stop_nodes
        Matrix indices of the stops' nearest street nodes.
    stop_names
        Name per stop.
    stop_leg_m
        Straight distance from each stop to its street node.
    index
        Index of the result.

    Returns
    -------
    pandas.DataFrame
        ``walk_m_to_rail_stop`` and ``nearest_rail_stop``.
    """
    snap = snap_points(walk, x, y)
    stop_nodes = np.asarray(stop_nodes, dtype=np.int64)
    legs = np.asarray(stop_leg_m, dtype="float64")
    # A virtual source joined to every stop's street node by that stop's leg: one search finds the
    # nearest stop with its leg counted.
    n = walk.size
    coo = walk.matrix.tocoo()
    rows = np.r_[coo.row, np.full(len(stop_nodes), n)]
    cols = np.r_[coo.col, stop_nodes]
    costs = np.r_[coo.data, legs]
    which_edge = np.r_[np.full(len(coo.row), -1), np.arange(len(stop_nodes))]
    order = np.lexsort((costs, cols, rows))
    rows, cols, costs, which_edge = rows[order], cols[order], costs[order], which_edge[order]
    first = np.ones(len(rows), dtype=bool)
    first[1:] = (rows[1:] != rows[:-1]) | (cols[1:] != cols[:-1])
    matrix = csr_matrix((np.maximum(costs[first], 1e-9), (rows[first], cols[first])), shape=(n + 1, n + 1))
    dist, pred = dijkstra(matrix, directed=True, indices=n, return_predecessors=True)
    # The stop behind each node: the node its shortest path entered from the virtual source, found
    # by pointer jumping along the predecessors (log of the path length vectorised steps).
    from_source = (rows[first] == n)
    entered = np.full(n + 1, -1, dtype=np.int64)
    entered[cols[first][from_source]] = which_edge[first][from_source]
    up = np.where(pred[:n] >= 0, pred[:n], np.arange(n))
    up = np.where(up == n, np.arange(n), up)  # nodes entered from the source are their own root
    while True:
        nxt = up[up]
        if np.array_equal(nxt, up):
            break
        up = nxt
    owner = np.where(np.isfinite(dist[:n]), entered[up], -1)
    w = owner[snap.node]
    return pd.DataFrame({
        "walk_m_to_rail_stop": dist[snap.node] + snap.distance_m,
        "nearest_rail_stop": np.where(w >= 0, np.asarray(stop_names, dtype=object)[np.maximum(w, 0)], None),
    }, index=index)


def departures_within_walk(walk: Network, x: np.ndarray, y: np.ndarray, stop_nodes: np.ndarray,
                           stop_leg_m: np.ndarray, departures: csr_matrix, hours: float,
                           *, radii_m: tuple[float, ...] = (600.0, 1200.0), index: pd.Index) -> pd.DataFrame:
    """Distinct departures per hour from all stops within a walk of each point.

    A trip that calls at several reachable stops counts once.

    Parameters
    ----------
    walk
        Street network with edge costs in metres.
    x, y
        Parcel points.
    stop_nodes, stop_leg_m
        Each stop's nearest street node and the straight distance to it.
    departures
        ``stops x trips`` matrix, non-zero where the trip departs the stop in the window.
    hours
        Window length in hours.
    radii_m
        Walking distances to report.
    index
        Index of the result.

    Returns
    -------
    pandas.DataFrame
        ``departures_per_hour_<r>m`` for each radius.
    """
    snap = snap_points(walk, x, y)
    limit = max(radii_m)
    node, stop, dist = nodes_within(walk, stop_nodes, limit=limit)
    dist = dist + np.asarray(stop_leg_m, dtype="float64")[stop]
    keep = dist <= limit
    node, stop, dist = node[keep], stop[keep], dist[keep]
    # For each parcel, the (stop, distance) pairs of its street node: CSR by node, rows repeated per parcel.
    order = np.argsort(node, kind="stable")
    node, stop, dist = node[order], stop[order], dist[order]
    starts = np.searchsorted(node, np.arange(walk.size + 1))
    counts = np.diff(starts)[snap.node]
    out = {f"departures_per_hour_{int(r)}m": np.zeros(len(snap.node)) for r in radii_m}
    departures = departures.tocsr()
    step = max(1, 2_000_000 // max(1, int(counts.mean()) if len(counts) else 1))
    for first in range(0, len(snap.node), step):
        rows_p = np.arange(first, min(first + step, len(snap.node)))
        n_each = counts[rows_p]
        parcel = np.repeat(rows_p - first, n_each)
        within = np.arange(n_each.sum()) - np.repeat(np.cumsum(n_each) - n_each, n_each)
        pair = np.repeat(starts[snap.node[rows_p]], n_each) + within
        total = dist[pair] + snap.distance_m[rows_p][parcel]
        for r in radii_m:
            near = total <= r
            reach = csr_matrix((np.ones(int(near.sum()), dtype=np.float32), (parcel[near], stop[pair][near])),
                               shape=(len(rows_p), len(stop_nodes)))
            trips = (reach @ departures).tocsr()
            out[f"departures_per_hour_{int(r)}m"][rows_p] = np.diff(trips.indptr) / hours
    return pd.DataFrame(out, index=index)


def departure_matrix(stop_times: pd.DataFrame, stop_ids: np.ndarray, *, start_s: float, end_s: float) -> csr_matrix:
    """``stops x trips`` matrix marking trips that depart each stop within ``[start_s, end_s)``.

    The last call of a trip is an arrival, not a departure. ``stop_times`` needs ``trip_id``,
    ``stop_id``, ``stop_sequence`` and ``departure_s``; only trips of one service day belong in it.
    """
    last = stop_times.groupby("trip_id")["stop_sequence"].transform("max")
    st = stop_times[(stop_times["stop_sequence"] < last) & (stop_times["departure_s"] >= start_s)
                    & (stop_times["departure_s"] < end_s)]
    stop_pos = pd.Series(np.arange(len(stop_ids)), index=stop_ids)
    st = st[st["stop_id"].isin(stop_pos.index)]
    trip_codes, _ = pd.factorize(st["trip_id"])
    rows = stop_pos[st["stop_id"]].to_numpy()
    n_trips = int(trip_codes.max()) + 1 if len(trip_codes) else 0
    return csr_matrix((np.ones(len(rows), dtype=np.float32), (rows, trip_codes)), shape=(len(stop_ids), n_trips))
