"""Fragments shared by several pages: contact channels, owners, people and roles."""

from __future__ import annotations

from collections.abc import Iterable

from handbook import markup, phones
from handbook.model import ContactChannel, ContactRef, Handbook, Runbook
from handbook.site import Context, record_source

_CHANNEL_URL = {
    "email": "mailto:{}",
    "url": "{}",
}  # a phone's is its tel: URL (``phones.tel_url``)

# A channel's kind as people say it (the data's ``type``: phone, email, chat, pager, url).
CHANNEL_WORDS = {
    "phone": "Phone",
    "email": "Email",
    "chat": "Chat",
    "pager": "Pager",
    "url": "Link",
}


def channel_html(item: ContactChannel, region: str | None = None) -> str:
    """One contact channel: its kind as a word, its label, and a tel:, mailto: or https link.

    ``Phone · Mobile: +1 201-555-0123``, or ``Email: security@example.org`` without a
    label. A phone number is shown grouped, as read out (``+1 201-555-0123``), and dialled
    in E.164; ``region`` (the handbook's ``phone_region``) reads one written in national
    form.
    """
    kind = CHANNEL_WORDS.get(item.type, item.type)
    label = f" · {item.label}: " if item.label else ": "
    if item.type == "phone":
        value = markup.link(phones.tel_url(item.value, region), phones.display(item.value, region))
    elif (pattern := _CHANNEL_URL.get(item.type)) is not None:
        value = markup.link(pattern.format(item.value), item.value)
    else:
        value = markup.esc(item.value)
    return (
        f'<span class="handbook-channel handbook-channel-{markup.esc(item.type)}">'
        f'<span class="handbook-channel-kind">{markup.esc(kind)}</span>'
        f"{markup.esc(label)}{value}</span>"
    )


def channels_html(ctx: Context, items: Iterable[ContactChannel]) -> str:
    """Channels as a list (or a note when the audience may see none of them).

    A public site's handbook holds only public channels (``handbook.audience``).
    """
    visible = tuple(items)
    if not visible:
        return markup.muted("no public contact channel")
    region = ctx.handbook.info.phone_region
    return markup.items((channel_html(c, region) for c in visible), css_class="handbook-channels")


def title_link(ctx: Context, kind: str, record_id: str) -> str:
    """A link to any record, labelled with its title or name."""
    record = ctx.handbook.get(kind, record_id)
    return ctx.ref(kind, record_id, getattr(record, "title", None) or record.name)


def name_link(ctx: Context, kind: str, record_id: str) -> str:
    """A link to a record, labelled with its name (a person's, not their job title)."""
    return ctx.ref(kind, record_id, ctx.handbook.get(kind, record_id).name)


def owner_link(ctx: Context, owner_id: str) -> str:
    """A link to the team or person who owns something, with their name."""
    kind, record = ctx.handbook.owner(owner_id)
    return ctx.ref(kind, owner_id, record.name)


def role_link(ctx: Context, role_id: str) -> str:
    """A link to a role's page, labelled with its name."""
    return name_link(ctx, "roles", role_id)


def role_links(ctx: Context, role_ids: Iterable[str]) -> str:
    """Comma-separated links to roles."""
    return ", ".join(role_link(ctx, r) for r in role_ids)


def severity_badge(ctx: Context, severity_id: str | None) -> str:
    """A severity badge linking to its row of the matrix ("not set" without a severity)."""
    if severity_id is None:
        return markup.muted("not set")
    found = ctx.handbook.get("severities", severity_id)
    label = f"{found.id} {found.name}"
    target = record_source("severities", found.id)
    return ctx.link(target, label, severity_class(ctx.handbook, found.id))


def contact_target(ctx: Context, step: ContactRef) -> str:
    """Whoever an escalation step calls, linked, with names of role holders."""
    kind, target = step.target
    if kind == "roles":
        found = ctx.handbook.get("roles", target)
        holders = ", ".join(name_link(ctx, "people", p) for p in found.holders.primary)
        return f"{role_link(ctx, target)} ({holders})" if holders else role_link(ctx, target)
    return name_link(ctx, kind, target)


def _first_phone(contacts: tuple[ContactChannel, ...]) -> ContactChannel | None:
    return next((c for c in contacts if c.type == "phone"), None)


def callees(ctx: Context, step: ContactRef) -> list[tuple[str, str]]:
    """(kind, id) of whom an escalation step has you call.

    A role's primary holders, a person, or a team followed by its members.
    """
    kind, target = step.target
    if kind == "roles":
        return [("people", p) for p in ctx.handbook.get("roles", target).holders.primary]
    if kind == "teams":
        members = [("people", p.id) for p in ctx.handbook.people if p.team == target]
        return [("teams", target), *members]
    return [(kind, target)]


def phone_links(ctx: Context, step: ContactRef) -> list[str]:
    """``Name: tel-link`` for everyone an escalation step calls who has a visible phone.

    The link dials the number in E.164 and shows it grouped (``+1 201-555-0123``).
    """
    region = ctx.handbook.info.phone_region
    return [
        f"{name_link(ctx, kind, record_id)}: "
        + markup.link(
            phones.tel_url(phone.value, region),
            phones.display(phone.value, region),
            "handbook-phone",
        )
        for kind, record_id in callees(ctx, step)
        if (phone := _first_phone(ctx.handbook.get(kind, record_id).contacts)) is not None
    ]


def escalation_step(ctx: Context, step: ContactRef) -> str:
    """One escalation step: whom to call, within how long, their phones and any note."""
    parts = [contact_target(ctx, step)]
    if step.within:
        parts.append(f"within {markup.esc(step.within)}")
    parts.extend(phone_links(ctx, step))
    if step.note:
        parts.append(f'<span class="handbook-note">{markup.esc(step.note)}</span>')
    return " · ".join(parts)


def first_call_numbers(ctx: Context, step: ContactRef) -> str:
    """A first call's phone numbers as a tap-to-call list; empty when none is listed."""
    numbers = phone_links(ctx, step)
    return markup.items(numbers, css_class="handbook-first-call") if numbers else ""


def facts_table(rows: list[tuple[str, str]], css_class: str = "handbook-quickref") -> str:
    """A two-column table of plain-text labels and already-safe values.

    Each label ends with a colon and a space separates cells and rows, so that the text
    of the table (the site's search snippets, a copy and paste) reads
    ``Owner: Smart Contracts Last reviewed: 2026-11-12``, not ``OwnerSmart Contracts``.
    """
    body = " ".join(f"<tr><th>{markup.esc(k)}:</th> <td>{v}</td></tr>" for k, v in rows)
    return f'<table class="{markup.esc(css_class)}"><tbody>{body}</tbody></table>'


def quickref_box(rows: list[tuple[str, str]]) -> str:
    """The boxed quick reference at the top of a record's page or card."""
    return markup.block(facts_table(rows), css_class="handbook handbook-quickref-box")


def unindexed(*parts: str) -> str:
    """``markup.block`` that the site's search leaves out (Material's ``data-search-exclude``).

    For overviews every row of which is a record that search finds on its own page or
    section: listing every record's name, an overview would match every search for one and
    crowd the record out of the results (at 1,000 runbooks, about a sixth of the index).
    """
    return markup.block(*parts, search=False)


def section(title: str, body: str) -> str:
    """A fixed Markdown heading followed by a block."""
    return f"\n## {title}\n" + markup.block(body)


def severity_rank(handbook: Handbook) -> dict[str, int]:
    """Severity id -> its position in the team's scale (the most severe first, at 0)."""
    return {s.id: n for n, s in enumerate(handbook.severities)}


def runbooks_by_severity(handbook: Handbook) -> list[Runbook]:
    """The runbooks, most severe first (those without a typical severity last), by title."""
    rank = severity_rank(handbook)
    return sorted(handbook.runbooks, key=lambda r: (rank.get(r.severity or "", len(rank)), r.title))


TONES = 5  # the stylesheets' colours, from handbook-tone-1 (most severe) to handbook-tone-5


def severity_class(handbook: Handbook, severity_id: str) -> str:
    """The CSS classes of a severity's badge: its colour follows its place in the scale.

    The first level is always tone 1 and the last tone 5, whatever the number of levels.
    """
    rank, levels = severity_rank(handbook)[severity_id], len(handbook.severities)
    tone = 1 + round(rank * (TONES - 1) / (levels - 1)) if levels > 1 else 1
    return f"handbook-severity handbook-tone-{tone}"
