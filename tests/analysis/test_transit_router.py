"""Routing through the stops (access walk, stop search, egress walk) against hand counts and one whole search.

Streets in these tests are a straight line of nodes 100 m apart: 75 s of walking per edge at
80 m/min. Stops stand on street nodes, trains run every 10 minutes (a wait of 300 s), no boarding
penalty, so every expected time below is a sum of those numbers.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy.sparse.csgraph import dijkstra

from analysis.network import network_from_graph
from analysis.transit_network import transit_network
from analysis.transit_router import transit_router
from tests.analysis.test_transit_network import _feed, line_streets

EDGE_S = 75.0
EVERY_10_MIN = np.arange(25_200, 32_400, 600)


def _line(n: int, patterns: list[tuple[list[str], float]], stops_at: dict[str, int]):
    walk = network_from_graph(line_streets(n), weight="length")
    xy = {name: (661_000.0 + 100.0 * k, 6_569_000.0) for name, k in stops_at.items()}
    feed = _feed(xy, [(seq, EVERY_10_MIN, run) for seq, run in patterns])
    return transit_network(walk, feed, start_s=25_200, end_s=32_400, boarding_penalty_s=0)


@pytest.fixture()
def one_line():
    # 41 street nodes (4 km); stop A at node 10, stop B at node 40; A -> B in 120 s.
    return _line(41, [(["A", "B"], 120.0)], {"A": 10, "B": 40})


def test_uncapped_walks_give_the_whole_network_search(one_line):
    router = transit_router(one_line, max_walk_s=1e6, max_transfer_s=1e6)
    streets = np.arange(41)
    whole = dijkstra(one_line.network.matrix, indices=streets)[:, streets]
    assert router.costs(streets, streets, limit_s=1e6) == pytest.approx(whole, abs=0.01)


def test_walk_cap_by_hand(one_line):
    router = transit_router(one_line, max_walk_s=900, max_transfer_s=900)
    t = router.costs(np.array([0]), np.arange(41), limit_s=5400)[0]
    # Walk 10 edges to A (750 s), wait 300 s, ride 120 s: at B after 1,170 s.
    assert t[40] == pytest.approx(10 * EDGE_S + 300 + 120, abs=0.01)
    # Node 35: B, then 5 edges back (375 s); the direct walk (35 edges) is beyond the 15-minute cap.
    assert t[35] == pytest.approx(1170 + 5 * EDGE_S, abs=0.01)
    # Node 5: walked directly.
    assert t[5] == pytest.approx(5 * EDGE_S, abs=0.01)
    # Node 25 is 15 edges (1,125 s) from both A and B and 25 from home: beyond every capped walk.
    assert np.isinf(t[25])
    # A 10-minute cap keeps the 12.5-minute walk to A out: only the first 8 edges (600 s) remain.
    short = transit_router(one_line, max_walk_s=600, max_transfer_s=600).costs(np.array([0]), np.arange(41),
                                                                               limit_s=5400)[0]
    assert short[8] == pytest.approx(600, abs=0.01)
    assert np.isinf(short[9:]).all()


def test_walking_transfer_cap_by_hand():
    # Line 1: A (node 0) -> B (node 20); line 2: C (node 30) -> D (node 60); B to C is a 750 s walk.
    pt = _line(61, [(["A", "B"], 120.0), (["C", "D"], 120.0)], {"A": 0, "B": 20, "C": 30, "D": 60})
    within = transit_router(pt, max_walk_s=900, max_transfer_s=900).costs(np.array([0]), np.array([60]),
                                                                           limit_s=5400)
    # wait 300 + ride 120, walk 750 to C, wait 300 + ride 120.
    assert within[0, 0] == pytest.approx(300 + 120 + 10 * EDGE_S + 300 + 120, abs=0.01)
    assert dijkstra(pt.network.matrix, indices=0)[60] == pytest.approx(within[0, 0], abs=0.01)
    beyond = transit_router(pt, max_walk_s=900, max_transfer_s=600).costs(np.array([0]), np.array([60]),
                                                                          limit_s=5400)
    assert np.isinf(beyond[0, 0])


def test_times_beyond_the_limit_are_infinite(one_line):
    router = transit_router(one_line, max_walk_s=900, max_transfer_s=900)
    t = router.costs(np.array([0]), np.array([5, 40]), limit_s=1000)[0]
    assert t[0] == pytest.approx(375, abs=0.01) and np.isinf(t[1])  # B at 1,170 s > 1,000 s
