"""Progress of long work: a bar on a terminal, plain periodic lines elsewhere (CI, logs).

On a terminal, tqdm's bar: the count, the rate and the time left. Elsewhere one line at the
start, then one whenever another tenth of the work is done or ``every`` seconds have
passed (whichever comes first), and one at the end::

    handbook pdf: 40/206 PDFs (19%), 12 s, about 51 s left
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable
from typing import IO

ENV = "HANDBOOK_PROGRESS"  # "off": none; "on": a build's too, however small
BUILD_PAGES = 400  # a build shows its progress from this many pages ("at scale")


def wanted(count: int, least: int = 0) -> bool:
    """Whether to show progress of ``count`` things, shown from ``least`` by default."""
    setting = os.environ.get(ENV, "").strip().lower()
    if setting in ("off", "0", "no", "false"):
        return False
    return setting in ("on", "1", "yes", "true") or count >= least


def _seconds(value: float) -> str:
    value = round(value)
    return f"{value // 60} min {value % 60:02d} s" if value >= 60 else f"{value} s"


class Progress:
    """Counts work done out of ``total`` and shows it on ``stream`` (stderr by default)."""

    def __init__(
        self,
        label: str,
        total: int,
        unit: str = "PDFs",
        stream: IO[str] | None = None,
        every: float = 10.0,
        clock: Callable[[], float] = time.monotonic,
        verb: str = "write",
    ) -> None:
        """Start counting ``unit`` (``label`` names the command, ``verb`` the work)."""
        self.label, self.total, self.unit, self.verb = label, total, unit, verb
        self.stream = stream if stream is not None else sys.stderr
        self.every, self.clock = every, clock
        self.done = 0
        self.start = self.last = clock()
        self._step = max(1, -(-total // 10))  # a line every tenth
        self._next = self._step
        self._bar = None
        isatty = getattr(self.stream, "isatty", None)
        if isatty is not None and isatty():
            from tqdm import tqdm

            tqdm.monitor_interval = 0  # no monitor thread: worker processes fork after this
            self._bar = tqdm(
                total=total, desc=label, unit=unit.rstrip("s") or unit, file=self.stream,
                dynamic_ncols=True, leave=True,
            )  # fmt: skip
        else:
            self._line(f"{total} {unit} to {verb}")

    def _line(self, text: str) -> None:
        self.stream.write(f"{self.label}: {text}\n")
        self.stream.flush()

    def advance(self, count: int = 1) -> None:
        """``count`` more done."""
        self.done += count
        if self._bar is not None:
            self._bar.update(count)
            return
        now = self.clock()
        if self.done >= self.total or (self.done < self._next and now - self.last < self.every):
            return
        self._next = (self.done // self._step + 1) * self._step
        self.last = now
        elapsed = now - self.start
        left = elapsed / self.done * (self.total - self.done)
        share = self.done / self.total if self.total else 1
        self._line(
            f"{self.done}/{self.total} {self.unit} ({share:.0%}), {_seconds(elapsed)}, "
            f"about {_seconds(left)} left"
        )

    def close(self, summary: str) -> None:
        """The end: the bar closed, and ``summary`` said."""
        if self._bar is not None:
            self._bar.close()
        self._line(f"{summary} in {_seconds(self.clock() - self.start)}")
