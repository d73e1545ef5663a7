"""The isochrone set of a site: car 10/20/30 min and public transport 45 min from its centroid.

One pure function used by the app's site panel and map, the prospectus and the command line, so
the three show the same areas.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np

from analysis.isochrones import isochrones
from errors import ParameterError
from sites.dataset import Dataset
from sites.indicators import Networks
from texts import text

#: Car isochrone times, minutes.
CAR_MINUTES = (10, 20, 30)
#: Public transport isochrone time (walk + ride, peak), minutes.
PT_MINUTES = 45
#: Buffer around each reached node, metres (the area one covers on foot from the road or stop).
REACH_M = 300.0
#: Line colour of each isochrone key, shared by the app's map and the prospectus.
ISOCHRONE_COLOURS = {"car 10 min": "#1a9850", "car 20 min": "#fee08b", "car 30 min": "#d73027",
                     "public transport 45 min": "#4575b4"}


def site_isochrones(ds: Dataset, parcel_id: str, networks: Networks, *, lang: str = "sv") -> gpd.GeoDataFrame:
    """Car 10/20/30 min and public transport 45 min from a parcel's centroid.

    Parameters
    ----------
    ds
        The dataset holding the parcel.
    parcel_id
        The parcel.
    networks
        The dataset's networks (:func:`sites.indicators.build_networks`).
    lang
        Language of the ``label`` column.

    Returns
    -------
    geopandas.GeoDataFrame
        Four rows in EPSG:3006: ``key`` (stable machine name, e.g. ``"car 10 min"``), ``label`` (in
        ``lang``), ``mode`` (``car``/``pt``), ``minutes``, ``order`` (1 = smallest) and the polygon.

    Raises
    ------
    ParameterError
        If the parcel is not in the dataset.
    """
    row = ds.parcels.loc[ds.parcels["parcel_id"] == parcel_id]
    if row.empty:
        raise ParameterError(f"parcel '{parcel_id}' is not in the dataset; isochrones need one of its parcel ids")
    c = row.geometry.iloc[0].centroid
    drive = networks.drive
    car_node = int(np.argmin((drive.x - c.x) ** 2 + (drive.y - c.y) ** 2))
    car = isochrones(drive, car_node, list(CAR_MINUTES), reach_m=REACH_M)
    pt = networks.pt
    street = np.arange(pt.n_walk)
    pt_node = int(street[np.argmin((pt.network.x[street] - c.x) ** 2 + (pt.network.y[street] - c.y) ** 2)])
    (pt45,) = isochrones(pt.network, pt_node, [PT_MINUTES], reach_m=REACH_M, among=street)
    keys = [*(f"car {m} min" for m in CAR_MINUTES), f"public transport {PT_MINUTES} min"]
    labels = [*(text("iso.car", lang, minutes=m) for m in CAR_MINUTES), text("iso.pt", lang, minutes=PT_MINUTES)]
    return gpd.GeoDataFrame({"key": keys, "label": labels, "mode": ["car"] * len(CAR_MINUTES) + ["pt"],
                             "minutes": [*CAR_MINUTES, PT_MINUTES], "order": list(range(1, len(keys) + 1))},
                            geometry=[*car, pt45], crs=ds.parcels.crs)
