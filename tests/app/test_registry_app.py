"""Registry in the app: save the selected parcel, register an application, see the shortlist and the trail."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from sites.dataset import load_dataset
from sites.registry import open_registry
from tests.app.helpers import open_app, shown

pytestmark = pytest.mark.filterwarnings("ignore")
ROOT = Path(__file__).resolve().parents[2]


def to_page(at: AppTest, name: str) -> None:
    at.switch_page(f"ui/pages/{name}.py")
    at.run()
    assert not at.exception, at.exception


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
    open_app(at)
    assert not at.exception
    at.selectbox(key="reg_status").set_value("available")
    submit(at, "Spara vald fastighet som plats")
    assert any("Eriksberg 3:10" in shown(s) for s in at.success)
    to_page(at, "registry")
    at.text_input(key="app_company").input("Nordlogistik AB")
    at.number_input(key="app_need").set_value(12_000.0)
    at.number_input(key="app_jobs").set_value(90)
    at.number_input(key="app_entry").set_value(30)
    submit(at, "Registrera ansökan")
    assert any("Nordlogistik AB" in shown(s) for s in at.success)
    shortlist = next(df.value for df in at.dataframe if "Ansökan" in df.value.columns
                     and "Placering" in df.value.columns)
    per_site = next(df.value for df in at.dataframe if "Placering för platsen" in df.value.columns)
    assert per_site["Plats"].tolist() == ["Eriksberg 3:10"] and per_site["Placering för platsen"].tolist() == [1]
    assert shortlist["Ansökan"].tolist() == ["Nordlogistik AB"]
    assert shortlist["Plats"].tolist() == ["Eriksberg 3:10"] and shortlist["Placering"].tolist() == [1]
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
    open_app(at)
    assert not at.exception
    assert not any("Platsregister" in h.value for h in at.subheader)
    assert len(at.get("form_submit_button")) == 0 and len(at.tabs) == 0


def _registry_with_sites(tmp_path, monkeypatch, n_sites: int = 2):
    url = f"sqlite:///{tmp_path / 'reg.sqlite'}"
    monkeypatch.setenv("SITEFINDER_DATABASE_URL", url)
    reg = open_registry(url)
    parcels = load_dataset().parcels
    chosen = parcels[parcels["area_m2"].between(8_000, 40_000)].head(n_sites)
    for r in chosen.itertuples():
        reg.add_site("setup", name=r.designation, status="available", geometry=r.geometry,
                     plan_status=r.plan_status, plan_use_code=r.plan_use_code, parcel_ids=(r.parcel_id,))
    return reg


def test_case4_stale_edit_form_does_not_overwrite_a_newer_save(tmp_path, monkeypatch):
    reg = _registry_with_sites(tmp_path, monkeypatch, n_sites=1)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=180)
    open_app(at)
    to_page(at, "registry")
    site = reg.sites()[0]
    # Someone else saves a change after this page was drawn.
    reg.update_site("colleague", site["id"], site["version"], notes="Kolleganś anteckning", status="reserved")
    at.selectbox(key="reg_edit_status").set_value("idea")
    at.text_input(key="reg_edit_notes").input("Min gamla vy")
    submit(at, "Ändra status")
    assert any(e.value for e in at.error), "the stale save is refused with a message"
    now = reg.sites()[0]
    assert (now["status"], now["notes"]) == ("reserved", "Kolleganś anteckning")


def test_case4_allocation_records_the_pair_the_officer_chose(tmp_path, monkeypatch):
    reg = _registry_with_sites(tmp_path, monkeypatch, n_sites=2)
    reg.add_application("setup", company="Bolag Ett AB", profile="logistics", area_need_m2=9_000, jobs=40)
    reg.add_application("setup", company="Bolag Två AB", profile="logistics", area_need_m2=9_000, jobs=60)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=180)
    open_app(at)
    to_page(at, "registry")
    options = at.selectbox(key="reg_pair").options
    assert len(options) >= 3
    target = [o for o in options if o.endswith("/ #2)")][-1]
    at.selectbox(key="reg_pair").set_value(target)
    # Meanwhile a colleague reserves site 1: its rows leave the shortlist recomputed at submit, so
    # row positions shift (the old form stored a row index and allocated whatever sat there).
    first = next(x for x in reg.sites() if x["id"] == 1)
    reg.update_site("colleague", 1, first["version"], status="reserved")
    submit(at, "Besluta markanvisning")
    decision = reg.audit_trail(entity="application")[-1]
    assert decision["action"] == "allocate", [e.value for e in at.error]
    app_id, site_id = (int(x.strip(" #)")) for x in target.rsplit("(", 1)[1].split("/"))
    allocated_app = next(a for a in reg.applications(include_archived=True) if a["status"] == "allocated")
    allocated_site = next(s for s in reg.sites(include_archived=True) if s["status"] == "allocated")
    assert (allocated_app["id"], allocated_site["id"]) == (app_id, site_id)


def test_case4_an_application_with_an_unknown_profile_does_not_break_the_page(tmp_path, monkeypatch):
    import sqlalchemy as sa

    reg = _registry_with_sites(tmp_path, monkeypatch, n_sites=1)
    app_id = reg.add_application("setup", company="Gammal rad AB", profile="logistics", area_need_m2=9_000, jobs=40)
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'reg.sqlite'}")
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE applications SET profile = 'spaceport' WHERE id = :i"), {"i": app_id})
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=180)
    open_app(at)
    to_page(at, "registry")
    assert not any("Något gick fel" in e.value for e in at.error)
    assert at.title[0].value == "Platser och markanvisning"


@pytest.mark.parametrize("name", ["explorer", "compare", "registry", "log", "data"])
def test_an_investor_link_cannot_reach_any_officer_page(tmp_path, monkeypatch, name):
    from sites.share import ViewState, investor_link

    reg = _registry_with_sites(tmp_path, monkeypatch, n_sites=1)
    reg.add_application("setup", company="Hemligt Bolag AB", profile="logistics", area_need_m2=9_000, jobs=40)
    monkeypatch.setenv("SITEFINDER_LINK_SECRET", "s")
    parcels = load_dataset().parcels
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=180)
    for k, v in investor_link(ViewState(selected=parcels["parcel_id"].iloc[0]), "s").items():
        at.query_params[k] = v
    open_app(at)
    assert at.title[0].value == "Etableringsmöjligheter i Botkyrka"
    # The investor's navigation holds the investor page alone: no officer page is registered to switch to.
    with pytest.raises(ValueError, match=r"Known pages: \[[^,\]]*investor\.py'\]"):
        at.switch_page(f"ui/pages/{name}.py")
    text = " ".join(shown(m) for m in at.markdown)
    assert "Hemligt Bolag" not in text and len(at.sidebar.slider) == 0 and len(at.tabs) == 0
    assert len(at.get("form_submit_button")) == 0
