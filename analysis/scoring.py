"""Scoring: value functions (indicator -> 0..1), weighted sum (0..100), exclusions, ranking.

The expensive part (indicators, value functions) is computed once; a weight change only redoes
``combine`` and ``rank`` on a criterion-major float array.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

import numpy as np
import pandas as pd

from analysis.profiles import CRITERIA, Profile
from errors import ParameterError
from texts import area_m2, text

#: Indicator column behind each criterion.
INDICATOR_OF: Mapping[str, str] = MappingProxyType({
    "jobs": "jobs_est",
    "motorway": "car_min_to_junction",
    "rail_stop": "walk_m_to_rail_stop",
    "transit_service": "departures_per_hour_600m",
    "labour_pool_pt": "residents_45min_pt",
    "labour_pool_car": "residents_30min_car",
    "local_hire": "local_hire_30min_botkyrka",
    "readiness": "readiness_index",
})


@dataclass(frozen=True)
class ValueFunction:
    """Piecewise-linear value function through ``(indicator, value)`` points; flat outside them."""

    points: tuple[tuple[float, float], ...]

    def __post_init__(self) -> None:
        xs = [p[0] for p in self.points]
        if len(xs) < 2 or any(b <= a for a, b in itertools.pairwise(xs)):
            raise ParameterError(f"value function points must have increasing x: {self.points}")
        if any(not 0 <= p[1] <= 1 for p in self.points):
            raise ParameterError(f"value function values must lie in 0..1: {self.points}")

    def __call__(self, x: np.ndarray) -> np.ndarray:
        """Values 0..1 for indicator values ``x`` (NaN counts as 0)."""
        xs, ys = zip(*self.points, strict=True)
        out = np.interp(np.asarray(x, dtype="float64"), xs, ys)
        return np.where(np.isnan(out), 0.0, out)

    def describe(self) -> str:
        """The points as text, e.g. ``'2 -> 1.0, 15 -> 0.0'``."""
        return ", ".join(f"{x:g} -> {y:g}" for x, y in self.points)


DEFAULT_VALUE_FUNCTIONS: Mapping[str, ValueFunction] = MappingProxyType({
    # Replaced when scoring by range_value_function on the profile's jobs potential (full marks at
    # the 95th percentile of the region's parcels) unless value functions are given explicitly.
    "jobs": ValueFunction(((0, 0), (250, 1))),  # full marks from 250 jobs on the plot
    "motorway": ValueFunction(((2, 1), (15, 0))),  # minutes to a junction: full <= 2, zero >= 15
    "rail_stop": ValueFunction(((600, 1), (1200, 0.5), (2000, 0))),  # 600 m very good, 1,200 m good (Huddinge)
    "transit_service": ValueFunction(((0, 0), (24, 1))),  # departures per hour within 600 m
    # The labour pools have no external benchmark for full marks: they are set from the study
    # region's range (README "Value functions"): 0 at the 5th and 1 at the 95th percentile of
    # Botkyrka's parcels on the demo region (morning peak), rounded to two significant digits.
    "labour_pool_pt": ValueFunction(((21_000, 0), (180_000, 1))),  # residents within 45 min by public transport
    "labour_pool_car": ValueFunction(((290_000, 0), (960_000, 1))),  # residents within 30 min by car, peak
    "local_hire": ValueFunction(((3_500, 0), (38_000, 1))),  # Botkyrka residents within 30 min
    "readiness": ValueFunction(((0, 0), (1, 1))),
})
def _two_digits(x: float) -> float:
    """``x`` rounded to two significant digits."""
    if x <= 0:
        return 0.0
    return float(round(x, 1 - int(np.floor(np.log10(x)))))


def range_value_function(values: np.ndarray, *, high_pct: float = 95.0, low: float | None = 0.0,
                         low_pct: float = 5.0) -> ValueFunction:
    """A rising value function set from a study region's range of an indicator.

    1 at the ``high_pct`` percentile of ``values``; 0 at ``low`` (or, if None, at the ``low_pct``
    percentile); both rounded to two significant digits. Used for the jobs potential, whose
    scale depends on the profile (a logistics plot holds far fewer jobs than an office plot).
    """
    x = np.asarray(values, dtype="float64")
    x = x[np.isfinite(x)]
    if len(x) == 0:
        return ValueFunction(((0.0, 0.0), (1.0, 1.0)))
    lo = _two_digits(float(np.percentile(x, low_pct))) if low is None else float(low)
    hi = _two_digits(float(np.percentile(x, high_pct)))
    if hi <= lo:
        hi = lo + 1.0
    return ValueFunction(((lo, 0.0), (hi, 1.0)))


#: Value functions that differ when car times are free-flow (same rule on the free-flow values).
FREE_FLOW_VALUE_FUNCTIONS: Mapping[str, ValueFunction] = MappingProxyType({
    **DEFAULT_VALUE_FUNCTIONS,
    "labour_pool_car": ValueFunction(((1_100_000, 0), (2_000_000, 1))),
})
#: Car-time periods: the morning peak (default) or free flow.
CAR_PERIODS = ("peak", "free_flow")
#: Indicator columns that exist per car period (suffix ``_free_flow`` for free flow).
CAR_COLUMNS = ("car_min_to_junction", "residents_30min_car")


def indicators_for_period(indicators: pd.DataFrame, car_period: str) -> pd.DataFrame:
    """The indicator table with its car columns taken from ``car_period`` (``"peak"`` or ``"free_flow"``).

    The peak values live under the plain names (``car_min_to_junction``, ``residents_30min_car``)
    and the free-flow values under ``<name>_free_flow``; for free flow the plain names are
    overwritten with the free-flow values, so explanations and exports show what was scored.
    """
    if car_period not in CAR_PERIODS:
        raise ParameterError(f"unknown car period '{car_period}'; choose one of {', '.join(CAR_PERIODS)}")
    if car_period == "peak":
        return indicators
    missing = [f"{c}_free_flow" for c in CAR_COLUMNS if f"{c}_free_flow" not in indicators]
    if missing:
        raise ParameterError(f"the indicators have no free-flow car columns ({', '.join(missing)}); "
                             "recompute them with this version")
    out = indicators.copy()
    for c in CAR_COLUMNS:
        out[c] = out[f"{c}_free_flow"]
    return out


PLAN_READINESS: Mapping[str, float] = MappingProxyType({"adopted": 1.0, "in_progress": 0.6, "none": 0.2,
                                                        "unknown": 0.3})
PUBLIC_OWNERS = frozenset({"municipal", "Södra Porten AB"})


@dataclass(frozen=True)
class ScoringParams:
    """Everything besides the weights that shapes a score.

    Attributes
    ----------
    value_functions
        Per criterion; None means the defaults of ``car_period`` (``DEFAULT_VALUE_FUNCTIONS`` for the
        peak, ``FREE_FLOW_VALUE_FUNCTIONS`` for free flow).
    car_period
        Car times scored: ``"peak"`` (morning peak, default) or ``"free_flow"``.
    gravity_beta_per_min
        Decay of the Hansen labour-pool measure (0.05/min halves the weight in ~14 min).
    top_k
        Size of the shortlist for the robustness measure.
    """

    value_functions: Mapping[str, ValueFunction] | None = None
    car_period: str = "peak"
    gravity_beta_per_min: float = 0.05
    top_k: int = 10

    def __post_init__(self) -> None:
        if self.car_period not in CAR_PERIODS:
            raise ParameterError(f"unknown car period '{self.car_period}'; choose one of {', '.join(CAR_PERIODS)}")

    @property
    def functions(self) -> Mapping[str, ValueFunction]:
        """The value functions in use (explicit, or the car period's defaults)."""
        if self.value_functions is not None:
            return self.value_functions
        return FREE_FLOW_VALUE_FUNCTIONS if self.car_period == "free_flow" else DEFAULT_VALUE_FUNCTIONS


def readiness_index(plan_status: pd.Series, owner_type: pd.Series, vacant: pd.Series) -> pd.Series:
    """0..1: half plan status (adopted 1, in progress 0.6, none 0.2), 0.3 public ownership, 0.2 vacancy."""
    plan = plan_status.map(PLAN_READINESS).fillna(PLAN_READINESS["unknown"]).astype("float64")
    public = owner_type.isin(PUBLIC_OWNERS).astype("float64")
    return (0.5 * plan + 0.3 * public + 0.2 * vacant.astype("float64")).rename("readiness_index")


def criterion_values(indicators: pd.DataFrame, params: ScoringParams = ScoringParams()) -> np.ndarray:
    """Criterion-major array ``len(CRITERIA) x parcels`` of values 0..1."""
    return np.vstack([params.functions[c](indicators[INDICATOR_OF[c]].to_numpy(dtype="float64"))
                      for c in CRITERIA])


def weight_vector(weights: Mapping[str, float]) -> np.ndarray:
    """Weights in ``CRITERIA`` order, normalised to sum 1; refuses unknown, negative or all-zero weights."""
    unknown = set(weights) - set(CRITERIA)
    if unknown:
        raise ParameterError(f"unknown criteria {sorted(unknown)}; choose from {', '.join(CRITERIA)}")
    w = np.array([float(weights.get(c, 0.0)) for c in CRITERIA])
    if not np.isfinite(w).all():
        raise ParameterError("weights must be finite numbers")
    if (w < 0).any():
        bad = [c for c, v in zip(CRITERIA, w, strict=True) if v < 0]
        raise ParameterError(f"weights cannot be negative ({', '.join(bad)})")
    if w.sum() <= 0:
        raise ParameterError("at least one weight must be above zero")
    return w / w.sum()


def combine(values: np.ndarray, weights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Scores 0..100 and per-criterion contributions (which add up to the score).

    Parameters
    ----------
    values
        ``criteria x parcels`` values 0..1.
    weights
        Normalised weights, one per criterion.

    Returns
    -------
    scores, contributions
        ``(parcels,)`` and ``(criteria, parcels)``.
    """
    contributions = (100.0 * weights)[:, None] * values
    return weights @ values * 100.0, contributions


def rank(scores: np.ndarray, excluded: np.ndarray) -> np.ndarray:
    """Rank 1 = best among parcels not excluded (ties keep input order); 0 for excluded parcels.

    Sorting float32 keys keeps a weight change at 100,000 parcels within ~10 ms.
    """
    key = np.where(excluded, np.float32(np.inf), -np.asarray(scores, dtype="float32"))
    order = np.argsort(key, kind="stable")
    ranks = np.empty(len(scores), dtype=np.int64)
    ranks[order] = np.arange(1, len(scores) + 1)
    ranks[excluded] = 0
    return ranks


def exclusions(parcels: pd.DataFrame, op_category: pd.Series, developable_m2: pd.Series,
               profile: Profile, *, lang: str = "en") -> pd.Series:
    """Why a parcel cannot take the profile (None where it can), in ``lang`` (texts ``exclusion.*``).

    Rules, first match wins: an adopted or proposed plan use code the profile cannot use; without
    a plan code, a comprehensive-plan category the profile cannot use; a plot smaller than the
    profile's minimum; no developable land left.
    """
    code = parcels["plan_use_code"]
    status = parcels["plan_status"]
    name = (profile.name_sv if lang == "sv" else profile.name_en).lower()
    needs = ", ".join(sorted(profile.use_codes))
    reasons = pd.Series(None, index=parcels.index, dtype=object)
    has_code = code.notna() & status.isin(["adopted", "in_progress"])
    bad_code = has_code & ~code.isin(list(profile.use_codes))
    reasons[bad_code] = [
        text("exclusion.plan_use" if s == "adopted" else "exclusion.proposed_plan_use", lang, code=c, profile=name,
             needs=needs) for c, s in zip(code[bad_code], status[bad_code], strict=True)]
    no_code = ~has_code
    bad_cat = no_code & ~op_category.isin(list(profile.categories)) & reasons.isna()
    allowed = f" {text('word.or', lang)} ".join(sorted(profile.categories))
    reasons[bad_cat] = [text("exclusion.op_category", lang, category=c or text("exclusion.no_category", lang),
                             allowed=allowed) for c in op_category[bad_cat]]
    small = (parcels["area_m2"] < profile.min_plot_m2) & reasons.isna()
    minimum = area_m2(profile.min_plot_m2, lang)
    reasons[small] = [text("exclusion.small_plot", lang, area=area_m2(a, lang), minimum=minimum, profile=name)
                      for a in parcels.loc[small, "area_m2"]]
    nothing = (developable_m2 <= 0) & reasons.isna()
    reasons[nothing] = text("exclusion.no_land", lang)
    return reasons.astype(object).where(reasons.notna(), None).rename("exclusion_reason")
