"""App speed in a real browser (headless Debian chromium) and map payload growth.

Usage: ``python benchmarks/app_render.py``. Measures, on the demo data:
first render cold (empty indicator cache, new server) and warm (new session), the server's
script time, a weight change until the map shows new colours, the map payload, and script
reruns while panning and zooming; then in-process, the map for 10,000 and 100,000 parcels.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks import save_results  # noqa: E402

FRAME = "iframe[title='streamlit_folium.st_folium']"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait(pred, timeout=180.0, step=0.05):
    end = time.time() + timeout
    while time.time() < end:
        if pred():
            return True
        time.sleep(step)
    raise TimeoutError


def server(cache: str, log: Path):
    port = free_port()
    env = {**os.environ, "SITEFINDER_CACHE_DIR": cache, "SITEFINDER_TIMING": "1"}
    proc = subprocess.Popen([sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port),
                             "--server.address", "127.0.0.1"], cwd=ROOT, env=env, stdout=log.open("w"),
                            stderr=subprocess.STDOUT)
    return proc, f"http://127.0.0.1:{port}"


def runs(log: Path) -> list[float]:
    return [float(m) for m in re.findall(r"script run (\d+) ms", log.read_text())]


def fills(page) -> list[str]:
    return page.frame_locator(FRAME).locator("path.leaflet-interactive").evaluate_all(
        "ps => ps.map(p => p.getAttribute('fill'))")


def browser_part(results: dict) -> None:
    from playwright.sync_api import sync_playwright

    cache = tempfile.mkdtemp()
    log = Path(tempfile.mkdtemp()) / "server.log"
    proc, url = server(cache, log)
    try:
        wait(lambda: "Local URL" in log.read_text() or "URL:" in log.read_text(), 60)
        with sync_playwright() as p:
            b = p.chromium.launch(executable_path=shutil.which("chromium"), args=ARGS)
            page = b.new_page(viewport={"width": 1500, "height": 1100})
            t = time.perf_counter()
            page.goto(url)
            wait(lambda: page.frame_locator(FRAME).locator("path.leaflet-interactive").count() >= 400)
            results["first_render_cold_s"] = time.perf_counter() - t
            warm = []
            for _ in range(3):
                pg = b.new_page(viewport={"width": 1500, "height": 1100})
                t = time.perf_counter()
                pg.goto(url)
                wait(lambda pg=pg: pg.frame_locator(FRAME).locator("path.leaflet-interactive").count() >= 400)
                warm.append(time.perf_counter() - t)
                pg.close()
            results["first_render_warm_s"] = statistics.median(warm)
            results["script_run_warm_ms"] = statistics.median(runs(log)[1:])
            # Weight change: move a slider one step, wait until the parcel colours differ.
            changes = []
            for i in range(3):
                before = fills(page)
                slider = page.locator("[data-testid=stSlider] input[type=range]").nth(i)
                slider.focus()
                t = time.perf_counter()
                page.keyboard.press("ArrowRight")
                page.keyboard.press("ArrowRight")
                wait(lambda before=before: fills(page) != before, timeout=30)
                changes.append(time.perf_counter() - t)
                time.sleep(1)
            results["weight_change_to_new_colours_s"] = statistics.median(changes)
            # Pan and zoom: no script rerun.
            time.sleep(2)
            n_before = len(runs(log))
            box = page.locator(FRAME).bounding_box()
            cx, cy = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
            page.mouse.move(cx, cy)
            page.mouse.down()
            page.mouse.move(cx + 150, cy + 80, steps=10)
            page.mouse.up()
            page.mouse.wheel(0, -400)
            time.sleep(1)
            page.mouse.wheel(0, 600)
            time.sleep(4)
            results["reruns_on_pan_zoom"] = len(runs(log)) - n_before
            b.close()
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def payload_part(results: dict) -> None:
    import warnings

    warnings.simplefilter("ignore")
    import numpy as np

    from benchmarks import synthetic
    from sites.display import display_parcels, score_grid
    from ui.colours import viridis
    from ui.map_builder import MapLayers, build_map, score_layer

    def measure(parcels, scores, cap):
        t = time.perf_counter()
        shown = display_parcels(parcels, scores, max_parcels=cap)
        grid = score_grid(parcels, scores) if len(shown) < len(parcels) else None
        view = shown.to_crs(4326)
        view["colour"] = viridis(scores.loc[shown.index].to_numpy())
        view["tooltip"] = view["parcel_id"]
        layers = MapLayers(parcels=view, score_grid=None if grid is None else grid.to_crs(4326).assign(
            colour=viridis(grid["best_score"].to_numpy())))
        m = build_map(layers, center=(59.23, 17.83), zoom=14)
        score_layer(layers).add_to(m)
        html = m.get_root().render()
        return time.perf_counter() - t, len(html.encode()) / 1e6, len(shown)

    import pandas as pd

    from sites.dataset import load_dataset

    ds = load_dataset()
    rng = np.random.default_rng(0)
    demo_scores = pd.Series(rng.uniform(0, 100, len(ds.parcels)), index=ds.parcels.index)
    sec, mb, n = measure(ds.parcels, demo_scores, 4000)
    results["demo_map"] = {"build_s": sec, "payload_mb": mb, "parcels_drawn": n}
    for size in (10_000, 100_000):
        parcels = synthetic.parcels(size)
        scores = pd.Series(rng.uniform(0, 100, size), index=parcels.index)
        sec, mb, n = measure(parcels, scores, 4000)
        results[f"map_{size}"] = {"build_s": sec, "payload_mb": mb, "parcels_drawn": n}
        if size == 10_000:
            sec, mb, n = measure(parcels, scores, size)
            results["map_10000_uncapped"] = {"build_s": sec, "payload_mb": mb, "parcels_drawn": n}


def main() -> None:
    results: dict = {}
    payload_part(results)
    browser_part(results)
    print(json.dumps(results, indent=2))
    save_results("app_render", results)


if __name__ == "__main__":
    main()
