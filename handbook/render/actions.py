"""Action items: an incident's or exercise's own, and every open one by owner."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from handbook import markup
from handbook.actions import Tracked, by_owner, item_status, open_items
from handbook.model import ActionItem
from handbook.render.common import owner_link
from handbook.render.review import status_badge
from handbook.site import Context

_RECORD_NOUN = {"incidents": "Incident", "exercises": "Exercise"}


def _shows_owners(ctx: Context) -> bool:
    """The public edition names no owner: the people behind a fix stay with the team."""
    return ctx.site.audience != "public"


def _status(ctx: Context, item: ActionItem) -> str:
    """The item's status, and how its due date stands while it is open."""
    status = item_status(item, ctx.site.today)
    if not item.is_open:
        closed = f" {item.closed_on.isoformat()}" if item.closed_on else ""
        return markup.esc(f"{item.status}{closed}")
    return status_badge("open" if status == "ok" else status)


def _what(item: ActionItem) -> str:
    text = markup.esc(item.title)
    if item.link and (url := markup.safe_url(item.link)):
        text += " " + markup.link(url, "(tracker)")
    if item.note:
        text += f"<br> {markup.muted(item.note)}"
    return text


def action_items_table(ctx: Context, items: Iterable[ActionItem]) -> str:
    """One incident's or exercise's action items: what, owner, due, status."""
    owners = _shows_owners(ctx)
    rows = [
        [
            _what(item),
            *([owner_link(ctx, item.owner)] if owners else []),
            item.due.isoformat(),
            _status(ctx, item),
        ]
        for item in items
    ]
    headers = ["Action item", *(["Owner"] if owners else []), "Due", "Status"]
    return markup.table(headers, rows, "handbook-action-items")


def _row(ctx: Context, entry: Tracked) -> list[str]:
    source = ctx.ref(entry.kind, entry.record_id, entry.record_title)
    return [
        entry.item.due.isoformat(),
        _status(ctx, entry.item),
        _what(entry.item),
        f"{_RECORD_NOUN[entry.kind]}: {source}",
    ]


def render_action_items(ctx: Context) -> str:
    """Every open action item by owner, the owner with the earliest due date first."""
    items = open_items(ctx.handbook)
    today = ctx.site.today
    if not items:
        return markup.block(markup.muted("No action item is open."))
    overdue = sum(t.status(today) == "overdue" for t in items)
    soon = sum(t.status(today) == "due soon" for t in items)
    summary = markup.block(
        f"<p>As of {today.isoformat()}: {len(items)} open, {overdue} overdue, "
        f"{soon} due within 30 days.</p>"
    )
    headers = ["Due", "Status", "Action item", "From"]
    if not _shows_owners(ctx):
        return summary + markup.block(
            markup.table(headers, (_row(ctx, t) for t in items), "handbook-action-items")
        )
    parts = [summary]
    for owner, entries in by_owner(items).items():
        parts.append(f"\n## {markup.md_inline(ctx.handbook.owner(owner)[1].name)}\n")
        parts.append(markup.block(f"<p>Owner: {owner_link(ctx, owner)}</p>"))
        parts.append(
            markup.block(
                markup.table(headers, (_row(ctx, t) for t in entries), "handbook-action-items")
            )
        )
    return "\n".join(parts)


MACROS: dict[str, Callable[..., str]] = {"action_items": render_action_items}
