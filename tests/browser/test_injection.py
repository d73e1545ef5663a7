"""Issue 9, case 3: hostile text from users and files never runs or injects markup, in a real browser.

A catalogue of payloads goes into every text the map shows (parcel tooltips, premises popups,
stations, lines, junctions, land use, constraints, change areas, saved sites, isochrones, the
legend) and, through the running app, into a saved site's name, an uploaded parcel designation
and a link parameter. Each payload, if it ran, would set ``window.__xss``, open a dialog or add an
element with id ``injected``.
"""

from __future__ import annotations

import json
import time
from urllib.parse import urlencode

import geopandas as gpd
import pytest
from shapely.geometry import LineString, Point, box

from settings import DEMO_DIR
from sites.registry import open_registry
from tests.browser.conftest import start_app, stop_app
from ui.map_builder import MapLayers, build_map, score_layer

PAYLOADS = [
    '<img src=x onerror="window.__xss=1">',
    "<script>window.__xss=1</script>",
    '"><svg onload="window.__xss=1"><b id="injected">x</b>',
    "`;window.__xss=1;`",
    "${window.__xss=1}",
    "\\x3cimg src=x onerror=window.__xss=1\\x3e",
    "</div></script><b id=injected>bold</b>",
    "[klicka](javascript:window.__xss=1)",
    "javascript:window.__xss=1",
    "'-alert(1)-'",
    "{{7*7}} {% raw %}",
]
CHECK = """() => ({xss: window.__xss === 1,
                 injected: document.querySelectorAll('#injected, img[src="x"], svg[onload]')
                     .length})"""


def _layers() -> MapLayers:
    lon, lat = 17.832, 59.2335
    n = len(PAYLOADS)
    polys = [box(lon + 0.002 * i, lat, lon + 0.002 * i + 0.0015, lat + 0.001) for i in range(n)]
    points = [Point(lon + 0.002 * i, lat + 0.002) for i in range(n)]
    text = {"geometry": polys}
    crs = "EPSG:4326"
    return MapLayers(
        parcels=gpd.GeoDataFrame({"parcel_id": [f"p{i}" for i in range(n)], "colour": "#21908d",
                                  "tooltip": PAYLOADS}, **text, crs=crs),
        premises=gpd.GeoDataFrame({"label": PAYLOADS}, geometry=points, crs=crs),
        stations=gpd.GeoDataFrame({"label": PAYLOADS}, geometry=[Point(p.x, p.y + 0.001) for p in points], crs=crs),
        bus_stops=gpd.GeoDataFrame({"label": PAYLOADS}, geometry=[Point(p.x, p.y + 0.0015) for p in points],
                                   crs=crs),
        junctions=gpd.GeoDataFrame({"label": PAYLOADS, "junction_name": PAYLOADS},
                                   geometry=[Point(p.x, p.y + 0.0025) for p in points], crs=crs),
        transit_lines=gpd.GeoDataFrame({"label": PAYLOADS, "mode": "bus"}, geometry=[
            LineString([(p.x, p.y - 0.003), (p.x + 0.001, p.y - 0.003)]) for p in points], crs=crs),
        land_use=gpd.GeoDataFrame({"category": PAYLOADS}, geometry=[p.buffer(0.0003) for p in polys], crs=crs),
        constraints=gpd.GeoDataFrame({"kind": PAYLOADS, "name": PAYLOADS}, geometry=polys, crs=crs),
        change_areas=gpd.GeoDataFrame({"name": PAYLOADS}, geometry=polys, crs=crs),
        registry_sites=gpd.GeoDataFrame({"label": PAYLOADS}, geometry=polys, crs=crs),
        isochrones=gpd.GeoDataFrame({"key": ["car 10 min"] * n, "label": PAYLOADS, "order": range(n)},
                                    geometry=[p.buffer(0.001) for p in polys], crs=crs),
        visible={k: True for k in ("transit", "junctions", "bus_stops", "premises", "land_use", "change_areas",
                                   "constraints")},
    )


def test_case3_map_texts_are_shown_as_text(page, app_url):
    layers = _layers()
    fmap = build_map(layers, center=(59.2345, 17.843), zoom=15, basemap=False, legend_title=PAYLOADS[0],
                     excluded_label=PAYLOADS[2])
    score_layer(layers).add_to(fmap)
    html = fmap.get_root().render()
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    # Serve the map from the app's origin, so its vendored Leaflet loads as in the app.
    page.route(f"{app_url}/xss-map.html", lambda route: route.fulfill(body=html, content_type="text/html"))
    page.goto(f"{app_url}/xss-map.html")
    page.wait_for_function("() => document.querySelectorAll('.leaflet-interactive').length > 20", timeout=30_000)
    shapes = page.locator(".leaflet-interactive")
    for i in range(shapes.count()):
        try:
            shapes.nth(i).hover(timeout=500, force=True)
            shapes.nth(i).click(timeout=500, force=True)
        except Exception:
            continue
    time.sleep(0.5)
    result = page.evaluate(CHECK)
    assert result == {"xss": False, "injected": 0} and dialogs == []
    # The payloads show as text (the last tooltip or popup opened, and the legend's title).
    shown = page.evaluate("() => document.body.innerText")
    assert any(p in shown for p in PAYLOADS), shown[:300]


def _check_every_frame(page, attempts: int = 5) -> list[dict]:
    """Hover the shapes of every frame and run :data:`CHECK` in each; one result per frame.

    Streamlit may replace a component's frame while the page settles after an upload (a new tile
    set gives the map a new frame). A frame detached during the check is gone from the page, so
    the whole round is repeated on the frames the page has then: every frame still on the page
    is checked, none is skipped.
    """
    from playwright.sync_api import Error as PlaywrightError

    for attempt in range(attempts):
        try:
            results = []
            for f in page.frames:
                shapes = f.locator(".leaflet-interactive")
                for i in range(min(shapes.count(), 60)):
                    try:
                        shapes.nth(i).hover(timeout=300, force=True)
                    except PlaywrightError:
                        continue
                results.append({"url": f.url, **f.evaluate(CHECK)})
            return results
        except PlaywrightError as exc:
            if "detached" not in str(exc) or attempt == attempts - 1:
                raise
            time.sleep(1.0)
    raise AssertionError("unreachable")


@pytest.fixture()
def hostile_app(tmp_path):
    db = tmp_path / "reg.sqlite"
    reg = open_registry(f"sqlite:///{db}")
    parcels = gpd.read_file(DEMO_DIR / "parcels.gpkg")
    for i, payload in enumerate(PAYLOADS[:4]):
        reg.add_site("test", name=payload, status="available", geometry=parcels.geometry.iloc[i].buffer(5),
                     parcel_ids=())
    proc, url = start_app({"SITEFINDER_DATABASE_URL": f"sqlite:///{db}"})
    yield url
    stop_app(proc)


def test_case3_saved_names_uploads_and_links_never_run_in_the_app(page, hostile_app, tmp_path):
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(f"{hostile_app}/?{urlencode({'sel': '[klicka](javascript:window.__xss=1) <img src=x>'})}")
    frame_sel = "iframe[title='ui.parcel_map.parcel_map']"
    page.wait_for_selector(frame_sel, timeout=120_000)
    page.frame_locator(frame_sel).locator("body[data-painted]").wait_for(timeout=120_000)
    # Upload parcels whose designations are payloads.
    parcels = gpd.read_file(DEMO_DIR / "parcels.gpkg").head(len(PAYLOADS)).to_crs(4326)
    parcels["trakt"] = PAYLOADS
    path = tmp_path / "fientlig.geojson"
    path.write_text(parcels.to_json(), encoding="utf-8")
    page.get_by_text("Egna data").click()
    page.locator("input[type=file]").first.set_input_files(str(path))
    page.wait_for_function("() => document.body.innerText.includes('fientlig.geojson')", timeout=120_000)
    time.sleep(3)
    # Hover over the map where the uploaded parcels are (the map fits them), to show their designations.
    page.wait_for_selector(frame_sel, timeout=120_000)
    box = page.locator(frame_sel).first.bounding_box()
    for fx in (0.3, 0.4, 0.5, 0.6, 0.7):
        for fy in (0.3, 0.4, 0.5, 0.6, 0.7):
            page.mouse.move(box["x"] + box["width"] * fx, box["y"] + box["height"] * fy)
            time.sleep(0.05)
    for result in _check_every_frame(page):
        assert result["xss"] is False and result["injected"] == 0, result
    assert page.locator("a[href^='javascript']").count() == 0
    assert dialogs == []
    assert json.dumps(page.evaluate("() => document.body.innerText")).count("Traceback") == 0
