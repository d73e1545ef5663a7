"""Indicators and scores on the demo dataset, cross-checked against independent computations."""

from __future__ import annotations

import json
import math

import networkx as nx
import numpy as np
import pytest

import sites.indicators
from analysis import congestion
from analysis.profiles import CRITERIA, PROFILES
from analysis.scoring import ScoringParams
from errors import ParameterError
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


def _weight_from_table(graph, period):
    """Edge cost written straight from the published table (independent of analysis.congestion's code)."""
    junction = {n for n in graph.nodes if len((set(graph.predecessors(n)) | set(graph.successors(n))) - {n}) >= 3}
    cx, cy = congestion.CITY_CENTRE_3006

    def zone(x, y):
        d = math.hypot(x - cx, y - cy)
        return "inner" if d <= 5000 else "suburb" if d <= 30000 else "outer"

    def weight(u, v, data):
        best = math.inf
        for d in data.values():
            hws = d["highway"] if isinstance(d["highway"], list) else [d["highway"]]
            kinds = {"motorway" if h.startswith(("motorway", "trunk")) else
                     "main" if h.startswith(("primary", "secondary")) else "local" for h in hws}
            klass = "local" if "local" in kinds else "main" if "main" in kinds else "motorway"
            z = zone((graph.nodes[u]["x"] + graph.nodes[v]["x"]) / 2, (graph.nodes[u]["y"] + graph.nodes[v]["y"]) / 2)
            factor = congestion.PEAK_FACTORS[(klass, z)][0] if period == "peak" else 1.0
            zv = zone(graph.nodes[v]["x"], graph.nodes[v]["y"])
            delay = congestion.JUNCTION_DELAY_S[zv][period == "peak"] if v in junction and klass != "motorway" else 0
            best = min(best, d["travel_time"] * factor + delay)
        return best

    return weight


@pytest.mark.parametrize("period", ["peak", "free_flow"])
def test_car_times_equal_networkx_shortest_paths(ds, indicators, period):
    drive = drive_network(ds.roads)
    entries = set(motorway_entries(ds.roads)["node"])
    # Independent: networkx Dijkstra from all entries on the reversed graph (time *to* an entry),
    # with edge costs from the congestion table.
    reverse = drive.reverse(copy=True)
    weight = _weight_from_table(drive, period)
    to_entry = nx.multi_source_dijkstra_path_length(reverse, entries, weight=lambda u, v, d: weight(v, u, d))
    node_ids = list(drive.nodes)  # matrix order: the car network's nodes (footway-only nodes are not in it)
    sample = indicators.table.sample(40, random_state=3)
    column = "car_min_to_junction" if period == "peak" else "car_min_to_junction_free_flow"
    for _, row in sample.iterrows():
        node = node_ids[int(row["car_snap_node"])]
        if period == "peak":
            assert row["car_network_s"] == pytest.approx(to_entry[node], rel=1e-9)
        leg_min = row["car_min_to_junction"] - row["car_network_s"] / 60
        assert row[column] == pytest.approx(to_entry[node] / 60 + leg_min, rel=1e-9)
    assert (indicators.table["car_min_to_junction_free_flow"] <= indicators.table["car_min_to_junction"]).all()


def test_cache_is_keyed_by_inputs_and_reused(ds, indicators, tmp_path):
    first = load_or_compute(ds, cache_dir=tmp_path)
    assert (tmp_path / cache_key(ds) / "indicators.parquet").exists()
    again = load_or_compute(ds, cache_dir=tmp_path)
    assert again.table.equals(first.table)
    meta = json.loads((tmp_path / cache_key(ds) / "meta.json").read_text())
    assert meta["inputs"]["roads"] == ds.checksums["roads"]
    stronger_decay = load_or_compute(ds, cache_dir=tmp_path, beta_per_min=0.1)
    assert (stronger_decay.table["labour_gravity_pt"] < first.table["labour_gravity_pt"]).all()


def test_large_dataset_path_streams_the_labour_pool_with_the_same_numbers(ds, indicators, tmp_path, monkeypatch):
    # Pretend the demo is too large to keep the public-transport catchment: the labour pools are
    # then streamed (no travel-time matrix) and must equal the matrix path's numbers.
    monkeypatch.setattr(sites.indicators, "MAX_CATCHMENT_CELLS", 0)
    streamed = load_or_compute(ds, cache_dir=tmp_path)
    assert streamed.pt_catchment is None
    assert not (tmp_path / cache_key(ds) / "pt_catchment.npz").exists()
    assert list(streamed.table.columns) == list(indicators.table.columns)
    counts = [c for c in streamed.table.columns if c.startswith(("residents_", "local_hire_"))]
    assert len(counts) >= 4
    for column in counts:
        assert streamed.table[column].equals(indicators.table[column]), column
    assert streamed.table["labour_gravity_pt"].to_numpy() == pytest.approx(
        indicators.table["labour_gravity_pt"].to_numpy(), rel=1e-9)
    # From the cache: the stored decay is served, another one is a clear error (no matrix to re-evaluate).
    again = load_or_compute(ds, cache_dir=tmp_path)
    assert again.table.equals(streamed.table) and again.gravity_beta_per_min == 0.05
    with pytest.raises(ParameterError, match=r"0\.05/min only, 0\.1/min was asked for"):
        load_or_compute(ds, cache_dir=tmp_path, beta_per_min=0.1)


def test_indicators_are_plausible(ds, indicators):
    t = indicators.table
    new = ds.parcels["new_land"].to_numpy()
    # Södra Porten lies by Trafikplats Hallunda.
    assert set(t.loc[new, "nearest_junction"]) <= {"Hallunda"}
    assert t.loc[new, "car_min_to_junction_free_flow"].median() < 4
    # Parcels next to Alby or Hallunda metro are within 600 m walk; Vårsta is far from the metro.
    vårsta = (ds.parcels["area_name"] == "Vårsta").to_numpy()
    assert t.loc[vårsta, "walk_m_to_rail_stop"].min() > 3000
    assert (t["walk_m_to_rail_stop"] < 600).sum() > 20
    # The 45-minute public-transport labour pool includes the local one (Botkyrka within 30 min).
    assert (t["residents_45min_pt"] >= t["local_hire_30min_botkyrka"]).all()
    assert (t["local_hire_30min_botkyrka"] >= t["local_hire_30min_alby"]).all()
    assert t["residents_30min_car"].max() <= ds.population.total()
    # Congestion shrinks the car pool; no parcel reaches the whole region in 30 minutes.
    assert (t["residents_30min_car"] <= t["residents_30min_car_free_flow"]).all()
    assert (t["residents_30min_car_free_flow"] < ds.population.total()).all()


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


@pytest.mark.parametrize("car_period", ["peak", "free_flow"])
def test_every_weighted_criterion_spreads_across_botkyrkas_parcels(ds, indicators, car_period):
    # Measure (issue 10): interquartile range of the 0-1 value >= 0.1 for every criterion that has
    # weight in any profile, over all of Botkyrka's parcels.
    assert (ds.parcels["kommunkod"] == "0127").all()
    params = ScoringParams(car_period=car_period)
    for profile in PROFILES.values():
        values = Scorer.build(ds.parcels, indicators.table, profile, params).values
        for row, criterion in enumerate(CRITERIA):
            if profile.weights[criterion] > 0:
                q1, q3 = np.percentile(values[row], [25, 75])
                assert q3 - q1 >= 0.1, (profile.key, criterion, car_period, q1, q3)


def test_no_parcel_reaches_the_whole_population_by_car(ds, indicators):
    t = indicators.table
    total = ds.population.total()
    assert (t["residents_30min_car"] < total).all()
    assert (t["residents_30min_car_free_flow"] < total).all()
    # The pools differ between the business areas (Fittja by the motorway vs Vårsta far out).
    by_area = t["residents_30min_car"].groupby(ds.parcels["area_name"]).median()
    assert by_area["Fittja"] > 1.5 * by_area["Vårsta"]


def test_car_period_switch_scores_free_flow_times(ds, indicators):
    peak = Scorer.build(ds.parcels, indicators.table, PROFILES["logistics"])
    free = Scorer.build(ds.parcels, indicators.table, PROFILES["logistics"], ScoringParams(car_period="free_flow"))
    assert (free.table["car_min_to_junction"] == indicators.table["car_min_to_junction_free_flow"]).all()
    assert (peak.table["car_min_to_junction"] == indicators.table["car_min_to_junction"]).all()
    motorway = CRITERIA.index("motorway")
    assert (free.values[motorway] >= peak.values[motorway]).all()
    assert (free.values[motorway] > peak.values[motorway]).any()
    with pytest.raises(ParameterError):
        ScoringParams(car_period="rush")
