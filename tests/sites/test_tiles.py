"""Parcel vector tiles: every parcel present at every zoom, in the tile the slippy-map formula names.

Tiles are decoded with ``mapbox-vector-tile`` (an independent reader). The expected tile of a
point comes from the OpenStreetMap wiki's "Slippy map tilenames" formula, computed here by hand.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import geopandas as gpd
import mapbox_vector_tile
import pytest
import shapely

from errors import DataFormatError
from sites.tiles import LABELS_FILE, ensure_tiles, geometry_checksum, tile_key, tippecanoe_executable

ENGINES = ["gdal", pytest.param("tippecanoe", marks=pytest.mark.skipif(
    tippecanoe_executable() is None, reason="cubao-tippecanoe not installed"))]


def six_parcels() -> gpd.GeoDataFrame:
    """Six 40 x 30 m plots 200 m apart south of Hallunda (SWEREF 99 TM); one designation holds HTML."""
    x0, y0 = 661_000.0, 6_564_000.0
    boxes = [shapely.box(x0 + 200 * k, y0, x0 + 200 * k + 40, y0 + 30) for k in range(6)]
    return gpd.GeoDataFrame({"parcel_id": [f"id{k}" for k in range(6)],
                             "designation": ["Hallunda 1:1", "Hallunda 1:2", "<b>x</b>", "Å 4:4", None, "Ö 6:6"]},
                            geometry=boxes, crs="EPSG:3006")


def slippy_tile(lon: float, lat: float, zoom: int) -> tuple[int, int]:
    """Tile (x, y) of a point, from the OSM wiki formula."""
    n = 2 ** zoom
    x = int((lon + 180.0) / 360.0 * n)
    y = int((1.0 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2.0 * n)
    return x, y


def decoded(directory: Path) -> dict[tuple[int, int, int], list[dict]]:
    out = {}
    for f in directory.glob("*/*/*.pbf"):
        z, x, y = int(f.parent.parent.name), int(f.parent.name), int(f.stem)
        layers = mapbox_vector_tile.decode(f.read_bytes())
        out[(z, x, y)] = layers["parcels"]["features"] if "parcels" in layers else []
    return out


@pytest.mark.parametrize("engine", ENGINES)
def test_every_parcel_is_in_its_tile_at_every_zoom(tmp_path, engine):
    parcels = six_parcels()
    ts = ensure_tiles(parcels, tmp_path, checksum="abc", min_zoom=12, max_zoom=14, engine=engine)
    assert ts.features == 6 and ts.seconds > 0
    tiles = decoded(ts.directory)
    centres = parcels.geometry.centroid.to_crs(4326)
    for z in (12, 13, 14):
        ids = sorted(int(f["properties"]["i"]) for (zz, _, _), feats in tiles.items() if zz == z for f in feats)
        assert sorted(set(ids)) == list(range(6)), f"zoom {z}: {ids}"
        for i, c in enumerate(centres):
            x, y = slippy_tile(c.x, c.y, z)
            assert i in {int(f["properties"]["i"]) for f in tiles.get((z, x, y), [])}, (z, i, x, y)
    # Only the index travels in the tiles.
    assert {k for feats in tiles.values() for f in feats for k in f["properties"]} == {"i"}
    labels = json.loads((ts.directory / LABELS_FILE).read_text(encoding="utf-8"))
    assert labels["parcel_id"] == ["id0", "id1", "id2", "id3", "id4", "id5"]
    assert labels["designation"] == ["Hallunda 1:1", "Hallunda 1:2", "<b>x</b>", "Å 4:4", "", "Ö 6:6"]
    west, south, east, north = ts.bounds
    # E 661 km / N 6,564 km in SWEREF 99 TM lies near 17.84 E, 59.18 N (Lantmäteriet transformation).
    assert 17.8 < west < east < 17.9 and 59.15 < south < north < 59.22


def test_a_tile_set_is_written_once_per_checksum(tmp_path):
    parcels = six_parcels()
    first = ensure_tiles(parcels, tmp_path, checksum="abc", min_zoom=13, max_zoom=13, engine="gdal")
    stamp = (first.directory / "tiles.json").stat().st_mtime_ns
    again = ensure_tiles(parcels, tmp_path, checksum="abc", min_zoom=13, max_zoom=13, engine="gdal")
    assert again.seconds == 0 and again.directory == first.directory
    assert (first.directory / "tiles.json").stat().st_mtime_ns == stamp
    other = ensure_tiles(parcels, tmp_path, checksum="abd", min_zoom=13, max_zoom=13, engine="gdal")
    assert other.directory != first.directory
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([first.key, other.key])  # no work folders left


def test_keys_depend_on_checksum_and_zooms():
    assert tile_key("a") != tile_key("b")
    assert tile_key("a", min_zoom=10) != tile_key("a", min_zoom=11)
    assert len(tile_key("a")) == 20


def test_geometry_checksum_sees_a_moved_parcel():
    parcels = six_parcels()
    moved = parcels.copy()
    moved.loc[3, "geometry"] = shapely.affinity.translate(moved.geometry[3], 1.0, 0.0)
    assert geometry_checksum(parcels) == geometry_checksum(parcels.copy())
    assert geometry_checksum(parcels) != geometry_checksum(moved)


def test_parcels_without_crs_are_refused(tmp_path):
    parcels = six_parcels().set_crs(None, allow_override=True)
    with pytest.raises(DataFormatError, match="no coordinate reference system"):
        ensure_tiles(parcels, tmp_path, checksum="x", engine="gdal")


def test_bad_zoom_range_is_refused(tmp_path):
    with pytest.raises(ValueError, match="zoom range"):
        ensure_tiles(six_parcels(), tmp_path, checksum="x", min_zoom=15, max_zoom=12)
