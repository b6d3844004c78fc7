"""The pages the engine contributes to a site, rendered with no template language involved.

One page per record of every kind shown on pages of its own (``handbook.kinds``), plus the
downloads.
"""

from __future__ import annotations

import importlib
import json
from collections.abc import Callable

from handbook.kinds import KINDS, RecordPages
from handbook.render.incident_templates import DOWNLOADS
from handbook.site import RECORD_PAGES, Context, Site, record_source


def front_matter(tags: tuple[str, ...] = ()) -> str:
    """YAML front matter of a generated page.

    Generated pages hold rendered HTML, never template code: data text must not be
    evaluated by mkdocs-macros' Jinja, whatever it contains. Tags are written as JSON
    strings (valid YAML) so no tag can inject another key.
    """
    lines = ["render_macros: false"]
    if tags:
        lines.append("tags: [" + ", ".join(json.dumps(t) for t in tags) + "]")
    return "---\n" + "\n".join(lines) + "\n---\n\n"


RecordRenderer = Callable[[Context, str], str]
# Kind -> the function of handbook/render/<kind>.py that renders one record's page.
RENDERERS: dict[str, RecordRenderer] = {
    kind.name: getattr(importlib.import_module(f"handbook.render.{kind.name}"), kind.shown.render)
    for kind in KINDS
    if isinstance(kind.shown, RecordPages)
}


def downloads(site: Site) -> dict[str, str]:
    """Source path -> content of every generated download (Markdown templates)."""
    return {path: render(site.handbook) for path, render in DOWNLOADS.items()}


def record_pages(site: Site) -> dict[str, str]:
    """Source path -> Markdown of every generated record page (of kinds the site shows)."""
    pages = {}
    for kind in RECORD_PAGES:
        if not site.shows(kind):
            continue
        for record in getattr(site.handbook, kind):
            src = record_source(kind, record.id)
            tags = getattr(record, "tags", ())
            pages[src] = front_matter(tags) + RENDERERS[kind](site.page(src), record.id)
    return pages
