"""Labour pool: residents who can reach a parcel, cumulative (30/45 min) and Hansen gravity.

Population cells are snapped to their nearest network node and aggregated per node, so the
number of shortest-path searches is the number of distinct origin nodes, not of cells or
parcels. Searches run from the homes (commute direction home -> work) up to a horizon.
``catchment`` keeps the travel-time matrix ``origin nodes x parcel nodes``, from which every
threshold and any decay parameter are evaluated without routing again; ``labour_pool`` gives the
same counts for chosen thresholds and one decay without keeping it (memory = chunk x network), for
datasets whose matrix would not fit. Both route on a ``Network`` (one search over it per origin, the
car) or on a ``TransitRouter`` (access walk, a search over the stops, egress walks: public transport).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from analysis.network import Network, costs_from_sources, snap_points
from analysis.transit_router import TransitRouter

#: What the labour pool routes on: a network searched whole, or a transit network through its stops.
Routing = Network | TransitRouter


def _network(routing: Routing) -> Network:
    """The network origins and parcels snap to."""
    return routing if isinstance(routing, Network) else routing.network


def _costs(routing: Routing, sources: np.ndarray, targets: np.ndarray, *, limit_s: float,
           chunk: int = 64) -> np.ndarray:
    """Times ``sources x targets`` (float32, inf beyond ``limit_s``) on either kind of routing."""
    if isinstance(routing, Network):
        return costs_from_sources(routing, sources, targets, limit_s=limit_s, chunk=chunk)
    return routing.costs(sources, targets, limit_s=limit_s, chunk=chunk)


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


@dataclass(frozen=True)
class Origins:
    """Populated network nodes: residents per group, mean access time from their cells."""

    nodes: np.ndarray
    leg_s: np.ndarray
    population: Mapping[str, np.ndarray]


def origins_from_cells(network: Network, cell_x: np.ndarray, cell_y: np.ndarray, groups: Mapping[str, np.ndarray],
                       *, leg_speed_mps: float, among: np.ndarray | None = None) -> Origins:
    """Snap populated cells to nodes and add up residents per node and group.

    Parameters
    ----------
    network
        The network the cells snap to.
    cell_x, cell_y
        Cell centres, EPSG:3006.
    groups
        Residents per cell for each group; must include ``"all"``.
    leg_speed_mps
        Speed of the straight leg from a cell centre to its node.
    among
        Node indices the cells may snap to.

    Returns
    -------
    Origins
        One entry per distinct node.
    """
    pop = np.asarray(groups["all"], dtype="float64")
    keep = pop > 0
    snap = snap_points(network, np.asarray(cell_x)[keep], np.asarray(cell_y)[keep], among=among)
    nodes, inverse = np.unique(snap.node, return_inverse=True)
    weight = pop[keep]
    totals = np.bincount(inverse, weights=weight, minlength=len(nodes))
    leg = np.bincount(inverse, weights=weight * snap.distance_m / leg_speed_mps, minlength=len(nodes))
    leg = np.divide(leg, totals, out=np.zeros_like(leg), where=totals > 0)
    population = {name: np.bincount(inverse, weights=np.asarray(values, dtype="float64")[keep],
                                    minlength=len(nodes)) for name, values in groups.items()}
    return Origins(nodes, leg, population)


def catchment(routing: Routing, cell_x: np.ndarray, cell_y: np.ndarray, groups: Mapping[str, np.ndarray],
              parcel_x: np.ndarray, parcel_y: np.ndarray, *, horizon_s: float, leg_speed_mps: float,
              among: np.ndarray | None = None) -> Catchment:
    """Route from every populated node to every parcel node up to ``horizon_s`` and keep the times.

    Keeps an ``origins x parcel nodes`` matrix, so any threshold or decay is evaluated later
    without routing; for very large datasets use ``labour_pool``, which streams instead.

    Parameters
    ----------
    routing
        Costs in seconds: a network (car), or a ``TransitRouter`` (walk + public transport).
    cell_x, cell_y
        Population cell centres, EPSG:3006.
    groups
        Residents per cell for each group; must include ``"all"`` (e.g. also ``"municipality"``).
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
    network = _network(routing)
    origins = origins_from_cells(network, cell_x, cell_y, groups, leg_speed_mps=leg_speed_mps, among=among)
    psnap = snap_points(network, parcel_x, parcel_y, among=among)
    targets, column = np.unique(psnap.node, return_inverse=True)
    times = _costs(routing, origins.nodes, targets, limit_s=horizon_s)
    return Catchment(times, origins.population, origins.leg_s, column, psnap.distance_m / leg_speed_mps)


def labour_pool(routing: Routing, origins: Origins, parcel_x: np.ndarray, parcel_y: np.ndarray, *,
                thresholds_min: Mapping[str, tuple[float, str]], leg_speed_mps: float,
                beta_per_min: float | None = None, horizon_s: float | None = None, among: np.ndarray | None = None,
                chunk: int = 64, workers: int = 1) -> dict[str, np.ndarray]:
    """Cumulative labour pools (and optionally Hansen gravity) without keeping a time matrix.

    Routes from the origins in chunks and adds each chunk's residents to the parcels it reaches,
    so memory stays at ``chunk x network`` whatever the number of parcels.

    Parameters
    ----------
    routing
        Costs in seconds: a network, or a ``TransitRouter``.
    origins
        From ``origins_from_cells``.
    parcel_x, parcel_y
        Parcel points.
    thresholds_min
        Output name -> (minutes, population group), e.g. ``{"residents_30min_car": (30, "all")}``.
    leg_speed_mps
        Speed of the parcel access leg.
    beta_per_min
        If given, also ``"gravity"``: origins up to ``horizon_s`` of network time count.
    horizon_s
        Longest network time routed; the longest threshold by default. Pass the horizon of a
        ``catchment`` to get the same gravity (``catchment`` counts origins up to its horizon).
    among
        Node indices parcels may snap to.
    chunk
        Origins routed per scipy call.
    workers
        Processes to route with (fork start method; 1 = in this process).

    Returns
    -------
    dict
        Output name -> residents per parcel.
    """
    psnap = snap_points(_network(routing), parcel_x, parcel_y, among=among)
    targets, column = np.unique(psnap.node, return_inverse=True)
    longest = max(m for m, _ in thresholds_min.values()) * 60
    horizon = longest if horizon_s is None else max(float(horizon_s), longest)
    order = np.argsort(column, kind="stable")
    parcels_of = _ParcelsOf(order, np.searchsorted(column[order], np.arange(len(targets) + 1)))
    job = _Job(routing, _by_tile(_network(routing), origins), targets, column, psnap.distance_m / leg_speed_mps,
               dict(thresholds_min), beta_per_min, horizon, chunk, parcels_of)
    out = {name: np.zeros(len(column)) for name in thresholds_min}
    gravity = np.zeros(len(targets))
    for sums, to_targets in _map(job, workers):
        for name, values in sums.items():
            out[name] += values
        if to_targets is not None:
            gravity += to_targets
    if beta_per_min is not None:
        out["gravity"] = gravity[column] * np.exp(-beta_per_min / 60.0 * job.leg_p)
    return out


def _by_tile(network: Network, origins: Origins, tile_m: float = 2000.0) -> Origins:
    """Origins in the order of 2 km tiles, so a chunk's access walks share pieces of the network."""
    x, y = network.x[origins.nodes], network.y[origins.nodes]
    order = np.lexsort((np.floor(y / tile_m), np.floor(x / tile_m)))
    return Origins(origins.nodes[order], origins.leg_s[order],
                   {name: values[order] for name, values in origins.population.items()})


#: Size of the temporaries of a dense chunk (below glibc's largest mmap threshold, so they are reused).
DENSE_BLOCK_BYTES = 16 * 2**20
#: A chunk whose searches reached fewer than this share of the parcel nodes is summed pair by pair.
SPARSE_BELOW = 0.25


@dataclass(frozen=True)
class _Job:
    """What every chunk of a streamed labour pool needs (shared with forked workers)."""

    routing: Routing
    origins: Origins
    targets: np.ndarray
    column: np.ndarray
    leg_p: np.ndarray
    thresholds_min: dict[str, tuple[float, str]]
    beta_per_min: float | None
    horizon_s: float
    chunk: int
    parcels_of: _ParcelsOf


def _chunk_sums(job: _Job, start: int) -> tuple[dict[str, np.ndarray], np.ndarray | None]:
    """Residents per parcel for each threshold, and gravity per target node, from one chunk of origins."""
    o = job.origins
    rows = slice(start, start + job.chunk)
    block = _costs(job.routing, o.nodes[rows], job.targets, limit_s=job.horizon_s, chunk=job.chunk)
    pop = {name: o.population[group][rows] for name, (_, group) in job.thresholds_min.items()}
    weights = None
    if job.beta_per_min is not None:
        beta = job.beta_per_min / 60.0
        weights = o.population["all"][rows] * np.exp(-beta * o.leg_s[rows])
    finite = np.isfinite(block)
    if finite.mean() < SPARSE_BELOW:  # short searches (car): only the pairs within the horizon
        r, t = np.nonzero(finite)
        d = block[r, t]
        n_each = job.parcels_of.starts[t + 1] - job.parcels_of.starts[t]
        pair = np.repeat(np.arange(len(t)), n_each)
        parcel = job.parcels_of.order[np.repeat(job.parcels_of.starts[t], n_each)
                                      + np.arange(n_each.sum()) - np.repeat(np.cumsum(n_each) - n_each, n_each)]
        # float64 and the same order of additions as ``residents_within``: identical threshold tests
        total = o.leg_s[rows][r[pair]] + d[pair] + job.leg_p[parcel]
        sums = {name: np.bincount(parcel, weights=pop[name][r[pair]] * (total <= minutes * 60),
                                  minlength=len(job.column))
                for name, (minutes, _) in job.thresholds_min.items()}
        to_targets = None
        if weights is not None:
            to_targets = np.bincount(t, weights=weights[r] * np.exp(-beta * d.astype("float64")),
                                     minlength=len(job.targets))
        return sums, to_targets
    sums = {name: np.empty(len(job.column)) for name in job.thresholds_min}
    by_minutes = {}
    for name, (minutes, _) in job.thresholds_min.items():
        by_minutes.setdefault(minutes, []).append(name)
    stacked = {m: np.stack([pop[name] for name in names]) for m, names in by_minutes.items()}
    step = max(1, DENSE_BLOCK_BYTES // (8 * block.shape[0]))  # parcels per block: temporaries stay small
    for first in range(0, len(job.column), step):
        cols = slice(first, first + step)
        total = o.leg_s[rows, None] + block[:, job.column[cols]] + job.leg_p[None, cols]
        for minutes, names in by_minutes.items():  # one mask and one product per threshold time
            counts = stacked[minutes] @ (total <= minutes * 60)
            for name, values in zip(names, counts, strict=True):
                sums[name][cols] = values
    to_targets = None if weights is None else weights @ np.exp(-beta * block.astype("float64"))
    return sums, to_targets


@dataclass(frozen=True)
class _ParcelsOf:
    """Parcels per target node: ``order[starts[t]:starts[t + 1]]`` are the parcels of target ``t``."""

    order: np.ndarray
    starts: np.ndarray


def _map(job: _Job, workers: int):
    """Chunk sums in order, in this process or in ``workers`` forked processes."""
    starts = range(0, len(job.origins.nodes), job.chunk)
    if workers <= 1:
        for start in starts:
            yield _chunk_sums(job, start)
        return
    import multiprocessing as mp

    global _SHARED
    _SHARED = job
    try:
        with mp.get_context("fork").Pool(workers) as pool:
            yield from pool.imap(_route_chunk, starts)
    finally:
        _SHARED = None


_SHARED: _Job | None = None


def _route_chunk(start: int) -> tuple[dict[str, np.ndarray], np.ndarray | None]:
    return _chunk_sums(_SHARED, start)


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
