"""Incident log and post-mortem templates, generated from the data, and their previews."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from handbook import markup
from handbook.facts import update_cadence
from handbook.markup import md_text
from handbook.model import Handbook
from handbook.render.policy import process_steps
from handbook.site import Context

_BLANK_ROWS = 3


def md_table(headers: Iterable[str], rows: Iterable[Iterable[str]]) -> str:
    """A Markdown table of already-safe cells; empty rows are left to fill in."""
    head = list(headers)
    lines = ["| " + " | ".join(head) + " |", "|" + "|".join("---" for _ in head) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def _blank(columns: int) -> list[list[str]]:
    return [[" "] * columns for _ in range(_BLANK_ROWS)]


def _severity_options(handbook: Handbook) -> str:
    return "".join(
        f"- [ ] **{md_text(s.id)} {md_text(s.name)}**: {md_text(s.impact)}\n"
        for s in handbook.severities
    )


def _header(handbook: Handbook, kind: str) -> str:
    info = handbook.info
    return (
        f"{kind} template from the {md_text(info.organisation.name)} incident response "
        f"handbook, version {md_text(info.handbook_version)}. All times are in UTC.\n"
    )


def incident_log_markdown(handbook: Handbook) -> str:
    """The Scribe's incident log: facts, roles, severity, timeline, decisions and updates."""
    return "\n".join(
        [
            "# Incident log: (short title)\n",
            _header(handbook, "Incident log"),
            md_table(
                ["Field", "Value"],
                [
                    ["Incident channel", "#incident-"],
                    ["Detected at (UTC)", "YYYY-MM-DD HH:MM"],
                    ["Detected by / source", " "],
                    ["Current status", "investigating / mitigating / monitoring / resolved"],
                    ["Resolved at (UTC)", " "],
                ],
            ),
            "## Severity\n",
            "Tick the current severity; when it changes, tick the new one and log the "
            "change in the timeline.\n",
            _severity_options(handbook),
            "## Roles\n",
            "Every role and who holds it; log each hand-over in the timeline.\n",
            md_table(
                ["Role", "Held by", "Since (UTC)"],
                [[md_text(r.name), " ", " "] for r in handbook.roles],
            ),
            "## Timeline (UTC)\n",
            md_table(["Time (UTC)", "Who", "What happened"], _blank(3)),
            "## Decisions\n",
            md_table(["Time (UTC)", "Decision", "Rationale", "Decided by"], _blank(4)),
            "## Updates\n",
            "Post an update at the severity's cadence:\n",
            md_table(
                ["Severity", "Update every"],
                [
                    [f"{md_text(s.id)} {md_text(s.name)}", md_text(update_cadence(s))]
                    for s in handbook.severities
                ],
            ),
            md_table(["Time (UTC)", "Audience", "Channel", "Summary"], _blank(4)),
        ]
    )


def postmortem_markdown(handbook: Handbook) -> str:
    """The post-mortem: summary, impact, timeline, causes, lessons, actions and the checklist."""
    review = process_steps(handbook.policy)[-1]
    checklists = "\n".join(
        f"### {md_text(c.title)}"
        + (f" ({md_text(handbook.get('roles', c.role).name)})" if c.role else "")
        + "\n\n"
        + "".join(f"- [ ] {md_text(item)}\n" for item in c.items)
        for c in review.checklists
    )
    return "\n".join(
        [
            "# Post-mortem: (short title)\n",
            _header(handbook, "Post-mortem"),
            md_table(
                ["Field", "Value"],
                [
                    ["Date of the incident (UTC)", "YYYY-MM-DD"],
                    ["Authors", " "],
                    ["Incident Log", " "],
                    ["Status", "draft / reviewed / published"],
                ],
            ),
            "## Summary\n",
            "What happened, in two or three sentences.\n",
            "## Impact\n",
            "Who and what was affected, for how long, and any funds at risk or lost.\n",
            "## Severity\n",
            _severity_options(handbook),
            "## Timeline (UTC)\n",
            md_table(["Time (UTC)", "Event"], _blank(2)),
            "## Root causes\n",
            "1. \n",
            "## Lessons learned\n",
            "- What went well: \n- What went badly: \n- Where we got lucky: \n",
            "## Action items\n",
            "Every action item has an owner and a deadline.\n",
            md_table(["Action", "Owner", "Deadline", "Status"], _blank(4)),
            f"## {md_text(review.title)} checklist\n",
            checklists,
        ]
    )


DOWNLOADS: dict[str, Callable[[Handbook], str]] = {
    "downloads/incident-log-template.md": incident_log_markdown,
    "downloads/post-mortem-template.md": postmortem_markdown,
}


def _preview(ctx: Context, path: str, label: str) -> str:
    link = markup.tag("a", markup.esc(label), "md-button", href=ctx.asset_url(path), download="")
    return markup.block(
        f"<p>{link}</p>",
        f'<pre class="handbook-template-preview"><code>{markup.esc(DOWNLOADS[path](ctx.handbook))}'
        "</code></pre>",
        css_class="handbook handbook-download",
    )


def render_incident_templates(ctx: Context) -> str:
    """Download links for both templates, each with a preview."""
    return "\n".join(
        [
            "\n## Incident log\n",
            _preview(ctx, "downloads/incident-log-template.md", "Download the incident log (.md)"),
            "\n## Post-mortem\n",
            _preview(ctx, "downloads/post-mortem-template.md", "Download the post-mortem (.md)"),
        ]
    )


# The macros pages may call, by name (collected by handbook.render.catalogue).
MACROS: dict[str, Callable[..., str]] = {
    "incident_templates": render_incident_templates,
}
