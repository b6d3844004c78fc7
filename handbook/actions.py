"""Action items tracked to completion: every follow-up of the incidents and exercises.

The one place that says which items are open, overdue or due soon, so that ``handbook
review``, the action-item page and the go-bag agree.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from handbook.clocks import date_as_read, due_status
from handbook.diagnostics import Diagnostic
from handbook.model import ACTION_OPEN, ActionItem, Handbook
from handbook.readiness import DUE_SOON_ITEM, OVERDUE_ITEM, finding_level

if TYPE_CHECKING:
    from handbook.rules import RuleContext

HOLDERS = ("incidents", "exercises")  # the kinds whose records carry action items


@dataclass(frozen=True)
class Tracked:
    """An action item with the incident or exercise it comes from."""

    kind: str  # "incidents" or "exercises"
    record_id: str
    record_title: str
    item: ActionItem

    def status(self, today: dt.date) -> str:
        """The item's standing as of ``today`` (``item_status``)."""
        return item_status(self.item, today)


def item_status(item: ActionItem, today: dt.date) -> str:
    """``overdue``, ``due soon`` or ``ok`` while open; the item's own status once closed."""
    return due_status(item.due, today) if item.is_open else item.status


def tracked(handbook: Handbook) -> list[Tracked]:
    """Every action item of the handbook, in data order."""
    return [
        Tracked(kind, record.id, record.title, item)
        for kind in HOLDERS
        for record in getattr(handbook, kind)
        for item in record.action_items
    ]


def open_items(handbook: Handbook) -> list[Tracked]:
    """The open items, soonest due first (overdue ones lead), then by owner."""
    items = [t for t in tracked(handbook) if t.item.is_open]
    return sorted(items, key=lambda t: (t.item.due, t.item.owner, t.record_id, t.item.id))


def by_owner(items: list[Tracked]) -> dict[str, list[Tracked]]:
    """Items grouped by owner id, owners in the order of their first item."""
    grouped: dict[str, list[Tracked]] = {}
    for item in items:
        grouped.setdefault(item.item.owner, []).append(item)
    return grouped


def action_item_dates(context: RuleContext) -> Iterator[Diagnostic]:
    """``action-item-overdue`` and ``action-item-due-soon`` (warnings), at each item's due date.

    Errors when ``readiness_errors`` names them, and with ``handbook review --strict``.
    """
    levels = {rule: finding_level(context, rule) for rule in (OVERDUE_ITEM, DUE_SOON_ITEM)}
    for record in (r for kind in HOLDERS for r in context.loaded.records(kind)):
        items = record.data.get("action_items") if isinstance(record.data, dict) else None
        for number, item in enumerate(items if isinstance(items, list) else ()):
            if not isinstance(item, dict) or item.get("status") != ACTION_OPEN:
                continue
            when = date_as_read(item.get("due"))
            if when is None:
                continue  # the schema reports it
            status = due_status(when, context.today)
            if status == "ok":
                continue
            rule = OVERDUE_ITEM if status == "overdue" else DUE_SOON_ITEM
            when_said = "was due" if status == "overdue" else "due"
            owner = item.get("owner")
            whose = f"{owner}: " if isinstance(owner, str) else ""
            message = (
                f"{whose}open action item {item.get('id')} of "
                f"{record.kind[:-1]} {record.id} {when_said} {when.isoformat()}: "
                f"{item.get('title')}"
            )
            yield record.diagnostic(("action_items", number, "due"), message, rule, levels[rule])
