"""The sidebar of the map and comparison pages: language, profile, weights, filters, layers, uploads."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

import layers
import layers.reader
from analysis.profiles import CRITERIA, PROFILES, Profile
from errors import SiteFinderError
from layers.mapping import parse_mapping, suggest_mapping
from layers.reader import as_bytes_io
from layers.zoning import OP_CATEGORIES
from sites.dataset import uncovered_parcels
from sites.safe_text import markdown_text as md
from sites.scored import Filters, customised
from sites.share import ALL_LAYERS
from ui.data import bundle, upload_store
from ui.i18n import LANGUAGES, PLAN_STATUS_LABELS, criterion_label, profile_label, t
from ui.state import AREA_SLIDER_MAX, K, reset_weights

MAX_UPLOAD_MB = 50
UPLOAD_LAYERS = ("parcels", "premises", "land_use")
CAR_PERIODS = ("peak", "free_flow")


@dataclass(frozen=True)
class Choices:
    """What the officer chose in the sidebar."""

    profile: Profile
    weights: dict[str, float]
    filters: Filters
    visible: dict[str, bool]
    basemap: bool
    car_period: str = "peak"


def uploader_key(layer: str) -> str:
    """The uploader's widget key: a new one after a refused file, which clears it from the uploader."""
    generation = st.session_state.get(K.UPLOADER_GEN, {}).get(layer, 0)
    return f"upload_{layer}" if generation == 0 else f"upload_{layer}_{generation}"


def handle_upload(layer: str, lang: str) -> None:
    """Validate an uploaded layer; keep it only if it loads (the previous layer stays otherwise).

    A refused file gets a message that says what to fix and is cleared from the uploader; a parcels
    file with other column names can be loaded with a column mapping (the form under the
    uploaders); accepted parcels outside the plan layer get a warning saying how to fix it, and the
    map moves to the new data.
    """
    file = st.session_state.get(uploader_key(layer))
    if file is None:
        return
    data = file.getvalue()
    if len(data) > MAX_UPLOAD_MB * 1024 * 1024:
        _refuse(layer, t("upload_too_big", lang, name=file.name, mb=len(data) / 2**20, cap=MAX_UPLOAD_MB))
        return
    mapping_text = st.session_state.get(K.MAPPING, "") if layer in ("parcels", "premises") else ""
    try:
        mapping = parse_mapping(mapping_text, layer) if mapping_text.strip() else None
        if layer == "parcels":
            loaded = layers.load_parcels(as_bytes_io(data, file.name), mapping=mapping)
        elif layer == "premises":
            loaded = layers.load_premises(as_bytes_io(data, file.name), mapping=mapping)
        else:
            loaded = layers.load_land_use(as_bytes_io(data, file.name), layer=None)
    except SiteFinderError as err:
        _refuse(layer, refusal(file.name, err, lang) + _mapping_hint(data, file.name, layer, lang))
        return
    digest = hashlib.sha256(data).hexdigest()
    upload_store().put(data, digest)
    st.session_state[K.UPLOADS][layer] = (file.name, digest)
    st.session_state[K.SELECTED] = None
    message = t("upload_ok", lang, layer=t(f"upload_{layer}", lang), n=len(loaded), name=file.name)
    if layer == "parcels":
        outside = uncovered_parcels(loaded, bundle(()).dataset.land_use)
        if outside:
            st.session_state[K.UPLOAD_MESSAGE] = ("warning", message + " " + md(outside))
            return
    st.session_state[K.UPLOAD_MESSAGE] = ("success", message)


#: What to do, per kind of error, in the officer's language (the error's own text has the details).
ADVICE = {"DataFormatError": "format", "GeometryError": "geometry", "SchemaError": "columns", "CrsError": "crs",
          "ParameterError": "mapping"}


def refusal(name: str, err: SiteFinderError, lang: str) -> str:
    """Why an upload was refused: what to do in ``lang``, then the reader's details.

    The details name the file, the column or the value found and are written in English by the
    readers (``layers/``), which serve the command line too; they are labelled as such.
    """
    kind = next((ADVICE[c.__name__] for c in type(err).__mro__ if c.__name__ in ADVICE), "other")
    return (t("upload_failed", lang, name=name, reason=t(f"upload_advice.{kind}", lang)) + ". "
            + t("upload_details", lang, details=str(err)))


def _refuse(layer: str, message: str) -> None:
    st.session_state[K.UPLOAD_MESSAGE] = ("error", message)
    generations = st.session_state.setdefault(K.UPLOADER_GEN, {})
    generations[layer] = generations.get(layer, 0) + 1


def _mapping_hint(data: bytes, name: str, layer: str, lang: str) -> str:
    """For a parcels or premises file the loader refused: its columns and a suggested mapping."""
    if layer not in ("parcels", "premises"):
        return ""
    try:
        columns = [c for c in layers.reader.read_vector(as_bytes_io(data, name)).columns if c != "geometry"]
    except SiteFinderError:
        return ""
    suggested = suggest_mapping(columns, layer)
    text = ", ".join(f"{k}={v}" for k, v in suggested.items())
    return " " + t("mapping_hint", lang, columns=", ".join(columns[:20]), suggestion=text or "-")


@dataclass(frozen=True)
class SidebarSlots:
    """Three sidebar containers in order: language and profile, the weights, filters and the rest.

    The map page draws the weights from its map fragment (a weight change then reruns the map
    first) and the rest from the page; the comparison page draws all of them in order.
    """

    top: DeltaGenerator
    weights: DeltaGenerator
    rest: DeltaGenerator

    @classmethod
    def make(cls) -> SidebarSlots:
        """Three new, empty containers at the end of the sidebar."""
        return cls(st.sidebar.container(), st.sidebar.container(), st.sidebar.container())


def sidebar(lang: str, slots: SidebarSlots | None = None, *, weights: bool = True) -> Choices:
    """Language, profile, weights, filters, layer switches and uploads (drawn by the map and comparison pages).

    Parameters
    ----------
    lang
        Language of the labels.
    slots
        Where to draw (new containers at the end of the sidebar when None).
    weights
        Draw the weight sliders too (the map page draws them from its map fragment).
    """
    slots = slots or SidebarSlots.make()
    top, rest = slots.top, slots.rest
    top.radio(t("language", lang), list(LANGUAGES), format_func=LANGUAGES.get, key=K.LANG, horizontal=True)
    top.selectbox(t("profile", lang), list(PROFILES), key=K.PROFILE, format_func=lambda k: profile_label(k, lang),
                  on_change=reset_weights)
    with top.expander(t("profile_params", lang), expanded=False):
        st.number_input(t("m2_per_job", lang), 5.0, 500.0, step=5.0, key=K.M2_PER_JOB)
        st.number_input(t("plot_ratio", lang), 0.05, 5.0, step=0.05, key=K.PLOT_RATIO)
        st.number_input(t("min_plot", lang), 0.0, 200_000.0, step=500.0, key=K.MIN_PLOT)
    top.radio(t("car_period", lang), CAR_PERIODS, key=K.CAR_PERIOD, horizontal=True,
              format_func=lambda p: t(f"explain.period.{p}", lang), help=t("car_period_help", lang))
    if weights:
        with slots.weights:
            weight_sliders(lang)
    with rest.expander(t("filters", lang), expanded=False):
        st.radio(t("area", lang), ["sp", "all"], key=K.AREA_CHOICE,
                 format_func=lambda k: t("area_sp" if k == "sp" else "area_all", lang))
        st.slider(t("area_range", lang), 0, AREA_SLIDER_MAX, step=500, key=K.AREA_RANGE)
        st.multiselect(t("plan_status", lang), ["adopted", "in_progress", "none"], key=K.STATUSES,
                       format_func=lambda s: PLAN_STATUS_LABELS[s][lang])
        st.multiselect(t("categories", lang), list(OP_CATEGORIES), key=K.CATEGORIES)
        st.checkbox(t("municipal_only", lang), key=K.MUNICIPAL_ONLY)
        st.checkbox(t("vacant_only", lang), key=K.VACANT_ONLY)
    with rest.expander(t("layers", lang), expanded=False):
        for name in ALL_LAYERS:
            st.checkbox(t(f"layer_{name}", lang), key=K.layer(name))
        st.checkbox(t("basemap", lang), key=K.BASEMAP)
    with rest.expander(t("upload", lang), expanded=False):
        for layer in UPLOAD_LAYERS:
            st.file_uploader(t(f"upload_{layer}", lang), type=["gpkg", "geojson", "json", "zip", "parquet"],
                             key=uploader_key(layer), on_change=handle_upload, args=(layer, lang))
        st.text_input(t("mapping_label", lang), key=K.MAPPING, help=t("mapping_help", lang),
                      placeholder="FNR=parcel_id, FASTBET=designation")
        if st.session_state[K.UPLOADS] and st.button(t("use_demo", lang)):
            st.session_state[K.UPLOADS] = {}
            st.session_state[K.SELECTED] = None
            st.rerun()
    choices = chosen()
    if not any(v > 0 for v in (st.session_state[K.weight(c)] for c in CRITERIA)):
        rest.warning(t("all_zero", lang))
    return choices


def weight_sliders(lang: str) -> None:
    """The weight sliders and their reset button, in the current container."""
    with st.expander(t("weights", lang), expanded=True):
        for c in CRITERIA:
            st.slider(criterion_label(c, lang), 0.0, 1.0, step=0.05, key=K.weight(c))
        st.button(t("reset", lang), on_click=reset_weights)


def chosen() -> Choices:
    """The officer's choices from the sidebar widgets' values, before (or without) drawing them.

    ``ui.state.init_state`` gives every widget its first value and a rerun starts with every
    widget's new value in the session state, so the map can be drawn before the ~40 sidebar
    widgets are.
    """
    ss = st.session_state
    base = PROFILES[ss[K.PROFILE]]
    m2, ratio, min_plot = ss[K.M2_PER_JOB], ss[K.PLOT_RATIO], ss[K.MIN_PLOT]
    changed = (m2, ratio, min_plot) != (base.m2_per_job, base.plot_ratio, base.min_plot_m2)
    profile = customised(base, m2_per_job=m2, plot_ratio=ratio, min_plot_m2=min_plot) if changed else base
    weights = {c: ss[K.weight(c)] for c in CRITERIA}
    if not any(v > 0 for v in weights.values()):
        weights = dict(profile.weights)
    lo, hi = ss[K.AREA_RANGE]
    filters = Filters(min_area_m2=float(lo), max_area_m2=float(hi) if hi < AREA_SLIDER_MAX else float("inf"),
                      plan_statuses=tuple(ss[K.STATUSES]), municipal_only=ss[K.MUNICIPAL_ONLY],
                      vacant_only=ss[K.VACANT_ONLY], categories=tuple(ss[K.CATEGORIES]),
                      area_names=("Södra Porten",) if ss[K.AREA_CHOICE] == "sp" else ())
    visible = {name: ss[K.layer(name)] for name in ALL_LAYERS}
    return Choices(profile, weights, filters, visible, ss[K.BASEMAP], ss[K.CAR_PERIOD])
