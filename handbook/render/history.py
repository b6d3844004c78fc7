"""The release history of the handbook repository (git tags)."""

from __future__ import annotations

from collections.abc import Callable

from handbook import markup
from handbook.site import Context


def render_releases(ctx: Context) -> str:
    """Tagged releases of the repository, newest first, or a note when there are none."""
    releases = ctx.site.releases
    if not releases:
        return markup.block(
            '<p class="handbook-muted">No release has been tagged in git yet: tag one with '
            '<code>git tag -a v1.0 -m "..."</code> when a version is approved.</p>'
        )
    rows = [[markup.esc(r.name), markup.esc(r.date), markup.esc(r.subject)] for r in releases]
    return markup.block(markup.table(["Tag", "Date", "Subject"], rows, "handbook-releases"))


# The macros pages may call, by name (collected by handbook.render.catalogue).
MACROS: dict[str, Callable[..., str]] = {
    "releases": render_releases,
}
