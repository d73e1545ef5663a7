"""stop_times.txt through the fast (polars) reader: values by hand, and every bad input named."""

from __future__ import annotations

import io
import zipfile

import numpy as np
import pytest

from errors import GtfsError
from layers.reader import as_bytes_io
from layers.transit import load_transit
from tests.layers.test_transit import FILES


def _load(stop_times: str):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, text in {**FILES, "stop_times.txt": stop_times}.items():
            zf.writestr(name, text)
    return load_transit(as_bytes_io(buf.getvalue(), "feed.zip"))


def test_values_by_hand_with_bom_blank_arrival_and_padding():
    text = ("\ufefftrip_id, arrival_time ,departure_time,stop_id,stop_sequence\n"
            "m2,,07:10:00,S1,2\nm2, 07:14:30,07:15:00,S2,10\nb1,25:10:00,25:10:00,S1,1\n")
    st = _load(text).stop_times
    # Sorted by trip id, then by stop_sequence as a number (2 before 10).
    assert st["trip_id"].tolist() == ["b1", "m2", "m2"]
    assert st["stop_sequence"].tolist() == [1, 2, 10]
    # 25:10:00 = 25 x 3600 + 600 = 90,600 s; a blank arrival takes the departure (07:10 = 25,800 s).
    assert st["arrival_s"].tolist() == [90_600.0, 25_800.0, 7 * 3600 + 14 * 60 + 30]
    assert st["departure_s"].tolist() == [90_600.0, 25_800.0, 7 * 3600 + 15 * 60]


def test_blank_times_between_timepoints_stay_unknown():
    st = _load("trip_id,arrival_time,departure_time,stop_id,stop_sequence\nm1,07:00:00,07:00:00,S1,1\n"
               "m1,,,S2,2\n").stop_times
    assert np.isnan(st["departure_s"].iloc[1]) and np.isnan(st["arrival_s"].iloc[1])


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("trip_id,arrival_time,departure_time,stop_id,stop_sequence\nm1,7.10,7.10,S1,1\n",
         r"feed\.zip: stop_times\.txt has unreadable times \(e\.g\. '7\.10'\); expected HH:MM:SS"),
        ("trip_id,arrival_time,departure_time,stop_id,stop_sequence\nm1,07:10:00,07:10:00,S1,first\n",
         r"stop_sequence values that are not numbers"),
        ("trip_id,arrival_time,departure_time,stop_sequence\nm1,07:10:00,07:10:00,1\n",
         r"stop_times\.txt lacks required column\(s\) stop_id"),
        ("", r"stop_times\.txt is empty or not UTF-8 CSV"),
    ],
)
def test_bad_stop_times(text, message):
    with pytest.raises(GtfsError, match=message):
        _load(text)
