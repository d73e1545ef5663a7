"""Commercial premises (lokaler): offices, warehouses, industry and retail, as points."""

from __future__ import annotations

from collections.abc import Mapping

import geopandas as gpd

from layers.mapping import check_mapping
from layers.reader import Source, read_vector, rename_columns, source_label
from layers.schema import Field, conform, unique_ids
from settings import DEMO_DIR, REGION, Region

PREMISES_TYPES = ("office", "warehouse", "industry", "retail", "other")

#: Source column name (any case) -> canonical name.
PREMISES_COLUMNS: dict[str, str] = {
    "lokal_id": "premises_id",
    "id": "premises_id",
    "objektidentitet": "premises_id",
    "adress": "address",
    "lokaltyp": "premises_type",
    "typ": "premises_type",
    "type": "premises_type",
    "yta": "floor_area_m2",
    "lokalyta": "floor_area_m2",
    "area_m2": "floor_area_m2",
    "bta": "floor_area_m2",
    "ledig": "vacant",
    "ledig_fran": "vacant_since",
    "ledig_från": "vacant_since",
    "hyra": "asking_rent_sek_m2_year",
    "begärd_hyra": "asking_rent_sek_m2_year",
    "fastighetsbeteckning": "parcel_designation",
}

FIELDS: tuple[Field, ...] = (
    Field("premises_id", required=True),
    Field("address", default=""),
    Field(
        "premises_type",
        default="other",
        allowed=PREMISES_TYPES,
        normalise={
            "kontor": "office",
            "lager": "warehouse",
            "logistik": "warehouse",
            "industri": "industry",
            "produktion": "industry",
            "handel": "retail",
            "butik": "retail",
            "övrigt": "other",
        },
    ),
    Field("floor_area_m2", "float", required=True, minimum=0),
    Field("vacant", "bool", default=False),
    Field("vacant_since", "date"),
    Field("asking_rent_sek_m2_year", "float", minimum=0),
    Field("parcel_designation"),
)

DEMO_PREMISES = DEMO_DIR / "premises.gpkg"


def load_premises(
    source: Source = DEMO_PREMISES,
    *,
    layer: str | None = None,
    column_map: Mapping[str, str] | None = None,
    assume_crs: str | None = None,
    mapping: Mapping[str, str] | None = None,
    region: Region = REGION,
) -> gpd.GeoDataFrame:
    """Load premises as points in EPSG:3006 with the canonical schema.

    Building polygons are accepted and represented by a point inside each.

    Parameters
    ----------
    source
        Path or file-like object (GeoPackage, GeoJSON, zipped Shapefile, GeoParquet).
    layer
        Layer inside a multi-layer file.
    column_map
        Extra source -> canonical column names.
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
        One point per premises with the ``FIELDS`` columns.
    """
    gdf = read_vector(source, layer=layer, kind="any", assume_crs=assume_crs, region=region)
    label = source_label(source)
    if mapping:
        check_mapping(gdf.columns, mapping, "premises", label=label)
        gdf = gdf.rename(columns=dict(mapping))
    if not gdf.geom_type.isin(["Point"]).all():
        gdf = gdf.set_geometry(gdf.geometry.representative_point())
    gdf = rename_columns(gdf, {**PREMISES_COLUMNS, **(column_map or {})})
    if "premises_id" not in gdf.columns:
        gdf["premises_id"] = [f"P{i + 1:05d}" for i in range(len(gdf))]
    out = conform(gdf, FIELDS, label=label, extra_checks=[unique_ids("premises_id")])
    out["premises_id"] = out["premises_id"].astype(str)
    return gpd.GeoDataFrame(out, geometry="geometry", crs=gdf.crs).reset_index(drop=True)
