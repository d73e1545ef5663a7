"""Back-off and lockout after failed sign-ins, per browser session and per address (no Streamlit here).

After ``free_attempts`` failures a key (``ip:...`` or ``session:...``) must wait
``base_delay_s * 2**k`` seconds before the next attempt is even checked (k = failures beyond the
free ones), capped at ``max_delay_s``; after ``lockout_after`` failures it is locked for
``lockout_s``. An attempt made while waiting is refused without looking at the password (and
counts as a failure), so a guesser cannot find the right one by trying on. A success clears the
session's count (an address keeps its count: another session from it may be the guesser). The
table is bounded (oldest keys dropped first), so a flood of addresses cannot grow memory.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass, field


@dataclass
class SignInThrottle:
    """Failure counts and the wait they impose.

    Attributes
    ----------
    free_attempts
        Failures allowed before any wait.
    base_delay_s, max_delay_s
        First wait and its cap (doubling in between).
    lockout_after, lockout_s
        Failures after which the key is locked, and for how long.
    max_keys
        Most keys remembered.
    """

    free_attempts: int = 5
    base_delay_s: float = 2.0
    max_delay_s: float = 300.0
    lockout_after: int = 20
    lockout_s: float = 3600.0
    max_keys: int = 10_000
    _failures: OrderedDict[str, tuple[int, float]] = field(default_factory=OrderedDict, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def wait_s(self, keys: Iterable[str], now: float | None = None) -> float:
        """Seconds until any of ``keys`` may try again (0 = now)."""
        now = time.monotonic() if now is None else now
        with self._lock:
            waits = [self._until(*self._failures[k]) - now for k in keys if k in self._failures]
        return max([0.0, *waits])

    def failed(self, keys: Iterable[str], now: float | None = None) -> None:
        """Count a failed attempt for each of ``keys``."""
        now = time.monotonic() if now is None else now
        with self._lock:
            for k in keys:
                count, _ = self._failures.pop(k, (0, now))
                self._failures[k] = (count + 1, now)
            while len(self._failures) > self.max_keys:
                self._failures.popitem(last=False)

    def succeeded(self, keys: Iterable[str]) -> None:
        """Forget the failures of ``keys``."""
        with self._lock:
            for k in keys:
                self._failures.pop(k, None)

    def failures(self, key: str) -> int:
        """Failures counted for ``key``."""
        with self._lock:
            return self._failures.get(key, (0, 0.0))[0]

    def _until(self, count: int, last: float) -> float:
        if count >= self.lockout_after:
            return last + self.lockout_s
        if count < self.free_attempts:
            return last
        return last + min(self.base_delay_s * 2 ** (count - self.free_attempts), self.max_delay_s)
