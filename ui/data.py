"""The app's data: the dataset in force and everything derived from it, cached per dataset.

UI glue only: loading, caching and progress feedback; the work itself is done in ``sites`` and
``analysis``. Lifetimes are those of :mod:`ui.cache` (the shipped dataset for the server's life,
uploaded data while a session holds it).
"""

from __future__ import annotations

import hashlib
import os

import geopandas as gpd
import numpy as np
import pandas as pd
import streamlit as st

import layers
from analysis.matching import MATCH_CRITERIA
from analysis.profiles import PROFILES, Profile
from analysis.scoring import ScoringParams
from errors import SiteFinderError, UploadExpiredError
from layers.reader import as_bytes_io
from layers.transit import route_lines, stop_modes
from settings import CACHE_DIR, DATABASE_URL, DEMO_DIR, DEMO_REGISTRY, DISPLAY_CRS, MUNICIPALITY_CODE, ROOT
from sites.dataset import Dataset, DataSources, current_dataset, load_dataset
from sites.demo_registry import seed_demo_registry
from sites.display import road_lines
from sites.indicators import Networks, load_or_compute
from sites.isochrones import ISOCHRONE_COLOURS
from sites.isochrones import site_isochrones as isochrone_set
from sites.network_cache import load_or_build_networks
from sites.registry import Registry, open_registry
from sites.scored import Filters, ScoredSites, Scorer
from sites.shortlist import shortlists as site_shortlists
from sites.tiles import TileSet, ensure_tiles
from ui.cache import CacheTable, DatasetCache, UploadStore
from ui.i18n import t
from ui.map_builder import LAND_USE_COLOURS, LEGEND_KEYS, LINE_COLOURS, ROAD_STYLE, population_png
from ui.parcel_map import TILES_DIR, overlay_from_frame
from ui.state import K


@st.cache_resource(show_spinner=False)
def caches() -> CacheTable:
    """The server's dataset caches (see :mod:`ui.cache` for lifetimes)."""
    return CacheTable()


@st.cache_resource(show_spinner=False)
def upload_store() -> UploadStore:
    """Uploaded files on disk, by checksum."""
    return UploadStore(CACHE_DIR / "uploads")


def bundle(uploads: tuple) -> DatasetCache:
    """The dataset in force and what is derived from it (see :mod:`ui.cache` for lifetimes).

    The shipped dataset is kept for the server's life; a dataset with uploaded layers (keyed by
    their checksums) is kept while it is used and rebuilt from the uploaded files if it was swept.
    """
    key = ds_key(uploads)
    if not uploads:
        return caches().get(key, current_dataset, pinned=True)
    store = upload_store()
    store.sweep()

    def load() -> Dataset:
        sources = {}
        for layer, (name, digest) in uploads:
            data = store.get(digest)
            if data is None:
                raise UploadExpiredError(f"{name}: the uploaded file is no longer kept on the server (unused for "
                                         f"a while). Upload it again, or choose the demo data.")
            sources[layer] = as_bytes_io(data, name)
        return load_dataset(DataSources(**sources))

    return caches().get(key, load, pinned=False)


def indicators(cache: DatasetCache, lang: str):
    """Routing indicators of a dataset: from memory, else the disk cache, else computed with a progress bar."""
    def build():
        bar = st.progress(0.0, text=t("computing", lang))
        value = load_or_compute(cache.dataset, progress=lambda f, m: bar.progress(min(f, 1.0), text=m))
        bar.empty()
        return value

    return cache.memo("indicators", (), build, max_entries=1, long_lived=True)


def networks(cache: DatasetCache) -> Networks:
    """Car, walk and public-transport networks for isochrones."""
    return cache.memo("networks", (), lambda: load_or_build_networks(cache.dataset), max_entries=1,
                      long_lived=True)


def scorer(cache: DatasetCache, profile: Profile, table: pd.DataFrame, car_period: str = "peak") -> Scorer:
    """Criterion values and exclusions for one profile and car period (reused for every weight)."""
    return cache.memo("scorer", (profile_key(profile), car_period), lambda: Scorer.build(
        cache.dataset.parcels, table, profile, ScoringParams(car_period=car_period)), max_entries=16)


def scored(cache: DatasetCache, profile: Profile, weights: dict[str, float], filters: Filters, lang: str,
           table: pd.DataFrame, car_period: str = "peak") -> ScoredSites:
    """Scores, ranks, robustness and explanations for one set of weights and filters."""
    return cache.memo("scored", _scored_args(profile, weights, filters, lang, car_period),
                      lambda: scorer(cache, profile, table, car_period).score(dict(weights), filters, lang=lang),
                      max_entries=32)


def scored_ready(cache: DatasetCache, profile: Profile, weights: dict[str, float], filters: Filters, lang: str,
                 car_period: str = "peak") -> bool:
    """Whether ``scored`` holds this result already (a click or a page change, not a weight change)."""
    return cache.has("scored", _scored_args(profile, weights, filters, lang, car_period))


def _scored_args(profile: Profile, weights: dict[str, float], filters: Filters, lang: str, car_period: str) -> tuple:
    return (profile_key(profile), tuple(sorted(weights.items())), filters, lang, car_period)


def profile_key(profile: Profile) -> tuple:
    """What identifies a (possibly customised) profile."""
    return (profile.key, profile.m2_per_job, profile.plot_ratio, profile.min_plot_m2)


def static_layers(cache: DatasetCache) -> dict:
    """Map layers that do not depend on the score, in WGS84 (built once per dataset)."""
    return cache.memo("static_layers", (), lambda: _static_layers(cache.dataset), max_entries=1,
                      long_lived=True)


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
        "roads": road_lines(ds.roads).to_crs(DISPLAY_CRS),
        "parcels_wgs84": ds.parcels[["parcel_id", "geometry"]].assign(
            geometry=ds.parcels.simplify(0.5)).to_crs(DISPLAY_CRS),
    }


def site_isochrones(cache: DatasetCache, parcel_id: str) -> gpd.GeoDataFrame:
    """Car 10/20/30 min and public transport 45 min from a parcel, EPSG:3006 (labels in Swedish)."""
    return cache.memo("isochrones", parcel_id, lambda: isochrone_set(cache.dataset, parcel_id, networks(cache)),
                      max_entries=32)


def isochrone_overlays(cache: DatasetCache, parcel_id: str, lang: str) -> tuple[list[dict], list[dict]]:
    """The parcel map's isochrone overlays and legend rows for a selected parcel (memoised: not rebuilt per rerun)."""
    def build() -> tuple[list[dict], list[dict]]:
        iso = site_isochrones(cache, parcel_id)
        overlays, rows = [], []
        for key, mode, minutes in zip(iso["key"], iso["mode"], iso["minutes"], strict=True):
            colour = ISOCHRONE_COLOURS[key]
            label = t(f"legend_{mode}_{minutes}", lang)
            overlays.append(overlay_from_frame(iso[iso["key"] == key].assign(label=label), name=f"iso_{key}",
                                               tooltip="label", style={"color": colour, "weight": 2,
                                                                       "fillColor": colour, "fillOpacity": 0.06,
                                                                       "interactive": False}))
            rows.append({"label": label, "colour": "#ffffff", "outline": colour})
        return overlays, rows

    return cache.memo("isochrone_overlays", (parcel_id, lang), build, max_entries=16)


def prewarm_networks(cache: DatasetCache) -> None:
    """Build the dataset's networks in the background (once) so that the first click's isochrones are quick."""
    cache.memo_in_background("networks", (), lambda: load_or_build_networks(cache.dataset), max_entries=1,
                             long_lived=True)


def ds_key(uploads: tuple) -> str:
    """A short key for the current dataset."""
    return hashlib.sha1(repr(uploads).encode()).hexdigest()[:12]


def uploads_key() -> tuple:
    """The uploads in force, as a hashable tuple."""
    return tuple(sorted(st.session_state.get(K.UPLOADS, {}).items()))


@st.cache_resource(show_spinner=False)
def registry(url: str) -> Registry:
    """The site registry database (created and migrated on first use), checked against the home municipality.

    With the shipped demo data, an empty registry is seeded with the demo's available plots (marked as demo).
    """
    demo = bundle(()).dataset
    municipalities = demo.municipalities
    home = municipalities[municipalities["municipality_code"] == MUNICIPALITY_CODE]
    reg = open_registry(url, municipality=home.union_all() if len(home) else None)
    if DEMO_REGISTRY and DEMO_DIR.resolve() == (ROOT / "data" / "demo").resolve():
        seed_demo_registry(reg, demo.parcels)
    return reg


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


def shortlists(reg: Registry, cache: DatasetCache, weights: dict[str, float], lang: str) -> pd.DataFrame | None:
    """Best three available sites for each open application, with the score and why."""
    table = indicators(cache, "en").table

    def profile_scores(key: str) -> pd.Series:
        profile = PROFILES[key]
        return scorer(cache, profile, table).score(robustness=False).frame.set_index("parcel_id")["score"]

    return site_shortlists(reg.applications(), reg.sites(), cache.dataset.parcels, profile_scores, weights=weights,
                           labels={c: t(f"match_{c}", lang) for c in MATCH_CRITERIA})


def current_result(profile: Profile, weights: dict[str, float], filters: Filters, lang: str,
                   car_period: str = "peak") -> tuple[DatasetCache, ScoredSites]:
    """The dataset in force (demo or uploads) and its scores for the sidebar's choices, with a spinner."""
    with st.spinner(t("computing", lang)):
        cache = bundle(uploads_key())
        table = indicators(cache, lang).table
    return cache, scored(cache, profile, weights, filters, lang, table, car_period)


def legend_labels(lang: str) -> dict[str, str]:
    """The map legend's texts in ``lang``."""
    return {k: t(f"legend_{k}", lang) for k in LEGEND_KEYS}


def parcel_tiles(cache: DatasetCache) -> TileSet:
    """The dataset's parcels as vector tiles (written once per parcels checksum, served from ``static/tiles``)."""
    checksum = cache.dataset.checksums.get("parcels")
    return cache.memo("tiles", (), lambda: ensure_tiles(cache.dataset.parcels, TILES_DIR, checksum=checksum),
                      max_entries=1, long_lived=True)


def map_overlays(cache: DatasetCache, visible: tuple[str, ...], lang: str) -> tuple[list[dict], list[dict]]:
    """The map's other layers for the parcel map, and their legend rows (memoised per layer set and language)."""
    return cache.memo("overlays", (visible, lang), lambda: _overlays(cache.dataset, set(visible), lang),
                      max_entries=8)


STREET_MARGIN_M = 1500.0
"""Streets are drawn this far around the parcels; main roads and motorways everywhere."""


def _overlays(ds: Dataset, visible: set[str], lang: str) -> tuple[list[dict], list[dict]]:
    layers_, legend = [], []

    def add(frame: gpd.GeoDataFrame, name: str, style: dict, label: str | None, tooltip: str | None = None,
            tolerance_m: float = 0.0) -> None:
        if frame is None or not len(frame):
            return
        layers_.append(overlay_from_frame(frame, name=name, style={"interactive": tooltip is not None, **style},
                                          tooltip=tooltip, tolerance_m=tolerance_m))
        if label:
            legend.append({"label": label, "colour": style.get("fillColor") if style.get("fill", True) and
                           style.get("fillColor") else "#ffffff", "outline": style.get("color", "#000000")})

    # Streets only around the parcels (the regional network's streets would add megabytes to every rerun).
    minx, miny, maxx, maxy = ds.parcels.total_bounds
    roads = road_lines(ds.roads)
    near = roads.cx[minx - STREET_MARGIN_M:maxx + STREET_MARGIN_M, miny - STREET_MARGIN_M:maxy + STREET_MARGIN_M]
    roads = roads[(roads["road_class"] != "street") | roads.index.isin(near.index)]
    for cls, key in (("street", "street"), ("main", "main_road"), ("motorway", "motorway")):
        colour, weight = ROAD_STYLE[cls]
        add(roads[roads["road_class"] == cls], f"roads_{cls}", {"color": colour, "weight": weight, "opacity": 0.9},
            t(f"legend_{key}", lang), tolerance_m=5)
    if "land_use" in visible:
        for category, part in ds.land_use.groupby("category"):
            colour = LAND_USE_COLOURS.get(category, "#999999")
            add(part.assign(label=category), f"land_use_{category}", {"color": "#555555", "weight": 0.5,
                "fillColor": colour, "fillOpacity": 0.25}, f"{t('legend_land_use', lang)}: {category}", "label", 10)
    if "constraints" in visible:
        add(ds.constraints, "constraints", {"color": "#b2182b", "weight": 1, "fillColor": "#b2182b",
            "fillOpacity": 0.18, "dashArray": "4 3"}, t("legend_constraint", lang), "name", 5)
    if "change_areas" in visible:
        add(ds.change_areas, "change_areas", {"color": "#e7298a", "weight": 2, "fill": False, "dashArray": "8 4"},
            t("legend_change_area", lang), "name")
    if "transit" in visible:
        lines = route_lines(ds.feed)
        for mode, key in (("bus", "bus"), ("rail", "rail"), ("metro", "metro")):
            add(lines[lines["mode"] == mode], f"lines_{mode}", {"color": LINE_COLOURS[mode],
                "weight": 3 if mode != "bus" else 1.5, "opacity": 0.8}, t(f"legend_{key}", lang), "label", 5)
    stops = ds.feed.stops.assign(mode=stop_modes(ds.feed).to_numpy())
    if "bus_stops" in visible:
        add(stops[stops["mode"] == "bus"], "bus_stops", {"color": LINE_COLOURS["bus"], "fillColor": LINE_COLOURS["bus"],
            "fillOpacity": 1, "radius": 3, "weight": 1}, t("legend_bus_stop", lang), "stop_name")
    if "transit" in visible:
        rail = stops[stops["mode"].str.contains("metro|rail")]
        add(rail, "stations", {"color": "#000000", "fillColor": "#ffffff", "fillOpacity": 1, "radius": 6,
                               "weight": 1.5}, t("legend_station", lang), "stop_name")
    if "junctions" in visible:
        junctions = layers.roads.motorway_junctions(ds.roads).drop_duplicates("junction_name")
        add(junctions.assign(label="Trafikplats " + junctions["junction_name"]), "junctions",
            {"color": "#000000", "fillColor": "#ffd700", "fillOpacity": 1, "radius": 8, "weight": 2},
            t("legend_junction", lang), "label")
    if "premises" in visible:
        add(ds.premises.assign(label=ds.premises["premises_type"] + " · " + ds.premises["address"]), "premises",
            {"color": "#08519c", "fillColor": "#08519c", "fillOpacity": 0.9, "radius": 5, "weight": 1},
            t("legend_premises", lang), "label")
    return layers_, legend


def saved_parcel_ids(cache: DatasetCache) -> list[str]:
    """Parcel ids of the sites saved in the registry (outlined on the map); none if it cannot be opened.

    Re-read only when the registry has changed (its revision moved), not on every rerun.
    """
    try:
        reg = registry(registry_url())
        revision = reg.revision()
    except SiteFinderError:
        return []

    def read() -> list[str]:
        known = set(cache.dataset.parcels["parcel_id"])
        return sorted({pid for site in reg.sites() for pid in site["parcel_ids"] if pid in known})

    return cache.memo("saved_parcel_ids", (registry_url(), revision), read, max_entries=2)
