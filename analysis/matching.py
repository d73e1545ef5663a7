"""Match applications for land against available sites (markanvisning), explainably.

Every (application, site) pair gets criterion values 0..1 and a weighted score 0..100, or is
excluded with a reason. Computed as ``applications x sites`` arrays, so 100 x 1,000 takes
milliseconds.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

import numpy as np
import pandas as pd

from analysis.profiles import PROFILES
from errors import ParameterError

MATCH_CRITERIA = ("area_fit", "jobs_density", "accessibility", "cluster_fit", "many_jobs", "local_jobs",
                  "innovation")
#: Defaults lean on the 2018 strategy: many jobs, jobs for residents far from the labour market,
#: innovation; then a good fit of plot and place.
DEFAULT_MATCH_WEIGHTS: Mapping[str, float] = MappingProxyType({
    "area_fit": 0.15, "jobs_density": 0.15, "accessibility": 0.15, "cluster_fit": 0.1, "many_jobs": 0.2,
    "local_jobs": 0.15, "innovation": 0.1})
FULL_JOBS_PER_HA = 150.0  # DOMAIN.md: 4,000 jobs on 37 ha is ~108 jobs/ha
FULL_JOBS = 500.0
MIN_AREA_SHARE = 0.8  # a site may be 20 % smaller than asked for


def match(applications: pd.DataFrame, sites: pd.DataFrame, accessibility: pd.DataFrame,
          cluster_fit: pd.DataFrame, *, weights: Mapping[str, float] = DEFAULT_MATCH_WEIGHTS) -> pd.DataFrame:
    """Score every application against every site.

    Parameters
    ----------
    applications
        Indexed by application id: ``profile``, ``area_need_m2``, ``jobs``, ``entry_level_jobs``, ``innovation``.
    sites
        Indexed by site id: ``area_m2``, ``plan_status``, ``plan_use_code``.
    accessibility
        Sites x profiles: the profile's 0..100 location score at each site.
    cluster_fit
        Sites x profiles: 0..1 share of neighbouring land in compatible use.
    weights
        Weight per ``MATCH_CRITERIA`` (normalised).

    Returns
    -------
    pandas.DataFrame
        One row per pair: ``application_id``, ``site_id``, ``score``, ``excluded``, ``reason``, ``value_<c>``,
        ``contrib_<c>``, ``rank_for_site`` and ``rank_for_application`` (1 = best; 0 if excluded).
    """
    w = np.array([float(weights.get(c, 0.0)) for c in MATCH_CRITERIA])
    if set(weights) - set(MATCH_CRITERIA) or (w < 0).any() or not np.isfinite(w).all() or w.sum() <= 0:
        raise ParameterError(f"match weights must be non-negative numbers for {', '.join(MATCH_CRITERIA)}, "
                             "at least one above zero")
    w = w / w.sum()
    n_a, n_s = len(applications), len(sites)
    need = applications["area_need_m2"].to_numpy(dtype=float)[:, None]
    area = sites["area_m2"].to_numpy(dtype=float)[None, :]
    jobs = applications["jobs"].to_numpy(dtype=float)[:, None]
    profiles = applications["profile"].to_numpy()
    values = np.zeros((len(MATCH_CRITERIA), n_a, n_s))
    values[0] = np.clip(1 - np.abs(area - need) / need, 0, 1)
    values[1] = np.clip(jobs / (area / 10_000) / FULL_JOBS_PER_HA, 0, 1)
    values[2] = np.vstack([accessibility[p].reindex(sites.index).to_numpy(dtype=float) / 100 for p in profiles])
    values[3] = np.vstack([cluster_fit[p].reindex(sites.index).to_numpy(dtype=float) for p in profiles])
    values[4] = np.broadcast_to(np.clip(jobs / FULL_JOBS, 0, 1), (n_a, n_s))
    local = np.divide(applications["entry_level_jobs"].to_numpy(dtype=float), applications["jobs"].to_numpy(float),
                      out=np.zeros(n_a), where=applications["jobs"].to_numpy(float) > 0)
    values[5] = np.broadcast_to(local[:, None], (n_a, n_s))
    values[6] = np.broadcast_to(applications["innovation"].to_numpy(dtype=float)[:, None], (n_a, n_s))
    values = np.nan_to_num(values)
    scores = np.tensordot(w, values, axes=1) * 100
    reasons = np.full((n_a, n_s), None, dtype=object)
    codes = sites["plan_use_code"].to_numpy()
    status = sites["plan_status"].to_numpy()
    for i, p in enumerate(profiles):
        allowed = PROFILES[p].use_codes
        bad = np.array([st in ("adopted", "in_progress") and (c is None or c not in allowed)
                        for c, st in zip(codes, status, strict=True)])
        reasons[i, bad] = [f"plan use {c} does not allow {PROFILES[p].name_en.lower()}" for c in codes[bad]]
    small = (area < MIN_AREA_SHARE * need) & (reasons == None)  # noqa: E711 (object array)
    reasons[small] = "site is too small for the application"
    excluded = reasons != None  # noqa: E711
    out = pd.DataFrame({"application_id": np.repeat(applications.index.to_numpy(), n_s),
                        "site_id": np.tile(sites.index.to_numpy(), n_a),
                        "score": np.where(excluded, np.nan, scores).ravel(), "excluded": excluded.ravel(),
                        "reason": reasons.ravel()})
    for k, c in enumerate(MATCH_CRITERIA):
        out[f"value_{c}"] = values[k].ravel()
        out[f"contrib_{c}"] = np.where(excluded, np.nan, 100 * w[k] * values[k]).ravel()
    ranked = out["score"].fillna(-1)
    out["rank_for_site"] = np.where(out["excluded"], 0,
                                    ranked.groupby(out["site_id"]).rank(ascending=False, method="first")).astype(int)
    out["rank_for_application"] = np.where(
        out["excluded"], 0, ranked.groupby(out["application_id"]).rank(ascending=False, method="first")).astype(int)
    return out
