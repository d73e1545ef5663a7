"""Parcels (fastigheter): Lantmäteriet Fastighetsindelning or a municipality's own plot layer.

The loader maps real-world column names to the canonical schema below, builds the designation
from ``trakt``/``block``/``enhet`` when the source has no designation column, computes
``area_m2`` from the geometry in EPSG:3006, and validates every value.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping

import geopandas as gpd
import pandas as pd

from errors import SchemaError
from layers.mapping import check_mapping
from layers.reader import Source, read_vector, rename_columns, source_label
from layers.schema import Field, conform, unique_ids
from settings import DEMO_DIR, REGION, Region

logger = logging.getLogger(__name__)

PLAN_USE_CODES = ("B", "C", "H", "J", "K", "Z", "O")
PLAN_STATUSES = ("none", "in_progress", "adopted", "unknown")
OWNER_TYPES = ("municipal", "Södra Porten AB", "private", "state", "unknown")

#: Source column name (any case) -> canonical name. Lantmäteriet Fastighetsindelning names are
#: ``objektidentitet``, ``trakt``, ``block``, ``enhet``, ``kommunkod``; others are common
#: municipal spellings. Extend per call with ``column_map=``.
PARCEL_COLUMNS: dict[str, str] = {
    "objektidentitet": "parcel_id",
    "objekt_id": "parcel_id",
    "fnr": "parcel_id",
    "fastighetsnyckel": "parcel_id",
    "id": "parcel_id",
    "fastighetsbeteckning": "designation",
    "beteckning": "designation",
    "registerbeteckning": "designation",
    "fastbet": "designation",
    "name": "designation",
    "fastighets": "designation",
    "fastbeteck": "designation",  # Shapefile's 10-character column names
    "agarkategori": "owner_type",
    "ägarkategori": "owner_type",
    "agare_typ": "owner_type",
    "owner": "owner_type",
    "markanvandning": "current_use",
    "användning": "current_use",
    "use": "current_use",
    "bebyggd_andel": "built_footprint_share",
    "built_share": "built_footprint_share",
    "ledig": "vacant",
    "obebyggd": "vacant",
    "planstatus": "plan_status",
    "detaljplan_status": "plan_status",
    "planbestammelse": "plan_use_code",
    "användningskod": "plan_use_code",
    "anvandningskod": "plan_use_code",
    "max_exploateringstal": "max_plot_ratio",
    "exploateringstal": "max_plot_ratio",
    "omrade": "area_name",
    "område": "area_name",
    "ny_mark": "new_land",
    "plannamn": "plan_name",
}

FIELDS: tuple[Field, ...] = (
    Field("parcel_id", required=True),
    Field("designation", required=True),
    Field("area_m2", "float", minimum=0),
    Field(
        "owner_type",
        default="unknown",
        allowed=OWNER_TYPES,
        normalise={
            "kommun": "municipal",
            "kommunal": "municipal",
            "kommunen": "municipal",
            "privat": "private",
            "stat": "state",
            "statlig": "state",
            "sodra porten ab": "Södra Porten AB",
            "södra porten ab": "Södra Porten AB",
        },
    ),
    Field("current_use", default="unknown"),
    Field("built_footprint_share", "float", default=0.0, minimum=0, maximum=1),
    Field("vacant", "bool", default=False),
    Field(
        "plan_status",
        default="unknown",
        allowed=PLAN_STATUSES,
        normalise={
            "ingen": "none",
            "saknas": "none",
            "pågående": "in_progress",
            "pagaende": "in_progress",
            "in progress": "in_progress",
            "planarbete pågår": "in_progress",
            "antagen": "adopted",
            "gällande": "adopted",
            "gallande": "adopted",
            "laga kraft": "adopted",
        },
    ),
    Field("plan_use_code", allowed=PLAN_USE_CODES),
    Field("max_plot_ratio", "float", minimum=0, maximum=10),
    Field("plan_name"),
    Field("area_name", default=""),
    Field("new_land", "bool", default=False),
)

DEMO_PARCELS = DEMO_DIR / "parcels.gpkg"


def load_parcels(
    source: Source = DEMO_PARCELS,
    *,
    layer: str | None = None,
    column_map: Mapping[str, str] | None = None,
    assume_crs: str | None = None,
    mapping: Mapping[str, str] | None = None,
    region: Region = REGION,
) -> gpd.GeoDataFrame:
    """Load a parcel layer in the canonical schema, EPSG:3006.

    Parameters
    ----------
    source
        Path or file-like object (GeoPackage, GeoJSON, zipped Shapefile, GeoParquet).
    layer
        Layer inside a multi-layer file.
    column_map
        Extra source -> canonical column names, applied before ``PARCEL_COLUMNS``.
    assume_crs
        CRS to assume when the source declares none.
    mapping
        The user's mapping, source column (exact name) -> canonical name, from the upload form
        or ``--map`` (``layers.mapping.parse_mapping``); applied before the known spellings and
        checked first (``layers.mapping.check_mapping``).
    region
        Working CRS and country extent.

    Returns
    -------
    geopandas.GeoDataFrame
        One row per parcel with the ``FIELDS`` columns; ``area_m2`` is the polygon area.
    """
    gdf = read_vector(source, layer=layer, kind="polygon", assume_crs=assume_crs, region=region)
    label = source_label(source)
    if mapping:
        check_mapping(gdf.columns, mapping, "parcels", label=label)
        gdf = gdf.rename(columns=dict(mapping))
    gdf = rename_columns(gdf, {**PARCEL_COLUMNS, **(column_map or {})})
    gdf = _designation_from_parts(gdf, label)
    if "parcel_id" not in gdf.columns and "designation" in gdf.columns:
        gdf["parcel_id"] = gdf["designation"]
    if "area_m2" in gdf.columns:
        stated = pd.to_numeric(gdf["area_m2"], errors="coerce")
        off = (stated - gdf.area).abs() > 0.05 * gdf.area
        if off.any():
            logger.warning(
                "%s: %d parcels state an area more than 5%% from their polygon; using the polygon",
                label,
                int(off.sum()),
            )
    gdf["area_m2"] = gdf.geometry.area.round(1)
    warnings_ = gdf.attrs.get("warnings", [])
    out = conform(gdf, FIELDS, label=label, extra_checks=[unique_ids("parcel_id")])
    out["parcel_id"] = out["parcel_id"].astype(str)
    out = gpd.GeoDataFrame(out, geometry="geometry", crs=gdf.crs).reset_index(drop=True)
    out.attrs["warnings"] = warnings_
    return out


def _designation_from_parts(gdf: gpd.GeoDataFrame, label: str) -> gpd.GeoDataFrame:
    """Build ``designation`` as 'Trakt block:enhet' (Lantmäteriet style) when it is missing."""
    if "designation" in gdf.columns:
        return gdf
    cols = {c.lower(): c for c in gdf.columns}
    if not {"trakt", "block", "enhet"} <= set(cols):
        raise SchemaError(
            f"{label}: no designation column (fastighetsbeteckning) and no trakt/block/enhet columns to "
            f"build one from; columns found: {', '.join(map(str, gdf.columns[:15]))}. Say which column holds "
            "the designation: --map YOUR_COLUMN=designation on the command line, the column form in the app, "
            "or mapping={'YOUR_COLUMN': 'designation'}."
        )
    out = gdf.copy()
    enhet = pd.to_numeric(out[cols["enhet"]], errors="coerce").astype("Int64").astype("string")
    out["designation"] = (
        out[cols["trakt"]].astype("string").str.strip()
        + " "
        + out[cols["block"]].astype("string").str.strip()
        + ":"
        + enhet
    )
    return out
