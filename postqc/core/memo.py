"""A per-process memo in front of the shared cache, for the small lookups every hot request repeats.

Every practice or competition answer looks up the same few things: the question with its current
version, the clauses it tests, the person's unit's ancestors, the unit's learning rules. Asking the
shared cache for them (Redis in production) costs a round trip and an unpickle each, more than the
answer's own database work. A `LocalMemo` keeps such a value in the process for `ttl` seconds.

The price is staleness, bounded by `ttl`: whoever changes the underlying rows forgets the key here
(in this process, at once, with `forget`) and in the shared cache; the other processes see the change
when their copy expires. Each memo says in its definition why its `ttl` is acceptable.

Values are shared by the process's threads: treat them as read-only. `None` is never memoised (a
lookup that found nothing is asked again next time).
"""
from __future__ import annotations

import threading
import time
import weakref
from collections.abc import Callable, Hashable
from typing import Any

_memos: weakref.WeakSet[LocalMemo] = weakref.WeakSet()


class LocalMemo:
    def __init__(self, name: str, *, ttl: float, maxsize: int = 20_000):
        self.name = name
        self.ttl = ttl
        self.maxsize = maxsize
        self._data: dict[Hashable, tuple[float, Any]] = {}
        self._lock = threading.Lock()
        _memos.add(self)

    def get(self, key: Hashable, load: Callable[[], Any]) -> Any:
        """The memoised value of `key`, or `load()` (memoised unless None)."""
        entry = self._data.get(key)
        now = time.monotonic()
        if entry is not None and entry[0] > now:
            return entry[1]
        value = load()
        if value is not None:
            self.put(key, value)
        return value

    def peek(self, key: Hashable) -> Any:
        """The memoised value of `key`, or None (never memoised, or expired)."""
        entry = self._data.get(key)
        if entry is not None and entry[0] > time.monotonic():
            return entry[1]
        return None

    def put(self, key: Hashable, value: Any) -> None:
        """Memoise `value` for `key` (for callers that check a memoised value before trusting it)."""
        with self._lock:
            if len(self._data) >= self.maxsize:  # rare: drop everything rather than track recency
                self._data.clear()
            self._data[key] = (time.monotonic() + self.ttl, value)

    def forget(self, *keys: Hashable) -> None:
        with self._lock:
            for key in keys:
                self._data.pop(key, None)

    def forget_where(self, predicate: Callable[[Any], bool]) -> None:
        """Forget every value for which `predicate(value)` is true (a scan: for rare changes)."""
        with self._lock:
            for key in [k for k, (_expires, value) in self._data.items() if predicate(value)]:
                del self._data[key]

    def clear(self) -> None:
        with self._lock:
            self._data.clear()

    def __repr__(self) -> str:
        return f"<LocalMemo {self.name} ttl={self.ttl}s size={len(self._data)}>"


def clear_all() -> None:
    """Forget every memo of the process (tests start each test with none)."""
    for memo in list(_memos):
        memo.clear()
