"""Jobs, value functions, contributions, exclusions, ranking and robustness on paper-sized cases."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import box

from analysis import jobs
from analysis.explain import explain
from analysis.profiles import CRITERIA, PROFILES, custom_profile
from analysis.robustness import weight_robustness
from analysis.scoring import (
    DEFAULT_VALUE_FUNCTIONS,
    ValueFunction,
    combine,
    exclusions,
    rank,
    readiness_index,
    weight_vector,
)
from errors import ParameterError


def test_jobs_estimate_on_paper():
    # 100 x 100 m parcel; a 2,000 m2 heritage strip; a quarter already built.
    parcel = gpd.GeoSeries([box(0, 0, 100, 100)], crs=3006)
    heritage = gpd.GeoSeries([box(0, 0, 20, 100)], crs=3006)
    constrained = jobs.constrained_area(parcel, heritage)
    assert constrained.iloc[0] == pytest.approx(2000)
    developable = jobs.developable_area(pd.Series([10_000.0]), constrained, pd.Series([0.25]))
    assert developable.iloc[0] == pytest.approx(6000)  # (10,000 - 2,000) x 0.75
    logistics = custom_profile(PROFILES["logistics"], m2_per_job=80)
    out = jobs.jobs_potential(developable, pd.Series([0.4]), logistics)  # plan caps 0.5 at 0.4
    assert out.loc[0, "plot_ratio_used"] == 0.4
    assert out.loc[0, "floor_area_bta_m2"] == pytest.approx(2400)
    assert out.loc[0, "jobs_est"] == pytest.approx(30)
    no_plan = jobs.jobs_potential(developable, pd.Series([np.nan]), logistics)
    assert no_plan.loc[0, "jobs_est"] == pytest.approx(6000 * 0.5 / 80)


def test_value_functions():
    motorway = DEFAULT_VALUE_FUNCTIONS["motorway"]
    assert motorway(np.array([1.0, 2.0, 8.5, 15.0, 40.0, np.inf, np.nan])).tolist() == [1, 1, 0.5, 0, 0, 0, 0]
    rail = DEFAULT_VALUE_FUNCTIONS["rail_stop"]
    assert rail(np.array([600.0, 900.0, 1200.0, 1600.0])).tolist() == pytest.approx([1, 0.75, 0.5, 0.25])
    with pytest.raises(ParameterError):
        ValueFunction(((5, 1), (2, 0)))


def test_contributions_add_up_to_the_score():
    rng = np.random.default_rng(1)
    values = rng.random((len(CRITERIA), 50))
    w = weight_vector(PROFILES["mixed_service"].weights)
    scores, contributions = combine(values, w)
    assert np.allclose(contributions.sum(axis=0), scores)
    assert (scores >= 0).all() and (scores <= 100).all()
    # By hand: two criteria at 0.5/0.5 weight, values 1 and 0.2 -> 60.
    w2 = weight_vector({"jobs": 1, "motorway": 1})
    v = np.zeros((len(CRITERIA), 1))
    v[0, 0], v[1, 0] = 1.0, 0.2
    s, c = combine(v, w2)
    assert s[0] == pytest.approx(60.0) and c[0, 0] == pytest.approx(50.0) and c[1, 0] == pytest.approx(10.0)


def test_weights_are_checked():
    with pytest.raises(ParameterError, match="cannot be negative"):
        weight_vector({"jobs": -1, "motorway": 1})
    with pytest.raises(ParameterError, match="at least one weight"):
        weight_vector({"jobs": 0})
    with pytest.raises(ParameterError, match="unknown criteria"):
        weight_vector({"beauty": 1})
    with pytest.raises(ParameterError, match="finite"):
        weight_vector({"jobs": float("nan")})
    assert weight_vector({"jobs": 3, "motorway": 1}).tolist()[:2] == [0.75, 0.25]


def test_rank_puts_excluded_last_and_keeps_ties_in_order():
    ranks = rank(np.array([50.0, 80.0, 80.0, 99.0]), np.array([False, False, False, True]))
    assert ranks.tolist() == [3, 1, 2, 0]


def test_exclusion_reasons():
    parcels = pd.DataFrame({
        "plan_use_code": ["B", "J", None, None, "Z", "K"],
        "plan_status": ["adopted", "adopted", "none", "none", "in_progress", "in_progress"],
        "area_m2": [20_000, 4_000, 20_000, 20_000, 20_000, 20_000],
    })
    category = pd.Series(["Stadsbygd", "Verksamheter", "Landsbygd", "Verksamheter", "Verksamheter", None])
    developable = pd.Series([1.0, 1.0, 1.0, 0.0, 1.0, 1.0])
    reasons = exclusions(parcels, category, developable, PROFILES["logistics"])
    assert reasons.tolist() == [
        "plan use B is not compatible with logistics (needs J, Z)",
        "plot 4,000\u00a0m² is below the 10,000\u00a0m² logistics needs",
        "comprehensive plan: Landsbygd, not Verksamheter",
        "no developable land (constraints or existing buildings cover the plot)",
        None,
        "proposed plan use K is not compatible with logistics (needs J, Z)",
    ]
    assert exclusions(parcels, category, developable, PROFILES["logistics"], lang="sv").tolist() == [
        "planens användning B passar inte logistik (kräver J, Z)",
        "tomten, 4\u00a0000\u00a0m², är mindre än de 10\u00a0000\u00a0m² som logistik behöver",
        "översiktsplanen: Landsbygd, inte Verksamheter",
        "ingen byggbar mark (hänsyn eller befintliga byggnader täcker tomten)",
        None,
        "användningen K i pågående plan passar inte logistik (kräver J, Z)",
    ]


def test_readiness_index():
    r = readiness_index(pd.Series(["adopted", "in_progress", "none", "weird"]),
                        pd.Series(["municipal", "private", "Södra Porten AB", "private"]),
                        pd.Series([True, False, True, False]))
    assert r.tolist() == pytest.approx([1.0, 0.3, 0.6, 0.15])


def test_robustness_certain_and_coin_flip():
    w = weight_vector({"jobs": 1, "motorway": 1})
    v = np.zeros((len(CRITERIA), 3))
    v[0] = [1.0, 1.0, 0.0]
    v[1] = [1.0, 0.0, 1.0]  # parcel 0 dominates; 1 and 2 are mirror images
    rob = weight_robustness(v, w, np.array([False, False, False]), top_k=1, draws=4000, seed=7)
    assert rob["p_top_k"].tolist()[0] == 1.0
    assert rob["rank_p05"].iloc[0] == rob["rank_p95"].iloc[0] == 1
    two = weight_robustness(v, w, np.array([False, False, False]), top_k=2, draws=4000, seed=7)
    assert two["p_top_k"].iloc[1] == pytest.approx(0.5, abs=0.05)
    assert (two["rank_p05"].iloc[1], two["rank_p95"].iloc[1]) == (2, 3)
    again = weight_robustness(v, w, np.array([False, False, False]), top_k=2, draws=4000, seed=7)
    assert again.equals(two), "a fixed seed repeats"
    excluded = weight_robustness(v, w, np.array([True, False, False]), top_k=1, draws=100)
    assert excluded.iloc[0].isna().all()


def test_explanation_names_strengths_and_weaknesses():
    w = weight_vector({"motorway": 0.5, "rail_stop": 0.3, "jobs": 0.2})
    values = np.array([0.9 if c == "jobs" else 1.0 if c == "motorway" else 0.1 if c == "rail_stop" else 0
                       for c in CRITERIA])
    row = {"car_min_to_junction": 1.2, "nearest_junction": "Hallunda", "walk_m_to_rail_stop": 1430.0,
           "nearest_rail_stop": "Alby", "jobs_est": 120}
    assert explain(values, w, row) == ("strong: 1 min to Trafikplats Hallunda, room for ~120 jobs; "
                                       "weak: 1.4\u00a0km to Alby station")
    assert explain(values, w, row, lang="sv") == ("styrka: 1 min till trafikplats Hallunda, plats för ~120 jobb; "
                                                  "svaghet: 1,4\u00a0km till Alby station")
    assert explain(values, w, row, reason="plot too small") == "excluded: plot too small"
    # Car figures say which period they are for when the row names it.
    assert explain(values, w, {**row, "car_period": "peak"}).startswith(
        "strong: 1 min to Trafikplats Hallunda (morning peak)")
    assert "(fritt flöde)" in explain(values, w, {**row, "car_period": "free_flow"}, lang="sv")
