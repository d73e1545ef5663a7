"""The weight-change path (``Scorer.quick``) gives the same numbers as the full ``Scorer.score``,
computes details only for the parcels asked for, and recomputes nothing for unchanged inputs."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis.profiles import PROFILES
from sites.dataset import load_dataset
from sites.indicators import load_or_compute
from sites.scored import Filters, Scorer
from sites.tiles import score_array

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning", "ignore::RuntimeWarning")


@pytest.fixture(scope="module")
def scorer(tmp_path_factory):
    ds = load_dataset()
    table = load_or_compute(ds, cache_dir=tmp_path_factory.mktemp("cache")).table
    return Scorer.build(ds.parcels, table, PROFILES["light_industry"])


WEIGHTS = {"motorway": 0.4, "jobs": 0.2, "rail_stop": 0.2, "readiness": 0.2}
FILTERS = Filters(min_area_m2=2000)


def test_details_equal_the_full_scoring(scorer):
    full = scorer.score(WEIGHTS, FILTERS, draws=300).frame
    quick = scorer.quick(WEIGHTS, FILTERS, draws=300, shown=5)
    best = quick.best(8)  # 5 with percentiles from the first pass, 3 computed on demand
    excluded_one = int(np.flatnonzero(pd.notna(scorer.reasons.to_numpy()) & (scorer.parcels["area_m2"] >= 2000))[0])
    details = quick.details([*best, excluded_one])
    expected = full.loc[scorer.parcels.index[[*best, excluded_one]]]
    assert list(details.index) == list(expected.index)
    cols = [c for c in expected.columns if c != "geometry"]
    pd.testing.assert_frame_equal(pd.DataFrame(details[cols]), pd.DataFrame(expected[cols]), check_dtype=False)
    assert full.iloc[:8].index.tolist() == scorer.parcels.index[best].tolist()


def test_map_scores_match_the_full_scoring(scorer):
    full = scorer.score(WEIGHTS, FILTERS, robustness=False).frame
    expected = score_array(scorer.parcels.index, full)
    quick = scorer.quick(WEIGHTS, FILTERS, robustness=False).map_scores()
    direct = scorer.map_scores(WEIGHTS, FILTERS)
    assert np.array_equal(quick, expected, equal_nan=True) and np.array_equal(direct, expected, equal_nan=True)
    small = scorer.parcels["area_m2"].to_numpy() < 2000
    assert (quick[small] == -1).all()  # outside the filters


def test_unchanged_inputs_recompute_nothing(scorer):
    first = scorer.quick(WEIGHTS, draws=100)
    assert scorer.quick(dict(WEIGHTS), draws=100) is first
    # Weights that normalise to the same vector are the same input.
    assert scorer.quick({k: 2 * v for k, v in WEIGHTS.items()}, draws=100) is first
    assert scorer.quick({**WEIGHTS, "jobs": 0.3}, draws=100) is not first
    rows = first.details(first.best(3))
    assert first.details(first.best(3)) is rows


def test_details_skip_filtered_out_and_unknown_positions(scorer):
    quick = scorer.quick(WEIGHTS, Filters(min_area_m2=2000), robustness=False)
    small = int(np.flatnonzero(scorer.parcels["area_m2"].to_numpy() < 2000)[0])
    best = int(quick.best(1)[0])
    rows = quick.details([small, best, 10**9])
    assert list(rows.index) == [scorer.parcels.index[best]]
    nothing = scorer.quick(WEIGHTS, Filters(min_area_m2=10**9), robustness=False)
    assert len(nothing.details([0, 1])) == 0 and len(nothing.best(5)) == 0
