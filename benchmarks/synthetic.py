"""Synthetic large inputs for the benchmarks: parcels, indicator tables and a grid road network."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from scipy.sparse import csr_matrix

from analysis.network import Network

E0, N0 = 640_000.0, 6_550_000.0
#: Profile the synthetic parcels are built for: its plan codes and minimum plot (2,000 m²) leave
#: about 95 % of them eligible (``eligible_share`` reports the exact share).
PROFILE = "mixed_service"


def grid_network(side: int = 500, spacing: float = 100.0, seed: int = 0) -> Network:
    """A ``side x side`` two-way street grid (250,000 nodes at 500) with 25-50 km/h streets."""
    rng = np.random.default_rng(seed)
    idx = np.arange(side * side).reshape(side, side)
    a = np.r_[idx[:, :-1].ravel(), idx[:-1, :].ravel()]
    b = np.r_[idx[:, 1:].ravel(), idx[1:, :].ravel()]
    cost = spacing / rng.uniform(7, 14, len(a))
    rows, cols, costs = np.r_[a, b], np.r_[b, a], np.r_[cost, cost]
    x = E0 + (np.arange(side * side) % side) * spacing
    y = N0 + (np.arange(side * side) // side) * spacing
    return Network(csr_matrix((costs, (rows, cols)), shape=(side * side, side * side)), x, y,
                   np.arange(side * side))


def population_cells(extent_m: float = 50_000, cell: float = 1000.0, seed: int = 1) -> tuple[np.ndarray, ...]:
    """SCB-like 1 km cells over the network, 60 % of them populated."""
    rng = np.random.default_rng(seed)
    centres = np.arange(cell / 2, extent_m, cell)
    cx, cy = np.meshgrid(E0 + centres, N0 + centres)
    pop = np.where(rng.random(cx.size) < 0.6, rng.integers(50, 3000, cx.size), 0).astype(float)
    return cx.ravel(), cy.ravel(), pop


def parcels(n: int = 100_000, seed: int = 2) -> gpd.GeoDataFrame:
    """``n`` rectangular parcels (45-75 x 45-60 m, 2,000-4,500 m²) in the centre of the network.

    Plan use codes are business or centre uses except 5 % housing (B), so the mixed-service
    profile (codes Z, K, J, H, C; plots >= 2,000 m²) can use about 95 % of the parcels.
    """
    rng = np.random.default_rng(seed)
    side = int(np.ceil(np.sqrt(n)))
    k = np.arange(n)
    x0 = E0 + 10_000 + (k % side) * 80.0
    y0 = N0 + 10_000 + (k // side) * 65.0
    geoms = shapely.box(x0, y0, x0 + rng.uniform(45, 75, n), y0 + rng.uniform(45, 60, n))
    codes = np.array(["Z", "J", "K", "H", "C", "B"])
    return gpd.GeoDataFrame({
        "parcel_id": [f"P{i:06d}" for i in k], "designation": [f"Syntet {i // 1000 + 1}:{i % 1000 + 1}" for i in k],
        "area_m2": shapely.area(geoms), "owner_type": rng.choice(["municipal", "private"], n),
        "current_use": "industry", "built_footprint_share": rng.uniform(0, 0.5, n), "vacant": rng.random(n) < 0.2,
        "plan_status": rng.choice(["adopted", "none", "in_progress"], n),
        "plan_use_code": rng.choice(codes, n, p=[0.19] * 5 + [0.05]),
        "max_plot_ratio": rng.choice([0.5, 0.8, np.nan], n), "plan_name": None, "area_name": "Syntet",
        "new_land": False,
    }, geometry=geoms, crs="EPSG:3006")


def indicator_table(parcels: gpd.GeoDataFrame, seed: int = 3) -> pd.DataFrame:
    """Random but plausible indicators for ``parcels``."""
    rng = np.random.default_rng(seed)
    n = len(parcels)
    return pd.DataFrame({
        "constrained_m2": 0.0, "developable_m2": parcels["area_m2"].to_numpy() * rng.uniform(0.3, 1, n),
        "op_category": "Verksamheter", "change_areas": "", "readiness_index": rng.random(n),
        "car_min_to_junction": rng.uniform(0.5, 20, n), "nearest_junction": "Syntet",
        "car_network_s": 0.0, "car_snap_node": 0, "walk_m_to_rail_stop": rng.uniform(50, 5000, n),
        "nearest_rail_stop": "Syntet C", "departures_per_hour_600m": rng.uniform(0, 40, n),
        "departures_per_hour_1200m": rng.uniform(0, 60, n), "residents_30min_car": rng.uniform(1e5, 1e6, n),
        "residents_45min_pt": rng.uniform(1e4, 6e5, n), "labour_gravity_pt": rng.uniform(1e3, 1e5, n),
        "local_hire_30min_botkyrka": rng.uniform(0, 6e4, n),
    }, index=parcels.index)


def eligible_share(reasons: pd.Series) -> float:
    """Share of parcels with no exclusion reason (0..1)."""
    return float(reasons.isna().mean())
