"""Review clocks: which date of each kind must be renewed, at which interval, and when.

The one place that says "a record's own interval, else the handbook's default": the
``review-overdue`` rule reads it on the raw data (before any model exists) and the pages
on the model.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from handbook.kinds import KINDS, ReviewField
from handbook.model import Handbook

# Kind name -> its review clock, for the kinds that have one (declared in handbook.kinds).
REVIEWS: dict[str, ReviewField] = {kind.name: kind.review for kind in KINDS if kind.review}


def due_date(last: dt.date, interval_days: int) -> dt.date:
    """The date a clock started on ``last`` with ``interval_days`` runs out."""
    return last + dt.timedelta(days=interval_days)


def date_as_read(value: Any) -> dt.date | None:
    """A date as the reader gives it (a string, or a date), None when it is not one.

    Rules read the raw data; a malformed date is the schema's to report.
    """
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


MAX_INTERVAL_DAYS = 3650  # the schemas' upper bound for every interval
DUE_SOON_DAYS = 30


def interval_days(own: Any, default: Any) -> int | None:
    """A record's own interval, else the handbook's default; None when neither is usable.

    Outside the schemas' range the schema reports it: no deadline is computed from it.
    """
    chosen = own if own is not None else default
    return chosen if type(chosen) is int and 1 <= chosen <= MAX_INTERVAL_DAYS else None


def due_status(due: dt.date, today: dt.date) -> str:
    """``overdue`` when past, ``due soon`` within 30 days, else ``ok``."""
    if due < today:
        return "overdue"
    if due <= today + dt.timedelta(days=DUE_SOON_DAYS):
        return "due soon"
    return "ok"


@dataclass(frozen=True)
class ReviewClock:
    """One record's review, verification or drill clock."""

    kind: str
    id: str
    label: str
    activity: str  # "review"
    past: str  # "reviewed"
    last: dt.date | None  # None: never done (or not recorded)
    interval_days: int

    @property
    def due(self) -> dt.date | None:
        """When the next review, verification or drill is due; None: it never happened."""
        return None if self.last is None else due_date(self.last, self.interval_days)

    def status(self, today: dt.date) -> str:
        """``never``, ``overdue``, ``due soon`` or ``ok`` as of ``today``."""
        return "never" if self.due is None else due_status(self.due, today)


def review_clock(handbook: Handbook, kind: str, record_id: str) -> ReviewClock:
    """The clock of one record of a kind that has one (a validated model: never None)."""
    clock = REVIEWS[kind]
    record = handbook.get(kind, record_id)
    default = getattr(handbook.info.review_defaults, clock.default)
    interval = interval_days(getattr(record, clock.interval), default)
    assert interval is not None  # the schemas bound every interval
    return ReviewClock(
        kind=kind,
        id=record.id,
        label=getattr(record, "title", None) or record.name,
        activity=clock.activity,
        past=clock.past,
        last=getattr(record, clock.last),
        interval_days=interval,
    )


def review_clocks(handbook: Handbook) -> list[ReviewClock]:
    """Every clock of the handbook, soonest due first."""
    clocks = [
        review_clock(handbook, kind, record.id)
        for kind in REVIEWS
        for record in getattr(handbook, kind)
    ]
    # Never done first: they are the most overdue of all.
    return sorted(clocks, key=lambda c: (c.due or dt.date.min, list(REVIEWS).index(c.kind), c.id))
