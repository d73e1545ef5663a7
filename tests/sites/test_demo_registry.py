"""The demo registry is seeded once, with the demo's public, vacant, planned plots, marked as demo."""

from __future__ import annotations

import geopandas as gpd
from shapely.geometry import box

from sites.dataset import load_dataset
from sites.demo_registry import DEMO_NOTE, DEMO_WHO, demo_plots, seed_demo_registry
from sites.open_data import available_plots
from sites.registry import open_registry


def test_only_public_vacant_planned_parcels_are_plots():
    parcels = gpd.GeoDataFrame({
        "parcel_id": list("abcde"), "designation": ["A 1:1", "B 1:1", "C 1:1", "D 1:1", "E 1:1"],
        "owner_type": ["municipal", "private", "Södra Porten AB", "municipal", "municipal"],
        "vacant": [True, True, True, False, True], "plan_status": ["adopted", "adopted", "in_progress", "adopted",
                                                                    "none"],
        "plan_use_code": ["Z", "Z", "J", "Z", ""]},
        geometry=[box(661_000 + 100 * i, 6_569_000, 661_080 + 100 * i, 6_569_060) for i in range(5)], crs=3006)
    assert demo_plots(parcels)["parcel_id"].tolist() == ["a", "c"]


def test_seeded_once_into_an_empty_registry_and_exported_as_open_data(tmp_path):
    parcels = load_dataset().parcels
    reg = open_registry(f"sqlite:///{tmp_path / 'r.sqlite'}")
    n = seed_demo_registry(reg, parcels)
    expected = demo_plots(parcels)
    assert n == len(expected) > 5
    sites = reg.sites()
    assert {s["name"] for s in sites} == set(expected["designation"])
    assert all(s["status"] == "available" and s["notes"] == DEMO_NOTE for s in sites)
    assert {e["who"] for e in reg.audit_trail()} == {DEMO_WHO}
    assert len(available_plots(sites)) == n
    assert seed_demo_registry(reg, parcels) == 0, "never seeded twice"


def test_a_registry_with_history_is_not_seeded(tmp_path):
    reg = open_registry(f"sqlite:///{tmp_path / 'r.sqlite'}")
    site = reg.add_site("anna", name="Egen", status="idea", geometry=box(661_000, 6_569_000, 661_100, 6_569_100))
    reg.archive_site("anna", site, 1)
    assert seed_demo_registry(reg, load_dataset().parcels) == 0


def test_an_empty_open_data_export_says_why(tmp_path, capsys):
    from sites.__main__ import main

    out = tmp_path / "plots.csv"
    assert main(["open-data", "--out", str(out), "--database", f"sqlite:///{tmp_path / 'empty.sqlite'}"]) == 0
    err = capsys.readouterr().err
    assert "wrote 0 available plots" in err and "status 'available'" in err
