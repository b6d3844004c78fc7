"""A cache that keeps what the last run computed, for a run over mostly the same inputs.

``handbook serve`` validates the whole handbook again after every save, though one file
changed: reading and schema-checking the others again would cost most of the time. The
cache keeps only the values of the latest two runs, so a process that reads many
projects (the tests) or long-lived one (the server) holds no more than that.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class LastRun(Generic[K, V]):
    """Values by key, reused from the previous run; older ones forgotten."""

    def __init__(self) -> None:
        """An empty cache."""
        self._previous: dict[K, V] = {}
        self._current: dict[K, V] = {}

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

    def run(self, reuse: bool) -> Callable[..., V]:
        """Begin a run; return ``value(compute, *subjects)``, the value made from ``subjects``.

        It is kept from the previous run, or computed now (always, without ``reuse``).
        """
        get = self._runs.run(reuse)

        def value(compute: Callable[[], V], *subjects: object) -> V:
            return get(tuple(map(id, subjects)), lambda: (subjects, compute()))[1]

        return value
