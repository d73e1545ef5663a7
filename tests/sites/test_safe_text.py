"""Issue 9: the escaping choke point, and what reaches CSV and PDF exports."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io

import geopandas as gpd
import pandas as pd
import pytest
from pypdf import PdfReader
from shapely.geometry import Point, box

from analysis.profiles import PROFILES
from sites import export
from sites.__main__ import main
from sites.dataset import load_dataset
from sites.indicators import load_or_compute
from sites.prospectus import prospectus_pdf
from sites.registry import open_registry
from sites.safe_text import csv_cell, html_text, markdown_text, pdf_text
from sites.scored import Scorer

pytestmark = pytest.mark.filterwarnings("ignore")
FORMULAS = ['=HYPERLINK("http://evil.example","klicka")', "+1+1", "-2+3", "@SUM(A1:A9)", "\t=1", "\r=1"]


def test_html_text_leaves_no_markup_script_or_template_syntax():
    out = html_text('<img src=x onerror="a()"> `${x}` \\x3c {{7*7}} {% raw %} & \'q\'')
    for bad in ("<", ">", '"', "'", "`", "$", "\\", "{", "}"):
        assert bad not in out
    assert html_text("rad 1\nrad 2") == "rad 1<br>rad 2"
    assert html_text(None) == "" and html_text(float("nan")) == ""


def test_markdown_text_escapes_every_markdown_character():
    out = markdown_text("[klick](https://evil.example) **fet** :red[röd] $x$ <b>")
    assert out == (r"\[klick\]\(https\:\/\/evil\.example\) \*\*fet\*\* \:red\[röd\] \$x\$ \<b\>")
    assert markdown_text("Eriksberg 3:10") == r"Eriksberg 3\:10"
    assert markdown_text("två\nrader") == "två rader"


def test_csv_cell_neutralises_formulas_only():
    assert [csv_cell(f) for f in FORMULAS] == ["'" + f for f in FORMULAS]
    assert csv_cell("Eriksberg 3:10") == "Eriksberg 3:10" and csv_cell(-5) == -5 and csv_cell(2.5) == 2.5


def test_case6_formulas_are_neutralised_in_the_open_data_csv(tmp_path):
    url = f"sqlite:///{tmp_path / 'reg.sqlite'}"
    reg = open_registry(url)
    for i, name in enumerate(FORMULAS[:4]):
        reg.add_site("x", name=name, status="available", notes=FORMULAS[0],
                     geometry=box(661_000 + 200 * i, 6_569_000, 661_100 + 200 * i, 6_569_080))
    out = tmp_path / "plots.csv"
    assert main(["open-data", "--format", "csv", "--out", str(out), "--database", url]) == 0
    table = pd.read_csv(out, dtype=str)
    assert sorted(table["name"]) == sorted("'" + f for f in FORMULAS[:4])
    assert (table["description"] == "'" + FORMULAS[0]).all()


def test_case6_formulas_are_neutralised_in_the_scored_csv():
    frame = gpd.GeoDataFrame({"designation": FORMULAS, "score": [1.0] * len(FORMULAS)},
                             geometry=[Point(661_000 + i, 6_569_000) for i in range(len(FORMULAS))], crs=3006)
    table = pd.read_csv(io.StringIO(export.csv_text(frame)), dtype={"designation": str})
    assert all(v.startswith("'") for v in table["designation"])
    assert table["score"].tolist() == [1.0] * len(FORMULAS)


def test_case5_dollar_signs_and_control_characters_in_a_designation_make_a_pdf():
    ds = load_dataset()
    table = load_or_compute(ds, cache_dir=None).table
    result = Scorer.build(ds.parcels, table, PROFILES["logistics"]).score(lang="en", draws=50)
    top = result.top(1).iloc[0]
    frame = result.frame.copy()
    odd = "Kostnad $5 $\\alpha$ \x00 slut"
    frame.loc[frame["parcel_id"] == top["parcel_id"], "designation"] = odd
    pdf = prospectus_pdf(ds, dataclasses.replace(result, frame=frame), [top["parcel_id"]], lang="en",
                         generated=dt.date(2026, 11, 29))
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert "Kostnad $5 $\\alpha$" in text
    assert pdf_text("a\x00b\x07c") == "a b c"


def test_markdown_link_keeps_the_address_and_disarms_everything_else():
    from sites.safe_text import markdown_link

    assert markdown_link("Länk", "https://kommun.se/?w=0.5&sel=p1") == "[Länk](https://kommun.se/?w=0.5&sel=p1)"
    # Characters that would end the destination or start markup are percent-encoded (RFC 3986).
    assert markdown_link("x", "http://a.se/(1) <b>") == "[x](http://a.se/%281%29%20%3Cb%3E)"
    assert markdown_link("[a](b)", "https://a.se") == r"[\[a\]\(b\)](https://a.se)"
    # Any other scheme gives the escaped text alone: no link.
    assert markdown_link("klicka", "javascript:alert(1)") == "klicka"
    assert markdown_link("d", "data:text/html,x") == "d"
