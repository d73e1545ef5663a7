"""How stable a ranking is when the weights move: Monte Carlo over Dirichlet weights."""

from __future__ import annotations

import numpy as np
import pandas as pd


def weight_robustness(values: np.ndarray, weights: np.ndarray, excluded: np.ndarray, *, top_k: int = 10,
                      draws: int = 1000, concentration: float = 20.0, seed: int = 2018,
                      index: pd.Index | None = None) -> pd.DataFrame:
    """Probability of ranking in the top ``k`` and the 5th-95th percentile rank under weight noise.

    Weights are drawn from a Dirichlet distribution centred on the chosen weights
    (``alpha = concentration x weights``; larger concentration = less spread); criteria with zero
    weight stay at zero.

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

    Returns
    -------
    pandas.DataFrame
        ``p_top_k``, ``rank_p05``, ``rank_p95`` (NaN for excluded parcels).
    """
    rng = np.random.default_rng(seed)
    active = weights > 0
    alpha = concentration * weights[active]
    w = np.zeros((draws, len(weights)))
    w[:, active] = rng.dirichlet(alpha, size=draws)
    scores = (w @ values).astype("float32")
    scores[:, excluded] = -np.inf
    order = np.argsort(-scores, axis=1, kind="stable")
    ranks = np.empty_like(order, dtype=np.int32)
    np.put_along_axis(ranks, order, np.arange(1, values.shape[1] + 1, dtype=np.int32)[None, :], axis=1)
    p_top = (ranks <= top_k).mean(axis=0)
    lo, hi = np.percentile(ranks, [5, 95], axis=0, method="lower")
    out = pd.DataFrame({"p_top_k": p_top, "rank_p05": lo.astype("float64"), "rank_p95": hi.astype("float64")},
                       index=index)
    out.loc[excluded] = np.nan
    return out
