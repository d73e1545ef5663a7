"""``python -m sites dataset build``: a dataset folder from files, reproducible, reused, openable."""

from __future__ import annotations

import hashlib
import json
import shutil

import pyogrio
import pytest

import layers.roads
from errors import DataFormatError, ManifestError, ParameterError, SiteFinderError
from sites.__main__ import main
from sites.dataset import list_datasets, load_dataset, open_dataset, resolve_dataset
from sites.dataset_build import BuildInputs, build_dataset
from sites.indicators import cache_key

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning", "ignore::RuntimeWarning")

from settings import DEMO_DIR  # noqa: E402

FILES = {"roads": DEMO_DIR / "roads.osm", "transit": DEMO_DIR / "transit_gtfs.zip",
         "parcels": DEMO_DIR / "parcels.gpkg", "premises": DEMO_DIR / "premises.gpkg",
         "zoning": DEMO_DIR / "zoning.gpkg", "population": DEMO_DIR / "population.tif",
         "boundaries": DEMO_DIR / "boundaries.gpkg"}


def _inputs(**changes) -> BuildInputs:
    return BuildInputs(municipality_code="0127", **{**FILES, **changes})


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    root = tmp_path_factory.mktemp("datasets")
    manifest = build_dataset(_inputs(licences={"roads": "ODbL 1.0"}), root / "botkyrka")
    return root, manifest


def test_manifest_describes_every_input(built):
    root, manifest = built
    assert manifest["municipality_code"] == "0127" and manifest["crs"] == "EPSG:3006"
    for name, path in FILES.items():
        entry = manifest["inputs"][name]
        assert entry["file"] == path.name
        assert entry["size_bytes"] == path.stat().st_size
        assert entry["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
        assert entry["source"] and entry["licence"]
    assert manifest["inputs"]["roads"]["licence"] == "ODbL 1.0"
    assert manifest["layers"]["parcels"]["features"] == pyogrio.read_info(FILES["parcels"])["features"]
    assert json.loads((root / "botkyrka" / "manifest.json").read_text(encoding="utf-8")) == manifest


def test_same_inputs_give_the_same_manifest_in_a_fresh_folder(built, tmp_path):
    root, _ = built
    build_dataset(_inputs(licences={"roads": "ODbL 1.0"}), tmp_path / "again")
    assert (tmp_path / "again" / "manifest.json").read_bytes() == (root / "botkyrka" / "manifest.json").read_bytes()


def test_rebuild_with_unchanged_inputs_reuses_the_work(built, tmp_path, monkeypatch):
    root, manifest = built
    copy = tmp_path / "copy"
    shutil.copytree(root / "botkyrka", copy)

    def must_not_run(*args, **kwargs):
        raise AssertionError("an unchanged input was read again")

    for name in ("load_roads",):
        monkeypatch.setattr(layers.roads, name, must_not_run)
    monkeypatch.setattr("layers.parcels.load_parcels", must_not_run)
    monkeypatch.setattr("layers.transit.load_transit", must_not_run)
    monkeypatch.setattr("sites.indicators.compute", must_not_run)
    assert build_dataset(_inputs(licences={"roads": "ODbL 1.0"}), copy) == manifest


def test_built_dataset_opens_like_the_demo(built):
    root, manifest = built
    demo, ds = load_dataset(), open_dataset(root / "botkyrka")
    assert ds.parcels["parcel_id"].tolist() == demo.parcels["parcel_id"].tolist()
    assert ds.parcels.crs.to_epsg() == 3006
    assert ds.parcels.area.sum() == pytest.approx(demo.parcels.area.sum())
    assert (ds.roads.number_of_nodes(), ds.roads.number_of_edges()) == (demo.roads.number_of_nodes(),
                                                                         demo.roads.number_of_edges())
    for (u, v, k, a), (u2, v2, k2, b) in zip(sorted(demo.roads.edges(keys=True, data=True))[:200],
                                             sorted(ds.roads.edges(keys=True, data=True))[:200], strict=True):
        assert (u, v, k) == (u2, v2, k2)
        assert {n: a[n] for n in a if n != "geometry"} == {n: b[n] for n in b if n != "geometry"}
        assert (a.get("geometry") is None) == (b.get("geometry") is None)
    assert len(ds.feed.stop_times) == len(demo.feed.stop_times)
    assert ds.population.total() == pytest.approx(demo.population.total())
    assert cache_key(ds) == manifest["indicators"]["key"] == cache_key(demo)
    names = [d.name for d in list_datasets(root)]
    assert names == ["demo", "botkyrka"]
    assert resolve_dataset("botkyrka", root=root) == root / "botkyrka"


def test_unknown_or_broken_dataset_is_explained(built, tmp_path):
    root, _ = built
    with pytest.raises(ManifestError, match=r"dataset 'nacka' not found.*dataset build.*demo, botkyrka"):
        resolve_dataset("nacka", root=root)
    broken = tmp_path / "broken"
    shutil.copytree(root / "botkyrka", broken)
    (broken / "roads" / "edges.parquet").unlink()
    with pytest.raises(ManifestError, match=r"broken: a layer file is missing or damaged.*Build the dataset again"):
        open_dataset(broken)
    (broken / "manifest.json").write_text("{", encoding="utf-8")
    assert "not valid JSON" in next(d for d in list_datasets(tmp_path) if d.name == "broken").problem


@pytest.mark.parametrize(
    ("changes", "error", "message"),
    [
        ({"transit": DEMO_DIR / "nothing.zip"}, DataFormatError, r"--transit .*nothing\.zip: file not found"),
        ({"parcels": DEMO_DIR}, DataFormatError, r"--parcels .*: is a folder"),
        ({"municipality_code": "127"}, ParameterError, r"must be SCB's four digits"),
        ({"municipality_code": "0180"}, ParameterError, r"SITEFINDER_MUNICIPALITY_CODE=0180"),
        ({"licences": {"trains": "CC0"}}, DataFormatError, r"trains is not an input"),
        ({"roads": DEMO_DIR / "parcels.gpkg"}, DataFormatError, r"parcels\.gpkg: a GeoPackage\. The road network"),
        ({"parcels": DEMO_DIR / "transit_gtfs.zip"}, SiteFinderError, r"transit_gtfs\.zip: the zip holds no Shapefile"),
    ],
)
def test_bad_inputs_name_the_file_and_the_fix(tmp_path, changes, error, message):
    code = changes.pop("municipality_code", "0127")
    inputs = BuildInputs(municipality_code=code, **{**FILES, **changes})
    with pytest.raises(error, match=message):
        build_dataset(inputs, tmp_path / "ds")


def test_cli_reports_a_missing_output_folder_before_work(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr("sites.dataset_build.file_sha256", lambda p: pytest.fail("work started"))
    argv = ["dataset", "build", "--municipality", "0127", "--roads", str(FILES["roads"]), "--gtfs",
            str(FILES["transit"]), "--parcels", str(FILES["parcels"]), "--premises", str(FILES["premises"]),
            "--zoning", str(FILES["zoning"]), "--population", str(FILES["population"]), "--boundaries",
            str(FILES["boundaries"]), "--out", str(tmp_path / "no" / "such" / "ds"), "--quiet"]
    assert main(argv) == 2
    assert "the folder" in capsys.readouterr().err
    assert main([*argv[:-3], "--out", str(tmp_path / "ds"), "--quiet", "--map-parcels", "FNR"]) == 2
    assert "must be source=canonical" in capsys.readouterr().err


def test_scoring_needs_only_the_parcels_and_the_cached_indicators(built, tmp_path):
    from sites.dataset import open_for_scoring
    from sites.indicators import load_or_compute

    root, _ = built
    light, full = open_for_scoring(root / "botkyrka"), open_dataset(root / "botkyrka")
    assert light is not None and light.roads.number_of_nodes() == 0
    a = load_or_compute(light, cache_dir=root / "botkyrka" / "indicators").table
    b = load_or_compute(full, cache_dir=root / "botkyrka" / "indicators").table
    assert a.equals(b) and len(a) == len(light.parcels)
    copy = tmp_path / "nocache"
    shutil.copytree(root / "botkyrka", copy)
    shutil.rmtree(copy / "indicators")
    assert open_for_scoring(copy) is None


def test_parcels_outside_the_plan_layer_are_explained():
    import geopandas as gpd
    from shapely.geometry import box

    from sites.dataset import uncovered_parcels

    parcels = gpd.GeoDataFrame(geometry=[box(0, 0, 10, 10), box(100, 0, 110, 10), box(200, 0, 210, 10)],
                               crs="EPSG:3006")
    plan = gpd.GeoDataFrame(geometry=[box(-5, -5, 50, 50)], crs="EPSG:3006")
    message = uncovered_parcels(parcels, plan)
    assert message.startswith("2 of 3 parcels (67%) lie outside the plan layer")
    assert "Load a land-use (plan) layer that covers them" in message
    assert uncovered_parcels(parcels.iloc[:1], plan) == ""
    assert "all 3 parcels" in uncovered_parcels(parcels, plan.iloc[:0])


def test_progress_names_every_stage_in_order_and_ends_at_one(tmp_path):
    calls: list[tuple[str, float]] = []
    build_dataset(_inputs(), tmp_path / "ds", progress=lambda stage, f: calls.append((stage, f)))
    fractions = [f for _, f in calls]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0
    stages = list(dict.fromkeys(s.split(":")[0] for s, _ in calls))
    assert stages == ["checksums", "parcels", "premises", "plan layers", "boundaries", "roads", "public transport",
                      "population", "indicators", "manifest"]
    assert any(s.startswith("indicators: Labour pool") for s, _ in calls)


def test_cli_builds_and_lists(tmp_path, capsys, monkeypatch):
    out = tmp_path / "botkyrka"
    argv = ["dataset", "build", "--municipality", "0127", "--roads", str(FILES["roads"]), "--gtfs",
            str(FILES["transit"]), "--parcels", str(FILES["parcels"]), "--premises", str(FILES["premises"]),
            "--zoning", str(FILES["zoning"]), "--population", str(FILES["population"]), "--boundaries",
            str(FILES["boundaries"]), "--licence", "roads=ODbL 1.0", "--source", "transit=SL via Trafiklab",
            "--out", str(out)]
    assert main(argv) == 0
    err = capsys.readouterr().err
    assert "indicators" in err and "100%" in err and f"SITEFINDER_DATASET={out}" in err
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["inputs"]["transit"]["source"] == "SL via Trafiklab"
    monkeypatch.setattr("sites.dataset.list_datasets", lambda: list_datasets(tmp_path))
    assert main(["dataset", "list"]) == 0
    listed = capsys.readouterr().out.splitlines()
    assert listed[0].startswith("demo\t") and listed[1].startswith("botkyrka\t")
    assert f"municipality 0127, {pyogrio.read_info(FILES['parcels'])['features']} parcels" in listed[1]
