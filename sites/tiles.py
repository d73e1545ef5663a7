"""Parcels as Mapbox Vector Tiles, written once per dataset and reused while its checksum holds.

Every parcel is drawn from tiles in the browser; each tile feature carries only ``i``, the
parcel's position in the parcel table (0-based), so the browser colours it from a per-parcel
score array and a click answers with that position. Designations and parcel ids go once into
``labels.json`` beside the tiles (fetched once by the browser, cached), never into every tile.

Engine choice (measured by ``benchmarks/tiles.py`` on the same synthetic parcels, zooms 10-14,
2 cores shared with other work, load average ~4.5; figures at load ~8 in brackets):

===================  =================  ==================  ====================================
engine               30,000 parcels     300,000 parcels     parcels kept at zoom 10
===================  =================  ==================  ====================================
tippecanoe 2.31      2.4 s (9.9 s)      33 s (64 s)         all (``--no-feature-limit`` etc.)
GDAL MVT (pyogrio)   6.4 s (21 s)       99 s (default       all with its tile limits raised;
                                        limits, load ~3)    1 in 4 with the default 500 kB limit
mapbox-vector-tile   15.5 s (65 s)      not run             all (pure Python, one tile at a time)
===================  =================  ==================  ====================================

tippecanoe (``cubao-tippecanoe`` wheel, which ships the upstream felt/tippecanoe binary) is the
default: it is 2-3 times faster than GDAL and keeps every parcel with the options used here.
GDAL's MVT driver, bundled with pyogrio, is the fallback when the binary is missing.
"""

from __future__ import annotations

import base64
import glob
import hashlib
import json
import logging
import os
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely

from errors import DataFormatError, SiteFinderError
from settings import TILE_SETS_KEPT

log = logging.getLogger(__name__)

#: Bump when the tile content changes (attributes, options), so old tile sets are not reused.
TILES_VERSION = 1
#: Layer name inside every tile.
LAYER = "parcels"
#: Zoom levels written by default: 10 (county) to 14 (street; overzoomed beyond).
MIN_ZOOM, MAX_ZOOM = 10, 14
#: File written last: its presence marks a complete tile set.
META_FILE = "tiles.json"
LABELS_FILE = "labels.json"
#: Prefixes of the folders under the tile root that are not tile sets: sets being written (by this
#: or another process) and sets being deleted.
WORK_PREFIX, TRASH_PREFIX = ".work-", ".trash-"
#: A work folder untouched this long is left over from a crashed writer (writing 300,000 parcels
#: takes about a minute) and is deleted by ``prune_tile_sets``.
STALE_WORK_S = 24 * 3600.0


class TilingError(RuntimeError, SiteFinderError):
    """The parcel tiles could not be written (the writer's own message is included)."""


@dataclass(frozen=True)
class TileSet:
    """A complete tile set on disk.

    Attributes
    ----------
    directory
        Folder holding ``{z}/{x}/{y}.pbf``, ``labels.json`` and ``tiles.json``.
    key
        Folder name: hash of the dataset checksum, tile version and zoom range.
    features
        Number of parcels (tile feature ``i`` runs from 0 to ``features - 1``).
    min_zoom, max_zoom
        Zoom levels present; the map overzooms ``max_zoom`` tiles beyond it.
    bounds
        ``(west, south, east, north)`` in degrees (WGS84).
    engine
        ``"tippecanoe"`` or ``"gdal"``.
    seconds
        Time taken to write the set (0 when it came from disk).
    """

    directory: Path
    key: str
    features: int
    min_zoom: int
    max_zoom: int
    bounds: tuple[float, float, float, float]
    engine: str
    seconds: float = 0.0


def geometry_checksum(parcels: gpd.GeoDataFrame) -> str:
    """SHA-256 of the parcels' geometries (WKB) and ids, for datasets without a file checksum."""
    h = hashlib.sha256()
    h.update(b"".join(shapely.to_wkb(parcels.geometry.to_numpy(), output_dimension=2)))
    h.update("\x1f".join(parcels["parcel_id"].astype(str)).encode())
    return h.hexdigest()


def tile_key(checksum: str, *, min_zoom: int = MIN_ZOOM, max_zoom: int = MAX_ZOOM) -> str:
    """Folder name of the tile set for a dataset checksum (20 hex characters)."""
    text = f"{checksum}|v{TILES_VERSION}|z{min_zoom}-{max_zoom}"
    return hashlib.sha256(text.encode()).hexdigest()[:20]


def tippecanoe_executable() -> str | None:
    """Path of the tippecanoe binary shipped by the ``cubao-tippecanoe`` wheel, or None."""
    try:
        from cubao_tippecanoe import _core
    except ImportError:
        return None
    found = glob.glob(os.path.join(os.path.dirname(_core.__file__), "__cubao_tippecanoe_tippecanoe*"))
    return found[0] if found else None


def _feature_frame(parcels: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    if parcels.crs is None:
        raise DataFormatError("parcels have no coordinate reference system; expected EPSG:3006 (SWEREF 99 TM)")
    return gpd.GeoDataFrame({"i": np.arange(len(parcels), dtype="int32")},
                            geometry=parcels.geometry.to_numpy(), crs=parcels.crs).to_crs(4326)


def _write_tippecanoe(frame: gpd.GeoDataFrame, out: Path, work: Path, min_zoom: int, max_zoom: int,
                      exe: str) -> None:
    source = work / "parcels.fgb"
    pyogrio.write_dataframe(frame, source, driver="FlatGeobuf", layer_options={"SPATIAL_INDEX": "NO"})
    cmd = [exe, "--output-to-directory", str(out), "--layer", LAYER, "--minimum-zoom", str(min_zoom),
           "--maximum-zoom", str(max_zoom), "--no-feature-limit", "--no-tile-size-limit",
           "--no-tiny-polygon-reduction", "--no-tile-compression", "--attribute-type", "i:int", "--quiet",
           "--force", "--temporary-directory", str(work), str(source)]
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        log.error("tippecanoe failed (exit %d): %s", done.returncode, done.stderr.strip()[-2000:])
        raise TilingError(f"the parcel map tiles could not be written: tippecanoe stopped with exit code "
                          f"{done.returncode} (details in the server log); check that the parcel geometries "
                          f"are valid polygons, or set engine='gdal'")


def _write_gdal(frame: gpd.GeoDataFrame, out: Path, work: Path, min_zoom: int, max_zoom: int) -> None:
    # Raise GDAL's per-tile limits (500 kB, 200,000 features) so no parcel is dropped at low zoom.
    pyogrio.write_dataframe(frame, out, driver="MVT", layer=LAYER, dataset_options={
        "MINZOOM": str(min_zoom), "MAXZOOM": str(max_zoom), "FORMAT": "DIRECTORY", "COMPRESS": "NO",
        "MAX_SIZE": str(64_000_000), "MAX_FEATURES": str(10_000_000), "TILE_EXTENSION": "pbf",
        "TEMPORARY_DB": str(work / "mvt.db")})


def read_tile_set(directory: Path) -> TileSet | None:
    """The tile set in ``directory`` if it is complete (its ``tiles.json`` exists), else None."""
    meta = Path(directory) / META_FILE
    if not meta.is_file():
        return None
    m = json.loads(meta.read_text(encoding="utf-8"))
    return TileSet(Path(directory), m["key"], m["features"], m["min_zoom"], m["max_zoom"], tuple(m["bounds"]),
                   m["engine"])


def ensure_tiles(parcels: gpd.GeoDataFrame, root: Path | str, *, checksum: str | None = None,
                 min_zoom: int = MIN_ZOOM, max_zoom: int = MAX_ZOOM, engine: str | None = None,
                 keep_others: int | None = None) -> TileSet:
    """The parcels' tile set under ``root``, written now only if it is not there yet.

    Parameters
    ----------
    parcels
        Parcel table (any projected CRS; needs ``parcel_id`` and ``designation``). Tile feature
        ``i`` is the row position in this table.
    root
        Folder holding one sub-folder per tile set (served to the browser as static files).
    checksum
        Checksum of the parcel source (``Dataset.checksums["parcels"]``); computed from the
        geometries when None.
    min_zoom, max_zoom
        Zoom range to write.
    engine
        ``"tippecanoe"`` (default when installed) or ``"gdal"``.
    keep_others
        After writing a new set, keep at most this many other sets under ``root``, the most
        recently used (``prune_tile_sets``); None: ``settings.TILE_SETS_KEPT``
        (``SITEFINDER_TILE_SETS_KEPT``, default 3). A set found complete on disk is marked as used.

    Returns
    -------
    TileSet
        The complete tile set (``seconds`` > 0 when it was written by this call).

    Raises
    ------
    DataFormatError
        If the parcels have no CRS.
    TilingError
        If the tile writer fails.
    """
    if not 0 <= min_zoom <= max_zoom <= 18:
        raise ValueError(f"zoom range {min_zoom}-{max_zoom} must satisfy 0 <= min <= max <= 18")
    key = tile_key(checksum or geometry_checksum(parcels), min_zoom=min_zoom, max_zoom=max_zoom)
    root = Path(root)
    final = root / key
    existing = read_tile_set(final)
    if existing is not None and existing.features == len(parcels):
        _mark_used(final)
        return existing
    keep_others = TILE_SETS_KEPT if keep_others is None else keep_others
    if keep_others < 0:
        raise ValueError(f"keep_others={keep_others}: the number of other tile sets kept must be 0 or more")
    exe = tippecanoe_executable()
    engine = engine or ("tippecanoe" if exe else "gdal")
    if engine == "tippecanoe" and exe is None:
        raise TilingError("the tile engine tippecanoe is not installed; run pip install -r requirements.txt "
                          "(it brings cubao-tippecanoe), or use engine='gdal'")
    if engine not in ("tippecanoe", "gdal"):
        raise ValueError(f"unknown tile engine '{engine}'; use 'tippecanoe' or 'gdal'")
    t0 = time.perf_counter()
    root.mkdir(parents=True, exist_ok=True)
    frame = _feature_frame(parcels)
    bounds = tuple(float(v) for v in frame.total_bounds)
    with tempfile.TemporaryDirectory(dir=root, prefix=WORK_PREFIX) as work_dir:
        work = Path(work_dir)
        out = work / "tiles"
        if engine == "tippecanoe":
            _write_tippecanoe(frame, out, work, min_zoom, max_zoom, exe)
        else:
            _write_gdal(frame, out, work, min_zoom, max_zoom)
        labels = {"parcel_id": parcels["parcel_id"].astype(str).tolist(),
                  "designation": parcels["designation"].fillna("").astype(str).tolist()}
        (out / LABELS_FILE).write_text(json.dumps(labels, ensure_ascii=False, separators=(",", ":")),
                                       encoding="utf-8")
        seconds = time.perf_counter() - t0
        meta = {"key": key, "features": len(parcels), "min_zoom": min_zoom, "max_zoom": max_zoom,
                "bounds": bounds, "engine": engine, "layer": LAYER, "version": TILES_VERSION}
        (out / META_FILE).write_text(json.dumps(meta), encoding="utf-8")
        if final.exists():  # an older incomplete set, or another session finished first
            _remove(final, root)
        try:
            os.replace(out, final)
        except OSError:
            if read_tile_set(final) is None:
                raise
    log.info("parcel tiles: %d parcels, zoom %d-%d, %s, %.1f s -> %s", len(parcels), min_zoom, max_zoom, engine,
             seconds, key)
    removed = prune_tile_sets(root, key, keep_others=keep_others)
    if removed:
        log.info("parcel tiles: removed %d old tile sets under %s: %s", len(removed), root, ", ".join(removed))
    return TileSet(final, key, len(parcels), min_zoom, max_zoom, bounds, engine, seconds)


def _mark_used(directory: Path) -> None:
    """Record a use of a tile set: its folder's modification time is its last use."""
    try:
        os.utime(directory)
    except OSError:  # a read-only folder: the set is still usable, only its age is not updated
        log.warning("parcel tiles: could not mark %s as used", directory.name)


def _remove(directory: Path, root: Path) -> None:
    """Delete a folder under ``root``: first renamed out of the way (one atomic step), then removed.

    A reader either finds the complete set under its key or nothing, never a half-deleted set.
    """
    trash = root / f"{TRASH_PREFIX}{directory.name}-{os.getpid()}-{time.monotonic_ns()}"
    try:
        os.replace(directory, trash)
    except FileNotFoundError:  # another process removed it first
        return
    shutil.rmtree(trash, ignore_errors=True)


def prune_tile_sets(root: Path | str, current: str, *, keep_others: int = TILE_SETS_KEPT,
                    now: float | None = None) -> list[str]:
    """Delete old tile sets under ``root``: keep ``current`` and the ``keep_others`` most recently used.

    Parameters
    ----------
    root
        Folder holding one sub-folder per tile set (``ensure_tiles``'s ``root``).
    current
        Key of the set in use (never deleted).
    keep_others
        How many other complete sets to keep, the most recently used first (a set's folder
        modification time is set when it is written and each time ``ensure_tiles`` reuses it).
    now
        Time stamp (seconds since the epoch) for the age of work folders; default the clock.

    Returns
    -------
    list of str
        Keys of the deleted sets, oldest use first.

    Notes
    -----
    Folders being written (``.work-*``, renamed into place only when complete) are left alone
    unless untouched for ``STALE_WORK_S`` (a crashed writer); leftovers of an interrupted delete
    (``.trash-*``) are removed; folders without ``tiles.json`` are not tile sets and are kept. A set
    still open in another app process was marked used when that process opened it, so it is
    deleted only after ``keep_others`` other sets have been used since.
    """
    if keep_others < 0:
        raise ValueError(f"keep_others={keep_others}: the number of other tile sets kept must be 0 or more")
    root = Path(root)
    if not root.is_dir():
        return []
    now = time.time() if now is None else now
    sets: list[tuple[float, str, Path]] = []
    for entry in root.iterdir():
        try:
            if not entry.is_dir():
                continue
            if entry.name.startswith(TRASH_PREFIX):
                shutil.rmtree(entry, ignore_errors=True)
            elif entry.name.startswith(WORK_PREFIX):
                if now - entry.stat().st_mtime > STALE_WORK_S:
                    shutil.rmtree(entry, ignore_errors=True)
            elif entry.name != current and (entry / META_FILE).is_file():
                sets.append((entry.stat().st_mtime, entry.name, entry))
        except FileNotFoundError:  # removed meanwhile by another process
            continue
    sets.sort(reverse=True)
    old = sets[keep_others:]
    for _, _, directory in old:
        _remove(directory, root)
    return [name for _, name, _ in reversed(old)]


#: Score array value of a parcel outside the filters (drawn as an outline only).
FILTERED_OUT = -1.0


def score_array(parcel_index: pd.Index, frame: pd.DataFrame) -> np.ndarray:
    """Per-parcel float32 scores in parcel-table order, as the map colours them.

    Parameters
    ----------
    parcel_index
        Index of the full parcel table (the tile feature ``i`` is a position in it).
    frame
        Scored sites (``ScoredSites.frame``): index labels from ``parcel_index``, columns
        ``score`` and ``excluded``; parcels missing from it were filtered out.

    Returns
    -------
    numpy.ndarray
        0..100 for scored parcels, NaN for excluded ones, ``FILTERED_OUT`` (-1) for parcels outside
        the filters.
    """
    out = np.full(len(parcel_index), FILTERED_OUT, dtype="float32")
    pos = parcel_index.get_indexer(frame.index)
    if (pos < 0).any():
        raise KeyError(f"{int((pos < 0).sum())} scored parcels are not in the parcel table")
    out[pos] = np.where(frame["excluded"].to_numpy(dtype=bool), np.nan, frame["score"].to_numpy(dtype="float64"))
    return out


def encode_scores(scores: np.ndarray) -> str:
    """Base64 of the scores as little-endian float32 (4 bytes per parcel before base64)."""
    return base64.b64encode(np.ascontiguousarray(scores, dtype="<f4").tobytes()).decode("ascii")


def decode_scores(text: str) -> np.ndarray:
    """Inverse of ``encode_scores``."""
    return np.frombuffer(base64.b64decode(text), dtype="<f4")


def positions(parcel_ids: pd.Series, wanted: object) -> list[int]:
    """Table positions of the parcel ids in ``wanted`` (unknown ids are skipped)."""
    lookup = pd.Index(parcel_ids.astype(str))
    pos = lookup.get_indexer([str(w) for w in (wanted or ())])
    return sorted({int(p) for p in pos if p >= 0})
