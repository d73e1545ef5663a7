"""Labour pool: residents who can reach a parcel, cumulative (30/45 min) and Hansen gravity.

Population cells are snapped to their nearest network node and aggregated per node, so the
number of shortest-path searches is the number of distinct origin nodes, not of cells or
parcels. Searches run from the homes (commute direction home -> work) up to a horizon, and
keep a travel-time matrix ``origin nodes x parcel nodes`` from which every threshold and any
decay parameter are evaluated without routing again.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from analysis.network import Network, costs_from_sources, snap_points


@dataclass(frozen=True)
class Catchment:
    """Travel times from populated origins to parcels on one network.

    Attributes
    ----------
    times_s
        ``origins x parcel nodes`` network times in seconds (float32, inf beyond the horizon).
    origin_population
        Residents per origin for each population group (``"all"`` and any others).
    origin_leg_s
        Mean access time from the origin's cells to its node (population-weighted).
    parcel_column
        For each parcel, its column in ``times_s``.
    parcel_leg_s
        Access time from each parcel to its node.
    """

    times_s: np.ndarray
    origin_population: Mapping[str, np.ndarray]
    origin_leg_s: np.ndarray
    parcel_column: np.ndarray
    parcel_leg_s: np.ndarray


def catchment(network: Network, cell_x: np.ndarray, cell_y: np.ndarray, groups: Mapping[str, np.ndarray],
              parcel_x: np.ndarray, parcel_y: np.ndarray, *, horizon_s: float, leg_speed_mps: float,
              among: np.ndarray | None = None) -> Catchment:
    """Route from every populated node to every parcel node up to ``horizon_s``.

    Parameters
    ----------
    network
        Costs in seconds (car, or walk + public transport).
    cell_x, cell_y
        Population cell centres, EPSG:3006.
    groups
        Residents per cell for each group; must include ``"all"`` (e.g. also ``"Botkyrka"``).
    parcel_x, parcel_y
        Parcel points.
    horizon_s
        Longest travel time kept.
    leg_speed_mps
        Speed of the straight access legs (cell -> node, node -> parcel).
    among
        Node indices that points may snap to (e.g. street nodes of a transit network).

    Returns
    -------
    Catchment
        Everything the cumulative and gravity measures need.
    """
    pop = np.asarray(groups["all"], dtype="float64")
    keep = pop > 0
    snap = snap_points(network, np.asarray(cell_x)[keep], np.asarray(cell_y)[keep], among=among)
    nodes, inverse = np.unique(snap.node, return_inverse=True)
    weight = pop[keep]
    totals = np.bincount(inverse, weights=weight, minlength=len(nodes))
    leg = np.bincount(inverse, weights=weight * snap.distance_m / leg_speed_mps, minlength=len(nodes))
    leg = np.divide(leg, totals, out=np.zeros_like(leg), where=totals > 0)
    origin_population = {name: np.bincount(inverse, weights=np.asarray(values, dtype="float64")[keep],
                                           minlength=len(nodes)) for name, values in groups.items()}
    psnap = snap_points(network, parcel_x, parcel_y, among=among)
    targets, column = np.unique(psnap.node, return_inverse=True)
    times = costs_from_sources(network, nodes, targets, limit_s=horizon_s)
    return Catchment(times, origin_population, leg, column, psnap.distance_m / leg_speed_mps)


def residents_within(c: Catchment, minutes: float, *, group: str = "all", chunk: int = 4096) -> np.ndarray:
    """Residents of ``group`` who reach each parcel within ``minutes`` (legs included)."""
    limit = minutes * 60
    pop = c.origin_population[group]
    out = np.empty(len(c.parcel_column))
    for start in range(0, len(out), chunk):
        cols = c.parcel_column[start : start + chunk]
        total = c.origin_leg_s[:, None] + c.times_s[:, cols] + c.parcel_leg_s[None, start : start + chunk]
        out[start : start + chunk] = pop @ (total <= limit)
    return out


def gravity(c: Catchment, beta_per_min: float, *, group: str = "all") -> np.ndarray:
    """Hansen accessibility ``sum_j O_j exp(-beta t_ij)`` with ``t`` in minutes (legs included).

    Origins beyond the catchment's horizon contribute nothing.
    """
    beta = beta_per_min / 60.0
    weights = c.origin_population[group] * np.exp(-beta * c.origin_leg_s)
    per_column = weights @ np.exp(-beta * c.times_s.astype("float64"))
    return per_column[c.parcel_column] * np.exp(-beta * c.parcel_leg_s)
