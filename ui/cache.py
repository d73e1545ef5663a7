"""What the app keeps in memory per dataset, and for how long.

Everything derived from a dataset (indicators, scorers, scores, map layers, isochrones) lives in
one :class:`DatasetCache` with bounded memo tables.

- The shipped dataset's cache is kept for the life of the server.
- A cache for uploaded data lives in a server-side table bounded by count (``max_uploaded``) and
  idle time (``idle_s``, ``SITEFINDER_UPLOAD_IDLE_S``, 15 min by default): any script run sweeps
  out the caches nobody used for longer, so the memory of sessions that ended is given back
  whether or not Streamlit has dropped those sessions yet (it keeps a closed session for
  ``server.disconnectedSessionTTL`` and forgets it lazily). A session whose cache was swept gets
  it rebuilt from its uploaded files (kept on disk by :class:`UploadStore`, not in memory).
- After a sweep the C allocator is asked to hand free memory back to the system
  (``malloc_trim``), so the server's resident memory returns near its baseline.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import gc
import logging
import os
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)
UPLOAD_IDLE_S = float(os.environ.get("SITEFINDER_UPLOAD_IDLE_S", "900"))
MAX_UPLOADED_CACHES = int(os.environ.get("SITEFINDER_MAX_UPLOADED_CACHES", "4"))


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
        self.last_used = time.monotonic()
        self._tables: dict[str, OrderedDict[Hashable, Any]] = {}
        self._lock = threading.RLock()
        self._building: dict[tuple[str, Hashable], threading.Lock] = {}
        self._background: set[tuple[str, Hashable]] = set()

    def memo(self, table: str, args: Hashable, build: Callable[[], Any], *, max_entries: int = 16,
             long_lived: bool = False) -> Any:
        """The value for ``args`` in ``table``, built once (least recently used dropped past ``max_entries``).

        Builds run outside the table lock: a slow build (the networks, built in the background
        while the map is already on screen) blocks only those who want the same value, not every
        other memo of the dataset. A ``long_lived`` value (kept as long as the dataset: indicators,
        networks, static layers) is moved out of the garbage collector's way once built
        (:func:`freeze_heap`).
        """
        with self._lock:
            self.last_used = time.monotonic()
            entries = self._tables.setdefault(table, OrderedDict())
            if args in entries:
                entries.move_to_end(args)
                return entries[args]
            building = self._building.setdefault((table, args), threading.Lock())
        with building:
            with self._lock:
                if args in entries:
                    return entries[args]
            try:
                value = build()
            finally:
                with self._lock:
                    self._building.pop((table, args), None)
            with self._lock:
                entries[args] = value
                while len(entries) > max_entries:
                    entries.popitem(last=False)
            if long_lived:
                freeze_heap()
            return value

    def memo_in_background(self, table: str, args: Hashable, build: Callable[[], Any], *,
                           max_entries: int = 16, long_lived: bool = False) -> bool:
        """Start building ``memo(table, args, build)`` in a daemon thread, once; True if a thread was started.

        A later ``memo`` of the same value waits for that build instead of starting another.
        """
        with self._lock:
            if args in self._tables.get(table, {}) or (table, args) in self._background:
                return False
            self._background.add((table, args))
        threading.Thread(target=self.memo, args=(table, args, build),
                         kwargs={"max_entries": max_entries, "long_lived": long_lived},
                         name=f"{table}-{self.key}", daemon=True).start()
        return True

    def has(self, table: str, args: Hashable) -> bool:
        """Whether ``table`` holds a value for ``args`` (no build)."""
        with self._lock:
            return args in self._tables.get(table, {})

    def sizes(self) -> dict[str, int]:
        """Entries per table (for tests and diagnostics)."""
        with self._lock:
            return {name: len(entries) for name, entries in self._tables.items()}


class CacheTable:
    """The server's dataset caches: pinned ones, and uploaded ones bounded by count and idle time."""

    def __init__(self, *, idle_s: float = UPLOAD_IDLE_S, max_uploaded: int = MAX_UPLOADED_CACHES) -> None:
        self.idle_s = idle_s
        self.max_uploaded = max_uploaded
        self._pinned: dict[str, DatasetCache] = {}
        self._uploaded: OrderedDict[str, DatasetCache] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str, load: Callable[[], Any], *, pinned: bool, now: float | None = None) -> DatasetCache:
        """The cache of dataset ``key``, loading the dataset with ``load`` if it is not held."""
        self.sweep(now)
        with self._lock:
            cache = self._pinned.get(key) or self._uploaded.get(key)
            loaded = cache is None
            if loaded:
                cache = DatasetCache(key, load())
                (self._pinned if pinned else self._uploaded)[key] = cache
            if not pinned:
                self._uploaded.move_to_end(key)
                cache.last_used = time.monotonic() if now is None else now
            dropped = self._evict_over_count()
        if dropped:
            release_memory()  # collects and freezes too
        elif loaded:
            freeze_heap()
        return cache

    def sweep(self, now: float | None = None) -> list[str]:
        """Drop uploaded caches idle for longer than ``idle_s``; returns their keys."""
        now = time.monotonic() if now is None else now
        with self._lock:
            idle = [k for k, c in self._uploaded.items() if now - c.last_used > self.idle_s]
            for k in idle:
                del self._uploaded[k]
        if idle:
            log.info("dataset caches %s freed (idle)", idle)
            release_memory()
        return idle

    def keys(self) -> list[str]:
        """Keys of the caches held now."""
        with self._lock:
            return sorted({*self._pinned, *self._uploaded})

    def _evict_over_count(self) -> list[str]:
        dropped = []
        while len(self._uploaded) > self.max_uploaded:
            key, _ = self._uploaded.popitem(last=False)
            dropped.append(key)
        return dropped


class UploadStore:
    """Uploaded files on disk by checksum (not in server memory), removed when idle like the caches."""

    def __init__(self, folder: Path, *, idle_s: float = UPLOAD_IDLE_S) -> None:
        self.folder = Path(folder)
        self.idle_s = idle_s

    def put(self, data: bytes, digest: str) -> None:
        """Keep ``data`` under ``digest`` (owner-only permissions)."""
        self.folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        path = self.folder / digest
        if not path.exists():
            tmp = path.with_suffix(".part")
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
            tmp.replace(path)
        path.touch()

    def get(self, digest: str) -> bytes | None:
        """The file's bytes, or None if it was removed."""
        path = self.folder / digest
        if not path.is_file():
            return None
        path.touch()
        return path.read_bytes()

    def sweep(self, now: float | None = None) -> int:
        """Remove files not used for longer than ``idle_s``; returns how many."""
        now = time.time() if now is None else now
        removed = 0
        for path in self.folder.glob("*") if self.folder.is_dir() else []:
            with contextlib.suppress(OSError):
                if now - path.stat().st_mtime > self.idle_s:
                    path.unlink()
                    removed += 1
        return removed


def freeze_heap() -> None:
    """Collect garbage, then exempt every object alive now from later collections (``gc.freeze``).

    The app holds millions of long-lived objects (dataset, networks, indicator tables); left in
    the oldest generation, each full collection walked all of them: ~250 ms on nearly every script
    run, measured with ``gc.callbacks`` on the demo. Frozen objects are still freed when their
    last reference goes; :func:`release_memory` unfreezes them first, so that cycles among
    dropped ones are found too.
    """
    gc.collect()
    gc.freeze()


def release_memory() -> None:
    """Collect garbage and ask glibc to return freed heap memory to the system (no-op elsewhere)."""
    gc.unfreeze()
    freeze_heap()
    name = ctypes.util.find_library("c")
    if not name:
        return
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(name).malloc_trim(0)
