"""User-facing text in Swedish and English, and numbers, areas and dates written per locale.

One catalogue serves the app, the prospectus, the command line and the exports' labels: the
gettext catalogues ``texts/locale/<lang>/LC_MESSAGES/sitefinder.po`` (see :mod:`texts.catalogue`),
and Babel's CLDR data for number and date formats (see :mod:`texts.formatting`).
"""

from __future__ import annotations

from texts.catalogue import (
    DEFAULT_LANGUAGE,
    LANGUAGES,
    MissingTextError,
    from_catalogue,
    has,
    keys,
    messages,
    placeholders,
    text,
)
from texts.formatting import area_m2, date, distance, metres, minutes, number, percent

__all__ = ["DEFAULT_LANGUAGE", "LANGUAGES", "MissingTextError", "area_m2", "date", "distance", "from_catalogue",
           "has", "keys", "messages", "metres", "minutes", "number", "percent", "placeholders", "text"]
