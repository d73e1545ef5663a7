"""Build a dataset folder from a municipality's real downloads (``python -m sites dataset build``).

Stages: check inputs -> checksums -> parcels -> premises -> plan layers -> boundaries -> roads ->
public transport -> population -> indicators -> manifest. Every input is read by its layer
loader, so a bad file gets the loader's project error naming the file and the fix. A stage whose
input checksum (and mapping) is unchanged since the last build in the same folder reads its
conformed output instead of the source; indicators are cached by the inputs' checksums. The
manifest holds no time stamps, so the same inputs give the same manifest.
"""

from __future__ import annotations

import json
import logging
import os
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd

from errors import DataFormatError, ParameterError
from layers.manifest import file_sha256
from settings import LOCAL_HIRE_DISTRICTS, MUNICIPALITY_CODE, REGION, Region
from sites.dataset import DATASET_FORMAT, MANIFEST_NAME, VECTOR_LAYERS, Dataset

logger = logging.getLogger(__name__)

#: Called with (stage name, fraction of the whole build done, 0-1).
BuildProgress = Callable[[str, float], None]

#: Default provenance per input: (source, licence). Only OpenStreetMap's licence is certain;
#: for the others the builder says it is not stated unless ``--source``/``--licence`` give it.
PROVENANCE: dict[str, tuple[str, str]] = {
    "roads": ("OpenStreetMap contributors (Geofabrik or BBBike extract)", "ODbL 1.0"),
    "transit": ("GTFS feed (e.g. Trafiklab GTFS Regional)", "not stated: give --licence transit=..."),
    "parcels": ("parcel layer (e.g. Lantmäteriet Fastighetsindelning)", "not stated: give --licence parcels=..."),
    "premises": ("premises register", "not stated: give --licence premises=..."),
    "zoning": ("comprehensive/detailed plan layers", "not stated: give --licence zoning=..."),
    "land_use": ("land-use plan layer", "not stated: give --licence land_use=..."),
    "population": ("population grid (e.g. SCB Befolkning per km-ruta)", "not stated: give --licence population=..."),
    "boundaries": ("municipality and district boundaries (e.g. SCB/Lantmäteriet)",
                   "not stated: give --licence boundaries=..."),
}
#: Relative stage durations, for the overall progress and ETA (measured on the county benchmark).
STAGE_WEIGHTS: dict[str, float] = {
    "checksums": 2, "parcels": 8, "premises": 1, "plan layers": 2, "boundaries": 1, "roads": 25,
    "public transport": 15, "population": 1, "indicators": 45, "manifest": 1,
}


@dataclass(frozen=True)
class BuildInputs:
    """The files of one municipality and how to read them.

    Attributes
    ----------
    municipality_code
        SCB code (four digits, e.g. ``0127`` Botkyrka).
    roads, transit, parcels, premises, zoning, population, boundaries
        Input files: ``.osm.pbf``/``.osm``, GTFS zip, parcel layer, premises layer, plan layers
        (GeoPackage with ``land_use``, ``change_areas``, ``constraints``), population grid
        (GeoTIFF or SCB cells), boundaries (``municipalities`` and ``districts`` layers).
    land_use
        A single-layer land-use file replacing ``zoning``'s ``land_use`` layer.
    parcels_mapping, premises_mapping
        Source column -> canonical column (``layers.mapping``).
    sources, licences
        Per input name: overrides of ``PROVENANCE``.
    """

    municipality_code: str
    roads: Path
    transit: Path
    parcels: Path
    premises: Path
    zoning: Path
    population: Path
    boundaries: Path
    land_use: Path | None = None
    parcels_mapping: Mapping[str, str] = field(default_factory=dict)
    premises_mapping: Mapping[str, str] = field(default_factory=dict)
    sources: Mapping[str, str] = field(default_factory=dict)
    licences: Mapping[str, str] = field(default_factory=dict)

    def files(self) -> dict[str, Path]:
        """Input name -> path, in build order (``land_use`` only when given)."""
        names = ("parcels", "premises", "zoning", "land_use", "boundaries", "roads", "transit", "population")
        return {n: Path(getattr(self, n)) for n in names if getattr(self, n) is not None}


def check_inputs(inputs: BuildInputs, out: Path) -> None:
    """Everything that can be checked before any work: codes, files, output folder.

    Raises
    ------
    ParameterError
        Bad municipality code, or one the settings' indicators are not computed for.
    DataFormatError
        A missing, empty or unreadable input, or an output folder that cannot be written.
    """
    code = inputs.municipality_code
    if not re.fullmatch(r"\d{4}", code or ""):
        raise ParameterError(f"municipality code '{code}' must be SCB's four digits, e.g. 0127 for Botkyrka.")
    if code != MUNICIPALITY_CODE:
        raise ParameterError(
            f"municipality {code}: the indicators (local hiring) are computed for SITEFINDER_MUNICIPALITY_CODE="
            f"{MUNICIPALITY_CODE}. Run the build with SITEFINDER_MUNICIPALITY_CODE={code} (and "
            f"SITEFINDER_LOCAL_HIRE_DISTRICTS set to district names of the boundaries file)."
        )
    problems = []
    for name, path in inputs.files().items():
        if not path.exists():
            problems.append(f"--{name.replace('_', '-')} {path}: file not found; check the path")
        elif path.is_dir():
            problems.append(f"--{name.replace('_', '-')} {path}: is a folder; give the file itself")
        elif path.stat().st_size == 0:
            problems.append(f"--{name.replace('_', '-')} {path}: the file is empty; download it again")
        elif not os.access(path, os.R_OK):
            problems.append(f"--{name.replace('_', '-')} {path}: cannot be read (permissions)")
    unknown = (set(inputs.sources) | set(inputs.licences)) - set(PROVENANCE)
    if unknown:
        problems.append(f"--source/--licence name {', '.join(sorted(unknown))} is not an input; "
                        f"use one of {', '.join(PROVENANCE)}")
    if problems:
        raise DataFormatError("dataset build: " + "; ".join(problems) + ".")
    check_output_folder(out)


def check_output_folder(out: Path) -> None:
    """Raise unless ``out`` is (or can be made as) a writable folder; nothing is created."""
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise DataFormatError(f"--out {out}: is a file; give a folder for the dataset.")
    parent = out if out.exists() else out.parent
    if not parent.exists():
        raise DataFormatError(f"--out {out}: the folder {parent} does not exist; create it first.")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise DataFormatError(f"--out {out}: {parent} is not writable; choose a folder you can write to.")


def build_dataset(inputs: BuildInputs, out: Path, *, progress: BuildProgress | None = None,
                  region: Region = REGION) -> dict:
    """Build (or update) the dataset folder ``out`` and return its manifest.

    Parameters
    ----------
    inputs
        The files and how to read them.
    out
        Dataset folder (created; its parent must exist).
    progress
        Called with (stage, fraction done) as stages start and finish.
    region
        Working CRS and country extent.

    Returns
    -------
    dict
        The manifest written to ``out/manifest.json``.
    """
    from layers import boundaries, zoning
    from layers.parcels import load_parcels
    from layers.population import load_population
    from layers.premises import load_premises
    from layers.roads import load_roads
    from layers.transit import load_transit
    from sites import dataset_store as store
    from sites.indicators import load_or_compute

    out = Path(out)
    check_inputs(inputs, out)
    say = _Stages(progress)
    (out / "layers").mkdir(parents=True, exist_ok=True)
    state_path = out / "build_state.json"
    state = json.loads(state_path.read_text(encoding="utf-8")) if state_path.exists() else {}

    say.start("checksums")
    files = inputs.files()
    sha = {name: file_sha256(path) for name, path in files.items()}
    say.done("checksums")

    def signature(*names: str, extra: object = None) -> str:
        return json.dumps([[sha.get(n) for n in names], extra, region.crs], sort_keys=True)

    def reuse(stage: str, sig: str, *paths: Path) -> bool:
        return state.get(stage) == sig and all(p.exists() for p in paths)

    def vector(stage: str, names: tuple[str, ...], sig: str, loaders: dict[str, Callable[[], gpd.GeoDataFrame]]):
        say.start(stage)
        paths = {n: out / "layers" / f"{n}.parquet" for n in names}
        if reuse(stage, sig, *paths.values()):
            frames = {n: gpd.read_parquet(p) for n, p in paths.items()}
        else:
            frames = {n: loaders[n]() for n in names}
            for n, frame in frames.items():
                frame.to_parquet(paths[n], index=False)
            state[stage] = sig
            _save_state(state_path, state)
        say.done(stage)
        return frames

    layers_: dict[str, gpd.GeoDataFrame] = {}
    layers_ |= vector("parcels", ("parcels",), signature("parcels", extra=dict(inputs.parcels_mapping)),
                      {"parcels": lambda: load_parcels(files["parcels"], mapping=inputs.parcels_mapping or None,
                                                       region=region)})
    layers_ |= vector("premises", ("premises",), signature("premises", extra=dict(inputs.premises_mapping)),
                      {"premises": lambda: load_premises(files["premises"], mapping=inputs.premises_mapping or None,
                                                         region=region)})
    land_use_src = files.get("land_use")
    layers_ |= vector("plan layers", ("land_use", "change_areas", "constraints"), signature("zoning", "land_use"), {
        "land_use": lambda: (zoning.load_land_use(land_use_src, layer=None) if land_use_src
                             else zoning.load_land_use(files["zoning"])),
        "change_areas": lambda: zoning.load_change_areas(files["zoning"]),
        "constraints": lambda: zoning.load_constraints(files["zoning"]),
    })
    layers_ |= vector("boundaries", ("municipalities", "districts"), signature("boundaries"), {
        "municipalities": lambda: boundaries.load_municipalities(files["boundaries"]),
        "districts": lambda: boundaries.load_districts(files["boundaries"]),
    })
    codes = set(layers_["municipalities"]["municipality_code"])
    if inputs.municipality_code not in codes:
        raise ParameterError(f"{files['boundaries'].name}: has no municipality {inputs.municipality_code} "
                             f"(codes found: {', '.join(sorted(codes)[:12])}). Check the code or the boundaries file.")

    say.start("roads")
    sig = signature("roads")
    if reuse("roads", sig, out / "roads" / "edges.parquet"):
        roads = store.read_roads(out / "roads")
    else:
        roads = load_roads(files["roads"], region=region)
        store.write_roads(roads, out / "roads")
        state["roads"] = sig
        _save_state(state_path, state)
    say.done("roads")

    say.start("public transport")
    sig = signature("transit")
    if reuse("public transport", sig, out / "transit" / "stop_times.parquet"):
        feed = store.read_feed(out / "transit")
    else:
        feed = load_transit(files["transit"])
        store.write_feed(feed, out / "transit")
        state["public transport"] = sig
        _save_state(state_path, state)
    say.done("public transport")

    say.start("population")
    sig = signature("population")
    if reuse("population", sig, out / "population.npz"):
        population = store.read_population(out / "population.npz")
    else:
        population = load_population(files["population"])
        store.write_population(population, out / "population.npz")
        state["population"] = sig
        _save_state(state_path, state)
    say.done("population")

    ds = Dataset(**{n: layers_[n] for n in VECTOR_LAYERS}, roads=roads, feed=feed, population=population,
                 checksums=dict(sha), manifest_version=_version(sha))
    say.start("indicators")
    indicators = load_or_compute(ds, cache_dir=out / "indicators",
                                 progress=lambda f, m: say.within("indicators", f, m))
    say.done("indicators")

    say.start("manifest")
    manifest = _manifest(inputs, files, sha, ds, indicators, region)
    (out / MANIFEST_NAME).write_text(json.dumps(manifest, indent=1, sort_keys=True, ensure_ascii=False) + "\n",
                                     encoding="utf-8")
    say.done("manifest")
    return manifest


def _version(sha: Mapping[str, str]) -> str:
    import hashlib

    return hashlib.sha256(json.dumps(sorted(sha.items())).encode()).hexdigest()[:12]


def _manifest(inputs: BuildInputs, files: Mapping[str, Path], sha: Mapping[str, str], ds: Dataset, indicators,
              region: Region) -> dict:
    """The dataset's description: inputs with provenance, layers with counts, indicators. No time stamps."""
    from sites.dataset import uncovered_parcels

    inputs_ = {}
    for name, path in files.items():
        source, licence = PROVENANCE[name]
        entry = {"file": path.name, "size_bytes": path.stat().st_size, "sha256": sha[name],
                 "source": inputs.sources.get(name, source), "licence": inputs.licences.get(name, licence)}
        mapping = {"parcels": inputs.parcels_mapping, "premises": inputs.premises_mapping}.get(name)
        if mapping:
            entry["column_mapping"] = dict(mapping)
        inputs_[name] = entry
    layers_ = {name: {"path": f"layers/{name}.parquet", "features": len(getattr(ds, name))} for name in VECTOR_LAYERS}
    layers_["roads"] = {"path": "roads/", "nodes": ds.roads.number_of_nodes(), "edges": ds.roads.number_of_edges()}
    layers_["transit"] = {"path": "transit/", "stops": len(ds.feed.stops), "trips": len(ds.feed.trips),
                          "stop_times": len(ds.feed.stop_times)}
    layers_["population"] = {"path": "population.npz", "residents": round(ds.population.total()),
                             "cell_size_m": ds.population.cell_size}
    warnings = []
    outside = uncovered_parcels(ds.parcels, ds.land_use)
    if outside:
        warnings.append(outside)
    return {
        "format": DATASET_FORMAT,
        "version": ds.manifest_version,
        "municipality_code": inputs.municipality_code,
        "local_hire_districts": list(LOCAL_HIRE_DISTRICTS),
        "crs": region.crs,
        "inputs": inputs_,
        "layers": layers_,
        "indicators": {"path": f"indicators/{indicators.key}/", "key": indicators.key,
                       "parcels": len(indicators.table), "service_date": indicators.service_date,
                       "columns": sorted(map(str, indicators.table.columns))},
        "warnings": warnings,
    }


def _save_state(path: Path, state: dict) -> None:
    path.write_text(json.dumps(state, indent=1, sort_keys=True), encoding="utf-8")


class _Stages:
    """Turns stage starts and ends into (stage, overall fraction) calls."""

    def __init__(self, progress: BuildProgress | None) -> None:
        self.progress = progress or (lambda stage, f: None)
        self.total = sum(STAGE_WEIGHTS.values())
        self.before: dict[str, float] = {}
        acc = 0.0
        for name, w in STAGE_WEIGHTS.items():
            self.before[name] = acc
            acc += w
        self.t0 = time.perf_counter()

    def start(self, stage: str) -> None:
        self.progress(stage, self.before[stage] / self.total)

    def within(self, stage: str, fraction: float, message: str) -> None:
        done = self.before[stage] + STAGE_WEIGHTS[stage] * min(max(fraction, 0.0), 1.0)
        self.progress(f"{stage}: {message}", done / self.total)

    def done(self, stage: str) -> None:
        logger.info("stage %s done at %.1f s", stage, time.perf_counter() - self.t0)
        self.progress(stage, (self.before[stage] + STAGE_WEIGHTS[stage]) / self.total)
