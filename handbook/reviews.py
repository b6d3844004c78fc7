"""Review clocks: which date of each kind must be renewed, and at which interval."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True)
class ReviewField:
    """Where one kind keeps its last date, its own interval and the default interval."""

    last: str  # field holding the date of the last review, verification or drill
    interval: str  # the record's own interval in days (optional field)
    default: str  # key in handbook.review_defaults
    activity: str  # "review", "verification", "drill"
    past: str  # "reviewed", "verified", "drilled"
    noun: str  # "Runbook", ...


REVIEWS: dict[str, ReviewField] = {
    "runbooks": ReviewField(
        "last_reviewed", "review_interval_days", "runbook_days", "review", "reviewed", "Runbook"
    ),
    "dependencies": ReviewField(
        "last_verified",
        "verify_interval_days",
        "dependency_days",
        "verification",
        "verified",
        "Dependency",
    ),
    "interventions": ReviewField(
        "last_drilled",
        "drill_interval_days",
        "intervention_days",
        "drill",
        "drilled",
        "Intervention",
    ),
    "risks": ReviewField(
        "last_reviewed", "review_interval_days", "risk_days", "review", "reviewed", "Risk"
    ),
}


def due_date(last: dt.date, interval_days: int) -> dt.date:
    """The date a clock started on ``last`` with ``interval_days`` runs out."""
    return last + dt.timedelta(days=interval_days)
