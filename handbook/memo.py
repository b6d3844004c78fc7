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

    def clear(self) -> None:
        """Forget everything."""
        self._previous, self._current = {}, {}

    def get(self, key: K, compute: Callable[[], V]) -> V:
        """The value for ``key``: kept from the previous run or computed now."""
        if key in self._current:
            return self._current[key]
        value = self._previous[key] if key in self._previous else compute()
        self._current[key] = value
        return value
