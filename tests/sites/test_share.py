"""Share links: every state survives encode/decode; bad values are dropped with notices; signatures hold."""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.profiles import CRITERIA, PROFILES
from sites.share import ALL_LAYERS, PLAN_STATUSES, ViewState, decode, encode, investor_link, sign, verify

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
                     "unknown criterion 'beauty'", "zoom '99'", "map centre", "plot area '-5'", "['maybe']",
                     "expiry date"):
        assert fragment in joined, fragment
    assert len(notes) == 9  # utm_source is not ours: ignored silently


def test_signed_links_refuse_any_change_and_expire():
    secret = "s3cret"
    params = investor_link(ViewState(selected="abc", compare=("abc", "def")), secret, expires=dt.date(2027, 1, 31))
    assert params["view"] == "investor"
    assert verify(params, secret, today=dt.date(2027, 1, 31)) is None
    assert verify(params, secret, today=dt.date(2027, 2, 1)) == "the link has expired"
    assert verify(params, "other secret", today=dt.date(2027, 1, 1)) == "the link has been changed or was not made here"
    for key, value in (("sel", "xyz"), ("view", "officer"), ("exp", "2030-01-01"), ("l", "premises")):
        tampered = {**params, key: value}
        assert verify(tampered, secret, today=dt.date(2027, 1, 1)) is not None, key
    dropped = {k: v for k, v in params.items() if k != "exp"}
    assert verify(dropped, secret, today=dt.date(2027, 1, 1)) is not None
    assert verify({k: v for k, v in params.items() if k != "sig"}, secret) == "the link is not signed"


@given(states, st.text(min_size=1, max_size=20))
@settings(max_examples=100, deadline=None)
def test_signature_verifies_for_any_state(state, secret):
    params = sign(encode(state), secret)
    assert verify(params, secret, today=dt.date(2000, 1, 1)) is None
