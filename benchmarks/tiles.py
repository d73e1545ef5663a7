"""Parcel vector tiles: engines compared on the same synthetic parcels, and the 300,000-parcel target.

Usage: ``python benchmarks/tiles.py [--skip-pure-python]``. Writes zoom 10-14 tiles for 30,000
synthetic parcels with tippecanoe, GDAL's MVT driver (pyogrio) and ``mapbox-vector-tile`` (pure
Python, one tile at a time), counts the parcels present at zoom 10 and 14, then writes 300,000
parcels with the chosen engine (target <= 60 s) and reads them back from the cache.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks import save_results, synthetic  # noqa: E402
from sites.tiles import MAX_ZOOM, MIN_ZOOM, ensure_tiles  # noqa: E402

HALF = 20037508.342789244


def parcels_at_zoom(directory: Path, zoom: int) -> int:
    """Distinct feature indices in the tiles of one zoom level (decoded with mapbox-vector-tile)."""
    import mapbox_vector_tile

    seen: set[int] = set()
    for f in (directory / str(zoom)).glob("*/*.pbf"):
        layers = mapbox_vector_tile.decode(f.read_bytes())
        for layer in layers.values():
            seen.update(int(ft["properties"]["i"]) for ft in layer["features"])
    return len(seen)


def pure_python_tiles(parcels, out: Path, min_zoom: int, max_zoom: int) -> int:
    """Tiles cut with shapely and encoded with ``mapbox-vector-tile``; returns the number of tiles."""
    import mapbox_vector_tile
    import shapely

    geoms = parcels.geometry.to_crs(3857).to_numpy()
    b = shapely.bounds(geoms)
    written = 0
    for z in range(min_zoom, max_zoom + 1):
        size = 2 * HALF / 2**z
        x0, x1 = ((b[:, 0] + HALF) // size).astype(int), ((b[:, 2] + HALF) // size).astype(int)
        y0, y1 = ((HALF - b[:, 3]) // size).astype(int), ((HALF - b[:, 1]) // size).astype(int)
        members: dict[tuple[int, int], list[int]] = {}
        for i in range(len(geoms)):
            for tx in range(x0[i], x1[i] + 1):
                for ty in range(y0[i], y1[i] + 1):
                    members.setdefault((tx, ty), []).append(i)
        for (tx, ty), idx in members.items():
            minx, maxy = -HALF + tx * size, HALF - ty * size
            clipped = shapely.clip_by_rect(geoms[idx], minx, maxy - size, minx + size, maxy)
            feats = [{"geometry": g, "properties": {"i": int(i)}} for g, i in zip(clipped, idx, strict=True)
                     if not g.is_empty]
            data = mapbox_vector_tile.encode([{"name": "parcels", "features": feats}], default_options={
                "quantize_bounds": (minx, maxy - size, minx + size, maxy), "extents": 4096})
            path = out / str(z) / str(tx)
            path.mkdir(parents=True, exist_ok=True)
            (path / f"{ty}.pbf").write_bytes(data)
            written += 1
    return written


def main() -> None:
    results: dict = {"zooms": [MIN_ZOOM, MAX_ZOOM], "cpu_count": os.cpu_count(), "load_before": os.getloadavg()[0]}
    small = synthetic.parcels(30_000)
    for engine in ("tippecanoe", "gdal"):
        with tempfile.TemporaryDirectory() as d:
            ts = ensure_tiles(small, d, checksum=f"bench-{engine}", engine=engine)
            results[f"{engine}_30k"] = {"seconds": ts.seconds, "parcels_z10": parcels_at_zoom(ts.directory, 10),
                                        "parcels_z14": parcels_at_zoom(ts.directory, 14)}
        print(f"{engine}, 30,000 parcels: {ts.seconds:.1f} s; parcels at z10 "
              f"{results[f'{engine}_30k']['parcels_z10']:,}, z14 {results[f'{engine}_30k']['parcels_z14']:,}")
    if "--skip-pure-python" not in sys.argv:
        with tempfile.TemporaryDirectory() as d:
            t = time.perf_counter()
            n = pure_python_tiles(small, Path(d), MIN_ZOOM, MAX_ZOOM)
            secs = time.perf_counter() - t
            results["mapbox_vector_tile_30k"] = {"seconds": secs, "tiles": n,
                                                 "parcels_z10": parcels_at_zoom(Path(d), 10)}
        print(f"mapbox-vector-tile (pure Python), 30,000 parcels: {secs:.1f} s")
    big = synthetic.parcels(300_000)
    with tempfile.TemporaryDirectory() as d:
        ts = ensure_tiles(big, d, checksum="bench-300k")
        t = time.perf_counter()
        again = ensure_tiles(big, d, checksum="bench-300k")
        cached = time.perf_counter() - t
        size = sum(f.stat().st_size for f in Path(d).rglob("*") if f.is_file())
        results["chosen_300k"] = {"engine": ts.engine, "seconds": ts.seconds, "cached_s": cached,
                                  "tiles_mb": size / 1e6, "reused": again.seconds == 0,
                                  "parcels_z14": parcels_at_zoom(ts.directory, 14)}
    print(f"{ts.engine}, 300,000 parcels: {ts.seconds:.1f} s [target <= 60 s], {size / 1e6:.0f} MB; "
          f"from the cache {cached * 1000:.0f} ms")
    results["load_after"] = os.getloadavg()[0]
    save_results("tiles", results)


if __name__ == "__main__":
    main()
