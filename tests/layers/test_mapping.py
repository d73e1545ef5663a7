"""Column mapping for real parcel files, and the working CRS / country extent from settings."""

from __future__ import annotations

import uuid

import geopandas as gpd
import pytest
from shapely.geometry import box

from errors import GeometryError, ParameterError, SchemaError
from layers.mapping import KNOWN_LAYOUTS, check_mapping, parse_mapping, suggest_mapping
from layers.parcels import PARCEL_COLUMNS, load_parcels
from layers.premises import load_premises
from settings import REGIONS, region_from_env

# Two 100 m x 50 m plots in Tumba (Botkyrka), SWEREF 99 TM.
E0, N0 = 661_000.0, 6_563_000.0


def _lm_style(path):
    """A file laid out like Lantmäteriet's Fastighetsindelning: uuid, trakt, block, enhet, kommunkod."""
    gdf = gpd.GeoDataFrame(
        {"objektidentitet": [str(uuid.UUID(int=1)), str(uuid.UUID(int=2))], "kommunkod": ["0127", "0127"],
         "trakt": ["Tumba", "Tumba"], "block": ["7", "7"], "enhet": [141, 142]},
        geometry=[box(E0, N0, E0 + 100, N0 + 50), box(E0 + 100, N0, E0 + 200, N0 + 50)], crs="EPSG:3006",
    )
    gdf.to_file(path, layer="registerenhetsomradesyta", driver="GPKG")
    return path


def test_lantmateriet_style_file_loads(tmp_path):
    parcels = load_parcels(_lm_style(tmp_path / "fastighetsindelning.gpkg"))
    assert parcels["designation"].tolist() == ["Tumba 7:141", "Tumba 7:142"]
    assert parcels["parcel_id"].tolist() == [str(uuid.UUID(int=1)), str(uuid.UUID(int=2))]
    assert parcels["area_m2"].tolist() == [5000.0, 5000.0]


def test_a_file_with_own_names_needs_and_takes_a_mapping(tmp_path):
    path = tmp_path / "kommunens_fastigheter.gpkg"
    gpd.GeoDataFrame({"FNR_NY": ["140012", "140013"], "FASTIGHET_TEXT": ["Lindhov 1", "Lindhov 2"],
                      "OBJEKT_ID": ["x", "x"]},
                     geometry=[box(E0, N0, E0 + 60, N0 + 60), box(E0 + 60, N0, E0 + 120, N0 + 60)],
                     crs="EPSG:3006").to_file(path, driver="GPKG")
    with pytest.raises(SchemaError,
                       match=r"kommunens_fastigheter\.gpkg: no designation column.*--map YOUR_COLUMN=designation"):
        load_parcels(path)
    # The automatic spelling OBJEKT_ID -> parcel_id would clash (duplicate ids); the user's mapping wins.
    mapped = load_parcels(path, mapping=parse_mapping("FNR_NY=parcel_id, FASTIGHET_TEXT=designation"))
    assert mapped["parcel_id"].tolist() == ["140012", "140013"]
    assert mapped["designation"].tolist() == ["Lindhov 1", "Lindhov 2"]
    assert mapped["area_m2"].tolist() == [3600.0, 3600.0]
    with pytest.raises(SchemaError, match=r"does not have \(FNR\).*columns found: FNR_NY"):
        load_parcels(path, mapping={"FNR": "parcel_id", "FASTIGHET_TEXT": "designation"})


def test_suggested_mapping_for_known_layouts():
    assert suggest_mapping(["OBJEKTIDENTITET", "Trakt", "Block", "Enhet", "kommunkod", "geometry"]) == {
        "OBJEKTIDENTITET": "parcel_id", "Trakt": "trakt", "Block": "block", "Enhet": "enhet"}
    assert suggest_mapping(["FNR", "FASTBET", "geometry"]) == {"FNR": "parcel_id", "FASTBET": "designation"}
    # An already canonical column is kept and no second column is mapped onto it.
    assert suggest_mapping(["parcel_id", "fnr", "Fastighetsbeteckning"], synonyms=PARCEL_COLUMNS) == {
        "Fastighetsbeteckning": "designation"}
    assert suggest_mapping(["lokal_id", "Yta"], "premises") == {"lokal_id": "premises_id", "Yta": "floor_area_m2"}


def test_layout_table_says_what_is_verified():
    verified = {layout.key for layout in KNOWN_LAYOUTS if layout.verified}
    assert verified == {"sitefinder", "sitefinder_premises"}
    assert all(layout.note for layout in KNOWN_LAYOUTS)


@pytest.mark.parametrize(
    ("text", "message"),
    [("FNR", r"must be source=canonical"), ("FNR=fastighet", r"'fastighet' is not a parcels column")],
)
def test_bad_mapping_option(text, message):
    with pytest.raises(ParameterError, match=message):
        parse_mapping(text)


def test_mapping_that_leaves_the_designation_unfilled():
    with pytest.raises(SchemaError, match=r"no column is mapped to 'designation'.*--map YOUR_COLUMN=designation"):
        check_mapping(["FNR", "AREA"], {"FNR": "parcel_id"}, label="x.gpkg")
    with pytest.raises(SchemaError, match=r"several columns are mapped to parcel_id"):
        check_mapping(["A", "B", "designation"], {"A": "parcel_id", "B": "parcel_id"})


def test_premises_mapping(tmp_path):
    path = tmp_path / "lokaler.geojson"
    gpd.GeoDataFrame({"LokalNr": ["L1"], "Kvm": ["1 200,5"]}, geometry=gpd.points_from_xy([E0], [N0]),
                     crs="EPSG:3006").to_file(path, driver="GeoJSON")
    premises = load_premises(path, mapping={"LokalNr": "premises_id", "Kvm": "floor_area_m2"})
    assert premises[["premises_id", "floor_area_m2"]].values.tolist() == [["L1", 1200.5]]


def test_finnish_parcels_with_the_finnish_region(tmp_path):
    # A plot in Espoo, ETRS-TM35FIN (EPSG:3067): about 24.66 E 60.21 N.
    path = tmp_path / "espoo.gpkg"
    gpd.GeoDataFrame({"designation": ["49-1-2-3"]}, geometry=[box(370_000, 6_677_000, 370_100, 6_677_100)],
                     crs="EPSG:3067").to_file(path, driver="GPKG")
    finnish = load_parcels(path, region=REGIONS["finland"])
    assert finnish.crs.to_epsg() == 3067 and finnish["area_m2"].tolist() == [10000.0]
    with pytest.raises(GeometryError, match=r"far outside Sweden.*SITEFINDER_REGION"):
        load_parcels(path)  # Espoo in SWEREF 99 TM: E 1,033 km, east of Sweden's box
    with pytest.raises(GeometryError, match=r"far outside Denmark.*EPSG:25832"):
        load_parcels(path, region=REGIONS["denmark"])


def test_region_from_environment_is_pure():
    assert region_from_env({}).crs == "EPSG:3006"
    assert region_from_env({"SITEFINDER_REGION": "Norway"}).crs == "EPSG:25833"
    custom = region_from_env({"SITEFINDER_CRS": "EPSG:3035", "SITEFINDER_EXTENT": "4000000,3000000,5000000,4000000"})
    assert custom.crs == "EPSG:3035" and custom.bounds == (4e6, 3e6, 5e6, 4e6)
    with pytest.raises(ValueError, match="unknown"):
        region_from_env({"SITEFINDER_REGION": "atlantis"})
    with pytest.raises(ValueError, match="set together"):
        region_from_env({"SITEFINDER_CRS": "EPSG:3035"})
