"""Time to make a one-page prospectus PDF (target < 3 s per page). Usage: ``python benchmarks/prospectus.py``."""

from __future__ import annotations

import datetime as dt
import statistics
import sys
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
warnings.simplefilter("ignore")

from analysis.profiles import PROFILES  # noqa: E402
from benchmarks import save_results  # noqa: E402
from sites.dataset import load_dataset  # noqa: E402
from sites.indicators import build_networks, load_or_compute  # noqa: E402
from sites.isochrones import site_isochrones  # noqa: E402
from sites.prospectus import prospectus_pdf  # noqa: E402
from sites.scored import Scorer  # noqa: E402


def main() -> None:
    ds = load_dataset()
    scored = Scorer.build(ds.parcels, load_or_compute(ds).table, PROFILES["logistics"]).score()
    ids = list(scored.top(4)["parcel_id"])
    results = {}
    t = time.perf_counter()
    iso = site_isochrones(ds, ids[0], build_networks(ds))
    results["isochrones_with_networks_s"] = time.perf_counter() - t
    print(f"isochrone set incl. building the networks (as the command line does): {time.perf_counter() - t:.2f} s")
    for name, chosen, areas in (("site", ids[:1], None), ("site_with_isochrones", ids[:1], iso),
                                ("comparison_4", ids, None)):
        times = []
        for _ in range(5):
            t = time.perf_counter()
            prospectus_pdf(ds, scored, chosen, link="http://localhost:8501/?sel=x", generated=dt.date(2026, 11, 27),
                           isochrones=areas)
            times.append(time.perf_counter() - t)
        results[name] = {"median_s": statistics.median(times), "first_s": times[0]}
        print(f"prospectus, {name}: median {statistics.median(times):.2f} s per page (first {times[0]:.2f} s)"
              "   [target < 3 s]")
    save_results("prospectus", results)


if __name__ == "__main__":
    main()
