"""The prospectus PDF: readable text with the site's designation, score and jobs; same state, same bytes."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.text import Text
from matplotlib.transforms import Bbox
from pypdf import PdfReader

from analysis.profiles import PROFILES
from errors import ParameterError
from layers.roads import motorway_junctions
from sites.__main__ import main
from sites.dataset import load_dataset
from sites.indicators import load_or_compute
from sites.prospectus import map_window, prospectus_figure, prospectus_pdf
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
    assert "DEMONSTRATION DATA" in text and "27 November 2026" in text and "http://localhost:8501/?sel=x" in text
    assert pdf == prospectus_pdf(ds, result, [top["parcel_id"]], lang="en", link="http://localhost:8501/?sel=x",
                                 generated=DAY), "same state, same PDF"


def test_comparison_prospectus(scored):
    ds, result = scored
    top = result.top(3)
    text = text_of(prospectus_pdf(ds, result, list(top["parcel_id"]), lang="sv", generated=DAY))
    assert "Jämförelse av platser" in text and "27 november 2026" in text
    for row in top.itertuples():
        assert row.designation in text and f"{row.score:.1f}".replace(".", ",") in text


def test_unknown_parcel_is_refused(scored):
    ds, result = scored
    with pytest.raises(ParameterError, match="unknown or filtered-out parcel"):
        prospectus_pdf(ds, result, ["no-such-id"])


def test_command_line(tmp_path, capsys):
    out = tmp_path / "p.pdf"
    assert main(["prospectus", "--parcel", "Eriksberg 3:10", "--profile", "logistics", "--lang", "en",
                 "--date", "2026-11-27", "--out", str(out)]) == 0
    text = text_of(out.read_bytes())
    assert "Site prospectus: Eriksberg 3:10" in text
    assert "Travel time from the site: car 10/20/30 min" in text, "the command line draws the isochrones too"
    assert main(["prospectus", "--parcel", "Eriksberg 3:10", "--lang", "en", "--no-isochrones", "--out", str(out)]) == 0
    assert "Travel time from the site" not in text_of(out.read_bytes())
    assert main(["prospectus", "--parcel", "Eriksberg 3:10", "--date", "tomorrow", "--out", str(out)]) == 2
    assert "--date must be YYYY-MM-DD" in capsys.readouterr().err


def test_swedish_prospectus_has_swedish_numbers_and_words(scored):
    ds, result = scored
    top = result.top(1).iloc[0]
    text = text_of(prospectus_pdf(ds, result, [top["parcel_id"]], lang="sv", generated=DAY))
    # pypdf gives the no-break spaces back as spaces (split() folds them)
    whole = round(top["area_m2"])
    assert f"{whole // 1000} {whole % 1000:03d} m²" in text, "thousands grouped with a space in Swedish"
    assert f"{top['score']:.1f}".replace(".", ",") in text, "decimal comma"
    assert "Poäng" in text and "Placering" in text and "Närmaste trafikplats" in text
    status = {"none": "ingen detaljplan", "adopted": "antagen", "in_progress": "pågående"}[top["plan_status"]]
    assert status in text
    for english in ("Score", "Rank", "Plot area", " none "):
        assert english not in f" {text} ", english


def _text_boxes(fig):
    """(text, window extent) of every visible, non-empty text on the page after layout."""
    FigureCanvasAgg(fig)
    fig.draw_without_rendering()
    renderer = fig.canvas.get_renderer()
    boxes = []
    for t in fig.findobj(Text):
        if not t.get_visible() or not t.get_text().strip():
            continue
        if t.axes is not None and not t.axes.get_visible():
            continue
        boxes.append((t.get_text(), t.get_window_extent(renderer)))
    return boxes, fig.bbox


def _clashes(boxes):
    """Pairs of texts whose boxes overlap by more than half a pixel."""
    found = []
    for i, (a, box_a) in enumerate(boxes):
        inner = Bbox.from_extents(box_a.x0 + 0.5, box_a.y0 + 0.5, box_a.x1 - 0.5, box_a.y1 - 0.5)
        found += [(a, b) for b, box_b in boxes[i + 1:] if inner.overlaps(box_b)]
    return found


@pytest.mark.parametrize("lang", ["sv", "en"])
@pytest.mark.parametrize("n", [1, 4])
def test_no_two_texts_overlap_and_all_are_on_the_page(scored, lang, n):
    ds, result = scored
    ids = list(result.top(n)["parcel_id"])
    fig = prospectus_figure(ds, result, ids, lang=lang, generated=DAY, link="https://example.org/?" + "x" * 400)
    boxes, page = _text_boxes(fig)
    assert len(boxes) > 40
    for text, box in boxes:
        assert page.x0 <= box.x0 and box.x1 <= page.x1 and page.y0 <= box.y0 and box.y1 <= page.y1, text
    assert not _clashes(boxes)


def test_the_overlap_check_finds_a_planted_overlap(scored):
    ds, result = scored
    fig = prospectus_figure(ds, result, list(result.top(2)["parcel_id"]), lang="sv", generated=DAY)
    fig.text(0.07, 0.956, "planted", fontsize=9)  # on the title
    boxes, _ = _text_boxes(fig)
    assert [pair for pair in _clashes(boxes) if "planted" in pair] == [("Jämförelse av platser", "planted")]


def test_map_window_holds_every_box_with_its_margin_in_the_axes_shape():
    # two boxes: (0,0)-(100,100) and (1000,0)-(1100,50); margin 100 -> x -100..1200, y -100..200;
    # width 1300 at aspect 2 needs height 650 (more than 300 and the 500 minimum), centred on y = 50
    assert map_window([(0, 0, 100, 100), (1000, 0, 1100, 50)], aspect=2.0, margin_m=100, min_side_m=500) == \
        pytest.approx((-100, -275, 1200, 375))
    # centred on the site at (0, 0): the far box (400..500, 0..50) needs 600 m either side (with the margin)
    assert map_window([(-10, -10, 10, 10), (400, 0, 500, 50)], aspect=1.0, margin_m=100, min_side_m=500,
                      centre=(0, 0)) == pytest.approx((-600, -600, 600, 600))
    # a small box gets the minimum height
    assert map_window([(0, 0, 10, 10)], aspect=1.0, margin_m=0, min_side_m=500) == pytest.approx((-245, -245, 255, 255))


@pytest.mark.parametrize("n", [1, 3])
def test_the_nearest_junction_and_station_are_in_view(scored, n):
    ds, result = scored
    top = result.top(n)
    fig = prospectus_figure(ds, result, list(top["parcel_id"]), lang="sv", generated=DAY)
    ax = fig.axes[0]
    (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
    junctions = motorway_junctions(ds.roads)
    stops = ds.feed.stops
    for row in top.itertuples():
        exits = junctions[junctions["junction_name"] == row.nearest_junction].geometry
        station = stops[stops["stop_name"] == row.nearest_rail_stop].geometry
        assert len(exits) and len(station)
        assert any(x0 <= p.x <= x1 and y0 <= p.y <= y1 for p in exits), row.nearest_junction
        assert any(x0 <= p.x <= x1 and y0 <= p.y <= y1 for p in station), row.nearest_rail_stop
    texts = {t.get_text() for t in fig.findobj(Text) if t.get_visible()}
    assert "Motorväg E4/E20" in texts and "Tunnelbana/pendeltåg" in texts and "Poäng (0-100)" in texts, "a legend"
