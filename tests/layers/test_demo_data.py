"""The shipped demo dataset loads through layers/ with the promised counts, CRS and schema."""

from __future__ import annotations

import math

import gtfs_kit
import networkx as nx
import numpy as np
import osmnx as ox
import pytest
from shapely.geometry import Point, box

import layers
from data import geography as geo
from data.build_demo import xy
from layers.parcels import FIELDS as PARCEL_FIELDS
from layers.roads import drive_network, walk_network
from settings import DEMO_DIR, MANIFEST_PATH

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")


@pytest.fixture(scope="module")
def parcels():
    return layers.load_parcels()


@pytest.fixture(scope="module")
def roads():
    return layers.load_roads()


@pytest.fixture(scope="module")
def feed():
    return layers.load_transit()


def test_manifest_checksums_match_files():
    manifest = layers.load_manifest()
    layers.verify_manifest(manifest, root=MANIFEST_PATH.parent)
    assert manifest["demo"] is True and "synthetic" in manifest["notice"].lower()
    for name, entry in manifest["files"].items():
        assert (DEMO_DIR / name).exists()
        for key in ("title", "format", "crs", "feature_count", "sha256", "licence", "real", "synthetic"):
            assert key in entry, f"{name} lacks {key}"
        for fact in entry["real"]:
            assert fact["source"], f"{name}: real fact without a source"


def test_manifest_counts_match_loaded_layers(parcels):
    files = layers.load_manifest()["files"]
    assert files["parcels.gpkg"]["feature_count"] == {"parcels": len(parcels)}
    assert files["premises.gpkg"]["feature_count"]["premises"] == len(layers.load_premises())
    assert files["zoning.gpkg"]["feature_count"]["land_use"] == len(layers.load_land_use())


def test_demo_folder_is_small():
    size = sum(p.stat().st_size for p in DEMO_DIR.iterdir())
    assert size < 15 * 1024 * 1024


def test_parcels_schema_and_extent(parcels):
    assert len(parcels) >= 400
    assert parcels.crs.to_epsg() == 3006
    assert [f.name for f in PARCEL_FIELDS] == list(parcels.columns[: len(PARCEL_FIELDS)])
    assert parcels["parcel_id"].is_unique and parcels["designation"].is_unique
    assert parcels["designation"].str.match(r"^[A-ZÅÄÖ][a-zåäö]+ \d+:\d+$").all()
    assert set(parcels["plan_use_code"].dropna()) <= {"Z", "J", "K", "H", "C", "B"}
    assert set(parcels["owner_type"]) == {"municipal", "Södra Porten AB", "private"}
    assert np.allclose(parcels["area_m2"], parcels.geometry.area, atol=0.1)
    trakter = set(parcels["trakt"])
    assert {"Skyttbrink", "Tuna", "Bovallen", "Alby", "Slagsta", "Fittja", "Hallunda"} <= trakter


def test_sodra_porten_new_land_is_about_37_ha(parcels):
    new = parcels[parcels["new_land"]]
    assert 36.0 <= new["area_m2"].sum() / 1e4 <= 38.0
    assert set(new["owner_type"]) <= {"municipal", "Södra Porten AB"}
    assert new["vacant"].all()
    hagelby = new[new["plan_name"] == "Detaljplan 1 Hågelby hage"]
    assert 3.5 <= hagelby["area_m2"].sum() / 1e4 <= 4.5
    assert (new["plan_name"] == "Detaljplan 2 Saltmossen").any()
    # Hågelby hage is the southernmost part of Södra Porten.
    assert hagelby.geometry.centroid.y.max() <= new.geometry.centroid.y.min() + 200
    centroid = new.union_all().centroid
    assert centroid.distance(Point(xy(*geo.POINTS["Södra Porten centroid"][:2]))) < 500


def test_premises(parcels):
    premises = layers.load_premises()
    assert len(premises) >= 60
    assert set(premises["premises_type"]) == {"office", "warehouse", "industry", "retail"}
    assert (premises["floor_area_m2"] > 0).all()
    assert premises.loc[premises["vacant"], "vacant_since"].notna().all()
    assert premises.geometry.within(parcels.union_all()).all()


def test_zoning_covers_the_map_extent(parcels):
    land_use = layers.load_land_use()
    assert set(land_use["category"]) == {
        "Stadsbygd",
        "Landsbygd",
        "Verksamheter",
        "Transporter och infrastruktur",
        "Grönstruktur",
        "Vatten",
    }
    covered = land_use.union_all()
    assert covered.contains(box(*parcels.total_bounds))
    assert math.isclose(land_use.area.sum(), covered.area, rel_tol=1e-6), "land-use polygons overlap"
    change = layers.load_change_areas()
    assert {9, 3, 11} <= set(change["area_no"])
    sp = change.loc[change["area_no"] == 9].geometry.iloc[0]
    assert parcels[parcels["new_land"]].geometry.within(sp).all()
    constraints = layers.load_constraints()
    assert {"heritage", "nature", "water"} <= set(constraints["kind"])
    heritage = constraints[constraints["kind"] == "heritage"].union_all()
    assert parcels[parcels["new_land"]].intersects(heritage).sum() >= 3


def test_road_network(roads, parcels):
    assert roads.graph["crs"] == "EPSG:3006"
    names = {n for _, _, d in roads.edges(data=True) for n in _names(d)}
    assert {"Södertäljevägen", "Hågelbyleden", "Kumla gårdsväg", "Hallundavägen"} <= names
    junctions = layers.motorway_junctions(roads)
    assert {"Hallunda", "Fittja", "Vårby", "Kungens kurva"} <= set(junctions["junction_name"])
    assert set(junctions.loc[junctions["junction_name"] == "Hallunda", "ref"]) == {"146"}
    hallunda = Point(xy(59.2417, 17.8366))
    assert junctions[junctions["junction_name"] == "Hallunda"].distance(hallunda).max() < 500
    drive = drive_network(roads)
    # The view keeps footpath nodes without car edges; every node a car can use reaches every other.
    assert nx.is_strongly_connected(drive.subgraph([n for n in drive if drive.degree(n) > 0]))
    # The county's main roads are there (tagged note=approximate in the file; osmnx drops the tag).
    assert {"Essingeleden", "Södra länken", "Norrortsleden", "Nynäsvägen", "E18 Enköpingsvägen"} <= names
    edges = ox.graph_to_gdfs(roads, nodes=False)
    streets = edges[~edges["highway"].isin(["motorway", "motorway_link"])].union_all()
    assert parcels.geometry.distance(streets).max() < 15, "every parcel lies on a street"
    speeds = {d["speed_kph"] for _, _, d in roads.edges(data=True) if d["highway"] == "motorway"}
    assert {80, 110} <= speeds
    for _, _, d in roads.edges(data=True):
        assert d["travel_time"] == pytest.approx(d["length"] / (d["speed_kph"] / 3.6), rel=1e-3, abs=0.15)


def _names(data: dict) -> set[str]:
    name = data.get("name")
    return set(name if isinstance(name, list) else [name])


def test_kumla_gardsvag_has_two_entrances_from_hagelbyleden(roads):
    entrances = {
        v
        for u, v, d in roads.edges(data=True)
        if "Kumla gårdsväg" in _names(d) and any("Hågelbyleden" in _names(e) for *_, e in roads.edges(v, data=True))
    }
    assert len(entrances) == 2


def test_gtfs_is_valid_for_an_independent_reader():
    feed = gtfs_kit.read_feed(DEMO_DIR / "transit_gtfs.zip", dist_units="km")
    quality = gtfs_kit.assess_quality(feed).set_index("indicator")["value"]
    assert quality["assessment"] == "good feed"
    assert len(feed.stops) == len(layers.load_transit().stops)


def test_peak_departures_match_the_timetable(feed):
    peak = layers.departures_per_hour(feed, start="07:00", end="09:00")
    by_name = peak.set_index("stop_name")
    # Metro every 5 minutes each way at peak: 12 + 12 per hour.
    assert by_name.loc["Alby", "departures_per_hour"] == 24
    # Commuter rail lines 40 and 41 every 15 minutes each way (2 x (4 + 4)) plus line 44's peak
    # trains that start at Tumba towards the city (4); those back end at Tumba, which is no departure.
    assert by_name.loc["Tumba", "departures_per_hour"] == 20
    assert by_name.loc["Tullinge", "departures_per_hour"] == 24
    # Södertälje centrum is a terminus of lines 40 and 41: one direction, 2 x 4 per hour.
    assert by_name.loc["Södertälje centrum", "departures_per_hour"] == 8
    assert by_name.loc["Kumla gårdsväg västra", "modes"] == "bus"
    assert by_name.loc["Kumla gårdsväg västra", "departures_per_hour"] > 0


def test_population_in_botkyrka_matches_the_published_districts():
    grid = layers.load_population()
    assert grid.cell_size == 250
    districts = layers.load_districts()
    points = grid.to_points()
    in_districts = sum(points.loc[points.within(d.geometry), "population"].sum() for d in districts.itertuples())
    # The real 1 km grid, split to 250 m, against the districts' published sum (94,479): cells on the
    # border count whole, so allow 5 %. The synthetic district outlines do not match district by district.
    published = sum(geo.BOTKYRKA_DISTRICTS.values())
    assert abs(in_districts - published) <= 0.05 * published
    minx, miny, maxx, maxy = grid.bounds
    for lat, lon in [
        (59.1911, 17.6284),
        (59.33, 18.0573),
        (59.2193, 17.9478),
    ]:  # Södertälje C, Stockholm C, Flemingsberg
        e, n = xy(lat, lon)
        assert minx < e < maxx and miny < n < maxy


@pytest.mark.parametrize("order", [["residential", "footway"], ["footway", "residential"]])
def test_merged_edges_are_classed_the_same_whatever_the_list_order(order):
    # osmnx lists the highway values of ways it merges in no fixed order (string hashing differs per
    # process); a car may use the edge only if every part allows cars, a pedestrian likewise.
    from analysis import congestion

    g = nx.MultiDiGraph(crs="EPSG:3006")
    g.add_node(1, x=661_000.0, y=6_569_000.0)
    g.add_node(2, x=661_100.0, y=6_569_000.0)
    g.add_node(3, x=661_200.0, y=6_569_000.0)
    g.add_edge(1, 2, highway=list(order), length=100.0, travel_time=9.0)
    g.add_edge(2, 1, highway=list(order), length=100.0, travel_time=9.0)
    for a, b in ((2, 3), (3, 2)):
        g.add_edge(a, b, highway=["primary", "motorway"][:: 1 if order[0] == "residential" else -1], length=100.0,
                   travel_time=4.0)
    assert sorted(drive_network(g).edges()) == [(2, 3), (3, 2)]
    assert sorted(map(sorted, walk_network(g).edges())) == [[1, 2]]
    net = congestion.car_network(g, period="peak")
    # The primary/motorway edge is classed "main" (suburb zone: x 1.35), not motorway, in either order.
    assert net.matrix[1, 2] == pytest.approx(4.0 * 1.35)
