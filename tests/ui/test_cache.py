"""Issue 9, case 6: the server's dataset caches are bounded by count and idle time; uploads live on disk."""

from __future__ import annotations

import gc
import os
import stat
import time
import weakref

from ui.cache import CacheTable, DatasetCache, UploadStore, release_memory


def test_uploaded_caches_are_swept_when_idle_and_pinned_ones_stay():
    table = CacheTable(idle_s=60, max_uploaded=4)
    loads = []
    table.get("demo", lambda: loads.append("demo") or "demo data", pinned=True, now=0.0)
    table.get("u1", lambda: loads.append("u1") or "upload 1", pinned=False, now=0.0)
    table.get("u2", lambda: loads.append("u2") or "upload 2", pinned=False, now=50.0)
    assert table.keys() == ["demo", "u1", "u2"]
    table.get("demo", lambda: "never loaded again", pinned=True, now=100.0)  # any run sweeps
    assert table.keys() == ["demo", "u2"]
    assert table.sweep(now=200.0) == ["u2"] and table.keys() == ["demo"]
    assert loads == ["demo", "u1", "u2"]


def test_at_most_max_uploaded_caches_least_recently_used_out():
    table = CacheTable(idle_s=1e9, max_uploaded=2)
    for i in range(3):
        table.get(f"u{i}", lambda i=i: i, pinned=False, now=float(i))
    table.get("u1", lambda: "x", pinned=False, now=5.0)  # used again: stays
    table.get("u3", lambda: 3, pinned=False, now=6.0)
    assert table.keys() == ["u1", "u3"]


def test_memo_tables_are_bounded():
    table = CacheTable()
    cache = table.get("demo", lambda: "data", pinned=True)
    for i in range(40):
        cache.memo("scored", i, lambda i=i: i * i, max_entries=32)
    assert cache.sizes() == {"scored": 32}
    assert cache.memo("scored", 39, lambda: "rebuilt") == 39 * 39
    assert cache.memo("scored", 0, lambda: "rebuilt") == "rebuilt"


def test_upload_store_keeps_files_on_disk_for_the_owner_and_sweeps_idle_ones(tmp_path):
    store = UploadStore(tmp_path / "uploads", idle_s=60)
    store.put(b"parcels", "abc")
    assert store.get("abc") == b"parcels"
    assert stat.S_IMODE((tmp_path / "uploads" / "abc").stat().st_mode) == 0o600
    old = time.time() - 3600
    os.utime(tmp_path / "uploads" / "abc", (old, old))
    assert store.sweep() == 1 and store.get("abc") is None


def test_a_background_build_runs_once_and_memo_waits_for_it():
    import threading

    cache = DatasetCache("k", dataset=None)
    release, calls = threading.Event(), []

    def build():
        calls.append(1)
        release.wait(5)
        return object()

    assert cache.memo_in_background("networks", (), build) is True
    assert cache.memo_in_background("networks", (), build) is False, "started once"
    deadline = time.time() + 5
    while not calls and time.time() < deadline:  # the thread has started building
        time.sleep(0.01)
    assert not cache.has("networks", ())
    release.set()
    value = cache.memo("networks", (), build)  # waits for the background build, does not build again
    assert cache.memo("networks", (), build) is value
    assert calls == [1]
    assert cache.memo_in_background("networks", (), build) is False, "already held"


class _Node:
    """An object in a reference cycle: only the cycle collector can free it."""

    def __init__(self) -> None:
        self.me = self


def test_long_lived_values_leave_the_collectors_way_and_are_still_freed_after_release():
    try:
        cache = DatasetCache("d", None)
        value = cache.memo("networks", (), _Node, long_lived=True)
        # Frozen: a full collection no longer walks it (the ~250 ms per script run it cost).
        assert gc.get_freeze_count() > 0
        assert not any(o is value for o in gc.get_objects(generation=2))
        gone = weakref.ref(value)
        del value
        cache._tables.clear()  # the dataset's cache dropped (as when an uploaded dataset is swept)
        gc.collect()
        assert gone() is not None  # a frozen cycle survives an ordinary collection ...
        release_memory()
        assert gone() is None  # ... and is found when the caches give memory back
    finally:
        gc.unfreeze()
