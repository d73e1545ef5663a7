"""Streamlit app: the establishment officer's map explorer (UI only; logic lives in the packages)."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import os
import secrets
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

import geopandas as gpd
import numpy as np
import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

import layers
from analysis.isochrones import isochrones
from analysis.matching import DEFAULT_MATCH_WEIGHTS
from analysis.profiles import CRITERIA, PROFILES, Profile
from errors import SiteFinderError
from layers.reader import as_bytes_io
from layers.transit import route_lines, stop_modes
from layers.zoning import OP_CATEGORIES
from settings import DATABASE_URL, DISPLAY_CRS, MUNICIPALITY_CODE
from sites import export
from sites.dataset import Dataset, DataSources, load_dataset
from sites.display import display_parcels, score_grid
from sites.indicators import Networks, build_networks, load_or_compute
from sites.prospectus import prospectus_pdf
from sites.registry import SITE_STATUSES, Registry, open_registry
from sites.safe_text import markdown_text as md
from sites.scored import Filters, ScoredSites, Scorer, customised
from sites.selection import drawn_area, parcel_at
from sites.share import (
    ALL_LAYERS,
    DEFAULT_CENTER,
    DEFAULT_LAYERS,
    DEFAULT_ZOOM,
    ViewState,
    decode,
    encode,
    investor_link,
    is_investor_link,
    read_investor_link,
)
from sites.shortlist import shortlists as site_shortlists
from ui.auth import link_secret, officer_name, officer_signed_in
from ui.cache import DatasetCache, dataset_cache
from ui.colours import viridis
from ui.i18n import LANGUAGES, PLAN_STATUS_LABELS, criterion_label, profile_label, t
from ui.map_builder import MapLayers, build_map, population_png, score_layer

st.set_page_config(page_title="Södra Porten site finder", page_icon="🗺️", layout="wide")
log = logging.getLogger("sitefinder.app")

MAX_UPLOAD_MB = 50
AREA_SLIDER_MAX = 60_000


# --------------------------------------------------------------------------- cached data
def bundle(uploads: tuple) -> DatasetCache:
    """The dataset in force and what is derived from it (see :mod:`ui.cache` for lifetimes).

    The shipped dataset is kept for the server's life; a dataset with uploaded layers (keyed by
    their checksums) is held by this session and freed when the last session using it ends.
    """
    key = ds_key(uploads)
    if not uploads:
        return dataset_cache(key, lambda: load_dataset(DataSources()), pinned=True)
    store = st.session_state["upload_bytes"]
    cache = dataset_cache(key, lambda: load_dataset(DataSources(**{
        layer: as_bytes_io(store[digest], name) for layer, (name, digest) in uploads})), pinned=False)
    st.session_state["dataset_cache"] = cache
    return cache


def indicators(cache: DatasetCache, lang: str):
    """Routing indicators of a dataset: from memory, else the disk cache, else computed with a progress bar."""
    def build():
        bar = st.progress(0.0, text=t("computing", lang))
        value = load_or_compute(cache.dataset, progress=lambda f, m: bar.progress(min(f, 1.0), text=m))
        bar.empty()
        return value

    return cache.memo("indicators", (), build, max_entries=1)


def networks(cache: DatasetCache) -> Networks:
    """Car, walk and public-transport networks for isochrones."""
    return cache.memo("networks", (), lambda: build_networks(cache.dataset), max_entries=1)


def scorer(cache: DatasetCache, profile: Profile, table: pd.DataFrame) -> Scorer:
    """Criterion values and exclusions for one profile (reused for every weight)."""
    return cache.memo("scorer", profile_key(profile), lambda: Scorer.build(cache.dataset.parcels, table, profile),
                      max_entries=16)


def scored(cache: DatasetCache, profile: Profile, weights: dict[str, float], filters: Filters, lang: str,
           table: pd.DataFrame) -> ScoredSites:
    """Scores, ranks, robustness and explanations for one set of weights and filters."""
    args = (profile_key(profile), tuple(sorted(weights.items())), filters, lang)
    return cache.memo("scored", args, lambda: scorer(cache, profile, table).score(dict(weights), filters, lang=lang),
                      max_entries=32)


def profile_key(profile: Profile) -> tuple:
    """What identifies a (possibly customised) profile."""
    return (profile.key, profile.m2_per_job, profile.plot_ratio, profile.min_plot_m2)


def static_layers(cache: DatasetCache) -> dict:
    """Map layers that do not depend on the score, in WGS84 (built once per dataset)."""
    return cache.memo("static_layers", (), lambda: _static_layers(cache.dataset), max_entries=1)


def _static_layers(ds: Dataset) -> dict:
    feed = ds.feed
    modes = stop_modes(feed)
    stops = feed.stops.assign(mode=modes.to_numpy())
    rail = stops[stops["mode"].str.contains("metro|rail")]
    bus = stops[stops["mode"] == "bus"]
    junctions = layers.roads.motorway_junctions(ds.roads).drop_duplicates("junction_name")
    premises = ds.premises.assign(label=[
        f"{r.premises_type} {r.floor_area_m2:,.0f} m²\n{r.address}\n"
        + (f"ledig sedan {r.vacant_since}" if r.vacant else "uthyrd")
        + (f"\n{r.asking_rent_sek_m2_year:,.0f} kr/m²/år" if pd.notna(r.asking_rent_sek_m2_year) else "")
        for r in ds.premises.itertuples()])
    grid = ds.population
    minx, miny, maxx, maxy = grid.bounds
    corners = gpd.GeoSeries(gpd.points_from_xy([minx, maxx], [miny, maxy]), crs=ds.parcels.crs).to_crs(DISPLAY_CRS)
    return {
        "stations": rail.assign(label=rail["stop_name"] + " (" + rail["mode"] + ")").to_crs(DISPLAY_CRS),
        "bus_stops": bus.assign(label=bus["stop_name"]).to_crs(DISPLAY_CRS),
        "junctions": junctions.assign(label="Trafikplats " + junctions["junction_name"]
                                      + np.where(junctions["ref"] != "", " (" + junctions["ref"] + ")", "")
                                      ).to_crs(DISPLAY_CRS),
        "transit_lines": route_lines(feed).to_crs(DISPLAY_CRS),
        "premises": premises.to_crs(DISPLAY_CRS),
        "land_use": ds.land_use.assign(geometry=ds.land_use.simplify(10)).to_crs(DISPLAY_CRS),
        "change_areas": ds.change_areas.to_crs(DISPLAY_CRS),
        "constraints": ds.constraints.assign(geometry=ds.constraints.simplify(5)).to_crs(DISPLAY_CRS),
        "population": (population_png(grid.values), [[corners.y[0], corners.x[0]], [corners.y[1], corners.x[1]]]),
        "parcels_wgs84": ds.parcels[["parcel_id", "geometry"]].assign(
            geometry=ds.parcels.simplify(0.5)).to_crs(DISPLAY_CRS),
    }


def site_isochrones(cache: DatasetCache, parcel_id: str) -> gpd.GeoDataFrame:
    """Car 10/20/30 min and public transport 45 min from a parcel, EPSG:3006."""
    return cache.memo("isochrones", parcel_id, lambda: _site_isochrones(cache.dataset, parcel_id, networks(cache)),
                      max_entries=32)


def _site_isochrones(ds: Dataset, parcel_id: str, nets: Networks) -> gpd.GeoDataFrame:
    row = ds.parcels.loc[ds.parcels["parcel_id"] == parcel_id]
    c = row.geometry.iloc[0].centroid
    drive = nets.drive
    car_node = int(np.argmin((drive.x - c.x) ** 2 + (drive.y - c.y) ** 2))
    car = isochrones(drive, car_node, [10, 20, 30], reach_m=300)
    pt = nets.pt
    street = np.arange(pt.n_walk)
    pt_node = int(street[np.argmin((pt.network.x[street] - c.x) ** 2 + (pt.network.y[street] - c.y) ** 2)])
    (pt45,) = isochrones(pt.network, pt_node, [45], reach_m=300, among=street)
    keys = ["car 10 min", "car 20 min", "car 30 min", "public transport 45 min"]
    return gpd.GeoDataFrame({"key": keys, "label": keys, "order": [1, 2, 3, 4]}, geometry=[*car, pt45],
                            crs=ds.parcels.crs)


# --------------------------------------------------------------------------- helpers
def ds_key(uploads: tuple) -> str:
    """A short key for the current dataset."""
    return hashlib.sha1(repr(uploads).encode()).hexdigest()[:12]


def uploads_key() -> tuple:
    """The uploads in force, as a hashable tuple."""
    return tuple(sorted(st.session_state.get("uploads", {}).items()))


def init_state() -> None:
    """Session defaults, then (on a session's first run) the state carried by the link."""
    st.session_state.setdefault("uploads", {})
    st.session_state.setdefault("upload_bytes", {})
    st.session_state.setdefault("selected", None)
    st.session_state.setdefault("lang", "sv")
    st.session_state.setdefault("profile", "logistics")
    if "p_m2_per_job" not in st.session_state:
        reset_weights()
    if "link_applied" not in st.session_state:
        st.session_state["link_applied"] = True
        params = st.query_params.to_dict()
        if not is_investor_link(params):
            state, notes = decode(params)
            st.session_state["link_notes"] = notes
            apply_state(state)


def apply_state(state: ViewState) -> None:
    """Set the widgets' session values from a link's view state."""
    ss = st.session_state
    ss["profile"] = state.profile
    reset_weights()
    for c, w in state.weights.items():
        ss[f"w_{c}"] = float(w)
    ss["lang"] = state.lang
    ss["area_choice"] = state.area
    ss["area_range"] = (int(min(state.min_area_m2, AREA_SLIDER_MAX)),
                        int(min(state.max_area_m2 or AREA_SLIDER_MAX, AREA_SLIDER_MAX)))
    ss["statuses"] = list(state.plan_statuses)
    ss["categories"] = [c for c in state.categories if c in OP_CATEGORIES]
    ss["municipal_only"] = state.municipal_only
    ss["vacant_only"] = state.vacant_only
    for name in ALL_LAYERS:
        ss[f"layer_{name}"] = name in state.layers
    ss["selected"] = state.selected
    ss["compare_ids"] = list(state.compare)
    ss["map_center"] = state.center
    ss["map_zoom"] = state.zoom


def view_state(filters: Filters, visible: dict[str, bool], compare_ids: list[str]) -> ViewState:
    """The current view as a link state."""
    ss = st.session_state
    return ViewState(
        profile=ss["profile"], weights={c: ss[f"w_{c}"] for c in CRITERIA}, min_area_m2=filters.min_area_m2,
        max_area_m2=None if np.isinf(filters.max_area_m2) else filters.max_area_m2,
        plan_statuses=filters.plan_statuses, categories=filters.categories, municipal_only=filters.municipal_only,
        vacant_only=filters.vacant_only, area="sp" if filters.area_names else "all", selected=ss.get("selected"),
        compare=tuple(compare_ids), layers=frozenset(k for k, v in visible.items() if v), lang=ss["lang"],
        center=ss.get("map_center", DEFAULT_CENTER), zoom=ss.get("map_zoom", DEFAULT_ZOOM))


def share_url(params: dict[str, str]) -> str:
    """The app's address with ``params``."""
    base = (st.context.url or "http://localhost:8501").split("?", 1)[0]
    return base + ("?" + urlencode(params) if params else "")


def reset_weights() -> None:
    """Put the sliders and profile parameters back to the current profile's defaults."""
    base = PROFILES[st.session_state["profile"]]
    for c in CRITERIA:
        st.session_state[f"w_{c}"] = float(base.weights[c])
    st.session_state["p_m2_per_job"] = float(base.m2_per_job)
    st.session_state["p_plot_ratio"] = float(base.plot_ratio)
    st.session_state["p_min_plot"] = float(base.min_plot_m2)


def handle_upload(layer: str, lang: str) -> None:
    """Validate an uploaded layer; keep it only if it loads (the previous layer stays otherwise)."""
    file = st.session_state.get(f"upload_{layer}")
    if file is None:
        return
    data = file.getvalue()
    if len(data) > MAX_UPLOAD_MB * 1024 * 1024:
        st.session_state["upload_message"] = ("error", t("upload_too_big", lang, name=file.name,
                                                         mb=len(data) / 2**20, cap=MAX_UPLOAD_MB))
        return
    loader = {"parcels": layers.load_parcels, "premises": layers.load_premises,
              "land_use": lambda src: layers.load_land_use(src, layer=None)}[layer]
    try:
        loaded = loader(as_bytes_io(data, file.name))
    except SiteFinderError as err:
        st.session_state["upload_message"] = ("error", md(str(err)))
        return
    digest = hashlib.sha256(data).hexdigest()
    previous = st.session_state["uploads"].get(layer)
    st.session_state["upload_bytes"][digest] = data
    st.session_state["uploads"][layer] = (file.name, digest)
    if previous and previous[1] not in {d for _, d in st.session_state["uploads"].values()}:
        st.session_state["upload_bytes"].pop(previous[1], None)
    st.session_state["selected"] = None
    st.session_state["upload_message"] = ("success", t("upload_ok", lang, layer=layer, n=len(loaded), name=file.name))


# --------------------------------------------------------------------------- page parts
def sidebar(lang: str) -> tuple[Profile, dict[str, float], Filters, dict[str, bool], bool]:
    """Profile, weights, filters and layer switches."""
    sb = st.sidebar
    sb.radio(t("language", lang), list(LANGUAGES), format_func=LANGUAGES.get, key="lang", horizontal=True)
    sb.selectbox(t("profile", lang), list(PROFILES), key="profile", format_func=lambda k: profile_label(k, lang),
                 on_change=reset_weights)
    with sb.expander(t("profile_params", lang), expanded=False):
        m2 = st.number_input(t("m2_per_job", lang), 5.0, 500.0, step=5.0, key="p_m2_per_job")
        ratio = st.number_input(t("plot_ratio", lang), 0.05, 5.0, step=0.05, key="p_plot_ratio")
        min_plot = st.number_input(t("min_plot", lang), 0.0, 200_000.0, step=500.0, key="p_min_plot")
    base = PROFILES[st.session_state["profile"]]
    changed = (m2, ratio, min_plot) != (base.m2_per_job, base.plot_ratio, base.min_plot_m2)
    profile = customised(base, m2_per_job=m2, plot_ratio=ratio, min_plot_m2=min_plot) if changed else base
    with sb.expander(t("weights", lang), expanded=True):
        weights = {c: st.slider(criterion_label(c, lang), 0.0, 1.0, step=0.05, key=f"w_{c}") for c in CRITERIA}
        st.button(t("reset", lang), on_click=reset_weights)
    with sb.expander(t("filters", lang), expanded=False):
        st.session_state.setdefault("area_choice", "all")
        area_choice = st.radio(t("area", lang), ["sp", "all"], key="area_choice",
                               format_func=lambda k: t("area_sp" if k == "sp" else "area_all", lang))
        st.session_state.setdefault("area_range", (0, AREA_SLIDER_MAX))
        lo, hi = st.slider(t("area_range", lang), 0, AREA_SLIDER_MAX, step=500, key="area_range")
        statuses = st.multiselect(t("plan_status", lang), ["adopted", "in_progress", "none"], key="statuses",
                                  format_func=lambda s: PLAN_STATUS_LABELS[s][lang])
        categories = st.multiselect(t("categories", lang), list(OP_CATEGORIES), key="categories")
        municipal = st.checkbox(t("municipal_only", lang), key="municipal_only")
        vacant = st.checkbox(t("vacant_only", lang), key="vacant_only")
    filters = Filters(min_area_m2=float(lo), max_area_m2=float(hi) if hi < AREA_SLIDER_MAX else float("inf"),
                      plan_statuses=tuple(statuses), municipal_only=municipal, vacant_only=vacant,
                      categories=tuple(categories), area_names=("Södra Porten",) if area_choice == "sp" else ())
    with sb.expander(t("layers", lang), expanded=False):
        for name in ALL_LAYERS:
            st.session_state.setdefault(f"layer_{name}", name in DEFAULT_LAYERS)
        visible = {name: st.checkbox(label, key=f"layer_{name}") for name, label, _ in [
            ("transit", "Tunnelbana, pendeltåg och linjer / Metro, rail and lines", True),
            ("junctions", "Trafikplatser E4/E20 / Motorway junctions", True),
            ("bus_stops", "Busshållplatser / Bus stops", False),
            ("premises", "Lokaler / Premises", False),
            ("land_use", "ÖP markanvändning / Plan land use", False),
            ("change_areas", "Förändringsområden / Change areas", True),
            ("constraints", "Hänsyn (fornlämningar, natur) / Constraints", False),
            ("population", "Befolkning / Population", False),
        ]}
        basemap = st.checkbox(t("basemap", lang), value=True, key="basemap")
    with sb.expander(t("upload", lang), expanded=False):
        for layer, label in (("parcels", "Fastigheter / Parcels"), ("premises", "Lokaler / Premises"),
                             ("land_use", "Plan (markanvändning) / Plan land use")):
            st.file_uploader(label, type=["gpkg", "geojson", "json", "zip", "parquet"], key=f"upload_{layer}",
                             on_change=handle_upload, args=(layer, lang))
        if st.session_state["uploads"] and st.button(t("use_demo", lang)):
            st.session_state["uploads"] = {}
            st.session_state["upload_bytes"] = {}
            st.session_state.pop("dataset_cache", None)
            st.session_state["selected"] = None
            st.rerun()
    return profile, weights, filters, visible, basemap


def site_panel(result: ScoredSites, cache: DatasetCache, lang: str) -> None:
    """Facts, indicators, contributions and robustness of the selected parcel."""
    st.subheader(t("site", lang))
    pid = st.session_state.get("selected")
    frame = result.frame
    row = frame.loc[frame["parcel_id"] == pid]
    if row.empty:
        st.info(t("pick_site", lang))
        return
    r = row.iloc[0]
    st.markdown(f"### {md(r['designation'])}")
    status = PLAN_STATUS_LABELS.get(r["plan_status"], {}).get(lang, r["plan_status"])
    st.markdown(f"**{md(r['area_name'])}** · {r['area_m2']:,.0f} m² · {md(r['owner_type'])} · {md(status)}"
                + (f" ({md(r['plan_use_code'])})" if r["plan_use_code"] else ""))
    if r["excluded"]:
        st.warning(md(r["explanation"]))
    else:
        c1, c2, c3 = st.columns(3)
        c1.metric(t("score", lang), f"{r['score']:.1f}", help=md(r["explanation"]))
        c2.metric("Rank", f"{int(r['rank'])}")
        c3.metric(t("top_k", lang, k=result.top_k), f"{r['p_top_k']:.0%}")
        st.caption(f"{t('rank_range', lang)}: {int(r['rank_p05'])}-{int(r['rank_p95'])} · {md(r['explanation'])}")
        contrib = pd.DataFrame({"criterion": [criterion_label(c, lang) for c in CRITERIA],
                                "points": [r[f"contrib_{c}"] for c in CRITERIA]})
        st.markdown(f"**{t('contributions', lang)}**")
        st.bar_chart(contrib, x="criterion", y="points", horizontal=True, height=240)
    indicators_table = pd.DataFrame([
        ("Jobs potential (jobs)", f"{r['jobs_est']:,.0f}"),
        ("Developable land (m²)", f"{r['developable_m2']:,.0f}"),
        ("Plot ratio used", f"{r['plot_ratio_used']:.2f}"),
        ("Car to E4/E20 (min)", f"{r['car_min_to_junction']:.1f} ({r['nearest_junction']})"),
        ("Walk to metro/rail (m)", f"{r['walk_m_to_rail_stop']:,.0f} ({r['nearest_rail_stop']})"),
        ("Departures/h within 600 m, 07-09", f"{r['departures_per_hour_600m']:.0f}"),
        ("Departures/h within 1,200 m, 07-09", f"{r['departures_per_hour_1200m']:.0f}"),
        ("Residents within 30 min by car", f"{r['residents_30min_car']:,.0f}"),
        ("Residents within 45 min by public transport", f"{r['residents_45min_pt']:,.0f}"),
        ("Labour pool, gravity (β 0.05/min)", f"{r['labour_gravity_pt']:,.0f}"),
        ("Botkyrka residents within 30 min", f"{r['local_hire_30min_botkyrka']:,.0f}"),
        ("Readiness (0-1)", f"{r['readiness_index']:.2f}"),
        ("Plan category (ÖP)", str(r["op_category"])),
    ], columns=["indicator", "value"])
    st.dataframe(indicators_table, hide_index=True, width="stretch")
    iso = site_isochrones(cache, pid)
    st.download_button(t("prospectus", lang), data=lambda: prospectus_pdf(
        cache.dataset, result, [pid], lang=lang, link=share_url(st.query_params.to_dict()), isochrones=iso),
        file_name=f"prospekt_{r['designation'].replace(' ', '_').replace(':', '-')}.pdf", mime="application/pdf",
        key="dl_prospectus", on_click="ignore")
    st.download_button(t("download_isochrones", lang), export.geojson_text(iso[["key", "geometry"]]),
                       file_name=f"isochrones_{r['designation'].replace(' ', '_')}.geojson",
                       mime="application/geo+json", key="dl_iso")


def ranking(result: ScoredSites, lang: str) -> None:
    """Top sites as a selectable table."""
    st.subheader(t("ranking", lang))
    top = result.top(25)
    table = pd.DataFrame({"rank": top["rank"], "designation": top["designation"], "area": top["area_name"],
                          "score": top["score"].round(1), "jobs": top["jobs_est"].round(0),
                          "top-k %": (top["p_top_k"] * 100).round(0),
                          "area m²": top["area_m2"].round(0), "why": top["explanation"]})
    event = st.dataframe(table, hide_index=True, width="stretch", on_select="rerun", selection_mode="single-row",
                         key="ranking_table")
    rows = event.selection.rows if event is not None else []
    if rows:
        pid = top["parcel_id"].iloc[rows[0]]
        if pid != st.session_state.get("selected"):
            st.session_state["selected"] = pid
            st.rerun()


def comparison(result: ScoredSites, ds: Dataset, lang: str) -> list[str]:
    """Two to four sites side by side; returns their parcel ids."""
    ranked = result.frame[~result.frame["excluded"]]
    names_by_id = dict(zip(ranked["parcel_id"], ranked["designation"], strict=True))
    if "compare_ids" in st.session_state:
        st.session_state["compare"] = [names_by_id[i] for i in st.session_state.pop("compare_ids") if i in names_by_id]
    names = st.multiselect(t("compare", lang), ranked["designation"].tolist(), max_selections=4, key="compare")
    ids = [i for i, n in names_by_id.items() if n in names]
    if len(names) < 2:
        return ids
    rows = ranked.set_index("designation").loc[names]
    table = pd.DataFrame({
        t("score", lang): rows["score"].round(1), "rank": rows["rank"], "jobs": rows["jobs_est"].round(0),
        "car min": rows["car_min_to_junction"].round(1), "walk m": rows["walk_m_to_rail_stop"].round(0),
        "45 min PT": rows["residents_45min_pt"].round(0), "Botkyrka 30 min": rows["local_hire_30min_botkyrka"],
        **{criterion_label(c, lang): rows[f"contrib_{c}"].round(1) for c in CRITERIA},
    }).T
    st.dataframe(table, width="stretch")
    st.download_button(t("prospectus_compare", lang), data=lambda: prospectus_pdf(
        ds, result, ids, lang=lang, link=share_url(st.query_params.to_dict())), file_name="jamforelse.pdf",
        mime="application/pdf", key="dl_compare_pdf", on_click="ignore")
    st.bar_chart(rows[[f"contrib_{c}" for c in CRITERIA]].rename(
        columns={f"contrib_{c}": criterion_label(c, lang) for c in CRITERIA}), horizontal=True, stack=True)
    return ids


def investor_page(lang: str) -> None:
    """Read-only view of a signed link: the shared sites, their facts, the map; nothing internal.

    The link is verified on every run, and only what its token holds is shown.
    """
    link, reason = read_investor_link(st.query_params.to_dict(), link_secret())
    if link is None:
        st.title(t("invalid_link", lang))
        st.info(t("invalid_link_help", lang, reason=t(reason, lang)))
        return
    lang = link.lang
    st.title(t("investor_title", lang))
    st.warning(t("demo", lang))
    cache = bundle(())
    ds = cache.dataset
    table = indicators(cache, lang).table
    profile = PROFILES[link.profile]
    filters = Filters(min_area_m2=link.min_area_m2, max_area_m2=link.max_area_m2 or float("inf"),
                      plan_statuses=link.plan_statuses, municipal_only=link.municipal_only,
                      vacant_only=link.vacant_only, categories=link.categories,
                      area_names=("Södra Porten",) if link.area == "sp" else ())
    result = scored(cache, profile, link.full_weights(), filters, lang, table)
    frame = result.frame
    shared = [i for i in dict.fromkeys([link.selected, *link.compare]) if i and i in set(frame["parcel_id"])]
    st.markdown(t("investor_intro", lang, profile=profile_label(profile.key, lang)))
    rows = frame.set_index("parcel_id").loc[shared] if shared else frame.head(0).set_index("parcel_id")
    for _, r in rows.iterrows():
        with st.container(border=True):
            st.markdown(f"### {md(r['designation'])} · {md(r['area_name'])}")
            c = st.columns(4)
            c[0].metric(t("score", lang), "-" if r["excluded"] else f"{r['score']:.1f}")
            c[1].metric("Rank", "-" if r["excluded"] else f"{int(r['rank'])}")
            c[2].metric(t("jobs", lang), f"{r['jobs_est']:,.0f}")
            c[3].metric(t("plot", lang), f"{r['area_m2']:,.0f} m²")
            st.caption(md(r["explanation"]))
            st.dataframe(pd.DataFrame([
                (t("car_junction", lang), f"{r['car_min_to_junction']:.1f} min ({r['nearest_junction']})"),
                (t("walk_station", lang), f"{r['walk_m_to_rail_stop']:,.0f} m ({r['nearest_rail_stop']})"),
                (t("departures", lang), f"{r['departures_per_hour_600m']:.0f}"),
                (t("pool_car", lang), f"{r['residents_30min_car']:,.0f}"),
                (t("pool_pt", lang), f"{r['residents_45min_pt']:,.0f}"),
                (t("local_hire", lang), f"{r['local_hire_30min_botkyrka']:,.0f}"),
                (t("plan_status", lang), PLAN_STATUS_LABELS.get(r["plan_status"], {}).get(lang, r["plan_status"])),
            ], columns=["indicator", "value"]), hide_index=True, width="stretch")
    static = static_layers(cache)
    scores = frame["score"].reindex(ds.parcels.index)
    shown = display_parcels(ds.parcels.loc[frame.index], scores.loc[frame.index])
    view = shown.to_crs(DISPLAY_CRS).merge(frame[["parcel_id", "designation", "score", "excluded"]], on="parcel_id")
    view["colour"] = viridis(view["score"].to_numpy())
    view["tooltip"] = view["designation"]
    selected = view[view["parcel_id"].isin(shared)]
    layers_ = MapLayers(parcels=view, selected=selected if len(selected) else None,
                        visible={k: k in link.layers for k in ALL_LAYERS},
                        **{k: v for k, v in static.items() if k not in ("parcels_wgs84", "premises")})
    centre = (selected.geometry.union_all().centroid.y, selected.geometry.union_all().centroid.x) if len(selected) \
        else link.center
    fmap = build_map(layers_, center=centre, zoom=link.zoom, legend_title=t("score", lang),
                     excluded_label=t("excluded", lang))
    st_folium(fmap, key="investor_map", height=520, use_container_width=True, feature_group_to_add=score_layer(layers_),
              returned_objects=[])
    if shared:
        st.download_button(t("prospectus", lang), data=lambda: prospectus_pdf(
            ds, result, shared, lang=lang, link=share_url(st.query_params.to_dict())), file_name="prospekt.pdf",
            mime="application/pdf", key="dl_investor_pdf", on_click="ignore")
    if link.expires:
        st.caption(f"{t('valid_until', lang)} {link.expires.isoformat()}")


@st.cache_resource(show_spinner=False)
def registry(url: str) -> Registry:
    """The site registry database (created and migrated on first use), checked against the home municipality."""
    municipalities = bundle(()).dataset.municipalities
    home = municipalities[municipalities["municipality_code"] == MUNICIPALITY_CODE]
    return open_registry(url, municipality=home.union_all() if len(home) else None)


def registry_url() -> str:
    """The registry's database URL."""
    return os.environ.get("SITEFINDER_DATABASE_URL", DATABASE_URL)


def registry_layer(ds: Dataset) -> gpd.GeoDataFrame | None:
    """Saved candidate sites as map outlines (WGS84), or None if the registry cannot be opened."""
    try:
        saved = registry(registry_url()).sites()
    except SiteFinderError:
        return None
    if not saved:
        return None
    return gpd.GeoDataFrame({"label": [f"{x['name']} ({x['status']})" for x in saved]},
                            geometry=[x["geometry"] for x in saved], crs=ds.parcels.crs).to_crs(DISPLAY_CRS)


def registry_panel(result: ScoredSites, cache: DatasetCache, lang: str) -> None:
    """Candidate sites, applications, shortlists and the audit trail (never in investor views).

    Forms act on what the officer saw: the site versions and shortlist rows rendered with the form
    are kept in session state and used at submit, so a change made meanwhile by someone else is
    refused by the registry's version check rather than overwritten.
    """
    st.subheader(t("registry", lang))
    ds = cache.dataset
    try:
        reg = registry(registry_url())
    except SiteFinderError as err:
        st.error(md(str(err)))
        return
    who = officer_name()
    selected = st.session_state.get("selected")
    frame = result.frame.set_index("parcel_id")
    tab_sites, tab_apps, tab_short, tab_audit = st.tabs([t("reg_sites", lang), t("reg_apps", lang),
                                                         t("reg_shortlist", lang), t("reg_audit", lang)])
    with tab_sites:
        if selected and selected in frame.index:
            row = frame.loc[selected]
            with st.form("save_site"):
                name = st.text_input(t("reg_name", lang), value=row["designation"], key="reg_name")
                status = st.selectbox("Status", SITE_STATUSES, index=1, key="reg_status")
                notes = st.text_area(t("reg_notes", lang), key="reg_notes")
                contact = st.text_input(t("reg_contact", lang), key="reg_contact")
                if st.form_submit_button(t("reg_save", lang)):
                    parcel = ds.parcels.loc[ds.parcels["parcel_id"] == selected].iloc[0]
                    try:
                        reg.add_site(who, name=name, status=status, geometry=parcel.geometry, notes=notes,
                                     contact=contact, plan_status=parcel["plan_status"],
                                     plan_use_code=parcel["plan_use_code"], parcel_ids=(selected,))
                        st.success(t("reg_saved", lang, name=name))
                    except SiteFinderError as err:
                        st.error(md(str(err)))
        else:
            st.caption(t("pick_site", lang))
        drawn = st.session_state.get("drawn")
        if drawn is not None:
            with st.form("save_drawn"):
                drawn_name = st.text_input(t("reg_name", lang), value=t("reg_drawn_default", lang), key="drawn_name")
                st.caption(f"{drawn.area:,.0f} m²")
                if st.form_submit_button(t("reg_save_drawn", lang)):
                    try:
                        reg.add_site(who, name=drawn_name, status="idea", geometry=drawn)
                        st.success(t("reg_saved", lang, name=drawn_name))
                    except SiteFinderError as err:
                        st.error(md(str(err)))
        compared = [i for i in st.session_state.get("compare_ids_current", []) if i in frame.index]
        if len(compared) >= 2 and st.button(t("reg_save_union", lang, n=len(compared)), key="reg_union"):
            chosen = ds.parcels[ds.parcels["parcel_id"].isin(compared)]
            try:
                reg.add_site(who, name=" + ".join(chosen["designation"]), status="idea",
                             geometry=chosen.union_all(), parcel_ids=tuple(compared))
                st.success(t("reg_saved", lang, name=" + ".join(chosen["designation"])))
            except SiteFinderError as err:
                st.error(md(str(err)))
        status_filter = st.selectbox(t("reg_filter", lang), ["all", *SITE_STATUSES], key="reg_filter")
        listed = reg.sites(status=None if status_filter == "all" else status_filter)
        if listed:
            st.dataframe(pd.DataFrame([{"id": s["id"], "name": s["name"], "status": s["status"],
                                        "area m²": round(s["area_m2"]), "version": s["version"]} for s in listed]),
                         hide_index=True, width="stretch", key="reg_sites_table")
            shown_versions = st.session_state.get("reg_edit_shown", {})
            with st.form("edit_site"):
                ids = [s["id"] for s in listed]
                names = {s["id"]: s["name"] for s in listed}
                site_id = st.selectbox("Site id", ids, key="reg_edit_id", format_func=lambda i: f"{i}: {names[i]}")
                new_status = st.selectbox("Status", SITE_STATUSES, key="reg_edit_status")
                new_notes = st.text_input(t("reg_new_notes", lang), key="reg_edit_notes")
                archive = st.checkbox(t("reg_archive", lang), key="reg_edit_archive")
                if st.form_submit_button(t("reg_update", lang)):
                    changes = {"status": new_status, **({"notes": new_notes} if new_notes else {})}
                    try:
                        version = reg.update_site(who, site_id, shown_versions.get(site_id, -1), **changes)
                        if archive:
                            reg.archive_site(who, site_id, version)
                        st.success(t("reg_updated", lang))
                    except SiteFinderError as err:
                        st.error(md(str(err)))
            st.session_state["reg_edit_shown"] = {s["id"]: s["version"] for s in reg.sites(status=None if
                                                  status_filter == "all" else status_filter)}
    with tab_apps:
        with st.form("application"):
            company = st.text_input(t("reg_company", lang), key="app_company")
            profile_key = st.selectbox(t("profile", lang), list(PROFILES), key="app_profile",
                                       format_func=lambda k: profile_label(k, lang))
            c1, c2, c3 = st.columns(3)
            need = c1.number_input(t("reg_need", lang), 0.0, 500_000.0, 10_000.0, step=500.0, key="app_need")
            jobs = c2.number_input(t("jobs", lang), 0, 10_000, 50, key="app_jobs")
            entry = c3.number_input(t("reg_entry", lang), 0, 10_000, 10, key="app_entry")
            trips = c1.number_input(t("reg_trips", lang), 0, 100_000, 100, key="app_trips")
            timing = c2.text_input(t("reg_timing", lang), key="app_timing")
            innovation = c3.checkbox(t("reg_innovation", lang), key="app_innovation")
            if st.form_submit_button(t("reg_register", lang)):
                try:
                    reg.add_application(who, company=company, profile=profile_key, area_need_m2=need, jobs=int(jobs),
                                        entry_level_jobs=int(entry), timing=timing,
                                        vehicle_trips_per_day=int(trips), innovation=innovation)
                    st.success(t("reg_registered", lang, company=company))
                except SiteFinderError as err:
                    st.error(str(err))
        apps = reg.applications()
        if apps:
            st.dataframe(pd.DataFrame(apps)[["id", "company", "profile", "area_need_m2", "jobs", "entry_level_jobs",
                                             "status"]], hide_index=True, width="stretch", key="reg_apps_table")
    with tab_short:
        with st.expander(t("reg_match_weights", lang)):
            match_weights = {c: st.slider(c.replace("_", " "), 0.0, 1.0, float(w), 0.05, key=f"mw_{c}")
                             for c, w in DEFAULT_MATCH_WEIGHTS.items()}
        if not any(v > 0 for v in match_weights.values()):
            st.warning(t("all_zero", lang))
            match_weights = dict(DEFAULT_MATCH_WEIGHTS)
        shortlist = shortlists(reg, cache, match_weights)
        if shortlist is None:
            st.caption(t("reg_need_both", lang))
        else:
            st.dataframe(shortlist.drop(columns=["application_id", "site_id", "rank_for_site", "application_version",
                                                   "site_version"]),
                         hide_index=True,
                         width="stretch", key="reg_shortlist_table")
            st.markdown(f"**{t('reg_per_site', lang)}**")
            per_site = shortlist.sort_values(["site", "rank_for_site"])
            st.dataframe(per_site[["site", "rank_for_site", "application", "score", "why"]], hide_index=True,
                         width="stretch", key="reg_per_site_table")
            shown_pairs = st.session_state.get("reg_pairs_shown", {})
            chosen_label = st.session_state.get("reg_pair")  # the label chosen on the page as it was shown
            with st.form("allocate"):
                pairs = {f"{r.application} -> {r.site} (#{r.application_id} / #{r.site_id})":
                         (int(r.application_id), int(r.site_id), int(r.application_version), int(r.site_version))
                         for r in shortlist.itertuples()}
                st.selectbox(t("reg_allocate_pair", lang), list(pairs), key="reg_pair")
                if st.form_submit_button(t("reg_allocate", lang)):
                    chosen = shown_pairs.get(chosen_label)
                    if chosen is None:
                        st.error(t("reg_pair_changed", lang))
                    else:
                        app_id, site_id, app_version, site_version = chosen
                        try:
                            reg.record_decision(who, app_id, site_id, match_weights, application_version=app_version,
                                                site_version=site_version)
                            st.success(t("reg_allocated", lang))
                        except SiteFinderError as err:
                            st.error(md(str(err)))
            st.session_state["reg_pairs_shown"] = pairs
    with tab_audit:
        sites_all = reg.sites(include_archived=True)
        choice = st.selectbox(t("reg_audit_for", lang), ["all", *[f"{x['id']}: {x['name']}" for x in sites_all]],
                              key="reg_audit_for")
        trail = pd.DataFrame(reg.audit_trail() if choice == "all" else
                             reg.audit_trail(entity="site", entity_id=int(choice.split(":", 1)[0])))
        if len(trail):
            st.dataframe(trail, hide_index=True, width="stretch", key="reg_audit_table")
            st.download_button(t("reg_audit_csv", lang), export.table_csv(trail), file_name="audit.csv",
                               mime="text/csv", key="dl_audit")


def shortlists(reg: Registry, cache: DatasetCache, weights: dict[str, float]) -> pd.DataFrame | None:
    """Best three available sites for each open application, with the score and why."""
    table = indicators(cache, "en").table

    def profile_scores(key: str) -> pd.Series:
        profile = PROFILES[key]
        return scorer(cache, profile, table).score(robustness=False).frame.set_index("parcel_id")["score"]

    return site_shortlists(reg.applications(), reg.sites(), cache.dataset.parcels, profile_scores, weights=weights)


def share_panel(state: ViewState, lang: str) -> None:
    """The link to this view, and a signed read-only link for investors."""
    st.subheader(t("share", lang))
    st.caption(t("share_help", lang))
    st.code(share_url(encode(state)), language=None, wrap_lines=True)
    c1, c2 = st.columns([1, 2])
    days = c1.number_input(t("valid_days", lang), 1, 365, 30, key="link_days")
    expires = dt.date.today() + dt.timedelta(days=int(days))
    c2.markdown(f"**{t('investor_link', lang)}** ({t('valid_until', lang)} {expires.isoformat()})")
    st.code(share_url(investor_link(state, link_secret(), expires=expires)), language=None, wrap_lines=True)


def exports(result: ScoredSites, lang: str) -> None:
    """Download the filtered, scored set."""
    st.subheader(t("exports", lang))
    frame = result.export_frame()
    meta = {"profile": result.frame["profile"].iloc[0] if len(frame) else "", "weights": result.weights_dict()}
    c1, c2, c3 = st.columns(3)
    c1.download_button("GeoJSON (WGS84)", export.geojson_text(frame, metadata=meta), file_name="scored_sites.geojson",
                       mime="application/geo+json", key="dl_geojson")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "scored_sites.gpkg"
        export.write_gpkg(frame, path)
        c2.download_button("GeoPackage (EPSG:3006)", path.read_bytes(), file_name="scored_sites.gpkg",
                           mime="application/geopackage+sqlite3", key="dl_gpkg")
    c3.download_button("CSV", export.csv_text(frame), file_name="scored_sites.csv", mime="text/csv", key="dl_csv")


def data_panel(lang: str) -> None:
    """Each layer's source, date, licence and what is synthetic, from the manifest."""
    with st.expander(t("data", lang)):
        try:
            info = layers.load_manifest()
        except SiteFinderError as err:
            st.error(str(err))
            return
        st.caption(f"{info['dataset']} · {info['version']} · {info['built']}")
        rows = [{"file": name, "title": e["title"], "format": e["format"], "licence": e["licence"],
                 "real": "; ".join(f"{f['fact']} ({f['source']})" for f in e["real"]) or "-",
                 "synthetic": "; ".join(e["synthetic"])} for name, e in info["files"].items()]
        st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")
        st.caption(f"script runs this session: {st.session_state.get('script_runs', 0)}")
        uploads = st.session_state.get("uploads", {})
        for layer, value in uploads.items():
            st.markdown(f"- **{md(layer)}**: {md(value[0])} (uploaded this session)")


def main() -> None:
    """Render the page; any unexpected error becomes a notice with an id, its traceback goes to the log."""
    started = time.perf_counter()
    try:
        render()
    except SiteFinderError as err:
        st.error(md(str(err)))
    except Exception:
        error_id = secrets.token_hex(4)
        log.exception("unhandled error %s", error_id)
        st.error(t("internal_error", st.session_state.get("lang", "sv"), id=error_id))
    finally:
        if os.environ.get("SITEFINDER_TIMING"):
            print(f"[sitefinder] script run {(time.perf_counter() - started) * 1000:.0f} ms", file=sys.stderr,
                  flush=True)


def render() -> None:
    """Build the whole page once: the investor view for signed links, else the officer's explorer."""
    init_state()
    st.session_state["script_runs"] = st.session_state.get("script_runs", 0) + 1
    lang = st.session_state["lang"]
    if is_investor_link(st.query_params.to_dict()):
        investor_page(lang)
        return
    if not officer_signed_in(lang):
        return
    if st.session_state.get("link_notes"):
        st.info(t("link_notes", lang) + ": " + "; ".join(md(n) for n in st.session_state.pop("link_notes")))
    profile, weights, filters, visible, basemap = sidebar(lang)
    if not any(v > 0 for v in weights.values()):
        st.warning(t("all_zero", lang))
        weights = dict(profile.weights)
    lang = st.session_state["lang"]
    st.title(t("title", lang))
    uploads = uploads_key()
    st.warning(t("demo", lang))
    message = st.session_state.pop("upload_message", None)
    if message:
        (st.error if message[0] == "error" else st.success)(message[1])
    with st.spinner(t("computing", lang)):
        cache = bundle(uploads)
        ds = cache.dataset
        table = indicators(cache, lang).table
    result = scored(cache, profile, weights, filters, lang, table)
    static = static_layers(cache)
    scores = result.frame["score"].reindex(ds.parcels.index)
    shown = display_parcels(ds.parcels.loc[result.frame.index], scores.loc[result.frame.index])
    grid = score_grid(ds.parcels.loc[result.frame.index], scores.loc[result.frame.index]) \
        if len(shown) < len(result.frame) else None
    parcels_view = shown.to_crs(DISPLAY_CRS).merge(
        result.frame[["parcel_id", "designation", "score", "rank", "explanation", "excluded"]], on="parcel_id")
    parcels_view["colour"] = viridis(parcels_view["score"].to_numpy())
    parcels_view["tooltip"] = [
        f"{d}: {(f'{s:.1f}') if not ex else t('excluded', lang)}" + (f" (#{int(k)})" if not ex else "") + f" · {why}"
        for d, s, k, ex, why in zip(parcels_view["designation"], parcels_view["score"], parcels_view["rank"],
                                    parcels_view["excluded"], parcels_view["explanation"], strict=True)]
    selected = st.session_state.get("selected")
    if selected and selected not in set(ds.parcels["parcel_id"]):
        st.info(t("unknown_site", lang, site=selected))
        st.session_state["selected"] = selected = None
    sel_geom = parcels_view[parcels_view["parcel_id"] == selected]
    iso = None
    if len(sel_geom):
        iso = site_isochrones(cache, selected).to_crs(DISPLAY_CRS)
    col_map, col_panel = st.columns([3, 2])
    with col_map:
        if grid is not None:
            st.caption(f"{len(shown):,} / {len(result.frame):,} parcels drawn; the rest as 500 m cells.")
        saved = registry_layer(ds)
        view = MapLayers(parcels=parcels_view, selected=sel_geom if len(sel_geom) else None, isochrones=iso,
                         registry_sites=saved,
                         visible=visible, score_grid=None if grid is None else grid.to_crs(DISPLAY_CRS).assign(
                             colour=viridis(grid["best_score"].to_numpy())),
                         **{k: v for k, v in static.items() if k != "parcels_wgs84"})
        fmap = build_map(view, center=st.session_state.get("map_center", DEFAULT_CENTER),
                         zoom=st.session_state.get("map_zoom", DEFAULT_ZOOM), basemap=basemap,
                         legend_title=t("score", lang), excluded_label=t("excluded", lang), drawing=True)
        out = st_folium(fmap, key="map", height=620, use_container_width=True, feature_group_to_add=score_layer(view),
                        returned_objects=["last_object_clicked", "all_drawings"])
        st.session_state["drawn"] = drawn_area((out or {}).get("all_drawings"))
        clicked = (out or {}).get("last_object_clicked")
        if clicked:
            pid = parcel_at(static["parcels_wgs84"], clicked.get("lat"), clicked.get("lng"))
            if pid and pid != selected:
                st.session_state["selected"] = pid
                st.rerun()
    with col_panel:
        site_panel(result, cache, lang)
    ranking(result, lang)
    compare_ids = comparison(result, ds, lang)
    st.session_state["compare_ids_current"] = compare_ids
    state = view_state(filters, visible, compare_ids)
    st.query_params.from_dict(encode(state))
    share_panel(state, lang)
    exports(result, lang)
    registry_panel(result, cache, lang)
    data_panel(lang)


main()
