"""Comprehensive plan (översiktsplan): land use, change areas and constraint areas.

Land use follows Boverket's ÖP-modell categories; English and common Swedish variants are
normalised to them. Constraint areas (heritage, nature, water) reduce a parcel's developable
area in the analysis.
"""

from __future__ import annotations

from collections.abc import Mapping

import geopandas as gpd

from layers.reader import Source
from layers.schema import Field, load_layer
from settings import DEMO_DIR

#: Boverket ÖP-modell land-use categories.
OP_CATEGORIES = ("Stadsbygd", "Landsbygd", "Verksamheter", "Transporter och infrastruktur", "Grönstruktur", "Vatten")
CONSTRAINT_KINDS = ("heritage", "nature", "water", "other")

LAND_USE_COLUMNS = {
    "kategori": "category",
    "anvandning": "category",
    "användning": "category",
    "markanvandning": "category",
    "beskrivning": "description",
}
CHANGE_AREA_COLUMNS = {
    "nr": "area_no",
    "omrade_nr": "area_no",
    "namn": "name",
    "typ": "kind",
    "beskrivning": "description",
}
CONSTRAINT_COLUMNS = {"typ": "kind", "hansyn": "kind", "namn": "name", "beskrivning": "description"}

LAND_USE_FIELDS = (
    Field(
        "category",
        required=True,
        allowed=OP_CATEGORIES,
        normalise={
            "stadsbygd": "Stadsbygd",
            "urban": "Stadsbygd",
            "landsbygd": "Landsbygd",
            "rural": "Landsbygd",
            "verksamheter": "Verksamheter",
            "business": "Verksamheter",
            "verksamhetsområde": "Verksamheter",
            "transporter och infrastruktur": "Transporter och infrastruktur",
            "infrastruktur": "Transporter och infrastruktur",
            "transport": "Transporter och infrastruktur",
            "grönstruktur": "Grönstruktur",
            "gronstruktur": "Grönstruktur",
            "green": "Grönstruktur",
            "vatten": "Vatten",
            "water": "Vatten",
        },
    ),
    Field("description", default=""),
)
CHANGE_AREA_FIELDS = (
    Field("area_no", "int", default=0),
    Field("name", required=True),
    Field(
        "kind",
        default="förändringsområde",
        allowed=("förändringsområde", "utvecklingsområde"),
        normalise={"change": "förändringsområde", "development": "utvecklingsområde"},
    ),
    Field("description", default=""),
)
CONSTRAINT_FIELDS = (
    Field(
        "kind",
        required=True,
        allowed=CONSTRAINT_KINDS,
        normalise={
            "fornlämning": "heritage",
            "fornlämningar": "heritage",
            "kulturmiljö": "heritage",
            "kulturarv": "heritage",
            "natur": "nature",
            "naturreservat": "nature",
            "strandskydd": "nature",
            "vatten": "water",
            "övrigt": "other",
        },
    ),
    Field("name", default=""),
    Field("description", default=""),
)

DEMO_ZONING = DEMO_DIR / "zoning.gpkg"


def load_land_use(
    source: Source = DEMO_ZONING,
    *,
    layer: str | None = "land_use",
    column_map: Mapping[str, str] | None = None,
    assume_crs: str | None = None,
) -> gpd.GeoDataFrame:
    """Land-use polygons with an ÖP-modell ``category`` and a ``description``.

    Parameters
    ----------
    source
        Path or file-like object; the demo ``zoning.gpkg`` by default.
    layer
        Layer name (``land_use`` in the demo); None for single-layer files.
    column_map
        Extra source -> canonical column names.
    assume_crs
        CRS to assume when the source declares none.

    Returns
    -------
    geopandas.GeoDataFrame
        Polygons in EPSG:3006.
    """
    return load_layer(
        source,
        layer=layer,
        kind="polygon",
        columns=LAND_USE_COLUMNS,
        fields=LAND_USE_FIELDS,
        column_map=column_map,
        assume_crs=assume_crs,
    )


def load_change_areas(
    source: Source = DEMO_ZONING,
    *,
    layer: str | None = "change_areas",
    column_map: Mapping[str, str] | None = None,
    assume_crs: str | None = None,
) -> gpd.GeoDataFrame:
    """Change (förändrings-) and development (utvecklings-) areas of the plan, an overlay layer."""
    return load_layer(
        source,
        layer=layer,
        kind="polygon",
        columns=CHANGE_AREA_COLUMNS,
        fields=CHANGE_AREA_FIELDS,
        column_map=column_map,
        assume_crs=assume_crs,
    )


def load_constraints(
    source: Source = DEMO_ZONING,
    *,
    layer: str | None = "constraints",
    column_map: Mapping[str, str] | None = None,
    assume_crs: str | None = None,
) -> gpd.GeoDataFrame:
    """Constraint areas (heritage, nature, water) that cannot be built on."""
    return load_layer(
        source,
        layer=layer,
        kind="polygon",
        columns=CONSTRAINT_COLUMNS,
        fields=CONSTRAINT_FIELDS,
        column_map=column_map,
        assume_crs=assume_crs,
    )
