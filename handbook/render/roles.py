"""Roles (cards and pages) and the on-call contact directory."""

from __future__ import annotations

from collections.abc import Callable

from handbook import markup
from handbook.model import ExternalResponder, Person, Role, Team
from handbook.render.common import channels_html, role_link
from handbook.render.extensions import more
from handbook.site import Context, anchor


def _person(ctx: Context, person_id: str) -> str:
    person = ctx.handbook.get("people", person_id)
    return f"{ctx.ref('people', person_id, person.name)} {channels_html(ctx, person.contacts)}"


def _card(ctx: Context, item: Role) -> str:
    parts = [
        f"<p>{markup.esc(item.summary)}</p>",
        "<p><strong>Responsibilities</strong></p>",
        markup.items(markup.esc(r) for r in item.responsibilities),
    ]
    if item.must_not:
        parts += [
            "<p><strong>Must not</strong></p>",
            markup.items(markup.esc(m) for m in item.must_not),
        ]
    if item.not_combined_with:
        parts.append(
            "<p><strong>Never held together with:</strong> "
            + ", ".join(role_link(ctx, r) for r in item.not_combined_with)
            + "</p>"
        )
    parts.append("<p><strong>Primary</strong></p>")
    parts.append(  # a public build may name none of them
        markup.items_or(
            (_person(ctx, p) for p in item.holders.primary), "Reach the role as said below."
        )
    )
    if item.holders.backup:
        parts.append("<p><strong>Backup</strong></p>")
        parts.append(markup.items(_person(ctx, p) for p in item.holders.backup))
    parts.append(f"<p><strong>How to reach:</strong> {markup.esc(item.reach_via)}</p>")
    return "".join(parts)


def render_roles(ctx: Context) -> str:
    """A card per role: responsibilities, holders, what it must not be combined with."""
    return "\n".join(
        f"\n## {markup.md_inline(item.name)}\n"
        + markup.block(
            f'<p class="handbook-muted">Role page: {ctx.ref("roles", item.id)}</p>',
            _card(ctx, item),
            css_class="handbook handbook-role-card",
        )
        for item in ctx.handbook.roles
    )


def render_role(ctx: Context, role_id: str) -> str:
    """A role's own page: its card and everywhere the handbook calls on it."""
    hb = ctx.handbook
    item = hb.get("roles", role_id)
    uses = [
        *(
            f"Involved in {ctx.ref('severities', s.id, s.id + ' ' + s.name)}"
            for s in hb.referring("severities", "involved_roles", role_id)
        ),
        *(
            f"Responsible for process step {markup.esc(str(step.order))}: {markup.esc(step.title)}"
            for step in hb.policy.process
            if step.responsible_role == role_id
        ),
        *(
            f"May authorise {ctx.ref('interventions', i.id, i.title)}"
            for i in hb.interventions
            if role_id in i.authorised_by.roles
        ),
        *(
            f"Notified by {ctx.ref('signals', s.id, s.name)}"
            for s in hb.referring("signals", "notify_roles", role_id)
        ),
    ]
    parts = [f"# {markup.md_inline(item.name)}\n", markup.block(_card(ctx, item))]
    if uses:
        parts.append("\n## Where this role is called on\n" + markup.block(markup.items(uses)))
    if item.extensions:
        parts.append(more(item.extensions))
    return "\n".join(parts)


def _team(ctx: Context, team: Team, fallback: bool) -> str:
    members = [p for p in ctx.handbook.people if p.team == team.id]
    facts = [markup.markdown(team.description)]
    if fallback:
        facts.insert(
            0,
            '<p class="admonition tip">The fallback team: contact it when you '
            "do not know whom to call.</p>",
        )
    if team.on_call:
        facts.append(f"<p><strong>On call:</strong> {markup.esc(team.on_call)}</p>")
    facts.append(channels_html(ctx, team.contacts))
    if members:
        facts.append(
            "<p><strong>Members:</strong> "
            + ", ".join(ctx.ref("people", p.id, p.name) for p in members)
            + "</p>"
        )
    return markup.block(
        f'<h3 id="{anchor("teams", team.id)}">{markup.esc(team.name)}</h3>',
        *facts,
        more(team.extensions, heading=False),
        css_class="handbook handbook-team",
    )


def _person_entry(ctx: Context, person: Person) -> str:
    team = ctx.handbook.get("teams", person.team)
    details = [markup.esc(person.title)] if person.title else []
    details.append(ctx.ref("teams", team.id, team.name))
    if person.timezone:
        details.append(markup.esc(person.timezone))
    return markup.block(
        f'<h3 id="{anchor("people", person.id)}">{markup.esc(person.name)}</h3>',
        f"<p>{' · '.join(details)}</p>",
        channels_html(ctx, person.contacts),
        more(person.extensions, heading=False),
        css_class="handbook handbook-person",
    )


def _external(ctx: Context, responder: ExternalResponder) -> str:
    """One party outside the team: when to call, how, what to send, what to expect."""
    parts = [
        f'<h3 id="{anchor("external_responders", responder.id)}">{markup.esc(responder.name)}</h3>',
        f'<p class="handbook-muted">{markup.esc(responder.kind.replace("-", " "))}</p>',
    ]
    if responder.description:
        parts.append(markup.markdown(responder.description))
    parts.append("<p><strong>When to contact</strong></p>")
    parts.append(markup.items(markup.esc(w) for w in responder.when_to_contact))
    parts.append(channels_html(ctx, responder.contacts))
    if responder.message_template:
        parts.append("<p><strong>What to send</strong> (fill in each [field])</p>")
        parts.append(
            f'<pre class="handbook-template"><code>{markup.esc(responder.message_template)}'
            "</code></pre>"
        )
    for label, value in (
        ("What to expect", responder.response),
        ("Engagement", responder.engagement),
    ):
        if value:
            parts.append(f"<p><strong>{label}:</strong> {markup.esc(value)}</p>")
    parts.append(more(responder.extensions, heading=False))
    return markup.block(*parts, css_class="handbook handbook-external")


def render_contacts(ctx: Context) -> str:
    """Teams (the fallback first), people, then the parties outside the team."""
    hb = ctx.handbook
    fallback = hb.info.fallback_team
    teams = sorted(hb.teams, key=lambda t: (t.id != fallback, t.name))
    external = hb.external_responders
    return (
        "\n## Teams\n"
        + "".join(_team(ctx, t, t.id == fallback) for t in teams)
        + "\n## People\n"
        + "".join(_person_entry(ctx, p) for p in sorted(hb.people, key=lambda p: p.name))
        + (
            "\n## External responders\n" + "".join(_external(ctx, r) for r in external)
            if external
            else ""
        )
    )


# The macros pages may call, by name (collected by handbook.render.catalogue).
MACROS: dict[str, Callable[..., str]] = {
    "roles": render_roles,
    "contacts": render_contacts,
}
