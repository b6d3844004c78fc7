"""Incident pages (the post-mortem) and the incident index."""

from __future__ import annotations

from collections.abc import Callable

from handbook import markup
from handbook.model import Incident, OnChain
from handbook.render.actions import action_items_table
from handbook.render.common import name_link, quickref_box, section, severity_badge, title_link
from handbook.render.extensions import more
from handbook.site import Context

STATUS_WORDS = {
    "open": "open: responding",
    "monitoring": "monitoring: contained, watching",
    "resolved": "resolved: post-mortem to do",
    "reviewed": "reviewed: post-mortem done",
}
ADDRESS_ROLES = {
    "attacker": "Attacker",
    "affected-contract": "Affected contract",
    "affected-user": "Affected user",
    "recovery": "Recovery",
    "other": "Other",
}


def _utc(at: str) -> str:
    """A UTC time as people read it: ``2026-09-05 02:52 UTC``."""
    return markup.esc(at.replace("T", " ").removesuffix("Z") + " UTC")


def _quick_reference(ctx: Context, incident: Incident) -> str:
    rows = [
        ("Severity", severity_badge(ctx, incident.severity)),
        ("Status", markup.esc(STATUS_WORDS[incident.status])),
    ]
    if incident.detected:
        rows.append(("Detected", _utc(incident.detected.at)))
    if incident.impact and incident.impact.duration:
        rows.append(("Users affected for", markup.esc(incident.impact.duration)))
    still_open = sum(item.is_open for item in incident.action_items)
    if incident.action_items:
        rows.append(("Open action items", f"{still_open} of {len(incident.action_items)}"))
    return quickref_box(rows)


def _detection(ctx: Context, incident: Incident) -> str:
    detected = incident.detected
    if detected is None:
        return ""
    rows = [("When", _utc(detected.at)), ("Source", markup.esc(detected.source))]
    if detected.signal:
        rows.append(("Signal", name_link(ctx, "signals", detected.signal)))
    return section("Detection", markup.definitions(rows))


def _written(*fields: tuple[str, str | None]) -> list[tuple[str, str]]:
    """(label, the value as Markdown) of the fields the record fills in."""
    return [(label, markup.markdown(value)) for label, value in fields if value]


def _roles(ctx: Context, incident: Incident) -> str:
    if not incident.roles:
        return ""
    rows = [
        [
            name_link(ctx, "roles", held.role),
            name_link(ctx, "people", held.person),
            _utc(held.since) if held.since else "",
        ]
        for held in incident.roles
    ]
    return section("Roles held", markup.table(["Role", "Person", "Since"], rows))


def _timeline(incident: Incident) -> str:
    if not incident.timeline:
        return ""
    rows = [
        [_utc(entry.at), markup.esc(entry.phase), markup.markdown(entry.text)]
        for entry in incident.timeline
    ]
    return section(
        "Timeline (UTC)",
        markup.table(["When", "Phase", "What happened"], rows, "handbook-timeline"),
    )


def _impact(incident: Incident) -> str:
    impact = incident.impact
    if impact is None:
        return ""
    rows = _written(("Users", impact.users), ("Funds", impact.funds))
    if impact.duration:
        rows.append(("Duration", markup.esc(impact.duration)))
    rows += _written(("Services", impact.services))
    return section("Impact", markup.definitions(rows)) if rows else ""


def _response(ctx: Context, incident: Incident) -> str:
    rows = []
    for label, kind, ids in (
        ("Runbooks followed", "runbooks", incident.runbooks),
        ("Interventions taken", "interventions", incident.interventions),
        ("Communications sent", "communications", incident.communications),
    ):
        if ids:
            rows.append((label, ", ".join(title_link(ctx, kind, i) for i in ids)))
    return section("Response", markup.definitions(rows)) if rows else ""


def _texts(title: str, texts: tuple[str, ...]) -> str:
    return section(title, markup.items(markup.markdown(t) for t in texts)) if texts else ""


def _web3(web3: OnChain | None) -> str:
    if web3 is None:
        return ""
    parts = []
    if web3.transactions:
        rows = [
            [f"<code>{markup.esc(t.hash)}</code>", markup.esc(t.chain or ""), markup.esc(t.what)]
            for t in web3.transactions
        ]
        parts.append(markup.table(["Transaction", "Chain", "What it did"], rows, "handbook-txs"))
    if web3.addresses:
        rows = [
            [
                f"<code>{markup.esc(a.address)}</code>",
                markup.esc(ADDRESS_ROLES[a.role]),
                markup.esc(a.chain or ""),
                markup.esc(a.note or ""),
            ]
            for a in web3.addresses
        ]
        parts.append(markup.table(["Address", "Role", "Chain", "Note"], rows, "handbook-txs"))
    facts = _written(
        ("Funds moved", web3.funds_moved),
        ("Funds recovered", web3.funds_recovered),
        ("Attacker", web3.attacker),
    )
    if facts:
        parts.append(markup.definitions(facts))
    if web3.evidence:
        rows = [[markup.esc(e.what), markup.esc(e.where)] for e in web3.evidence]
        parts.append("<p><strong>Evidence preserved</strong></p>")
        parts.append(markup.table(["Evidence", "Where it is kept"], rows))
    return section("On-chain details", "".join(parts)) if parts else ""


def render_incident(ctx: Context, incident_id: str) -> str:
    """An incident's page: the post-mortem (the public one in the public edition)."""
    incident = ctx.handbook.get("incidents", incident_id)
    parts = [
        f"# {markup.md_inline(incident.title)}\n",
        _quick_reference(ctx, incident),
    ]
    if incident.summary:
        parts.append(
            markup.block(markup.markdown(incident.summary), css_class="handbook handbook-summary")
        )
    parts += [
        _detection(ctx, incident),
        _timeline(incident),
        _impact(incident),
        _roles(ctx, incident),
        _response(ctx, incident),
        _texts("Root causes", incident.root_causes),
        _texts("What went well", incident.went_well),
        _texts("What went badly", incident.went_badly),
        _web3(incident.web3),
    ]
    if incident.action_items:
        table = action_items_table(ctx, incident.action_items)
        parts.append(section("Action items", table))
    if incident.extensions:
        parts.append(more(incident.extensions))
    return "\n".join(p for p in parts if p)


ACTIVE = ("open", "monitoring")  # an incident still being responded to


def active_incidents(ctx: Context) -> str:
    """A banner naming each incident still open or monitored; empty when there is none."""
    active = [i for i in ctx.handbook.incidents if i.status in ACTIVE]
    if not active:
        return ""
    entries = []
    for incident in active:
        since = f" since {_utc(incident.detected.at)}" if incident.detected else ""
        entries.append(
            f"{severity_badge(ctx, incident.severity)} "
            f"{ctx.ref('incidents', incident.id, incident.title)}: "
            f"{markup.esc(incident.status)}{since}"
        )
    return markup.block(
        "<p><strong>Incident in progress.</strong> Join it before opening another:</p>",
        markup.items(entries),
        css_class="handbook admonition warning handbook-active-incidents",
    )


def render_incidents(ctx: Context) -> str:
    """Every incident, latest first: when, what, how severe, where it stands."""
    ordered = sorted(
        ctx.handbook.incidents,
        key=lambda i: (i.detected.at if i.detected else "", i.id),
        reverse=True,
    )
    if not ordered:
        return markup.block(markup.muted("No incident is recorded."))
    rows = [
        [
            markup.esc(i.date.isoformat()) if i.date else "",
            ctx.ref("incidents", i.id, i.title),
            severity_badge(ctx, i.severity),
            markup.esc(i.status),
            str(sum(item.is_open for item in i.action_items)),
        ]
        for i in ordered
    ]
    return markup.block(
        markup.table(
            ["Detected", "Incident", "Severity", "Status", "Open action items"],
            rows,
            "handbook-incidents",
        )
    )


MACROS: dict[str, Callable[..., str]] = {"incidents": render_incidents}
