"""Matching 100 applications x 1,000 sites (target < 1 s). Usage: ``python benchmarks/matching.py``."""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from analysis.matching import match  # noqa: E402
from analysis.profiles import PROFILES  # noqa: E402
from benchmarks import save_results  # noqa: E402


def main() -> None:
    rng = np.random.default_rng(0)
    profiles = list(PROFILES)
    apps = pd.DataFrame({"profile": rng.choice(profiles, 100), "area_need_m2": rng.uniform(2_000, 40_000, 100),
                         "jobs": rng.integers(5, 800, 100), "entry_level_jobs": rng.integers(0, 5, 100),
                         "innovation": rng.random(100) < 0.3}, index=np.arange(1, 101))
    sites = pd.DataFrame({"area_m2": rng.uniform(2_000, 50_000, 1000),
                          "plan_status": rng.choice(["adopted", "in_progress", "none"], 1000),
                          "plan_use_code": rng.choice(["Z", "J", "K", "H", "C", "B"], 1000)},
                         index=np.arange(1, 1001))
    access = pd.DataFrame({p: rng.uniform(0, 100, 1000) for p in profiles}, index=sites.index)
    cluster = pd.DataFrame({p: rng.random(1000) for p in profiles}, index=sites.index)
    times = []
    for _ in range(5):
        t = time.perf_counter()
        out = match(apps, sites, access, cluster)
        times.append(time.perf_counter() - t)
    result = {"median_s": statistics.median(times), "pairs": len(out), "excluded": int(out["excluded"].sum())}
    print(f"matching 100 applications x 1,000 sites ({len(out):,} pairs): median {result['median_s']:.2f} s"
          "   [target < 1 s]")
    save_results("matching", result)


if __name__ == "__main__":
    main()
