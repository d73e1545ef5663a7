"""Session state: every key the app keeps, in one place, and the view state <-> widgets.

Streamlit forgets a widget's value when a page that does not draw the widget runs; the keys in
:data:`KEPT` are written back on every run (``keep_widgets``), so weights and filters survive a
visit to another page.
"""

from __future__ import annotations

from urllib.parse import urlencode

import numpy as np
import streamlit as st

from analysis.profiles import CRITERIA, PROFILES
from layers.zoning import OP_CATEGORIES
from sites.scored import Filters
from sites.share import ALL_LAYERS, DEFAULT_CENTER, DEFAULT_LAYERS, DEFAULT_ZOOM, ViewState, decode, is_investor_link
from texts import DEFAULT_LANGUAGE, LANGUAGES

AREA_SLIDER_MAX = 60_000


class K:
    """Session-state keys."""

    LANG = "lang"
    PROFILE = "profile"
    M2_PER_JOB = "p_m2_per_job"
    PLOT_RATIO = "p_plot_ratio"
    MIN_PLOT = "p_min_plot"
    AREA_CHOICE = "area_choice"
    AREA_RANGE = "area_range"
    STATUSES = "statuses"
    CATEGORIES = "categories"
    MUNICIPAL_ONLY = "municipal_only"
    VACANT_ONLY = "vacant_only"
    BASEMAP = "basemap"
    SELECTED = "selected"
    COMPARE = "compare"
    MAP_CENTER = "map_center"
    MAP_ZOOM = "map_zoom"
    DRAWN = "drawn"
    UPLOADS = "uploads"
    UPLOAD_MESSAGE = "upload_message"
    LINK_APPLIED = "link_applied"
    LINK_NOTES = "link_notes"
    SCRIPT_RUNS = "script_runs"
    REG_EDIT_SHOWN = "reg_edit_shown"
    REG_PAIRS_SHOWN = "reg_pairs_shown"
    FLASH = "flash"
    SITE_PICK = "site_pick"
    DRAW_MODE = "draw_mode"
    MAP_CLICKS = "map_clicks"
    UPLOADER_GEN = "uploader_generation"
    MAPPING = "column_mapping"
    CAR_PERIOD = "car_period"
    CONTROLS_DRAWN = "controls_drawn"
    NOTICES = "notices"
    CONTROLS_SHOWN = "controls_shown"
    FALLBACK_RUNS = "controls_fallback_runs"
    MAP_RUN_OF = "map_run_of"
    PAGE_DRAWN_WITH = "page_drawn_with"
    MAP_REPORTS = "map_reports"

    @staticmethod
    def weight(criterion: str) -> str:
        """Key of a criterion's weight slider."""
        return f"w_{criterion}"

    @staticmethod
    def layer(name: str) -> str:
        """Key of a map layer's switch."""
        return f"layer_{name}"


KEPT = (K.LANG, K.PROFILE, K.M2_PER_JOB, K.PLOT_RATIO, K.MIN_PLOT, K.AREA_CHOICE, K.AREA_RANGE, K.STATUSES,
        K.CATEGORIES, K.MUNICIPAL_ONLY, K.VACANT_ONLY, K.BASEMAP, K.COMPARE, K.CAR_PERIOD,
        *(K.weight(c) for c in CRITERIA), *(K.layer(n) for n in ALL_LAYERS))


#: The sidebar widgets' first values (the weights and profile parameters come from the profile):
#: set before any widget is drawn, so the map can be drawn on a session's first run before them.
WIDGET_DEFAULTS = {K.CAR_PERIOD: "peak", K.AREA_CHOICE: "all", K.AREA_RANGE: (0, AREA_SLIDER_MAX), K.STATUSES: [],
                   K.CATEGORIES: [], K.MUNICIPAL_ONLY: False, K.VACANT_ONLY: False, K.BASEMAP: True}


def init_state() -> None:
    """Session defaults, then (on a session's first run) the officer's view carried by the link."""
    ss = st.session_state
    ss.setdefault(K.UPLOADS, {})
    ss.setdefault(K.SELECTED, None)
    ss.setdefault(K.LANG, "sv")
    ss.setdefault(K.PROFILE, "logistics")
    if K.M2_PER_JOB not in ss:
        reset_weights()
    for key, value in WIDGET_DEFAULTS.items():
        ss.setdefault(key, list(value) if isinstance(value, list) else value)
    for name in ALL_LAYERS:
        ss.setdefault(K.layer(name), name in DEFAULT_LAYERS)
    if K.LINK_APPLIED not in ss:
        ss[K.LINK_APPLIED] = True
        params = st.query_params.to_dict()
        if not is_investor_link(params):
            lang = params.get("lang") if params.get("lang") in LANGUAGES else ss.get(K.LANG, DEFAULT_LANGUAGE)
            state, notes = decode(params, lang)
            ss[K.LINK_NOTES] = notes
            apply_state(state)
    keep_widgets()


def keep_widgets() -> None:
    """Write the kept widget values back so a page without those widgets does not drop them."""
    ss = st.session_state
    for key in KEPT:
        if key in ss:
            ss[key] = ss[key]


def apply_state(state: ViewState) -> None:
    """Set the widgets' session values from a link's view state."""
    ss = st.session_state
    ss[K.PROFILE] = state.profile
    reset_weights()
    for c, w in state.weights.items():
        ss[K.weight(c)] = float(w)
    ss[K.LANG] = state.lang
    ss[K.AREA_CHOICE] = state.area
    ss[K.AREA_RANGE] = (int(min(state.min_area_m2, AREA_SLIDER_MAX)),
                        int(min(state.max_area_m2 or AREA_SLIDER_MAX, AREA_SLIDER_MAX)))
    ss[K.STATUSES] = list(state.plan_statuses)
    ss[K.CATEGORIES] = [c for c in state.categories if c in OP_CATEGORIES]
    ss[K.MUNICIPAL_ONLY] = state.municipal_only
    ss[K.VACANT_ONLY] = state.vacant_only
    for name in ALL_LAYERS:
        ss[K.layer(name)] = name in state.layers
    ss[K.SELECTED] = state.selected
    ss[K.COMPARE] = list(state.compare)
    ss[K.MAP_CENTER] = state.center
    ss[K.MAP_ZOOM] = state.zoom


def view_state(filters: Filters, visible: dict[str, bool]) -> ViewState:
    """The current view as a link state."""
    ss = st.session_state
    return ViewState(
        profile=ss[K.PROFILE], weights={c: ss[K.weight(c)] for c in CRITERIA}, min_area_m2=filters.min_area_m2,
        max_area_m2=None if np.isinf(filters.max_area_m2) else filters.max_area_m2,
        plan_statuses=filters.plan_statuses, categories=filters.categories, municipal_only=filters.municipal_only,
        vacant_only=filters.vacant_only, area="sp" if filters.area_names else "all", selected=ss.get(K.SELECTED),
        compare=tuple(ss.get(K.COMPARE, [])), layers=frozenset(k for k, v in visible.items() if v), lang=ss[K.LANG],
        center=ss.get(K.MAP_CENTER, DEFAULT_CENTER), zoom=ss.get(K.MAP_ZOOM, DEFAULT_ZOOM))


def share_url(params: dict[str, str]) -> str:
    """The app's address (this page) with ``params``."""
    base = (st.context.url or "http://localhost:8501").split("?", 1)[0]
    return base + ("?" + urlencode(params) if params else "")


def reset_weights() -> None:
    """Put the sliders and profile parameters back to the current profile's defaults."""
    ss = st.session_state
    base = PROFILES[ss[K.PROFILE]]
    for c in CRITERIA:
        ss[K.weight(c)] = float(base.weights[c])
    ss[K.M2_PER_JOB] = float(base.m2_per_job)
    ss[K.PLOT_RATIO] = float(base.plot_ratio)
    ss[K.MIN_PLOT] = float(base.min_plot_m2)


def flash(kind: str, text: str) -> None:
    """Keep a notice (``success``/``error``/``info``) to show after the next rerun."""
    st.session_state[K.FLASH] = (kind, text)


def notice(kind: str, text: str, where=st) -> None:
    """Show ``text`` as a ``success``, ``error``, ``warning`` or (anything else) ``info`` notice in ``where``."""
    {"success": where.success, "error": where.error, "warning": where.warning}.get(kind, where.info)(text)


def show_flash() -> None:
    """Show and forget the kept notice, if any."""
    kind, text = st.session_state.pop(K.FLASH, (None, None))
    if kind:
        notice(kind, text)
