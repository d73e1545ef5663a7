"""Pure parts of the parcel map: the score array the browser colours from, and the click it reports."""

from __future__ import annotations

import base64
import struct
from pathlib import Path

import numpy as np
import pandas as pd

from sites.tiles import FILTERED_OUT, TileSet, decode_scores, encode_scores, positions, score_array
from ui.parcel_map import PALETTE, click_from_value, painted_version, scores_version, tile_urls

IDS = ["a", "b", "c"]


def test_score_array_lays_scores_out_in_table_order():
    index = pd.Index([10, 11, 12, 13])
    frame = pd.DataFrame({"score": [55.5, 20.0, 70.0], "excluded": [False, True, False]}, index=[12, 11, 10])
    out = score_array(index, frame)
    assert out.dtype == np.float32
    assert out[0] == np.float32(70.0) and np.isnan(out[1]) and out[2] == np.float32(55.5)
    assert out[3] == FILTERED_OUT  # parcel 13 was filtered out


def test_scores_travel_as_little_endian_float32():
    scores = np.array([0.0, 12.5, np.nan, -1.0], dtype="float32")
    text = encode_scores(scores)
    # 4 bytes per parcel: 12.5 is 0x41480000 (IEEE 754), little-endian 00 00 48 41.
    raw = base64.b64decode(text)
    assert len(raw) == 16 and raw[4:8] == bytes([0x00, 0x00, 0x48, 0x41])
    assert struct.unpack("<4f", raw)[1] == 12.5
    back = decode_scores(text)
    assert np.array_equal(back, scores, equal_nan=True)


def test_positions_of_parcel_ids():
    ids = pd.Series(["x1", "x2", "x3"], index=[7, 8, 9])
    assert positions(ids, ["x3", "nope", "x1"]) == [0, 2]
    assert positions(ids, None) == []


def test_a_click_is_taken_from_the_index_and_checked():
    assert click_from_value({"index": 1, "clicks": 4}, IDS).parcel_id == "b"
    assert click_from_value({"index": 1, "clicks": 4}, pd.Series(IDS, index=[5, 6, 7])).parcel_id == "b"
    # Anything a page script could send that is not a valid index is ignored.
    for bad in (None, "b", {"index": 3, "clicks": 1}, {"index": -1, "clicks": 1}, {"index": "1", "clicks": 1},
                {"index": True, "clicks": 1}, {"index": 1}, {"index": 1.0, "clicks": 1}):
        assert click_from_value(bad, IDS) is None, bad


def test_tile_urls_are_relative_to_the_component_frame(tmp_path):
    static = tmp_path / "static"
    ts = TileSet(static / "tiles" / "abc", "abc", 3, 10, 14, (17.0, 59.0, 18.0, 60.0), "gdal")
    tiles, labels = tile_urls(ts, static)
    # The frame is served at <base>/component/<name>/index.html; ../../app/static is the static folder.
    assert tiles == "../../app/static/tiles/abc/{z}/{x}/{y}.pbf"
    assert labels == "../../app/static/tiles/abc/labels.json"


def test_palette_runs_from_viridis_purple_to_yellow():
    assert len(PALETTE) == 101 and PALETTE[0] == "#440154" and PALETTE[100] == "#fde725"


def test_the_frontend_inserts_data_as_text_only():
    js = (Path(__file__).resolve().parents[2] / "ui" / "parcel_map_frontend" / "parcel_map.js").read_text()
    assert "innerHTML" not in js and "insertAdjacentHTML" not in js and "bindTooltip(String" not in js
    html = (Path(__file__).resolve().parents[2] / "ui" / "parcel_map_frontend" / "index.html").read_text()
    assert "http://" not in html and "https://" not in html


def test_overlay_keeps_only_the_tooltip_and_goes_to_wgs84():
    import geopandas as gpd
    import shapely

    from ui.parcel_map import overlay_from_frame

    line = shapely.LineString([(661_000, 6_564_000), (661_100, 6_564_001), (661_200, 6_564_000)])
    frame = gpd.GeoDataFrame({"name": ["<i>E4</i>"], "secret": [1]}, geometry=[line], crs="EPSG:3006")
    o = overlay_from_frame(frame, name="roads", style={"color": "#333"}, tooltip="name", tolerance_m=5)
    feature = o["data"]["features"][0]
    assert feature["properties"] == {"name": "<i>E4</i>"}
    assert len(feature["geometry"]["coordinates"]) == 2  # the 1 m kink is within 5 m: simplified away
    lon, lat = feature["geometry"]["coordinates"][0]
    assert 17.8 < lon < 17.9 and 59.15 < lat < 59.22


def test_overlays_go_to_one_file_per_content_and_old_files_are_pruned(tmp_path, monkeypatch):
    import json

    import ui.parcel_map as pm

    roads = [{"name": "roads", "data": {"type": "FeatureCollection", "features": []}, "style": {"color": "#333"}}]
    url = pm.overlays_url(roads, tmp_path)
    assert url.startswith("../../app/static/tiles/overlays/") and url.endswith(".json")
    path = tmp_path / url.removeprefix("../../app/static/")
    assert json.loads(path.read_text(encoding="utf-8")) == roads  # what the map frame fetches
    assert pm.overlays_url([dict(roads[0])], tmp_path) == url  # same content, same file
    monkeypatch.setattr(pm, "MAX_OVERLAY_FILES", 2)
    urls = [url]
    for colour in ("#111", "#222"):
        urls.append(pm.overlays_url([{**roads[0], "style": {"color": colour}}], tmp_path))
    assert len(set(urls)) == 3
    assert len(list((tmp_path / "tiles" / "overlays").glob("*.json"))) == 2  # the oldest went


def test_the_painted_report_is_read_only_in_its_own_shape():
    scores = np.array([12.5, np.nan, -1.0], dtype="float32")
    version = scores_version(scores)
    assert len(version) == 16 and int(version, 16) >= 0  # a hex digest
    assert version == scores_version(scores.astype("float64"))  # what the map gets is float32
    assert version != scores_version(np.array([12.5, np.nan, 0.0], dtype="float32"))
    assert painted_version({"index": None, "clicks": 0, "painted": version}) == version
    for bad in (None, "x", {"painted": 5}, {"painted": version + "0"}, {"painted": "<img src=x>abcdefgh"},
                {"painted": ["0123456789abcdef"]}, {"index": 3}):
        assert painted_version(bad) is None, bad
