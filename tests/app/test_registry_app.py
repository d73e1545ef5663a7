"""Registry in the app: save the selected parcel, register an application, see the shortlist and the trail."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from sites.dataset import load_dataset
from sites.registry import open_registry

pytestmark = pytest.mark.filterwarnings("ignore")
ROOT = Path(__file__).resolve().parents[2]


def submit(at: AppTest, label: str) -> None:
    button = next(b for b in at.get("form_submit_button") if b.proto.label == label)
    button.click()
    at.run()
    assert not at.exception, at.exception


def test_save_register_shortlist_and_audit(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'reg.sqlite'}"
    monkeypatch.setenv("SITEFINDER_DATABASE_URL", url)
    parcels = load_dataset().parcels
    pid = parcels.loc[parcels["designation"] == "Eriksberg 3:10", "parcel_id"].iloc[0]
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=180)
    at.query_params["sel"] = pid
    at.run()
    assert not at.exception
    at.selectbox(key="reg_status").set_value("available")
    submit(at, "Spara vald fastighet som plats")
    assert any("Eriksberg 3:10" in s.value for s in at.success)
    at.text_input(key="app_company").input("Nordlogistik AB")
    at.number_input(key="app_need").set_value(12_000.0)
    at.number_input(key="app_jobs").set_value(90)
    at.number_input(key="app_entry").set_value(30)
    submit(at, "Registrera ansökan")
    assert any("Nordlogistik AB" in s.value for s in at.success)
    shortlist = next(df.value for df in at.dataframe if "application" in df.value.columns
                     and "rank" in df.value.columns)
    per_site = next(df.value for df in at.dataframe if "rank_for_site" in df.value.columns)
    assert per_site["site"].tolist() == ["Eriksberg 3:10"] and per_site["rank_for_site"].tolist() == [1]
    assert shortlist["application"].tolist() == ["Nordlogistik AB"]
    assert shortlist["site"].tolist() == ["Eriksberg 3:10"] and shortlist["rank"].tolist() == [1]
    reg = open_registry(url)
    trail = reg.audit_trail()
    assert [(e["entity"], e["action"], e["who"]) for e in trail] == [
        ("site", "create", "officer (open mode)"), ("application", "create", "officer (open mode)")]
    assert reg.sites()[0]["parcel_ids"] == (pid,)
    at.run()
    at.selectbox(key="reg_edit_status").set_value("reserved")
    at.text_input(key="reg_edit_notes").input("Visning 3 december")
    submit(at, "Ändra status")
    assert reg.sites()[0]["status"] == "reserved" and reg.sites()[0]["notes"] == "Visning 3 december"
    at.selectbox(key="reg_edit_status").set_value("available")
    submit(at, "Ändra status")
    submit(at, "Besluta markanvisning")
    decision = reg.audit_trail(entity="application")[-1]
    assert decision["action"] == "allocate" and decision["weights"]["many_jobs"] == pytest.approx(0.2)
    assert reg.sites()[0]["status"] == "allocated" and reg.applications()[0]["status"] == "allocated"


def test_registry_never_in_investor_view(tmp_path, monkeypatch):
    from sites.share import ViewState, investor_link

    monkeypatch.setenv("SITEFINDER_DATABASE_URL", f"sqlite:///{tmp_path / 'reg.sqlite'}")
    monkeypatch.setenv("SITEFINDER_LINK_SECRET", "s")
    parcels = load_dataset().parcels
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=180)
    for k, v in investor_link(ViewState(selected=parcels["parcel_id"].iloc[0]), "s").items():
        at.query_params[k] = v
    at.run()
    assert not at.exception
    assert not any("Platsregister" in h.value for h in at.subheader)
    assert len(at.get("form_submit_button")) == 0 and len(at.tabs) == 0
