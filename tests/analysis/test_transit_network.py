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
    pt = transit_network(walk, Feed(stops, trips, st), start_s=25_200, end_s=32_400, boarding_penalty_s=0)
    cost = dijkstra(pt.network.matrix, indices=0)
    # From street node 0 (at stop A) to node 20 (at stop B): wait 300 s + ride 120 s.
    assert cost[20] == pytest.approx(420.0, abs=0.01)
    # Walking all 2 km would take 1,500 s; midway node 10 is reached by riding then walking back 1 km.
    assert cost[10] == pytest.approx(min(1000 / WALK_SPEED_MPS, 420 + 1000 / WALK_SPEED_MPS))
    back = dijkstra(pt.network.matrix, indices=20)
    assert back[0] == pytest.approx(2000 / WALK_SPEED_MPS)  # no service B -> A: walk


def _feed(stop_xy: dict[str, tuple[float, float]], patterns: list[tuple[list[str], np.ndarray, float]]) -> Feed:
    """Stops and trips: each pattern is (stop ids, first departures in s, seconds between stops)."""
    stops = gpd.GeoDataFrame({"stop_id": list(stop_xy)},
                             geometry=gpd.points_from_xy([p[0] for p in stop_xy.values()],
                                                         [p[1] for p in stop_xy.values()]), crs=3006)
    rows, trip_ids = [], []
    for k, (seq, starts, run) in enumerate(patterns):
        for t0 in starts:
            tid = f"p{k}-{int(t0)}"
            trip_ids.append(tid)
            rows += [{"trip_id": tid, "stop_id": s, "stop_sequence": i + 1, "departure_s": float(t0 + i * run),
                      "arrival_s": float(t0 + i * run)} for i, s in enumerate(seq)]
    return Feed(stops, pd.DataFrame({"trip_id": trip_ids}), pd.DataFrame(rows))


def test_two_patterns_on_the_same_track_share_one_wait():
    # Stops S (node 0), A (node 10), B (node 20). All-day trains S-A-B every 10 min; peak extras A-B
    # every 10 min, 5 min after them: A -> B is served every 5 min, S -> A every 10 min.
    walk = network_from_graph(line_streets(), weight="length")
    xy = {"S": (661_000.0, 6_569_000.0), "A": (662_000.0, 6_569_000.0), "B": (663_000.0, 6_569_000.0)}
    allday = np.arange(25_200, 32_400, 600)
    feed = _feed(xy, [(["S", "A", "B"], allday, 120.0), (["A", "B"], allday + 420, 120.0)])
    pt = transit_network(walk, feed, start_s=25_200, end_s=32_400, boarding_penalty_s=0)
    from_a = dijkstra(pt.network.matrix, indices=10)
    # Half the combined 5-minute headway (150 s) + 120 s ride; the extras alone would give 300 + 120.
    assert from_a[20] == pytest.approx(150 + 120, abs=0.01)
    from_s = dijkstra(pt.network.matrix, indices=0)
    # At S only the all-day trains run: 300 s wait, then 2 x 120 s riding through A.
    assert from_s[20] == pytest.approx(300 + 240, abs=0.01)


def test_boarding_penalty_per_boarding_and_walk_legs_at_both_ends():
    # Line 1 A -> B, line 2 B -> C, each every 10 min with 120 s between stops; every stop 40 m
    # off the street (walked in a straight line at both ends); 200 s per boarding.
    walk = network_from_graph(line_streets(), weight="length")
    xy = {"A": (661_000.0, 6_569_040.0), "B": (662_000.0, 6_569_040.0), "C": (663_000.0, 6_569_040.0)}
    deps = np.arange(25_200, 32_400, 600)
    feed = _feed(xy, [(["A", "B"], deps, 120.0), (["B", "C"], deps + 60, 120.0)])
    leg = 40 / WALK_SPEED_MPS
    pt = transit_network(walk, feed, start_s=25_200, end_s=32_400, boarding_penalty_s=200)
    cost = dijkstra(pt.network.matrix, indices=0)
    # One ride: leg + penalty + wait 300 + ride 120 + leg.
    assert cost[10] == pytest.approx(leg + 200 + 300 + 120 + leg, abs=0.01)
    # With a transfer the penalty is paid twice, whether changing at the stop or walking out and in.
    by_pt = leg + 200 + 300 + 120 + 200 + 300 + 120 + leg
    assert by_pt < 2000 / WALK_SPEED_MPS
    assert cost[20] == pytest.approx(by_pt, abs=0.01)
    free = transit_network(walk, feed, start_s=25_200, end_s=32_400, boarding_penalty_s=0)
    assert dijkstra(free.network.matrix, indices=0)[20] == pytest.approx(by_pt - 400, abs=0.01)
