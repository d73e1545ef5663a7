"""Monte Carlo robustness on cases whose answer holds for every weight draw, so it is known by hand."""

from __future__ import annotations

import numpy as np

from analysis.profiles import CRITERIA
from analysis.robustness import POOL, monte_carlo, weight_robustness
from analysis.scoring import weight_vector

W = weight_vector({"motorway": 0.4, "jobs": 0.3, "readiness": 0.3})


def ladder(n: int) -> np.ndarray:
    """Parcel j scores 1 - j / n on every criterion, so its score is 1 - j / n whatever the weights."""
    return np.tile(1.0 - np.arange(n) / n, (len(CRITERIA), 1))


def test_a_ladder_ranks_the_same_in_every_draw():
    n = 2000
    excluded = np.arange(n) % 3 == 2  # parcels 2, 5, 8, ... never rank
    asked = np.array([0, 4, 9, 10, 700, 1999, 2])
    p_top, lo, hi = monte_carlo(ladder(n), W, excluded, asked, top_k=10, draws=200)
    # The eligible parcels before j (j - j // 3 of them) all beat it in every draw: rank 1 + j - j // 3.
    expected = [1, 4, 7, 8, 468, 1334, np.nan]
    assert np.array_equal(lo, expected, equal_nan=True) and np.array_equal(hi, expected, equal_nan=True)
    # The best ten eligible parcels are 0, 1, 3, 4, 6, 7, 9, 10, 12, 13: always in the top 10.
    top = [0, 1, 3, 4, 6, 7, 9, 10, 12, 13]
    assert np.flatnonzero(p_top == 1.0).tolist() == top
    assert np.nansum(p_top) == 10.0 and np.isnan(p_top[excluded]).all()
    assert POOL < 700  # parcel 700 is ranked by counting, parcel 9 among candidates: both give the ladder


def test_ties_keep_table_order():
    values = np.full((len(CRITERIA), 4), 0.5)
    p_top, lo, hi = monte_carlo(values, W, np.zeros(4, dtype=bool), np.arange(4), top_k=2, draws=50)
    assert p_top.tolist() == [1.0, 1.0, 0.0, 0.0]
    assert lo.tolist() == hi.tolist() == [1, 2, 3, 4]


def test_a_swing_parcel_wins_about_as_often_as_its_weight_wins():
    # Two criteria with equal weight: parcel 0 is strong on motorway only, parcel 1 on jobs only.
    w = weight_vector({"motorway": 0.5, "jobs": 0.5})
    values = np.zeros((len(CRITERIA), 2))
    values[CRITERIA.index("motorway")] = [1.0, 0.0]
    values[CRITERIA.index("jobs")] = [0.0, 1.0]
    p_top, lo, hi = monte_carlo(values, w, np.zeros(2, dtype=bool), [0, 1], top_k=1, draws=4000)
    # Symmetric Dirichlet(10, 10): P(w_motorway > w_jobs) = 1/2; 4,000 draws give +-0.025 at 95 %.
    assert abs(p_top[0] - 0.5) < 0.03 and p_top[0] + p_top[1] == 1.0
    assert (lo[0], hi[0]) == (1, 2)


def test_nothing_eligible_gives_nan():
    p_top, lo, hi = monte_carlo(ladder(5), W, np.ones(5, dtype=bool), [0, 1])
    assert np.isnan(p_top).all() and np.isnan(lo).all() and np.isnan(hi).all()


def test_percentiles_for_some_parcels_agree_with_all_parcels():
    rng = np.random.default_rng(4)
    values = np.round(rng.random((len(CRITERIA), 1500)) * 5) / 5  # coarse values: many ties
    excluded = rng.random(1500) < 0.2
    full = weight_robustness(values, W, excluded, top_k=10, draws=300)
    asked = np.array([3, 77, 1499, 640, 3])
    p_top, lo, hi = monte_carlo(values, W, excluded, asked, top_k=10, draws=300)
    assert np.array_equal(p_top, full["p_top_k"].to_numpy(), equal_nan=True)
    assert np.array_equal(lo, full["rank_p05"].to_numpy()[asked], equal_nan=True)
    assert np.array_equal(hi, full["rank_p95"].to_numpy()[asked], equal_nan=True)
