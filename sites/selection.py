"""Which parcel a map click hits (the map cannot be clicked in tests, so this is pure and tested)."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import shapely
import shapely.geometry


def parcel_at(parcels_wgs84: gpd.GeoDataFrame, lat: float, lon: float, *, tolerance_deg: float = 0.00005) -> str | None:
    """The ``parcel_id`` of the parcel containing (lat, lon), or the nearest within ``tolerance_deg``.

    Parameters
    ----------
    parcels_wgs84
        Parcels in EPSG:4326 with a ``parcel_id`` column.
    lat, lon
        The clicked position.
    tolerance_deg
        How far outside a parcel a click may land (about 5 m) and still select it.

    Returns
    -------
    str or None
        None when the click is on no parcel (or the numbers are not usable).
    """
    try:
        point = shapely.Point(float(lon), float(lat))
    except (TypeError, ValueError):
        return None
    if not point.is_valid or point.is_empty:
        return None
    hits = parcels_wgs84.sindex.query(point, predicate="intersects")
    if len(hits):
        return str(parcels_wgs84["parcel_id"].iloc[hits[0]])
    near = parcels_wgs84.sindex.query(point.buffer(tolerance_deg), predicate="intersects")
    if len(near):
        dist = shapely.distance(parcels_wgs84.geometry.to_numpy()[near], point)  # degrees: only compared
        return str(parcels_wgs84["parcel_id"].iloc[near[int(dist.argmin())]])
    return None


def drawn_area(features: list | None) -> shapely.Geometry | None:
    """The last polygon drawn on the map (GeoJSON features in WGS84) in EPSG:3006, or None.

    Parameters
    ----------
    features
        ``all_drawings`` from the map: GeoJSON features in lon/lat.

    Returns
    -------
    shapely.Geometry or None
        A valid polygon in SWEREF 99 TM; None when there is none or it cannot be used.
    """
    from pyproj import Transformer

    if not features:
        return None
    polygons = [f.get("geometry") for f in features if isinstance(f, dict)
                and (f.get("geometry") or {}).get("type") in ("Polygon", "MultiPolygon")]
    if not polygons:
        return None
    try:
        geom = shapely.geometry.shape(polygons[-1])
    except (TypeError, ValueError, KeyError, AttributeError):
        return None
    to_3006 = Transformer.from_crs("EPSG:4326", "EPSG:3006", always_xy=True)
    projected = shapely.transform(geom, lambda xy: np.column_stack(to_3006.transform(xy[:, 0], xy[:, 1])))
    if projected.is_empty or not projected.is_valid or projected.area <= 0:
        return None
    return projected
