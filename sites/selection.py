"""Which parcel a map click hits (the map cannot be clicked in tests, so this is pure and tested)."""

from __future__ import annotations

import geopandas as gpd
import shapely


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
