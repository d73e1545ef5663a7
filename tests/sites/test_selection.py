"""Click-to-parcel on two squares."""

from __future__ import annotations

import geopandas as gpd
from shapely.geometry import box

from sites.selection import parcel_at

PARCELS = gpd.GeoDataFrame({"parcel_id": ["a", "b"]},
                           geometry=[box(17.830, 59.230, 17.831, 59.231), box(17.832, 59.230, 17.833, 59.231)],
                           crs=4326)


def test_click_inside_and_near_and_outside():
    assert parcel_at(PARCELS, 59.2305, 17.8305) == "a"
    assert parcel_at(PARCELS, 59.2305, 17.8325) == "b"
    assert parcel_at(PARCELS, 59.2305, 17.83103) == "a"  # 2 m east of a's edge
    assert parcel_at(PARCELS, 59.2305, 17.8315) is None  # in the street between them
    assert parcel_at(PARCELS, 59.3, 18.0) is None
    assert parcel_at(PARCELS, "not a number", 17.83) is None


def test_drawn_area_is_projected_and_checked():
    from sites.selection import drawn_area

    square = {"type": "Feature", "properties": {}, "geometry": {"type": "Polygon", "coordinates": [[
        [17.830, 59.230], [17.832, 59.230], [17.832, 59.231], [17.830, 59.231], [17.830, 59.230]]]}}
    area = drawn_area([{"geometry": {"type": "Point", "coordinates": [17.8, 59.2]}}, square])
    assert area is not None and 12_000 < area.area < 13_000  # ~114 m x ~111 m
    assert 6_560_000 < area.centroid.y < 6_580_000
    assert drawn_area([]) is None and drawn_area(None) is None
    bowtie = {"geometry": {"type": "Polygon", "coordinates": [[[17.83, 59.23], [17.84, 59.24], [17.84, 59.23],
                                                               [17.83, 59.24], [17.83, 59.23]]]}}
    assert drawn_area([bowtie]) is None
