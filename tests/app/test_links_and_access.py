"""Links reproduce the view; investor links are read-only, signed and may expire; officers sign in."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from analysis.profiles import PROFILES
from sites.dataset import load_dataset
from sites.indicators import load_or_compute
from sites.scored import Scorer
from sites.share import ViewState, encode, investor_link
from tests.app import helpers
from tests.app.helpers import open_app, shown

pytestmark = pytest.mark.filterwarnings("ignore")
ROOT = Path(__file__).resolve().parents[2]
SECRET = "test-secret-123"


@pytest.fixture(scope="module")
def reference():
    ds = load_dataset()
    return ds, load_or_compute(ds, cache_dir=None).table


@pytest.fixture(autouse=True)
def env(monkeypatch):
    monkeypatch.setenv("SITEFINDER_LINK_SECRET", SECRET)
    monkeypatch.delenv("SITEFINDER_OFFICER_PASSWORD", raising=False)


def app_with(params: dict[str, str]) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=180)
    for k, v in params.items():
        at.query_params[k] = v
    open_app(at)
    assert not at.exception, at.exception
    return at


def ranking(at: AppTest):
    return helpers.ranking_table(at)


def test_a_link_reproduces_ranking_and_selection(reference):
    ds, indicators = reference
    weights = {**PROFILES["office"].weights, "rail_stop": 0.9, "motorway": 0.0}
    expected = Scorer.build(ds.parcels, indicators, PROFILES["office"]).score(weights, robustness=False).top(25)
    pick = expected.iloc[2]
    state = ViewState(profile="office", weights=weights, selected=pick["parcel_id"], lang="en",
                      layers=frozenset({"transit", "premises"}))
    at = app_with(encode(state))
    assert ranking(at)["designation"].tolist() == expected["designation"].tolist()
    assert any(pick["designation"] in shown(m) for m in at.markdown)
    assert at.checkbox(key="layer_premises").value and not at.checkbox(key="layer_junctions").value
    assert at.title[0].value == "Establishment map: Södra Porten"
    # The page keeps its own link in the address bar.
    assert at.query_params["p"] == "office" and at.query_params["sel"] == pick["parcel_id"]


def test_bad_link_values_are_ignored_with_a_notice():
    at = app_with({"p": "spaceport", "w": "motorway:abc", "z": "1e9", "sel": "no-such-parcel"})
    assert any("spaceport" in shown(i) and "abc" in shown(i) for i in at.info)
    assert any("no-such-parcel" in shown(i) for i in at.info)
    assert at.selectbox(key="profile").value == "logistics"
    assert "sel" not in at.query_params


def test_map_position_travels_in_the_link():
    at = app_with({"c": "59.2,17.9", "z": "12"})
    assert at.query_params["c"] == "59.2,17.9" and at.query_params["z"] == "12"


def test_investor_view_is_read_only_and_hides_internal_things(reference):
    ds, _ = reference
    pid = ds.parcels.loc[ds.parcels["designation"] == "Eriksberg 3:10", "parcel_id"].iloc[0]
    params = investor_link(ViewState(selected=pid, lang="en"), SECRET, expires=dt.date.today() + dt.timedelta(days=5))
    at = app_with(params)
    assert at.title[0].value == "Establishment opportunities in Botkyrka"
    assert any("Eriksberg 3:10" in shown(m) for m in at.markdown)
    assert len(at.sidebar.slider) == 0 and len(at.sidebar.selectbox) == 0
    assert len(at.get("file_uploader")) == 0
    assert [b.proto.label for b in at.get("download_button")] == ["Prospectus (PDF)"], "only the public prospectus"
    assert len(at.get("code")) == 0, "no share links to make more links"
    text = " ".join(shown(m) for m in at.markdown)
    for internal in ("Lösenord", "uploaded", "script runs"):
        assert internal not in text


def _tampered(token: str) -> list[str]:
    return [token[:-2] + ("AA" if token[-2:] != "AA" else "BB"), "AAAA", token + "ä", token.replace(".", "", 1),
            "é" * 20]


@pytest.mark.parametrize("which", range(5))
def test_tampered_investor_link_is_refused(reference, which):
    ds, _ = reference
    pid = ds.parcels["parcel_id"].iloc[0]
    params = investor_link(ViewState(selected=pid), SECRET)
    at = app_with({**params, "t": _tampered(params["t"])[which]})
    assert at.title[0].value == "Den här länken är inte giltig"
    assert len(at.dataframe) == 0 and len(at.get("download_button")) == 0


def test_case2_parameters_beside_the_token_change_nothing(reference):
    ds, _ = reference
    pid, other = ds.parcels["parcel_id"].iloc[0], ds.parcels["parcel_id"].iloc[1]
    designation, other_name = ds.parcels["designation"].iloc[0], ds.parcels["designation"].iloc[1]
    at = app_with({**investor_link(ViewState(selected=pid), SECRET), "sel": other, "cmp": f"{other},{pid}",
                   "l": "premises", "view": "investor"})
    text = " ".join(shown(m) for m in at.markdown)
    assert designation in text and other_name not in text


def test_case2_a_forged_first_run_then_a_valid_link_shows_only_the_valid_state(reference):
    """Tampered URL first, then a valid link in the same session (history.pushState): each run
    verifies the link in the address bar and shows only what its token holds."""
    ds, _ = reference
    pid, other = ds.parcels["parcel_id"].iloc[0], ds.parcels["parcel_id"].iloc[1]
    other_name = ds.parcels["designation"].iloc[1]
    at = app_with({"view": "investor", "sel": other, "t": "forged"})
    assert at.title[0].value == "Den här länken är inte giltig"
    valid = investor_link(ViewState(selected=pid), SECRET)
    at.query_params.clear()
    for k, v in valid.items():
        at.query_params[k] = v
    at.run()
    text = " ".join(shown(m) for m in at.markdown)
    assert at.title[0].value == "Etableringsmöjligheter i Botkyrka"
    assert other_name not in text and ds.parcels["designation"].iloc[0] in text


def test_expired_investor_link_is_refused(reference):
    ds, _ = reference
    params = investor_link(ViewState(selected=ds.parcels["parcel_id"].iloc[0]), SECRET,
                           expires=dt.date.today() - dt.timedelta(days=1))
    at = app_with(params)
    assert at.title[0].value == "Den här länken är inte giltig"
    assert any("länken har gått ut" in shown(i) for i in at.info)


def test_password_closes_the_officer_view_but_not_investor_links(monkeypatch, reference):
    monkeypatch.setenv("SITEFINDER_OFFICER_PASSWORD", "hemligt")
    at = app_with({})
    assert len(at.dataframe) == 0 and len(at.sidebar.slider) == 0
    at.text_input(key="officer_name_input").input("Anna Andersson")
    at.text_input(key="password_input").input("fel")
    at.get("form_submit_button")[0].click()
    at.run()
    assert any("Fel lösenord" in shown(e) for e in at.error)
    at.text_input(key="password_input").input("hemligt")
    at.get("form_submit_button")[0].click()
    at.run()
    assert not at.exception
    assert len(ranking(at)) == 17
    ds, _ = reference
    investor = app_with(investor_link(ViewState(selected=ds.parcels["parcel_id"].iloc[0]), SECRET))
    assert investor.title[0].value == "Etableringsmöjligheter i Botkyrka"
