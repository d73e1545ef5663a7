"""Jobs potential: developable area x plot ratio / floor area per job."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd

from analysis.profiles import Profile


def constrained_area(parcels: gpd.GeoSeries, constraints: gpd.GeoSeries) -> pd.Series:
    """Area (m²) of each parcel covered by any constraint area (heritage, nature, water).

    Parameters
    ----------
    parcels
        Parcel polygons, EPSG:3006.
    constraints
        Constraint polygons, EPSG:3006.

    Returns
    -------
    pandas.Series
        Indexed like ``parcels``.
    """
    if constraints.empty:
        return pd.Series(0.0, index=parcels.index)
    union = constraints.union_all()
    return parcels.intersection(union).area.rename("constrained_m2")


def developable_area(area_m2: pd.Series, constrained_m2: pd.Series, built_share: pd.Series) -> pd.Series:
    """Land that can take new floor area: unconstrained land, less the built footprint that stays.

    ``developable = (area - constrained) x (1 - built_footprint_share)``: the existing footprint is
    assumed to lie on unconstrained land in the same proportion as the parcel.
    """
    free = (area_m2 - constrained_m2).clip(lower=0)
    return (free * (1 - built_share.clip(0, 1))).rename("developable_m2")


def jobs_potential(developable_m2: pd.Series, max_plot_ratio: pd.Series, profile: Profile) -> pd.DataFrame:
    """Floor area and jobs a profile could place on each parcel.

    Parameters
    ----------
    developable_m2
        Developable land per parcel.
    max_plot_ratio
        The plan's maximum plot ratio (NaN where no plan sets one).
    profile
        Supplies the plot ratio and m² BTA per job.

    Returns
    -------
    pandas.DataFrame
        ``plot_ratio_used``, ``floor_area_bta_m2`` and ``jobs_est``.
    """
    ratio = np.fmin(profile.plot_ratio, max_plot_ratio.to_numpy(dtype="float64"))
    bta = developable_m2.to_numpy(dtype="float64") * ratio
    return pd.DataFrame({"plot_ratio_used": ratio, "floor_area_bta_m2": bta, "jobs_est": bta / profile.m2_per_job},
                        index=developable_m2.index)
