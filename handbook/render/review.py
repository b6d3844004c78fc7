"""Review clocks: when each runbook, dependency, intervention and risk is due again."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from handbook import html
from handbook.model import Handbook
from handbook.reviews import REVIEWS, due_date
from handbook.site import Context

DUE_SOON_DAYS = 30


def due_status(due: dt.date, today: dt.date) -> str:
    """``overdue`` when past, ``due soon`` within 30 days, else ``ok``."""
    if due < today:
        return "overdue"
    if due <= today + dt.timedelta(days=DUE_SOON_DAYS):
        return "due soon"
    return "ok"


def status_badge(status: str) -> str:
    """A badge for a review status."""
    return (
        f'<strong class="handbook-review-status handbook-{status.replace(" ", "-")}">'
        f"{html.esc(status)}</strong>"
    )


@dataclass(frozen=True)
class ReviewClock:
    """One record's review, verification or drill clock."""

    kind: str
    id: str
    label: str
    activity: str
    last: dt.date
    interval_days: int

    @property
    def due(self) -> dt.date:
        """When the next review, verification or drill is due."""
        return due_date(self.last, self.interval_days)

    def status(self, today: dt.date) -> str:
        """``overdue``, ``due soon`` or ``ok`` as of ``today``."""
        return due_status(self.due, today)


def review_clock(handbook: Handbook, kind: str, record_id: str) -> ReviewClock:
    """The clock of one runbook, dependency, intervention or risk."""
    clock = REVIEWS[kind]
    record = handbook.get(kind, record_id)
    own = getattr(record, clock.interval)
    interval = own if own is not None else getattr(handbook.info.review_defaults, clock.default)
    return ReviewClock(
        kind=kind,
        id=record.id,
        label=getattr(record, "title", None) or record.name,
        activity=clock.activity,
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
    return sorted(clocks, key=lambda c: (c.due, list(REVIEWS).index(c.kind), c.id))


def clock_summary(ctx: Context, clock: ReviewClock) -> str:
    """``last (next <activity> by due)`` plus a badge unless the clock is ok."""
    status = clock.status(ctx.site.today)
    badge = f" {status_badge(status)}" if status != "ok" else ""
    return (
        f"{clock.last.isoformat()} (next {html.esc(clock.activity)} by "
        f"{clock.due.isoformat()}){badge}"
    )


def render_review_status(ctx: Context) -> str:
    """Everything with a review clock in one table, soonest due first."""
    clocks = review_clocks(ctx.handbook)
    today = ctx.site.today
    counts = {s: sum(c.status(today) == s for c in clocks) for s in ("overdue", "due soon")}
    summary = (
        f"<p>As of {today.isoformat()}: {counts['overdue']} overdue, "
        f"{counts['due soon']} due within {DUE_SOON_DAYS} days.</p>"
    )
    rows = [
        [
            c.due.isoformat(),
            status_badge(c.status(today)),
            html.esc(f"{REVIEWS[c.kind].noun} {c.activity}"),
            ctx.ref(c.kind, c.id, c.label),
            c.last.isoformat(),
            f"{c.interval_days} days",
        ]
        for c in clocks
    ]
    table = html.table(
        ["Due", "Status", "What", "Record", "Last done", "Interval"],
        rows,
        "handbook-review-status",
    )
    return html.block(summary, table)
