"""A frequency-based public-transport network: walk, wait half the headway, ride, transfer.

Method (documented in the README):

* **walk** along the street network at ``walk_speed_mps`` (both directions), and between a stop
  and its nearest street node in a straight line;
* **wait** half the *combined* headway when boarding at a stop: the window length divided by the
  departures in the window of every pattern that runs from that stop to the same next stop
  (two patterns on the same track, e.g. all-day and peak-extra trains, share one wait), capped;
* **ride** the median scheduled time between consecutive stops of the pattern (departure to
  departure, so the dwell at intermediate stops is included);
* **board** with a fixed penalty per boarding (``boarding_penalty_s``, as OpenTripPlanner's
  ``boardCost``): a network without travel state cannot tell a first boarding from a transfer
  (a transfer could always walk out to the street and back in), so every boarding pays it and a
  journey with one transfer pays it twice: the transfer penalty is the boarding penalty, and
  every public-transport journey carries it once as a constant;
* **transfer** by alighting (free) and boarding another pattern (its wait and boarding penalty
  again), or by walking between stops;
* **walk legs at both ends**: street node <-> stop in a straight line at walking speed, on the
  way in and on the way out.

Limits: no timetable synchronisation (a well-timed transfer costs half a headway like any
other), no fares or crowding, headways averaged over the window; when patterns that share a
first section later diverge, the shared wait is optimistic for riders bound for one branch.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Protocol

import numpy as np
import pandas as pd

from analysis.network import Network, cheapest_edges, snap_points

WALK_SPEED_MPS = 4.8 / 3.6  # 80 m per minute
#: Penalty per boarding, hence per transfer, seconds [U: an assumption; planning models use 2-10 min].
BOARDING_PENALTY_S = 120.0


class FeedLike(Protocol):
    """The GTFS tables the network needs (structural type of ``layers.transit.TransitFeed``)."""

    stops: pd.DataFrame
    trips: pd.DataFrame
    stop_times: pd.DataFrame


@dataclass(frozen=True)
class TransitNetwork:
    """Walk + public transport network; node indices ``0 .. n_walk-1`` are the street nodes.

    Attributes
    ----------
    network
        Costs in seconds.
    n_walk
        Number of street (walk) nodes at the start of the index.
    stop_ids
        GTFS stop ids of the stop nodes ``n_walk .. n_walk + len(stop_ids) - 1``.
    """

    network: Network
    n_walk: int
    stop_ids: np.ndarray


def transit_network(walk: Network, feed: FeedLike, *, start_s: float, end_s: float,
                    walk_speed_mps: float = WALK_SPEED_MPS, max_wait_s: float = 1800.0,
                    boarding_penalty_s: float = BOARDING_PENALTY_S) -> TransitNetwork:
    """Build the walk + transit network for trips running in a time window.

    Parameters
    ----------
    walk
        Street network with edge costs in metres (``network_from_graph(..., weight="length")``).
    feed
        Stops (EPSG:3006 points with ``stop_id``), trips and stop times of *one service day*
        (filter trips by service before calling).
    start_s, end_s
        Window in seconds after midnight (e.g. 07:00-09:00 = 25,200-32,400).
    walk_speed_mps
        Walking speed.
    max_wait_s
        Cap on the wait at a boarding (half-headway), for rare services.
    boarding_penalty_s
        Added to every boarding (so once more per transfer).

    Returns
    -------
    TransitNetwork
        Costs in seconds.
    """
    window = end_s - start_s
    n_walk = walk.size
    stops = feed.stops.reset_index(drop=True)
    n_stops = len(stops)
    stop_index = pd.Series(np.arange(n_stops) + n_walk, index=stops["stop_id"].to_numpy())
    sx, sy = stops.geometry.x.to_numpy(), stops.geometry.y.to_numpy()
    snap = snap_points(walk, sx, sy)
    walk_s = walk.matrix.tocoo()
    entry = stop_index.to_numpy()
    leg = snap.distance_m / walk_speed_mps
    # street <-> stop in a straight line, walked on the way in and on the way out
    rows = [walk_s.row, snap.node, entry]
    cols = [walk_s.col, entry, snap.node]
    costs = [walk_s.data / walk_speed_mps, leg, leg]

    st = feed.stop_times[feed.stop_times["trip_id"].isin(feed.trips["trip_id"])]
    st = st[st["stop_id"].isin(stop_index.index)]
    first = st.groupby("trip_id")["departure_s"].transform("min")
    last = st.groupby("trip_id")["arrival_s"].transform("max")
    st = st[(last >= start_s) & (first < end_s)].sort_values(["trip_id", "stop_sequence"], kind="stable")
    patterns = st.groupby("trip_id")["stop_id"].agg(tuple)
    pattern_of_trip = pd.Series(pd.factorize(patterns)[0], index=patterns.index)
    st = st.assign(pattern=st["trip_id"].map(pattern_of_trip).to_numpy(),
                   pos=st.groupby("trip_id").cumcount().to_numpy(),
                   next_stop=st.groupby("trip_id")["stop_id"].shift(-1).to_numpy())
    departing = st[st["next_stop"].notna() & (st["departure_s"] >= start_s) & (st["departure_s"] < end_s)]
    combined = departing.groupby(["stop_id", "next_stop"]).size()
    next_node = n_walk + n_stops
    for _, group in st.groupby("pattern", sort=True):
        trips = group["trip_id"].unique()
        n_pos = int(group["pos"].max()) + 1
        table = group.pivot_table(index="trip_id", columns="pos", values="departure_s", aggfunc="first")
        stop_seq = group[group["trip_id"] == trips[0]].sort_values("pos")["stop_id"].to_numpy()
        platform = next_node + np.arange(n_pos)
        next_node += n_pos
        in_window = ((table >= start_s) & (table < end_s)).sum(axis=0).reindex(range(n_pos)).fillna(0).to_numpy()
        shared = np.array([combined.get((a, b), 0) for a, b in itertools.pairwise(stop_seq)]
                          + [0], dtype="float64")
        wait = np.where(in_window > 0, np.minimum(window / np.maximum(shared, 1) / 2, max_wait_s), np.nan)
        ride = np.nanmedian(np.diff(table.reindex(columns=range(n_pos)).to_numpy(), axis=1), axis=0)
        stop_nodes = stop_index[stop_seq].to_numpy()
        board = np.flatnonzero(np.isfinite(wait[:-1]))
        rows += [stop_nodes[board], platform[1:]]
        cols += [platform[board], stop_nodes[1:]]
        costs += [wait[board] + boarding_penalty_s, np.zeros(n_pos - 1)]
        ok = np.isfinite(ride)
        rows.append(platform[:-1][ok])
        cols.append(platform[1:][ok])
        costs.append(np.maximum(ride[ok], 1.0))
    matrix = cheapest_edges(np.concatenate(rows).astype(np.int64), np.concatenate(cols).astype(np.int64),
                            np.concatenate(costs).astype("float64"), next_node)
    n_platforms = next_node - n_walk - n_stops
    x = np.r_[walk.x, sx, np.full(n_platforms, np.nan)]
    y = np.r_[walk.y, sy, np.full(n_platforms, np.nan)]
    ids = np.r_[walk.ids.astype(object), stops["stop_id"].to_numpy(dtype=object),
                np.array([f"platform {i}" for i in range(n_platforms)], dtype=object)]
    return TransitNetwork(Network(matrix, x, y, ids), n_walk, stops["stop_id"].to_numpy())
