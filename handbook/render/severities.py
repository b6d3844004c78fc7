"""The severity matrix and the escalation path of each severity."""

from __future__ import annotations

import re
from collections.abc import Callable

from handbook import markup
from handbook.facts import response_target, update_cadence
from handbook.model import NONE, Severity
from handbook.render.common import (
    escalation_step,
    role_links,
    severity_class,
)
from handbook.render.extensions import more
from handbook.site import Context, anchor

_MERMAID_UNSAFE = re.compile(r"[^\w .,:/()'+-]", re.UNICODE)


def _label(text: str) -> str:
    """Text a Mermaid label can hold without being read as syntax."""
    return _MERMAID_UNSAFE.sub(" ", text).strip() or "?"


def doubt_principles(ctx: Context) -> str:
    """The policy's principles about choosing a severity, as an admonition."""
    chosen = [p for p in ctx.handbook.policy.principles if "severity" in p.statement.lower()]
    if not chosen:
        return ""
    body = "".join(
        f"<p><strong>{markup.esc(p.statement)}</strong>"
        + (f" {markup.esc(p.rationale)}" if p.rationale else "")
        + "</p>"
        for p in chosen
    )
    return markup.block(body, css_class="admonition warning handbook-doubt")


def _level(ctx: Context, severity: Severity) -> str:
    """A level's badge, anchored, with what kind of level it is."""
    badge = markup.tag(
        "span",
        markup.esc(f"{severity.id} {severity.name}"),
        severity_class(ctx.handbook, severity.id),
        id=anchor("severities", severity.id),
    )
    kinds = (["major incident"] if severity.major else []) + (
        ["pages at any hour"] if severity.pages else []
    )
    return badge + "".join(f'<br> <em class="handbook-level-kind">{k}</em>' for k in kinds)


def _response(severity: Severity) -> str:
    """A level's response target and, when the policy says it, how the team responds."""
    described = severity.response.description
    return f"<strong>{markup.esc(response_target(severity))}</strong>" + (
        f"<br> {markup.esc(described)}" if described else ""
    )


def render_severity_matrix(ctx: Context) -> str:
    """The team's scale: impact, response target, who is involved, examples, update cadence."""
    rows = [
        [
            _level(ctx, s),
            markup.esc(s.impact),
            _response(s),
            role_links(ctx, s.involved_roles) or "none named",
            markup.items(markup.esc(e) for e in s.examples),
            markup.esc(update_cadence(s)),
        ]
        for s in ctx.handbook.severities
    ]
    matrix = markup.table(
        ["Severity", "Impact", "Response target", "Who is involved", "Examples", "Updates"],
        rows,
        "handbook-severity-matrix",
        stacked=True,
    )
    return doubt_principles(ctx) + markup.block(matrix)


def _mermaid(ctx: Context, severity: Severity) -> str:
    lines = ["flowchart TD"]
    previous = "start"
    lines.append(f'  start(["{_label(severity.id + " detected")}"])')
    for number, step in enumerate(severity.escalation, start=1):
        kind, target = step.target
        name = ctx.handbook.get(kind, target).name
        within = f" within {step.within}" if step.within else ""
        lines.append(f'  s{number}["{_label(name + within)}"]')
        lines.append(f"  {previous} --> s{number}")
        previous = f"s{number}"
    source = "\n".join(lines)
    return f'<pre class="mermaid"><code>{markup.esc(source)}</code></pre>'


def escalation_anchor(severity_id: str) -> str:
    """The HTML id of a severity's escalation path on the escalation page."""
    return f"escalation-{severity_id.lower()}"


def render_escalation(ctx: Context, severity_id: str) -> str:
    """One severity's escalation path: a Mermaid diagram with the same steps as a list."""
    severity = ctx.handbook.get("severities", severity_id)
    steps = markup.items_or(  # a public build may leave every step out
        (escalation_step(ctx, step) for step in severity.escalation),
        "Contact the fallback team.",
        ordered=True,
    )
    return markup.block(
        f'<div class="handbook-diagram">{_mermaid(ctx, severity)}</div>',
        f'<div class="handbook-steps">{steps}</div>',
        css_class="handbook handbook-escalation",
        id=escalation_anchor(severity_id),
    )


def _timing(severity: Severity) -> str:
    """One sentence on a level's update cadence and response target, as the policy sets them."""
    cadence, target = severity.update_cadence, severity.response.target
    if cadence is None:
        updates = "The policy sets no update cadence"
    else:
        updates = "No regular updates" if cadence == NONE else f"Updates every {cadence}"
    response = "no response target" if target == NONE else f"first response within {target}"
    return f"{updates}; {response}."


def render_escalations(ctx: Context) -> str:
    """Every severity's escalation path, each under its own heading."""
    return "\n".join(
        f"\n## {markup.md_inline(s.id + ' ' + s.name)}\n\n{markup.esc(_timing(s))}\n"
        + render_escalation(ctx, s.id)
        + (markup.block(more(s.extensions, heading=False)) if s.extensions else "")
        for s in ctx.handbook.severities
    )


# The macros pages may call, by name (collected by handbook.render.catalogue).
MACROS: dict[str, Callable[..., str]] = {
    "severity_matrix": render_severity_matrix,
    "escalation": render_escalation,
    "escalations": render_escalations,
}
