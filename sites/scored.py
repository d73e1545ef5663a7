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
from analysis.robustness import monte_carlo, weight_robustness
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
    #: The exclusion reasons in each language (``reasons`` is English); shown in the explanation.
    reasons_by_lang: Mapping[str, pd.Series] = field(default_factory=dict)
    _memo: dict = field(default_factory=dict, compare=False, repr=False)

    #: Weight/filter settings remembered per scorer (a rerun with unchanged inputs recomputes nothing).
    MEMO_SIZE = 8

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
        by_lang = {lang: exclusions(parcels, table["op_category"], table["developable_m2"], profile, lang=lang)
                   for lang in ("en", "sv")}
        return cls(parcels, table, profile, values, by_lang["en"], params, by_lang)

    def map_scores(self, weights: Mapping[str, float] | None = None, filters: Filters = Filters()) -> np.ndarray:
        """Per-parcel float32 scores in table order for the map, without ranking or explaining.

        Returns
        -------
        numpy.ndarray
            0..100 for scored parcels, NaN for excluded ones, -1 for parcels outside ``filters``
            (``score(...).frame["score"]`` as float32, laid out as ``sites.tiles.score_array`` does).
        """
        w = weight_vector(self.profile.weights if weights is None else weights)
        keep = filters.mask(self.parcels, self.table)
        scores = combine(self.values, w)[0].astype("float32")
        scores[pd.notna(self.reasons.to_numpy())] = np.nan
        scores[~keep] = -1.0
        return scores

    def quick(self, weights: Mapping[str, float] | None = None, filters: Filters = Filters(), *,
              robustness: bool = True, draws: int = 1000, shown: int = 10) -> QuickScores:
        """What a weight change needs: scores, ranks and top-k probabilities, nothing per parcel.

        Rank percentiles are computed for the ``shown`` best parcels in the same Monte Carlo pass;
        explanations and the percentiles of other parcels wait for ``QuickScores.details``. The
        result is remembered, so calling again with the same inputs costs nothing.

        Parameters
        ----------
        weights
            Weight per criterion (the profile's defaults if None).
        filters
            Parcels to consider.
        robustness
            Run the Monte Carlo over weights.
        draws
            Monte Carlo draws.
        shown
            How many of the best parcels get rank percentiles now.

        Returns
        -------
        QuickScores
            Positions refer to rows of ``parcels`` (the tile index of the map).
        """
        w = weight_vector(self.profile.weights if weights is None else weights)
        key = ("quick", tuple(np.round(w, 12)), filters, robustness, draws, shown)
        hit = self._memo.get(key)
        if hit is not None:
            return hit
        keep = filters.mask(self.parcels, self.table)
        kept = np.flatnonzero(keep)
        values = self.values[:, kept]
        excluded = pd.notna(self.reasons.to_numpy()[kept])
        scores = combine(values, w)[0]
        ranks = rank(scores, excluded)
        order = np.flatnonzero(~excluded)[np.argsort(ranks[~excluded], kind="stable")]
        p_top = lo = hi = None
        top = order[:shown]
        if robustness and len(kept):
            p_top, lo, hi = monte_carlo(values, w, excluded, top, top_k=self.params.top_k, draws=draws)
        result = QuickScores(self, w, kept, scores, excluded, ranks, order, p_top, draws,
                             {int(kept[j]): (a, b) for j, a, b in zip(top, lo, hi, strict=True)} if lo is not None
                             else {})
        if len(self._memo) >= self.MEMO_SIZE:
            self._memo.pop(next(iter(self._memo)))
        self._memo[key] = result
        return result

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
        frame["exclusion_reason"] = self.reasons_by_lang.get(lang, self.reasons)[keep].to_numpy()
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
class QuickScores:
    """Scores of one weight and filter setting; per-parcel details on demand.

    Attributes
    ----------
    scorer
        The scorer (dataset, profile, criterion values).
    weights
        Normalised weights in ``CRITERIA`` order.
    kept
        Table positions of the parcels that pass the filters (ascending).
    scores, excluded, ranks
        Per kept parcel: score 0..100, excluded flag, rank (0 when excluded).
    order
        Positions in ``kept`` of the eligible parcels, best first.
    p_top_k
        Per kept parcel, share of weight draws in the top k (NaN when excluded), or None.
    draws
        Monte Carlo draws.
    percentiles
        ``{table position: (rank_p05, rank_p95)}`` computed so far.
    """

    scorer: Scorer
    weights: np.ndarray
    kept: np.ndarray
    scores: np.ndarray
    excluded: np.ndarray
    ranks: np.ndarray
    order: np.ndarray
    p_top_k: np.ndarray | None
    draws: int
    percentiles: dict = field(default_factory=dict)
    _memo: dict = field(default_factory=dict, compare=False, repr=False)

    def map_scores(self) -> np.ndarray:
        """Float32 per parcel in table order: score, NaN when excluded, -1 outside the filters."""
        out = np.full(len(self.scorer.parcels), -1.0, dtype="float32")
        out[self.kept] = np.where(self.excluded, np.nan, self.scores)
        return out

    def best(self, n: int = 10) -> np.ndarray:
        """Table positions of the ``n`` best eligible parcels, best first."""
        return self.kept[self.order[:n]]

    def details(self, positions: Sequence[int], lang: str = "en") -> gpd.GeoDataFrame:
        """Rows of ``Scorer.score(...).frame`` for the given table positions only (same numbers).

        Parameters
        ----------
        positions
            Table positions (e.g. ``best(10)`` plus the selected parcel); unknown or filtered-out
            positions are left out.
        lang
            Language of the explanations.

        Returns
        -------
        geopandas.GeoDataFrame
            One row per position that passes the filters, in the order given.
        """
        key = (tuple(int(p) for p in positions), lang)
        if key in self._memo:
            return self._memo[key]
        sc = self.scorer
        asked = np.asarray(key[0], dtype=np.int64)
        where = np.searchsorted(self.kept, asked)
        ok = (where < len(self.kept)) & (self.kept[np.minimum(where, len(self.kept) - 1)] == asked) if len(
            self.kept) else np.zeros(len(asked), dtype=bool)
        cols = where[ok]
        table_pos = self.kept[cols]
        values = sc.values[:, self.kept]
        _, contributions = combine(values[:, cols], self.weights)
        excluded = self.excluded[cols]
        idx = sc.parcels.index[table_pos]
        frame = pd.DataFrame(sc.parcels.loc[idx, list(PARCEL_COLUMNS)])
        frame.insert(2, "profile", sc.profile.key)
        frame["score"] = np.where(excluded, np.nan, self.scores[cols])
        frame["rank"] = self.ranks[cols]
        frame["excluded"] = excluded
        frame["exclusion_reason"] = sc.reasons.to_numpy()[table_pos]
        table = sc.table.loc[idx]
        for col in INDICATOR_COLUMNS:
            frame[col] = table[col].to_numpy()
        for i, c in enumerate(CRITERIA):
            frame[f"value_{c}"] = values[i, cols]
            frame[f"contrib_{c}"] = np.where(excluded, np.nan, contributions[i])
        if self.p_top_k is not None:
            missing = [int(c) for c, p in zip(cols, table_pos, strict=True) if int(p) not in self.percentiles]
            if missing:
                _, lo, hi = monte_carlo(values, self.weights, self.excluded, np.array(missing),
                                        top_k=sc.params.top_k, draws=self.draws)
                self.percentiles.update({int(self.kept[c]): (a, b) for c, a, b in zip(missing, lo, hi, strict=True)})
            frame["p_top_k"] = self.p_top_k[cols]
            frame["rank_p05"] = [self.percentiles[int(p)][0] for p in table_pos]
            frame["rank_p95"] = [self.percentiles[int(p)][1] for p in table_pos]
        reasons = frame["exclusion_reason"].to_numpy()
        rows = zip(*[frame[c].to_numpy() for c in EXPLAIN_COLUMNS], strict=True)
        period = {"car_period": sc.params.car_period}
        frame["explanation"] = [explain(values[:, c], self.weights, {**dict(zip(EXPLAIN_COLUMNS, row, strict=True)),
                                                                     **period}, lang=lang, reason=reasons[j])
                                for j, (c, row) in enumerate(zip(cols, rows, strict=True))]
        out = gpd.GeoDataFrame(frame, geometry=sc.parcels.geometry.loc[idx], crs=sc.parcels.crs)
        if len(self._memo) >= 32:
            self._memo.pop(next(iter(self._memo)))
        self._memo[key] = out
        return out


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
