"""Numbers, areas, percentages and dates per locale; expected strings written by hand from CLDR's rules.

Swedish: thousands grouped with a no-break space (U+00A0), decimal comma, percent sign after a
no-break space. British English: comma grouping, decimal point, percent sign attached.
"""

from __future__ import annotations

import datetime as dt

import pytest

from texts import area_m2, date, distance, minutes, number, percent

NB = "\u00a0"


@pytest.mark.parametrize(("x", "lang", "decimals", "expected"), [
    (12690, "sv", 0, f"12{NB}690"),
    (12690, "en", 0, "12,690"),
    (73.66, "sv", 1, "73,7"),
    (73.66, "en", 1, "73.7"),
    (1234567.891, "sv", 2, f"1{NB}234{NB}567,89"),
    (999, "sv", 0, "999"),
    (0.5, "en", 0, "0"),  # half to even, like Python's round()
    (float("nan"), "sv", 0, "-"),
    (None, "en", 1, "-"),
])
def test_number(x, lang, decimals, expected):
    assert number(x, lang, decimals=decimals) == expected


def test_area_keeps_number_and_unit_together():
    assert area_m2(12690.4, "sv") == f"12{NB}690{NB}m²"
    assert area_m2(12690.4, "en") == f"12,690{NB}m²"


def test_percent():
    assert percent(0.42, "sv") == f"42{NB}%"
    assert percent(0.42, "en") == "42%"
    assert percent(0.4256, "sv", decimals=1) == f"42,6{NB}%"
    assert percent(1, "en") == "100%"


def test_distance_and_minutes():
    assert distance(850, "sv") == f"850{NB}m"
    assert distance(1430, "sv") == f"1,4{NB}km"
    assert distance(1430, "en") == f"1.4{NB}km"
    assert minutes(3.26, "sv") == f"3,3{NB}min"
    assert minutes(12, "en", decimals=0) == f"12{NB}min"


def test_date():
    day = dt.date(2026, 11, 27)
    assert date(day, "sv") == "27 november 2026"
    assert date(day, "en") == "27 November 2026"
    assert date(day, "sv", style="short") == "2026-11-27"
