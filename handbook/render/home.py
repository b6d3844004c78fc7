"""The home page: what to do now, in the order a responder needs it."""

from __future__ import annotations

from collections.abc import Callable

from handbook import markup
from handbook.facts import response_target
from handbook.render.common import (
    channels_html,
    contact_target,
    first_call_numbers,
    runbooks_by_severity,
    severity_badge,
    unindexed,
)
from handbook.render.incidents import active_incidents
from handbook.render.severities import escalation_anchor
from handbook.site import OFFLINE_PAGE, PDF_DIR, WHOLE_PDF, Context, pdf_name


def _first_call(ctx: Context) -> str:
    """Who to call first for the most severe level, with their phone numbers.

    The home page's first step, so that a phone shows the numbers on its first screen; the
    level's impact says when it applies, the severity table below covers the others.
    """
    top = ctx.handbook.severities[0]
    level = f"<p>{severity_badge(ctx, top.id)} {markup.esc(top.impact)}</p>"
    if not top.escalation:  # every step is internal and this is the public build
        return level + "<p>Call the fallback team (step 3).</p>"
    step = top.escalation[0]
    calls = [level, f"<p>Call first: {contact_target(ctx, step)}</p>"]
    calls.append(first_call_numbers(ctx, step))
    calls.append("<p>Less severe? Pick its level below: its escalation path says whom to call.</p>")
    return "".join(calls)


def _take_it_with_you(ctx: Context) -> str:
    """The go-bag and, when the build wrote them, the whole-handbook PDF and the cards."""
    offline = markup.internal_link(ctx.asset_url(OFFLINE_PAGE), "The whole handbook in one file")
    parts = [
        f"<p>{offline}: it opens without network from a phone or a USB stick. Save it now, "
        "before the site, SSO or your laptop fails.</p>"
    ]
    if ctx.site.pdfs:
        whole = markup.internal_link(ctx.asset_url(f"{PDF_DIR}/{WHOLE_PDF}"), "whole handbook")
        cards = ", ".join(
            markup.internal_link(ctx.asset_url(f"{PDF_DIR}/{pdf_name('severities', s.id)}"), s.id)
            for s in ctx.handbook.severities
        )
        parts.append(f"<p>On paper (PDF): the {whole}; break-glass cards for {cards}.</p>")
    return "".join(parts)


def render_home(ctx: Context) -> str:
    """Who to call first, the severities, the fallback contact, where the runbooks are.

    The most severe level's first call comes first (after any incident in progress), so
    that it is on the first screen of a phone; the severity table follows.
    """
    hb = ctx.handbook
    fallback = hb.get("teams", hb.info.fallback_team)
    picker = markup.table(
        ["Severity", "When", "Respond within", "Escalation"],
        [
            [
                ctx.ref("severities", s.id, f"{s.id} {s.name}"),
                markup.esc(s.impact),
                markup.esc(response_target(s)),
                ctx.link(f"escalation.md#{escalation_anchor(s.id)}", f"{s.id} escalation path"),
            ]
            for s in hb.severities
        ],
        "handbook-severity-picker",
        stacked=True,
    )
    banner = active_incidents(ctx)  # only while an incident is open
    return "\n".join(
        [
            *([banner] if banner else []),
            "\n## 1. Call\n",
            markup.block(_first_call(ctx), css_class="handbook handbook-call-box"),
            "\n## 2. Pick a severity\n",
            markup.block(picker),
            "\n## 3. Do not know whom to call?\n",
            markup.block(
                "<p>Contact the fallback team, "
                f"{ctx.ref('teams', fallback.id, fallback.name)}:</p>",
                channels_html(ctx, fallback.contacts),
            ),
            "\n## 4. Open the runbook\n",
            unindexed(
                markup.items(
                    ctx.ref("runbooks", r.id, r.title)
                    + (f" ({markup.esc(r.severity)})" if r.severity else "")
                    for r in runbooks_by_severity(hb)
                ),
                "<p>"
                + ctx.link("runbooks.md", "All runbooks")
                + " · "
                + ctx.link("severities.md", "Severity matrix")
                + "</p>",
            ),
            "\n## 5. Take it with you\n",
            markup.block(_take_it_with_you(ctx)),
        ]
    )


# The macros pages may call, by name (collected by handbook.render.catalogue).
MACROS: dict[str, Callable[..., str]] = {
    "what_now": render_home,
}
