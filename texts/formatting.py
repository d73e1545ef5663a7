"""Numbers, areas, distances, times, percentages and dates written per locale, with Babel (CLDR data).

Swedish (``sv_SE``) groups thousands with a no-break space and uses a decimal comma
(``12 690 m²``, ``73,7``); English (``en_GB``) uses ``12,690 m²`` and ``73.7``. Between a number
and its unit a no-break space (U+00A0) keeps the two on one line. Missing values (None, NaN)
are written as ``MISSING``.
"""

from __future__ import annotations

import datetime as dt
import math

from babel import Locale
from babel.dates import format_date
from babel.numbers import format_decimal

#: Babel locale of each language code.
LOCALES = {"sv": "sv_SE", "en": "en_GB"}
NBSP = "\u00a0"
MISSING = "-"


def locale_of(lang: str) -> str:
    """The Babel locale for ``sv``/``en`` (English for anything else)."""
    return LOCALES.get(lang, LOCALES["en"])


def _missing(x: object) -> bool:
    try:
        return x is None or not math.isfinite(float(x))
    except (TypeError, ValueError):
        return True


def number(x: float | None, lang: str, *, decimals: int = 0) -> str:
    """``x`` with thousands grouped and exactly ``decimals`` decimals, e.g. ``12 690`` / ``73,7``."""
    if _missing(x):
        return MISSING
    pattern = "#,##0" + ("." + "0" * decimals if decimals > 0 else "")
    return format_decimal(float(x), format=pattern, locale=locale_of(lang))


def _with_unit(x: float | None, unit: str, lang: str, decimals: int) -> str:
    return MISSING if _missing(x) else f"{number(x, lang, decimals=decimals)}{NBSP}{unit}"


def area_m2(x: float | None, lang: str, *, decimals: int = 0) -> str:
    """An area in square metres: ``12 690 m²`` (sv), ``12,690 m²`` (en)."""
    return _with_unit(x, "m²", lang, decimals)


def metres(x: float | None, lang: str) -> str:
    """A distance in whole metres: ``1 250 m``."""
    return _with_unit(x, "m", lang, 0)


def distance(x_m: float | None, lang: str) -> str:
    """A walking distance: metres below 1 km (``850 m``), else km with one decimal (``1,2 km``)."""
    if _missing(x_m):
        return MISSING
    return metres(x_m, lang) if float(x_m) < 999.5 else _with_unit(float(x_m) / 1000, "km", lang, 1)


def minutes(x: float | None, lang: str, *, decimals: int = 1) -> str:
    """A travel time: ``3,5 min`` (sv), ``3.5 min`` (en)."""
    return _with_unit(x, "min", lang, decimals)


def percent(share: float | None, lang: str, *, decimals: int = 0) -> str:
    """A share 0..1 as a percentage in the locale's pattern: ``42 %`` (sv, no-break space), ``42%`` (en)."""
    if _missing(share):
        return MISSING
    locale = Locale.parse(locale_of(lang))
    pattern = locale.percent_formats[None].pattern.split(";")[0]
    digits = "#,##0" + ("." + "0" * decimals if decimals > 0 else "")
    return format_decimal(float(share), format=pattern.replace("#,##0", digits), locale=locale)


def date(day: dt.date, lang: str, *, style: str = "long") -> str:
    """A date: ``27 november 2026`` (sv), ``27 November 2026`` (en) for ``long``; ``short``/``medium`` too."""
    return format_date(day, format=style, locale=locale_of(lang))
