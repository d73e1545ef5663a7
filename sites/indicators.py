"""Per-parcel indicators, computed once per dataset and cached on disk by input checksums.

Routing (car, walking, public transport, labour pool) is the slow part; scoring reuses the
result for every profile and every weight.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from analysis import access, congestion, jobs, labour, plan
from analysis.labour import Catchment
from analysis.network import Network, Snap, network_from_graph, routable_nodes, snap_points
from analysis.scoring import readiness_index
from analysis.transit_network import WALK_SPEED_MPS, TransitNetwork, transit_network
from analysis.transit_router import transit_router
from errors import ParameterError
from layers.roads import drive_network, motorway_entries, walk_network
from layers.transit import active_services, representative_date, stop_modes
from settings import CACHE_DIR, LOCAL_HIRE_DISTRICTS, MUNICIPALITY_CODE, PEAK_END, PEAK_START
from sites.dataset import Dataset

logger = logging.getLogger(__name__)

#: Bump when the indicator method changes, so old caches are not reused.
INDICATORS_VERSION = "6"
PT_HORIZON_S = 90 * 60
#: Largest public-transport catchment kept (origins x parcels, float32: 100 M cells = 0.4 GB).
MAX_CATCHMENT_CELLS = 100_000_000

Progress = Callable[[float, str], None]


@dataclass(frozen=True)
class Indicators:
    """Per-parcel indicator table plus the public-transport catchment (for other gravity decays).

    ``pt_catchment`` is None for datasets too large to keep it (see ``keeps_catchment``); their
    ``labour_gravity_pt`` exists only for ``gravity_beta_per_min``.
    """

    table: pd.DataFrame
    pt_catchment: Catchment | None
    service_date: str
    key: str
    gravity_beta_per_min: float = 0.05


def _hhmm_to_s(text: str) -> int:
    h, m = (int(x) for x in text.split(":"))
    return h * 3600 + m * 60


def cache_key(ds: Dataset) -> str:
    """Key of a dataset's indicators: input checksums, method version and settings."""
    payload = {"inputs": ds.checksums, "version": INDICATORS_VERSION, "peak": [PEAK_START, PEAK_END],
               "municipality": MUNICIPALITY_CODE, "districts": list(LOCAL_HIRE_DISTRICTS)}
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()[:24]


def load_or_compute(ds: Dataset, *, cache_dir: Path | None = CACHE_DIR, progress: Progress | None = None,
                    beta_per_min: float = 0.05) -> Indicators:
    """Indicators from the disk cache when the inputs are unchanged, else computed and stored.

    Parameters
    ----------
    ds
        The loaded dataset.
    cache_dir
        Cache folder; None disables the cache.
    progress
        Called with (fraction done, message) during a computation.
    beta_per_min
        Decay of the Hansen labour-pool measure stored in ``labour_gravity_pt``.

    Returns
    -------
    Indicators
        The table is indexed like ``ds.parcels``.
    """
    key = cache_key(ds)
    folder = Path(cache_dir) / key if cache_dir is not None else None
    if folder is not None and (folder / "indicators.parquet").exists():
        table = _text_as_objects(pd.read_parquet(folder / "indicators.parquet"))
        meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
        stored_beta = float(meta.get("gravity_beta_per_min", 0.05))
        catchment = None
        if (folder / "pt_catchment.npz").exists():
            arrays = np.load(folder / "pt_catchment.npz")
            groups = {name.removeprefix("pop_"): arrays[name] for name in arrays.files if name.startswith("pop_")}
            catchment = Catchment(arrays["times_s"], groups, arrays["origin_leg_s"], arrays["parcel_column"],
                                  arrays["parcel_leg_s"])
            table["labour_gravity_pt"] = labour.gravity(catchment, beta_per_min)
            stored_beta = beta_per_min
        elif not np.isclose(beta_per_min, stored_beta):
            raise ParameterError(
                f"labour_gravity_pt: this dataset's indicators hold the gravity measure for a decay of "
                f"{stored_beta:g}/min only, {beta_per_min:g}/min was asked for: with {len(table):,} parcels the "
                f"public-transport travel-time matrix another decay needs is not kept. Use {stored_beta:g}/min, "
                "or compute the indicators again without the cache.")
        logger.info("indicators for %d parcels read from cache %s", len(table), folder)
        return Indicators(table, catchment, meta["service_date"], key, stored_beta)
    result = compute(ds, progress=progress, beta_per_min=beta_per_min, key=key)
    if folder is not None:
        folder.mkdir(parents=True, exist_ok=True)
        result.table.to_parquet(folder / "indicators.parquet")
        c = result.pt_catchment
        if c is not None:
            np.savez_compressed(folder / "pt_catchment.npz", times_s=c.times_s, origin_leg_s=c.origin_leg_s,
                                parcel_column=c.parcel_column, parcel_leg_s=c.parcel_leg_s,
                                **{f"pop_{k}": v for k, v in c.origin_population.items()})
        (folder / "meta.json").write_text(json.dumps({"service_date": result.service_date, "key": key,
                                                      "gravity_beta_per_min": result.gravity_beta_per_min,
                                                      "inputs": ds.checksums}, indent=1), encoding="utf-8")
    return result


def compute(ds: Dataset, *, progress: Progress | None = None, beta_per_min: float = 0.05,
            key: str = "") -> Indicators:
    """Compute every per-parcel indicator (no cache)."""
    say = progress or (lambda f, m: None)
    t0 = time.perf_counter()
    parcels = ds.parcels
    idx = parcels.index
    centroids = parcels.geometry.centroid
    px, py = centroids.x.to_numpy(), centroids.y.to_numpy()
    table = pd.DataFrame(index=idx)
    say(0.05, "Overlaying parcels with the plan and constraints")
    table["constrained_m2"] = jobs.constrained_area(parcels.geometry, ds.constraints.geometry)
    table["developable_m2"] = jobs.developable_area(parcels["area_m2"], table["constrained_m2"],
                                                    parcels["built_footprint_share"])
    table["op_category"] = plan.dominant_category(parcels.geometry, ds.land_use)
    table["change_areas"] = plan.change_area_names(parcels.geometry, ds.change_areas)
    table["readiness_index"] = readiness_index(parcels["plan_status"], parcels["owner_type"], parcels["vacant"])

    say(0.15, "Building the car, walking and public-transport networks")
    nets = build_networks(ds)
    drive, walk_m, stops, ssnap = nets.drive, nets.walk_m, nets.stops, nets.stop_snap
    say(0.25, "Car travel times to the motorway junctions")
    entries = motorway_entries(ds.roads)
    entry_nodes, entry_names = drive.index_of(entries["node"]), entries["junction_name"].to_numpy()
    car_nodes = routable_nodes(drive)
    table = table.join(access.car_to_junction(drive, px, py, entry_nodes, entry_names, index=idx, among=car_nodes))
    free = access.car_to_junction(nets.drive_free_flow, px, py, entry_nodes, entry_names, index=idx, among=car_nodes)
    table["car_min_to_junction_free_flow"] = free["car_min_to_junction"]
    say(0.35, "Walking distances to stations and departures")
    modes = stop_modes(ds.feed).reindex(stops["stop_id"]).fillna("").to_numpy()
    rail = np.array(["metro" in m or "rail" in m for m in modes])
    table = table.join(access.walk_to_stop(walk_m, px, py, ssnap.node[rail], stops.loc[rail, "stop_name"].to_numpy(),
                                           stop_leg_m=ssnap.distance_m[rail], index=idx))
    start_s, end_s = _hhmm_to_s(PEAK_START), _hhmm_to_s(PEAK_END)
    deps = access.departure_matrix(nets.stop_times, stops["stop_id"].to_numpy(), start_s=start_s, end_s=end_s)
    table = table.join(access.departures_within_walk(walk_m, px, py, ssnap.node, ssnap.distance_m, deps,
                                                     (end_s - start_s) / 3600, index=idx))

    say(0.45, "Population groups for the labour pool")
    cx, cy, pop = ds.population.cell_centres()
    groups = _population_groups(ds, cx, cy, pop)

    say(0.55, "Labour pool by car (30 min, morning peak and free flow)")
    for suffix, network in (("", drive), ("_free_flow", nets.drive_free_flow)):
        origins = labour.origins_from_cells(network, cx, cy, {"all": groups["all"]},
                                            leg_speed_mps=access.CAR_ACCESS_SPEED_MPS, among=car_nodes)
        car = labour.labour_pool(network, origins, px, py, thresholds_min={"car": (30, "all")},
                                 leg_speed_mps=access.CAR_ACCESS_SPEED_MPS, among=car_nodes,
                                 workers=_workers(origins, px))
        table[f"residents_30min_car{suffix}"] = car["car"]

    say(0.7, "Labour pool by public transport (45 min)")
    pt = nets.pt
    router = transit_router(pt)  # access walk, a search over the stops, egress walks (its docstring)
    among = np.arange(pt.n_walk)
    pools = {"residents_45min_pt": (45, "all"), "local_hire_30min_botkyrka": (30, "municipality")}
    pools |= {f"local_hire_30min_{_slug(name)}": (30, name) for name in LOCAL_HIRE_DISTRICTS if name in groups}
    origins = labour.origins_from_cells(pt.network, cx, cy, groups, leg_speed_mps=WALK_SPEED_MPS, among=among)
    pt_c = None
    if keeps_catchment(len(origins.nodes), len(px)):
        pt_c = labour.catchment(router, cx, cy, groups, px, py, horizon_s=PT_HORIZON_S,
                                leg_speed_mps=WALK_SPEED_MPS, among=among)
        values = {name: labour.residents_within(pt_c, minutes, group=group) for name, (minutes, group) in pools.items()}
        values["gravity"] = labour.gravity(pt_c, beta_per_min)
    else:
        logger.info("public-transport labour pool streamed (%d origins x %d parcels): the catchment is not kept",
                    len(origins.nodes), len(px))
        values = labour.labour_pool(router, origins, px, py, thresholds_min=pools, leg_speed_mps=WALK_SPEED_MPS,
                                    beta_per_min=beta_per_min, horizon_s=PT_HORIZON_S, among=among,
                                    workers=_workers(origins, px))
    table["residents_45min_pt"] = values["residents_45min_pt"]
    table["labour_gravity_pt"] = values["gravity"]
    for name in pools:
        table[name] = values[name]
    table = _text_as_objects(table)
    say(1.0, "Indicators ready")
    logger.info("indicators for %d parcels computed in %.1f s", len(table), time.perf_counter() - t0)
    return Indicators(table, pt_c, nets.service_date, key, beta_per_min)


def keeps_catchment(origins: int, parcels: int) -> bool:
    """Whether the public-transport catchment (``origins x parcel nodes``, float32) is kept.

    Decided on ``origins x parcels`` (an upper bound of the matrix) before routing. Kept up to
    ``MAX_CATCHMENT_CELLS`` (0.4 GB), so that another gravity decay is evaluated from
    the cache; beyond it the labour pool is streamed and only the precomputed decay exists.
    """
    return origins * parcels <= MAX_CATCHMENT_CELLS


def _workers(origins: labour.Origins, px: np.ndarray) -> int:
    """Routing processes: one for small datasets (no fork), up to two for large ones."""
    return 1 if len(origins.nodes) * len(px) <= MAX_CATCHMENT_CELLS else max(1, min(2, os.cpu_count() or 1))


@dataclass(frozen=True)
class Networks:
    """The routable networks of a dataset (built once, used for indicators and isochrones)."""

    drive: Network
    drive_free_flow: Network
    walk_m: Network
    pt: TransitNetwork
    stops: gpd.GeoDataFrame
    stop_snap: Snap
    stop_times: pd.DataFrame
    service_date: str


def build_networks(ds: Dataset) -> Networks:
    """Car networks (seconds, morning peak and free flow), walking (metres), walk + public transport (peak)."""
    cars = congestion.car_networks(drive_network(ds.roads))
    drive, drive_free_flow = cars["peak"], cars["free_flow"]
    walk_m = network_from_graph(walk_network(ds.roads), weight="length")
    day = representative_date(ds.feed)
    services = active_services(ds.feed, day)
    trips = ds.feed.trips[ds.feed.trips["service_id"].isin(services)]
    stop_times = ds.feed.stop_times[ds.feed.stop_times["trip_id"].isin(trips["trip_id"])]
    stops = ds.feed.stops[ds.feed.stops["location_type"] == 0].reset_index(drop=True)
    snap = snap_points(walk_m, stops.geometry.x.to_numpy(), stops.geometry.y.to_numpy())
    feed = _DayFeed(stops, trips, stop_times)
    pt = transit_network(walk_m, feed, start_s=_hhmm_to_s(PEAK_START), end_s=_hhmm_to_s(PEAK_END))
    return Networks(drive, drive_free_flow, walk_m, pt, stops, snap, stop_times, day.isoformat())


@dataclass(frozen=True)
class _DayFeed:
    stops: pd.DataFrame
    trips: pd.DataFrame
    stop_times: pd.DataFrame


def _text_as_objects(table: pd.DataFrame) -> pd.DataFrame:
    """Text columns as Python objects with None for missing (the same before and after Parquet)."""
    for col in table.columns[table.dtypes.map(pd.api.types.is_string_dtype)]:
        table[col] = table[col].astype(object).where(table[col].notna(), None)
    return table


def _slug(name: str) -> str:
    table = str.maketrans({"å": "a", "ä": "a", "ö": "o", "é": "e"})
    return "".join(ch if ch.isalnum() else "_" for ch in name.lower().translate(table)).strip("_")


def _population_groups(ds: Dataset, cx: np.ndarray, cy: np.ndarray, pop: np.ndarray) -> dict[str, np.ndarray]:
    """Residents per cell in total, in the home municipality, and in each local-hire district."""
    points = gpd.GeoDataFrame(geometry=gpd.points_from_xy(cx, cy), crs=ds.parcels.crs)
    groups = {"all": pop}
    home = ds.municipalities[ds.municipalities["municipality_code"] == MUNICIPALITY_CODE]
    inside = points.within(home.union_all()).to_numpy() if len(home) else np.zeros(len(pop), dtype=bool)
    groups["municipality"] = np.where(inside, pop, 0.0)
    for name in LOCAL_HIRE_DISTRICTS:
        area = ds.districts[ds.districts["district"] == name]
        if len(area):
            groups[name] = np.where(points.within(area.union_all()).to_numpy(), pop, 0.0)
    return groups
