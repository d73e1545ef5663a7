"""Travel times over a walk + public-transport network, routed through its stops.

One search over the whole walk + transit network per origin visits every street node of a
county (376k nodes, 0.15 s each); most of that work is walking, which is the same for every
origin. So, as Conveyal's R5 does, a journey is cut into its parts and only the transit part is
searched per origin:

* **access**: walk from the origin to the stops within ``max_walk_s`` (a search on the local
  street network around the origin, which also gives the direct walk to nearby parcels);
* **transit**: a search over the stops and platforms only (boardings, rides, alightings of
  ``analysis.transit_network``), with walking transfers between stops up to ``max_transfer_s``;
* **egress**: from each stop, walks of up to ``max_walk_s`` to the parcels' street nodes,
  found once for all origins; a parcel's time is the best over the stops near it.

With both caps at least the horizon the times equal those of one search over the whole network
(a test checks it on the demo). Finite caps are R5's convention (a walk of at most 20 minutes at
each end, its default ``maxWalkTime``, and transfers within 1 km); here 30 and 15 minutes, so
that on the demo, whose bus network is thinner than the real one, the 45-minute pools stay within
1 % of the uncapped search in total (median parcel 0.1 %, worst 16 %; at 20 minutes the total
loses 3 % and single parcels far from any stop up to 96 %). Journeys that need a longer walk to or from a
stop, or a longer walking transfer, are not found (nor walks without transit beyond the cap,
except through a stop), so times are never shorter than the uncapped ones and pools never larger.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra

from analysis.network import Network, cheapest_edges, nodes_within
from analysis.transit_network import WALK_SPEED_MPS, TransitNetwork

#: Longest walk to or from a stop, or instead of transit [U: R5's default maxWalkTime is 20 min].
MAX_WALK_S = 30 * 60.0
#: Longest walking transfer between two stops [U: R5 finds transfers within 1 km, ~12.5 min].
MAX_TRANSFER_S = 15 * 60.0


@dataclass(frozen=True)
class TransitRouter:
    """A transit network prepared for routing through its stops.

    Attributes
    ----------
    network
        The street + stop part of the walk + transit network (seconds); origins and parcels
        snap to its street nodes ``0 .. n_walk - 1``, numbered as in the full network.
    n_walk
        Number of street nodes.
    n_stops
        Number of stops (nodes ``n_walk .. n_walk + n_stops - 1`` of the full network).
    skeleton
        Stops and platforms (local numbering: stop ``i`` is node ``i``) with the boarding,
        riding and alighting edges and walking transfers between stops.
    egress_starts, egress_stop, egress_s
        Walks from stops to street nodes within ``max_walk_s``, grouped by street node:
        ``egress_stop[egress_starts[v]:egress_starts[v + 1]]`` are the stops (local numbers)
        within the walk of node ``v``, ``egress_s`` the walks.
    max_walk_s
        The walk cap.
    """

    network: Network
    n_walk: int
    n_stops: int
    skeleton: csr_matrix
    egress_starts: np.ndarray
    egress_stop: np.ndarray
    egress_s: np.ndarray
    max_walk_s: float

    def costs(self, sources: np.ndarray, targets: np.ndarray, *, limit_s: float, chunk: int = 64) -> np.ndarray:
        """Travel times ``sources x targets`` (float32, inf beyond ``limit_s``); both are street nodes.

        Parameters
        ----------
        sources, targets
            Street node indices (``< n_walk``).
        limit_s
            Longest time kept.
        chunk
            Sources searched together (memory: ``chunk x`` stops and platforms).

        Returns
        -------
        numpy.ndarray
            Best of the direct walk and every access + transit + egress journey.
        """
        sources = np.asarray(sources, dtype=np.int64)
        targets = np.asarray(targets, dtype=np.int64)
        out = np.full((len(sources), len(targets)), np.inf, dtype="float32")
        column = np.full(self.n_walk, -1, dtype=np.int64)
        column[targets] = np.arange(len(targets))
        # egress pairs of the targets, grouped by target (targets without a stop within the walk drop out)
        n_each = self.egress_starts[targets + 1] - self.egress_starts[targets]
        has = np.flatnonzero(n_each)
        counts = n_each[has]
        seg = np.cumsum(counts) - counts
        pair = np.repeat(self.egress_starts[targets[has]] - seg, counts) + np.arange(counts.sum())
        stop, walk_s = self.egress_stop[pair], self.egress_s[pair]
        buf = np.empty(len(pair), dtype="float32")  # reused: a fresh 10-40 MB array per row costs its page faults
        for first in range(0, len(sources), chunk):
            rows = out[first : first + chunk]
            node, src, walk = nodes_within(self.network, sources[first : first + chunk],
                                           limit=min(self.max_walk_s, limit_s), metres_per_unit=WALK_SPEED_MPS)
            direct = (node < self.n_walk) & (column[np.minimum(node, self.n_walk - 1)] >= 0)
            rows[src[direct], column[node[direct]]] = walk[direct]
            if not len(has):
                continue
            at_stop = (node >= self.n_walk) & (node < self.n_walk + self.n_stops)
            stop_times = self._stop_times(src[at_stop], node[at_stop] - self.n_walk, walk[at_stop], len(rows),
                                          limit_s)
            for row in range(len(rows)):
                np.take(stop_times[row], stop, out=buf, mode="clip")  # "raise" would buffer the output
                np.add(buf, walk_s, out=buf)
                via = np.minimum.reduceat(buf, seg)
                np.minimum(rows[row, has], via, out=via)
                rows[row, has] = via
        out[out > limit_s] = np.inf
        return out

    def _stop_times(self, source: np.ndarray, stop: np.ndarray, walk_s: np.ndarray, n_sources: int,
                    limit_s: float) -> np.ndarray:
        """Arrival at every stop (``n_sources x n_stops``, float32) from the access walks given."""
        n = self.skeleton.shape[0]
        base = self.skeleton.tocoo()
        virtual = n + np.arange(n_sources)
        rows = np.r_[base.row, virtual[source]]
        cols = np.r_[base.col, stop]
        data = np.r_[base.data, np.maximum(walk_s, 1e-9)]
        matrix = csr_matrix((data, (rows, cols)), shape=(n + n_sources, n + n_sources))
        times = np.atleast_2d(dijkstra(matrix, directed=True, indices=virtual, limit=limit_s))
        return times[:, : self.n_stops].astype("float32")


def transit_router(pt: TransitNetwork, *, max_walk_s: float = MAX_WALK_S,
                   max_transfer_s: float = MAX_TRANSFER_S) -> TransitRouter:
    """Split a walk + transit network into its street part, its stop skeleton and the stops' walks.

    Parameters
    ----------
    pt
        From ``analysis.transit_network.transit_network`` (nodes: streets, stops, platforms).
    max_walk_s
        Walk cap for access, egress and walks without transit.
    max_transfer_s
        Cap on a walking transfer between two stops.

    Returns
    -------
    TransitRouter
        Ready for ``costs``.
    """
    full = pt.network.matrix.tocsr()
    n_walk, n_stops = pt.n_walk, len(pt.stop_ids)
    n_street = n_walk + n_stops
    net = pt.network
    street = Network(full[:n_street][:, :n_street].tocsr(), net.x[:n_street], net.y[:n_street], net.ids[:n_street])
    stops = np.arange(n_walk, n_street)
    node, stop, walk = nodes_within(street, stops, limit=max(max_walk_s, max_transfer_s),
                                    metres_per_unit=WALK_SPEED_MPS)
    # transfers: stop -> another stop on foot
    to_stop = (node >= n_walk) & (node != stops[stop]) & (walk <= max_transfer_s)
    transit = full[n_walk:][:, n_walk:].tocoo()
    n_skel = full.shape[0] - n_walk
    skeleton = cheapest_edges(np.r_[transit.row, stop[to_stop]], np.r_[transit.col, node[to_stop] - n_walk],
                              np.r_[transit.data, walk[to_stop]], n_skel)
    # egress: stop -> street node on foot, grouped by street node
    to_street = (node < n_walk) & (walk <= max_walk_s)
    order = np.argsort(node[to_street], kind="stable")
    e_node = node[to_street][order]
    starts = np.searchsorted(e_node, np.arange(n_walk + 1))
    return TransitRouter(street, n_walk, n_stops, skeleton, starts, stop[to_street][order].astype(np.intp),
                         walk[to_street][order].astype("float32"), float(max_walk_s))
