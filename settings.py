"""Typed settings: constants with overrides from the environment.

Nothing here is mutated at run time; per-session choices travel as function arguments.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Region:
    """A country's metric working CRS and the extent data must fall in (the "far outside" check).

    Attributes
    ----------
    key
        Setting value (``sweden``, ``finland``, ...).
    name
        Country name for messages.
    crs
        Metric working CRS of every layer and analysis.
    bounds
        ``(minx, miny, maxx, maxy)`` in ``crs``, metres, with a margin.
    usual_crs
        CRSs national data usually comes in, named in the advice of a "far outside" error.
    """

    key: str
    name: str
    crs: str
    bounds: tuple[float, float, float, float]
    usual_crs: str


#: Known countries. Sweden's extent is SWEREF 99 TM with a margin; the others are the countries'
#: longitude/latitude boxes (mainland and islands, not Svalbard or Greenland) projected to the
#: national CRS with ``pyproj.Transformer.transform_bounds`` and rounded outwards by 20-50 km.
REGIONS: dict[str, Region] = {
    "sweden": Region("sweden", "Sweden", "EPSG:3006", (180_000.0, 6_050_000.0, 1_000_000.0, 7_750_000.0),
                     "SWEREF 99 TM (EPSG:3006), a local SWEREF zone (EPSG:3007-3018) or WGS84 (EPSG:4326)"),
    "finland": Region("finland", "Finland", "EPSG:3067", (0.0, 6_550_000.0, 800_000.0, 7_850_000.0),
                      "ETRS-TM35FIN (EPSG:3067), ETRS-GK zones (EPSG:3873-3885) or WGS84 (EPSG:4326)"),
    "norway": Region("norway", "Norway", "EPSG:25833", (-150_000.0, 6_350_000.0, 1_480_000.0, 7_990_000.0),
                     "EUREF89 UTM 33 (EPSG:25833), UTM 32/35 (EPSG:25832/25835) or WGS84 (EPSG:4326)"),
    "denmark": Region("denmark", "Denmark", "EPSG:25832", (400_000.0, 6_000_000.0, 920_000.0, 6_440_000.0),
                      "ETRS89 UTM 32N (EPSG:25832) or WGS84 (EPSG:4326)"),
}


def region_from_env(environ: Mapping[str, str] = os.environ) -> Region:
    """The region chosen by ``SITEFINDER_REGION`` (default sweden), optionally with its own CRS.

    ``SITEFINDER_CRS`` and ``SITEFINDER_EXTENT`` (``minx,miny,maxx,maxy`` in that CRS) override
    the region's CRS and extent for a country not in ``REGIONS``. Pure: reads only ``environ``.
    """
    key = environ.get("SITEFINDER_REGION", "sweden").strip().lower()
    if key not in REGIONS:
        raise ValueError(f"SITEFINDER_REGION={key!r} is unknown; choose one of {', '.join(REGIONS)} "
                         "or set SITEFINDER_CRS and SITEFINDER_EXTENT.")
    region = REGIONS[key]
    crs = environ.get("SITEFINDER_CRS", "").strip()
    extent = environ.get("SITEFINDER_EXTENT", "").strip()
    if crs or extent:
        if not (crs and extent):
            raise ValueError("SITEFINDER_CRS and SITEFINDER_EXTENT must be set together "
                             "(e.g. EPSG:3067 and 0,6550000,800000,7850000).")
        try:
            box = tuple(float(v) for v in extent.split(","))
        except ValueError:
            box = ()
        if len(box) != 4 or box[0] >= box[2] or box[1] >= box[3]:
            raise ValueError(f"SITEFINDER_EXTENT={extent!r} must be minx,miny,maxx,maxy in {crs}, metres.")
        region = Region("custom", environ.get("SITEFINDER_REGION_NAME", "the chosen area"), crs, box, crs)  # type: ignore[arg-type]
    return region


#: The process default region, read once at import; a session that needs another one passes a
#: ``Region`` to the loaders (``region=``) instead of changing this.
REGION = region_from_env()
#: Working CRS of every layer and analysis: SWEREF 99 TM (metres) unless the region says otherwise.
WORKING_CRS = REGION.crs
#: CRS of display and export at the edge (GeoJSON, web map).
DISPLAY_CRS = "EPSG:4326"

#: Project root (the folder holding this file).
ROOT = Path(__file__).resolve().parent
#: Folder of the shipped demonstration dataset.
DEMO_DIR = Path(os.environ.get("SITEFINDER_DATA_DIR", ROOT / "data" / "demo"))
#: Manifest describing the shipped dataset.
MANIFEST_PATH = Path(os.environ.get("SITEFINDER_MANIFEST", ROOT / "data" / "manifest.json"))

#: Sweden's extent in SWEREF 99 TM with a margin (minx, miny, maxx, maxy), metres.
SWEDEN_BOUNDS_3006 = REGIONS["sweden"].bounds

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
#: Folder of built datasets (``python -m sites dataset build``), one sub-folder per dataset.
DATASETS_DIR = Path(os.environ.get("SITEFINDER_DATASETS_DIR", ROOT / "datasets"))
#: The dataset the app and the commands open: a folder path or a name under ``DATASETS_DIR``;
#: empty means the shipped demo.
DATASET = os.environ.get("SITEFINDER_DATASET", "")
#: Parcel tile sets kept under ``static/tiles`` besides the current dataset's: the most recently
#: used ones (one set per dataset checksum; older ones are deleted when a new set is written).
TILE_SETS_KEPT = int(os.environ.get("SITEFINDER_TILE_SETS_KEPT", "3"))
