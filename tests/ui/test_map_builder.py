"""The map needs nothing from outside the app but basemap tiles."""

from __future__ import annotations

import folium
import geopandas as gpd
import pytest
from folium.plugins import Fullscreen
from shapely.geometry import box

from ui.assets import external_links, localise
from ui.map_builder import MapLayers, build_map, score_layer


def _layers() -> MapLayers:
    parcels = gpd.GeoDataFrame({"parcel_id": ["a"], "colour": ["#21918c"], "tooltip": ["A 1:1"]},
                               geometry=[box(17.83, 59.23, 17.831, 59.231)], crs=4326)
    points = gpd.GeoDataFrame({"label": ["x"]}, geometry=gpd.points_from_xy([17.83], [59.23]), crs=4326)
    return MapLayers(parcels=parcels, premises=points, stations=points, junctions=points,
                     visible={"premises": True, "transit": True, "junctions": True})


def test_every_script_and_stylesheet_is_served_by_the_app():
    m = build_map(_layers(), center=(59.23, 17.83), zoom=14, drawing=True)
    score_layer(_layers()).add_to(m)
    assert external_links(m) == []
    html = m.get_root().render()
    assert "/app/static/vendor/leaflet/leaflet.js" in html
    assert "cdn.jsdelivr" not in html and "cdnjs" not in html and "code.jquery" not in html


def test_an_unvendored_plugin_is_refused_loudly():
    m = folium.Map()
    Fullscreen().add_to(m)
    with pytest.raises(ValueError, match="Fullscreen needs assets that are not vendored"):
        localise(m)
