"""Share links: every state survives encode/decode; bad values are dropped with notices; signatures hold."""

from __future__ import annotations

import dataclasses
import datetime as dt
from urllib.parse import parse_qsl, urlencode

from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.profiles import CRITERIA, PROFILES
from sites.share import ALL_LAYERS, PLAN_STATUSES, ViewState, decode, encode, investor_link, read_investor_link

ids = st.text(alphabet="abcdef0123456789-", min_size=1, max_size=36)
states = st.builds(
    ViewState,
    profile=st.sampled_from(list(PROFILES)),
    weights=st.dictionaries(st.sampled_from(CRITERIA), st.integers(0, 20).map(lambda i: i / 20), max_size=8),
    min_area_m2=st.integers(0, 50).map(lambda i: i * 500.0),
    max_area_m2=st.one_of(st.none(), st.integers(51, 2000).map(lambda i: i * 500.0)),
    plan_statuses=st.lists(st.sampled_from(PLAN_STATUSES), unique=True).map(tuple),
    categories=st.lists(st.sampled_from(["Verksamheter", "Stadsbygd", "Landsbygd"]), unique=True).map(tuple),
    municipal_only=st.booleans(), vacant_only=st.booleans(), area=st.sampled_from(["all", "sp"]),
    selected=st.one_of(st.none(), ids), compare=st.lists(ids, max_size=4, unique=True).map(tuple),
    center=st.tuples(st.integers(-900_000, 900_000).map(lambda i: i / 10_000),
                     st.integers(-1_800_000, 1_800_000).map(lambda i: i / 10_000)),
    zoom=st.integers(3, 19), layers=st.frozensets(st.sampled_from(ALL_LAYERS)), lang=st.sampled_from(["sv", "en"]),
    view=st.sampled_from(["officer", "investor"]),
    expires=st.one_of(st.none(), st.dates(dt.date(2026, 1, 1), dt.date(2030, 12, 31))),
)


@settings(max_examples=300, deadline=None)
@given(states)
def test_every_state_round_trips(state):
    decoded, notes = decode(encode(state))
    assert notes == []
    assert decoded == state


def test_defaults_make_an_empty_link_and_changes_stay_short():
    assert encode(ViewState()) == {}
    base = PROFILES["office"].weights["rail_stop"]
    state = ViewState(profile="office", weights={**PROFILES["office"].weights, "rail_stop": base + 0.1})
    assert encode(state) == {"p": "office", "w": f"rail_stop:{base + 0.1:g}"}


def test_bad_values_are_dropped_with_a_notice():
    state, notes = decode({"p": "spaceport", "w": "motorway:abc,jobs:1e9,beauty:0.5,rail_stop:0.4", "z": "99",
                           "c": "north,south", "amin": "-5", "ps": "adopted,maybe", "exp": "soon", "utm_source": "x"})
    assert state.profile == "logistics" and state.weights == {"rail_stop": 0.4} and state.zoom == 14
    assert state.plan_statuses == ("adopted",) and state.min_area_m2 == 0 and state.expires is None
    joined = " | ".join(notes)
    for fragment in ("unknown profile 'spaceport'", "weight 'abc' for motorway", "weight '1e9' for jobs",
                     "unknown criterion 'beauty'", "zoom '99'", "map centre", "plot area '-5'", "'maybe'",
                     "expiry date"):
        assert fragment in joined, fragment
    assert len(notes) == 9  # utm_source is not ours: ignored silently


def _query(params: dict[str, str]) -> str:
    return urlencode(params)


def test_signed_links_verify_refuse_another_secret_and_expire():
    secret = "s3cret"
    state = ViewState(selected="abc", compare=("abc", "def"), profile="office")
    params = investor_link(state, secret, expires=dt.date(2027, 1, 31))
    assert set(params) == {"view", "t"} and params["view"] == "investor"
    verified, reason = read_investor_link(params, secret, today=dt.date(2027, 1, 31))
    assert reason is None
    assert (verified.selected, verified.compare, verified.profile, verified.view) == ("abc", ("abc", "def"),
                                                                                      "office", "investor")
    assert read_investor_link(params, secret, today=dt.date(2027, 2, 1)) == (None, "link_expired")
    assert read_investor_link(params, "other secret", today=dt.date(2027, 1, 1)) == (None, "link_changed")
    assert read_investor_link({"view": "investor"}, secret) == (None, "link_unsigned")


def test_case1_expired_link_cannot_be_revived_by_folding_parameters():
    """The old format signed 'k=v&k=v': an expired link's exp could be folded into a neighbour."""
    secret = "s3cret"
    params = investor_link(ViewState(selected="abc", lang="en"), secret, expires=dt.date(2026, 9, 30))
    today = dt.date(2026, 11, 29)
    assert read_investor_link(params, secret, today=today) == (None, "link_expired")
    token = params["t"]
    for forged in ({"view": "investor", "t": token, "exp": "2030-01-01"},
                   {"view": "investor", "t": token + "&exp=2030-01-01"},
                   {"view": "investor", "t": token, "lang": "en&exp=2030-01-01"},
                   {"view": "investor", "t": token.replace(".", "%2E", 1)},
                   dict(parse_qsl(_query(params).replace("&t=", "&exp%3D2030-01-01%26t=")))):
        assert read_investor_link(forged, secret, today=today)[0] is None, forged


def test_case2_only_the_token_is_read():
    """Parameters beside the token (sel, p, l, ...) never change what the investor sees."""
    secret = "s3cret"
    params = investor_link(ViewState(selected="abc"), secret)
    state, _ = read_investor_link({**params, "sel": "secret-parcel", "p": "office", "l": "premises",
                                   "cmp": "x,y"}, secret)
    assert state.selected == "abc" and state.profile == "logistics" and state.compare == ()
    assert "premises" not in state.layers


def test_case5_malformed_and_non_ascii_tokens_are_invalid_not_errors():
    secret = "s3cret"
    good = investor_link(ViewState(selected="abc"), secret)["t"]
    for bad in ("ä", "é" * 50, good + "ö", "🙂.🙂.🙂", "a.b.c", ".", "", " ", good[:-5], "\x00" + good,
                good.replace(good[:10], "Ωmega" * 2, 1)):
        state, reason = read_investor_link({"view": "investor", "t": bad}, secret)
        assert state is None and reason in ("link_changed", "link_unsigned"), bad


edits = st.one_of(
    st.tuples(st.just("replace"), st.integers(0, 10_000), st.characters(codec="ascii")),
    st.tuples(st.just("insert"), st.integers(0, 10_000), st.characters(codec="ascii")),
    st.tuples(st.just("delete"), st.integers(0, 10_000), st.just("")),
    st.tuples(st.just("swap"), st.integers(0, 10_000), st.just("")),
)


@settings(max_examples=300, deadline=None)
@given(states, st.lists(edits, min_size=1, max_size=4))
def test_no_edit_of_a_signed_link_verifies_with_another_state(state, changes):
    """Edit the link's query string anywhere (token, separators, keys, values, re-splits): it either
    fails to verify or reproduces exactly the signed state."""
    secret = "s3cret"
    today = dt.date(2000, 1, 1)
    params = investor_link(state, secret, expires=dt.date(2031, 1, 1))
    signed, _ = read_investor_link(params, secret, today=today)
    query = _query(params)
    for kind, pos, ch in changes:
        i = pos % (len(query) + (kind == "insert"))
        if kind == "replace":
            query = query[:i] + ch + query[i + 1:]
        elif kind == "insert":
            query = query[:i] + ch + query[i:]
        elif kind == "delete":
            query = query[:i] + query[i + 1:]
        elif i + 1 < len(query):
            query = query[:i] + query[i + 1] + query[i] + query[i + 2:]
    verified, _ = read_investor_link(dict(parse_qsl(query, keep_blank_values=True)), secret, today=today)
    assert verified is None or verified == signed


@settings(max_examples=150, deadline=None)
@given(states, st.text(min_size=1, max_size=20))
def test_any_state_round_trips_through_a_signed_link(state, secret):
    params = investor_link(state, secret)
    verified, reason = read_investor_link(params, secret, today=dt.date(2000, 1, 1))
    assert reason is None
    assert verified == dataclasses.replace(state, view="investor", expires=None)
