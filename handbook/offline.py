"""The go-bag: the whole handbook in one self-contained HTML file (``site/offline.html``).

For when hosting, SSO or the laptop fails: the file opens from a phone or a USB stick
with no network. It opens on the home page (what to do now, whom to call first), then a
table of contents and every other page of the handbook (book.py's reading order); the
site's stylesheets are inlined, and a Content-Security-Policy lets the file load nothing
but itself (no request leaves it, whatever a page holds).

Diagrams: the vendored Mermaid (``docs/assets/vendor/mermaid/mermaid.min.js``, 3.5 MB)
is inlined, so the escalation diagrams are drawn offline too. Every diagram has the same
steps beside it as a list, so a browser without JavaScript loses nothing.

Fast on a phone however large (#18; ``benchmarks/gobag.py``): the home page comes first and
nothing before it waits for a script, so whom to call is on screen as soon as the start of
the file is read. Every section after it is laid out only when it nears the screen (CSS
``content-visibility: auto``, with a height estimated from its size): find-in-page still
finds its text. Mermaid is inlined as inert text, run only when a diagram nears the screen.
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
# Mermaid and any other inlined script, as inert text until a diagram is to be drawn: the
# browser neither parses nor runs 3.5 MB of JavaScript while the file loads.
DEFERRED = "offline-deferred"
# Draw each diagram from its source text (the site's Material does this for its pages)
# when it comes within a screen of the reader, one at a time. Running Mermaid blocks a
# phone for seconds: not on opening, when the first number is about to be tapped. The
# deferred scripts run on the first drawing, as inline scripts (the CSP forbids eval).
_DRAW_DIAGRAMS = """
(function () {
  "use strict";
  var slice = function (nodes) { return Array.prototype.slice.call(nodes); };
  var scripts = slice(document.querySelectorAll("script.DEFERRED"));
  var diagrams = slice(document.querySelectorAll("pre.handbook-mermaid"));
  if (!scripts.length || !diagrams.length) { return; }
  var idle = window.requestIdleCallback || function (work) { return setTimeout(work, 0); };
  var queue = [];
  var drawing = false;
  var started = false;

  function start() {
    started = true;
    scripts.forEach(function (text) {
      var script = document.createElement("script");
      script.textContent = text.textContent;
      document.head.appendChild(script);
    });
    mermaid.initialize({ startOnLoad: false, securityLevel: "strict" });
  }

  function drawn() {
    drawing = false;
    idle(drawNext);
  }

  function drawNext() {
    if (drawing || !queue.length) { return; }
    var node = queue.shift();
    drawing = true;
    if (!started) { start(); }
    node.textContent = node.textContent;
    mermaid.run({ nodes: [node] }).then(drawn, function (error) { drawn(); throw error; });
  }

  function near(entries, observer) {
    entries.forEach(function (entry) {
      if (entry.isIntersecting) {
        observer.unobserve(entry.target);
        queue.push.apply(queue, diagrams.filter(function (node) {
          return node.parentElement === entry.target;
        }));
      }
    });
    drawNext();
  }

  if ("IntersectionObserver" in window) {
    var observer = new IntersectionObserver(near, { rootMargin: "100% 0px" });
    // A diagram not drawn yet takes no room (offline.css): its container is watched.
    diagrams.forEach(function (node) { observer.observe(node.parentElement); });
  } else {
    queue = diagrams;
    drawNext();
  }
})();
""".replace("DEFERRED", DEFERRED)
HOME_PAGE = "index.md"  # what to do now: the site's home page
# A section's height on a phone per byte of its HTML (measured on the shipped handbook:
# 0.46 to 0.5; 0.3 to 0.47 on a wide screen), and a contents entry's (a 24 px target).
PX_PER_BYTE = 0.45
CONTENTS_ENTRY_PX = 24
_END_TAG = re.compile(r"</(script|style)", re.IGNORECASE)


def _inline(code: str) -> str:
    """Script or style text that cannot close its element early."""
    return _END_TAG.sub(lambda m: "<\\/" + m.group(1), code)


def _diagrams(html: str) -> str:
    """Mermaid's blocks marked for the go-bag's own script (the site's Material draws them)."""
    return html.replace('<pre class="mermaid">', '<pre class="handbook-mermaid">')


def _placeholder(height: float) -> str:
    """The style attribute of an element laid out only near the screen (offline.css).

    It holds ``height`` meanwhile, for the scroll bar and for links into what follows.
    """
    return f' style="contain-intrinsic-size: auto {round(height, -1):.0f}px"'


def _estimated(section: str) -> str:
    """A page's section with its height estimated from its size."""
    return section.replace("<section", "<section" + _placeholder(len(section) * PX_PER_BYTE), 1)


def _inert(code: str) -> str:
    """A script held as text, run by the diagrams' script on first need (not parsed before)."""
    return f'<script type="text/plain" class="{DEFERRED}">{_inline(code)}</script>'


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
    body = _diagrams("".join(_estimated(sections([page])) for page in rest)).replace(
        "</section>", '<p class="offline-up"><a href="#contents">↑ Contents</a></p></section>'
    )
    online = (
        f" The online handbook: {markup.link(info.public_url, info.public_url)}."
        if info.public_url
        else ""
    )
    toc_height = _placeholder(CONTENTS_ENTRY_PX * (len(pages) + 2))
    style = "\n".join(_inline(s) for s in [OFFLINE_CSS.read_text(encoding="utf-8"), *stylesheets])
    # After everything the reader sees: no script holds up the home page.
    script = "".join(map(_inert, scripts)) + f"<script>{_DRAW_DIAGRAMS}</script>"
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
        + f'<nav class="offline-toc" id="contents" aria-label="Contents"{toc_height}>'
        f"<h2>Contents</h2>{contents(list(pages))}</nav>"
        f'<article class="md-typeset offline-rest">{body}</article></main>'
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
