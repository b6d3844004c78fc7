"""The policy: principles, the response process, communication and document control."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from handbook import markup
from handbook.clocks import due_date, due_status
from handbook.model import Checklist, Policy, ProcessStep, StepNote, Version
from handbook.render.common import facts_table, name_link, role_link, severity_badge
from handbook.render.extensions import more
from handbook.render.review import status_badge
from handbook.site import Context

_AUDIENCES = {"internal": "Internal", "external": "External", "all": "Everyone"}


def process_steps(policy: Policy) -> list[ProcessStep]:
    """The response process steps in their order."""
    return sorted(policy.process, key=lambda s: (s.order, s.id))


def versions_newest_first(policy: Policy) -> list[Version]:
    """The version history, newest first (a later entry wins a tie on the date)."""
    indexed = sorted(
        enumerate(policy.document_control.versions), key=lambda iv: (iv[1].date, iv[0])
    )
    return [version for _, version in reversed(indexed)]


def next_policy_review(policy: Policy) -> dt.date:
    """When the policy is due for review: the latest version's date plus the interval."""
    latest = versions_newest_first(policy)[0]
    return due_date(latest.date, policy.document_control.review_interval_days)


def render_purpose_and_scope(ctx: Context) -> str:
    """The policy's purpose and scope."""
    policy = ctx.handbook.policy
    return (
        "\n## Purpose\n"
        + markup.block(markup.markdown(policy.purpose))
        + "\n## Scope\n"
        + markup.block(markup.markdown(policy.scope))
        + more(policy.extensions)
    )


def render_role_rules(ctx: Context) -> str:
    """The rules about holding roles."""
    return markup.block(markup.items(markup.esc(r) for r in ctx.handbook.policy.role_rules))


def render_principles(ctx: Context) -> str:
    """The guiding principles, each with its rationale."""
    entries = "".join(
        f'<li id="principle-{markup.esc(p.id)}"><p><strong>{markup.esc(p.statement)}</strong></p>'
        + (markup.markdown(p.rationale) if p.rationale else "")
        + (
            f'<p class="handbook-points-title">{markup.esc(p.points.title)}</p>'
            + markup.items(markup.esc(i) for i in p.points.items)
            if p.points
            else ""
        )
        + "</li>"
        for p in ctx.handbook.policy.principles
    )
    return markup.block(f'<ol class="handbook-principles">{entries}</ol>')


def role_checklist(ctx: Context, checklist: Checklist) -> str:
    """A process step's checklist: its title, the role it is for, its items as tick boxes."""
    title = f"<strong>{markup.esc(checklist.title)}</strong>"
    if checklist.role:
        title += f' <span class="handbook-role">(for the {role_link(ctx, checklist.role)})</span>'
    return f'<p class="handbook-checklist-title">{title}</p>' + markup.checklist(
        (markup.esc(i) for i in checklist.items), ordered=checklist.ordered
    )


def step_note(ctx: Context, note: StepNote) -> str:
    """A note of a process step, with the severities it is limited to."""
    limited = ""
    if note.severities:
        badges = " ".join(severity_badge(ctx, s) for s in note.severities)
        limited = f'<span class="handbook-note-scope">Only for {badges}:</span> '
    return f'<div class="admonition note"><p>{limited}{markup.esc(note.text)}</p></div>'


def _step(ctx: Context, step: ProcessStep) -> str:
    parts = [
        f'<p class="handbook-goal"><strong>Goal:</strong> {markup.esc(step.goal)}</p>',
        f"<p><strong>Responsible:</strong> {role_link(ctx, step.responsible_role)}</p>",
        *(role_checklist(ctx, c) for c in step.checklists),
        *(step_note(ctx, n) for n in step.notes),
    ]
    return f"\n### {markup.md_inline(f'{step.order}. {step.title}')}\n" + markup.block(
        *parts, css_class="handbook handbook-process-step", id=f"step-{step.id}"
    )


def render_process(ctx: Context) -> str:
    """The response process, step by step, with goal, responsible role and checklists."""
    return "\n".join(_step(ctx, s) for s in process_steps(ctx.handbook.policy))


def render_communication_guidelines(ctx: Context) -> str:
    """How the team communicates during an incident, by audience."""
    cards = [
        markup.block(
            f'<p><strong>{markup.esc(g.title)}</strong> <span class="handbook-badge '
            f'handbook-audience-{markup.esc(g.audience)}">{markup.esc(_AUDIENCES[g.audience])}'
            "</span></p>",
            markup.markdown(g.guideline),
            css_class="handbook handbook-guideline",
            id=f"guideline-{g.id}",
        )
        for g in ctx.handbook.policy.communication
    ]
    return "".join(cards)


def render_document_control(ctx: Context) -> str:
    """Owner, review interval, next review and the version history, newest first."""
    hb = ctx.handbook
    control = hb.policy.document_control
    versions = versions_newest_first(hb.policy)
    due = next_policy_review(hb.policy)
    status = due_status(due, ctx.site.today)
    badge = f" {status_badge(status)}" if status != "ok" else ""
    facts = facts_table(
        [
            ("Owner", role_link(ctx, control.owner)),
            ("Current version", markup.esc(versions[0].version)),
            ("Review interval", f"{control.review_interval_days} days"),
            ("Next review by", f"{due.isoformat()}{badge}"),
        ]
    )
    rows = [
        [
            markup.esc(v.version),
            v.date.isoformat(),
            name_link(ctx, "people", v.author),
            markup.esc(v.changes),
        ]
        for v in versions
    ]
    history = markup.table(
        ["Version", "Date", "Author", "Changes"], rows, "handbook-version-history"
    )
    return (
        markup.block(facts, css_class="handbook handbook-quickref-box")
        + "\n## Version history\n"
        + markup.block(history)
    )


# The macros pages may call, by name (collected by handbook.render.catalogue).
MACROS: dict[str, Callable[..., str]] = {
    "purpose_and_scope": render_purpose_and_scope,
    "role_rules": render_role_rules,
    "principles": render_principles,
    "process": render_process,
    "communication_guidelines": render_communication_guidelines,
    "document_control": render_document_control,
}
