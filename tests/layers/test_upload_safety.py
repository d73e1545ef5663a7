"""Issue 9, case 5 and 6: hostile or mis-encoded uploads get a project error without server paths,
and a zip bomb is refused from its directory before anything is unpacked."""

from __future__ import annotations

import io
import json
import tempfile
import zipfile

import pytest

import layers
from errors import DataFormatError
from layers.reader import MAX_UNZIPPED_BYTES, as_bytes_io

E0, N0 = 661_000.0, 6_569_000.0


def _feature_collection(designation: str) -> dict:
    ring = [[E0, N0], [E0 + 80, N0], [E0 + 80, N0 + 60], [E0, N0 + 60], [E0, N0]]
    return {"type": "FeatureCollection",
            "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::3006"}},
            "features": [{"type": "Feature", "properties": {"fastighetsbeteckning": designation},
                          "geometry": {"type": "Polygon", "coordinates": [ring]}}]}


def test_case5_cp1252_geojson_gets_an_encoding_message():
    data = json.dumps(_feature_collection("Älvesta 1:1"), ensure_ascii=False).encode("cp1252")
    with pytest.raises(DataFormatError) as info:
        layers.load_parcels(as_bytes_io(data, "fastigheter.geojson"))
    message = str(info.value)
    assert "fastigheter.geojson" in message and "UTF-8" in message and "0xc4" in message


def test_case5_geojson_named_zip_leaks_no_server_path():
    data = json.dumps(_feature_collection("Eriksberg 1:1")).encode()
    try:
        layers.load_parcels(as_bytes_io(data, "fastigheter.zip"))
    except DataFormatError as err:
        message = str(err)
        assert tempfile.gettempdir() not in message and "sitefinder-" not in message and "/vsizip" not in message
        assert "fastigheter.zip" in message


def test_case6_zip_bomb_is_refused_before_unpacking(monkeypatch):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        zf.writestr("parcels.shp", b"\0" * (MAX_UNZIPPED_BYTES // 4))  # 256 MB of zeros packs to ~250 kB
        zf.writestr("parcels.shx", b"\0" * 100)
        zf.writestr("parcels.dbf", b"\0" * 100)
    assert len(buf.getvalue()) < 2 * 2**20

    def no_unpacking(*args, **kwargs):
        raise AssertionError("a member was opened: the bomb was unpacked")

    monkeypatch.setattr(zipfile.ZipFile, "open", no_unpacking)
    with pytest.raises(DataFormatError) as info:
        layers.load_parcels(as_bytes_io(buf.getvalue(), "bomb.zip"))
    assert "times its packed size" in str(info.value)
