"""The same parcels arrive identically from every supported format and CRS."""

from __future__ import annotations

import io
import zipfile

import geopandas as gpd
import numpy as np
import pytest

import layers
from layers.reader import as_bytes_io
from settings import DEMO_DIR

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning", "ignore::RuntimeWarning")


@pytest.fixture(scope="module")
def demo():
    return layers.load_parcels()


@pytest.fixture(scope="module")
def raw():
    return gpd.read_file(DEMO_DIR / "parcels.gpkg").head(40)


def _check_same(loaded, demo, *, tol_m2: float):
    want = demo.set_index("designation").loc[loaded["designation"], "area_m2"].to_numpy()
    assert loaded.crs.to_epsg() == 3006
    assert np.allclose(loaded["area_m2"].to_numpy(), want, atol=tol_m2)


@pytest.mark.parametrize("epsg, tol", [(3006, 0.1), (4326, 60.0), (3011, 60.0), (3007, 60.0), (3018, 60.0)])
def test_geojson_in_any_crs(raw, demo, tmp_path, epsg, tol):
    path = tmp_path / f"parcels_{epsg}.geojson"
    raw.to_crs(epsg).to_file(path, driver="GeoJSON")
    _check_same(layers.load_parcels(path), demo, tol_m2=tol)


def test_geoparquet(raw, demo, tmp_path):
    path = tmp_path / "parcels.parquet"
    raw.to_crs(3011).to_parquet(path)
    _check_same(layers.load_parcels(path), demo, tol_m2=60.0)


def test_zipped_shapefile_upload_in_a_local_zone(raw, demo, tmp_path):
    folder = tmp_path / "shp"
    folder.mkdir()
    raw.to_crs(3011).to_file(folder / "fastigheter.shp")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for part in folder.iterdir():
            zf.write(part, f"export/{part.name}")
    loaded = layers.load_parcels(as_bytes_io(buf.getvalue(), "fastigheter.zip"))
    _check_same(loaded, demo, tol_m2=60.0)
    assert set(loaded["trakt"]) == set(raw["trakt"])  # other columns come along


def test_geopackage_upload_as_file_like(demo):
    upload = as_bytes_io((DEMO_DIR / "parcels.gpkg").read_bytes(), "parcels.gpkg")
    assert layers.load_parcels(upload).equals(demo)


def test_multilayer_geopackage_needs_a_layer_name():
    from errors import DataFormatError

    with pytest.raises(
        DataFormatError,
        match=r"zoning\.gpkg: holds several layers \(land_use, change_areas, "
        r"constraints\); say which one to use",
    ):
        layers.load_land_use(DEMO_DIR / "zoning.gpkg", layer=None)
    with pytest.raises(DataFormatError, match=r"has no layer 'plan'\. Layers found: land_use"):
        layers.load_land_use(DEMO_DIR / "zoning.gpkg", layer="plan")


def test_premises_from_building_polygons(tmp_path):
    premises = layers.load_premises()
    polygons = premises.copy()
    polygons["geometry"] = premises.buffer(10)
    polygons = polygons.rename(columns={"floor_area_m2": "lokalyta", "premises_type": "lokaltyp"})
    polygons["lokaltyp"] = polygons["lokaltyp"].map(
        {"office": "Kontor", "warehouse": "Lager", "industry": "Industri", "retail": "Handel"}
    )
    path = tmp_path / "lokaler.gpkg"
    polygons.to_file(path)
    loaded = layers.load_premises(path)
    assert (loaded.geom_type == "Point").all()
    assert loaded["premises_type"].tolist() == premises["premises_type"].tolist()
    assert loaded["floor_area_m2"].tolist() == premises["floor_area_m2"].tolist()


def test_land_use_categories_in_english_are_normalised(tmp_path):
    land = layers.load_land_use()
    english = land.assign(
        category=land["category"].map(
            {
                "Stadsbygd": "urban",
                "Landsbygd": "rural",
                "Verksamheter": "business",
                "Transporter och infrastruktur": "transport",
                "Grönstruktur": "green",
                "Vatten": "water",
            }
        )
    )
    path = tmp_path / "plan.geojson"
    english.to_file(path)
    assert layers.load_land_use(path, layer=None)["category"].tolist() == land["category"].tolist()
