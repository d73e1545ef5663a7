"""A complete set of loaded layers, with the checksums of the files they came from.

A dataset is either the shipped demo (read from ``data/demo``) or a folder built by
``python -m sites dataset build`` (``sites.dataset_build``): conformed layers as GeoParquet, the
road graph as node and edge tables, the GTFS feed as tables, the population grid as an array,
precomputed indicators, and a ``manifest.json``. ``SITEFINDER_DATASET`` (a folder, or a name under
``SITEFINDER_DATASETS_DIR``) chooses which one the app and the commands open:
``current_dataset()``; ``list_datasets()`` lists them for the data page.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field, fields
from pathlib import Path

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd

import layers
from errors import ManifestError
from layers.manifest import file_sha256
from layers.population import DEMO_POPULATION, PopulationGrid
from layers.reader import Source, read_table_bytes
from layers.transit import DEMO_GTFS, TransitFeed
from settings import DATASET, DATASETS_DIR, DEMO_DIR


@dataclass(frozen=True)
class DataSources:
    """Where each layer comes from: a path or an uploaded file-like object."""

    parcels: Source = DEMO_DIR / "parcels.gpkg"
    premises: Source = DEMO_DIR / "premises.gpkg"
    zoning: Source = DEMO_DIR / "zoning.gpkg"
    roads: Source = DEMO_DIR / "roads.osm"
    transit: Source = DEMO_GTFS
    population: Source = DEMO_POPULATION
    boundaries: Source = DEMO_DIR / "boundaries.gpkg"
    land_use: Source | None = None  # a single-layer plan file replacing the land-use layer of ``zoning``


@dataclass(frozen=True)
class Dataset:
    """Every layer the analysis needs, in EPSG:3006."""

    parcels: gpd.GeoDataFrame
    premises: gpd.GeoDataFrame
    land_use: gpd.GeoDataFrame
    change_areas: gpd.GeoDataFrame
    constraints: gpd.GeoDataFrame
    municipalities: gpd.GeoDataFrame
    districts: gpd.GeoDataFrame
    roads: nx.MultiDiGraph
    feed: TransitFeed
    population: PopulationGrid
    checksums: dict[str, str] = field(default_factory=dict)
    manifest_version: str = ""


def checksum(source: Source) -> str:
    """SHA-256 of a source's bytes (files are read in chunks)."""
    if isinstance(source, str | os.PathLike):
        return file_sha256(Path(source))
    return hashlib.sha256(read_table_bytes(source)).hexdigest()


def load_dataset(sources: DataSources = DataSources()) -> Dataset:
    """Load every layer from ``sources`` (the demo data by default).

    Parameters
    ----------
    sources
        Paths or uploads per layer.

    Returns
    -------
    Dataset
        Validated layers and the checksum of each source.
    """
    try:
        version = layers.load_manifest()["version"]
    except ManifestError:
        version = ""
    return Dataset(
        parcels=layers.load_parcels(sources.parcels),
        premises=layers.load_premises(sources.premises),
        land_use=(layers.load_land_use(sources.land_use, layer=None) if sources.land_use is not None
                  else layers.load_land_use(sources.zoning)),
        change_areas=layers.load_change_areas(sources.zoning),
        constraints=layers.load_constraints(sources.zoning),
        municipalities=layers.load_municipalities(sources.boundaries),
        districts=layers.load_districts(sources.boundaries),
        roads=layers.load_roads(sources.roads),
        feed=layers.load_transit(sources.transit),
        population=layers.load_population(sources.population),
        checksums={f.name: checksum(getattr(sources, f.name)) for f in fields(sources)
                   if getattr(sources, f.name) is not None},
        manifest_version=version,
    )


#: Name of a built dataset's manifest, and its format tag.
MANIFEST_NAME = "manifest.json"
DATASET_FORMAT = "sitefinder-dataset/1"
#: GeoParquet layers of a built dataset (file stem = ``Dataset`` field).
VECTOR_LAYERS = ("parcels", "premises", "land_use", "change_areas", "constraints", "municipalities", "districts")


@dataclass(frozen=True)
class DatasetInfo:
    """One dataset the app can open (for the data page).

    Attributes
    ----------
    name
        Folder name (``demo`` for the shipped demo).
    path
        Folder of a built dataset; None for the demo.
    municipality_code
        SCB code the dataset was built for ('' for the demo).
    parcels
        Number of parcels, from the manifest.
    inputs
        Input name -> file name, from the manifest.
    problem
        Why the dataset cannot be opened ('' when it can).
    """

    name: str
    path: Path | None
    municipality_code: str
    parcels: int
    inputs: dict[str, str]
    problem: str = ""


def list_datasets(root: Path = DATASETS_DIR) -> list[DatasetInfo]:
    """The demo and every built dataset under ``root`` (sorted by name), for the data page.

    A folder whose manifest is missing or unreadable is listed with its ``problem`` so the page
    can say why it cannot be opened.
    """
    out = [DatasetInfo("demo", None, "", 0, {})]
    base = Path(root)
    if not base.is_dir():
        return out
    for folder in sorted(p for p in base.iterdir() if p.is_dir()):
        try:
            manifest = read_dataset_manifest(folder)
        except ManifestError as err:
            out.append(DatasetInfo(folder.name, folder, "", 0, {}, problem=str(err)))
            continue
        out.append(DatasetInfo(folder.name, folder, manifest.get("municipality_code", ""),
                               int(manifest.get("layers", {}).get("parcels", {}).get("features", 0)),
                               {k: v["file"] for k, v in manifest.get("inputs", {}).items()}))
    return out


def resolve_dataset(setting: str = DATASET, *, root: Path = DATASETS_DIR) -> Path | None:
    """The folder ``SITEFINDER_DATASET`` names (a path, or a name under ``root``); None for the demo."""
    value = setting.strip()
    if not value or value == "demo":
        return None
    path = Path(value)
    if not path.is_absolute() and not path.exists():
        path = Path(root) / value
    if not (path / MANIFEST_NAME).exists():
        names = ", ".join(d.name for d in list_datasets(root))
        raise ManifestError(f"dataset '{value}' not found (no {MANIFEST_NAME} in that folder). Build it with "
                            f"'python -m sites dataset build', or choose one of: {names}.")
    return path


def current_dataset(setting: str = DATASET, *, root: Path = DATASETS_DIR) -> Dataset:
    """The dataset the app should open: the demo, or the built dataset ``setting`` names."""
    folder = resolve_dataset(setting, root=root)
    return load_dataset() if folder is None else open_dataset(folder)


def read_dataset_manifest(folder: Path) -> dict:
    """A built dataset's manifest, checked for its format tag."""
    path = Path(folder) / MANIFEST_NAME
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as err:
        raise ManifestError(f"{Path(folder).name}: no {MANIFEST_NAME}; build the dataset again.") from err
    except json.JSONDecodeError as err:
        raise ManifestError(f"{Path(folder).name}/{MANIFEST_NAME}: not valid JSON ({err}); build again.") from err
    if manifest.get("format") != DATASET_FORMAT:
        raise ManifestError(f"{Path(folder).name}: not a sitefinder dataset (format {manifest.get('format')!r}, "
                            f"expected {DATASET_FORMAT}); build it again with this version.")
    return manifest


def open_dataset(folder: Path) -> Dataset:
    """Open a dataset built by ``python -m sites dataset build`` (no input is re-read or re-checked).

    Parameters
    ----------
    folder
        The dataset folder.

    Returns
    -------
    Dataset
        With the input checksums of the manifest, so cached indicators are found by key.
    """
    from sites import dataset_store as store

    folder = Path(folder)
    manifest = read_dataset_manifest(folder)
    try:
        vectors = {name: gpd.read_parquet(folder / "layers" / f"{name}.parquet") for name in VECTOR_LAYERS}
        roads = store.read_roads(folder / "roads")
        feed = store.read_feed(folder / "transit")
        population = store.read_population(folder / "population.npz")
    except (OSError, ValueError, KeyError) as err:
        raise ManifestError(f"{folder.name}: a layer file is missing or damaged ({err}). Build the dataset again "
                            "(unchanged inputs are reused).") from err
    return Dataset(**vectors, roads=roads, feed=feed, population=population,
                   checksums={k: v["sha256"] for k, v in manifest["inputs"].items()},
                   manifest_version=manifest.get("version", ""))


def uncovered_parcels(parcels: gpd.GeoDataFrame, land_use: gpd.GeoDataFrame) -> str:
    """A message when parcels lie outside the land-use (plan) layer, else ''.

    Such parcels get no plan category and are excluded from ranking; the message says how many
    and how to fix it, for the upload page and the build manifest.
    """
    if parcels.empty:
        return ""
    if land_use.empty:
        return (f"all {len(parcels)} parcels lie outside the plan layer (it is empty), so none can be ranked. "
                "Load a land-use (plan) layer that covers the parcels.")
    inside = parcels.geometry.representative_point().within(land_use.union_all())
    n_out = int((~inside).sum())
    if n_out == 0:
        return ""
    share = n_out / len(parcels)
    return (f"{n_out} of {len(parcels)} parcels ({share:.0%}) lie outside the plan layer, so they get no plan "
            "category and are excluded from ranking. Load a land-use (plan) layer that covers them.")


def open_for_scoring(folder: Path) -> Dataset | None:
    """A built dataset with its vector layers only, when its indicators are cached; else None.

    Scoring and export need the parcels and the cached indicators, not the road graph or the
    feed (which take most of the opening time for a county): those are left empty. When the
    indicator cache is missing, None tells the caller to open the whole dataset and compute.
    """
    from affine import Affine

    from sites.indicators import cache_key

    folder = Path(folder)
    manifest = read_dataset_manifest(folder)
    checksums = {k: v["sha256"] for k, v in manifest["inputs"].items()}
    empty = TransitFeed(*(gpd.GeoDataFrame() if i == 0 else pd.DataFrame() for i in range(6)))
    try:
        vectors = {name: gpd.read_parquet(folder / "layers" / f"{name}.parquet") for name in VECTOR_LAYERS}
    except (OSError, ValueError) as err:
        raise ManifestError(f"{folder.name}: a layer file is missing or damaged ({err}). Build the dataset "
                            "again.") from err
    ds = Dataset(**vectors, roads=nx.MultiDiGraph(), feed=empty,
                 population=PopulationGrid(np.zeros((0, 0)), Affine.identity()), checksums=checksums,
                 manifest_version=manifest.get("version", ""))
    return ds if (folder / "indicators" / cache_key(ds) / "indicators.parquet").exists() else None
