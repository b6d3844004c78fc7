"""Every cache the engine keeps between calls, and the one place that owns them.

``handbook serve`` validates the whole handbook again after every save, though one file
changed: reading and schema-checking the others again would cost most of the time. The
caches here keep what the latest runs computed, bounded (the latest two runs, or the
latest few keys), so a process that reads many projects (the tests) or a long-lived one
(the server) holds no more than that.

Each cache is created with ``owned``; ``forget`` empties them all. A cache's lifetime is a
session: one command (``handbook build``, ``validate``, ``pdf``), one MkDocs build, or one
``serve`` session from start to shutdown; whoever starts the session ends it with
``session()`` (the CLI and the plugin do).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from typing import Generic, Protocol, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class Clearable(Protocol):
    """A cache: something ``forget`` can empty."""

    def clear(self) -> None:
        """Drop every value."""


C = TypeVar("C", bound=Clearable)
_OWNED: list[Clearable] = []


def owned(cache: C) -> C:
    """Register a module's cache, so that ``forget`` empties it with the others."""
    _OWNED.append(cache)
    return cache


def forget() -> None:
    """Empty every registered cache: what a session computed is not kept after it."""
    for cache in _OWNED:
        cache.clear()


@contextmanager
def session() -> Iterator[None]:
    """One session: caches are shared inside it and emptied when it ends, however it ends."""
    try:
        yield
    finally:
        forget()


class Recent(Generic[K, V]):
    """The values of the latest ``size`` keys, least recently used dropped first."""

    def __init__(self, size: int) -> None:
        """An empty cache of at most ``size`` keys."""
        self._size = size
        self._values: OrderedDict[K, V] = OrderedDict()

    def get(self, key: K) -> V | None:
        """The value kept for ``key``, or None."""
        if key not in self._values:
            return None
        self._values.move_to_end(key)
        return self._values[key]

    def put(self, key: K, value: V) -> None:
        """Keep ``value`` for ``key``, dropping the least recently used key beyond ``size``."""
        self._values[key] = value
        self._values.move_to_end(key)
        while len(self._values) > self._size:
            self._values.popitem(last=False)

    def clear(self) -> None:
        """Drop every value."""
        self._values.clear()


class LastRun(Generic[K, V]):
    """Values by key, reused from the previous run; older ones forgotten."""

    def __init__(self) -> None:
        """An empty cache."""
        self._previous: dict[K, V] = {}
        self._current: dict[K, V] = {}

    def clear(self) -> None:
        """Drop every value."""
        self._previous, self._current = {}, {}

    def start(self) -> None:
        """Begin a run: what the run just ended used stays, anything older goes."""
        self._previous, self._current = self._current, {}

    def run(self, reuse: bool) -> Callable[[K, Callable[[], V]], V]:
        """Begin a run; return ``get``, or without ``reuse`` a function that always computes."""
        if not reuse:
            return lambda key, compute: compute()
        self.start()
        return self.get

    def get(self, key: K, compute: Callable[[], V]) -> V:
        """The value for ``key``: kept from the previous run or computed now."""
        if key in self._current:
            return self._current[key]
        value = self._previous[key] if key in self._previous else compute()
        self._current[key] = value
        return value


class PerObject(Generic[V]):
    """Values computed from objects a run may share with the previous one, by identity.

    The reader's documents, with ``reuse``. Each value is kept with its objects, so that
    no other object can take their ids.
    """

    def __init__(self) -> None:
        """An empty cache."""
        self._runs: LastRun[tuple[int, ...], tuple[tuple[object, ...], V]] = LastRun()

    def clear(self) -> None:
        """Drop every value."""
        self._runs.clear()

    def run(self, reuse: bool) -> Callable[..., V]:
        """Begin a run; return ``value(compute, *subjects)``, the value made from ``subjects``.

        It is kept from the previous run, or computed now (always, without ``reuse``).
        """
        get = self._runs.run(reuse)

        def value(compute: Callable[[], V], *subjects: object) -> V:
            return get(tuple(map(id, subjects)), lambda: (subjects, compute()))[1]

        return value
