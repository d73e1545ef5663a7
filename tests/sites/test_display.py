"""Display caps and the score grid, counted by hand."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
from shapely.geometry import box

from sites.display import display_parcels, score_grid


def _parcels(n: int) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({"parcel_id": [f"p{i}" for i in range(n)]},
                            geometry=[box(661_000 + 100 * i, 6_569_000, 661_050 + 100 * i, 6_569_050)
                                      for i in range(n)],
                            crs=3006)


def test_small_sets_are_drawn_whole_and_big_ones_keep_the_best():
    parcels = _parcels(10)
    scores = pd.Series([5, np.nan, 90, 40, 70, 10, np.nan, 80, 20, 60], dtype=float)
    assert len(display_parcels(parcels, scores)) == 10
    top = display_parcels(parcels, scores, max_parcels=3)
    assert top["parcel_id"].tolist() == ["p2", "p7", "p4"]


def test_score_grid_counts_and_best():
    parcels = _parcels(10)  # centroids at x = 661,025 + 100 i: five per 500 m cell
    scores = pd.Series([5, np.nan, 90, 40, 70, 10, np.nan, 80, 20, 60], dtype=float)
    grid = score_grid(parcels, scores, cell_m=500)
    assert grid["parcels"].tolist() == [5, 5]
    assert grid["best_score"].tolist() == [90, 80]
    assert grid["mean_score"].tolist() == [51.25, 42.5]
