"""Walk + wait + ride on a one-line feed."""

from __future__ import annotations

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd
import pytest
from scipy.sparse.csgraph import dijkstra

from analysis.network import network_from_graph
from analysis.transit_network import WALK_SPEED_MPS, transit_network


class Feed:
    def __init__(self, stops, trips, stop_times):
        self.stops, self.trips, self.stop_times = stops, trips, stop_times


def line_streets(n: int = 21, spacing: float = 100.0) -> nx.MultiGraph:
    g = nx.MultiGraph(crs="EPSG:3006")
    for k in range(n):
        g.add_node(k, x=661_000.0 + k * spacing, y=6_569_000.0)
    for k in range(n - 1):
        g.add_edge(k, k + 1, length=spacing)
    return g


def test_walk_wait_ride_by_hand():
    walk = network_from_graph(line_streets(), weight="length")
    stops = gpd.GeoDataFrame({"stop_id": ["A", "B"]}, geometry=gpd.points_from_xy([661_000, 663_000],
                                                                                  [6_569_000, 6_569_000]),
                             crs=3006)
    # A -> B every 10 minutes 07:00-09:00, 120 s ride.
    deps = np.arange(25_200, 32_400, 600)
    trips = pd.DataFrame({"trip_id": [f"t{i}" for i in range(len(deps))]})
    st = pd.DataFrame({
        "trip_id": np.repeat(trips["trip_id"], 2).to_numpy(),
        "stop_id": ["A", "B"] * len(deps), "stop_sequence": [1, 2] * len(deps),
        "departure_s": np.ravel(np.c_[deps, deps + 120]).astype(float),
        "arrival_s": np.ravel(np.c_[deps, deps + 120]).astype(float),
    })
    pt = transit_network(walk, Feed(stops, trips, st), start_s=25_200, end_s=32_400)
    cost = dijkstra(pt.network.matrix, indices=0)
    # From street node 0 (at stop A) to node 20 (at stop B): wait 300 s + ride 120 s.
    assert cost[20] == pytest.approx(420.0, abs=0.01)
    # Walking all 2 km would take 1,500 s; midway node 10 is reached by riding then walking back 1 km.
    assert cost[10] == pytest.approx(min(1000 / WALK_SPEED_MPS, 420 + 1000 / WALK_SPEED_MPS))
    back = dijkstra(pt.network.matrix, indices=20)
    assert back[0] == pytest.approx(2000 / WALK_SPEED_MPS)  # no service B -> A: walk
