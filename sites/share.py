"""Every view is a link: the view state <-> URL query parameters, and signed investor links.

Encoding leaves defaults out so links stay short; decoding is forgiving (a bad value is dropped
with a notice, never an exception) and returns what it could not use. Investor links carry one
signed, timed token (itsdangerous) holding the view's parameters and expiry, made with a server
secret; the investor view renders only what that token holds.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace

from itsdangerous import BadData, SignatureExpired, URLSafeTimedSerializer

from analysis.profiles import CRITERIA, PROFILES
from texts import text

DEFAULT_PROFILE = "logistics"
DEFAULT_CENTER = (59.2335, 17.8320)
DEFAULT_ZOOM = 14
DEFAULT_LAYERS = frozenset({"transit", "junctions", "change_areas"})
ALL_LAYERS = ("transit", "junctions", "bus_stops", "premises", "land_use", "change_areas", "constraints",
              "population")
PLAN_STATUSES = ("adopted", "in_progress", "none")
LANGS = ("sv", "en")
VIEWS = ("officer", "investor")
MAX_AREA_M2 = 1_000_000.0


@dataclass(frozen=True)
class ViewState:
    """What a link reproduces.

    Attributes
    ----------
    profile
        Establishment profile key.
    weights
        Weights that differ from the profile's defaults are kept here (criterion -> 0..1).
    min_area_m2, max_area_m2
        Plot-area filter (max None = no upper limit).
    plan_statuses, categories
        Filters (empty = all).
    municipal_only, vacant_only
        Filters.
    area
        ``"all"`` or ``"sp"`` (Södra Porten only).
    selected
        Selected parcel id.
    compare
        Compared parcel ids (2-4).
    center, zoom
        Map position.
    layers
        Visible map layers.
    lang
        ``"sv"`` or ``"en"``.
    view
        ``"officer"`` or ``"investor"`` (read-only).
    expires
        Last day an investor link is valid.
    """

    profile: str = DEFAULT_PROFILE
    weights: Mapping[str, float] = field(default_factory=dict)
    min_area_m2: float = 0.0
    max_area_m2: float | None = None
    plan_statuses: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    municipal_only: bool = False
    vacant_only: bool = False
    area: str = "all"
    selected: str | None = None
    compare: tuple[str, ...] = ()
    center: tuple[float, float] = DEFAULT_CENTER
    zoom: int = DEFAULT_ZOOM
    layers: frozenset[str] = DEFAULT_LAYERS
    lang: str = "sv"
    view: str = "officer"
    expires: dt.date | None = None

    def __post_init__(self) -> None:
        base = PROFILES[self.profile].weights if self.profile in PROFILES else {}
        changed = {c: float(w) for c, w in sorted(self.weights.items())
                   if c not in base or not math.isclose(w, base[c], abs_tol=1e-9)}
        object.__setattr__(self, "weights", changed)
        object.__setattr__(self, "layers", frozenset(self.layers))

    def full_weights(self) -> dict[str, float]:
        """The profile's weights with this state's changes applied."""
        return {**PROFILES[self.profile].weights, **self.weights}


def _num(x: float) -> str:
    text = f"{x:.6f}".rstrip("0").rstrip(".")
    return text if text not in ("-0", "") else "0"


def encode(state: ViewState) -> dict[str, str]:
    """Query parameters for ``state``, defaults left out (``{}`` for the default view).

    Parameters
    ----------
    state
        The view.

    Returns
    -------
    dict
        Parameter name -> string value, in a fixed order.
    """
    d = ViewState()
    q: dict[str, str] = {}
    if state.view != d.view:
        q["view"] = state.view
    if state.lang != d.lang:
        q["lang"] = state.lang
    if state.profile != d.profile:
        q["p"] = state.profile
    if state.weights:
        q["w"] = ",".join(f"{c}:{_num(w)}" for c, w in state.weights.items())
    if state.min_area_m2:
        q["amin"] = _num(state.min_area_m2)
    if state.max_area_m2 is not None:
        q["amax"] = _num(state.max_area_m2)
    if state.plan_statuses:
        q["ps"] = ",".join(state.plan_statuses)
    if state.categories:
        q["cat"] = ",".join(state.categories)
    if state.municipal_only:
        q["mo"] = "1"
    if state.vacant_only:
        q["vo"] = "1"
    if state.area != d.area:
        q["area"] = state.area
    if state.selected:
        q["sel"] = state.selected
    if state.compare:
        q["cmp"] = ",".join(state.compare)
    if state.center != d.center:
        q["c"] = f"{_num(state.center[0])},{_num(state.center[1])}"
    if state.zoom != d.zoom:
        q["z"] = str(state.zoom)
    if state.layers != d.layers:
        q["l"] = ",".join(sorted(state.layers)) or "-"
    if state.expires is not None:
        q["exp"] = state.expires.isoformat()
    return q


def decode(params: Mapping[str, str | list[str]], lang: str = "en") -> tuple[ViewState, list[str]]:
    """The view state in ``params``, and a notice for each value that could not be used.

    Unknown parameters are ignored silently (analytics tags and the like); known ones with bad
    values are dropped with a notice (in ``lang``, from the text catalogue; plain text, escape it
    where it is shown) and the default is used instead.
    """
    p = {k: (v[-1] if isinstance(v, list) else v) for k, v in params.items()}
    notes: list[str] = []
    s: dict = {}

    def note(key: str, **values: object) -> None:
        notes.append(text(f"link.{key}", lang, **values))

    def choice(key: str, name: str, allowed: tuple[str, ...], what: str) -> None:
        if key in p:
            if p[key] in allowed:
                s[name] = p[key]
            else:
                note("unknown_choice", what=text(f"link.what.{what}", lang), value=p[key][:40])

    choice("view", "view", VIEWS, "view")
    choice("lang", "lang", LANGS, "language")
    choice("p", "profile", tuple(PROFILES), "profile")
    if "w" in p:
        weights = {}
        for part in p["w"].split(","):
            name, _, value = part.partition(":")
            number = _float(value)
            if name not in CRITERIA:
                note("unknown_criterion", name=name[:40])
            elif number is None or not 0 <= number <= 1:
                note("bad_weight", value=value[:20], name=name)
            else:
                weights[name] = number
        s["weights"] = weights
    for key, name in (("amin", "min_area_m2"), ("amax", "max_area_m2")):
        if key in p:
            number = _float(p[key])
            if number is None or not 0 <= number <= MAX_AREA_M2:
                note("bad_area", value=p[key][:20], max=MAX_AREA_M2)
            else:
                s[name] = number
    if s.get("max_area_m2") is not None and s["max_area_m2"] <= s.get("min_area_m2", 0.0):
        note("empty_area")
        s.pop("max_area_m2")
        s.pop("min_area_m2", None)
    for key, name, allowed in (("ps", "plan_statuses", PLAN_STATUSES), ("l", "layers", ALL_LAYERS)):
        if key in p:
            items = [x for x in p[key].split(",") if x and x != "-"]
            bad = [x for x in items if x not in allowed]
            if bad:
                note("unknown_values", values=", ".join(f"'{b[:40]}'" for b in bad[:3]))
            kept = [x for x in items if x in allowed]
            s[name] = frozenset(kept) if name == "layers" else tuple(dict.fromkeys(kept))
    if "cat" in p:
        s["categories"] = tuple(dict.fromkeys(x for x in p["cat"].split(",") if x))[:6]
    for key, name in (("mo", "municipal_only"), ("vo", "vacant_only")):
        if key in p:
            s[name] = p[key] == "1"
    choice("area", "area", ("all", "sp"), "area")
    if p.get("sel"):
        s["selected"] = p["sel"][:80]
    if p.get("cmp"):
        s["compare"] = tuple(dict.fromkeys(x[:80] for x in p["cmp"].split(",") if x))[:4]
    if "c" in p:
        parts = [_float(x) for x in p["c"].split(",")]
        if len(parts) == 2 and parts[0] is not None and parts[1] is not None and -90 <= parts[0] <= 90 \
                and -180 <= parts[1] <= 180:
            s["center"] = (parts[0], parts[1])
        else:
            note("bad_centre")
    if "z" in p:
        zoom = _float(p["z"])
        if zoom is not None and zoom == int(zoom) and 3 <= zoom <= 19:
            s["zoom"] = int(zoom)
        else:
            note("bad_zoom", value=p["z"][:10])
    if "exp" in p:
        try:
            s["expires"] = dt.date.fromisoformat(p["exp"])
        except ValueError:
            note("bad_expiry")
    return ViewState(**s), notes


def _float(text: str) -> float | None:
    try:
        value = float(text)
    except (TypeError, ValueError):
        return None
    return value if math.isfinite(value) else None


# --------------------------------------------------------------------------- signing
INVESTOR_TOKEN_KEY = "t"
_SALT = "sitefinder.investor-link.v2"
MAX_LINK_DAYS = 366
MAX_TOKEN_CHARS = 4000
_TOKEN_CHARS = re.compile(r"\.?[A-Za-z0-9_\-]+(\.[A-Za-z0-9_\-]+){2}")


def _serializer(secret: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret, salt=_SALT, signer_kwargs={"digest_method": hashlib.sha256})


def investor_link(state: ViewState, secret: str, *, expires: dt.date | None = None) -> dict[str, str]:
    """Query parameters of the read-only investor view of ``state``: ``view=investor`` and a token.

    The token is itsdangerous' timed, signed serialisation of the view's parameters (JSON) and its
    expiry: one signed byte string, so no part of it can be re-split, re-ordered or folded into a
    neighbouring parameter. Nothing outside the token is read when the link is opened.

    Parameters
    ----------
    state
        The view to share.
    secret
        The server's link secret.
    expires
        Last day the link is valid (None: valid for :data:`MAX_LINK_DAYS` days from signing).
    """
    payload = encode(replace(state, view="investor", expires=expires))
    return {"view": "investor", INVESTOR_TOKEN_KEY: _serializer(secret).dumps(payload)}


def is_investor_link(params: Mapping[str, str | list[str]]) -> bool:
    """True if ``params`` ask for the investor view (whether or not the link is valid)."""
    flat = {k: (v[-1] if isinstance(v, list) else v) for k, v in params.items()}
    return flat.get("view") == "investor" or INVESTOR_TOKEN_KEY in flat


def read_investor_link(params: Mapping[str, str | list[str]], secret: str, *,
                       today: dt.date | None = None) -> tuple[ViewState | None, str | None]:
    """The verified view of an investor link, or None and why the link is not valid.

    Only the signed token is read: the state comes from inside it, never from other parameters.
    Any change to the token (a character, a re-split, another secret, a malformed or non-ASCII
    string) makes it invalid.

    Parameters
    ----------
    params
        The page's query parameters.
    secret
        The server's link secret.
    today
        The date to check expiry against (default: today).

    Returns
    -------
    tuple
        ``(state, None)`` for a valid link, else ``(None, reason)``; the reason is one of the keys
        ``link_unsigned``, ``link_changed``, ``link_expired``.
    """
    flat = {k: (v[-1] if isinstance(v, list) else v) for k, v in params.items()}
    token = flat.get(INVESTOR_TOKEN_KEY)
    if not token:
        return None, "link_unsigned"
    if len(token) > MAX_TOKEN_CHARS or not _TOKEN_CHARS.fullmatch(token):
        # itsdangerous' base64 skips characters outside its alphabet: refuse them here instead.
        return None, "link_changed"
    try:
        payload = _serializer(secret).loads(token, max_age=MAX_LINK_DAYS * 86_400)
    except SignatureExpired:
        return None, "link_expired"
    except (BadData, UnicodeError, ValueError, TypeError):
        return None, "link_changed"
    if not isinstance(payload, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in payload.items()):
        return None, "link_changed"
    state, _ = decode(payload)
    if state.expires is not None and state.expires < (today or dt.date.today()):
        return None, "link_expired"
    return replace(state, view="investor"), None
