"""Review clocks: which date of each kind must be renewed, and at which interval."""

from __future__ import annotations

import datetime as dt

from handbook.kinds import KINDS, ReviewField

# Kind name -> its review clock, for the kinds that have one (declared in handbook.kinds).
REVIEWS: dict[str, ReviewField] = {kind.name: kind.review for kind in KINDS if kind.review}


def due_date(last: dt.date, interval_days: int) -> dt.date:
    """The date a clock started on ``last`` with ``interval_days`` runs out."""
    return last + dt.timedelta(days=interval_days)
