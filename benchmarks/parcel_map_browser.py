"""The parcel map component in headless Chromium (Debian's package, Playwright), warm server.

Usage: ``python benchmarks/parcel_map_browser.py [demo] [100000] [100000@14]`` (``@14``: the map
starts at zoom 14 on the middle of the data instead of showing every parcel at once). For each dataset it starts
``benchmarks/tile_map_app.py`` and measures: the first render cold (tiles and scorer built) and
warm (new page), a click on a parcel until its id is back in Python and shown, a weight change
(slider step) until the map has painted the new colours, and the bytes the server sent over the
websocket for that weight change. Results go to ``benchmarks/results/parcel_map_browser.json``.
"""

from __future__ import annotations

import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks import save_results  # noqa: E402

FRAME = "iframe[title='ui.parcel_map.parcel_map']"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait(pred, timeout=180.0, step=0.01):
    from playwright.sync_api import Error as PlaywrightError

    end = time.time() + timeout
    while time.time() < end:
        try:
            v = pred()
        except PlaywrightError:  # the frame is not there yet
            v = None
        if v:
            return v
        time.sleep(step)
    raise TimeoutError


def target_parcel(source: str) -> tuple[str, float, float, int]:
    """The eligible parcel with the worst rank: its id, latitude, longitude and rank."""
    import numpy as np

    from analysis.profiles import PROFILES
    from analysis.scoring import rank
    from sites.scored import Scorer

    if source == "demo":
        from sites.dataset import load_dataset
        from sites.indicators import load_or_compute

        ds = load_dataset()
        parcels, table, profile = ds.parcels, load_or_compute(ds).table, PROFILES["light_industry"]
    else:
        from benchmarks import synthetic

        parcels = synthetic.parcels(int(source))
        table, profile = synthetic.indicator_table(parcels), PROFILES[synthetic.PROFILE]
    scores = Scorer.build(parcels, table, profile).map_scores()
    ranks = rank(np.nan_to_num(scores), np.isnan(scores))
    i = int(np.argmax(ranks))
    c = parcels.geometry.iloc[[i]].to_crs(4326).representative_point().iloc[0]
    return str(parcels["parcel_id"].iloc[i]), c.y, c.x, int(ranks[i])


def measure(source: str, page_factory) -> dict:
    out: dict = {"dataset": source}
    port = free_port()
    log = Path(tempfile.mkdtemp()) / "server.log"
    env = {**os.environ, "SITEFINDER_HARNESS_PARCELS": source}
    source = source.partition("@")[0]
    proc = subprocess.Popen([sys.executable, "-m", "streamlit", "run", "benchmarks/tile_map_app.py", "--server.port",
                             str(port), "--server.address", "127.0.0.1"], cwd=ROOT, env=env, stdout=log.open("w"),
                            stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        wait(lambda: _healthy(url), 60, 0.3)
        pid, lat, lon, worst_rank = target_parcel(source)
        out["clicked_parcel_rank"] = worst_rank
        renders, phases = [], []
        for k in range(4):
            page, frames = page_factory()
            t = time.perf_counter()
            t_wall = time.time() * 1000
            page.goto(url)
            body = page.frame_locator(FRAME).locator("body")
            wait(lambda page=page, body=body: page.locator(FRAME).count() and body.get_attribute(
                "data-tiles-loaded", timeout=2000), 600 if k == 0 else 120)
            renders.append(time.perf_counter() - t)
            phases.append({name: (int(body.get_attribute(f"data-t-{name}")) - t_wall) / 1000
                           for name in ("script", "args", "tiles")})
            if k < 3:
                page.close()
        out["first_render_cold_s"] = renders[0]
        out["first_render_warm_s"] = statistics.median(renders[1:])
        out["first_render_phases_s"] = phases  # map script running, first arguments, tiles drawn
        out["features_in_first_view"] = int(body.get_attribute("data-tiles-loaded"))
        # The same in new tabs of one browser that has opened the page before (its scripts cached).
        returning, returning_phases = [], []
        context = page.context.browser.new_context(viewport={"width": 1500, "height": 1000})
        for k in range(4):
            tab = context.new_page()
            t = time.perf_counter()
            t_wall = time.time() * 1000
            tab.goto(url)
            tab_body = tab.frame_locator(FRAME).locator("body")
            wait(lambda tab=tab, tab_body=tab_body: tab.locator(FRAME).count() and tab_body.get_attribute(
                "data-tiles-loaded", timeout=2000), 120)
            if k:  # the first tab fills the browser's cache
                returning.append(time.perf_counter() - t)
                returning_phases.append((int(tab_body.get_attribute("data-t-tiles")) - t_wall) / 1000)
            tab.close()
        context.close()
        out["first_render_warm_returning_browser_s"] = statistics.median(returning)
        out["first_render_returning_browser_tiles_drawn_s"] = returning_phases
        # Weight change: one slider step until the new colours are painted; bytes over the websocket.
        # First in the start view, then at zoom 14 around the parcel clicked later (a district).
        for view, slider_base in (("start", 0), ("zoom14", 3)):
            if view == "zoom14":
                body.evaluate("(b, ll) => { window.__parcelMap.map.setView(ll, 14, {animate: false}); }", [lat, lon])
                time.sleep(3.0)
            changes, sizes, restyle, render, whole_runs = [], [], [], [], []
            for i in range(3):
                time.sleep(0.5)
                runs_before = wait(lambda: _completed_runs(page), 120)  # the previous run has finished
                before = body.get_attribute("data-painted")
                frames.clear()
                slider = page.get_by_role("slider").nth(slider_base + i)
                slider.focus()
                t = time.perf_counter()
                page.keyboard.press("ArrowRight")
                wait(lambda before=before: body.get_attribute("data-painted") not in (None, before), 60)
                changes.append(time.perf_counter() - t)
                wait(lambda runs_before=runs_before: _completed_runs(page) > runs_before, 120)
                whole_runs.append(time.perf_counter() - t)
                restyle.append(int(body.get_attribute("data-restyle-ms")))
                render.append(int(body.get_attribute("data-render-ms")))
                time.sleep(0.5)
                sizes.append(sum(frames))
            suffix = "" if view == "start" else "_zoom14"
            out[f"weight_change_to_new_colours_s{suffix}"] = statistics.median(changes)
            out[f"weight_change_all_s{suffix}"] = changes
            out[f"weight_change_browser_restyle_ms{suffix}"] = restyle
            out[f"weight_change_browser_render_to_paint_ms{suffix}"] = render
            out[f"bytes_per_weight_change{suffix}"] = statistics.median(sizes)
            out[f"weight_change_until_run_complete_s{suffix}"] = whole_runs  # + robustness of the shown
        # Click on the worst-ranked eligible parcel until its id is shown by Python.
        body.evaluate("(b, ll) => { window.__parcelMap.map.setView(ll, 17, {animate: false}); }", [lat, lon])
        time.sleep(2.0)
        point = body.evaluate("(b, ll) => { var p = window.__parcelMap.map.latLngToContainerPoint(ll); "
                              "return [p.x, p.y]; }", [lat, lon])
        box = page.locator(FRAME).bounding_box()
        t = time.perf_counter()
        page.mouse.click(box["x"] + point[0], box["y"] + point[1])
        wait(lambda: page.get_by_text(f"selected: {pid}").count() > 0, 60)
        out["click_to_returned_id_s"] = time.perf_counter() - t
        page.close()
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    return out


def folium_alternative(n: int) -> dict:
    """Bytes ``st_folium(feature_group_to_add=...)`` would send per weight change, at least.

    Every parcel's geometry (simplified 1 m, WGS84) with its colour as GeoJSON, which a folium
    GeoJson layer in the swapped feature group carries (folium adds its style mapping on top).
    """
    import numpy as np

    from benchmarks import synthetic
    from ui.colours import viridis

    parcels = synthetic.parcels(n)
    view = parcels[["parcel_id", "geometry"]].copy()
    view["geometry"] = view.geometry.simplify(1.0)
    view = view.to_crs(4326)
    view["colour"] = viridis(np.random.default_rng(0).uniform(0, 100, n))
    t = time.perf_counter()
    size = len(view.to_json(drop_id=True).encode())
    return {"parcels": n, "geojson_mb_per_weight_change": size / 1e6, "build_s": time.perf_counter() - t}


def _completed_runs(page) -> int:
    """The harness's count of finished script runs (0 while none is shown)."""
    import re

    texts = page.get_by_text(re.compile(r"^run \d+ complete$")).all_text_contents()
    return max((int(t.split()[1]) for t in texts), default=0)


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
            return r.status == 200
    except OSError:
        return False


def main() -> None:
    from playwright.sync_api import sync_playwright

    sources = sys.argv[1:] or ["demo", "100000", "100000@14"]
    results: dict = {"load_average_1min_at_start": os.getloadavg()[0]}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=shutil.which("chromium"), args=ARGS)

        def page_factory():
            frames: list[int] = []
            page = browser.new_page(viewport={"width": 1500, "height": 1000})
            page.on("websocket", lambda ws: ws.on("framereceived", lambda payload: frames.append(len(payload))))
            return page, frames

        for source in sources:
            results[source] = measure(source, page_factory)
            r = results[source]
            print(f"{source}: first render cold {r['first_render_cold_s']:.2f} s, "
                  f"warm {r['first_render_warm_s']:.2f} s; weight change -> new colours "
                  f"{r['weight_change_to_new_colours_s']:.3f} s "
                  f"({r['bytes_per_weight_change'] / 1e6:.3f} MB); click -> id {r['click_to_returned_id_s']:.2f} s "
                  f"(parcel ranked {r['clicked_parcel_rank']:,})")
        browser.close()
    results["folium_feature_group_100k"] = folium_alternative(100_000)
    print(f"st_folium feature_group_to_add alternative, 100,000 parcels: "
          f"{results['folium_feature_group_100k']['geojson_mb_per_weight_change']:.1f} MB per weight change")
    results["load_average_1min_at_end"] = os.getloadavg()[0]
    save_results("parcel_map_browser", results)


if __name__ == "__main__":
    main()
