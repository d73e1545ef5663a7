"""Indicators and scores on the demo dataset, cross-checked against independent computations."""

from __future__ import annotations

import json

import networkx as nx
import numpy as np
import pytest

from analysis.profiles import CRITERIA, PROFILES
from layers.roads import drive_network, motorway_entries
from sites.dataset import load_dataset
from sites.indicators import cache_key, load_or_compute
from sites.scored import Filters, Scorer

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning", "ignore::RuntimeWarning")


@pytest.fixture(scope="module")
def ds():
    return load_dataset()


@pytest.fixture(scope="module")
def indicators(ds, tmp_path_factory):
    return load_or_compute(ds, cache_dir=tmp_path_factory.mktemp("cache"))


def test_car_times_equal_networkx_shortest_paths(ds, indicators):
    drive = drive_network(ds.roads)
    entries = set(motorway_entries(ds.roads)["node"])
    # Independent: networkx Dijkstra from all entries on the reversed graph (time *to* an entry).
    to_entry = nx.multi_source_dijkstra_path_length(drive.reverse(copy=True), entries, weight="travel_time")
    node_ids = list(ds.roads.nodes)
    sample = indicators.table.sample(40, random_state=3)
    for _, row in sample.iterrows():
        node = node_ids[int(row["car_snap_node"])]
        assert row["car_network_s"] == pytest.approx(to_entry[node], rel=1e-9)
    assert (indicators.table["car_min_to_junction"] < 15).all()


def test_cache_is_keyed_by_inputs_and_reused(ds, indicators, tmp_path):
    first = load_or_compute(ds, cache_dir=tmp_path)
    assert (tmp_path / cache_key(ds) / "indicators.parquet").exists()
    again = load_or_compute(ds, cache_dir=tmp_path)
    assert again.table.equals(first.table)
    meta = json.loads((tmp_path / cache_key(ds) / "meta.json").read_text())
    assert meta["inputs"]["roads"] == ds.checksums["roads"]
    stronger_decay = load_or_compute(ds, cache_dir=tmp_path, beta_per_min=0.1)
    assert (stronger_decay.table["labour_gravity_pt"] < first.table["labour_gravity_pt"]).all()


def test_indicators_are_plausible(ds, indicators):
    t = indicators.table
    new = ds.parcels["new_land"].to_numpy()
    # Södra Porten lies by Trafikplats Hallunda.
    assert set(t.loc[new, "nearest_junction"]) <= {"Hallunda"}
    assert t.loc[new, "car_min_to_junction"].median() < 4
    # Parcels next to Alby or Hallunda metro are within 600 m walk; Vårsta is far from the metro.
    vårsta = (ds.parcels["area_name"] == "Vårsta").to_numpy()
    assert t.loc[vårsta, "walk_m_to_rail_stop"].min() > 3000
    assert (t["walk_m_to_rail_stop"] < 600).sum() > 20
    # The 45-minute public-transport labour pool includes the local one (Botkyrka within 30 min).
    assert (t["residents_45min_pt"] >= t["local_hire_30min_botkyrka"]).all()
    assert (t["local_hire_30min_botkyrka"] >= t["local_hire_30min_alby"]).all()
    assert t["residents_30min_car"].max() <= ds.population.total()


def test_profile_and_weights_change_the_ranking_as_the_functions_say(ds, indicators):
    scorer = Scorer.build(ds.parcels, indicators.table, PROFILES["logistics"])
    base = scorer.score(robustness=False)
    top = base.top(5)
    assert set(top["nearest_junction"]) == {"Hallunda"}
    only_rail = scorer.score({"rail_stop": 1.0}, robustness=False)
    ranked = only_rail.frame[~only_rail.frame["excluded"]]
    assert ranked["walk_m_to_rail_stop"].is_monotonic_increasing or np.all(
        np.diff(ranked["value_rail_stop"].to_numpy()) <= 1e-12)
    contributions = base.frame[[f"contrib_{c}" for c in CRITERIA]].sum(axis=1)
    ok = ~base.frame["excluded"]
    assert np.allclose(contributions[ok], base.frame.loc[ok, "score"])
    assert base.frame.loc[base.frame["excluded"], "exclusion_reason"].notna().all()


def test_filters_narrow_and_rerank(ds, indicators):
    scorer = Scorer.build(ds.parcels, indicators.table, PROFILES["mixed_service"])
    everything = scorer.score(robustness=False).frame
    sp = scorer.score(filters=Filters(area_names=("Södra Porten",), municipal_only=True), robustness=False).frame
    assert 0 < len(sp) < len(everything)
    assert set(sp["area_name"]) == {"Södra Porten"}
    ranked = sp[~sp["excluded"]]
    assert sorted(ranked["rank"]) == list(range(1, len(ranked) + 1))


def test_sanity_jobs_on_new_land(ds, indicators):
    scorer = Scorer.build(ds.parcels, indicators.table, PROFILES["mixed_service"])
    jobs = scorer.table.loc[ds.parcels["new_land"].to_numpy(), "jobs_est"].sum()
    developable = indicators.table.loc[ds.parcels["new_land"].to_numpy(), "developable_m2"].sum()
    assert jobs == pytest.approx(developable * 0.5 / 45)


def test_swedish_scoring_explains_in_swedish(ds, indicators):
    scorer = Scorer.build(ds.parcels, indicators.table, PROFILES["logistics"])
    sv = scorer.score(lang="sv", robustness=False).frame
    en = scorer.score(lang="en", robustness=False).frame
    assert sv["excluded"].sum() > 0
    assert (sv["excluded"].to_numpy() == en["excluded"].to_numpy()).all(), "the language changes words, not results"
    for why in sv.loc[sv["excluded"], "explanation"]:
        assert why.startswith("utesluten: ") and " is " not in why and " not " not in why, why
    ranked = sv.loc[~sv["excluded"], "explanation"]
    assert ranked.str.contains("styrka|svaghet").all()
