"""The networks on disk: read back they route exactly as built; a broken file is rebuilt."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.sparse.csgraph import dijkstra

import sites.network_cache as network_cache
from sites.dataset import load_dataset
from sites.indicators import cache_key


@pytest.fixture(scope="module")
def ds():
    return load_dataset()


def test_networks_read_back_route_like_the_built_ones(ds, tmp_path, monkeypatch):
    built = network_cache.load_or_build_networks(ds, cache_dir=tmp_path)
    path = tmp_path / cache_key(ds) / network_cache.NETWORKS_FILE
    assert path.exists()
    calls = []
    monkeypatch.setattr(network_cache, "build_networks", lambda d: calls.append(d))
    read = network_cache.load_or_build_networks(ds, cache_dir=tmp_path)
    assert calls == [], "the second call reads the file instead of building"
    for a, b in ((built.drive, read.drive), (built.walk_m, read.walk_m), (built.pt.network, read.pt.network)):
        assert (a.matrix != b.matrix).nnz == 0
        np.testing.assert_array_equal(dijkstra(a.matrix, indices=0, limit=600), dijkstra(b.matrix, indices=0,
                                                                                          limit=600))
    assert read.service_date == built.service_date


def test_a_broken_cache_file_is_rebuilt(ds, tmp_path):
    path = tmp_path / cache_key(ds) / network_cache.NETWORKS_FILE
    path.parent.mkdir(parents=True)
    path.write_bytes(b"not a pickle")
    nets = network_cache.load_or_build_networks(ds, cache_dir=tmp_path)
    assert nets.drive.size > 1000
    assert path.read_bytes() != b"not a pickle"
