"""Road loading on a three-street OSM file whose travel times can be done on paper."""

from __future__ import annotations

import pytest

from layers.reader import as_bytes_io
from layers.roads import drive_network, load_roads, motorway_junctions, walk_network

# Three nodes on a line of latitude 59.24, about 569 m apart (0.01 degrees of longitude).
OSM = """<?xml version='1.0' encoding='UTF-8'?>
<osm version="0.6">
  <node id="1" lat="59.24" lon="17.80"/>
  <node id="2" lat="59.24" lon="17.81"><tag k="highway" v="motorway_junction"/><tag k="name" v="Testby"/>
    <tag k="ref" v="99"/></node>
  <node id="3" lat="59.24" lon="17.82"/>
  <node id="4" lat="59.245" lon="17.81"/>
  <way id="10"><nd ref="1"/><nd ref="2"/><nd ref="3"/><tag k="highway" v="motorway"/><tag k="maxspeed" v="90"/>
    <tag k="oneway" v="yes"/></way>
  <way id="11"><nd ref="3"/><nd ref="4"/><nd ref="1"/><tag k="highway" v="residential"/></way>
  <way id="12"><nd ref="2"/><nd ref="4"/><tag k="highway" v="footway"/></way>
</osm>
"""


@pytest.fixture(scope="module")
def graph():
    return load_roads(as_bytes_io(OSM.encode(), "tiny.osm"))


def test_speeds_from_tags_and_defaults(graph):
    motorway = [d for *_, d in graph.edges(data=True) if d["highway"] == "motorway"]
    residential = [d for *_, d in graph.edges(data=True) if d["highway"] == "residential"]
    assert {d["speed_kph"] for d in motorway} == {90.0}
    assert {d["speed_kph"] for d in residential} == {40.0}  # Swedish default for residential
    for d in motorway:  # ~569 m at 90 km/h = 22.8 s
        assert d["length"] == pytest.approx(569, abs=3)
        assert d["travel_time"] == pytest.approx(d["length"] / 25.0, abs=0.1)


def test_motorway_only_one_way_and_projected(graph):
    assert graph.graph["crs"] == "EPSG:3006"
    assert graph.has_edge(1, 2) and not graph.has_edge(2, 1)
    assert graph.has_edge(3, 4) and graph.has_edge(4, 3)


def test_junction_names_and_networks(graph):
    junctions = motorway_junctions(graph)
    assert junctions[["node", "junction_name", "ref"]].values.tolist() == [[2, "Testby", "99"]]
    drive = drive_network(graph)
    assert not any(d["highway"] == "footway" for *_, d in drive.edges(data=True))
    walk = walk_network(graph)
    assert not any(d["highway"] == "motorway" for *_, d in walk.edges(data=True))
    assert walk.has_edge(2, 4) and walk.has_edge(4, 2)


def test_edge_list_of_the_drive_view_is_the_views_edges(graph):
    # The fast read of a filtered view must give the view's own edges, in its order: here the
    # motorway 1 -> 2 -> 3 and the residential street 3 - 4 - 1 both ways, not the footway 2 - 4.
    from analysis.congestion import edge_list

    drive = drive_network(graph)
    fast = edge_list(drive)
    assert [(u, v) for u, v, _ in fast] == [(u, v) for u, v, _ in drive.edges(data=True)]
    assert sorted((u, v) for u, v, _ in fast) == [(1, 2), (1, 4), (2, 3), (3, 4), (4, 1), (4, 3)]
    assert edge_list(graph) == list(graph.edges(data=True))
