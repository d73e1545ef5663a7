"""What the app keeps in memory per dataset, and for how long.

Everything derived from a dataset (indicators, scorers, scores, map layers, isochrones) lives in
one :class:`DatasetCache` with bounded memo tables. The demo dataset's cache is kept for the life
of the server; a cache for uploaded data is held by the sessions that use it (in their session
state) and only weakly by the server, so it is freed when the last of those sessions ends
(Streamlit drops a closed session's state after ``server.disconnectedSessionTTL``). After a cache
is freed the C allocator is asked to hand free memory back to the system (``malloc_trim``), so the
server's resident memory returns near its baseline.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import gc
import logging
import threading
import weakref
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any

log = logging.getLogger(__name__)


class DatasetCache:
    """Bounded memo tables for one dataset.

    Parameters
    ----------
    key
        The dataset's key (checksums of its inputs).
    dataset
        The loaded dataset.
    """

    def __init__(self, key: str, dataset: Any) -> None:
        self.key = key
        self.dataset = dataset
        self._tables: dict[str, OrderedDict[Hashable, Any]] = {}
        self._lock = threading.RLock()

    def memo(self, table: str, args: Hashable, build: Callable[[], Any], *, max_entries: int = 16) -> Any:
        """The value for ``args`` in ``table``, built once (least recently used dropped past ``max_entries``)."""
        with self._lock:
            entries = self._tables.setdefault(table, OrderedDict())
            if args in entries:
                entries.move_to_end(args)
                return entries[args]
            value = build()
            entries[args] = value
            while len(entries) > max_entries:
                entries.popitem(last=False)
            return value

    def sizes(self) -> dict[str, int]:
        """Entries per table (for tests and diagnostics)."""
        with self._lock:
            return {name: len(entries) for name, entries in self._tables.items()}


_pinned: dict[str, DatasetCache] = {}
_live: weakref.WeakValueDictionary[str, DatasetCache] = weakref.WeakValueDictionary()
_lock = threading.Lock()


def dataset_cache(key: str, load: Callable[[], Any], *, pinned: bool) -> DatasetCache:
    """The cache of dataset ``key``, loading the dataset with ``load`` if no session holds it.

    Parameters
    ----------
    key
        Dataset key.
    load
        Loads the dataset (called at most once while a cache for ``key`` is alive).
    pinned
        Keep it for the server's life (the shipped dataset) rather than only while sessions hold it.
    """
    with _lock:
        cache = _pinned.get(key) or _live.get(key)
        if cache is None:
            cache = DatasetCache(key, load())
            if pinned:
                _pinned[key] = cache
            else:
                _live[key] = cache
                weakref.finalize(cache, _release, key)
        return cache


def live_keys() -> list[str]:
    """Keys of the caches alive now (pinned and held by sessions)."""
    with _lock:
        return sorted({*_pinned, *_live.keys()})


def _release(key: str) -> None:
    log.info("dataset cache %s freed (no session uses it)", key)
    gc.collect()
    trim_memory()


def trim_memory() -> None:
    """Ask glibc to return freed heap memory to the system (no-op elsewhere)."""
    name = ctypes.util.find_library("c")
    if not name:
        return
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(name).malloc_trim(0)
