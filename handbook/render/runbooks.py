"""Runbook pages and the runbook index."""

from __future__ import annotations

from collections.abc import Callable

from handbook import markup
from handbook.clocks import review_clock
from handbook.model import Action, ContactRef, Mitigation, Runbook
from handbook.render.common import (
    contact_target,
    escalation_step,
    first_call_numbers,
    name_link,
    owner_link,
    quickref_box,
    role_link,
    runbooks_by_severity,
    section,
    severity_badge,
    title_link,
    unindexed,
)
from handbook.render.exercises import drill_summary
from handbook.render.extensions import more
from handbook.render.review import clock_summary
from handbook.site import PDF_DIR, Context, pdf_name

# A public build may leave every option out: responders then follow the escalation.
_NO_MITIGATION = '<p class="handbook-muted">Escalate: the owner knows the mitigation options.</p>'


def _first_call(ctx: Context, runbook: Runbook) -> str:
    """Whom to call first, with their phones: the first escalation step, else the owner.

    In the quick reference at the top, so that the numbers the immediate actions need
    are on a phone's first screen and a printed runbook's first page.
    """
    if runbook.escalation:
        step = runbook.escalation[0]
        who = contact_target(ctx, step)
        if step.within:
            who += f" within {markup.esc(step.within)}"
    else:
        team = ctx.handbook.owner(runbook.owner)[0] == "teams"
        step = ContactRef(team=runbook.owner) if team else ContactRef(person=runbook.owner)
        who = f"the owner, {owner_link(ctx, runbook.owner)}"
    numbers = first_call_numbers(ctx, step)
    if not numbers:  # none listed, or (in the public edition) none public
        none = "no public phone" if ctx.site.audience == "public" else "no phone listed"
        return f"{who} {markup.muted(f'({none})')}"
    return who + numbers


def _quick_reference(ctx: Context, runbook: Runbook) -> str:
    rows = [
        ("Typical severity", severity_badge(ctx, runbook.severity)),
        ("Owner", owner_link(ctx, runbook.owner)),
        ("First call", _first_call(ctx, runbook)),
        ("Last reviewed", clock_summary(ctx, review_clock(ctx.handbook, "runbooks", runbook.id))),
    ]
    if ctx.handbook.exercises:  # the team keeps drill records: the date is derived from them
        rows.append(("Last drilled", drill_summary(ctx, "runbooks", runbook.id)))
    if runbook.tags:
        rows.append(("Tags", ", ".join(markup.esc(t) for t in runbook.tags)))
    if ctx.site.pdfs:  # only when the build writes the PDFs: never a broken link
        pdf = ctx.asset_url(f"{PDF_DIR}/{pdf_name('runbooks', runbook.id)}")
        rows.append(("On paper", markup.internal_link(pdf, f"{runbook.id}.pdf (print it)")))
    return quickref_box(rows)


def _mitigation(mitigation: Mitigation) -> str:
    facts = [
        (label, markup.esc(value))
        for label, value in (
            ("When", mitigation.when),
            ("Impact", mitigation.impact),
            ("Verify", mitigation.verify),
        )
        if value
    ]
    if not mitigation.verify:  # said, so nobody assumes a check exists
        facts.append(("Verify", markup.muted("no verification step given")))
    badge = (
        f'<span class="handbook-badge handbook-{markup.esc(mitigation.preference)}">'
        f"{markup.esc(mitigation.preference)}</span> "
        if mitigation.preference
        else ""
    )
    return markup.block(
        f'<p class="handbook-mitigation-title">{badge}'
        f'<strong id="mitigation-{markup.esc(mitigation.id)}">{markup.esc(mitigation.title)}'
        "</strong></p>",
        markup.definitions(facts),
        markup.checklist((markup.esc(step) for step in mitigation.steps), ordered=True),
        css_class="handbook handbook-mitigation",
    )


def _step(ctx: Context, step: Action) -> str:
    """One step: what to do, for whom, why, the command to copy and what to expect."""
    text = markup.esc(step.text)
    if step.role:
        text += f' <span class="handbook-role">({role_link(ctx, step.role)})</span>'
    if step.why:
        text += f'<br> <span class="handbook-why"><em>Why:</em> {markup.esc(step.why)}</span>'
    if step.command:
        text += f"<br> <code>{markup.esc(step.command)}</code>"
    if step.expected:
        text += f"<br> <em>Expect:</em> {markup.esc(step.expected)}"
    return text


def _links(ctx: Context, kind: str, ids: tuple[str, ...]) -> str:
    return markup.items(title_link(ctx, kind, i) for i in ids)


def _texts(values: tuple[str, ...]) -> str:
    return markup.items(markup.esc(v) for v in values)


def _escalation(ctx: Context, runbook: Runbook) -> str:
    """The runbook's escalation, or (without one) that responders call its owner."""
    if runbook.escalation:
        return markup.items((escalation_step(ctx, s) for s in runbook.escalation), ordered=True)
    return f"<p>No escalation of its own: call the owner, {owner_link(ctx, runbook.owner)}.</p>"


def render_runbook(ctx: Context, runbook_id: str) -> str:
    """A runbook page: quick reference, then every step as tick boxes, then its links.

    Sections the runbook does not have are left out, except the escalation, which then
    says to call the owner.
    """
    runbook = ctx.handbook.get("runbooks", runbook_id)
    parts = [f"# {markup.md_inline(runbook.title)}\n", _quick_reference(ctx, runbook)]
    if runbook.summary:
        parts.append(
            markup.block(markup.markdown(runbook.summary), css_class="handbook handbook-summary")
        )
    if runbook.signals:
        signals = markup.items(name_link(ctx, "signals", s) for s in runbook.signals)
        parts.append(section("Signals that trigger it", signals))
    if runbook.symptoms:
        parts.append(section("Symptoms", _texts(runbook.symptoms)))
    if runbook.differentiation:
        parts.append(section("How to tell it apart", _texts(runbook.differentiation)))
    if runbook.immediate_actions:
        actions = (_step(ctx, a) for a in runbook.immediate_actions)
        parts.append(section("Immediate actions", markup.checklist(actions, ordered=True)))
    if runbook.investigation:
        steps = (_step(ctx, a) for a in runbook.investigation)
        parts.append(section("Investigation", markup.checklist(steps, ordered=True)))
    if runbook.mitigations:
        parts += ["\n## Mitigation options\n", *(_mitigation(m) for m in runbook.mitigations)]
    elif runbook.immediate_actions:
        pass  # the immediate actions are the whole of what it says to do
    else:
        parts += ["\n## Mitigation options\n", markup.block(_NO_MITIGATION)]
    parts.append(section("Escalation", _escalation(ctx, runbook)))
    if runbook.evidence:
        parts.append(section("Evidence to preserve", _texts(runbook.evidence)))
    if runbook.resolution_checklist:
        checklist = markup.checklist(markup.esc(i) for i in runbook.resolution_checklist)
        parts.append(section("Resolution checklist", checklist))
    if runbook.follow_ups:
        follow_ups = markup.checklist(markup.esc(i) for i in runbook.follow_ups)
        parts.append(section("After the incident", follow_ups))
    if runbook.root_causes:
        parts.append(section("Common root causes", _texts(runbook.root_causes)))
    if runbook.links:
        links = markup.items(
            markup.link(link.url, link.title) + f" ({markup.esc(link.kind)})"
            for link in runbook.links
        )
        parts.append(section("Dashboards, alerts and logs", links))
    for kind, title in (
        ("related", "Related runbooks"),
        ("dependencies", "Dependencies"),
        ("interventions", "Interventions"),
        ("communications", "Communication templates"),
    ):
        ids = getattr(runbook, kind)
        if ids:
            parts.append(
                section(title, _links(ctx, "runbooks" if kind == "related" else kind, ids))
            )
    if runbook.extensions:
        parts.append(more(runbook.extensions))
    return "\n".join(parts)


def render_runbook_index(ctx: Context) -> str:
    """Every runbook in a table: severity, owner, dependencies and tags."""
    runbooks = runbooks_by_severity(ctx.handbook)
    rows = [
        [
            ctx.ref("runbooks", r.id, r.title),
            severity_badge(ctx, r.severity),
            owner_link(ctx, r.owner),
            ", ".join(ctx.ref("dependencies", d) for d in r.dependencies),
            ", ".join(markup.esc(t) for t in r.tags),
        ]
        for r in runbooks
    ]
    return unindexed(
        markup.table(
            ["Runbook", "Severity", "Owner", "Dependencies", "Tags"], rows, "handbook-runbook-index"
        )
    )


# The macros pages may call, by name (collected by handbook.render.catalogue).
MACROS: dict[str, Callable[..., str]] = {
    "runbooks": render_runbook_index,
}
