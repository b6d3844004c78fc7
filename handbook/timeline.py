"""An incident's timeline is a record of what happened: in order, and never in the future."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from handbook.diagnostics import Diagnostic

if TYPE_CHECKING:
    from handbook.rules import RuleContext

RULE = "incident-timeline"


def _minute(value: object) -> str | None:
    """A UTC time as read, to the minute (``2026-09-05T02:52``); None when it is not one."""
    if not isinstance(value, str) or len(value) < 17 or not value.endswith("Z"):
        return None  # the schema reports it
    return value[:16]


def incident_timelines(context: RuleContext) -> Iterator[Diagnostic]:
    """``incident-timeline``: entries out of order, or a time after today."""
    today = context.today.isoformat()
    for record in context.loaded.records("incidents"):
        data = record.data if isinstance(record.data, dict) else {}
        detected = data.get("detected")
        at = _minute(detected.get("at")) if isinstance(detected, dict) else None
        if at is not None and at[:10] > today:
            yield record.diagnostic(("detected", "at"), f"detected {at}Z, in the future", RULE)
        entries = data.get("timeline")
        previous: str | None = None
        for number, entry in enumerate(entries if isinstance(entries, list) else ()):
            at = _minute(entry.get("at")) if isinstance(entry, dict) else None
            if at is None:
                continue
            if at[:10] > today:
                yield record.diagnostic(("timeline", number, "at"), f"{at}Z is in the future", RULE)
            elif previous is not None and at < previous:
                yield record.diagnostic(
                    ("timeline", number, "at"),
                    f"{at}Z comes before the entry above it ({previous}Z): keep the timeline "
                    "in the order things happened",
                    RULE,
                )
            previous = max(previous or at, at)
