"""Runbook pages and the runbook index."""

from __future__ import annotations

from collections.abc import Callable

from handbook import markup
from handbook.clocks import review_clock
from handbook.model import Mitigation, Runbook
from handbook.render.common import (
    escalation_step,
    name_link,
    owner_link,
    quickref_box,
    role_link,
    section,
    severity_badge,
    severity_rank,
    title_link,
)
from handbook.render.review import clock_summary
from handbook.site import PDF_DIR, Context, pdf_name

# A public build may leave every option out: responders then follow the escalation.
_NO_MITIGATION = '<p class="handbook-muted">Escalate: the owner knows the mitigation options.</p>'


def _quick_reference(ctx: Context, runbook: Runbook) -> str:
    rows = [
        ("Typical severity", severity_badge(ctx, runbook.severity)),
        ("Owner", owner_link(ctx, runbook.owner)),
        ("Last reviewed", clock_summary(ctx, review_clock(ctx.handbook, "runbooks", runbook.id))),
    ]
    if runbook.tags:
        rows.append(("Tags", ", ".join(markup.esc(t) for t in runbook.tags)))
    if ctx.site.pdfs:  # only when the build writes the PDFs: never a broken link
        pdf = ctx.asset_url(f"{PDF_DIR}/{pdf_name('runbooks', runbook.id)}")
        rows.append(("On paper", markup.internal_link(pdf, f"{runbook.id}.pdf (print it)")))
    return quickref_box(rows)


def _mitigation(mitigation: Mitigation) -> str:
    facts = "".join(
        f"<dt>{label}</dt><dd>{markup.esc(value)}</dd>"
        for label, value in (
            ("When", mitigation.when),
            ("Impact", mitigation.impact),
            ("Verify", mitigation.verify),
        )
    )
    return markup.block(
        f'<p class="handbook-mitigation-title"><span class="handbook-badge handbook-'
        f'{markup.esc(mitigation.preference)}">{markup.esc(mitigation.preference)}</span> '
        f'<strong id="mitigation-{markup.esc(mitigation.id)}">{markup.esc(mitigation.title)}'
        "</strong></p>",
        f"<dl>{facts}</dl>",
        markup.checklist((markup.esc(step) for step in mitigation.steps), ordered=True),
        css_class="handbook handbook-mitigation",
    )


def _links(ctx: Context, kind: str, ids: tuple[str, ...]) -> str:
    return markup.items(title_link(ctx, kind, i) for i in ids)


def render_runbook(ctx: Context, runbook_id: str) -> str:
    """A runbook page: quick reference, then every step as tick boxes, then its links."""
    hb = ctx.handbook
    runbook = hb.get("runbooks", runbook_id)
    actions = [
        markup.esc(a.text)
        + (f' <span class="handbook-role">({role_link(ctx, a.role)})</span>' if a.role else "")
        for a in runbook.immediate_actions
    ]
    escalation = [escalation_step(ctx, step) for step in runbook.escalation]
    parts = [
        f"# {markup.md_inline(runbook.title)}\n",
        _quick_reference(ctx, runbook),
        markup.block(markup.markdown(runbook.summary), css_class="handbook handbook-summary"),
    ]
    if runbook.signals:
        signals = markup.items(name_link(ctx, "signals", s) for s in runbook.signals)
        parts.append(section("Signals that trigger it", signals))
    parts += [
        section("Symptoms", markup.items(markup.esc(s) for s in runbook.symptoms)),
        section("Immediate actions", markup.checklist(actions, ordered=True)),
        "\n## Mitigation options\n",
        *(_mitigation(m) for m in runbook.mitigations),
        *(() if runbook.mitigations else (markup.block(_NO_MITIGATION),)),
        section("Escalation", markup.items(escalation, ordered=True)),
        section(
            "Resolution checklist",
            markup.checklist(markup.esc(i) for i in runbook.resolution_checklist),
        ),
    ]
    for kind, title in (
        ("dependencies", "Dependencies"),
        ("interventions", "Interventions"),
        ("communications", "Communication templates"),
    ):
        ids = getattr(runbook, kind)
        if ids:
            parts.append(section(title, _links(ctx, kind, ids)))
    return "\n".join(parts)


def render_runbook_index(ctx: Context) -> str:
    """Every runbook in a table: severity, owner, dependencies and tags."""
    order = severity_rank(ctx.handbook)
    runbooks = sorted(ctx.handbook.runbooks, key=lambda r: (order[r.severity], r.title))
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
    return markup.block(
        markup.table(
            ["Runbook", "Severity", "Owner", "Dependencies", "Tags"], rows, "handbook-runbook-index"
        )
    )


# The macros pages may call, by name (collected by handbook.render.catalogue).
MACROS: dict[str, Callable[..., str]] = {
    "runbooks": render_runbook_index,
}
