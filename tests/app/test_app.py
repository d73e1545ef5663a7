"""The app driven headlessly with Streamlit's AppTest (no browser, no map clicks)."""

from __future__ import annotations

import io
import json
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from analysis.profiles import CRITERIA, PROFILES
from settings import DEMO_DIR
from sites.dataset import load_dataset
from sites.indicators import load_or_compute
from sites.scored import Filters, Scorer
from tests.app import helpers
from tests.app.helpers import open_app, shown

pytestmark = pytest.mark.filterwarnings("ignore")
TIMEOUT = 180
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def reference():
    ds = load_dataset()
    return ds, load_or_compute(ds, cache_dir=None).table


def run_app() -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
    open_app(at)
    assert not at.exception, at.exception
    return at


def ranking_table(at: AppTest) -> pd.DataFrame:
    return helpers.ranking_table(at)


def test_app_runs_with_the_demo_notice_and_ranking():
    at = run_app()
    assert any("Demonstrationsdata" in shown(w) for w in at.warning)
    table = ranking_table(at)
    assert len(table) == 17  # logistics: 17 parcels pass the hard constraints
    assert list(table["rank"])[:3] == [1, 2, 3]


def test_the_first_run_leaves_the_controls_to_the_rerun_the_maps_first_view_starts():
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
    at.run()
    assert not at.exception, at.exception
    # First run: the map (asked to report its first view), no sidebar widgets yet, a placeholder.
    assert not at.slider and any("Reglagen laddas" in shown(c) for c in at.sidebar.caption)
    args = json.loads(at.get("component_instance")[0].proto.json_args)
    assert args["report_painted"] is True
    at.run()  # the rerun the browser's map starts when its first tiles are drawn
    assert at.session_state["controls_drawn"] is True
    assert {s.key for s in at.slider} >= {f"w_{c}" for c in CRITERIA}  # every weight slider is there
    assert not any("Reglagen laddas" in shown(c) for c in at.sidebar.caption)  # the placeholder is gone
    assert json.loads(at.get("component_instance")[0].proto.json_args)["report_painted"] is False  # once
    # The first values came from one table, before any widget was drawn, and are what the widgets show.
    assert at.radio(key="car_period").value == "peak" and at.radio(key="area_choice").value == "all"


def test_profile_and_weights_change_the_ranking_as_scoring_says(reference):
    ds, indicators = reference
    at = run_app()
    at.selectbox(key="profile").set_value("office").run()
    assert not at.exception
    expected = Scorer.build(ds.parcels, indicators, PROFILES["office"]).score(robustness=False).top(25)
    assert ranking_table(at)["designation"].tolist() == expected["designation"].tolist()
    # Weights move only by their slider; put everything on the walk to the metro.
    for c in CRITERIA:
        at.slider(key=f"w_{c}").set_value(1.0 if c == "rail_stop" else 0.0)
    at.run()
    expected = Scorer.build(ds.parcels, indicators, PROFILES["office"]).score(
        {"rail_stop": 1.0}, robustness=False).top(25)
    assert ranking_table(at)["designation"].tolist() == expected["designation"].tolist()
    reset = next(b for b in at.button if "Återställ" in b.label)
    reset.click().run()
    assert at.slider(key="w_rail_stop").value == PROFILES["office"].weights["rail_stop"]


def test_filters_narrow_the_table(reference):
    ds, indicators = reference
    at = run_app()
    at.selectbox(key="profile").set_value("mixed_service").run()
    everything = ranking_table(at)
    at.radio(key="area_choice").set_value("sp").run()
    at.checkbox(key="municipal_only").check().run()
    narrowed = ranking_table(at)
    assert set(narrowed["area_name"]) == {"Södra Porten"}
    expected = Scorer.build(ds.parcels, indicators, PROFILES["mixed_service"]).score(
        filters=Filters(area_names=("Södra Porten",), municipal_only=True), robustness=False)
    assert len(narrowed) == min(25, int((~expected.frame["excluded"]).sum()))
    assert set(narrowed["designation"]) != set(everything["designation"]) or len(narrowed) < len(everything)


def test_bad_upload_shows_an_error_and_keeps_the_previous_layer():
    at = run_app()
    before = ranking_table(at)
    at.file_uploader(key="upload_parcels").set_value(("brev.gpkg", b"Hej! Ingen karta.", "application/geopackage"))
    at.run()
    assert not at.exception
    assert any("brev.gpkg: not a geodata file" in shown(e) for e in at.error)
    assert ranking_table(at).equals(before)
    assert at.session_state["uploads"] == {}


def test_upload_without_crs_names_the_fix(tmp_path):
    parcels = gpd.read_file(DEMO_DIR / "parcels.gpkg").head(5).set_crs(None, allow_override=True)
    path = tmp_path / "nocrs.gpkg"
    parcels.to_file(path)
    at = run_app()
    at.file_uploader(key="upload_parcels").set_value(("nocrs.gpkg", path.read_bytes(), "application/geopackage"))
    at.run()
    assert any("no coordinate reference system" in shown(e) for e in at.error)


def test_good_upload_replaces_the_layer(tmp_path):
    parcels = gpd.read_file(DEMO_DIR / "parcels.gpkg").head(60)
    path = tmp_path / "mina.geojson"
    parcels.to_crs(4326).to_file(path, driver="GeoJSON")
    at = run_app()
    at.file_uploader(key="upload_parcels").set_value(("mina.geojson", path.read_bytes(), "application/geo+json"))
    at.run()
    assert not at.exception, at.exception
    assert any("60" in s.value and "mina.geojson" in shown(s) for s in at.success)
    designations = set(parcels["trakt"] + " " + parcels["block"].astype(str) + ":" + parcels["enhet"].astype(str))
    assert set(ranking_table(at)["designation"]) <= designations


def test_export_buttons_produce_valid_files(reference):
    """The buttons are on the page; the files are built only when clicked (here: called)."""
    from ui.pages.explorer import export_files

    at = run_app()
    labels = {b.proto.label for b in at.get("download_button")}
    assert {"GeoJSON (WGS84)", "GeoPackage (EPSG:3006)", "CSV"} <= labels
    ds, table = reference
    files = export_files(Scorer.build(ds.parcels, table, PROFILES["logistics"]).score(robustness=False))
    doc = json.loads(files["GeoJSON (WGS84)"][0]())
    assert doc["type"] == "FeatureCollection" and len(doc["features"]) == 410
    csv = pd.read_csv(io.StringIO(files["CSV"][0]()))
    assert {"designation", "score", "rank", "lon", "lat"} <= set(csv.columns)
    assert files["GeoPackage (EPSG:3006)"][0]().startswith(b"SQLite format 3")


def test_selecting_a_site_shows_its_panel():
    at = run_app()
    first = ranking_table(at)["designation"].iloc[0]
    frame = load_dataset().parcels
    at.session_state["selected"] = frame.loc[frame["designation"] == first, "parcel_id"].iloc[0]
    at.run()
    assert not at.exception
    assert any(first in shown(m) for m in at.markdown)
    labels = [b.proto.label for b in at.get("download_button")]
    assert any("GeoJSON" in label and ("Restidsytor" in label or "Isochrones" in label) for label in labels)
    assert "Prospekt (PDF)" in labels


@pytest.fixture(autouse=True)
def media(monkeypatch):
    """Keep the in-memory media storage AppTest creates, to read download buttons' bytes."""
    import streamlit.testing.v1.app_test as app_test
    from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage

    stores = []

    class Recording(MemoryMediaFileStorage):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            stores.append(self)

    monkeypatch.setattr(app_test, "MemoryMediaFileStorage", Recording)
    return stores


def _download_bytes(stores: list, button) -> bytes:
    name = button.proto.url.rsplit("/", 1)[-1]
    for store in reversed(stores):
        try:
            return bytes(store.get_file(name).content)
        except Exception:
            continue
    raise AssertionError(f"no media file {name}")


def test_every_layer_and_english_render_without_errors():
    at = run_app()
    at.radio(key="lang").set_value("en").run()
    for name in ("transit", "junctions", "bus_stops", "premises", "land_use", "change_areas", "constraints",
                 "population"):
        at.checkbox(key=f"layer_{name}").check()
    at.checkbox(key="basemap").uncheck()
    at.run()
    assert not at.exception, at.exception
    # A failure is caught by the error boundary and shown as a notice with an id: none may show.
    assert not at.error, [e.value for e in at.error]
    assert any("Demonstration data" in shown(w) for w in at.warning)
    assert at.title[0].value == "Establishment map: Södra Porten"


def test_profile_assumptions_are_editable(reference):
    at = run_app()
    at.selectbox(key="profile").set_value("light_industry").run()
    before = ranking_table(at)
    at.number_input(key="p_min_plot").set_value(12_000.0).run()
    assert not at.exception, at.exception
    after = ranking_table(at)
    ds, _ = reference
    big = set(ds.parcels.loc[ds.parcels["area_m2"] >= 12_000, "designation"])
    assert set(after["designation"]) <= big
    assert len(after) < len(before)


def test_all_zero_weights_fall_back_with_a_message():
    at = run_app()
    for c in CRITERIA:
        at.slider(key=f"w_{c}").set_value(0.0)
    at.run()
    assert not at.exception
    assert any("noll" in shown(w) for w in at.warning)
    assert len(ranking_table(at)) == 17


def test_car_period_switch_scores_free_flow(reference):
    from analysis.scoring import ScoringParams

    ds, table = reference
    expected = Scorer.build(ds.parcels, table, PROFILES["logistics"], ScoringParams(car_period="free_flow")).score(
        robustness=False).top(25)
    at = run_app()
    at.radio(key="car_period").set_value("free_flow")
    at.run()
    assert not at.exception, at.exception
    table_ = ranking_table(at)
    assert table_["designation"].tolist() == expected["designation"].tolist()
    assert table_["why"].str.contains("fritt flöde").any() and not table_["why"].str.contains("morgonrusning").any()
