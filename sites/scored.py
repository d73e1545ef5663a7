"""Scored sites: a profile, weights and filters applied to a dataset's indicators.

``Scorer`` holds what does not change with the weights (criterion values, exclusions), so a
weight change costs one matrix-vector product and a sort.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd

from analysis import jobs
from analysis.explain import explain
from analysis.profiles import CRITERIA, PROFILES, Profile, custom_profile
from analysis.robustness import weight_robustness
from analysis.scoring import (
    ScoringParams,
    combine,
    criterion_values,
    exclusions,
    indicators_for_period,
    range_value_function,
    rank,
    weight_vector,
)
from errors import ParameterError

DEFAULT_PARAMS = ScoringParams()
INDICATOR_COLUMNS = (
    "developable_m2", "constrained_m2", "plot_ratio_used", "floor_area_bta_m2", "jobs_est", "car_min_to_junction",
    "nearest_junction", "walk_m_to_rail_stop", "nearest_rail_stop", "departures_per_hour_600m",
    "departures_per_hour_1200m", "residents_30min_car", "residents_45min_pt", "labour_gravity_pt",
    "local_hire_30min_botkyrka", "readiness_index", "op_category", "change_areas",
)
EXPLAIN_COLUMNS = ("car_min_to_junction", "nearest_junction", "walk_m_to_rail_stop", "nearest_rail_stop",
                   "departures_per_hour_600m", "residents_45min_pt", "residents_30min_car",
                   "local_hire_30min_botkyrka", "jobs_est", "plan_status", "owner_type")
PARCEL_COLUMNS = ("parcel_id", "designation", "area_name", "area_m2", "owner_type", "current_use", "vacant",
                  "plan_status", "plan_use_code", "max_plot_ratio", "new_land")


@dataclass(frozen=True)
class Filters:
    """Which parcels to consider; ranking happens among the parcels that pass."""

    min_area_m2: float = 0.0
    max_area_m2: float = float("inf")
    plan_statuses: tuple[str, ...] = ()
    municipal_only: bool = False
    vacant_only: bool = False
    categories: tuple[str, ...] = ()
    area_names: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not (np.isfinite(self.min_area_m2) and self.min_area_m2 >= 0):
            raise ParameterError(f"minimum plot area must be a number >= 0, not {self.min_area_m2}")
        if not self.max_area_m2 > self.min_area_m2:
            raise ParameterError(f"maximum plot area ({self.max_area_m2}) must exceed the minimum "
                                 f"({self.min_area_m2})")

    def mask(self, parcels: pd.DataFrame, indicators: pd.DataFrame) -> np.ndarray:
        """True for parcels that pass every filter."""
        keep = (parcels["area_m2"] >= self.min_area_m2) & (parcels["area_m2"] <= self.max_area_m2)
        if self.plan_statuses:
            keep &= parcels["plan_status"].isin(self.plan_statuses)
        if self.municipal_only:
            keep &= parcels["owner_type"].isin(["municipal", "Södra Porten AB"])
        if self.vacant_only:
            keep &= parcels["vacant"]
        if self.categories:
            keep &= indicators["op_category"].isin(self.categories)
        if self.area_names:
            keep &= parcels["area_name"].isin(self.area_names)
        return keep.to_numpy()


def get_profile(key: str) -> Profile:
    """The built-in profile ``key``; refuses unknown names with the list of known ones."""
    try:
        return PROFILES[key]
    except KeyError:
        raise ParameterError(f"unknown profile '{key}'; choose one of {', '.join(PROFILES)}") from None


def customised(base: Profile, *, m2_per_job: float | None = None, plot_ratio: float | None = None,
               min_plot_m2: float | None = None) -> Profile:
    """``base`` with the given parameters changed (a "custom" profile), or ``base`` itself if none is given."""
    changes = {k: v for k, v in (("m2_per_job", m2_per_job), ("plot_ratio", plot_ratio),
                                 ("min_plot_m2", min_plot_m2)) if v is not None}
    if not changes:
        return base
    try:
        return custom_profile(base, key=f"custom ({base.key})", **changes)
    except ValueError as err:
        raise ParameterError(str(err)) from None


@dataclass(frozen=True)
class Scorer:
    """Criterion values and exclusions for one dataset, profile and set of scoring parameters."""

    parcels: gpd.GeoDataFrame
    table: pd.DataFrame
    profile: Profile
    values: np.ndarray
    reasons: pd.Series
    params: ScoringParams = field(default_factory=ScoringParams)

    @classmethod
    def build(cls, parcels: gpd.GeoDataFrame, indicators: pd.DataFrame, profile: Profile,
              params: ScoringParams = DEFAULT_PARAMS) -> Scorer:
        """Add the profile's jobs potential to the indicators and compute criterion values."""
        indicators = indicators_for_period(indicators, params.car_period)
        potential = jobs.jobs_potential(indicators["developable_m2"], parcels["max_plot_ratio"], profile)
        table = indicators.drop(columns=[c for c in potential.columns if c in indicators]).join(potential)
        functions = params.functions
        if params.value_functions is None:  # jobs: set from the region's range for this profile
            functions = {**functions, "jobs": range_value_function(table["jobs_est"].to_numpy(dtype="float64"))}
        values = criterion_values(table, dataclasses.replace(params, value_functions=functions))
        reasons = exclusions(parcels, table["op_category"], table["developable_m2"], profile)
        return cls(parcels, table, profile, values, reasons, params)

    def score(self, weights: Mapping[str, float] | None = None, filters: Filters = Filters(), *,
              robustness: bool = True, lang: str = "en", draws: int = 1000) -> ScoredSites:
        """Score, rank and explain the parcels that pass ``filters``.

        Parameters
        ----------
        weights
            Weight per criterion (the profile's defaults if None).
        filters
            Parcels to consider.
        robustness
            Also run the Monte Carlo over weights (top-k probability, rank range).
        lang
            Language of the explanations (``en`` or ``sv``).
        draws
            Monte Carlo draws.

        Returns
        -------
        ScoredSites
            One row per filtered parcel, best first.
        """
        w = weight_vector(self.profile.weights if weights is None else weights)
        keep = filters.mask(self.parcels, self.table)
        values = self.values[:, keep]
        excluded = pd.notna(self.reasons.to_numpy()[keep])
        scores, contributions = combine(values, w)
        ranks = rank(scores, excluded)
        idx = self.parcels.index[keep]
        frame = pd.DataFrame(self.parcels.loc[keep, list(PARCEL_COLUMNS)])
        frame.insert(2, "profile", self.profile.key)
        frame["score"] = np.where(excluded, np.nan, scores)
        frame["rank"] = ranks
        frame["excluded"] = excluded
        frame["exclusion_reason"] = self.reasons[keep].to_numpy()
        table = self.table.loc[idx]
        for col in INDICATOR_COLUMNS:
            frame[col] = table[col].to_numpy()
        for i, c in enumerate(CRITERIA):
            frame[f"value_{c}"] = values[i]
            frame[f"contrib_{c}"] = np.where(excluded, np.nan, contributions[i])
        if robustness and len(frame):
            rob = weight_robustness(values, w, excluded, top_k=self.params.top_k, draws=draws, index=idx)
            frame = frame.join(rob)
        columns = [frame[c].to_numpy() for c in EXPLAIN_COLUMNS]
        reasons = frame["exclusion_reason"].to_numpy()
        period = {"car_period": self.params.car_period}
        frame["explanation"] = [
            explain(values[:, j], w, {**dict(zip(EXPLAIN_COLUMNS, row, strict=True)), **period}, lang=lang,
                    reason=reasons[j])
            for j, row in enumerate(zip(*columns, strict=True))
        ]
        frame = frame.sort_values(["excluded", "rank", "score"], ascending=[True, True, False], kind="stable")
        geometry = self.parcels.geometry.loc[frame.index]
        return ScoredSites(gpd.GeoDataFrame(frame, geometry=geometry, crs=self.parcels.crs), w, self.params.top_k,
                           self.params.car_period)


@dataclass(frozen=True)
class ScoredSites:
    """The result of one scoring: the table (best first), the weights in force, k and the car period."""

    frame: gpd.GeoDataFrame
    weights: np.ndarray
    top_k: int
    car_period: str = "peak"

    def top(self, n: int = 10) -> gpd.GeoDataFrame:
        """The ``n`` best parcels that are not excluded."""
        return self.frame[~self.frame["excluded"]].head(n)

    def export_frame(self) -> gpd.GeoDataFrame:
        """The table as exported: without the 0-1 values (each is its contribution / weight / 100)."""
        return self.frame.drop(columns=[f"value_{c}" for c in CRITERIA])

    def weights_dict(self) -> dict[str, float]:
        """Normalised weights by criterion."""
        return {c: round(float(v), 6) for c, v in zip(CRITERIA, self.weights, strict=True)}


def parse_weights(text: str | None, base: Mapping[str, float]) -> dict[str, float]:
    """``'motorway=0.5,jobs=0.2'`` over ``base`` weights; refuses malformed pairs and bad numbers."""
    weights = dict(base)
    if not text:
        return weights
    for part in text.split(","):
        name, sep, value = part.partition("=")
        if not sep:
            raise ParameterError(f"weight '{part}' must look like name=number (e.g. motorway=0.4)")
        try:
            weights[name.strip()] = float(value)
        except ValueError:
            raise ParameterError(f"weight for '{name.strip()}' is not a number: '{value}'") from None
    weight_vector(weights)
    return weights


def filters_from_options(*, min_area: float | None = None, max_area: float | None = None,
                         plan_status: Sequence[str] = (), municipal_only: bool = False, vacant_only: bool = False,
                         category: Sequence[str] = (), area: Sequence[str] = ()) -> Filters:
    """Filters from command-line style options."""
    return Filters(min_area_m2=min_area or 0.0, max_area_m2=max_area if max_area is not None else float("inf"),
                   plan_statuses=tuple(plan_status), municipal_only=municipal_only, vacant_only=vacant_only,
                   categories=tuple(category), area_names=tuple(area))
