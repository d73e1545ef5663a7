"""Overlay of parcels with the comprehensive plan: dominant land-use category, change areas."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd


def dominant_category(parcels: gpd.GeoSeries, land_use: gpd.GeoDataFrame) -> pd.Series:
    """The ÖP category covering the largest part of each parcel (None where none covers it).

    Parameters
    ----------
    parcels
        Parcel polygons, EPSG:3006.
    land_use
        Polygons with a ``category`` column, same CRS.

    Returns
    -------
    pandas.Series
        ``op_category`` indexed like ``parcels``.
    """
    left = gpd.GeoDataFrame({"pid": range(len(parcels))}, geometry=parcels.to_numpy(), crs=parcels.crs)
    pieces = gpd.overlay(left, land_use[["category", "geometry"]], how="intersection", keep_geom_type=True)
    pieces["a"] = pieces.area
    best = pieces.groupby(["pid", "category"])["a"].sum().reset_index().sort_values("a", ascending=False)
    best = best.drop_duplicates("pid").set_index("pid")["category"]
    values = best.reindex(range(len(parcels))).to_numpy()
    return pd.Series(values, index=parcels.index, name="op_category", dtype=object)


def change_area_names(parcels: gpd.GeoSeries, change_areas: gpd.GeoDataFrame) -> pd.Series:
    """Names of the change/development areas each parcel's centroid lies in, joined by '; '."""
    pts = gpd.GeoDataFrame({"pid": range(len(parcels))}, geometry=parcels.centroid.to_numpy(), crs=parcels.crs)
    hits = gpd.sjoin(pts, change_areas[["name", "geometry"]], predicate="within")
    names = hits.groupby("pid")["name"].agg(lambda s: "; ".join(sorted(s)))
    return pd.Series(names.reindex(range(len(parcels))).fillna("").to_numpy(), index=parcels.index,
                     name="change_areas")
