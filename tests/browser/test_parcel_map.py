"""The parcel map component in headless Chromium, on 20,000 synthetic parcels (harness app).

The old map drew only the best 4,000 parcels; here the test clicks the eligible parcel with the
worst rank (far beyond 4,000) and expects its id back in Python, and checks that the hover shows
its designation and the same rank as ``analysis.scoring.rank`` computes in Python.
"""

from __future__ import annotations

import time

import numpy as np
import pytest

from analysis.profiles import PROFILES
from analysis.scoring import rank
from benchmarks import synthetic
from sites.scored import Scorer
from tests.browser.conftest import ROOT, start_app, stop_app, wait_for

N = 20_000
FRAME = "iframe[title='ui.parcel_map.parcel_map']"


@pytest.fixture(scope="module")
def harness_url():
    proc, url = start_app({"SITEFINDER_HARNESS_PARCELS": str(N)}, script=ROOT / "benchmarks" / "tile_map_app.py")
    yield url
    stop_app(proc)


def worst_ranked_parcel() -> tuple[int, str, str, float, float, int]:
    parcels = synthetic.parcels(N)
    sc = Scorer.build(parcels, synthetic.indicator_table(parcels), PROFILES[synthetic.PROFILE])
    scores = sc.map_scores()
    excluded = np.isnan(scores)
    ranks = rank(np.nan_to_num(scores), excluded)
    i = int(np.argmax(ranks))
    c = parcels.geometry.iloc[[i]].to_crs(4326).representative_point().iloc[0]
    return i, parcels["parcel_id"].iloc[i], parcels["designation"].iloc[i], c.y, c.x, int(ranks[i])


def test_a_parcel_beyond_the_old_cap_is_drawn_hovered_and_clicked(page, harness_url):
    _, pid, designation, lat, lon, expected_rank = worst_ranked_parcel()
    assert expected_rank > 4000
    outside = []
    page.on("request", lambda r: outside.append(r.url) if not r.url.startswith(harness_url)
            and not r.url.startswith(("data:", "blob:", "about:")) else None)
    page.goto(harness_url)
    frame = page.frame_locator(FRAME)
    body = frame.locator("body")
    wait_for(lambda: body.get_attribute("data-painted"), timeout=180)
    body.evaluate("(b, ll) => { window.__parcelMap.map.setView(ll, 18, {animate: false}); }", [lat, lon])
    wait_for(lambda: int(body.get_attribute("data-tiles-loaded") or 0) > 0)
    time.sleep(1.0)
    point = body.evaluate("(b, ll) => { var p = window.__parcelMap.map.latLngToContainerPoint(ll); "
                          "return [p.x, p.y]; }", [lat, lon])
    box = page.locator(FRAME).bounding_box()
    x, y = box["x"] + point[0], box["y"] + point[1]
    page.mouse.move(x, y)
    hover = frame.locator(".pm-hover")
    wait_for(lambda: designation in (hover.text_content() or ""), timeout=30)
    assert f"rank {expected_rank:,}".replace(",", "\u00a0") in hover.text_content()
    page.mouse.click(x, y)
    wait_for(lambda: page.get_by_text(f"selected: {pid}").count() > 0, timeout=60)
    assert outside == []


# In the map frame: one tile decoded by the map's worker and by VectorGrid's own decoder
# (@mapbox/vector-tile, the reference), compared feature by feature: parcel index, rings, points.
COMPARE_DECODERS = """async (b, zoom) => {
  const S = window.__parcelMap, grid = S.grid, map = S.map;
  const c = map.project(map.getCenter(), zoom).divideBy(256).floor();
  const coords = L.point(c.x, c.y); coords.z = zoom;
  const url = new URL(grid._url.replace('{z}', zoom).replace('{x}', c.x).replace('{y}', c.y), document.baseURI).href;
  const flat = (await S.decodeInWorker(url, 256)).layers.find(l => l.name === 'parcels');
  const ref = (await grid._getVectorTilePromise(coords)).layers.parcels;
  const scale = 256 / ref.extent;
  let worst = 0, rings = 0;
  const sameOrder = ref.features.every((f, k) => {
    if (f.properties.i !== flat.idx[k]) return false;
    const r0 = flat.featRing[k], r1 = flat.featRing[k + 1];
    if (r1 - r0 !== f.geometry.length) return false;
    return f.geometry.every((ring, r) => {
      const a = flat.ringStart[r0 + r], n = flat.ringStart[r0 + r + 1] - a;
      // the reference repeats a ring's first point at its end (ClosePath); the worker does not
      const m = ring.length - (ring[0].x === ring[ring.length - 1].x && ring[0].y === ring[ring.length - 1].y ? 1 : 0);
      if (n !== m && n !== ring.length) return false;
      rings += 1;
      for (let i = 0; i < n; i++) {
        const dx = flat.xy[2 * (a + i)] - ring[i].x * scale, dy = flat.xy[2 * (a + i) + 1] - ring[i].y * scale;
        worst = Math.max(worst, Math.abs(dx), Math.abs(dy));
      }
      return true;
    });
  });
  return {features: ref.features.length, decoded: flat.n, sameOrder, rings, worst};
}"""


def test_the_maps_tile_decoder_matches_vectorgrids(page, harness_url):
    page.goto(harness_url)
    body = page.frame_locator(FRAME).locator("body")
    wait_for(lambda: body.get_attribute("data-tiles-loaded"), timeout=180)
    for zoom in (12, 14):
        got = body.evaluate(COMPARE_DECODERS, zoom)
        assert got["features"] > 50, got  # a tile in the middle of 20,000 parcels holds many
        assert got["decoded"] == got["features"] and got["sameOrder"], got
        assert got["rings"] >= got["features"]
        assert got["worst"] < 1e-3, got  # tile pixels: the same points
