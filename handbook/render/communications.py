"""Communication templates, grouped by audience, with the fields to fill in kept visible."""

from __future__ import annotations

import re
from collections.abc import Callable

from handbook import markup
from handbook.model import Communication
from handbook.render.common import facts_table, role_link, severity_badge, title_link
from handbook.render.extensions import more
from handbook.site import Context, anchor

AUDIENCES = (("internal", "Internal"), ("external", "External"))
# A field to fill in, as it looks once the template text has been HTML-escaped.
_SLOT = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")


def slots(template: str) -> list[str]:
    """The names of the ``{field}`` slots of a template, first occurrence first."""
    return list(dict.fromkeys(_SLOT.findall(template)))


def template_html(template: str) -> str:
    """The escaped template text in a ``<pre>``, each ``{field}`` slot highlighted."""
    marked = _SLOT.sub(r'<span class="handbook-slot">{\1}</span>', markup.esc(template))
    return f'<pre class="handbook-template"><code>{marked}</code></pre>'


def _template(ctx: Context, item: Communication) -> str:
    runbooks = ctx.handbook.referring("runbooks", "communications", item.id)
    rows = [
        ("Audience", markup.esc(item.audience)),
        ("Severities", " ".join(severity_badge(ctx, s) for s in item.severities)),
        ("Channel", markup.esc(item.channel)),
        ("Approved by", role_link(ctx, item.approval_role)),
    ]
    fields = slots(item.template)
    if fields:
        rows.append(("Fields to fill", ", ".join(f"<code>{markup.esc(f)}</code>" for f in fields)))
    if runbooks:
        rows.append(("Used in", ", ".join(title_link(ctx, "runbooks", r.id) for r in runbooks)))
    return markup.block(
        f"<h3>{markup.esc(item.title)}</h3>",
        facts_table(rows, "handbook-template-facts"),
        template_html(item.template),
        more(item.extensions, heading=False),
        css_class="handbook handbook-communication",
        id=anchor("communications", item.id),
    )


def render_communications(ctx: Context) -> str:
    """Every template under its anchor, internal ones first."""
    parts = []
    for audience, title in AUDIENCES:
        group = [c for c in ctx.handbook.communications if c.audience == audience]
        if group:
            parts.append(f"\n## {title}\n")
            parts.extend(_template(ctx, c) for c in group)
    return "\n".join(parts)


# The macros pages may call, by name (collected by handbook.render.catalogue).
MACROS: dict[str, Callable[..., str]] = {
    "communications": render_communications,
}
