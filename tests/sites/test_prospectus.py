"""The prospectus PDF: readable text with the site's designation, score and jobs; same state, same bytes."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from pypdf import PdfReader

from analysis.profiles import PROFILES
from errors import ParameterError
from sites.__main__ import main
from sites.dataset import load_dataset
from sites.indicators import load_or_compute
from sites.prospectus import prospectus_pdf
from sites.scored import Scorer

pytestmark = pytest.mark.filterwarnings("ignore")
DAY = dt.date(2026, 11, 27)


@pytest.fixture(scope="module")
def scored():
    ds = load_dataset()
    table = load_or_compute(ds, cache_dir=None).table
    return ds, Scorer.build(ds.parcels, table, PROFILES["logistics"]).score(lang="en", draws=200)


def text_of(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 1
    return " ".join(reader.pages[0].extract_text().split())


def test_site_prospectus_has_the_facts_as_text(scored):
    ds, result = scored
    top = result.top(1).iloc[0]
    pdf = prospectus_pdf(ds, result, [top["parcel_id"]], lang="en", link="http://localhost:8501/?sel=x",
                         generated=DAY)
    text = text_of(pdf)
    assert f"Site prospectus: {top['designation']}" in text
    assert f"{top['score']:.1f}" in text
    assert f"{top['jobs_est']:,.0f}" in text
    assert "Residents within 45 min by public transport" in text and f"{top['residents_45min_pt']:,.0f}" in text
    assert "DEMONSTRATION DATA" in text and "2026-11-27" in text and "http://localhost:8501/?sel=x" in text
    assert pdf == prospectus_pdf(ds, result, [top["parcel_id"]], lang="en", link="http://localhost:8501/?sel=x",
                                 generated=DAY), "same state, same PDF"


def test_comparison_prospectus(scored):
    ds, result = scored
    top = result.top(3)
    text = text_of(prospectus_pdf(ds, result, list(top["parcel_id"]), lang="sv", generated=DAY))
    assert "Jämförelse av platser" in text
    for row in top.itertuples():
        assert row.designation in text and f"{row.score:.1f}" in text


def test_unknown_parcel_is_refused(scored):
    ds, result = scored
    with pytest.raises(ParameterError, match="unknown or filtered-out parcel"):
        prospectus_pdf(ds, result, ["no-such-id"])


def test_command_line(tmp_path, capsys):
    out = tmp_path / "p.pdf"
    assert main(["prospectus", "--parcel", "Eriksberg 3:10", "--profile", "logistics", "--lang", "en",
                 "--date", "2026-11-27", "--out", str(out)]) == 0
    assert "Site prospectus: Eriksberg 3:10" in text_of(out.read_bytes())
    assert main(["prospectus", "--parcel", "Eriksberg 3:10", "--date", "tomorrow", "--out", str(out)]) == 2
    assert "--date must be YYYY-MM-DD" in capsys.readouterr().err
