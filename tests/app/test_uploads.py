"""Issue 11 in the app: uploads explain themselves (mapping, parcels outside the plan, a cleared uploader)."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pytest
from streamlit.testing.v1 import AppTest

from settings import DEMO_DIR
from tests.app.helpers import open_app, shown

pytestmark = pytest.mark.filterwarnings("ignore")
ROOT = Path(__file__).resolve().parents[2]


def run() -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=300)
    open_app(at)
    assert not at.exception, at.exception
    return at


def _own_names(tmp_path) -> Path:
    parcels = gpd.read_file(DEMO_DIR / "parcels.gpkg").head(30)
    own = parcels.rename(columns={"trakt": "TRAKTNAMN", "block": "BLOCKNR", "enhet": "ENHETNR"})
    path = tmp_path / "egna_namn.geojson"
    own.to_crs(4326).to_file(path, driver="GeoJSON")
    return path


def test_a_refused_parcels_file_is_cleared_and_gets_a_mapping_hint(tmp_path):
    path = _own_names(tmp_path)
    at = run()
    at.file_uploader(key="upload_parcels").set_value((path.name, path.read_bytes(), "application/geo+json"))
    at.run()
    errors = [shown(e) for e in at.error]
    assert any("egna_namn.geojson" in e and "Förslag på kolumnmappning" in e for e in errors), errors
    # What to do comes in Swedish (a missing column: give a mapping); the reader's details follow, labelled.
    assert any("egna_namn.geojson kunde inte läsas: kolumner saknas" in e and "Tekniska detaljer (på engelska)" in e
               for e in errors), errors
    assert at.session_state["uploads"] == {}
    # The refused file is gone from the uploader: the page now shows a fresh one.
    keys = {u.key for u in at.get("file_uploader")}
    assert "upload_parcels" not in keys and "upload_parcels_1" in keys


def test_a_mapping_loads_a_file_with_other_column_names(tmp_path):
    path = _own_names(tmp_path)
    at = run()
    at.text_input(key="column_mapping").input("TRAKTNAMN=trakt, BLOCKNR=block, ENHETNR=enhet")
    at.run()
    at.file_uploader(key="upload_parcels").set_value((path.name, path.read_bytes(), "application/geo+json"))
    at.run()
    assert not at.exception, at.exception
    assert any("30" in shown(s) and "egna_namn.geojson" in shown(s) for s in at.success), [e.value for e in at.error]


def test_parcels_outside_the_plan_layer_are_explained(tmp_path):
    parcels = gpd.read_file(DEMO_DIR / "parcels.gpkg").head(12)
    parcels["geometry"] = parcels.translate(0, 40_000)  # 40 km north: outside the demo plan layer
    path = tmp_path / "norr.gpkg"
    parcels.to_file(path)
    at = run()
    at.file_uploader(key="upload_parcels").set_value((path.name, path.read_bytes(), "application/geopackage"))
    at.run()
    assert not at.exception, at.exception
    warnings = [shown(w) for w in at.warning]
    assert any("norr.gpkg" in w and "plan" in w for w in warnings), warnings
