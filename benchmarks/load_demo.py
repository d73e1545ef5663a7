"""Cold load time of the whole demo dataset through layers/ (target < 3 s).

Each run is a fresh Python process, so imports, file caches of GDAL and osmnx start cold on
the Python side (the OS page cache is warm after the first run; that is what an app restart
sees). Usage: ``python benchmarks/load_demo.py [--runs 5]``.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks import save_results  # noqa: E402

CHILD = r"""
import json, time, warnings
warnings.simplefilter("ignore")
t0 = time.perf_counter()
import layers
t_import = time.perf_counter() - t0
times = {}
for name, call in [
    ("parcels", layers.load_parcels), ("premises", layers.load_premises), ("land_use", layers.load_land_use),
    ("change_areas", layers.load_change_areas), ("constraints", layers.load_constraints),
    ("municipalities", layers.load_municipalities), ("districts", layers.load_districts),
    ("roads", layers.load_roads), ("transit", layers.load_transit), ("population", layers.load_population),
]:
    t = time.perf_counter()
    call()
    times[name] = time.perf_counter() - t
print(json.dumps({"import_s": t_import, "layers_s": times, "load_s": sum(times.values()),
                  "total_s": time.perf_counter() - t0}))
"""


def run_once() -> dict:
    out = subprocess.run([sys.executable, "-c", CHILD], cwd=ROOT, capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    runs = [run_once() for _ in range(args.runs)]
    med = {key: statistics.median(r[key] for r in runs) for key in ("import_s", "load_s", "total_s")}
    per_layer = {k: statistics.median(r["layers_s"][k] for r in runs) for k in runs[0]["layers_s"]}
    print(f"cold load of the demo dataset, median of {args.runs} fresh processes")
    print(f"  imports (geopandas, osmnx, rasterio ...): {med['import_s']:.2f} s")
    for name, sec in per_layer.items():
        print(f"  {name:<15} {sec * 1000:7.0f} ms")
    print(f"  all layers: {med['load_s']:.2f} s; with imports: {med['total_s']:.2f} s (target < 3 s)")
    save_results("load_demo", {"median": med, "per_layer_s": per_layer, "runs": runs})


if __name__ == "__main__":
    main()
