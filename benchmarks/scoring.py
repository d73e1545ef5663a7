"""Speed of the scoring engine (issue 3 targets). Usage: ``python benchmarks/scoring.py``.

* precomputing all indicators for the demo, cold (fresh process, no cache), then from the cache;
* the labour pool for 100,000 parcels on a 250,000-node network (synthetic grid, 1 km population zones);
* rescoring after a weight change at 100,000 parcels (combine, rank, top-k);
* Monte Carlo robustness, 1,000 draws over 10,000 parcels;
* the weight-change path on 100,000 synthetic parcels of which ~97 % are eligible for their profile
  (``Scorer.quick``: scores, ranks, top-k probability, rank percentiles of the 10 shown, 1,000 draws);
* GeoJSON export of 100,000 parcels, and peak memory of scoring + exporting them.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

from analysis.labour import labour_pool, origins_from_cells  # noqa: E402
from analysis.profiles import PROFILES  # noqa: E402
from analysis.robustness import weight_robustness  # noqa: E402
from analysis.scoring import rank, weight_vector  # noqa: E402
from benchmarks import save_results, synthetic  # noqa: E402

PRECOMPUTE = r"""
import json, tempfile, time, warnings
warnings.simplefilter("ignore")
t0 = time.perf_counter()
from sites.dataset import load_dataset
from sites.indicators import load_or_compute
ds = load_dataset()
t1 = time.perf_counter()
cache = tempfile.mkdtemp()
load_or_compute(ds, cache_dir=cache)
t2 = time.perf_counter()
load_or_compute(ds, cache_dir=cache)
t3 = time.perf_counter()
print(json.dumps({"imports_and_load_s": t1 - t0, "compute_s": t2 - t1, "cached_s": t3 - t2, "cold_total_s": t2 - t0}))
"""

EXPORT = r"""
import json, resource, sys, tempfile, time, warnings
warnings.simplefilter("ignore")
sys.path.insert(0, ".")
from benchmarks import synthetic
from analysis.profiles import PROFILES
from sites.scored import Scorer
from sites import export
parcels = synthetic.parcels(100_000)
table = synthetic.indicator_table(parcels)
t0 = time.perf_counter()
scorer = Scorer.build(parcels, table, PROFILES[synthetic.PROFILE])
scored = scorer.score(draws=1000)
t1 = time.perf_counter()
out = tempfile.mktemp(suffix=".geojson")
export.write(scored.export_frame(), out, "geojson", metadata={"profile": "light_industry"})
t2 = time.perf_counter()
print(json.dumps({"score_s": t1 - t0, "write_s": t2 - t1, "eligible_share": synthetic.eligible_share(scorer.reasons),
                  "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def timed(fn, repeat: int = 5) -> float:
    fn()
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def child(code: str) -> dict:
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    import os

    results = {"load_average_1min_at_start": os.getloadavg()[0], "cpu_count": os.cpu_count()}
    results["precompute_demo"] = child(PRECOMPUTE)
    p = results["precompute_demo"]
    print(f"demo indicators: cold {p['cold_total_s']:.2f} s (load {p['imports_and_load_s']:.2f} s + compute "
          f"{p['compute_s']:.2f} s), from cache {p['cached_s'] * 1000:.0f} ms   [target < 20 s cold]")

    net = synthetic.grid_network(500)
    cx, cy, pop = synthetic.population_cells()
    big = synthetic.parcels(100_000)
    c = big.geometry.centroid
    import resource

    def cpu(who: int) -> float:
        r = resource.getrusage(who)
        return r.ru_utime + r.ru_stime

    cpu0 = cpu(resource.RUSAGE_SELF), cpu(resource.RUSAGE_CHILDREN)
    load0 = os.getloadavg()[0]
    t = time.perf_counter()
    origins = origins_from_cells(net, cx, cy, {"all": pop}, leg_speed_mps=5.0)
    pools = labour_pool(net, origins, c.x.to_numpy(), c.y.to_numpy(), leg_speed_mps=5.0, workers=2,
                        thresholds_min={"residents_30min": (30, "all"), "residents_45min": (45, "all")})
    labour_s = time.perf_counter() - t
    results["labour_pool_100k"] = {"seconds": labour_s, "nodes": net.size, "origins": len(origins.nodes),
                                   "parcels": len(big), "workers": 2,
                                   "cpu_s_parent": cpu(resource.RUSAGE_SELF) - cpu0[0],
                                   "cpu_s_workers": cpu(resource.RUSAGE_CHILDREN) - cpu0[1],
                                   "load_average_1min": [load0, os.getloadavg()[0]],
                                   "median_45min": float(np.median(pools["residents_45min"]))}
    print(f"labour pool, {len(big):,} parcels, {net.size:,}-node network, {len(origins.nodes):,} origin zones, "
          f"30 and 45 min: {labour_s:.1f} s, CPU {results['labour_pool_100k']['cpu_s_parent']:.1f} s + "
          f"{results['labour_pool_100k']['cpu_s_workers']:.1f} s in workers   [target <= 60 s]")

    rng = np.random.default_rng(5)
    values = rng.random((8, 100_000)).astype("float32")
    excluded = rng.random(100_000) < 0.2
    weights = dict(PROFILES["logistics"].weights)

    def rescore():
        w = weight_vector(weights).astype("float32")
        scores = w @ values * 100
        ranks = rank(scores, excluded)
        top = np.flatnonzero((ranks > 0) & (ranks <= 10))
        return ranks, top

    results["rescore_100k_ms"] = timed(rescore, 20) * 1000
    print(f"rescoring 100,000 parcels after a weight change: {results['rescore_100k_ms']:.1f} ms   [target <= 10 ms]")

    v10 = values[:, :10_000].astype("float64")
    w = weight_vector(weights)
    results["monte_carlo_10k_s"] = timed(lambda: weight_robustness(v10, w, excluded[:10_000], draws=1000), 3)
    print(f"Monte Carlo, 1,000 draws x 10,000 parcels: {results['monte_carlo_10k_s']:.2f} s   [target < 2 s]")

    from sites.scored import Scorer

    parcels = synthetic.parcels(100_000)
    scorer = Scorer.build(parcels, synthetic.indicator_table(parcels), PROFILES[synthetic.PROFILE])
    share = synthetic.eligible_share(scorer.reasons)
    step = iter(np.linspace(0.1, 0.3, 100))

    def weight_change():
        scorer._memo.clear()  # a new weight every time: nothing may come from the memo
        quick = scorer.quick({**PROFILES[synthetic.PROFILE].weights, "jobs": float(next(step))}, draws=1000)
        return quick.map_scores(), quick.details(quick.best(10))

    results["weight_change_100k"] = {"seconds": timed(weight_change, 3), "parcels": len(parcels),
                                     "eligible_share": share, "draws": 1000}
    print(f"weight change, 100,000 parcels ({share:.0%} eligible, {synthetic.PROFILE}): scores, ranks, "
          f"top-10 probability, percentiles and explanations of the 10 shown: "
          f"{results['weight_change_100k']['seconds']:.2f} s   [target <= 2 s]")

    from sites.export import geojson_text

    frame = synthetic.parcels(100_000).join(synthetic.indicator_table(synthetic.parcels(100_000)))
    results["geojson_100k_s"] = timed(lambda: geojson_text(frame), 3)
    print(f"GeoJSON text of 100,000 parcels ({len(frame.columns)} columns): {results['geojson_100k_s']:.2f} s"
          f"   [target <= 1 s]")

    results["export_100k"] = child(EXPORT)
    e = results["export_100k"]
    print(f"full score (1,000-draw robustness with every parcel's percentiles, all explanations) + export "
          f"100,000 parcels ({e['eligible_share']:.0%} eligible): score {e['score_s']:.1f} s, "
          f"write {e['write_s']:.1f} s, peak memory {e['peak_rss_mb']:.0f} MB   [target <= 1 GB]")
    results["load_average_1min_at_end"] = os.getloadavg()[0]
    save_results("scoring", results)


if __name__ == "__main__":
    main()
