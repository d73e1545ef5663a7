"""How stable a ranking is when the weights move: Monte Carlo over Dirichlet weights.

Only eligible parcels take part (excluded ones never rank). The top-k count per draw needs no
sort: a lower bound on each draw's k-th best score (the k-th best of a small pool) leaves a few
candidates, and only those are ordered. Rank percentiles need every draw's rank of a parcel;
``monte_carlo`` finds them for the parcels asked for (those shown or selected), and
``weight_robustness`` sorts per draw only when percentiles for all parcels are wanted (exports).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

#: Size of the pool whose k-th best score bounds each draw's k-th best score from below.
POOL = 512


def weight_draws(weights: np.ndarray, *, draws: int = 1000, concentration: float = 20.0,
                 seed: int = 2018) -> np.ndarray:
    """``draws x criteria`` Dirichlet weights centred on ``weights`` (zero weights stay zero)."""
    rng = np.random.default_rng(seed)
    active = weights > 0
    out = np.zeros((draws, len(weights)))
    out[:, active] = rng.dirichlet(concentration * weights[active], size=draws)
    return out


def _top_k_counts(scores: np.ndarray, pool: np.ndarray, k: int) -> np.ndarray:
    """How often each column is among the ``k`` best of its row (ties: lower column first)."""
    rows, m = scores.shape
    if k >= m:
        return np.full(m, rows, dtype=np.int64)
    # k-th best within the pool <= k-th best of the row, so every row's top k scores >= bound.
    pooled = scores[:, pool]
    bound = np.partition(pooled, len(pool) - k, axis=1)[:, len(pool) - k]
    r, c = np.divmod(np.flatnonzero(scores >= bound[:, None]), m)
    v = scores[r, c]
    order = np.lexsort((c, -v, r))
    r, c = r[order], c[order]
    start = np.searchsorted(r, np.arange(rows))
    position = np.arange(len(r)) - start[r]
    return np.bincount(c[position < k], minlength=m)


def monte_carlo(values: np.ndarray, weights: np.ndarray, excluded: np.ndarray, parcels: np.ndarray = (), *,
                top_k: int = 10, draws: int = 1000, concentration: float = 20.0, seed: int = 2018,
                chunk_draws: int = 50) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Top-``k`` probability of every parcel and rank percentiles of ``parcels``, in one pass.

    Rank 1 is the best eligible parcel of a draw; ties keep table order. Percentiles are order
    statistics of the drawn ranks (the lower of two at a fractional position). The top-k count
    sorts only the few parcels above a lower bound of each draw's k-th best score (the k-th best
    of a pool of parcels strong under the chosen weights). Ranks of parcels strong under the
    chosen weights come from sorting the parcels that can beat them; other parcels are counted
    against every eligible parcel, so ask for the parcels on screen, not all.

    Parameters
    ----------
    values
        ``criteria x parcels`` values 0..1.
    weights
        Chosen weights, normalised to sum 1.
    excluded
        Parcels that never rank.
    parcels
        Positions (columns of ``values``) whose rank percentiles are wanted.
    top_k
        Shortlist size.
    draws, concentration, seed
        As ``weight_draws``.
    chunk_draws
        Draws scored at once (memory ``chunk_draws x eligible parcels`` float32).

    Returns
    -------
    p_top_k, rank_p05, rank_p95
        ``p_top_k`` per parcel (NaN where excluded); the percentiles per parcel asked for.
    """
    excluded = np.asarray(excluded, dtype=bool)
    parcels = np.asarray(parcels, dtype=np.int64).reshape(-1)
    p_top = np.full(values.shape[1], np.nan)
    lo, hi = np.full(len(parcels), np.nan), np.full(len(parcels), np.nan)
    eligible = np.flatnonzero(~excluded)
    if not len(eligible):
        return p_top, lo, hi
    w = weight_draws(weights, draws=draws, concentration=concentration, seed=seed).astype("float32")
    v = np.ascontiguousarray(values[:, eligible], dtype="float32")
    central = weights.astype("float32") @ v
    size = min(len(eligible), max(POOL, 4 * top_k))
    pool = np.argpartition(-central, size - 1)[:size] if size < len(eligible) else np.arange(len(eligible))
    wanted = np.flatnonzero(~excluded[parcels]) if len(parcels) else np.array([], dtype=np.int64)
    cols, back = np.unique(np.searchsorted(eligible, parcels[wanted]), return_inverse=True)
    central_rank = np.array([1 + np.count_nonzero(central > central[j]) for j in cols], dtype=np.int64)
    near_top = central_rank <= POOL
    ranks = np.empty((draws, len(cols)), dtype=np.int32)
    counts = np.zeros(len(eligible), dtype=np.int64)
    for start in range(0, draws, chunk_draws):
        s = w[start : start + chunk_draws] @ v
        counts += _top_k_counts(s, pool, top_k)
        block = ranks[start : start + len(s)]
        if near_top.any():
            _ranks_among_candidates(s, cols[near_top], block, np.flatnonzero(near_top))
        for t in np.flatnonzero(~near_top):
            j = cols[t]
            sj = s[:, j : j + 1]
            block[:, t] = 1 + np.count_nonzero(s > sj, axis=1) + np.count_nonzero(s[:, :j] == sj, axis=1)
    p_top[eligible] = counts / draws
    if len(cols):
        p05, p95 = _order_statistics(ranks, draws)
        lo[wanted], hi[wanted] = p05[back], p95[back]
    return p_top, lo, hi


def _order_statistics(ranks: np.ndarray, draws: int) -> tuple[np.ndarray, np.ndarray]:
    lo_k, hi_k = int(np.floor(0.05 * (draws - 1))), int(np.floor(0.95 * (draws - 1)))
    part = np.partition(ranks, (lo_k, hi_k), axis=0)
    return part[lo_k].astype("float64"), part[hi_k].astype("float64")


def _ranks_among_candidates(scores: np.ndarray, cols: np.ndarray, out: np.ndarray, slots: np.ndarray) -> None:
    """Rank of each column ``cols`` per row (1 = best, ties: lower column first) into ``out[:, slots]``."""
    rows, m = scores.shape
    bound = scores[:, cols].min(axis=1)
    r, c = np.divmod(np.flatnonzero(scores >= bound[:, None]), m)
    v = scores[r, c]
    order = np.lexsort((c, -v, r))
    r, c = r[order], c[order]
    position = np.arange(len(r)) - np.searchsorted(r, np.arange(rows))[r]
    slot_of = np.full(m, -1, dtype=np.int64)
    slot_of[cols] = slots
    hit = slot_of[c] >= 0
    out[r[hit], slot_of[c[hit]]] = position[hit] + 1


def weight_robustness(values: np.ndarray, weights: np.ndarray, excluded: np.ndarray, *, top_k: int = 10,
                      draws: int = 1000, concentration: float = 20.0, seed: int = 2018,
                      index: pd.Index | None = None, chunk_draws: int = 50,
                      chunk_parcels: int = 5_000) -> pd.DataFrame:
    """Probability of ranking in the top ``k`` and the 5th-95th percentile rank of every parcel.

    Weights are drawn from a Dirichlet distribution centred on the chosen weights
    (``alpha = concentration x weights``; larger concentration = less spread); criteria with zero
    weight stay at zero. Percentiles for every parcel need a sort per draw; ``monte_carlo`` gives
    the same numbers for the parcels on screen for far less work.

    Parameters
    ----------
    values
        ``criteria x parcels`` values 0..1.
    weights
        Chosen weights, normalised to sum 1.
    excluded
        Parcels that never rank.
    top_k
        Shortlist size.
    draws
        Number of weight draws (at least 1,000 recommended).
    concentration
        Dirichlet concentration.
    seed
        Seed of the random generator (fixed, so results repeat).
    index
        Index of the result.
    chunk_draws, chunk_parcels
        Draws sorted at once; ``chunk_parcels`` is kept for compatibility (memory now stays near
        ``(draws / 10 + chunk_draws) x eligible parcels`` int32).

    Returns
    -------
    pandas.DataFrame
        ``p_top_k``, ``rank_p05``, ``rank_p95`` (NaN for excluded parcels).
    """
    excluded = np.asarray(excluded, dtype=bool)
    n = values.shape[1]
    p_top = monte_carlo(values, weights, excluded, top_k=top_k, draws=draws, concentration=concentration,
                        seed=seed)[0]
    lo, hi = np.full(n, np.nan), np.full(n, np.nan)
    eligible = np.flatnonzero(~excluded)
    if len(eligible):
        w = weight_draws(weights, draws=draws, concentration=concentration, seed=seed).astype("float32")
        v = values[:, eligible].astype("float32")
        m = len(eligible)
        # Keep per parcel only the lo_k + 1 smallest and the draws - hi_k largest ranks seen so far:
        # their extremes are the order statistics, in ~100 values per parcel instead of ``draws``.
        lo_k, hi_k = int(np.floor(0.05 * (draws - 1))), int(np.floor(0.95 * (draws - 1)))
        n_low, n_high = lo_k + 1, draws - hi_k
        low = high = np.empty((m, 0), dtype=np.int32)
        positions = np.arange(1, m + 1, dtype=np.int32)
        for start in range(0, draws, chunk_draws):
            order = np.argsort(-(w[start : start + chunk_draws] @ v), axis=1, kind="stable")
            block = np.empty((m, len(order)), dtype=np.int32)
            for row in range(len(order)):
                block[order[row], row] = positions
            low, high = np.hstack([low, block]), np.hstack([high, block])
            if low.shape[1] > n_low:
                low = np.partition(low, n_low - 1, axis=1)[:, :n_low]
            if high.shape[1] > n_high:
                high = np.partition(high, high.shape[1] - n_high, axis=1)[:, -n_high:]
        lo[eligible], hi[eligible] = low.max(axis=1), high.min(axis=1)
    return pd.DataFrame({"p_top_k": p_top, "rank_p05": lo, "rank_p95": hi}, index=index)
