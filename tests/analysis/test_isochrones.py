"""Isochrones on the 3 x 3 grid: which blocks are inside 10 and 20 seconds."""

from __future__ import annotations

import shapely

from analysis.isochrones import isochrones
from analysis.network import network_from_graph
from tests.analysis.test_network_and_access import grid_graph


def test_isochrones_cover_the_reached_nodes_only():
    net = network_from_graph(grid_graph())
    # 10 s per block: in 1/6 min (10 s) the start node and its two neighbours; in 1/3 min, 6 nodes.
    small, large = isochrones(net, 0, [10 / 60, 20 / 60], reach_m=20)
    inside = [i for i in range(9) if small.contains(shapely.Point(net.x[i], net.y[i]))]
    assert inside == [0, 1, 3]
    inside = [i for i in range(9) if large.contains(shapely.Point(net.x[i], net.y[i]))]
    assert inside == [0, 1, 2, 3, 4, 6]
    assert small.difference(large).area < 0.05 * small.area  # simplification may shave the edges
