"""What the registry accepts: text limits, number ranges and known values, checked before any SQL.

The same rules hold on SQLite (which would store anything) and PostgreSQL (which would raise a
driver error quoting the SQL), so a form value never reaches the database unchecked. Each check
appends a sentence to a ``problems`` list; the caller raises one :class:`errors.RegistryError`
naming every problem at once.

Limits (characters, counted as Python ``str`` length, which is what PostgreSQL's ``VARCHAR(n)``
counts too):

========================  =====  =========================================================
field                     limit  why
========================  =====  =========================================================
site name, company        200    the ``VARCHAR(200)`` column; a designation list fits easily
contact, officer (who)    200    the ``VARCHAR(200)`` column; name, phone and e-mail
timing                    40     the ``VARCHAR(40)`` column; "Q3 2027", "within 18 months"
notes                     4,000  about a page of text; longer belongs in the case file
parcel ids                200 ids of 64 characters each
geometry                  50,000 coordinates (a drawn or merged site has a few hundred)
========================  =====  =========================================================

Text may not contain control characters (NUL, escape, DEL, C1 controls), lone surrogates (not
storable as UTF-8) or bidirectional overrides (they make a name read differently from what is
stored). Notes may contain line breaks and tabs; one-line fields may not.

Numbers must be finite. Areas (m²) lie in 0..10,000,000 (10 km², more than any business area),
jobs in 0..100,000, vehicle trips per day in 0..1,000,000; integers must be whole numbers.
"""

from __future__ import annotations

import math
import numbers
import unicodedata
from collections.abc import Collection, Mapping
from typing import Any

NAME_MAX = 200
COMPANY_MAX = 200
CONTACT_MAX = 200
WHO_MAX = 200
TIMING_MAX = 40
NOTES_MAX = 4000
PARCEL_ID_MAX = 64
PARCEL_IDS_MAX = 200
COORDINATES_MAX = 50_000
AREA_MAX_M2 = 10_000_000.0
JOBS_MAX = 100_000
TRIPS_MAX = 1_000_000
#: Largest id PostgreSQL's INTEGER column holds.
ID_MAX = 2**31 - 1

_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c")
_MULTILINE_OK = frozenset("\n\r\t")


def check_text(problems: list[str], label: str, value: Any, *, max_chars: int, multiline: bool = False,
               required: bool = False) -> str:
    """Check one text field; returns it with surrounding whitespace removed.

    Parameters
    ----------
    problems
        Sentences describing what is wrong; appended to.
    label
        The field as the officer knows it ("the site name").
    value
        The submitted value; must be a ``str``.
    max_chars
        Longest accepted text.
    multiline
        Whether line breaks and tabs are allowed.
    required
        Whether an empty (or all-space) text is refused.

    Returns
    -------
    str
        The stripped text ("" when it was not a string).
    """
    if not isinstance(value, str):
        problems.append(f"{label} must be text, not {type(value).__name__}")
        return ""
    text = value.strip()
    if required and not text:
        problems.append(f"{label} is empty; fill it in")
    if len(text) > max_chars:
        problems.append(f"{label} is {len(text):,} characters long; shorten it to at most {max_chars:,}")
    bad = _forbidden_character(text, multiline=multiline)
    if bad is not None:
        pos, char = bad
        problems.append(f"{label} contains the control character U+{ord(char):04X} at position {pos + 1}; "
                        "remove it (paste the text as plain text)")
    return text


def _forbidden_character(text: str, *, multiline: bool) -> tuple[int, str] | None:
    for i, char in enumerate(text):
        if multiline and char in _MULTILINE_OK:
            continue
        if unicodedata.category(char) in ("Cc", "Cs") or char in _BIDI_CONTROLS:
            return i, char
    return None


def check_number(problems: list[str], label: str, value: Any, *, minimum: float, maximum: float,
                 integer: bool = False, above_minimum: bool = False) -> float | int | None:
    """Check one number: a real number (not a bool), finite, within ``minimum..maximum``.

    Parameters
    ----------
    problems
        Appended to.
    label
        The field as the officer knows it.
    value
        The submitted value (int, float, numpy number).
    minimum, maximum
        Accepted range (inclusive unless ``above_minimum``).
    integer
        Whether a whole number is required.
    above_minimum
        Whether ``minimum`` itself is refused (areas must be above zero).

    Returns
    -------
    float, int or None
        The value as a Python float (int when ``integer``), None when refused.
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        problems.append(f"{label} must be a number, not {type(value).__name__}")
        return None
    number = float(value)
    if not math.isfinite(number):
        problems.append(f"{label} is {number}; enter a finite number")
        return None
    if integer and not number.is_integer():
        problems.append(f"{label} must be a whole number, not {_shown(number)}")
        return None
    if number < minimum or (above_minimum and number == minimum):
        if minimum == 0:
            rule = "must be above zero" if above_minimum else "cannot be negative"
        else:
            rule = f"must be {'above' if above_minimum else 'at least'} {_shown(minimum)}"
        problems.append(f"{label} {rule} (got {_shown(number)})")
        return None
    if number > maximum:
        problems.append(f"{label} is {_shown(number)}; the most accepted is {_shown(maximum)}")
        return None
    return int(number) if integer else number


def _shown(number: float) -> str:
    """A number as an officer reads it: 10,000,000 and 12.5, not 1e+07."""
    number = float(number)
    if number.is_integer() and abs(number) < 1e15:
        return f"{number:,.0f}"
    return f"{number:,.6g}"


def check_choice(problems: list[str], label: str, value: Any, choices: Collection[str]) -> str:
    """Check that ``value`` is one of ``choices``; returns it."""
    if not isinstance(value, str) or value not in choices:
        shown = repr(value)[:60]
        problems.append(f"unknown {label} {shown}; choose one of {', '.join(choices)}")
        return ""
    return value


def check_id(value: Any, what: str) -> int:
    """A record id as a Python int in ``1..ID_MAX``, or a RegistryError naming the record kind."""
    from errors import RegistryError

    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or not 1 <= int(value) <= ID_MAX:
        raise RegistryError(f"{repr(value)[:40]} is not a {what} id (expected a whole number 1..{ID_MAX:,}); "
                            "reload the page and choose the record again")
    return int(value)


def check_weights(problems: list[str], weights: Any, known: Collection[str]) -> dict[str, float]:
    """Decision weights: a mapping from known criterion names to finite, non-negative numbers."""
    if not isinstance(weights, Mapping):
        problems.append(f"the weights must be a mapping of criterion to weight, not {type(weights).__name__}")
        return {}
    out = {}
    for key, value in weights.items():
        if not isinstance(key, str) or key not in known:
            problems.append(f"unknown weight {repr(key)[:60]}; the criteria are {', '.join(known)}")
            continue
        number = check_number(problems, f"the weight of {key}", value, minimum=0.0, maximum=1e6)
        if number is not None:
            out[key] = number
    return out
