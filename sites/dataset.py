"""A complete set of loaded layers, with the checksums of the files they came from."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, fields

import geopandas as gpd
import networkx as nx

import layers
from errors import ManifestError
from layers.population import DEMO_POPULATION, PopulationGrid
from layers.reader import Source, read_table_bytes
from layers.transit import DEMO_GTFS, TransitFeed
from settings import DEMO_DIR


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
    """SHA-256 of a source's bytes."""
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
