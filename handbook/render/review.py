"""The review status page, and the clock summary record pages show (``handbook.clocks``)."""

from __future__ import annotations

from collections.abc import Callable

from handbook import markup
from handbook.clocks import DUE_SOON_DAYS, REVIEWS, ReviewClock, review_clocks
from handbook.render.common import unindexed
from handbook.site import Context


def status_badge(status: str) -> str:
    """A badge for a review status."""
    return (
        f'<strong class="handbook-review-status handbook-{status.replace(" ", "-")}">'
        f"{markup.esc(status)}</strong>"
    )


def clock_summary(ctx: Context, clock: ReviewClock) -> str:
    """``last (next <activity> by due)`` plus a badge unless the clock is ok."""
    status = clock.status(ctx.site.today)
    if clock.last is None or clock.due is None:
        return status_badge(f"never {clock.past}")
    badge = f" {status_badge(status)}" if status != "ok" else ""
    return (
        f"{clock.last.isoformat()} (next {markup.esc(clock.activity)} by "
        f"{clock.due.isoformat()}){badge}"
    )


def render_review_status(ctx: Context) -> str:
    """Everything with a review clock in one table, soonest due first."""
    clocks = review_clocks(ctx.handbook)
    today = ctx.site.today
    counts = {
        s: sum(c.status(today) == s for c in clocks) for s in ("never", "overdue", "due soon")
    }
    never = f"{counts['never']} never done, " if counts["never"] else ""
    summary = (
        f"<p>As of {today.isoformat()}: {never}{counts['overdue']} overdue, "
        f"{counts['due soon']} due within {DUE_SOON_DAYS} days.</p>"
    )
    rows = [
        [
            c.due.isoformat() if c.due else "now",
            status_badge(c.status(today)),
            markup.esc(f"{REVIEWS[c.kind].noun} {c.activity}"),
            ctx.ref(c.kind, c.id, c.label),
            c.last.isoformat() if c.last else f"never {markup.esc(c.past)}",
            f"{c.interval_days} days",
        ]
        for c in clocks
    ]
    table = markup.table(
        ["Due", "Status", "What", "Record", "Last done", "Interval"],
        rows,
        "handbook-review-status",
    )
    return unindexed(summary, table)


# The macros pages may call, by name (collected by handbook.render.catalogue).
MACROS: dict[str, Callable[..., str]] = {
    "review_status": render_review_status,
}
