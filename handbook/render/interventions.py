"""Intervention pages, the intervention map and the signal x intervention matrix."""

from __future__ import annotations

from collections.abc import Callable

from handbook import markup
from handbook.clocks import review_clock
from handbook.drills import latest_exercise
from handbook.facts import max_duration
from handbook.model import Intervention
from handbook.render.common import (
    facts_table,
    name_link,
    quickref_box,
    role_link,
    role_links,
    section,
    severity_badge,
    severity_rank,
    title_link,
    unindexed,
)
from handbook.render.extensions import more
from handbook.render.review import clock_summary
from handbook.render.signals import ordered_signals, triggered_interventions
from handbook.site import Context


def quorum(item: Intervention) -> str:
    """How many must agree, e.g. ``2 of 5``."""
    q = item.authorised_by.quorum
    return "not stated" if q is None else f"{q.required} of {q.of}"


def yes_no(value: bool) -> str:
    """``yes`` or ``no``."""
    return "yes" if value else "no"


def action_badge(action: str) -> str:
    """A badge naming an intervention's action (pause, upgrade, ...)."""
    name = markup.esc(action)
    return f'<span class="handbook-badge handbook-action-{name}">{name}</span>'


def _people(ctx: Context, ids: tuple[str, ...]) -> str:
    return ", ".join(name_link(ctx, "people", p) for p in ids)


def _holders(ctx: Context, item: Intervention) -> str:
    entries = []
    for role_id in item.authorised_by.roles:
        holders = ctx.handbook.get("roles", role_id).holders
        text = f"{role_link(ctx, role_id)}: {_people(ctx, holders.primary)}"
        if holders.backup:
            text += f" (backup: {_people(ctx, holders.backup)})"
        entries.append(text)
    return markup.items(entries)


def render_intervention(ctx: Context, intervention_id: str) -> str:
    """An intervention's page: who may authorise it, what triggers it, its limits and cost."""
    hb = ctx.handbook
    item = hb.get("interventions", intervention_id)
    clock = review_clock(hb, "interventions", item.id)
    quickref = [
        ("Action", action_badge(item.action)),
        ("Target", markup.esc(item.target)),
        ("Runbook", title_link(ctx, "runbooks", item.runbook)),
        ("Last drilled", clock_summary(ctx, clock)),
    ]
    if (exercise := latest_exercise(hb, "interventions", item.id)) is not None:
        quickref.append(("Drilled in", ctx.ref("exercises", exercise.id, exercise.title)))
    rank = severity_rank(hb)  # the order of ordered_signals, without sorting every signal
    triggers = sorted(
        (hb.get("signals", s) for s in dict.fromkeys(item.signals)),
        key=lambda s: (rank[s.severity], s.name, s.id),
    )
    signals = [
        f"{severity_badge(ctx, s.severity)} {ctx.ref('signals', s.id, s.name)}" for s in triggers
    ]
    authority = (
        f"<p><strong>Roles:</strong> {role_links(ctx, item.authorised_by.roles)}</p>"
        f"<p><strong>Quorum:</strong> {markup.esc(quorum(item))}</p>"
        "<p><strong>Who holds those roles:</strong></p>" + _holders(ctx, item)
    )
    if item.signer_message_template:
        authority += (
            "<p><strong>Each signer posts</strong> (fill in each [field]):</p>"
            f'<pre class="handbook-template"><code>{markup.esc(item.signer_message_template)}'
            "</code></pre>"
        )
    trust = markup.markdown(item.trust_cost) if item.trust_cost else markup.muted("Not recorded.")
    limits = facts_table(
        [
            ("Max duration", markup.esc(max_duration(item))),
            ("Reversible", yes_no(item.limits.reversible)),
            ("Blast radius", markup.esc(item.limits.blast_radius)),
        ],
        "handbook-limits",
    )
    return "\n".join(
        [
            f"# {markup.md_inline(item.title)}\n",
            quickref_box(quickref),
            section("How it is executed", markup.markdown(item.mechanism)),
            section("Who may authorise it", authority),
            section(
                "Signals that trigger it",
                markup.items_or(signals, "No signal triggers it directly."),
            ),
            section("Limits", limits),
            section("Trust cost", trust),
            *([more(item.extensions)] if item.extensions else []),
        ]
    )


def render_interventions(ctx: Context) -> str:
    """The intervention map: every intervention, who may authorise it and its limits."""
    rows = [
        [
            ctx.ref("interventions", i.id, i.title),
            action_badge(i.action),
            markup.esc(i.target),
            role_links(ctx, i.authorised_by.roles),
            markup.esc(quorum(i)),
            markup.esc(max_duration(i)),
            yes_no(i.limits.reversible),
            markup.esc(i.trust_cost or "not recorded"),
        ]
        for i in ctx.handbook.interventions
    ]
    return unindexed(
        markup.table(
            [
                "Intervention",
                "Action",
                "Target",
                "Authorised by",
                "Quorum",
                "Max duration",
                "Reversible",
                "Trust cost",
            ],
            rows,
            "handbook-intervention-map",
        )
    )


# Above this many interventions the matrix would grow with the square of the handbook (a
# million cells for 1,000 interventions) and be unreadable: each signal lists its own instead.
MATRIX_MAX_COLUMNS = 30


def render_intervention_matrix(ctx: Context) -> str:
    """Signals (rows) against interventions (columns); a dot where the signal triggers it.

    With more than ``MATRIX_MAX_COLUMNS`` interventions, a table of each signal and the
    interventions it triggers instead: the same facts, in space that grows linearly.
    """
    hb = ctx.handbook
    signals = [s for s in ordered_signals(hb) if triggered_interventions(hb, s.id)]
    if not signals:
        return markup.block('<p class="handbook-muted">No signal triggers an intervention.</p>')
    if len(hb.interventions) > MATRIX_MAX_COLUMNS:
        rows = [
            [
                f"{severity_badge(ctx, s.severity)} {ctx.ref('signals', s.id, s.name)}",
                ", ".join(
                    ctx.ref("interventions", i.id, i.title)
                    for i in triggered_interventions(hb, s.id)
                ),
            ]
            for s in signals
        ]
        return unindexed(
            markup.table(
                ["Signal", "Interventions it triggers"], rows, "handbook-intervention-list"
            )
        )
    head = '<th scope="col">Signal</th>' + "".join(
        f'<th scope="col">{ctx.ref("interventions", i.id, i.title)}</th>' for i in hb.interventions
    )
    body = "".join(
        f'<tr><th scope="row">{severity_badge(ctx, s.severity)} '
        f"{ctx.ref('signals', s.id, s.name)}</th>"
        + "".join(
            f'<td class="handbook-hit" title="{markup.esc(s.name + " triggers " + i.title)}">●</td>'
            if s.id in i.signals
            else "<td></td>"
            for i in hb.interventions
        )
        + "</tr>"
        for s in signals
    )
    return unindexed(
        '<table class="handbook-table handbook-intervention-matrix">'
        f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
    )


# The macros pages may call, by name (collected by handbook.render.catalogue).
MACROS: dict[str, Callable[..., str]] = {
    "interventions": render_interventions,
    "intervention_matrix": render_intervention_matrix,
}
