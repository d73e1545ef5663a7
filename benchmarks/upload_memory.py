"""Server memory after upload sessions end (issue 9), against a fresh server's.

Usage: ``python benchmarks/upload_memory.py [--sessions 5] [--parcels 8000]``.

1. A fresh server renders the demo once in headless Chromium: its resident memory (VmRSS) is
   the baseline.
2. A second fresh server renders the demo once, then ``--sessions`` browser sessions each upload
   a different parcels GeoJSON (so each builds its own dataset, indicators and map), see the
   upload accepted and scored, and close.
3. After the idle limit of upload caches (``SITEFINDER_UPLOAD_IDLE_S``, 5 s here, 15 min by
   default) one more first render of the demo (any run sweeps idle caches), then VmRSS again.
Target: (3) within 20 % of (1).
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

import geopandas as gpd
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks import save_results  # noqa: E402
from benchmarks.app_render import ARGS, FRAME, free_port, wait  # noqa: E402

TTL_S = 5


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


def upload_files(n_files: int, n_parcels: int, folder: Path) -> list[Path]:
    """Parcels files: the demo's parcels repeated on a grid (each file shifted a little)."""
    demo = gpd.read_file(ROOT / "data" / "demo" / "parcels.gpkg")
    reps = int(np.ceil(n_parcels / len(demo)))
    side = int(np.ceil(np.sqrt(reps)))
    paths = []
    for f in range(n_files):
        parts = []
        for k in range(reps):
            dx, dy = (k % side) * 1_900.0 + f * 0.5, (k // side) * 1_900.0
            part = demo.copy()
            part["geometry"] = demo.translate(dx - side * 950.0, dy - side * 950.0)
            part["enhet"] = part["enhet"].astype(int) + 1000 * k
            parts.append(part)
        parcels = gpd.GeoDataFrame(gpd.pd.concat(parts, ignore_index=True), crs=demo.crs).head(n_parcels)
        path = folder / f"fastigheter_{f}.geojson"
        parcels.to_crs(4326).to_file(path, driver="GeoJSON")
        paths.append(path)
    return paths


def first_render(browser, url: str) -> None:
    page = browser.new_page(viewport={"width": 1500, "height": 1100})
    page.goto(url)
    wait(lambda: page.frame_locator(FRAME).locator("path.leaflet-interactive").count() >= 400)
    page.close()


def start(cache: str, log: Path):
    import subprocess

    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port),
                             "--server.address", "127.0.0.1", "--server.disconnectedSessionTTL", str(TTL_S)],
                            cwd=ROOT, env={**__import__("os").environ, "SITEFINDER_CACHE_DIR": cache,
                                          "SITEFINDER_UPLOAD_IDLE_S": str(TTL_S)},
                            stdout=log.open("w"), stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    wait(lambda: "URL:" in log.read_text(), 60)
    return proc, url


def main(argv: list[str] | None = None) -> dict:
    from playwright.sync_api import sync_playwright

    ap = argparse.ArgumentParser()
    ap.add_argument("--sessions", type=int, default=5)
    ap.add_argument("--parcels", type=int, default=8000)
    args = ap.parse_args(argv)
    tmp = Path(tempfile.mkdtemp())
    files = upload_files(args.sessions, args.parcels, tmp)
    results: dict = {"sessions": args.sessions, "parcels_per_upload": args.parcels,
                     "upload_mb": round(files[0].stat().st_size / 2**20, 1)}
    cache = tempfile.mkdtemp()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=shutil.which("chromium"), args=ARGS)
        proc, url = start(cache, tmp / "fresh.log")
        try:
            first_render(browser, url)
            time.sleep(2)
            results["fresh_after_first_render_mb"] = round(rss_mb(proc.pid), 1)
        finally:
            proc.terminate()
            proc.wait(timeout=30)
        proc, url = start(cache, tmp / "uploads.log")
        try:
            first_render(browser, url)
            peaks = []
            for path in files:
                context = browser.new_context(viewport={"width": 1500, "height": 1100})
                page = context.new_page()
                page.goto(url)
                wait(lambda page=page: page.frame_locator(FRAME).locator("path.leaflet-interactive").count() >= 400)
                page.get_by_text("Egna data").click()
                page.locator("input[type=file]").first.set_input_files(str(path))
                wait(lambda page=page, path=path: path.name in page.inner_text("body"), timeout=600)
                wait(lambda page=page: page.get_by_text("Topplista").count() > 0, timeout=600)
                time.sleep(1)
                peaks.append(rss_mb(proc.pid))
                context.close()
            results["peak_during_uploads_mb"] = round(max(peaks), 1)
            time.sleep(TTL_S + 3)
            first_render(browser, url)  # any run sweeps the caches idle for longer than the limit
            time.sleep(3)
            results["after_sessions_ended_mb"] = round(rss_mb(proc.pid), 1)
        finally:
            proc.terminate()
            proc.wait(timeout=30)
        browser.close()
    results["ratio_to_fresh"] = round(results["after_sessions_ended_mb"] / results["fresh_after_first_render_mb"], 3)
    results["target"] = "<= 1.20"
    print(results)
    save_results("upload_memory", results)
    return results


if __name__ == "__main__":
    main()
