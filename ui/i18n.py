"""Texts of the app in Swedish (default) and English, from the one catalogue in :mod:`texts`.

``t(key, lang, **values)`` is what pages call; it escapes text values for markdown. The helpers
below give the labels of coded values (criteria, profiles, statuses, layers, columns) so a page
never writes a user-facing word itself.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from types import MappingProxyType

from analysis.profiles import PROFILES
from sites.safe_text import markdown_text
from texts import LANGUAGES, has, keys, text
from texts import area_m2 as area_m2
from texts import date as date
from texts import distance as distance
from texts import minutes as minutes
from texts import number as number
from texts import percent as percent

__all__ = ["LANGUAGES", "PLAN_STATUS_LABELS", "TEXT", "application_status_label", "area_m2", "column_label",
           "column_labels", "criterion_label", "date", "distance", "label", "layer_label", "minutes", "mode_label",
           "number", "op_category_label", "owner_label", "percent", "plan_status_label", "profile_label",
           "site_status_label", "t"]


def t(key: str, lang: str, **values: object) -> str:
    """The text ``key`` in ``lang`` (English if the language is unknown), formatted with ``values``.

    Text values are escaped for markdown (:func:`sites.safe_text.markdown_text`): every text goes to
    a Streamlit element that renders markdown, and values may come from users or files. Numbers are
    written for the language (``12 690`` / ``12,690``).
    """
    return text(key, lang, **{k: markdown_text(v) if isinstance(v, str) else v for k, v in values.items()})


def label(prefix: str, code: object, lang: str) -> str:
    """The label of a coded value (``prefix.code``, or ``prefix_code`` for the page texts' flat keys).

    The code itself if the catalogue has neither.
    """
    key = f"{prefix}.{code}" if has(f"{prefix}.{code}") else f"{prefix}_{code}"
    return text(key, lang) if has(key) else str(code)


def criterion_label(criterion: str, lang: str) -> str:
    """Display name of a criterion."""
    return text(f"criterion.{criterion}", lang)


def profile_label(key: str, lang: str) -> str:
    """Display name of a profile."""
    return text(f"profile.{key}", lang) if has(f"profile.{key}") else PROFILES[key].name_en


def plan_status_label(status: str, lang: str) -> str:
    """``adopted`` -> ``antagen``."""
    return label("plan_status", status, lang)


def site_status_label(status: str, lang: str) -> str:
    """Registry site status (``idea``, ``available``, ...) -> ``idé``, ``tillgänglig``, ...; ``all`` -> ``alla``."""
    return label("status", status, lang)


def application_status_label(status: str, lang: str) -> str:
    """Application status (``open``, ``shortlisted``, ...) in words."""
    return label("status", status, lang)


def op_category_label(category: str, lang: str) -> str:
    """A comprehensive-plan (ÖP) category: the Swedish name stays, English gets a translation."""
    return label("op_category", str(category).lower().replace(" ", "_").replace("ö", "o"), lang)


def owner_label(owner: str, lang: str) -> str:
    """``municipal`` -> ``kommunal``; ``Södra Porten AB`` stays."""
    return label("owner", str(owner).replace(" ", "_"), lang)


def mode_label(mode: str, lang: str) -> str:
    """Transit mode ``metro``/``rail``/``bus`` in words."""
    return label("mode", mode, lang)


def layer_label(layer: str, lang: str) -> str:
    """A map layer's name (``transit``, ``junctions``, ``bus_stops``, ...)."""
    return text(f"layer_{layer}", lang)


def column_label(column: str, lang: str, **values: object) -> str:
    """A table or export column's label (the column keeps its machine name)."""
    key = f"column.{column}"
    return text(key, lang, **values) if has(key) else column


def column_labels(columns: Iterable[str], lang: str) -> dict[str, str]:
    """``{column: label}`` for ``DataFrame.rename(columns=...)``."""
    return {c: column_label(c, lang) for c in columns}


class _Entries(Mapping[str, Mapping[str, str]]):
    """Read-only ``TEXT[key][lang]`` view of the catalogue (the shape older callers used)."""

    def __getitem__(self, key: str) -> Mapping[str, str]:
        if not has(key):
            raise KeyError(key)
        return MappingProxyType({lang: text(key, lang) for lang in LANGUAGES})

    def __iter__(self):
        return iter(sorted(keys()))

    def __len__(self) -> int:
        return len(keys())


TEXT: Mapping[str, Mapping[str, str]] = _Entries()
PLAN_STATUS_LABELS: Mapping[str, Mapping[str, str]] = MappingProxyType({
    s: TEXT[f"plan_status.{s}"] for s in ("adopted", "in_progress", "none", "unknown")})
