"""Matching: one application, three sites, a ranking you can check by hand."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis.matching import MATCH_CRITERIA, match
from errors import ParameterError


def test_one_application_three_sites_by_hand():
    apps = pd.DataFrame({"profile": ["logistics"], "area_need_m2": [20_000.0], "jobs": [120], "entry_level_jobs": [60],
                         "innovation": [False]}, index=[1])
    sites = pd.DataFrame({"area_m2": [20_000.0, 30_000.0, 12_000.0], "plan_status": ["adopted", "none", "adopted"],
                          "plan_use_code": ["J", None, "J"]}, index=[10, 20, 30])
    access = pd.DataFrame({"logistics": [80.0, 60.0, 90.0]}, index=[10, 20, 30])
    cluster = pd.DataFrame({"logistics": [1.0, 0.5, 1.0]}, index=[10, 20, 30])
    weights = {"area_fit": 1, "accessibility": 1}  # 50/50
    out = match(apps, sites, access, cluster, weights=weights).set_index("site_id")
    # Site 10: area fit 1 (exact), accessibility 0.8 -> 50 + 40 = 90.
    assert out.loc[10, "score"] == pytest.approx(90.0)
    # Site 20: area fit 1 - 10,000/20,000 = 0.5, accessibility 0.6 -> 25 + 30 = 55.
    assert out.loc[20, "score"] == pytest.approx(55.0)
    # Site 30: 12,000 m2 is below 80 % of 20,000: excluded.
    assert out.loc[30, "excluded"] and out.loc[30, "reason"] == "site is too small for the application"
    assert out["rank_for_application"].to_dict() == {10: 1, 20: 2, 30: 0}
    contrib = out.loc[10, [f"contrib_{c}" for c in MATCH_CRITERIA]].sum()
    assert contrib == pytest.approx(out.loc[10, "score"])


def test_plan_use_excludes_and_municipal_criteria_count():
    apps = pd.DataFrame({"profile": ["office", "office"], "area_need_m2": [5_000.0, 5_000.0], "jobs": [500, 50],
                         "entry_level_jobs": [250, 0], "innovation": [True, False]}, index=[1, 2])
    sites = pd.DataFrame({"area_m2": [5_000.0, 5_000.0], "plan_status": ["adopted", "adopted"],
                          "plan_use_code": ["K", "J"]}, index=[7, 8])
    access = pd.DataFrame({"office": [50.0, 50.0]}, index=[7, 8])
    cluster = pd.DataFrame({"office": [0.5, 0.5]}, index=[7, 8])
    out = match(apps, sites, access, cluster, weights={"many_jobs": 1, "local_jobs": 1, "innovation": 1})
    by = out.set_index(["application_id", "site_id"])
    assert by.loc[(1, 8), "reason"] == "plan use J does not allow office"
    assert by.loc[(1, 7), "score"] == pytest.approx(100 * (1 + 0.5 + 1) / 3)
    assert by.loc[(2, 7), "score"] == pytest.approx(100 * (0.1 + 0 + 0) / 3)
    assert by.loc[(1, 7), "rank_for_site"] == 1 and by.loc[(2, 7), "rank_for_site"] == 2
    with pytest.raises(ParameterError):
        match(apps, sites, access, cluster, weights={"area_fit": -1})
