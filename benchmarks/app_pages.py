"""What an officer feels in the browser (issue 12): the app itself, warm server, headless Chromium.

Usage: ``python benchmarks/app_pages.py [--repeat 3]``. On the demo data, after one cold visit
that fills the server's caches:

- first render: from the page's navigation start until the map has drawn the parcel tiles in view
  and the ranking table is on the page, both as the page records them (``Date.now()`` in the map
  frame and a ``MutationObserver``; ``*_as_polled_s`` adds Playwright's polling, up to ~0.15 s, and
  ``controls_drawn_s`` is when the sidebar's sliders follow); measured both in a new browser (empty cache: a first-time
  visitor downloads Streamlit's scripts) and in a new tab of a browser that has been here before
  (an officer who uses the app daily; scripts come from the browser cache);
- click to panel: a click on a parcel in the map until its panel (its designation as a heading);
- weight change to colours: a weight slider moved one step (keyboard) until the map has repainted
  with new scores (key down to the repaint's second animation frame, as the page records them);
  the map and the sliders rerun alone (a fragment), and ``weight_change_page_follows_as_polled_s``
  is when the rest of the page (ranking, site panel, share link) shows the new weights too;
- other pages: Jämför, Platser och markanvisning, Logg, Data och källor until their title shows.
Medians over ``--repeat`` runs; the machine's load average is recorded beside them.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks import save_results  # noqa: E402
from benchmarks.app_render import ARGS, free_port, wait  # noqa: E402

TILE_FRAME = "iframe[title='ui.parcel_map.parcel_map']"
# Times the page itself records (Date.now()): when the ranking table and the sidebar's sliders first
# appear, and when a key goes down; the map frame records when its first tiles and each repaint land.
MARKS = """window.__marks = {table: null, controls: null, key: null};
new MutationObserver(() => { const m = window.__marks;
  if (m.table === null && document.querySelector('[data-testid=stDataFrame]')) m.table = Date.now();
  if (m.controls === null && document.querySelector('[data-testid=stSlider]')) m.controls = Date.now();
}).observe(document, {subtree: true, childList: true});
window.addEventListener('keydown', () => { window.__marks.key = Date.now(); }, true);"""


def share_link(page) -> str | None:
    """The share link's address (drawn by the page's full run: it shows when the rest of the page followed)."""
    links = page.locator("[data-testid=stMarkdownContainer] a[href^='http']")
    return links.first.get_attribute("href") if links.count() else None


def attr(body, name: str) -> str | None:
    """An attribute of the map frame's body, or None while the frame is not there yet."""
    try:
        return body.get_attribute(name, timeout=1000)
    except Exception:  # Playwright's timeout while the frame loads
        return None


def main(argv: list[str] | None = None) -> dict:
    from playwright.sync_api import sync_playwright

    from sites.dataset import load_dataset

    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args(argv)
    parcels = load_dataset().parcels
    target = parcels.loc[parcels["designation"] == "Eriksberg 3:10"]
    c = target.geometry.to_crs(4326).representative_point().iloc[0]
    port = free_port()
    log = Path(tempfile.mkdtemp()) / "server.log"
    env = {**os.environ, "SITEFINDER_DATABASE_URL": f"sqlite:///{Path(tempfile.mkdtemp()) / 'r.sqlite'}"}
    proc = subprocess.Popen([sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port),
                             "--server.address", "127.0.0.1", "--server.headless", "true"], cwd=ROOT, env=env,
                            stdout=log.open("w"), stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    results: dict = {"load_average_start": os.getloadavg()[0]}
    try:
        wait(lambda: "URL:" in log.read_text(), 60)
        with sync_playwright() as p:
            b = p.chromium.launch(executable_path=shutil.which("chromium"), args=ARGS)

            returning = b.new_context(viewport={"width": 1500, "height": 1100})

            def first_render(context=None):
                page = (context or b.new_context(viewport={"width": 1500, "height": 1100})).new_page()
                page.add_init_script(MARKS)
                t = time.perf_counter()
                page.goto(url)
                body = page.frame_locator(TILE_FRAME).locator("body")
                wait(lambda: attr(body, "data-painted") is not None, 300)
                wait(lambda: int(attr(body, "data-tiles-loaded") or 0) > 0, 300)
                wait(lambda: page.evaluate("window.__marks.table") is not None, 300)
                polled = time.perf_counter() - t
                wait(lambda: page.evaluate("window.__marks.controls") is not None, 300)
                marks = page.evaluate("window.__marks")
                origin = page.evaluate("performance.timeOrigin")
                in_page = (max(int(attr(body, "data-t-tiles")), marks["table"]) - origin) / 1000
                in_page_log.append({"new": context is None, "controls": (marks["controls"] - origin) / 1000,
                                    "polled": polled})
                return page, body, in_page

            in_page_log: list[dict] = []
            page, _, cold = first_render(returning)
            page.close()
            results["first_render_cold_s"] = round(cold, 2)
            firsts, firsts_returning, clicks, weights, weights_polled, follows, pages = [], [], [], [], [], [], {}
            for _ in range(args.repeat):
                page, body, elapsed = first_render()
                firsts.append(elapsed)
                page.close()
                page, body, elapsed = first_render(returning)
                firsts_returning.append(elapsed)
                body.evaluate("(b, ll) => { window.__parcelMap.map.setView(ll, 17, {animate: false}); }", [c.y, c.x])
                wait(lambda body=body: int(attr(body, "data-tiles-loaded") or 0) > 0, 60)
                time.sleep(1.0)
                point = body.evaluate("(b, ll) => { var q = window.__parcelMap.map.latLngToContainerPoint(ll); "
                                      "return [q.x, q.y]; }", [c.y, c.x])
                box = page.locator(TILE_FRAME).bounding_box()
                t = time.perf_counter()
                page.mouse.click(box["x"] + point[0], box["y"] + point[1])
                wait(lambda page=page: page.locator("h3").filter(has_text="Eriksberg 3:10").count() > 0, 60)
                clicks.append(time.perf_counter() - t)
                time.sleep(2)
                before = attr(body, "data-painted")
                link = share_link(page)
                slider = page.locator("[data-testid=stSlider] input[type=range]").first
                slider.focus()
                t = time.perf_counter()
                page.keyboard.press("ArrowRight")  # one slider step (0.05): one weight change
                wait(lambda body=body, before=before: attr(body, "data-painted") not in (None, before), 60)
                weights_polled.append(time.perf_counter() - t)
                weights.append((int(attr(body, "data-t-painted")) - page.evaluate("window.__marks.key")) / 1000)
                wait(lambda page=page, link=link: share_link(page) != link, 60)
                follows.append(time.perf_counter() - t)
                time.sleep(1)
                for path, title in (("jamfor", "Jämför"), ("platser", "Platser och markanvisning"),
                                    ("logg", "Logg"), ("data", "Data och källor")):
                    t = time.perf_counter()
                    page.goto(f"{url}/{path}")
                    page.get_by_role("heading", name=title).first.wait_for(timeout=120_000)
                    pages.setdefault(path, []).append(time.perf_counter() - t)
                page.close()
            b.close()
        results.update({
            "first_render_warm_s": round(statistics.median(firsts), 2),
            "first_render_warm_returning_browser_s": round(statistics.median(firsts_returning), 2),
            "first_render_as_polled_s": round(statistics.median(r["polled"] for r in in_page_log if r["new"]), 2),
            "controls_drawn_s": round(statistics.median(r["controls"] for r in in_page_log if r["new"]), 2),
            "click_to_panel_s": round(statistics.median(clicks), 2),
            "weight_change_to_new_colours_s": round(statistics.median(weights), 2),
            "weight_change_as_polled_s": round(statistics.median(weights_polled), 2),
            "weight_change_page_follows_as_polled_s": round(statistics.median(follows), 2),
            **{f"page_{k}_s": round(statistics.median(v), 2) for k, v in pages.items()},
            "load_average_end": os.getloadavg()[0],
            "targets": {"first_render_warm_s": 2.0, "first_render_warm_returning_browser_s": 2.0,
                         "click_to_panel_s": 1.0, "weight_change_to_new_colours_s": 0.3},
        })
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    print(results)
    save_results("app_pages", results)
    return results


if __name__ == "__main__":
    main()
