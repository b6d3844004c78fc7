"""The go-bag: the whole handbook in one self-contained HTML file (``site/offline.html``).

For when hosting, SSO or the laptop fails: the file opens from a phone or a USB stick
with no network. It opens on the home page (what to do now, whom to call first), then a
table of contents and every other page of the handbook (book.py's reading order); the
site's stylesheets are inlined, and a Content-Security-Policy lets the file load nothing
but itself (no request leaves it, whatever a page holds).

Diagrams: the vendored Mermaid (``docs/assets/vendor/mermaid/mermaid.min.js``, 3.5 MB)
is inlined, so the escalation diagrams are drawn offline too. Every diagram has the same
steps beside it as a list, so a browser without JavaScript loses nothing.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Sequence
from pathlib import Path

from handbook import markup
from handbook.book import BookPage, contents, sections
from handbook.files import write_atomically
from handbook.site import OFFLINE_PAGE, Site
from handbook.site_sources import Sources

OFFLINE_CSS = Path(__file__).with_name("offline.css")
MERMAID = "mermaid.min.js"  # the one script of the site's extra_javascript inlined
# Nothing but the file itself: inline styles and scripts, data: images.
POLICY = (
    "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; "
    "img-src data:; font-src data:; base-uri 'none'; form-action 'none'"
)
# Draw each diagram from its source text (the site's Material does this for its pages).
_DRAW_DIAGRAMS = """
(function () {
  "use strict";
  if (typeof mermaid === "undefined") { return; }
  var nodes = Array.prototype.slice.call(document.querySelectorAll("pre.handbook-mermaid"));
  nodes.forEach(function (node) { node.textContent = node.textContent; });
  mermaid.initialize({ startOnLoad: false, securityLevel: "strict" });
  mermaid.run({ nodes: nodes });
})();
"""
HOME_PAGE = "index.md"  # what to do now: the site's home page
_END_TAG = re.compile(r"</(script|style)", re.IGNORECASE)


def _inline(code: str) -> str:
    """Script or style text that cannot close its element early."""
    return _END_TAG.sub(lambda m: "<\\/" + m.group(1), code)


def _diagrams(html: str) -> str:
    """Mermaid's blocks marked for the go-bag's own script (the site's Material draws them)."""
    return html.replace('<pre class="mermaid">', '<pre class="handbook-mermaid">')


def render_offline(
    site: Site, pages: Sequence[BookPage], stylesheets: Sequence[str], scripts: Sequence[str]
) -> str:
    """The go-bag document: header, home page, contents, the other pages; all inline."""
    info = site.handbook.info
    title = f"{info.organisation.name} incident response"
    stamp = f"version {info.handbook_version}, built {site.today.isoformat()}"
    # The home page (what to do now, whom to call first) comes before the contents, so
    # that the file opens on the numbers, on a phone's first screen too.
    lead = [p for p in pages[:1] if p.src == HOME_PAGE]
    rest = list(pages[len(lead) :])
    front = _diagrams(sections(lead))
    body = _diagrams(sections(rest)).replace(
        "</section>", '<p class="offline-up"><a href="#contents">↑ Contents</a></p></section>'
    )
    online = (
        f" The online handbook: {markup.link(info.public_url, info.public_url)}."
        if info.public_url
        else ""
    )
    style = "\n".join(_inline(s) for s in [OFFLINE_CSS.read_text(encoding="utf-8"), *stylesheets])
    script = "".join(f"<script>{_inline(s)}</script>" for s in [*scripts, _DRAW_DIAGRAMS])
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f'<meta http-equiv="Content-Security-Policy" content="{POLICY}">'
        f'<meta name="generator" content="handbook">'
        f"<title>{markup.esc(title)} (offline copy, {markup.esc(stamp)})</title>"
        f"<style>{style}</style></head>"
        '<body data-md-color-scheme="default"><header class="offline-header" id="top">'
        f"<p><strong>{markup.esc(title)}</strong>: handbook {markup.esc(stamp)}, "
        f"{markup.esc(site.audience)} edition.</p>"
        "<p>The offline copy: the whole handbook in this one file, which needs no network. "
        f"Check the build date before you rely on it.{online}</p></header>"
        '<main class="md-content">'
        + (f'<article class="md-typeset offline-lead">{front}</article>' if lead else "")
        + '<nav class="offline-toc" id="contents" aria-label="Contents"><h2>Contents</h2>'
        f"{contents(list(pages))}</nav>"
        f'<article class="md-typeset">{body}</article></main>'
        f"{script}</body></html>\n"
    )


def site_assets(sources: Sources, site_dir: Path) -> tuple[list[str], list[str]]:
    """(stylesheets, scripts) to inline: the site's extra CSS and its Mermaid, as built."""
    css = [(site_dir / path).read_text(encoding="utf-8") for path in sources.extra_css]
    js = [
        (site_dir / path).read_text(encoding="utf-8")
        for path in sources.extra_javascript
        if posixpath.basename(path) == MERMAID
    ]
    return css, js


def write_offline(site: Site, pages: Sequence[BookPage], sources: Sources, site_dir: Path) -> Path:
    """Write the go-bag of the book ``pages`` into a built site, atomically; return its path."""
    stylesheets, scripts = site_assets(sources, site_dir)
    text = render_offline(site, pages, stylesheets, scripts)
    target = site_dir / OFFLINE_PAGE
    write_atomically(target, text.encode("utf-8"))
    return target
