"""Shortlists for allocation (markanvisning): the best available sites for each open application.

Below the UI so tests reach it without Streamlit. Applications whose profile is unknown (older
rows, or rows written past the registry's checks) are left out with a logged warning rather than
breaking the officer's page.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from analysis.matching import MATCH_CRITERIA, match
from analysis.profiles import PROFILES, Profile

log = logging.getLogger(__name__)
SHORTLIST_COLUMNS = ["application", "site", "rank", "rank_for_site", "score", "why", "application_id", "site_id",
                     "application_version", "site_version"]


def cluster_fit(parcels: gpd.GeoDataFrame, geometry: shapely.Geometry, profile: Profile, *,
                radius_m: float = 500.0) -> float:
    """Share of parcels within ``radius_m`` of ``geometry`` whose plan use ``profile`` can share (0..1)."""
    near = parcels[parcels.geometry.distance(geometry) <= radius_m]
    if near.empty:
        return 0.0
    return float(near["plan_use_code"].isin(list(profile.use_codes)).mean())


def shortlists(applications: Sequence[Mapping], sites: Sequence[Mapping], parcels: gpd.GeoDataFrame,
               profile_scores: Callable[[str], pd.Series], *, weights: Mapping[str, float],
               best: int = 3, labels: Mapping[str, str] | None = None) -> pd.DataFrame | None:
    """The best ``best`` available sites for each open application (and the best applications per site).

    Parameters
    ----------
    applications
        Registry applications (``id``, ``company``, ``profile``, ``status``, needs).
    sites
        Registry sites (``id``, ``name``, ``status``, ``version``, ``parcel_ids``, ``geometry``, ...).
    parcels
        The dataset's parcels (for cluster fit).
    profile_scores
        Profile key -> location score 0..100 per parcel id.
    weights
        Match weights per criterion.
    best
        How many to keep per application and per site.
    labels
        Criterion names for the ``why`` column (the criterion keys if None).

    Returns
    -------
    pandas.DataFrame or None
        :data:`SHORTLIST_COLUMNS`, or None when there is no open application with a known profile or
        no available site.
    """
    unknown = [a["id"] for a in applications if a["profile"] not in PROFILES]
    if unknown:
        log.warning("applications %s have an unknown profile and are left out of the shortlists", unknown)
    apps = [a for a in applications if a["status"] == "open" and a["profile"] in PROFILES]
    available = [s for s in sites if s["status"] == "available"]
    if not apps or not available:
        return None
    site_frame = pd.DataFrame(available).set_index("id")
    access, cluster = {}, {}
    for p in sorted({a["profile"] for a in apps}):
        scores = profile_scores(p)
        access[p] = [float(np.nanmean([scores.get(pid, np.nan) for pid in s["parcel_ids"]] or [np.nan]))
                     if any(pid in scores.index for pid in s["parcel_ids"]) else np.nan for s in available]
        cluster[p] = [cluster_fit(parcels, s["geometry"], PROFILES[p]) for s in available]
    out = match(pd.DataFrame(apps).set_index("id"), site_frame, pd.DataFrame(access, index=site_frame.index),
                pd.DataFrame(cluster, index=site_frame.index), weights=weights)
    chosen = out[(~out["excluded"]) & ((out["rank_for_application"] <= best) | (out["rank_for_site"] <= best))]
    chosen = chosen.sort_values(["application_id", "rank_for_application"])
    names = {a["id"]: a["company"] for a in apps}
    site_names = {s["id"]: s["name"] for s in available}
    versions = {s["id"]: s["version"] for s in available}
    app_versions = {a["id"]: a["version"] for a in apps}
    contrib = chosen[[f"contrib_{c}" for c in MATCH_CRITERIA]].to_numpy()
    name = dict(labels or {})
    why = [", ".join(f"{name.get(MATCH_CRITERIA[i], MATCH_CRITERIA[i])} {row[i]:.0f}" for i in row.argsort()[::-1][:3])
           for row in contrib]
    return pd.DataFrame({"application": chosen["application_id"].map(names).to_numpy(),
                         "site": chosen["site_id"].map(site_names).to_numpy(),
                         "rank": chosen["rank_for_application"].to_numpy(),
                         "rank_for_site": chosen["rank_for_site"].to_numpy(),
                         "score": chosen["score"].round(1).to_numpy(), "why": why,
                         "application_id": chosen["application_id"].to_numpy(),
                         "site_id": chosen["site_id"].to_numpy(),
                         "application_version": chosen["application_id"].map(app_versions).to_numpy(),
                         "site_version": chosen["site_id"].map(versions).to_numpy()}, columns=SHORTLIST_COLUMNS)
