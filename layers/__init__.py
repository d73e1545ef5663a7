"""Readers for every data source: read -> normalise -> validate, always in EPSG:3006.

One module per layer; ``reader`` holds what they share. Nothing here imports Streamlit.
"""

from layers.boundaries import load_districts, load_municipalities
from layers.manifest import load_manifest, verify_manifest
from layers.parcels import load_parcels
from layers.population import PopulationGrid, load_population
from layers.premises import load_premises
from layers.roads import download_roads, load_roads, motorway_junctions
from layers.transit import TransitFeed, departures_per_hour, load_transit
from layers.zoning import load_change_areas, load_constraints, load_land_use

__all__ = [
    "PopulationGrid",
    "TransitFeed",
    "departures_per_hour",
    "download_roads",
    "load_change_areas",
    "load_constraints",
    "load_districts",
    "load_land_use",
    "load_manifest",
    "load_municipalities",
    "load_parcels",
    "load_population",
    "load_premises",
    "load_roads",
    "load_transit",
    "motorway_junctions",
    "verify_manifest",
]
