"""The app in headless Chromium: the Leaflet map renders offline with parcels, the table is there,
and a click on a parcel opens its panel. Screenshots go to ``artifacts/``."""

from __future__ import annotations

import datetime as dt
import time
from urllib.parse import parse_qs, urlencode, urlparse

from sites.dataset import load_dataset
from sites.share import ViewState, investor_link
from tests.browser.conftest import ARTIFACTS, LINK_SECRET, wait_for

MAP_FRAME = "iframe[title='streamlit_folium.st_folium']"
TILE_FRAME = "iframe[title='ui.parcel_map.parcel_map']"


def _painted(page):
    body = page.frame_locator(TILE_FRAME).locator("body")
    wait_for(lambda: body.get_attribute("data-painted"), timeout=180)
    return body


def _jobs_weight_in_link(page) -> float | None:
    """The jobs weight in the page's share link (the link is drawn by the page's full run, not the map's)."""
    href = page.locator("a[href*='w=']").first.get_attribute("href") or ""
    weights = parse_qs(urlparse(href).query).get("w", [""])[0]
    found = dict(part.split(":") for part in weights.split(",") if ":" in part)
    return float(found["jobs"]) if "jobs" in found else None


def test_map_and_ranking_render_without_internet(page, app_url):
    outside = []
    page.on("request", lambda r: outside.append(r.url) if not r.url.startswith(app_url)
            and not r.url.startswith(("data:", "blob:", "about:")) else None)
    page.goto(app_url)
    _painted(page)
    height = page.locator(TILE_FRAME).bounding_box()["height"]
    assert height > 500, "the map frame has a real height"
    wait_for(lambda: page.get_by_text("Topplista").count() > 0)
    wait_for(lambda: page.get_by_text("Eriksberg 3:10").count() > 0)
    time.sleep(1.5)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "app.png"))
    assert outside == [], outside[:5]


def test_the_controls_follow_the_maps_first_view(page, app_url):
    page.add_init_script("window.__sliderAt = null; new MutationObserver(() => { if (window.__sliderAt === null"
                         " && document.querySelector('[data-testid=stSlider]')) window.__sliderAt = Date.now(); })"
                         ".observe(document, {subtree: true, childList: true});")
    page.goto(app_url)
    body = _painted(page)
    wait_for(lambda: page.locator("[data-testid=stSlider]").count() >= 9, timeout=60)
    tiles_at = int(body.get_attribute("data-t-tiles"))
    assert page.evaluate("window.__sliderAt") >= tiles_at  # drawn after the map's first tiles, not before
    assert page.get_by_text("Reglagen laddas").count() == 0


def test_the_controls_come_even_when_the_map_never_reports(page, app_url):
    page.route("**/parcel_map.js", lambda route: route.abort())  # the map frame's own script fails
    page.goto(app_url)
    wait_for(lambda: page.get_by_text("Topplista").count() > 0, timeout=120)
    assert page.locator("[data-testid=stSlider]").count() == 0
    wait_for(lambda: page.locator("[data-testid=stSlider]").count() >= 9, timeout=30)  # the ~4 s fallback


def test_click_on_a_parcel_selects_it(page, app_url):
    parcels = load_dataset().parcels
    target = parcels.loc[parcels["designation"] == "Eriksberg 3:10"]
    c = target.geometry.to_crs(4326).representative_point().iloc[0]
    page.goto(app_url)
    body = _painted(page)
    body.evaluate("(b, ll) => { window.__parcelMap.map.setView(ll, 17, {animate: false}); }", [c.y, c.x])
    wait_for(lambda: int(body.get_attribute("data-tiles-loaded") or 0) > 0)
    time.sleep(1.0)
    point = body.evaluate("(b, ll) => { var p = window.__parcelMap.map.latLngToContainerPoint(ll); "
                          "return [p.x, p.y]; }", [c.y, c.x])
    box = page.locator(TILE_FRAME).bounding_box()
    body.evaluate("b => { window.__sameFrame = true; }")  # gone if the frame is rebuilt
    page.mouse.click(box["x"] + point[0], box["y"] + point[1])
    wait_for(lambda: page.locator("h3").filter(has_text="Eriksberg 3:10").count() > 0, timeout=60)
    time.sleep(2)
    page.screenshot(path=str(ARTIFACTS / "app_selected.png"))
    assert body.evaluate("b => window.__sameFrame === true"), "a click must not rebuild the map frame"

    # A weight change recolours the parcels in the same frame, at the same place (issue 13); the map
    # answers alone first (a fragment run), then the rest of the page follows: the share link and the
    # site panel's score show the new weight.
    before = body.get_attribute("data-painted")
    assert _jobs_weight_in_link(page) is None  # the profile's own weights are left out of the link
    page.locator("[data-testid=stSlider] input[type=range]").first.focus()
    page.keyboard.press("ArrowRight")
    wait_for(lambda: body.get_attribute("data-painted") not in (None, before), timeout=60)
    assert body.evaluate("b => window.__sameFrame === true"), "a weight change must not rebuild the map frame"
    assert body.evaluate("b => window.__parcelMap.map.getZoom()") == 17, "the map keeps the officer's view"
    wait_for(lambda: _jobs_weight_in_link(page) == 0.2, timeout=30)
    assert page.locator("h3").filter(has_text="Eriksberg 3:10").count() > 0


def test_a_second_session_gets_the_cached_results_without_errors(browser, app_url):
    for _ in range(2):
        context = browser.new_context(viewport={"width": 1500, "height": 1100})
        page = context.new_page()
        page.goto(app_url)
        _painted(page)
        assert page.get_by_text("Traceback").count() == 0
        assert page.locator("[data-testid='stException']").count() == 0
        context.close()


def test_shared_investor_link_shows_the_site_and_map(page, app_url):
    parcels = load_dataset().parcels
    pid = parcels.loc[parcels["designation"] == "Eriksberg 3:4", "parcel_id"].iloc[0]
    params = investor_link(ViewState(selected=pid, lang="en"), LINK_SECRET,
                           expires=dt.date.today() + dt.timedelta(days=3))
    page.goto(f"{app_url}/?{urlencode(params)}")
    frame = page.frame_locator(MAP_FRAME)
    wait_for(lambda: frame.locator("path.leaflet-interactive").count() >= 400)
    wait_for(lambda: page.get_by_text("Establishment opportunities in Botkyrka").count() > 0)
    assert page.locator("h3").filter(has_text="Eriksberg 3:4").count() == 1
    assert page.locator("[data-testid=stSlider]").count() == 0, "read-only: no weight sliders"
    assert page.locator("[data-testid=stFileUploader]").count() == 0
    time.sleep(1.5)
    page.screenshot(path=str(ARTIFACTS / "investor.png"), full_page=True)
    page.goto(f"{app_url}/?{urlencode({**params, 't': params['t'][:-3] + 'abc'})}")
    # A changed token proves nothing, not even its language: the notice is in the default language.
    wait_for(lambda: page.get_by_text("Den här länken är inte giltig").count() > 0)


def test_draw_an_area_and_save_it_as_a_site(page, app_url, tmp_path_factory):
    page.goto(app_url)
    _painted(page)
    page.get_by_text("Rita ett område").click()
    frame = page.frame_locator(MAP_FRAME)
    wait_for(lambda: frame.locator("path.leaflet-interactive").count() >= 400)
    frame.locator("a.leaflet-draw-draw-rectangle").click()
    box = page.locator(MAP_FRAME).bounding_box()
    x, y = box["x"] + box["width"] * 0.75, box["y"] + box["height"] * 0.75
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x + 60, y + 40, steps=8)
    page.mouse.up()
    wait_for(lambda: page.get_by_text("Spara ritat område som plats").count() > 0, timeout=60)
