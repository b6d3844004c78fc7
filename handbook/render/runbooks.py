"""Runbook pages and the runbook index."""

from __future__ import annotations

import datetime as dt

from handbook import html
from handbook.model import Mitigation, Runbook
from handbook.render.common import escalation_step, named_ref, owner, role, severity
from handbook.site import Context


def review_due(ctx: Context, runbook: Runbook) -> dt.date:
    """When a runbook must be reviewed again."""
    interval = runbook.review_interval_days or ctx.handbook.info.review_defaults.runbook_days
    return runbook.last_reviewed + dt.timedelta(days=interval)


def _quick_reference(ctx: Context, runbook: Runbook) -> str:
    due = review_due(ctx, runbook)
    overdue = ' <strong class="handbook-overdue">overdue</strong>' if due < ctx.site.today else ""
    rows = [
        ("Typical severity", severity(ctx, runbook.severity)),
        ("Owner", owner(ctx, runbook.owner)),
        (
            "Last reviewed",
            f"{runbook.last_reviewed.isoformat()} (next review by {due.isoformat()}){overdue}",
        ),
    ]
    if runbook.tags:
        rows.append(("Tags", ", ".join(html.esc(t) for t in runbook.tags)))
    body = "".join(f"<tr><th>{html.esc(k)}</th><td>{v}</td></tr>" for k, v in rows)
    return html.block(
        f'<table class="handbook-quickref"><tbody>{body}</tbody></table>',
        css_class="handbook handbook-quickref-box",
    )


def _mitigation(mitigation: Mitigation) -> str:
    facts = "".join(
        f"<dt>{label}</dt><dd>{html.esc(value)}</dd>"
        for label, value in (
            ("When", mitigation.when),
            ("Impact", mitigation.impact),
            ("Verify", mitigation.verify),
        )
    )
    return html.block(
        f'<p class="handbook-mitigation-title"><span class="handbook-badge handbook-'
        f'{html.esc(mitigation.preference)}">{html.esc(mitigation.preference)}</span> '
        f'<strong id="mitigation-{html.esc(mitigation.id)}">{html.esc(mitigation.title)}'
        "</strong></p>",
        f"<dl>{facts}</dl>",
        html.checklist((html.esc(step) for step in mitigation.steps), ordered=True),
        css_class="handbook handbook-mitigation",
    )


def _section(title: str, body: str) -> str:
    return f"\n## {title}\n" + html.block(body)


def _links(ctx: Context, kind: str, ids: tuple[str, ...]) -> str:
    return html.items(named_ref(ctx, kind, i) for i in ids)


def render_runbook(ctx: Context, runbook_id: str) -> str:
    """A runbook page: quick reference, then every step as tick boxes, then its links."""
    hb = ctx.handbook
    runbook = hb.get("runbooks", runbook_id)
    actions = [
        html.esc(a.text)
        + (f' <span class="handbook-role">({role(ctx, a.role)})</span>' if a.role else "")
        for a in runbook.immediate_actions
    ]
    escalation = [escalation_step(ctx, step) for step in runbook.escalation]
    parts = [
        f"# {html.md_inline(runbook.title)}\n",
        _quick_reference(ctx, runbook),
        html.block(html.markdown(runbook.summary), css_class="handbook handbook-summary"),
    ]
    if runbook.signals:
        signals = html.items(
            ctx.ref("signals", s, hb.get("signals", s).name) for s in runbook.signals
        )
        parts.append(_section("Signals that trigger it", signals))
    parts += [
        _section("Symptoms", html.items(html.esc(s) for s in runbook.symptoms)),
        _section("Immediate actions", html.checklist(actions, ordered=True)),
        "\n## Mitigation options\n",
        *(_mitigation(m) for m in runbook.mitigations),
        _section("Escalation", html.items(escalation, ordered=True)),
        _section(
            "Resolution checklist",
            html.checklist(html.esc(i) for i in runbook.resolution_checklist),
        ),
    ]
    for kind, title in (
        ("dependencies", "Dependencies"),
        ("interventions", "Interventions"),
        ("communications", "Communication templates"),
    ):
        ids = getattr(runbook, kind)
        if ids:
            parts.append(_section(title, _links(ctx, kind, ids)))
    return "\n".join(parts)


def render_runbook_index(ctx: Context) -> str:
    """Every runbook in a table: severity, owner, dependencies and tags."""
    order = {s.id: n for n, s in enumerate(ctx.handbook.severities)}
    runbooks = sorted(ctx.handbook.runbooks, key=lambda r: (order[r.severity], r.title))
    rows = [
        [
            ctx.ref("runbooks", r.id, r.title),
            severity(ctx, r.severity),
            owner(ctx, r.owner),
            ", ".join(ctx.ref("dependencies", d) for d in r.dependencies),
            ", ".join(html.esc(t) for t in r.tags),
        ]
        for r in runbooks
    ]
    return html.block(
        html.table(
            ["Runbook", "Severity", "Owner", "Dependencies", "Tags"], rows, "handbook-runbook-index"
        )
    )
