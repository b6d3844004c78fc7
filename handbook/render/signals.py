"""Monitoring signals and the actions they trigger, grouped by severity."""

from __future__ import annotations

from collections.abc import Callable

from handbook import markup
from handbook.model import Handbook, Intervention, Signal
from handbook.render.common import (
    name_link,
    role_links,
    severity_badge,
    severity_rank,
    title_link,
)
from handbook.render.extensions import more
from handbook.site import Context, anchor


def ordered_signals(handbook: Handbook) -> list[Signal]:
    """Every signal, most severe first, then by name."""
    rank = severity_rank(handbook)
    return sorted(handbook.signals, key=lambda s: (rank[s.severity], s.name, s.id))


def triggered_interventions(handbook: Handbook, signal_id: str) -> list[Intervention]:
    """The interventions that list a signal among their triggers, in data order."""
    return list(handbook.referring("interventions", "signals", signal_id))


def _facts(ctx: Context, signal: Signal) -> str:
    interventions = triggered_interventions(ctx.handbook, signal.id)
    rows = [
        ("Severity", severity_badge(ctx, signal.severity)),
        ("Source", markup.esc(signal.source)),
        ("Condition", markup.esc(signal.condition)),
        ("First action", f"<strong>{markup.esc(signal.action)}</strong>"),
        ("Notify", role_links(ctx, signal.notify_roles)),
    ]
    if signal.notify_external:
        names = (name_link(ctx, "external_responders", e) for e in signal.notify_external)
        rows.append(("Outside the team", ", ".join(names)))
    if signal.runbook:
        rows.append(("Runbook", title_link(ctx, "runbooks", signal.runbook)))
    if interventions:
        rows.append(
            (
                "Interventions",
                ", ".join(ctx.ref("interventions", i.id, i.title) for i in interventions),
            )
        )
    return markup.definitions(rows)


def _signal(ctx: Context, signal: Signal) -> str:
    return markup.block(
        f"<h3>{markup.esc(signal.name)}</h3>",
        _facts(ctx, signal),
        more(signal.extensions, heading=False),
        css_class="handbook handbook-signal",
        id=anchor("signals", signal.id),
    )


def render_signals(ctx: Context) -> str:
    """Signals grouped by severity (P1 first), each with its first action and links."""
    hb = ctx.handbook
    signals = ordered_signals(hb)
    parts = []
    for level in hb.severities:
        group = [s for s in signals if s.severity == level.id]
        if group:
            parts.append(f"\n## {markup.md_inline(level.id + ' ' + level.name)}\n")
            parts.extend(_signal(ctx, s) for s in group)
    return "\n".join(parts)


# The macros pages may call, by name (collected by handbook.render.catalogue).
MACROS: dict[str, Callable[..., str]] = {
    "signals": render_signals,
}
