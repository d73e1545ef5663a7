"""The real app (``app.py``) on a built dataset of 5,500 parcels: a parcel the old map never drew is
clicked on the map and its site panel opens (issue 13).

The old explorer map (``sites.display.display_parcels``, commit 94b10bb, still used by the drawing
mode) drew at most 4,000 parcels of the filtered, scored table: scores sorted high to low with a
stable sort, excluded parcels (no score) counted as -1 so they come last, ties in table order; the
rest were summarised as 500 m cells that cannot be clicked. The parcel chosen here is the eligible
parcel with the worst rank under the profile the link opens (mixed service, default weights and
no filters), so it sits near position 5,494 of that order, far beyond 4,000; the test checks that
with ``display_parcels`` itself before it opens the browser.

The dataset is built by the project's own builder (``sites.dataset_build.build_dataset``) from
the synthetic county inputs in the real download formats (``benchmarks.county.write_county``,
54 x 54 street grid, two parcels of about 2,700 m² per block), so the app opens it exactly as an
officer's built dataset (``SITEFINDER_DATASET``). With these inputs 5,494 of the 5,500 parcels are
eligible for mixed service (the six outside are in a "Landsbygd" plan square); logistics, the
default profile, needs 10,000 m² and excludes them all, hence the profile in the link.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlparse

import numpy as np
import pandas as pd
import pytest

from analysis.profiles import PROFILES
from analysis.scoring import rank
from benchmarks.county import write_county
from sites.dataset import open_dataset
from sites.dataset_build import BuildInputs, build_dataset
from sites.display import display_parcels
from sites.indicators import load_or_compute
from sites.scored import Scorer
from sites.tiles import tile_key
from tests.browser.conftest import ARTIFACTS, start_app, stop_app, wait_for
from ui.parcel_map import TILES_DIR

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning", "ignore::RuntimeWarning")
TILE_FRAME = "iframe[title='ui.parcel_map.parcel_map']"
PARCELS, SIDE, PROFILE = 5_500, 54, "mixed_service"
OLD_CAP = 4_000


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("every_parcel")
    files = write_county(folder / "inputs", side=SIDE, stops=150, stop_times=20_000, parcels=PARCELS, premises=100)
    build_dataset(BuildInputs(municipality_code="0127", **files), folder / "dataset")
    return folder / "dataset"


@pytest.fixture(scope="module")
def big_app(built, tmp_path_factory):
    db = tmp_path_factory.mktemp("every_parcel_registry") / "registry.sqlite"
    # Streamlit's file watcher is off here (on by default): in this test's early runs under load the
    # server stopped answering (even /_stcore/health) for over 90 s in several runs, soon after the
    # app had written the tile set inside the folder tree the watcher follows; with it off 7 of 7 runs
    # passed, but later 3 of 3 passed with it on as well, so the cause is not known.
    proc, url = start_app({"SITEFINDER_DATASET": str(built), "SITEFINDER_CACHE_DIR": str(built / "indicators"),
                           "SITEFINDER_DATABASE_URL": f"sqlite:///{db}", "SITEFINDER_DEMO_REGISTRY": "0",
                           "STREAMLIT_SERVER_FILE_WATCHER_TYPE": "none"})
    yield url
    stop_app(proc)
    # Each build has a new parcels checksum, so the app wrote a new tile set: remove it again.
    shutil.rmtree(TILES_DIR / tile_key(open_dataset(built).checksums["parcels"]), ignore_errors=True)


def parcel_beyond_the_old_cap(folder: Path) -> dict:
    """The eligible parcel with the worst rank, checked to be outside the old cap's 4,000."""
    ds = open_dataset(folder)
    table = load_or_compute(ds, cache_dir=folder / "indicators").table
    scores = Scorer.build(ds.parcels, table, PROFILES[PROFILE]).map_scores()
    excluded = np.isnan(scores)
    assert len(ds.parcels) > OLD_CAP and (~excluded).sum() > OLD_CAP
    ranks = rank(np.nan_to_num(scores), excluded)
    i = int(np.argmax(np.where(excluded, -1, ranks)))
    old_drawn = display_parcels(ds.parcels, pd.Series(scores, index=ds.parcels.index))
    assert len(old_drawn) == OLD_CAP
    assert ds.parcels["parcel_id"].iloc[i] not in set(old_drawn["parcel_id"])
    c = ds.parcels.geometry.iloc[[i]].to_crs(4326).representative_point().iloc[0]
    return {"parcel_id": ds.parcels["parcel_id"].iloc[i], "designation": ds.parcels["designation"].iloc[i],
            "rank": int(ranks[i]), "lat": c.y, "lon": c.x}


def test_a_parcel_the_old_cap_never_drew_is_clicked_and_its_panel_opens(page, built, big_app):
    target = parcel_beyond_the_old_cap(built)
    assert target["rank"] > OLD_CAP
    page.goto(f"{big_app}/?{urlencode({'p': PROFILE, 'lang': 'en'})}")
    body = page.frame_locator(TILE_FRAME).locator("body")
    wait_for(lambda: body.get_attribute("data-painted"), timeout=180)
    page.get_by_role("heading", name="Ranking").wait_for(timeout=120_000)  # the first run has finished
    # Zoom to the parcel and wait until the tiles of the new view have loaded (or 30 s have passed).
    body.evaluate("(b, ll) => new Promise(done => { var S = window.__parcelMap; "
                  "S.grid.once('load', () => done(true)); setTimeout(() => done(false), 30000); "
                  "S.map.setView(ll, 17, {animate: false}); })",
                  [target["lat"], target["lon"]])
    hover = page.frame_locator(TILE_FRAME).locator(".pm-hover")

    def parcel_on_screen() -> tuple[float, float]:  # measured afresh: the page layout may still shift
        point = body.evaluate("(b, ll) => { var p = window.__parcelMap.map.latLngToContainerPoint(ll); "
                              "return [p.x, p.y]; }", [target["lat"], target["lon"]])
        box = page.locator(TILE_FRAME).bounding_box()
        return box["x"] + point[0], box["y"] + point[1]

    def hovered() -> tuple[float, float] | None:  # the tile feature under the mouse is the target parcel
        x, y = parcel_on_screen()
        page.mouse.move(x - 4, y - 4)
        page.mouse.move(x, y)
        return (x, y) if target["designation"] in (hover.text_content() or "") else None

    try:
        page.mouse.click(*wait_for(hovered, timeout=60, step=1.0))
        wait_for(lambda: page.locator("h3").filter(has_text=target["designation"]).count() > 0, timeout=60)
    except AssertionError:
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "every_parcel_failed.png"), full_page=True)
        raise
    rank_metric = page.locator("[data-testid=stMetric]").filter(has_text="Rank")
    wait_for(lambda: rank_metric.count() > 0, timeout=30)
    assert rank_metric.first.locator("[data-testid=stMetricValue]").inner_text().strip() == str(target["rank"])
    # The page's link names the selected parcel by its id (written when the run with the panel ends).
    # (Read from the page itself: Playwright's page.url can miss a history.replaceState.)
    wait_for(lambda: parse_qs(urlparse(page.evaluate("location.href")).query).get("sel") == [target["parcel_id"]],
             timeout=120)
    assert page.get_by_text("Traceback").count() == 0
