"""Public transport from a GTFS feed (Trafiklab GTFS Regional / Sverige, or any GTFS zip).

Reads only the columns the analysis needs, so a regional feed with millions of stop times
loads in seconds. Route types include the extended (Google) types used by GTFS Sverige 2
(401 metro, 106/109 rail, 7xx bus).
"""

from __future__ import annotations

import datetime as dt
import io
import logging
import time
import zipfile
from dataclasses import dataclass
from pathlib import PurePosixPath

import geopandas as gpd
import numpy as np
import pandas as pd

from errors import DataFormatError, GtfsError, problems_message
from layers.reader import Source, check_in_sweden, local_file
from settings import DEMO_DIR, DISPLAY_CRS, WORKING_CRS

logger = logging.getLogger(__name__)

REQUIRED_FILES = ("agency.txt", "stops.txt", "routes.txt", "trips.txt", "stop_times.txt")
COLUMNS = {
    "stops.txt": (("stop_id", "stop_name", "stop_lat", "stop_lon"), ("location_type", "parent_station")),
    "routes.txt": (("route_id", "route_type"), ("route_short_name", "route_long_name", "agency_id")),
    "trips.txt": (("route_id", "service_id", "trip_id"), ("direction_id", "trip_headsign")),
    "stop_times.txt": (("trip_id", "stop_id", "stop_sequence"), ("arrival_time", "departure_time")),
    "calendar.txt": (
        (
            "service_id",
            "monday",
            "tuesday",
            "wednesday",
            "thursday",
            "friday",
            "saturday",
            "sunday",
            "start_date",
            "end_date",
        ),
        (),
    ),
    "calendar_dates.txt": (("service_id", "date", "exception_type"), ()),
}
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
MODES = ("metro", "rail", "tram", "bus", "ferry", "other")

DEMO_GTFS = DEMO_DIR / "transit_gtfs.zip"


@dataclass(frozen=True)
class TransitFeed:
    """The parts of a GTFS feed the analysis uses.

    Attributes
    ----------
    stops
        Stops and stations in EPSG:3006: ``stop_id``, ``stop_name``, ``location_type``,
        ``parent_station``.
    routes
        ``route_id``, ``route_short_name``, ``route_long_name``, ``route_type``, ``mode``.
    trips
        ``trip_id``, ``route_id``, ``service_id``, ``direction_id``.
    stop_times
        ``trip_id``, ``stop_id``, ``stop_sequence``, ``arrival_s``, ``departure_s`` (seconds after
        midnight of the service day; may exceed 86,400).
    calendar, calendar_dates
        Service calendars (either may be empty).
    """

    stops: gpd.GeoDataFrame
    routes: pd.DataFrame
    trips: pd.DataFrame
    stop_times: pd.DataFrame
    calendar: pd.DataFrame
    calendar_dates: pd.DataFrame


def mode_of_route_type(route_type: int) -> str:
    """Mode name for a basic or extended GTFS route type (e.g. 1 or 401 -> metro)."""
    basic = {
        0: "tram",
        1: "metro",
        2: "rail",
        3: "bus",
        4: "ferry",
        5: "tram",
        6: "other",
        7: "other",
        11: "bus",
        12: "rail",
    }
    if route_type in basic:
        return basic[route_type]
    hundred = route_type // 100
    return {
        1: "rail",
        2: "bus",
        3: "rail",
        4: "metro",
        5: "metro",
        6: "metro",
        7: "bus",
        8: "bus",
        9: "tram",
        10: "ferry",
        12: "ferry",
        13: "other",
        14: "other",
        15: "bus",
        17: "bus",
    }.get(hundred, "other")


def load_transit(source: Source = DEMO_GTFS) -> TransitFeed:
    """Read a GTFS zip into a ``TransitFeed`` in EPSG:3006.

    Parameters
    ----------
    source
        Path or file-like object of a GTFS zip (files may sit in one sub-folder).

    Returns
    -------
    TransitFeed
        Stops, routes with modes, trips, stop times in seconds, and calendars.

    Raises
    ------
    DataFormatError
        Not a zip, or a corrupt one.
    GtfsError
        A required file or column is missing, or times/coordinates cannot be read.
    """
    t0 = time.perf_counter()
    with local_file(source, default_suffix=".zip") as lf:
        try:
            zf = zipfile.ZipFile(lf.path)
        except (zipfile.BadZipFile, EOFError) as err:
            raise DataFormatError(
                f"{lf.label}: not a valid zip archive ({err}). A GTFS feed is a zip of .txt files; download it again."
            ) from err
        with zf:
            members = {PurePosixPath(n).name: n for n in zf.namelist() if n.endswith(".txt")}
            problems = [f"missing required file {name}" for name in REQUIRED_FILES if name not in members]
            if "calendar.txt" not in members and "calendar_dates.txt" not in members:
                problems.append("missing calendar.txt or calendar_dates.txt (one of them is required)")
            if problems:
                raise GtfsError(problems_message(lf.label, problems) + " Is this really a GTFS feed?")
            tables = {name: _read_table(zf, members, name, lf.label) for name in COLUMNS
                      if name in members and name != "stop_times.txt"}
            stop_times = _read_stop_times(zf, members["stop_times.txt"], lf.label)
        label = lf.label
    feed = TransitFeed(
        stops=_stops(tables["stops.txt"], label),
        routes=_routes(tables["routes.txt"], label),
        trips=tables["trips.txt"],
        stop_times=stop_times,
        calendar=tables.get("calendar.txt", pd.DataFrame(columns=list(COLUMNS["calendar.txt"][0]))),
        calendar_dates=tables.get("calendar_dates.txt", pd.DataFrame(columns=list(COLUMNS["calendar_dates.txt"][0]))),
    )
    logger.info(
        "loaded %s: %d stops, %d routes, %d trips, %d stop times, CRS %s -> %s, %.0f ms",
        label,
        len(feed.stops),
        len(feed.routes),
        len(feed.trips),
        len(feed.stop_times),
        DISPLAY_CRS,
        WORKING_CRS,
        (time.perf_counter() - t0) * 1000,
    )
    return feed


def _read_table(zf: zipfile.ZipFile, members: dict[str, str], name: str, label: str) -> pd.DataFrame:
    required, optional = COLUMNS[name]
    raw = zf.read(members[name])
    try:
        header = pd.read_csv(io.BytesIO(raw), nrows=0, encoding="utf-8-sig").columns.str.strip()
    except (pd.errors.EmptyDataError, UnicodeDecodeError) as err:
        raise GtfsError(f"{label}: {name} is empty or not UTF-8 CSV ({err}).") from err
    missing = [c for c in required if c not in header]
    if missing:
        raise GtfsError(f"{label}: {name} lacks required column(s) {', '.join(missing)}.")
    wanted = [c for c in (*required, *optional) if c in header]
    df = pd.read_csv(
        io.BytesIO(raw), usecols=lambda c: c.strip() in wanted, dtype=str, encoding="utf-8-sig", keep_default_na=False
    )
    df.columns = df.columns.str.strip()
    return df


def _read_stop_times(zf: zipfile.ZipFile, member: str, label: str) -> pd.DataFrame:
    """stop_times.txt read and converted with polars (multi-threaded): 6 M rows in seconds.

    Same result and checks as ``_stop_times`` on ``_read_table``'s frame, which needs minutes and
    several GB for a regional feed.
    """
    import polars as pl

    name = "stop_times.txt"
    required = COLUMNS[name][0]
    raw = zf.read(member)
    try:
        frame = pl.read_csv(raw, infer_schema=False, encoding="utf8")
    except (pl.exceptions.ComputeError, pl.exceptions.NoDataError) as err:
        raise GtfsError(f"{label}: {name} is empty or not UTF-8 CSV ({err}).") from err
    frame = frame.rename({c: c.lstrip("\ufeff").strip() for c in frame.columns})
    missing = [c for c in required if c not in frame.columns]
    if missing:
        raise GtfsError(f"{label}: {name} lacks required column(s) {', '.join(missing)}.")
    for col in ("arrival_time", "departure_time"):
        if col not in frame.columns:
            frame = frame.with_columns(pl.lit("").alias(col))

    def seconds(col: str) -> pl.Expr:
        parts = pl.col(col).str.strip_chars().str.split_exact(":", 2)
        h, m, sec = (parts.struct.field(f"field_{i}").cast(pl.Int64, strict=False) for i in range(3))
        return (h * 3600 + m * 60 + sec).cast(pl.Float64)

    frame = frame.with_columns(
        arr=seconds("arrival_time"), dep=seconds("departure_time"),
        seq=pl.col("stop_sequence").str.strip_chars().cast(pl.Int64, strict=False),
        raw_dep=pl.col("departure_time").fill_null("").str.strip_chars(),
    ).with_columns(
        departure_s=pl.coalesce("dep", "arr"), arrival_s=pl.coalesce("arr", "dep"),
    )
    garbled = frame.filter(pl.col("departure_s").is_null() & (pl.col("raw_dep") != ""))
    if garbled.height:
        raise GtfsError(
            f"{label}: stop_times.txt has unreadable times (e.g. {garbled['raw_dep'][0]!r}); expected HH:MM:SS."
        )
    if frame["seq"].null_count():
        raise GtfsError(f"{label}: stop_times.txt has stop_sequence values that are not numbers.")
    out = (
        frame.select(pl.col("trip_id"), pl.col("stop_id"),
                     pl.col("seq").alias("stop_sequence"), pl.col("arrival_s").fill_null(float("nan")),
                     pl.col("departure_s").fill_null(float("nan")))
        .sort(["trip_id", "stop_sequence"], maintain_order=True)
        .to_pandas()
    )
    return out


def _stops(df: pd.DataFrame, label: str) -> gpd.GeoDataFrame:
    lat = pd.to_numeric(df["stop_lat"], errors="coerce")
    lon = pd.to_numeric(df["stop_lon"], errors="coerce")
    loc = pd.to_numeric(df.get("location_type", pd.Series("0", index=df.index)), errors="coerce").fillna(0)
    usable = lat.notna() & lon.notna()
    # Entrances, generic nodes and boarding areas (types 2-4) may lack coordinates.
    bad = ~usable & (loc <= 1)
    if bad.any():
        raise GtfsError(
            f"{label}: stops.txt has {int(bad.sum())} stops without valid stop_lat/stop_lon "
            f"(e.g. stop_id {df.loc[bad, 'stop_id'].iloc[0]})."
        )
    df, lat, lon, loc = df[usable], lat[usable], lon[usable], loc[usable]
    gdf = gpd.GeoDataFrame(
        {
            "stop_id": df["stop_id"].to_numpy(),
            "stop_name": df["stop_name"].to_numpy(),
            "location_type": loc.astype(int).to_numpy(),
            "parent_station": df.get("parent_station", pd.Series("", index=df.index)).to_numpy(),
        },
        geometry=gpd.points_from_xy(lon, lat),
        crs=DISPLAY_CRS,
    ).to_crs(WORKING_CRS)
    check_in_sweden(_core_bounds(gdf), label=f"{label} stops", crs_name=DISPLAY_CRS)
    return gdf


def _core_bounds(gdf: gpd.GeoDataFrame) -> tuple[float, float, float, float]:
    """Bounds of the central 98 % of stops: national feeds include a few stops abroad."""
    x, y = gdf.geometry.x.to_numpy(), gdf.geometry.y.to_numpy()
    lo, hi = (1, 99) if len(gdf) >= 100 else (0, 100)
    return (
        float(np.percentile(x, lo)),
        float(np.percentile(y, lo)),
        float(np.percentile(x, hi)),
        float(np.percentile(y, hi)),
    )


def _routes(df: pd.DataFrame, label: str) -> pd.DataFrame:
    rtype = pd.to_numeric(df["route_type"], errors="coerce")
    if rtype.isna().any():
        raise GtfsError(
            f"{label}: routes.txt has route_type values that are not numbers "
            f"(e.g. {df.loc[rtype.isna(), 'route_type'].iloc[0]!r})."
        )
    out = df.copy()
    out["route_type"] = rtype.astype(int)
    out["mode"] = out["route_type"].map(mode_of_route_type)
    for col in ("route_short_name", "route_long_name"):
        if col not in out.columns:
            out[col] = ""
    return out


def parse_gtfs_times(values: pd.Series) -> np.ndarray:
    """Seconds after midnight for GTFS times ``H:MM:SS`` (hours may exceed 24); NaN if blank."""
    parts = values.astype("string").str.strip().str.split(":", expand=True)
    if parts.shape[1] != 3:
        parts = parts.reindex(columns=range(3))
    h, m, s = (pd.to_numeric(parts[i], errors="coerce") for i in range(3))
    return (h * 3600 + m * 60 + s).to_numpy(dtype="float64")


def _stop_times(df: pd.DataFrame, label: str) -> pd.DataFrame:
    arr = parse_gtfs_times(df.get("arrival_time", pd.Series("", index=df.index)))
    dep = parse_gtfs_times(df.get("departure_time", pd.Series("", index=df.index)))
    dep = np.where(np.isnan(dep), arr, dep)
    arr = np.where(np.isnan(arr), dep, arr)
    raw = df.get("departure_time", pd.Series("", index=df.index)).astype("string").str.strip()
    garbled = np.isnan(dep) & (raw != "").to_numpy()
    if garbled.any():
        raise GtfsError(
            f"{label}: stop_times.txt has unreadable times (e.g. {raw[garbled].iloc[0]!r}); expected HH:MM:SS."
        )
    seq = pd.to_numeric(df["stop_sequence"], errors="coerce")
    if seq.isna().any():
        raise GtfsError(f"{label}: stop_times.txt has stop_sequence values that are not numbers.")
    out = pd.DataFrame(
        {
            "trip_id": df["trip_id"].to_numpy(),
            "stop_id": df["stop_id"].to_numpy(),
            "stop_sequence": seq.astype(int).to_numpy(),
            "arrival_s": arr,
            "departure_s": dep,
        }
    )
    return out.sort_values(["trip_id", "stop_sequence"], kind="stable").reset_index(drop=True)


def active_services(feed: TransitFeed, on: dt.date) -> set[str]:
    """Service ids running on date ``on`` (calendar ranges and calendar_dates exceptions)."""
    active: set[str] = set()
    cal = feed.calendar
    if len(cal):
        day = on.strftime("%Y%m%d")
        runs = (cal[WEEKDAYS[on.weekday()]].astype(str) == "1") & (cal["start_date"] <= day) & (cal["end_date"] >= day)
        active |= set(cal.loc[runs, "service_id"])
    cd = feed.calendar_dates
    if len(cd):
        today = cd[cd["date"] == on.strftime("%Y%m%d")]
        active |= set(today.loc[today["exception_type"].astype(str) == "1", "service_id"])
        active -= set(today.loc[today["exception_type"].astype(str) == "2", "service_id"])
    return active


def representative_date(feed: TransitFeed, *, weekday: str = "tuesday") -> dt.date:
    """The date with the most trips among the feed's dates that fall on ``weekday``."""
    if weekday not in WEEKDAYS:
        raise ValueError(f"weekday must be one of {', '.join(WEEKDAYS)}, not {weekday!r}")
    dates = [
        pd.Timestamp(d).date()
        for d in pd.concat(
            [
                feed.calendar.get("start_date", pd.Series(dtype=str)),
                feed.calendar.get("end_date", pd.Series(dtype=str)),
                feed.calendar_dates.get("date", pd.Series(dtype=str)),
            ]
        )
    ]
    if not dates:
        raise GtfsError("the feed's calendars hold no dates.")
    start, end = min(dates), min(max(dates), min(dates) + dt.timedelta(days=366))
    first = start + dt.timedelta(days=(WEEKDAYS.index(weekday) - start.weekday()) % 7)
    trips_per_service = feed.trips["service_id"].value_counts()
    best, best_n = first, -1
    day = first
    while day <= end:
        n = int(trips_per_service.reindex(list(active_services(feed, day))).fillna(0).sum())
        if n > best_n:
            best, best_n = day, n
        day += dt.timedelta(days=7)
    return best


def departures_per_hour(
    feed: TransitFeed, *, start: str = "07:00", end: str = "09:00", on: dt.date | None = None, weekday: str = "tuesday"
) -> pd.DataFrame:
    """Departures per hour at each stop in a time window.

    Parameters
    ----------
    feed
        A loaded feed.
    start, end
        Window as ``HH:MM``; departures with ``start <= time < end`` count.
    on
        Service date; the busiest ``weekday`` in the feed if None.
    weekday
        Weekday to pick when ``on`` is None.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``stop_id``: ``stop_name``, ``departures``, ``departures_per_hour``, ``modes``
        (comma-separated), ``geometry``-free; stops without departures have 0.
    """
    t0, t1 = (_hhmm(start), _hhmm(end))
    if t1 <= t0:
        raise ValueError(f"the window must end after it starts ({start}-{end})")
    day = on or representative_date(feed, weekday=weekday)
    services = active_services(feed, day)
    trips = feed.trips[feed.trips["service_id"].isin(services)]
    st = feed.stop_times[feed.stop_times["trip_id"].isin(trips["trip_id"])]
    last = st.groupby("trip_id")["stop_sequence"].transform("max")
    st = st[(st["stop_sequence"] < last) & (st["departure_s"] >= t0) & (st["departure_s"] < t1)]
    st = st.merge(trips[["trip_id", "route_id"]], on="trip_id").merge(feed.routes[["route_id", "mode"]], on="route_id")
    counts = st.groupby("stop_id").size()
    modes = st.groupby("stop_id")["mode"].agg(lambda m: ",".join(sorted(set(m))))
    out = pd.DataFrame({"stop_name": feed.stops.set_index("stop_id")["stop_name"]})
    out["departures"] = counts.reindex(out.index).fillna(0).astype(int)
    out["departures_per_hour"] = out["departures"] / ((t1 - t0) / 3600)
    out["modes"] = modes.reindex(out.index).fillna("")
    out.attrs["service_date"] = day.isoformat()
    return out


def _hhmm(text: str) -> int:
    try:
        h, m = (int(x) for x in text.split(":"))
    except ValueError as err:
        raise ValueError(f"time must be HH:MM, not {text!r}") from err
    if not (0 <= h <= 47 and 0 <= m < 60):
        raise ValueError(f"time must be HH:MM between 00:00 and 47:59, not {text!r}")
    return h * 3600 + m * 60


def stop_modes(feed: TransitFeed) -> pd.Series:
    """Comma-separated modes serving each stop (``metro``, ``rail``, ``bus`` ...), by stop_id."""
    st = feed.stop_times[["trip_id", "stop_id"]].drop_duplicates()
    st = st.merge(feed.trips[["trip_id", "route_id"]], on="trip_id").merge(
        feed.routes[["route_id", "mode"]], on="route_id"
    )
    modes = st.groupby("stop_id")["mode"].agg(lambda m: ",".join(sorted(set(m))))
    return modes.reindex(feed.stops["stop_id"]).fillna("")


def route_lines(feed: TransitFeed) -> gpd.GeoDataFrame:
    """One line per route and direction through its stops, from its longest trip (EPSG:3006).

    Returns
    -------
    geopandas.GeoDataFrame
        ``route_id``, ``label`` (short name and long name), ``mode`` and a LineString.
    """
    import shapely

    trips = feed.trips.merge(feed.routes[["route_id", "route_short_name", "route_long_name", "mode"]], on="route_id")
    counts = feed.stop_times.groupby("trip_id").size().rename("n")
    trips = trips.join(counts, on="trip_id").sort_values("n", ascending=False, kind="stable")
    direction = trips["direction_id"] if "direction_id" in trips else pd.Series("0", index=trips.index)
    longest = trips.assign(direction=direction).drop_duplicates(["route_id", "direction"])
    xy = feed.stops.set_index("stop_id").geometry
    rows = []
    for trip in longest.itertuples():
        seq = feed.stop_times.loc[feed.stop_times["trip_id"] == trip.trip_id, "stop_id"]
        pts = [xy[s] for s in seq if s in xy.index]
        if len(pts) >= 2:
            rows.append(
                {
                    "route_id": trip.route_id,
                    "mode": trip.mode,
                    "label": f"{trip.route_short_name} {trip.route_long_name}".strip(),
                    "geometry": shapely.LineString([(p.x, p.y) for p in pts]),
                }
            )
    return gpd.GeoDataFrame(
        rows, geometry="geometry", crs=WORKING_CRS, columns=["route_id", "mode", "label", "geometry"]
    )
