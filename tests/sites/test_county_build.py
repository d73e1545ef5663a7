"""A small synthetic county in the real download formats (PBF, GTFS zip, Lantmäteriet-style
GeoPackage, SCB CSV) through ``dataset build``: the same path the county benchmark measures."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest

from benchmarks.county import write_county
from layers.roads import drive_network
from sites.dataset import open_dataset
from sites.dataset_build import BuildInputs, build_dataset
from sites.indicators import load_or_compute

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning", "ignore::RuntimeWarning")
SIDE = 30


@pytest.fixture(scope="module")
def county(tmp_path_factory):
    folder = tmp_path_factory.mktemp("county")
    files = write_county(folder, side=SIDE, stops=200, stop_times=30_000, parcels=1200, premises=100)
    manifest = build_dataset(BuildInputs(municipality_code="0127", **files), folder / "ds")
    return folder / "ds", manifest


def test_pbf_county_network_counts(county):
    folder, manifest = county
    ds = open_dataset(folder)
    drive = drive_network(ds.roads)
    # Intersections of the grid, the motorway's own nodes, and curve nodes where a footway joins
    # (every 3rd row x every 7th column); footway ends, buildings and land use are not car nodes.
    footway_joins = len(range(0, SIDE - 1, 3)) * len(range(0, SIDE - 1, 7))
    assert drive.number_of_nodes() == SIDE * SIDE + SIDE + footway_joins
    assert nx.is_strongly_connected(drive)
    assert manifest["layers"]["parcels"]["features"] == 1200
    assert manifest["layers"]["transit"]["stop_times"] == 30_000


def test_every_parcel_gets_a_finite_car_time(county):
    folder, _ = county
    ds = open_dataset(folder)
    table = load_or_compute(ds, cache_dir=folder / "indicators").table
    assert np.isfinite(table["car_min_to_junction"].to_numpy(dtype=float)).all()
    assert ds.parcels["designation"].str.match(r"^Trakt\d+ \d+:\d+$").all()
