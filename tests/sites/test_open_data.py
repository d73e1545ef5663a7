"""The open-data export round-trips and holds only available plots, with area and building right apart."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
from shapely.geometry import box

from sites.__main__ import main
from sites.open_data import OPEN_DATA_FIELDS
from sites.registry import open_registry


def test_only_available_plots_round_trip(tmp_path):
    url = f"sqlite:///{tmp_path / 'reg.sqlite'}"
    reg = open_registry(url)
    plot = box(661_000, 6_569_000, 661_100, 6_569_080)
    a = reg.add_site("x", name="Hågelby hage A1", status="available", geometry=plot, building_right_m2=4000,
                     plan_status="in_progress", plan_use_code="Z", contact="anna@botkyrka.se")
    reg.add_site("x", name="Reserved", status="reserved", geometry=box(661_200, 6_569_000, 661_300, 6_569_050))
    gone = reg.add_site("x", name="Archived", status="available", geometry=box(661_400, 6_569_000, 661_450, 6_569_050))
    reg.archive_site("x", gone, 1)
    csv, gj = tmp_path / "plots.csv", tmp_path / "plots.geojson"
    assert main(["open-data", "--format", "csv", "--out", str(csv), "--database", url]) == 0
    assert main(["open-data", "--format", "geojson", "--out", str(gj), "--database", url]) == 0
    table = pd.read_csv(csv, dtype={"source": str})
    assert list(table.columns) == [f.name for f in OPEN_DATA_FIELDS]
    assert table["name"].tolist() == ["Hågelby hage A1"]
    row = table.iloc[0]
    assert row["source"] == "0127" and row["id"] == f"0127-tomt-{a}" and row["email"] == "anna@botkyrka.se"
    assert row["area"] == 8000 and row["building_right"] == 4000
    assert 59.2 < row["latitude"] < 59.3 and 17.8 < row["longitude"] < 17.9
    plots = gpd.read_file(gj)
    assert plots.crs.to_epsg() == 4326 and plots["name"].tolist() == ["Hågelby hage A1"]
    assert abs(plots.to_crs(3006).area.iloc[0] - 8000) < 5  # WGS84 round trip, 7 decimals


def test_an_empty_export_says_why(tmp_path, capsys):
    url = f"sqlite:///{tmp_path / 'reg.sqlite'}"
    open_registry(url).add_site("x", name="Idea", status="idea", geometry=box(661_000, 6_569_000, 661_100, 6_569_080))
    assert main(["open-data", "--out", str(tmp_path / "p.csv"), "--database", url, "--lang", "sv"]) == 0
    err = capsys.readouterr().err
    assert "skrev 0 tillgängliga tomter" in err and "status 'tillgänglig'" in err
