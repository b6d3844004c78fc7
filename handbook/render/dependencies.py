"""Dependency pages and the dependency exposure list."""

from __future__ import annotations

from collections.abc import Callable

from handbook import markup
from handbook.clocks import review_clock
from handbook.model import Dependency, Handbook, Runbook, VendorContact
from handbook.render.common import (
    channels_html,
    owner_link,
    quickref_box,
    section,
    title_link,
    unindexed,
)
from handbook.render.extensions import more
from handbook.render.review import clock_summary
from handbook.site import Context

CRITICALITIES = ("critical", "high", "medium", "low")
PURPOSES = ("support", "escalation", "security", "status")
_FIRST_CALL = ("support", "escalation")


def criticality_badge(value: str) -> str:
    """A badge naming a dependency's criticality."""
    return (
        f'<span class="handbook-badge handbook-criticality-{markup.esc(value)}">'
        f"{markup.esc(value)}</span>"
    )


def runbooks_using(handbook: Handbook, dependency_id: str) -> list[Runbook]:
    """The runbooks that list a dependency, in data order."""
    return list(handbook.referring("runbooks", "dependencies", dependency_id))


def first_contact(dependency: Dependency) -> VendorContact | None:
    """The first support or escalation contact, in the order the data lists them."""
    return next((c for c in dependency.contacts if c.purpose in _FIRST_CALL), None)


def _contact(ctx: Context, contact: VendorContact) -> str:
    return f"<strong>{markup.esc(contact.name)}</strong>{channels_html(ctx, contact.channels)}"


def _contacts(ctx: Context, dependency: Dependency) -> str:
    ordered = sorted(dependency.contacts, key=lambda c: PURPOSES.index(c.purpose))
    rows = [[markup.esc(c.purpose), _contact(ctx, c)] for c in ordered]
    return markup.table(["Purpose", "Contact"], rows, "handbook-vendor-contacts")


def _degraded_mode(dependency: Dependency) -> str:
    mode = dependency.degraded_mode
    return (
        markup.definitions(
            [
                ("What still works", markup.markdown(mode.what_still_works)),
                ("User impact", markup.markdown(mode.user_impact)),
                ("Longest tolerable", f"<strong>{markup.esc(mode.max_tolerable)}</strong>"),
            ]
        )
        + "<p><strong>How to enter it</strong></p>"
        + markup.checklist((markup.esc(step) for step in mode.how_to_enter), ordered=True)
    )


def render_dependency(ctx: Context, dependency_id: str) -> str:
    """A dependency's page: whom to call, how to run without it and where it is used."""
    hb = ctx.handbook
    dependency = hb.get("dependencies", dependency_id)
    quickref = [
        ("Kind", markup.esc(dependency.kind)),
        ("Criticality", criticality_badge(dependency.criticality)),
        ("Owner", owner_link(ctx, dependency.owner)),
        ("Last verified", clock_summary(ctx, review_clock(hb, "dependencies", dependency.id))),
    ]
    used_by = runbooks_using(hb, dependency.id)
    return "\n".join(
        [
            f"# {markup.md_inline(dependency.name)}\n",
            quickref_box(quickref),
            markup.block(
                markup.markdown(dependency.description), css_class="handbook handbook-summary"
            ),
            section("Vendor contacts", _contacts(ctx, dependency)),
            section("Degraded mode", _degraded_mode(dependency)),
            section(
                "Runbooks that use it",
                markup.items_or(
                    (title_link(ctx, "runbooks", r.id) for r in used_by),
                    "No runbook lists this dependency.",
                ),
            ),
            *([more(dependency.extensions)] if dependency.extensions else []),
        ]
    )


def render_dependencies(ctx: Context) -> str:
    """The exposure list: every dependency, most critical first, with whom to call."""
    ordered = sorted(
        ctx.handbook.dependencies, key=lambda d: (CRITICALITIES.index(d.criticality), d.name, d.id)
    )
    rows = []
    for d in ordered:
        contact = first_contact(d)
        rows.append(
            [
                ctx.ref("dependencies", d.id, d.name),
                markup.esc(d.kind),
                criticality_badge(d.criticality),
                owner_link(ctx, d.owner),
                f"{markup.esc(d.degraded_mode.what_still_works)}<br> "
                f"<strong>Longest tolerable:</strong> {markup.esc(d.degraded_mode.max_tolerable)}",
                _contact(ctx, contact)
                if contact
                else markup.muted("no support or escalation contact"),
            ]
        )
    return unindexed(
        markup.table(
            ["Dependency", "Kind", "Criticality", "Owner", "Degraded mode", "First contact"],
            rows,
            "handbook-dependency-exposure",
        )
    )


# The macros pages may call, by name (collected by handbook.render.catalogue).
MACROS: dict[str, Callable[..., str]] = {
    "dependencies": render_dependencies,
}
