"""The headless export: formats, RFC 7946 GeoJSON, and clear exit codes for bad options."""

from __future__ import annotations

import json

import geopandas as gpd
import pandas as pd
import pytest
import shapely
from shapely.geometry import shape

from analysis.profiles import CRITERIA
from sites.__main__ import main

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning", "ignore::RuntimeWarning")


@pytest.fixture(autouse=True)
def cache(tmp_path_factory, monkeypatch):
    monkeypatch.setattr("sites.__main__.export_cache_dir", lambda: tmp_path_factory.getbasetemp() / "cli-cache")


def test_geojson_export_is_rfc7946(tmp_path):
    out = tmp_path / "scored.geojson"
    code = main(["export", "--profile", "logistics", "--format", "geojson", "--out", str(out), "--draws", "200",
                 "--area", "Södra Porten"])
    assert code == 0
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert doc["type"] == "FeatureCollection" and "crs" not in doc
    assert doc["sitefinder"]["profile"] == "logistics"
    assert sum(doc["sitefinder"]["weights"].values()) == pytest.approx(1.0)
    props = doc["features"][0]["properties"]
    for key in ("parcel_id", "designation", "profile", "score", "rank", "excluded", "exclusion_reason", "jobs_est",
                "car_min_to_junction", "walk_m_to_rail_stop", "residents_45min_pt", "p_top_k", "rank_p05",
                "rank_p95", "data_version", "explanation", *[f"contrib_{c}" for c in CRITERIA]):
        assert key in props, key
    assert props["rank"] == 1 and props["area_name"] == "Södra Porten"
    for feature in doc["features"]:
        geom = shape(feature["geometry"])
        lon, lat = geom.exterior.coords[0]
        assert 17.0 < lon < 19.0 and 59.0 < lat < 60.0, "lon/lat order"
        assert geom.exterior.is_ccw, "right-hand rule: counter-clockwise exterior"
    ranked = [f["properties"] for f in doc["features"] if not f["properties"]["excluded"]]
    assert [p["rank"] for p in ranked] == sorted(p["rank"] for p in ranked)


def test_gpkg_keeps_sweref_and_csv_has_lonlat(tmp_path):
    gpkg, csv = tmp_path / "s.gpkg", tmp_path / "s.csv"
    assert main(["export", "--profile", "office", "--format", "gpkg", "--out", str(gpkg), "--draws", "100"]) == 0
    assert main(["export", "--profile", "office", "--format", "csv", "--out", str(csv), "--draws", "100",
                 "--weights", "rail_stop=1,motorway=0"]) == 0
    g = gpd.read_file(gpkg)
    assert g.crs.to_epsg() == 3006 and len(g) == 410
    c = pd.read_csv(csv)
    assert {"lon", "lat", "score", "rank"} <= set(c.columns)
    assert c["lon"].between(17, 19).all()
    assert shapely.get_num_geometries(g.geometry.to_numpy()).min() >= 1


@pytest.mark.parametrize("argv, message", [
    (["--profile", "spaceport"], "unknown profile 'spaceport'"),
    (["--profile", "office", "--weights", "motorway=-2"], "weights cannot be negative"),
    (["--profile", "office", "--weights", "jobs=0,motorway=0,rail_stop=0,transit_service=0,labour_pool_pt=0,"
      "labour_pool_car=0,local_hire=0,readiness=0"], "at least one weight must be above zero"),
    (["--profile", "office", "--weights", "motorway=abc"], "is not a number"),
    (["--profile", "office", "--format", "shp"], "unknown format 'shp'"),
    (["--profile", "office", "--min-area", "5000", "--max-area", "100"], "must exceed the minimum"),
    (["--profile", "office", "--m2-per-job", "-5"], "m2_per_job and plot_ratio must be > 0"),
])
def test_bad_options_exit_2_with_a_message(tmp_path, capsys, argv, message):
    assert main(["export", "--out", str(tmp_path / "x.geojson"), *argv]) == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "x.geojson").exists()


def test_unknown_option_exits_2(tmp_path):
    with pytest.raises(SystemExit) as info:
        main(["export", "--profile", "office", "--out", str(tmp_path / "x"), "--colour", "red"])
    assert info.value.code == 2


def test_custom_profile_parameters_change_the_jobs(tmp_path):
    base, custom = tmp_path / "base.csv", tmp_path / "custom.csv"
    assert main(["export", "--profile", "office", "--format", "csv", "--out", str(base), "--draws", "10"]) == 0
    assert main(["export", "--profile", "office", "--format", "csv", "--out", str(custom), "--draws", "10",
                 "--m2-per-job", "40"]) == 0
    b, c = pd.read_csv(base).set_index("parcel_id"), pd.read_csv(custom).set_index("parcel_id")
    assert (c["profile"] == "custom (office)").all()
    ratio = (b["jobs_est"] / c["jobs_est"]).dropna()
    assert ratio.round(9).eq(2.0).all()  # twice the floor area per job: half the jobs


def test_column_labels_come_from_the_catalogue_and_names_stay_machine_names():
    from sites.export import column_labels

    labels = column_labels(["designation", "area_m2", "car_min_to_junction", "something_new"], "sv")
    assert labels == {"designation": "Fastighet", "area_m2": "Tomtarea (m²)",
                      "car_min_to_junction": "Bil till E4/E20 (min)", "something_new": "something_new"}
    assert column_labels(["designation"], "en") == {"designation": "Designation"}


def test_format_follows_the_extension(tmp_path):
    out = tmp_path / "scored.gpkg"
    assert main(["export", "--profile", "office", "--out", str(out), "--draws", "20"]) == 0
    assert out.read_bytes()[:16] == b"SQLite format 3\x00"
    assert gpd.read_file(out).crs.to_epsg() == 3006


@pytest.mark.parametrize("argv, message", [
    (["--out", "{tmp}/no/such/folder/x.geojson"], "does not exist; create it first"),
    (["--out", "{tmp}"], "is a folder; give a file name"),
    (["--out", "{tmp}/x.geojson", "--format", "gpkg"], "--format gpkg but --out x.geojson is a geojson name"),
    (["--out", "{tmp}/x.shp"], "cannot tell the format from the extension '.shp'"),
])
def test_output_problems_are_reported_before_any_work(tmp_path, capsys, monkeypatch, argv, message):
    monkeypatch.setattr("sites.dataset.current_dataset", lambda *a, **k: pytest.fail("data was loaded"))
    argv = [a.replace("{tmp}", str(tmp_path)) for a in argv]
    assert main(["export", "--profile", "office", *argv]) == 2
    assert message in capsys.readouterr().err


def test_help_imports_no_heavy_library():
    import subprocess
    import sys

    code = ("import runpy, sys\n"
            "sys.argv = ['sites', '--help']\n"
            "try:\n    runpy.run_module('sites', run_name='__main__')\nexcept SystemExit:\n    pass\n"
            "heavy = [m for m in ('geopandas', 'networkx', 'osmnx', 'pandas', 'shapely', 'scipy')\n"
            "         if m in sys.modules]\n"
            "print('HEAVY', heavy)\n")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "HEAVY []" in result.stdout
    assert "dataset" in result.stdout and "export" in result.stdout
