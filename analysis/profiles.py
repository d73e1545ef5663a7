"""Establishment profiles: what a kind of company needs, with editable defaults and sources.

Employment densities (m² gross floor area, BTA, per job) follow the suggested defaults in
DOMAIN.md, derived from the UK HCA Employment Density Guide (3rd ed., 2015) and Swedish office
practice; plot ratios (exploateringstal, BTA / land area) follow the ranges given there.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from texts import text

#: Criteria in a fixed order (the rows of the criterion-major value array).
CRITERIA: tuple[str, ...] = (
    "jobs", "motorway", "rail_stop", "transit_service", "labour_pool_pt", "labour_pool_car", "local_hire",
    "readiness",
)

#: (Swedish, English) label of each criterion, from the text catalogue (:mod:`texts`).
CRITERION_LABELS: Mapping[str, tuple[str, str]] = MappingProxyType({
    c: (text(f"criterion.{c}", "sv"), text(f"criterion.{c}", "en")) for c in CRITERIA})

SOURCE_DENSITY = "UK HCA Employment Density Guide 3rd ed. (2015) via DOMAIN.md suggested defaults"
SOURCE_RATIO = "Plot-ratio ranges in DOMAIN.md (logistics 0.4-0.55, light industry 0.3-0.6, office 0.4-2.5)"


@dataclass(frozen=True)
class Profile:
    """A kind of establishment and how to judge a site for it.

    Attributes
    ----------
    key
        Identifier used in links and on the command line.
    name_sv, name_en
        Display names.
    m2_per_job
        Gross floor area (BTA) per job.
    plot_ratio
        Default exploateringstal (BTA / land area); a plan's maximum caps it.
    min_plot_m2
        Smallest plot the establishment can use.
    use_codes
        Compatible detaljplan use codes (Z business, J industry, K office, H retail, C centre).
    categories
        Compatible comprehensive-plan (ÖP) categories where no adopted plan applies.
    weights
        Default weight per criterion (any non-negative numbers; normalised when scoring).
    sources
        Where the defaults come from.
    """

    key: str
    name_sv: str
    name_en: str
    m2_per_job: float
    plot_ratio: float
    min_plot_m2: float
    use_codes: frozenset[str]
    categories: frozenset[str]
    weights: Mapping[str, float] = field(default_factory=dict)
    sources: str = f"{SOURCE_DENSITY}; {SOURCE_RATIO}"

    def __post_init__(self) -> None:
        unknown = set(self.weights) - set(CRITERIA)
        if unknown:
            raise ValueError(f"profile {self.key}: unknown criteria {sorted(unknown)}; known: {', '.join(CRITERIA)}")
        if self.m2_per_job <= 0 or self.plot_ratio <= 0 or self.min_plot_m2 < 0:
            raise ValueError(f"profile {self.key}: m2_per_job and plot_ratio must be > 0, min_plot_m2 >= 0")
        object.__setattr__(self, "weights", MappingProxyType({c: float(self.weights.get(c, 0.0)) for c in CRITERIA}))


BUSINESS = frozenset({"Verksamheter"})
URBAN_OR_BUSINESS = frozenset({"Verksamheter", "Stadsbygd"})


def _w(**weights: float) -> dict[str, float]:
    return weights


def _names(key: str) -> tuple[str, str]:
    """(Swedish, English) display name of a profile, from the text catalogue."""
    return text(f"profile.{key}", "sv"), text(f"profile.{key}", "en")


PROFILES: Mapping[str, Profile] = MappingProxyType({
    p.key: p for p in (
        Profile("logistics", *_names("logistics"), 85, 0.5, 10_000, frozenset("ZJ"), BUSINESS,
                _w(jobs=0.15, motorway=0.35, rail_stop=0.05, transit_service=0.05, labour_pool_pt=0.05,
                   labour_pool_car=0.15, local_hire=0.05, readiness=0.15)),
        Profile("light_industry", *_names("light_industry"), 50, 0.45, 3_000, frozenset("JZ"), BUSINESS,
                _w(jobs=0.2, motorway=0.25, rail_stop=0.05, transit_service=0.05, labour_pool_pt=0.1,
                   labour_pool_car=0.1, local_hire=0.1, readiness=0.15)),
        Profile("office", *_names("office"), 20, 0.8, 2_000, frozenset("KZC"), URBAN_OR_BUSINESS,
                _w(jobs=0.2, motorway=0.05, rail_stop=0.25, transit_service=0.15, labour_pool_pt=0.15,
                   local_hire=0.05, readiness=0.15)),
        Profile("big_box_retail", *_names("big_box_retail"), 90, 0.4, 8_000, frozenset("HZ"), BUSINESS,
                _w(jobs=0.1, motorway=0.3, rail_stop=0.05, transit_service=0.1, labour_pool_pt=0.05,
                   labour_pool_car=0.25, local_hire=0.05, readiness=0.1)),
        Profile("mixed_service", *_names("mixed_service"), 45, 0.5, 2_000, frozenset("ZKJHC"),
                URBAN_OR_BUSINESS,
                _w(jobs=0.2, motorway=0.15, rail_stop=0.15, transit_service=0.1, labour_pool_pt=0.1,
                   labour_pool_car=0.05, local_hire=0.1, readiness=0.15)),
    )
})


def custom_profile(base: Profile, **changes: object) -> Profile:
    """A copy of ``base`` with some fields changed (``key`` defaults to ``"custom"``).

    Parameters
    ----------
    base
        Profile to start from.
    **changes
        Field values, e.g. ``m2_per_job=60, weights={...}``.

    Returns
    -------
    Profile
        Validated like any profile.
    """
    changes.setdefault("key", "custom")
    return dataclasses.replace(base, **changes)
