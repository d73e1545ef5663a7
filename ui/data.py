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
from analysis.isochrones import isochrones
from analysis.matching import MATCH_CRITERIA
from analysis.profiles import PROFILES, Profile
from errors import SiteFinderError, UploadExpiredError
from layers.reader import as_bytes_io
from layers.transit import route_lines, stop_modes
from settings import CACHE_DIR, DATABASE_URL, DEMO_DIR, DEMO_REGISTRY, DISPLAY_CRS, MUNICIPALITY_CODE, ROOT
from sites.dataset import Dataset, DataSources, load_dataset
from sites.demo_registry import seed_demo_registry
from sites.display import road_lines
from sites.indicators import Networks, build_networks, load_or_compute
from sites.registry import Registry, open_registry
from sites.scored import Filters, ScoredSites, Scorer
from sites.shortlist import shortlists as site_shortlists
from ui.cache import CacheTable, DatasetCache, UploadStore
from ui.i18n import t
from ui.map_builder import LEGEND_KEYS, population_png
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
        return caches().get(key, lambda: load_dataset(DataSources()), pinned=True)
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
        "roads": road_lines(ds.roads).to_crs(DISPLAY_CRS),
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


def current_result(profile: Profile, weights: dict[str, float], filters: Filters,
                   lang: str) -> tuple[DatasetCache, ScoredSites]:
    """The dataset in force (demo or uploads) and its scores for the sidebar's choices, with a spinner."""
    with st.spinner(t("computing", lang)):
        cache = bundle(uploads_key())
        table = indicators(cache, lang).table
    return cache, scored(cache, profile, weights, filters, lang, table)


def legend_labels(lang: str) -> dict[str, str]:
    """The map legend's texts in ``lang``."""
    return {k: t(f"legend_{k}", lang) for k in LEGEND_KEYS}
