"""Parcel vector tiles: every parcel present at every zoom, in the tile the slippy-map formula names.

Tiles are decoded with ``mapbox-vector-tile`` (an independent reader). The expected tile of a
point comes from the OpenStreetMap wiki's "Slippy map tilenames" formula, computed here by hand.
"""

from __future__ import annotations

import json
import math
import os
import time
from pathlib import Path

import geopandas as gpd
import mapbox_vector_tile
import pytest
import shapely

from errors import DataFormatError
from sites import tiles
from sites.tiles import (
    LABELS_FILE,
    TRASH_PREFIX,
    WORK_PREFIX,
    ensure_tiles,
    geometry_checksum,
    prune_tile_sets,
    read_tile_set,
    tile_key,
    tippecanoe_executable,
)

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


def _used_at(directory: Path, t: float) -> None:
    os.utime(directory, (t, t))


def test_old_tile_sets_are_pruned_keeping_the_current_and_the_most_recently_used(tmp_path):
    parcels = six_parcels()

    def write(name: str, keep: int = 10):
        return ensure_tiles(parcels, tmp_path, checksum=name, min_zoom=13, max_zoom=13, engine="gdal",
                            keep_others=keep)

    sets = {name: write(name) for name in "abcd"}
    assert {p.name for p in tmp_path.iterdir()} == {ts.key for ts in sets.values()}  # 4 sets, 10 allowed
    for k, name in enumerate("abcd"):  # last used in the order a, b, c, d (an hour apart, a day ago)
        _used_at(sets[name].directory, time.time() - 86_400 + 3600 * k)
    assert write("a").seconds == 0  # reused: now the most recently used set
    writing = tmp_path / f"{WORK_PREFIX}other-process"  # another process is writing a set right now
    writing.mkdir()
    crashed = tmp_path / f"{WORK_PREFIX}crashed"  # a writer that died two days ago
    crashed.mkdir()
    _used_at(crashed, time.time() - 2 * 86_400)
    (tmp_path / f"{TRASH_PREFIX}left-over").mkdir()  # an interrupted delete
    (tmp_path / "notes").mkdir()  # not a tile set (no tiles.json): not ours to delete

    e = write("e", keep=2)
    # Kept: e (current), then the two most recently used others: a (just reused) and d; b and c go.
    assert e.seconds > 0
    assert {p.name for p in tmp_path.iterdir()} == {e.key, sets["a"].key, sets["d"].key, writing.name, "notes"}
    assert read_tile_set(sets["a"].directory) is not None and read_tile_set(sets["d"].directory) is not None
    # A deleted set is written again when its dataset comes back.
    assert write("b", keep=2).seconds > 0


def test_prune_returns_the_removed_keys_oldest_first_and_never_the_current(tmp_path):
    parcels = six_parcels()
    keys = []
    for k, name in enumerate("pqr"):
        ts = ensure_tiles(parcels, tmp_path, checksum=name, min_zoom=13, max_zoom=13, engine="gdal", keep_others=5)
        _used_at(ts.directory, 1_000_000 + k)
        keys.append(ts.key)
    p, q, r = keys
    # r is the most recently used, but p is current: p stays, the others go oldest first.
    assert prune_tile_sets(tmp_path, p, keep_others=0) == [q, r]
    assert [x.name for x in tmp_path.iterdir()] == [p]
    assert prune_tile_sets(tmp_path, p, keep_others=0) == []
    assert prune_tile_sets(tmp_path / "missing", p) == []
    with pytest.raises(ValueError, match="0 or more"):
        prune_tile_sets(tmp_path, p, keep_others=-1)


def test_the_default_number_kept_comes_from_the_settings(tmp_path, monkeypatch):
    monkeypatch.setattr(tiles, "TILE_SETS_KEPT", 1)
    parcels = six_parcels()
    first = ensure_tiles(parcels, tmp_path, checksum="s1", min_zoom=13, max_zoom=13, engine="gdal")
    _used_at(first.directory, 1_000_000)
    second = ensure_tiles(parcels, tmp_path, checksum="s2", min_zoom=13, max_zoom=13, engine="gdal")
    _used_at(second.directory, 1_000_001)
    third = ensure_tiles(parcels, tmp_path, checksum="s3", min_zoom=13, max_zoom=13, engine="gdal")
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([second.key, third.key])
