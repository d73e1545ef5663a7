"""Every kind of bad input gets a specific message that names the file and the fix."""

from __future__ import annotations

import io
import zipfile

import geopandas as gpd
import numpy as np
import pytest
import rasterio
from rasterio.transform import from_origin
from shapely.geometry import Point, Polygon, box

import layers
from errors import CrsError, DataFormatError, GeometryError, GtfsError, OfflineError, SchemaError, SiteFinderError
from layers.reader import as_bytes_io
from settings import DEMO_DIR

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning", "ignore::RuntimeWarning")

E0, N0 = 661_000.0, 6_569_000.0  # Eriksberg, SWEREF 99 TM


def _parcels(n: int = 3, crs: str | None = "EPSG:3006", **columns) -> gpd.GeoDataFrame:
    geoms = [box(E0 + 100 * i, N0, E0 + 100 * i + 80, N0 + 60) for i in range(n)]
    data = {"fastighetsbeteckning": [f"Eriksberg 9:{i + 1}" for i in range(n)], **columns}
    return gpd.GeoDataFrame(data, geometry=geoms, crs=crs)


def _shapefile_zip(gdf: gpd.GeoDataFrame, tmp_path, *, keep=(".shp", ".shx", ".dbf", ".prj")) -> io.BytesIO:
    folder = tmp_path / "shp"
    folder.mkdir()
    gdf.to_file(folder / "parcels.shp")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for part in folder.iterdir():
            if part.suffix in keep:
                zf.write(part, part.name)
    buf.name = "parcels.zip"
    buf.seek(0)
    return buf


def test_errors_share_one_base_and_a_builtin():
    for cls in (CrsError, DataFormatError, GeometryError, GtfsError, SchemaError):
        assert issubclass(cls, SiteFinderError) and issubclass(cls, ValueError)
    assert issubclass(OfflineError, ConnectionError)


def test_not_a_geodata_file():
    upload = as_bytes_io(b"Hej! Detta ar ett brev, ingen karta.\n", "brev.gpkg")
    with pytest.raises(DataFormatError, match=r"brev\.gpkg: not a geodata file\. Expected GeoPackage"):
        layers.load_parcels(upload)


def test_raster_given_as_parcels():
    with pytest.raises(DataFormatError, match=r"population\.tif: a raster \(GeoTIFF\)"):
        layers.load_parcels(DEMO_DIR / "population.tif")


def test_corrupt_zip(tmp_path):
    good = _shapefile_zip(_parcels(), tmp_path).getvalue()
    upload = as_bytes_io(good[: len(good) // 2], "parcels.zip")
    with pytest.raises(DataFormatError, match=r"parcels\.zip: the zip archive is corrupt or truncated"):
        layers.load_parcels(upload)


def test_shapefile_without_prj(tmp_path):
    upload = _shapefile_zip(_parcels(), tmp_path, keep=(".shp", ".shx", ".dbf"))
    with pytest.raises(CrsError, match=r"Shapefile parcels has no \.prj file.*EPSG:3006"):
        layers.load_parcels(upload)


def test_shapefile_without_prj_loads_with_a_stated_crs(tmp_path):
    upload = _shapefile_zip(_parcels(), tmp_path, keep=(".shp", ".shx", ".dbf"))
    parcels = layers.load_parcels(upload, assume_crs="EPSG:3006")
    assert list(parcels["area_m2"]) == [4800.0, 4800.0, 4800.0]


def test_zip_without_shapefile():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("readme.txt", "nothing here")
    with pytest.raises(DataFormatError, match=r"the zip holds no Shapefile \(\.shp\); found readme\.txt"):
        layers.load_parcels(as_bytes_io(buf.getvalue(), "data.zip"))


def test_layer_without_crs(tmp_path):
    path = tmp_path / "nocrs.gpkg"
    _parcels(crs=None).to_file(path)
    with pytest.raises(CrsError, match=r"nocrs\.gpkg: the layer has no coordinate reference system"):
        layers.load_parcels(path)


def test_empty_layer(tmp_path):
    path = tmp_path / "empty.gpkg"
    _parcels().iloc[:0].to_file(path)
    with pytest.raises(DataFormatError, match=r"empty\.gpkg: the layer has no features"):
        layers.load_parcels(path)


def test_points_where_polygons_are_needed(tmp_path):
    path = tmp_path / "points.geojson"
    gpd.GeoDataFrame({"fastighetsbeteckning": ["A 1:1"]}, geometry=[Point(E0, N0)], crs=3006).to_file(path)
    with pytest.raises(GeometryError, match=r"points\.geojson: found Point geometries where polygons are needed"):
        layers.load_parcels(path)


def test_invalid_geometry_is_repaired_with_a_warning(tmp_path):
    bowtie = Polygon([(E0, N0), (E0 + 100, N0 + 100), (E0 + 100, N0), (E0, N0 + 100)])
    gdf = _parcels(2)
    gdf.loc[1, "geometry"] = bowtie
    path = tmp_path / "bowtie.gpkg"
    gdf.to_file(path)
    parcels = layers.load_parcels(path)
    assert parcels.geometry.is_valid.all()
    assert parcels.loc[1, "area_m2"] == pytest.approx(5000.0)  # two triangles of 2,500 m2
    assert any("1 invalid geometries were repaired" in w for w in parcels.attrs["warnings"])


def test_geometry_beyond_repair_is_dropped_with_a_warning(tmp_path):
    gdf = _parcels(2)
    gdf.loc[1, "geometry"] = Polygon([(E0, N0), (E0 + 50, N0), (E0 + 100, N0), (E0, N0)])  # zero area
    path = tmp_path / "flat.gpkg"
    gdf.to_file(path)
    parcels = layers.load_parcels(path)
    assert list(parcels["designation"]) == ["Eriksberg 9:1"]
    assert any("could not be repaired and were dropped" in w for w in parcels.attrs["warnings"])


def test_coordinates_far_outside_sweden(tmp_path):
    gdf = gpd.GeoDataFrame({"fastighetsbeteckning": ["A 1:1"]}, geometry=[box(17.8, 59.2, 17.81, 59.21)], crs=3006)
    path = tmp_path / "degrees.gpkg"
    gdf.to_file(path)
    with pytest.raises(GeometryError, match=r"degrees\.gpkg: coordinates lie far outside Sweden.*look like degrees"):
        layers.load_parcels(path)


def test_schema_problems_are_collected_into_one_message(tmp_path):
    gdf = _parcels(3, planstatus=["antagen", "kanske", "ingen"], bebyggd_andel=[0.2, 1.7, 0.0])
    gdf["objektidentitet"] = ["a", "a", "b"]
    path = tmp_path / "bad.gpkg"
    gdf.to_file(path)
    with pytest.raises(SchemaError) as info:
        layers.load_parcels(path)
    message = str(info.value)
    assert "bad.gpkg: 2 problems" in message
    assert "column 'built_footprint_share' has values above 1" in message
    assert "column 'plan_status' has unknown values ['kanske']" in message
    # Uniqueness is checked after values parse; fix the values and it is reported.
    gdf["planstatus"], gdf["bebyggd_andel"] = "antagen", 0.1
    gdf.to_file(path)
    with pytest.raises(SchemaError, match=r"column 'parcel_id' must be unique; repeated: \['a'\]"):
        layers.load_parcels(path)


def test_missing_designation_says_how_to_map_it(tmp_path):
    path = tmp_path / "nameless.gpkg"
    gpd.GeoDataFrame({"nyckel": ["x"]}, geometry=[box(E0, N0, E0 + 10, N0 + 10)], crs=3006).to_file(path)
    with pytest.raises(SchemaError, match=r"no designation column.*mapping=\{'YOUR_COLUMN': 'designation'\}"):
        layers.load_parcels(path)
    parcels = layers.load_parcels(path, column_map={"nyckel": "designation"})
    assert parcels.loc[0, "parcel_id"] == "x"


def test_gtfs_missing_required_file():
    buf = io.BytesIO()
    with zipfile.ZipFile(DEMO_DIR / "transit_gtfs.zip") as src, zipfile.ZipFile(buf, "w") as dst:
        for name in src.namelist():
            if name != "stop_times.txt":
                dst.writestr(name, src.read(name))
    with pytest.raises(GtfsError, match=r"feed\.zip: missing required file stop_times\.txt"):
        layers.load_transit(as_bytes_io(buf.getvalue(), "feed.zip"))


def test_gtfs_that_is_not_a_zip():
    with pytest.raises(DataFormatError, match=r"stops\.txt: not a valid zip archive.*GTFS feed is a zip"):
        layers.load_transit(as_bytes_io(b"stop_id,stop_name\n1,A\n", "stops.txt"))


def test_raster_without_crs(tmp_path):
    path = tmp_path / "nocrs.tif"
    with rasterio.open(
        path, "w", driver="GTiff", height=2, width=2, count=1, dtype="float32", transform=from_origin(E0, N0, 250, 250)
    ) as dst:
        dst.write(np.ones((1, 2, 2), dtype="float32"))
    with pytest.raises(CrsError, match=r"nocrs\.tif: the raster has no coordinate reference system"):
        layers.load_population(path)


def test_roads_given_a_geopackage():
    with pytest.raises(
        DataFormatError,
        match=r"parcels\.gpkg: a GeoPackage\. The road network must be "
        r"OpenStreetMap data: a \.osm\.pbf extract",
    ):
        layers.load_roads(DEMO_DIR / "parcels.gpkg")


def test_broken_osm_xml():
    with pytest.raises(DataFormatError, match=r"roads\.osm: broken OpenStreetMap XML.*Download the extract again"):
        layers.load_roads(as_bytes_io(b"<osm version='0.6'><node id='1' lat='59.2'", "roads.osm"))


def test_online_download_without_network_says_so():
    # Port 9 (discard) on loopback is closed: the connection is refused at once, as offline.
    with pytest.raises(
        OfflineError,
        match=r"Could not reach OpenStreetMap's Overpass service.*offline.*"
        r"load it as a file instead",
    ):
        layers.download_roads(bbox=(17.82, 59.23, 17.84, 59.24), overpass_url="http://127.0.0.1:9/api", timeout_s=2)


def test_population_csv_without_population_column(tmp_path):
    path = tmp_path / "cells.csv"
    path.write_text("cell_id;folk\n661000_6569000;12\n", encoding="utf-8")
    with pytest.raises(SchemaError, match=r"cells\.csv: no population column.*columns found: cell_id, folk"):
        layers.load_population(path)
    assert layers.load_population(path, column_map={"folk": "population"}).total() == 12
