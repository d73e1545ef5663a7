"""GTFS reading and departures per hour on a feed small enough to count by hand."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import pytest

from layers.reader import as_bytes_io
from layers.transit import departures_per_hour, load_transit, mode_of_route_type, parse_gtfs_times

FILES = {
    "agency.txt": "agency_id,agency_name,agency_url,agency_timezone\nA,Test,https://x.se,Europe/Stockholm\n",
    "stops.txt": "stop_id,stop_name,stop_lat,stop_lon\nS1,Alby,59.2394,17.8454\nS2,Fittja,59.2474,17.8610\n",
    "routes.txt": "route_id,route_short_name,route_type\nM,13,401\nB,710,700\n",
    "trips.txt": "route_id,service_id,trip_id\nM,WD,m1\nM,WD,m2\nM,WD,m3\nB,WD,b1\nB,SAT,b2\n",
    # m1 leaves Alby 06:59 (outside 07-09), m2 07:10, m3 08:59:59; b1 departs Alby 25:10 (after midnight).
    "stop_times.txt": (
        "trip_id,arrival_time,departure_time,stop_id,stop_sequence\n"
        "m1,06:59:00,06:59:00,S1,1\nm1,07:03:00,07:03:00,S2,2\n"
        "m2,07:10:00,07:10:00,S1,1\nm2,07:14:00,07:14:00,S2,2\n"
        "m3,08:59:59,08:59:59,S1,1\nm3,9:04:00,9:04:00,S2,2\n"
        "b1,25:10:00,25:10:00,S1,1\nb1,25:20:00,25:20:00,S2,2\n"
        "b2,07:30:00,07:30:00,S1,1\nb2,07:40:00,07:40:00,S2,2\n"
    ),
    "calendar.txt": (
        "service_id,monday,tuesday,wednesday,thursday,friday,saturday,sunday,start_date,end_date\n"
        "WD,1,1,1,1,1,0,0,20260101,20261231\nSAT,0,0,0,0,0,1,0,20260101,20261231\n"
    ),
    "calendar_dates.txt": "service_id,date,exception_type\nWD,20260602,2\n",
}


def _feed(files: dict[str, str] = FILES, folder: str = ""):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, text in files.items():
            zf.writestr(folder + name, text)
    return load_transit(as_bytes_io(buf.getvalue(), "tiny.zip"))


def test_times_past_midnight_and_single_digit_hours():
    import pandas as pd

    assert list(parse_gtfs_times(pd.Series(["25:10:00", "9:04:00", "00:00:01"]))) == [90600, 32640, 1]


def test_extended_route_types_map_to_modes():
    assert [mode_of_route_type(t) for t in (1, 401, 2, 109, 106, 3, 700, 717, 0, 900, 4, 1000)] == [
        "metro",
        "metro",
        "rail",
        "rail",
        "rail",
        "bus",
        "bus",
        "bus",
        "tram",
        "tram",
        "ferry",
        "ferry",
    ]


def test_departures_per_hour_counts_by_hand():
    feed = _feed()
    assert feed.stops.crs.to_epsg() == 3006
    tuesday = dt.date(2026, 6, 9)
    dep = departures_per_hour(feed, start="07:00", end="09:00", on=tuesday)
    # Alby: m2 07:10 and m3 08:59:59 in the window; m1 is before it. Fittja is only ever the last stop.
    assert dep.loc["S1", "departures"] == 2 and dep.loc["S1", "departures_per_hour"] == 1.0
    assert dep.loc["S2", "departures"] == 0
    assert dep.loc["S1", "modes"] == "metro"
    night = departures_per_hour(feed, start="25:00", end="26:00", on=tuesday)
    assert night.loc["S1", "departures"] == 1 and night.loc["S1", "modes"] == "bus"


def test_calendar_exceptions_and_weekdays():
    feed = _feed()
    removed = departures_per_hour(feed, start="07:00", end="09:00", on=dt.date(2026, 6, 2))
    assert removed.loc["S1", "departures"] == 0  # WD removed on 2 June by calendar_dates
    saturday = departures_per_hour(feed, start="07:00", end="09:00", on=dt.date(2026, 6, 6))
    assert saturday.loc["S1", "departures"] == 1 and saturday.loc["S1", "modes"] == "bus"
    default = departures_per_hour(feed, start="07:00", end="09:00")
    assert dt.date.fromisoformat(default.attrs["service_date"]).weekday() == 1


def test_files_in_a_subfolder_are_found():
    assert len(_feed(folder="sl/").stops) == 2


def test_missing_column_is_named():
    from errors import GtfsError

    files = {**FILES, "stops.txt": "stop_id,stop_name,stop_lat\nS1,Alby,59.2\n"}
    with pytest.raises(GtfsError, match=r"tiny\.zip: stops\.txt lacks required column\(s\) stop_lon"):
        _feed(files)


def test_bad_window_is_refused():
    with pytest.raises(ValueError, match="must end after it starts"):
        departures_per_hour(_feed(), start="09:00", end="07:00", on=dt.date(2026, 6, 9))
