"""Typed settings: constants with overrides from the environment.

Nothing here is mutated at run time; per-session choices travel as function arguments.
"""

from __future__ import annotations

import os
from pathlib import Path

#: Working CRS of every layer and analysis: SWEREF 99 TM (metres).
WORKING_CRS = "EPSG:3006"
#: CRS of display and export at the edge (GeoJSON, web map).
DISPLAY_CRS = "EPSG:4326"

#: Project root (the folder holding this file).
ROOT = Path(__file__).resolve().parent
#: Folder of the shipped demonstration dataset.
DEMO_DIR = Path(os.environ.get("SITEFINDER_DATA_DIR", ROOT / "data" / "demo"))
#: Manifest describing the shipped dataset.
MANIFEST_PATH = Path(os.environ.get("SITEFINDER_MANIFEST", ROOT / "data" / "manifest.json"))

#: Sweden's extent in SWEREF 99 TM with a margin (minx, miny, maxx, maxy), metres.
SWEDEN_BOUNDS_3006 = (180_000.0, 6_050_000.0, 1_000_000.0, 7_750_000.0)

#: Overpass endpoint used by online road downloads (osmnx default).
OVERPASS_URL = os.environ.get("SITEFINDER_OVERPASS_URL", "https://overpass-api.de/api")
#: Seconds to wait for a network check before declaring the machine offline.
NETWORK_TIMEOUT_S = float(os.environ.get("SITEFINDER_NETWORK_TIMEOUT_S", "5"))

#: Folder for the on-disk cache of routing indicators (keyed by input checksums).
CACHE_DIR = Path(os.environ.get("SITEFINDER_CACHE_DIR", ROOT / "cache"))
#: SCB code of the municipality whose residents count for local hiring.
MUNICIPALITY_CODE = os.environ.get("SITEFINDER_MUNICIPALITY_CODE", "0127")
#: Districts reported separately for local hiring (names as in the districts layer).
LOCAL_HIRE_DISTRICTS: tuple[str, ...] = tuple(
    d.strip() for d in os.environ.get("SITEFINDER_LOCAL_HIRE_DISTRICTS", "Alby,Fittja,Hallunda-Norsborg").split(",")
    if d.strip()
)
#: Morning peak window used for service frequency and public-transport travel times.
PEAK_START = os.environ.get("SITEFINDER_PEAK_START", "07:00")
PEAK_END = os.environ.get("SITEFINDER_PEAK_END", "09:00")
#: Registry database: an SQLite file by default, PostgreSQL (with PostGIS) for several officers.
DATABASE_URL = os.environ.get("SITEFINDER_DATABASE_URL", f"sqlite:///{ROOT / 'registry.sqlite'}")
#: Seed an empty registry with the demo's available plots when the shipped demo data is in use ("0": never).
DEMO_REGISTRY = os.environ.get("SITEFINDER_DEMO_REGISTRY", "1") != "0"
