"""The isochrone set shared by the app and the command line, on the demo data."""

from __future__ import annotations

import pytest

from errors import ParameterError
from sites.dataset import load_dataset
from sites.indicators import build_networks
from sites.isochrones import site_isochrones


@pytest.fixture(scope="module")
def demo():
    ds = load_dataset()
    return ds, build_networks(ds)


def test_four_areas_with_stable_keys_and_labels_in_the_language(demo):
    ds, nets = demo
    pid = ds.parcels.loc[ds.parcels["designation"] == "Eriksberg 3:10", "parcel_id"].iloc[0]
    sv = site_isochrones(ds, pid, nets, lang="sv")
    en = site_isochrones(ds, pid, nets, lang="en")
    assert list(sv["key"]) == ["car 10 min", "car 20 min", "car 30 min", "public transport 45 min"]
    assert list(sv["label"]) == ["bil 10 min", "bil 20 min", "bil 30 min", "kollektivt 45 min"]
    assert list(en["label"]) == ["car 10 min", "car 20 min", "car 30 min", "public transport 45 min"]
    assert sv.crs.to_epsg() == 3006
    centre = ds.parcels.loc[ds.parcels["parcel_id"] == pid].geometry.iloc[0].centroid
    assert all(geom.buffer(1).contains(centre) for geom in sv.geometry), "each area holds its start"
    car = sv[sv["mode"] == "car"].geometry.to_list()
    # a longer drive reaches at least what a shorter one does (5 % slack for simplified edges)
    assert car[0].difference(car[1]).area < 0.05 * car[0].area
    assert car[1].difference(car[2]).area < 0.05 * car[1].area
    assert car[0].area < car[1].area < car[2].area


def test_unknown_parcel_is_refused(demo):
    ds, nets = demo
    with pytest.raises(ParameterError, match="'nope' is not in the dataset"):
        site_isochrones(ds, "nope", nets)
