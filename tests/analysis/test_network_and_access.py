"""Routing on tiny graphs whose travel times can be worked out by hand."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pandas as pd
import pytest
from scipy.sparse import csr_matrix

from analysis import access, labour
from analysis.network import costs_from_sources, nearest_source, network_from_graph


def grid_graph(n: int = 3, spacing: float = 100.0, speed_mps: float = 10.0) -> nx.MultiDiGraph:
    """An n x n street grid, two-way, 100 m blocks at 10 m/s: 10 s per block."""
    g = nx.MultiDiGraph(crs="EPSG:3006")
    for i in range(n):
        for j in range(n):
            g.add_node(i * n + j, x=661_000 + j * spacing, y=6_569_000 + i * spacing)
    for i in range(n):
        for j in range(n):
            for di, dj in ((0, 1), (1, 0)):
                if i + di < n and j + dj < n:
                    a, b = i * n + j, (i + di) * n + j + dj
                    for u, v in ((a, b), (b, a)):
                        g.add_edge(u, v, length=spacing, travel_time=spacing / speed_mps, highway="residential")
    return g


def test_grid_travel_times_by_hand():
    g = grid_graph()
    net = network_from_graph(g)
    cost, which = nearest_source(net, net.index_of([0]), reverse=True)
    # Manhattan distance in blocks x 10 s: node 8 (far corner) is 4 blocks from node 0.
    assert cost[net.index_of([8])[0]] == pytest.approx(40.0)
    assert cost[net.index_of([4])[0]] == pytest.approx(20.0)
    assert set(which) == {0}


def test_one_way_street_changes_the_time_to_but_not_from():
    g = grid_graph()
    g.remove_edge(1, 0)  # no driving from node 1 to node 0
    net = network_from_graph(g)
    to_0, _ = nearest_source(net, net.index_of([0]), reverse=True)
    from_0, _ = nearest_source(net, net.index_of([0]))
    one = net.index_of([1])[0]
    assert to_0[one] == pytest.approx(30.0)  # 1 -> 4 -> 3 -> 0
    assert from_0[one] == pytest.approx(10.0)


def test_car_to_junction_picks_the_nearest_and_adds_the_access_leg():
    g = grid_graph()
    net = network_from_graph(g)
    entries = net.index_of([0, 8])
    x = np.array([661_000.0, 661_200.0, 661_100.0])
    y = np.array([6_569_000.0 + 50, 6_569_200.0, 6_569_100.0])  # 50 m off node 0, on node 8, on node 4
    out = access.car_to_junction(net, x, y, entries, np.array(["West", "East"]), index=pd.RangeIndex(3))
    assert list(out["nearest_junction"])[:2] == ["West", "East"]
    assert out["car_network_s"].tolist() == pytest.approx([0.0, 0.0, 20.0])
    assert out["car_min_to_junction"].iloc[0] == pytest.approx(50 / access.CAR_ACCESS_SPEED_MPS / 60)
    assert out["car_min_to_junction"].iloc[2] == pytest.approx(20 / 60)


def test_cost_matrix_matches_networkx():
    g = grid_graph(4)
    net = network_from_graph(g)
    m = costs_from_sources(net, net.index_of([0, 5]), net.index_of([15, 10]), limit_s=1e9)
    for i, s in enumerate([0, 5]):
        for j, t in enumerate([15, 10]):
            assert m[i, j] == pytest.approx(nx.shortest_path_length(g, s, t, weight="travel_time"))


def test_two_cell_population_gravity_and_cumulative_by_hand():
    # A line: parcel at node 0; homes A at node 1 (600 s away) and B at node 2 (1,200 s away).
    g = nx.MultiDiGraph(crs="EPSG:3006")
    for k in range(3):
        g.add_node(k, x=661_000.0 + 1000 * k, y=6_569_000.0)
    for a, b in ((0, 1), (1, 2)):
        g.add_edge(a, b, travel_time=600.0)
        g.add_edge(b, a, travel_time=600.0)
    net = network_from_graph(g)
    c = labour.catchment(net, np.array([662_000.0, 663_000.0]), np.array([6_569_000.0, 6_569_000.0]),
                         {"all": np.array([1000.0, 500.0]), "north": np.array([0.0, 500.0])},
                         np.array([661_000.0]), np.array([6_569_000.0]), horizon_s=3600, leg_speed_mps=1.0)
    assert labour.residents_within(c, 10) == pytest.approx([1000])
    assert labour.residents_within(c, 20) == pytest.approx([1500])
    assert labour.residents_within(c, 20, group="north") == pytest.approx([500])
    # Hansen, beta 0.05/min: 1000 e^-0.5 + 500 e^-1 = 606.53 + 183.94 = 790.47
    assert labour.gravity(c, 0.05) == pytest.approx([1000 * np.exp(-0.5) + 500 * np.exp(-1.0)])
    assert labour.gravity(c, 0.05)[0] == pytest.approx(790.47, abs=0.01)


@pytest.mark.parametrize("pairwise", [False, True])
def test_streamed_and_matrix_labour_pools_give_the_hand_counts(pairwise, monkeypatch):
    # The line of the test above: homes A (1,000) at node 1, 600 s from node 0, and B (500, "north")
    # at node 2, 1,200 s away. Parcel P on node 0; parcel Q 300 m north of node 0, which at 1 m/s
    # adds a 300 s (5 min) leg: A is 15 min from Q, B 25 min. Both ways of summing a chunk
    # (dense, or pair by pair for short searches) are run.
    monkeypatch.setattr(labour, "SPARSE_BELOW", 2.0 if pairwise else 0.0)
    g = nx.MultiDiGraph(crs="EPSG:3006")
    for k in range(3):
        g.add_node(k, x=661_000.0 + 1000 * k, y=6_569_000.0)
    for a, b in ((0, 1), (1, 2)):
        g.add_edge(a, b, travel_time=600.0)
        g.add_edge(b, a, travel_time=600.0)
    net = network_from_graph(g)
    cx, cy = np.array([662_000.0, 663_000.0]), np.array([6_569_000.0, 6_569_000.0])
    groups = {"all": np.array([1000.0, 500.0]), "north": np.array([0.0, 500.0])}
    px, py = np.array([661_000.0, 661_000.0]), np.array([6_569_000.0, 6_569_300.0])
    thresholds = {"10": (10, "all"), "20": (20, "all"), "30": (30, "all"), "north_20": (20, "north")}
    expected = {"10": [1000, 0], "20": [1500, 1000], "30": [1500, 1500], "north_20": [500, 0]}
    origins = labour.origins_from_cells(net, cx, cy, groups, leg_speed_mps=1.0)
    streamed = labour.labour_pool(net, origins, px, py, thresholds_min=thresholds, leg_speed_mps=1.0, chunk=1,
                                  beta_per_min=0.05, horizon_s=3600)
    c = labour.catchment(net, cx, cy, groups, px, py, horizon_s=3600, leg_speed_mps=1.0)
    for name, (minutes, group) in thresholds.items():
        assert streamed[name].tolist() == expected[name]
        assert labour.residents_within(c, minutes, group=group).tolist() == expected[name]
    # Hansen at 0.05/min: P = 1000 e^-0.5 + 500 e^-1 = 790.47; Q = 1000 e^-0.75 + 500 e^-1.25 = 615.62
    hand = [1000 * np.exp(-0.5) + 500 * np.exp(-1.0), 1000 * np.exp(-0.75) + 500 * np.exp(-1.25)]
    assert hand == pytest.approx([790.47, 615.62], abs=0.01)
    assert streamed["gravity"] == pytest.approx(hand)
    assert labour.gravity(c, 0.05) == pytest.approx(hand)
    # A 15-minute horizon (network time) leaves B out of the gravity in both: 1000 e^-0.5, 1000 e^-0.75.
    short = labour.labour_pool(net, origins, px, py, thresholds_min={"10": (10, "all")}, leg_speed_mps=1.0,
                               beta_per_min=0.05, horizon_s=900)
    c_short = labour.catchment(net, cx, cy, groups, px, py, horizon_s=900, leg_speed_mps=1.0)
    assert short["gravity"] == pytest.approx([606.53, 472.37], abs=0.01)
    assert labour.gravity(c_short, 0.05) == pytest.approx([606.53, 472.37], abs=0.01)


def test_departures_add_both_legs_for_parcels_sharing_a_node():
    # 100 m blocks. Stop S0 on node 0 (leg 0), stop S2 on node 2 with a 50 m leg. Parcel P1 on
    # node 1, P2 40 m north of node 1 (same node), P3 on node 8 (S2: 200 + 50 m, S0: 300 m).
    # Trips: T1 calls at S0 and S2, T2 at S2 only, T3 at S0 only. Walks: P1 -> S0 100 m,
    # P1 -> S2 150 m; P2 -> S0 140 m, P2 -> S2 190 m; P3 -> S2 250 m, P3 -> S0 300 m.
    g = grid_graph()
    walk = network_from_graph(g, weight="length")
    departures = csr_matrix(np.array([[1, 0, 1], [1, 1, 0]], dtype=np.float32))
    x = np.array([661_100.0, 661_100.0, 661_200.0])
    y = np.array([6_569_000.0, 6_569_040.0, 6_569_200.0])
    out = access.departures_within_walk(walk, x, y, walk.index_of([0, 2]), np.array([0.0, 50.0]), departures,
                                        hours=1.0, radii_m=(120.0, 180.0, 260.0), index=pd.RangeIndex(3))
    assert out["departures_per_hour_120m"].tolist() == [2, 0, 0]  # P1: S0 -> T1, T3
    assert out["departures_per_hour_180m"].tolist() == [3, 2, 0]  # P1: S0 + S2; P2: S0 only
    assert out["departures_per_hour_260m"].tolist() == [3, 3, 2]  # P3: S2 -> T1, T2


def test_departures_count_each_trip_once():
    g = grid_graph()
    walk = network_from_graph(g, weight="length")
    # Two stops at nodes 0 and 1 (100 m apart); trip T1 calls at both, T2 only at node 1.
    departures = csr_matrix(np.array([[1, 0], [1, 1]], dtype=np.float32))
    out = access.departures_within_walk(walk, np.array([661_000.0]), np.array([6_569_000.0]),
                                        walk.index_of([0, 1]), np.zeros(2), departures, hours=2.0,
                                        radii_m=(50.0, 600.0), index=pd.RangeIndex(1))
    assert out["departures_per_hour_50m"].iloc[0] == 0.5  # only T1 at the stop on node 0
    assert out["departures_per_hour_600m"].iloc[0] == 1.0  # T1 once + T2 = 2 trips in 2 hours


def test_departure_matrix_skips_arrivals_and_other_times():
    st = pd.DataFrame({"trip_id": ["a", "a", "b", "b"], "stop_id": ["S1", "S2", "S1", "S2"],
                       "stop_sequence": [1, 2, 1, 2], "departure_s": [25_300.0, 25_500.0, 40_000.0, 40_100.0]})
    m = access.departure_matrix(st, np.array(["S1", "S2"]), start_s=25_200, end_s=32_400).toarray()
    assert m.tolist() == [[1.0], [0.0]]


def test_streaming_labour_pool_equals_the_matrix_version(monkeypatch):
    g = grid_graph(6)
    net = network_from_graph(g)
    rng = np.random.default_rng(4)
    cx, cy = rng.uniform(661_000, 661_500, 30), rng.uniform(6_569_000, 6_569_500, 30)
    pop = rng.integers(0, 200, 30).astype(float)
    groups = {"all": pop, "half": pop / 2}
    px, py = rng.uniform(661_000, 661_500, 12), rng.uniform(6_569_000, 6_569_500, 12)
    c = labour.catchment(net, cx, cy, groups, px, py, horizon_s=3600, leg_speed_mps=5.0)
    origins = labour.origins_from_cells(net, cx, cy, groups, leg_speed_mps=5.0)
    streamed = labour.labour_pool(net, origins, px, py, leg_speed_mps=5.0, chunk=4, beta_per_min=0.05,
                                  thresholds_min={"a": (1, "all"), "b": (2, "half")})
    assert streamed["a"] == pytest.approx(labour.residents_within(c, 1))
    assert streamed["b"] == pytest.approx(labour.residents_within(c, 2, group="half"))
    assert streamed["gravity"] == pytest.approx(labour.gravity(c, 0.05), rel=1e-5)
    parallel = labour.labour_pool(net, origins, px, py, leg_speed_mps=5.0, chunk=4, workers=2,
                                  thresholds_min={"a": (1, "all")})
    assert parallel["a"] == pytest.approx(streamed["a"])
    monkeypatch.setattr(labour, "SPARSE_BELOW", 2.0)  # every chunk summed pair by pair
    pairwise = labour.labour_pool(net, origins, px, py, leg_speed_mps=5.0, chunk=4, beta_per_min=0.05,
                                  thresholds_min={"a": (1, "all"), "b": (2, "half")})
    for name in ("a", "b", "gravity"):
        assert pairwise[name] == pytest.approx(streamed[name], rel=1e-12)


def test_walk_to_stop_counts_both_straight_legs():
    # Grid of 100 m blocks. The parcel is 40 m off node 0. Stop "Near" sits 150 m off node 2
    # (200 m away), stop "Far" on node 8 (400 m away).
    walk = network_from_graph(grid_graph(), weight="length")
    x, y = np.array([661_000.0]), np.array([6_569_000.0 - 40])
    nodes = walk.index_of([2, 8])
    out = access.walk_to_stop(walk, x, y, nodes, np.array(["Near", "Far"]), stop_leg_m=np.array([150.0, 0.0]),
                              index=pd.RangeIndex(1))
    assert out["walk_m_to_rail_stop"].iloc[0] == pytest.approx(40 + 200 + 150)
    assert out["nearest_rail_stop"].iloc[0] == "Near"
    # A longer leg at "Near" (250 m: 450 in all) makes "Far" (400 m) the nearest.
    out = access.walk_to_stop(walk, x, y, nodes, np.array(["Near", "Far"]), stop_leg_m=np.array([250.0, 0.0]),
                              index=pd.RangeIndex(1))
    assert out["walk_m_to_rail_stop"].iloc[0] == pytest.approx(40 + 400)
    assert out["nearest_rail_stop"].iloc[0] == "Far"
