"""Open-data export of available plots, after Sweden's "Lediga tomter" specification.

The published field list (Dataverkstad 2023, Sveriges dataportal) could not be read offline
when this was written. The mapping below follows the pattern of its sister specifications
(CSV, no extra columns, required ``source``/``id``/``name``/``latitude``/``longitude``/``email``,
optional ``visit_url``/``updated``/``description``) and keeps the plot's whole area and its
building right (byggrätt) as separate attributes, as the specification requires. Fields marked
``assumed`` must be checked against the published list; this table is the one place to change.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import geopandas as gpd
import pandas as pd

from settings import DISPLAY_CRS, MUNICIPALITY_CODE
from sites.export import table_csv

DEFAULT_EMAIL = "naringsliv@botkyrka.se"
DEFAULT_URL = "https://www.botkyrka.se/naringsliv"


@dataclass(frozen=True)
class OpenDataField:
    """One column of the export: its name, where the value comes from, and whether it is assumed."""

    name: str
    source: str
    required: bool
    assumed: bool


#: The export's columns in order (the single place to align with the published specification).
OPEN_DATA_FIELDS: Sequence[OpenDataField] = (
    OpenDataField("source", "municipality code (SCB), e.g. 0127", True, False),
    OpenDataField("id", "stable registry id, never reused: <code>-tomt-<site id>", True, False),
    OpenDataField("name", "site name", True, False),
    OpenDataField("latitude", "WGS84 latitude of the plot's inner point", True, False),
    OpenDataField("longitude", "WGS84 longitude of the plot's inner point", True, False),
    OpenDataField("email", "contact e-mail (the business office if the site has none)", True, False),
    OpenDataField("area", "the whole plot area, m² (tomtarea)", True, True),
    OpenDataField("building_right", "building right, m² gross floor area (byggrätt); empty if not set", False, True),
    OpenDataField("zoning_status", "detailed plan status: adopted / in_progress / none", False, True),
    OpenDataField("zoning_use", "detailed plan use code (Z, J, K, H, C, B)", False, True),
    OpenDataField("visit_url", "page about the plot", False, False),
    OpenDataField("updated", "date the record last changed (YYYY-MM-DD)", False, False),
    OpenDataField("description", "free text", False, False),
)


def available_plots(sites: Sequence[Mapping], *, municipality_code: str = MUNICIPALITY_CODE,
                    email: str = DEFAULT_EMAIL, visit_url: str = DEFAULT_URL) -> gpd.GeoDataFrame:
    """One row per available, non-archived site, in the export's columns (WGS84 polygons).

    Parameters
    ----------
    sites
        Registry records (``Registry.sites()``).
    municipality_code
        SCB code for ``source`` and the id prefix.
    email, visit_url
        Used where a site has no contact of its own.

    Returns
    -------
    geopandas.GeoDataFrame
        Columns as ``OPEN_DATA_FIELDS`` plus geometry (EPSG:4326).
    """
    rows = [s for s in sites if s["status"] == "available" and not s["archived"]]
    gdf = gpd.GeoDataFrame(rows, geometry=[s["geometry"] for s in rows], crs="EPSG:3006") if rows else \
        gpd.GeoDataFrame(columns=["geometry"], geometry="geometry", crs="EPSG:3006")
    points = gdf.geometry.representative_point().to_crs(DISPLAY_CRS)
    out = pd.DataFrame({
        "source": municipality_code,
        "id": [f"{municipality_code}-tomt-{s['id']}" for s in rows],
        "name": [s["name"] for s in rows],
        "latitude": points.y.round(6).to_numpy(),
        "longitude": points.x.round(6).to_numpy(),
        "email": [s["contact"] if "@" in (s["contact"] or "") else email for s in rows],
        "area": [round(float(s["area_m2"])) for s in rows],
        "building_right": [None if s["building_right_m2"] is None else round(float(s["building_right_m2"]))
                           for s in rows],
        "zoning_status": [s["plan_status"] for s in rows],
        "zoning_use": [s["plan_use_code"] or "" for s in rows],
        "visit_url": visit_url,
        "updated": [s["updated_at"].date().isoformat() for s in rows],
        "description": [s["notes"] for s in rows],
    })
    return gpd.GeoDataFrame(out[[f.name for f in OPEN_DATA_FIELDS]], geometry=gdf.geometry.to_crs(DISPLAY_CRS).values,
                            crs=DISPLAY_CRS)


def to_csv(plots: gpd.GeoDataFrame) -> str:
    """The CSV form: exactly the specification's columns, no geometry."""
    return table_csv(pd.DataFrame(plots.drop(columns="geometry")))
